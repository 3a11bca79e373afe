"""Checking and building the query of one call (no I/O).

Every rule here runs before any request is sent, and every refusal is an
``InvalidParameterError`` that names the parameter, the value and what is allowed. The
wire query itself is built by the generated endpoint function's ``_get_kwargs``, so the
parameter names and array encoding come from ``openapi.yaml``.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ._endpoints import ENDPOINTS, EndpointSpec
from ._exceptions import InvalidParameterError
from ._time import WIDTH_SECONDS, Clock, describe, to_unix

__all__ = ["Query", "accepted_params", "build_query", "check_concurrency"]

_COMMON = ("start_time", "end_time", "bucket_width", "group_by", "limit", "page")


@dataclass(frozen=True)
class Query:
    """A checked call: what to send, and what the stream machinery needs to know."""

    endpoint: EndpointSpec
    start_time: int
    end_time: int | None
    bucket_width: str
    limit: int
    group_by: tuple[str, ...]
    page: str | None = None
    concurrency: int = 1
    #: Extra keyword arguments of the generated ``_get_kwargs``, filters included.
    _wire: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def width_seconds(self) -> int:
        return WIDTH_SECONDS[self.bucket_width]

    def window(self, start: int, end: int | None) -> Query:
        """The same query over another range, from its first page."""
        return replace(self, start_time=start, end_time=end, page=None)

    def request_kwargs(self, page: str | None) -> dict[str, Any]:
        """``method``, ``url`` and ``params`` for one page, from the generated endpoint."""
        wire: dict[str, Any] = {
            "start_time": self.start_time,
            "bucket_width": self.bucket_width,
            "limit": self.limit,
            **self._wire,
        }
        if self.end_time is not None:
            wire["end_time"] = self.end_time
        if self.group_by:
            wire["group_by"] = list(self.group_by)
        if page is not None:
            wire["page"] = page
        return _get_kwargs(self.endpoint)(**wire)


def _get_kwargs(endpoint: EndpointSpec) -> Callable[..., dict[str, Any]]:
    package = "costs" if endpoint.is_costs else "usage"
    module = importlib.import_module(
        f"openai_usage_client._generated.api.{package}.{endpoint.name}"
    )
    builder: Callable[..., dict[str, Any]] = module._get_kwargs
    return builder


def _check_strings(param: str, value: object, choices: Sequence[str] | None) -> tuple[str, ...]:
    allowed = (
        f"a non-empty list of: {', '.join(choices)}"
        if choices is not None
        else "a non-empty list of non-empty strings"
    )
    # One value where a list is meant (group_by="project_id") is that one value.
    given = (value,) if isinstance(value, str) else value
    if isinstance(given, bytes) or not isinstance(given, Sequence | set | frozenset):
        raise InvalidParameterError(param, value, allowed)
    items = tuple(given)
    if not items:
        raise InvalidParameterError(param, value, allowed)
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise InvalidParameterError(param, value, allowed)
        if choices is not None and item not in choices:
            raise InvalidParameterError(param, item, allowed)
    return tuple(dict.fromkeys(items))  # keep order, drop repeats


def _check_range(values: Mapping[str, Any], start: int, end: int | None, now: float) -> None:
    """Refuse an empty or future range, naming the time the user got wrong, in ISO and seconds.

    A start in the future is reported as such even when an end after it was given (the
    CLI passes "now" as the default end): blaming an ``end_time`` the user never typed
    would send them to fix the wrong value.
    """
    given = values["start_time"]
    if start > now and (end is None or end <= start):
        raise InvalidParameterError(
            "start_time",
            given,
            f"{describe(start)} is in the future (now is {describe(int(now))}); "
            "pass a start in the past",
        )
    if end is not None and end <= start:
        raise InvalidParameterError(
            "end_time",
            values["end_time"],
            f"{describe(end)} must be a time after start_time={given!r} ({describe(start)})",
        )
    if end is None and start >= now:
        raise InvalidParameterError(
            "start_time", given, f"{describe(start)} is now: pass a start in the past"
        )


def check_concurrency(value: object) -> int:
    """``value`` if it is a valid ``concurrency`` (per client or per call), else refuse it."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 64:
        raise InvalidParameterError("concurrency", value, "an int from 1 to 64")
    return value


def accepted_params(endpoint_name: str) -> frozenset[str]:
    """The keyword arguments an endpoint method takes."""
    return frozenset((*_COMMON, *ENDPOINTS[endpoint_name].filters, "concurrency"))


def build_query(
    endpoint_name: str,
    params: Mapping[str, Any],
    unknown: Mapping[str, Any],
    *,
    concurrency: int | None,
    default_concurrency: int,
    now: Clock = time.time,
) -> Query:
    """Check one call's keyword arguments and turn them into a ``Query``."""
    spec = ENDPOINTS[endpoint_name]
    for name in unknown:
        raise InvalidParameterError(
            name,
            unknown[name],
            f"{endpoint_name}() accepts only: {', '.join(sorted(accepted_params(endpoint_name)))}",
        )
    values = {k: v for k, v in params.items() if v is not None}

    if "start_time" not in values:
        raise InvalidParameterError("start_time", None, "required: the start of the range")
    current = now()
    start = to_unix(values["start_time"], "start_time", now=current)
    end = to_unix(values["end_time"], "end_time", now=current) if "end_time" in values else None
    _check_range(values, start, end, current)

    width = values.get("bucket_width", spec.default_bucket_width)
    if not isinstance(width, str) or width not in spec.limits:
        raise InvalidParameterError(
            "bucket_width", width, f"one of {', '.join(spec.limits)} for {endpoint_name}"
        )
    bounds = spec.limits[width]

    limit = values.get("limit", bounds.maximum)
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise InvalidParameterError("limit", limit, f"an int from 1 to {bounds.maximum}")
    if not bounds.minimum <= limit <= bounds.maximum:
        raise InvalidParameterError(
            "limit",
            limit,
            f"{bounds.minimum} to {bounds.maximum} buckets per page at bucket_width={width!r}",
        )

    group_by: tuple[str, ...] = ()
    if "group_by" in values:
        group_by = _check_strings("group_by", values["group_by"], spec.group_by)

    page = values.get("page")
    if page is not None and (not isinstance(page, str) or not page):
        raise InvalidParameterError("page", page, "a cursor string from a page's next_page")

    filters: dict[str, Any] = {}
    for name, filt in spec.filters.items():
        if name not in values:
            continue
        value = values[name]
        if filt.kind == "bool":
            if not isinstance(value, bool):
                raise InvalidParameterError(name, value, "True or False")
            filters[name] = value
        else:
            filters[name] = list(_check_strings(name, value, filt.choices))

    workers = default_concurrency if concurrency is None else check_concurrency(concurrency)

    return Query(
        endpoint=spec,
        start_time=start,
        end_time=end,
        bucket_width=width,
        limit=limit,
        group_by=group_by,
        page=page,
        concurrency=workers,
        _wire=filters,
    )
