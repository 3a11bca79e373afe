"""What each endpoint accepts: one table shared by the client, the fake and the CLI.

The generator turns ``openapi.yaml`` into typed functions and models, but some facts the
facade needs before it sends anything are not expressible in a way the generator keeps
(the per-width ``limit`` bounds live in an ``x-limits`` extension, the result ``object`` of
each endpoint in the discriminator mapping). This module states them once;
``tests/test_endpoints_table.py`` checks every entry against ``openapi.yaml`` so the two
cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

__all__ = [
    "ENDPOINTS",
    "USAGE_KINDS",
    "BucketWidth",
    "EndpointSpec",
    "FilterSpec",
    "LimitBounds",
]

BucketWidth = Literal["1m", "1h", "1d"]


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
    #: The generated module under ``_generated.api`` that holds this operation.
    generated_module: str = field(default="")

    @property
    def bucket_widths(self) -> tuple[str, ...]:
        return tuple(self.limits)


_USAGE_LIMITS: Final = {
    "1m": LimitBounds(default=60, maximum=1440),
    "1h": LimitBounds(default=24, maximum=168),
    "1d": LimitBounds(default=7, maximum=31),
}
_COSTS_LIMITS: Final = {"1d": LimitBounds(default=7, maximum=180)}

_IDS = FilterSpec("list")
_PROJECT = {"project_ids": _IDS}
_PEOPLE = {"project_ids": _IDS, "user_ids": _IDS, "api_key_ids": _IDS}
_MODEL_FILTERS = {**_PEOPLE, "models": _IDS}
_MODEL_GROUPS = ("project_id", "user_id", "api_key_id", "model")
_COMPLETIONS_GROUPS = (*_MODEL_GROUPS, "batch", "service_tier", "api_source")

#: Image sources are a closed set; image sizes are not (the live API reports sizes the
#: spec does not list), so ``sizes`` is an open filter.
IMAGE_SOURCES: Final = ("image.generation", "image.edit", "image.variation")
CONTEXT_LEVELS: Final = ("low", "medium", "high")


def _usage(
    name: str,
    result: str,
    group_by: tuple[str, ...],
    filters: Mapping[str, FilterSpec],
) -> EndpointSpec:
    return EndpointSpec(
        name=name,
        path=f"/organization/usage/{name}",
        result_object=f"organization.usage.{result}.result",
        group_by=group_by,
        filters=filters,
        limits=_USAGE_LIMITS,
        generated_module=name,
    )


ENDPOINTS: Final[Mapping[str, EndpointSpec]] = {
    spec.name: spec
    for spec in (
        _usage(
            "completions",
            "completions",
            _COMPLETIONS_GROUPS,
            {**_MODEL_FILTERS, "batch": FilterSpec("bool")},
        ),
        _usage("embeddings", "embeddings", _MODEL_GROUPS, _MODEL_FILTERS),
        _usage("moderations", "moderations", _MODEL_GROUPS, _MODEL_FILTERS),
        _usage(
            "images",
            "images",
            (*_MODEL_GROUPS, "size", "source"),
            {
                **_MODEL_FILTERS,
                "sources": FilterSpec("list", IMAGE_SOURCES),
                "sizes": FilterSpec("list"),
            },
        ),
        _usage("audio_speeches", "audio_speeches", _MODEL_GROUPS, _MODEL_FILTERS),
        _usage("audio_transcriptions", "audio_transcriptions", _MODEL_GROUPS, _MODEL_FILTERS),
        _usage("vector_stores", "vector_stores", ("project_id",), _PROJECT),
        _usage("code_interpreter_sessions", "code_interpreter_sessions", ("project_id",), _PROJECT),
        _usage(
            "file_search_calls",
            "file_searches",
            ("project_id", "user_id", "api_key_id", "vector_store_id"),
            {**_PEOPLE, "vector_store_ids": _IDS},
        ),
        _usage(
            "web_search_calls",
            "web_searches",
            (*_MODEL_GROUPS, "context_level", "api_source"),
            {**_MODEL_FILTERS, "context_levels": FilterSpec("list", CONTEXT_LEVELS)},
        ),
        _usage(
            "decisions",
            "decisions",
            _COMPLETIONS_GROUPS,
            {**_MODEL_FILTERS, "batch": FilterSpec("bool")},
        ),
        EndpointSpec(
            name="costs",
            path="/organization/costs",
            result_object="organization.costs.result",
            group_by=("project_id", "line_item", "api_key_id", "user_id", "api_source"),
            filters={"project_ids": _IDS, "api_key_ids": _IDS, "line_items": _IDS},
            limits=_COSTS_LIMITS,
            is_costs=True,
            generated_module="costs",
        ),
    )
}

#: The usage endpoints, in the order the README and the CLI list them.
USAGE_KINDS: Final = tuple(name for name in ENDPOINTS if name != "costs")
