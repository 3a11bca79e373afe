"""Parsing and validating query parameters, the way the live API refuses bad ones.

Arrays are accepted both as ``group_by=a&group_by=b`` (the OpenAPI default, OpenAI's
cookbook) and as ``group_by[]=a&group_by[]=b`` (the official Python SDK). Anything the
endpoint does not know is a 400 naming the parameter, so a client that sends a filter to the
wrong endpoint finds out in tests.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qsl

from .._core._endpoints import ENDPOINTS, EndpointSpec
from .._generated.endpoints import WIDTH_SECONDS
from ._data import FilterKey
from ._org import Dim

_SCALARS: Final = frozenset({"start_time", "end_time", "bucket_width", "limit", "page"})
_PATHS: Final = {spec.path: spec for spec in ENDPOINTS.values()}

#: A query string (``bytes`` too), a mapping of names to a value or a list of values, or pairs.
QueryInput = str | bytes | Mapping[str, object] | Sequence[tuple[str, str]]


class ApiError(Exception):
    """An error answer: status and the API's ``{"error": {...}}`` body."""

    def __init__(
        self,
        status: int,
        message: str,
        param: str | None = None,
        type_: str = "invalid_request_error",
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.type = type_
        self.code = code

    def body(self) -> bytes:
        error = {"message": self.message, "type": self.type, "param": self.param}
        return json.dumps({"error": {**error, "code": self.code}}, indent=2).encode()


def query_pairs(query: QueryInput) -> list[tuple[str, str]]:
    """Normalise any accepted query form to ``(name, value)`` pairs, ``[]`` suffixes removed."""
    if isinstance(query, bytes):
        query = query.decode("ascii", "replace")
    if isinstance(query, str):
        raw = parse_qsl(query.lstrip("?"), keep_blank_values=True)
    elif isinstance(query, Mapping):
        raw = []
        for k, v in query.items():
            if isinstance(v, bool):
                raw.append((k, "true" if v else "false"))
            elif isinstance(v, list | tuple | set | frozenset):
                raw.extend((k, str(x)) for x in v)
            else:
                raw.append((k, str(v)))
    else:
        raw = [(str(k), str(v)) for k, v in query]
    return [(k[:-2] if k.endswith("[]") else k, v) for k, v in raw]


def canonical_query(pairs: Sequence[tuple[str, str]]) -> str:
    """A stable text for a query: the same request, however its arrays were spelled."""
    return "&".join(f"{k}={v}" for k, v in sorted(pairs, key=lambda kv: kv[0]))


def endpoint_for(path: str) -> EndpointSpec | None:
    if path.startswith("/v1/"):
        path = path[3:]
    return _PATHS.get(path.rstrip("/"))


@dataclass(frozen=True, slots=True)
class Query:
    """A validated request for one page."""

    spec: EndpointSpec
    start: int
    end: int
    width: int
    limit: int
    #: Start of the first bucket of this page (``start``, or where the cursor points).
    page_start: int
    #: Grouping dimension indices, in the endpoint's ``group_by`` order.
    group: tuple[int, ...]
    filters: FilterKey
    #: Identifies the query apart from paging, so a cursor can't be replayed on another one.
    signature: str


def _int(name: str, text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ApiError(400, f"Invalid type for '{name}': expected an integer.", name) from None
    if value < 0:
        raise ApiError(400, f"Invalid '{name}': must be a non-negative integer.", name)
    return value


def _cursor_sig(spec: EndpointSpec, pairs: Sequence[tuple[str, str]]) -> str:
    kept = [(k, v) for k, v in pairs if k not in ("page", "limit")]
    text = spec.name + "?" + canonical_query(kept)
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def encode_cursor(start: int, signature: str) -> str:
    raw = f"{start}:{signature}".encode()
    return "page_" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, signature: str) -> int:
    try:
        if not cursor.startswith("page_"):
            raise ValueError
        body = cursor[5:]
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
        start_text, sig = raw.split(":")
        if sig != signature:
            raise ValueError
        return int(start_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, "Invalid 'page': not a cursor this query returned.", "page") from None


def parse_query(spec: EndpointSpec, pairs: Sequence[tuple[str, str]], now: int) -> Query:
    """Validate ``pairs`` for ``spec``; raise ``ApiError`` (400) on the first problem."""
    scalars: dict[str, str] = {}
    arrays: dict[str, list[str]] = {}
    allowed_arrays = {"group_by", *(n for n, f in spec.filters.items() if f.kind == "list")}
    bools = {n for n, f in spec.filters.items() if f.kind == "bool"}
    for k, v in pairs:
        if k in _SCALARS or k in bools:
            scalars[k] = v
        elif k in allowed_arrays:
            arrays.setdefault(k, []).append(v)
        else:
            raise ApiError(400, f"Unrecognized request argument supplied: {k}", k)
    if "start_time" not in scalars:
        raise ApiError(400, "Missing required parameter: 'start_time'.", "start_time")
    start = _int("start_time", scalars["start_time"])
    end = _int("end_time", scalars["end_time"]) if "end_time" in scalars else now
    if end <= start:
        raise ApiError(400, "Invalid 'end_time': must be later than 'start_time'.", "end_time")
    width_name = scalars.get("bucket_width", spec.default_bucket_width)
    if width_name not in spec.limits:
        allowed = ", ".join(f"'{w}'" for w in spec.limits)
        raise ApiError(
            400, f"Invalid value for 'bucket_width': expected one of {allowed}.", "bucket_width"
        )
    bounds = spec.limits[width_name]
    if "limit" in scalars:
        try:
            limit = int(scalars["limit"])
        except ValueError:
            raise ApiError(400, "Invalid type for 'limit': expected an integer.", "limit") from None
        if not bounds.minimum <= limit <= bounds.maximum:
            raise ApiError(
                400,
                f"Invalid value for 'limit': must be between {bounds.minimum} and "
                f"{bounds.maximum} for bucket_width '{width_name}'.",
                "limit",
            )
    else:
        limit = bounds.default
    dims = spec.group_by
    group_names = arrays.get("group_by", [])
    for g in group_names:
        if g not in dims:
            raise ApiError(
                400,
                f"Invalid value for 'group_by': '{g}'. Supported values are: {', '.join(dims)}.",
                "group_by",
            )
    group = tuple(i for i, d in enumerate(dims) if d in group_names)
    filters: list[tuple[int, frozenset[Dim]]] = []
    for name, values in arrays.items():
        if name == "group_by":
            continue
        choices = spec.filters[name].choices
        for v in values:
            if choices is not None and v not in choices:
                raise ApiError(
                    400,
                    f"Invalid value for '{name}': '{v}'. Supported values are: "
                    f"{', '.join(choices)}.",
                    name,
                )
        filters.append((dims.index(name[:-1]), frozenset(values)))
    for name in bools & scalars.keys():
        text = scalars[name].lower()
        if text not in ("true", "false"):
            raise ApiError(400, f"Invalid type for '{name}': expected a boolean.", name)
        filters.append((dims.index(name), frozenset([text == "true"])))
    signature = _cursor_sig(spec, pairs)
    width = WIDTH_SECONDS[width_name]
    page_start = start
    if "page" in scalars:
        page_start = _decode_cursor(scalars["page"], signature)
        if not start <= page_start < end:
            raise ApiError(400, "Invalid 'page': the cursor is outside the range.", "page")
    return Query(
        spec, start, end, width, limit, page_start, group, tuple(sorted(filters)), signature
    )


def bucket_bounds(q: Query) -> tuple[list[tuple[int, int]], int | None]:
    """The buckets of this page, and where the next page starts (``None``: last page).

    Buckets are UTC aligned; the first one of the range is partial when ``start_time`` is not
    aligned, and the last one ends at ``end_time`` when that is not aligned.
    """
    bounds: list[tuple[int, int]] = []
    t, w = q.page_start, q.width
    while t < q.end and len(bounds) < q.limit:
        nxt = min(q.end, (t // w + 1) * w)
        bounds.append((t, nxt))
        t = nxt
    return bounds, (t if t < q.end else None)


#: What an organization that may not group costs by user together with projects answers (our
#: wording: the live API's text is not public; its status and error type are what clients see).
COSTS_USER_REFUSAL: Final = (
    "Grouping costs by 'user_id' is not supported together with 'project_id' grouping or a "
    "'project_ids' filter for this organization."
)


#: What an organization that may not group costs by API key answers: the live API answered
#: every such request of some organizations with HTTP 400 (``live-api-facts.md`` section 3,
#: item 7; its text is not public, so the wording is ours, with the status, type and param).
COSTS_KEY_REFUSAL: Final = "Grouping costs by 'api_key_id' is not supported for this organization."


def costs_key_refusal(q: Query) -> ApiError | None:
    """The 400 any costs query grouped by ``api_key_id`` gets from an organization that
    refuses it (``FakeAPI(refuse_costs_by_key=True)``); ``None`` for any other query."""
    if not q.spec.is_costs:
        return None
    if "api_key_id" in {q.spec.group_by[i] for i in q.group}:
        return ApiError(400, COSTS_KEY_REFUSAL, "group_by")
    return None


def costs_user_refusal(q: Query) -> ApiError | None:
    """The 400 a costs query grouped by ``user_id`` and grouped or filtered by project gets
    from an organization that refuses it (``FakeAPI(refuse_costs_user_with_project=True)``);
    ``None`` for any other query."""
    if not q.spec.is_costs:
        return None
    dims = q.spec.group_by
    grouped = {dims[i] for i in q.group}
    filtered = {dims[i] for i, _ in q.filters}
    if "user_id" in grouped and "project_id" in grouped | filtered:
        return ApiError(400, COSTS_USER_REFUSAL, "group_by")
    return None
