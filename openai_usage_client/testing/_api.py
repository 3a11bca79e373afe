"""``FakeAPI``: the one request handler behind both the httpx transport and the HTTP server."""

from __future__ import annotations

import email.utils
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Final
from urllib.parse import urlencode

from .._core._endpoints import ENDPOINTS, EndpointSpec
from .._core._time import iso
from . import _render
from ._data import LRU, FilterKey, Number, Store, counter_names, injected
from ._directory import _NO_DIRECTORY_SCOPE, USAGE_ONLY_KEY_PREFIX, FakeDirectory, Route
from ._discrepancies import Discrepancy
from ._faults import FailureKind, Faults, QuirkKind, RequestInfo
from ._log import LoggedRequest, RequestLog
from ._org import DEFAULT_NOW, Dim, Organization, hash_hex
from ._params import (
    ApiError,
    Query,
    QueryInput,
    bucket_bounds,
    canonical_query,
    costs_key_refusal,
    costs_user_refusal,
    encode_cursor,
    endpoint_for,
    parse_query,
    query_pairs,
)
from ._settle import DAY, USAGE_LAG, is_settling, settle_costs, settle_usage, usage_settling
from ._wire import ExpectedBucket, FakeResponse, _Attempts, _header, _params_view, _unix

if TYPE_CHECKING:
    import httpx

    from ._transport import FakeTransport

#: The key the demo and tests use. Any key starting with ``sk-admin-`` is accepted.
DEFAULT_ADMIN_KEY: Final = "sk-admin-fake-000000000000"
#: The base URL the in-process transport answers under (any host works).
BASE_URL: Final = "https://api.openai.com/v1"

_NO_KEY: Final = (
    "You didn't provide an API key. You need to provide your API key in an Authorization "
    "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field "
    "(with blank username) if you're accessing the API from your browser and are prompted for "
    "a username. You can obtain an API key from https://platform.openai.com/account/api-keys."
)
_NOT_ADMIN: Final = (
    "You have insufficient permissions for this operation. Missing scopes: api.usage.read. "
    "Check that you have the correct role in your organization or project and (if you're "
    "using a restricted API key) that it has the necessary scopes."
)
_HTML: Final = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
_SERVER_ERRORS: Final = {
    "500": (500, "The server had an error while processing your request. Sorry about that!"),
    "502": (502, "Bad gateway."),
    "503": (503, "The engine is currently overloaded, please try again later."),
}


class FakeAPI:
    """An offline, deterministic OpenAI Usage and Costs API.

    ``seed`` picks the synthetic organization (``fake.org``); ``now`` (Unix seconds or an
    aware datetime; default 2026-11-01T00:00Z) is the default ``end_time`` and the moment
    after which nothing has happened. The clock can be moved later (``fake.now = t`` or
    ``set_now(t)``: a simulated month of daily syncs), or follow a real one: with ``clock``
    (e.g. ``time.time``) ``now`` is read from it on every request, so a long-running fake
    server keeps serving data up to the present. ``faults`` injects failures and quirks;
    ``latency`` is slept (by the transport or server) before each answer; ``money_as_string``
    says whether cost amounts go out as JSON numbers (``"never"``), always as strings
    (``"always"``), or as a seeded mix (``"sometimes"``, the live API's habit).
    ``settle_days`` (default 0: off, so the demo's numbers stay fixed) makes costs settle
    late: the buckets of the last ``settle_days`` days before ``now`` come out lower (and some
    lines missing) and grow to their final values as ``now`` advances, while usage is there
    within the hour (only the last hour's activity still arriving; see ``_settle``);
    ``totals``/``buckets`` always give the final values.
    ``refuse_costs_user_with_project`` answers costs grouped by ``user_id`` together with a
    ``project_id`` grouping or a ``project_ids`` filter with the HTTP 400 some organizations
    get from the live API (``live-api-facts.md`` section 3, item 7); ``refuse_costs_by_key``
    answers any costs grouping with ``api_key_id`` with a 400, as the live API did for every
    affected organization of a public report. ``discrepancies`` bills a few
    lines wrong on purpose, four known days a month (``_discrepancies``; ``discrepancies()``
    lists them), for rehearsing ``openai-usage reconcile``. ``size`` makes the organization
    ``size`` times larger (projects, keys, users, service accounts, vector stores, archived
    projects and deleted keys, each replica as busy as the seeded one, so results per bucket
    grow ``size`` times); ``size=1`` is the seeded organization, byte for byte.
    """

    def __init__(
        self,
        seed: int = 0,
        *,
        size: int = 1,
        now: int | datetime = DEFAULT_NOW,
        clock: Callable[[], float] | None = None,
        faults: Faults | None = None,
        latency: float = 0.0,
        money_as_string: _render.MoneyMode = "sometimes",
        max_cached_days: int | None = None,
        settle_days: int = 0,
        refuse_costs_user_with_project: bool = False,
        refuse_costs_by_key: bool = False,
        discrepancies: bool = False,
        data_lag_days: int = 0,
    ) -> None:
        if money_as_string not in ("never", "sometimes", "always"):
            raise ValueError("money_as_string must be 'never', 'sometimes' or 'always'")
        self.seed = seed
        self._clock = clock
        self._clock_lock = threading.Lock()
        self._now = _unix(clock() if clock is not None else now)
        self.faults = faults or Faults()
        self.latency = latency
        if settle_days < 0:
            raise ValueError("settle_days must be >= 0")
        self.settle_days = settle_days
        #: The data lags the clock: buckets that begin in the last ``data_lag_days`` days
        #: before ``now`` come back empty (a server whose ``Date`` runs ahead of its data).
        #: Set it to 0 to let the data catch up.
        self.data_lag_days = data_lag_days
        self.refuse_costs_user_with_project = refuse_costs_user_with_project
        self.refuse_costs_by_key = refuse_costs_by_key
        self.money_as_string: _render.MoneyMode = money_as_string
        self.org = Organization(seed, size)
        #: How many times the base organization (``Organization``): 1 is the seeded one.
        self.size = size
        self.request_log = RequestLog()
        # The caches hold days and answers of every group: a larger organization keeps fewer
        # of them, so that the fake's memory does not grow with its size (8192 days at 1).
        days = max_cached_days if max_cached_days is not None else max(64, 8192 // size)
        self._store = Store(self.org, self._now, days, discrepancies=discrepancies)
        self._attempts = _Attempts()
        self._results: LRU[tuple[str, int, int, tuple[int, ...], FilterKey], str] = LRU(
            max(2_000, 200_000 // size)
        )
        #: Projects, keys, users, spend limits and alerts (``testing/_directory.py``); replace
        #: it with ``FakeDirectory.sized(...)`` for a large organization.
        self.directory = FakeDirectory.for_org(self.org, self.now)

    # --- the clock ----------------------------------------------------------------------------

    @property
    def now(self) -> int:
        """The fake's "now" (Unix seconds): nothing has happened after it."""
        if self._clock is not None:
            self._move_to(_unix(self._clock()))
        return self._now

    @now.setter
    def now(self, when: int | datetime) -> None:
        self.set_now(when)

    @property
    def clock(self) -> Callable[[], float] | None:
        """The real clock ``now`` follows, or ``None`` when it is fixed."""
        return self._clock

    def set_now(self, when: int | datetime) -> None:
        """Move the clock to ``when`` (forwards or back) and stop following any ``clock``.

        Data generated for days the move touches is dropped and made again on demand, so
        the fake answers exactly as a fake constructed with ``now=when`` would.
        """
        self._clock = None
        self._move_to(_unix(when))

    def _move_to(self, now: int) -> None:
        with self._clock_lock:
            old = self._now
            if now == old:
                return
            self._now = now
            if -(-old // 60) == -(-now // 60):
                # The same minutes have started (activity happens as a minute starts): every
                # cached day and bucket is still right. A real clock moves like this mostly.
                self._store.now = now
                return
            # Only buckets ending after the earlier of the two instants can change.
            since = min(old, now)
            self._store.move_now(now, since=since)
            self._results.discard_where(lambda key: key[2] > since)

    # --- serving ----------------------------------------------------------------------------

    def advance(self, *, days: float = 0, hours: float = 0, seconds: float = 0) -> int:
        """Move the clock forward (a rehearsal's next day: ``fake.advance(days=1)``); returns
        the new ``now``. Costs of the days before it settle as they would have."""
        self.set_now(self.now + int(days * 86_400 + hours * 3_600 + seconds))
        return self.now

    def handle(
        self,
        method: str,
        path: str,
        query: QueryInput = "",
        headers: Mapping[str, str] | None = None,
    ) -> FakeResponse:
        """Answer one request. ``path`` may carry the ``/v1`` prefix; ``query`` is a query
        string, a mapping or ``(name, value)`` pairs. Never raises for a bad request. Every
        answer carries a ``Date`` header from the fake's clock, as a server's does."""
        answer = self._handle(method, path, query, headers)
        answer.headers.setdefault("date", email.utils.formatdate(self.now, usegmt=True))
        if self.clock is None:  # fixed: say so (``doctor`` does not call it a wrong clock)
            answer.headers.setdefault("x-fake-clock-fixed", iso(self.now))
        return answer

    def _handle(
        self,
        method: str,
        path: str,
        query: QueryInput,
        headers: Mapping[str, str] | None,
    ) -> FakeResponse:
        pairs = query_pairs(query)
        if isinstance(query, str | bytes):
            raw = query.decode("ascii", "replace") if isinstance(query, bytes) else query
        else:
            raw = urlencode(pairs)
        sequence = self.request_log.append(LoggedRequest(method, path, raw.lstrip("?")))
        spec = endpoint_for(path)
        request_key = f"{path.removeprefix('/v1')}?{canonical_query(pairs)}"
        attempt = self._attempts.next(request_key)
        rid = {"x-request-id": f"req_{hash_hex(32, self.seed, request_key, attempt)}"}
        if method.upper() != "GET":
            return self._error(ApiError(405, f"Invalid method for URL ({method} {path})."), rid)
        listing = None if spec is not None else FakeDirectory.route(path)
        if spec is None and listing is None:
            return self._error(ApiError(404, f"Invalid URL ({method} {path})"), rid)
        auth = _header(headers, "authorization")
        if not auth or not auth.startswith("Bearer ") or not auth[7:].strip():
            return self._error(ApiError(401, _NO_KEY), rid)
        key = auth[7:].strip()
        if not key.startswith("sk-"):
            shown = f"{key[:3]}*****{key[-4:]}" if len(key) > 8 else "*****"
            message = f"Incorrect API key provided: {shown}."
            return self._error(ApiError(401, message, code="invalid_api_key"), rid)
        if not key.startswith("sk-admin-"):
            return self._error(ApiError(403, _NOT_ADMIN), rid)
        if listing is not None:
            if key.startswith(USAGE_ONLY_KEY_PREFIX):
                return self._error(ApiError(403, _NO_DIRECTORY_SCOPE), rid)
            return self._directory_answer(listing, pairs, request_key, attempt, sequence, rid)
        assert spec is not None
        parsed: Query | ApiError
        try:
            parsed = parse_query(spec, pairs, self.now)
        except ApiError as exc:
            parsed = exc
        if self.refuse_costs_by_key and not isinstance(parsed, ApiError):
            parsed = costs_key_refusal(parsed) or parsed
        if self.refuse_costs_user_with_project and not isinstance(parsed, ApiError):
            parsed = costs_user_refusal(parsed) or parsed
        info = RequestInfo(
            path=path,
            params=_params_view(pairs),
            attempt=attempt,
            sequence=sequence,
            page_start=None if isinstance(parsed, ApiError) else parsed.page_start,
        )
        failure = self.faults.failure(self.seed, request_key, info)
        if failure is not None and failure not in ("timeout", "truncated"):
            return self._failure(failure, rid)
        if isinstance(parsed, ApiError):
            return self._error(parsed, rid)
        quirks = self.faults.quirks(self.seed, request_key, attempt)
        body = self._page(parsed, pairs, quirks)
        headers_out = {"content-type": "application/json", **rid}
        if failure == "truncated":
            return FakeResponse(200, headers_out, body[: len(body) // 2], "truncated")
        if failure == "timeout":
            return FakeResponse(200, headers_out, body, "timeout", self.faults.timeout_delay)
        return FakeResponse(200, headers_out, body)

    def _directory_answer(
        self,
        route: Route,
        pairs: Sequence[tuple[str, str]],
        request_key: str,
        attempt: int,
        sequence: int,
        rid: dict[str, str],
    ) -> FakeResponse:
        # The same fault knobs as usage; no wire quirks (those are usage-page shapes).
        info = RequestInfo(path=request_key.partition("?")[0], params=_params_view(pairs),
                           attempt=attempt, sequence=sequence, page_start=None)  # fmt: skip
        failure = self.faults.failure(self.seed, request_key, info)
        if failure is not None and failure not in ("timeout", "truncated"):
            return self._failure(failure, rid)
        try:
            body = self.directory.answer(route, pairs)
        except ApiError as exc:
            return self._error(exc, rid)
        headers_out = {"content-type": "application/json", **rid}
        if failure == "truncated":
            return FakeResponse(200, headers_out, body[: len(body) // 2], "truncated")
        if failure == "timeout":
            return FakeResponse(200, headers_out, body, "timeout", self.faults.timeout_delay)
        return FakeResponse(200, headers_out, body)

    def _error(self, exc: ApiError, rid: dict[str, str]) -> FakeResponse:
        return FakeResponse(exc.status, {"content-type": "application/json", **rid}, exc.body())

    def _failure(self, kind: FailureKind, rid: dict[str, str]) -> FakeResponse:
        if kind == "reset":
            return FakeResponse(0, dict(rid), b"", "reset")
        if kind == "html":
            headers = {"content-type": "text/html", **rid}
            return FakeResponse(self.faults.html_status, headers, _HTML, "html")
        if kind in ("429", "429_no_retry_after"):
            exc = ApiError(
                429,
                "Rate limit reached for requests. Please try again later.",
                type_="requests",
                code="rate_limit_exceeded",
            )
            response = self._error(exc, rid)
            if kind == "429":
                response.headers["retry-after"] = str(self.faults.retry_after)
            response.fault = kind
            return response
        status, message = _SERVER_ERRORS[kind]
        response = self._error(ApiError(status, message, type_="server_error"), rid)
        response.fault = kind
        return response

    def _page(
        self, q: Query, pairs: Sequence[tuple[str, str]], quirks: frozenset[QuirkKind]
    ) -> bytes:
        bounds, next_start = bucket_bounds(q)
        # Quirks that change results bypass the cache; the others are applied by ``page``.
        shaped = quirks & {"sessions_key", "unknown_field"}
        buckets = []
        behind = self.now - self.data_lag_days * DAY if self.data_lag_days else None
        for lo, hi in bounds:
            if behind is not None and lo >= behind:
                buckets.append((lo, hi, "[]"))  # its data has not caught up yet
                continue
            cache_key = (q.spec.name, lo, hi, q.group, q.filters)
            # Settling figures depend on ``now`` too: never cached.
            fresh = shaped or self._settling(q.spec, hi)
            text = None if fresh else self._results.get(cache_key)
            if text is None:
                epoch = self._store.epoch
                text = self._render(q.spec, lo, hi, q.group, q.filters, shaped)
                if not fresh:
                    self._results.put_if(cache_key, text, self._store.unchanged_since(epoch))
            buckets.append((lo, hi, text))
        if "drop_bucket" in quirks:  # every third bucket of the timeline, silently
            buckets = [b for b in buckets if (b[0] // (b[1] - b[0])) % 3 != 2]
        if "repeat_cursor" in quirks:
            cursor: str | None = encode_cursor(q.page_start, q.signature)
        else:
            cursor = None if next_start is None else encode_cursor(next_start, q.signature)
        return _render.page(buckets, cursor, quirks)

    def _settling(self, spec: EndpointSpec, hi: int) -> bool:
        """Whether a bucket ending at ``hi`` may still change at ``now`` (late settling)."""
        if spec.is_costs:
            return is_settling(hi, self.now, self.settle_days)
        return usage_settling(hi, self.now, self.settle_days)

    def _render(
        self,
        spec: EndpointSpec,
        lo: int,
        hi: int,
        group: tuple[int, ...],
        filters: FilterKey,
        quirks: frozenset[QuirkKind],
    ) -> str:
        store = self._store
        sums = store.day_sums(spec.name, lo, hi)
        if not self._settling(spec, hi):
            pass
        elif spec.is_costs:
            # Each line settles on its own, before any grouping (as the live API's billing
            # lines do): every grouping of one moment then adds up to the same total.
            sums = dict(
                settle_costs(
                    list(sums.items()),
                    seed=self.seed,
                    bucket_start=lo,
                    bucket_end=hi,
                    now=self.now,
                    settle_days=self.settle_days,
                )
            )
        else:
            # Usage is there within the hour: only the last hour's activity is still arriving.
            recent = store.day_sums(spec.name, max(lo, self.now - USAGE_LAG), hi)
            sums = dict(settle_usage(list(sums.items()), recent, seed=self.seed,
                                     bucket_start=lo, now=self.now))  # fmt: skip
        rows = store.grouped(spec.name, sums, group, filters)
        if spec.is_costs:
            return _render.cost_results(
                spec.group_by,
                group,
                rows,
                store.costs.units,
                self.money_as_string,
                self.seed,
                lo,
                quirks,
            )
        return _render.usage_results(
            spec.result_object, counter_names(spec.name), spec.group_by, group, rows, quirks
        )

    # --- ground truth -----------------------------------------------------------------------

    def _query(
        self,
        endpoint: str,
        start_time: int,
        end_time: int | None,
        bucket_width: str | None,
        group_by: Sequence[str],
        filters: Mapping[str, Sequence[str] | bool],
    ) -> Query:
        spec = ENDPOINTS.get(endpoint) or endpoint_for(endpoint)
        if spec is None:
            raise ValueError(f"unknown endpoint {endpoint!r}")
        pairs: list[tuple[str, str]] = [("start_time", str(start_time))]
        if end_time is not None:
            pairs.append(("end_time", str(end_time)))
        if bucket_width is not None:
            pairs.append(("bucket_width", bucket_width))
        pairs += [("group_by", g) for g in group_by]
        for name, value in filters.items():
            if isinstance(value, bool):
                pairs.append((name, "true" if value else "false"))
            else:
                pairs += [(name, v) for v in value]
        try:
            return parse_query(spec, pairs, self.now)
        except ApiError as exc:
            raise ValueError(exc.message) from None

    def _named(
        self, q: Query, group_by: Sequence[str], rows: list[tuple[tuple[Dim, ...], list[Number]]]
    ) -> dict[tuple[Dim, ...], dict[str, Number]]:
        dims = q.spec.group_by
        grouped = [dims[g] for g in q.group]
        order = [grouped.index(g) for g in dict.fromkeys(group_by)]
        names = counter_names(q.spec.name)
        by_line = "line_item" in grouped
        out: dict[tuple[Dim, ...], dict[str, Number]] = {}
        for key, vals in rows:
            counters = dict(zip(names, vals, strict=True))
            if q.spec.is_costs and not by_line:
                del counters["quantity"]
            out[tuple(key[i] for i in order)] = counters
        return out

    def totals(
        self,
        endpoint: str,
        *,
        start_time: int,
        end_time: int | None = None,
        group_by: Sequence[str] = (),
        **filters: Sequence[str] | bool,
    ) -> dict[tuple[Dim, ...], dict[str, Number]]:
        """Exact totals over ``[start_time, end_time)``, straight from the data.

        Keys are tuples of the grouping values in ``group_by`` order (``()`` when ungrouped);
        values map each counter to an int. For costs: ``amount`` (Decimal) and, when grouped by
        ``line_item``, ``quantity``. Filters are the query names: ``project_ids=[...]``,
        ``batch=True``, ... Groups without activity are absent.
        """
        q = self._query(endpoint, start_time, end_time, None, group_by, filters)
        sums = self._store.range_sums(q.spec.name, q.start, q.end)
        return self._named(q, group_by, self._store.grouped(q.spec.name, sums, q.group, q.filters))

    def buckets(
        self,
        endpoint: str,
        *,
        start_time: int,
        end_time: int | None = None,
        bucket_width: str | None = None,
        group_by: Sequence[str] = (),
        **filters: Sequence[str] | bool,
    ) -> list[ExpectedBucket]:
        """Every bucket of the range (no paging), with totals as ``totals`` gives them."""
        q = self._query(endpoint, start_time, end_time, bucket_width, group_by, filters)
        q = Query(q.spec, q.start, q.end, q.width, 1 << 62, q.start, q.group, q.filters, "")
        out = []
        for lo, hi in bucket_bounds(q)[0]:
            rows = self._store.grouped(
                q.spec.name, self._store.day_sums(q.spec.name, lo, hi), q.group, q.filters
            )
            out.append(ExpectedBucket(lo, hi, self._named(q, group_by, rows)))
        return out

    def discrepancies(self, *, start_time: int, end_time: int | None = None) -> list[Discrepancy]:
        """The cost lines billed wrong on purpose in the UTC days of ``[start_time,
        end_time)`` (none unless made with ``discrepancies=True``)."""
        return injected(self._store, start_time, self.now if end_time is None else end_time)

    # --- conveniences -----------------------------------------------------------------------

    def transport(self) -> FakeTransport:
        """An httpx transport serving this fake, usable by ``httpx.Client`` and
        ``httpx.AsyncClient`` alike."""
        from ._transport import FakeTransport

        return FakeTransport(self)

    def async_transport(self) -> FakeTransport:
        """The same as ``transport()`` (the transport implements both interfaces)."""
        return self.transport()

    def client(self, api_key: str | None = DEFAULT_ADMIN_KEY, **kwargs: object) -> httpx.Client:
        """An ``httpx.Client`` on this fake, with ``base_url`` and the admin key set."""
        import httpx

        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        return httpx.Client(
            base_url=BASE_URL,
            transport=self.transport(),
            headers=headers,
            **kwargs,  # type: ignore[arg-type]
        )

    def async_client(
        self, api_key: str | None = DEFAULT_ADMIN_KEY, **kwargs: object
    ) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` on this fake, with ``base_url`` and the admin key set."""
        import httpx

        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        return httpx.AsyncClient(
            base_url=BASE_URL,
            transport=self.transport(),
            headers=headers,
            **kwargs,  # type: ignore[arg-type]
        )


__all__ = [
    "BASE_URL",
    "DEFAULT_ADMIN_KEY",
    "ExpectedBucket",
    "FakeAPI",
    "FakeResponse",
    "LoggedRequest",
    "RequestLog",
]
