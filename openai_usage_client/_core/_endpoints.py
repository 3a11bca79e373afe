"""What each endpoint accepts: one table shared by the client, the fake and the CLI.

The facts come from ``openapi.yaml`` only: ``scripts/generate.py`` writes them into
``_generated/endpoints.py`` (path, result ``object``, ``group_by`` values, filters, ``limit``
bounds per bucket width from ``x-limits``, help text from ``summary``/``description``), and
``make check-generated`` fails if that file and the spec disagree. This module turns the
plain data into frozen ``EndpointSpec``s; it states no fact of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from .._generated import endpoints as _facts

__all__ = [
    "ENDPOINTS",
    "USAGE_KINDS",
    "EndpointSpec",
    "FilterSpec",
    "LimitBounds",
]


@dataclass(frozen=True)
class LimitBounds:
    """How many buckets one page may hold at one bucket width."""

    default: int
    maximum: int
    minimum: int = 1


@dataclass(frozen=True)
class FilterSpec:
    """A filter query parameter.

    ``kind`` is ``"list"`` (repeated string values) or ``"bool"``. ``choices`` is the closed
    set of allowed values for enum filters, ``None`` for open ones (IDs, model names).
    """

    kind: Literal["list", "bool"]
    choices: tuple[str, ...] | None = None


@dataclass(frozen=True)
class EndpointSpec:
    """One operation of the API, as the facade needs to know it."""

    name: str
    path: str
    result_object: str
    group_by: tuple[str, ...]
    filters: Mapping[str, FilterSpec]
    limits: Mapping[str, LimitBounds]
    default_bucket_width: str = "1d"
    is_costs: bool = False
    #: One line of help (the operation's ``summary``).
    summary: str = ""
    #: Longer help (the operation's ``description``; may be empty).
    description: str = ""

    @property
    def bucket_widths(self) -> tuple[str, ...]:
        return tuple(self.limits)


def _spec(facts: _facts.EndpointFacts) -> EndpointSpec:
    return EndpointSpec(
        name=facts["name"],
        path=facts["path"],
        result_object=facts["result_object"],
        group_by=facts["group_by"],
        filters={n: FilterSpec(f["kind"], f["choices"]) for n, f in facts["filters"].items()},
        limits={
            w: LimitBounds(b["default"], b["maximum"], b["minimum"])
            for w, b in facts["limits"].items()
        },
        default_bucket_width=facts["default_bucket_width"],
        is_costs=facts["tag"] == "costs",
        summary=facts["summary"],
        description=facts["description"],
    )


ENDPOINTS: Final[Mapping[str, EndpointSpec]] = {
    facts["name"]: _spec(facts) for facts in _facts.ENDPOINTS
}

#: The usage endpoints, in the order the README and the CLI list them (the spec's order).
USAGE_KINDS: Final = tuple(name for name, spec in ENDPOINTS.items() if not spec.is_costs)
