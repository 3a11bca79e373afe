"""``UsageClient`` and ``AsyncUsageClient``: thin twins over ``_base``.

Everything that is not I/O (settings, checking parameters, retry decisions, error mapping,
cursor bookkeeping) lives in ``_base``, ``_params`` and ``_pagination``; the twins only send
requests and sleep, each in its own way.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Mapping
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any, Final, Self, overload

import httpx
import pydantic

from ._core._client_base import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_RETRIES,
    HTTPX_ERRORS,
    ClientSettings,
    M,
    Outcome,
    Runtime,
    build_request,
    httpx_error,
    judge,
    log_response,
    parse_model,
    parse_page,
    redact_headers,
    server_offset,
)
from ._core._endpoint_methods import Costs, Usage
from ._core._endpoints import ENDPOINTS
from ._core._exceptions import InvalidParameterError, MalformedResponseError, OpenAIUsageError
from ._core._params import Query, accepted_params, build_query
from ._core._requester import Params
from .directory import AsyncDirectoryResources, DirectoryResources

if TYPE_CHECKING:
    from ._core._models import Page
    from ._core._streams import AsyncBucketStream, AsyncGate, BucketStream, ThreadGate

__all__ = ["MAX_RESPONSE_BYTES", "AsyncUsageClient", "UsageClient"]

#: The default ``max_response_bytes``: 512 MiB, far above a page of a large organization.
MAX_RESPONSE_BYTES: Final = 512 * 1024 * 1024

_UNSET: Any = object()

#: Turns a 2xx response into what the caller asked for.
Parse = Callable[[httpx.Response, ClientSettings], Any]


class _ClientBase:
    _settings: ClientSettings
    _http: Any  # httpx.Client or httpx.AsyncClient, set by the twins
    #: Whether this client created ``_http`` and so closes it (see the twins' docstrings).
    _owns_http: bool

    def __init__(
        self,
        admin_key: str | None,
        base_url: str | None,
        organization: str | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        concurrency: int,
        runtime: Runtime | None,
    ) -> None:
        self._settings = ClientSettings.resolve(
            admin_key, base_url, organization, timeout, max_retries, concurrency
        )
        self._runtime = runtime if runtime is not None else Runtime()
        #: The server's clock minus this machine's, from the last answer's ``Date``.
        self._server_offset: float | None = None
        # Jitter only; seeded per client so nothing global is shared between clients.
        self._rng = random.Random()
        #: The most bytes a response may take once decompressed (a gzip body of a few
        #: hundred KB can inflate to gigabytes); past it, a ``MalformedResponseError``.
        #: Settable: ``client.max_response_bytes = 2 * 1024**3``.
        self.max_response_bytes: int = MAX_RESPONSE_BYTES

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def organization(self) -> str | None:
        return self._settings.organization

    @property
    def timeout(self) -> httpx.Timeout:
        return self._settings.timeout

    @property
    def max_retries(self) -> int:
        return self._settings.max_retries

    def server_time(self) -> int | None:
        """The server's "now" (Unix seconds), from the ``Date`` header of its last answer and
        the time passed since; ``None`` before any answer with one. ``Store.sync`` decides
        what is settled, provisional or not yet happened by it: the API's clock, not this
        machine's, says which buckets exist (a fake server's may be fixed in the past)."""
        if self._server_offset is None:
            return None
        return int(time.time() + self._server_offset)

    def _learn_clock(self, probe: _ClientBase) -> None:
        """Keep the server clock a probe (a copy that sent one light request) learned."""
        found = probe.server_time()
        if found is not None:
            self._server_offset = found - time.time()

    def _now(self) -> int:
        found = self.server_time()
        return int(time.time()) if found is None else found

    @property
    def concurrency(self) -> int:
        return self._settings.concurrency

    def __repr__(self) -> str:
        return f"<{type(self).__name__} base_url={self.base_url!r} max_retries={self.max_retries}>"

    def _query(self, endpoint: str, params: Mapping[str, Any]) -> Query:
        accepted = accepted_params(endpoint)
        known = {k: v for k, v in params.items() if k in accepted}
        unknown = {k: v for k, v in params.items() if k not in accepted}
        concurrency = known.pop("concurrency", None)
        return build_query(
            endpoint,
            known,
            unknown,
            concurrency=concurrency,
            default_concurrency=self._settings.concurrency,
            now=self._runtime.clock,
        )

    def _stream(self, endpoint: str, params: Mapping[str, Any]) -> Any:
        raise NotImplementedError  # each twin returns its own kind of stream

    def endpoint(self, name: str) -> Callable[..., Any]:
        """The method for endpoint ``name`` (``"costs"``, ``"completions"``, ...), by name.

        For code that picks the endpoint at run time (the CLI, the report, a loop over
        kinds); ``client.endpoint("costs")(start_time=...)`` is ``client.costs(start_time=...)``.
        Its parameters are checked at run time exactly as the typed methods' are.
        """
        if name not in ENDPOINTS:
            raise InvalidParameterError("endpoint", name, "one of " + ", ".join(ENDPOINTS))

        def call(**params: Any) -> Any:
            return self._stream(name, params)

        call.__name__ = name
        return call

    def with_options(
        self,
        *,
        admin_key: str | None = _UNSET,
        base_url: str | None = _UNSET,
        organization: str | None = _UNSET,
        timeout: float | httpx.Timeout | None = _UNSET,
        max_retries: int = _UNSET,
        concurrency: int = _UNSET,
    ) -> Self:
        """A copy with other settings, sharing this client's connection pool.

        The copy never closes the pool (closing it, or leaving its ``with`` block, leaves
        this client working); the pool is closed by whoever owns it.
        """
        s = self._settings
        options: dict[str, Any] = {
            "admin_key": s.admin_key if admin_key is _UNSET else admin_key,
            "base_url": s.base_url if base_url is _UNSET else base_url,
            "organization": s.organization if organization is _UNSET else organization,
            "timeout": s.timeout if timeout is _UNSET else timeout,
            "max_retries": s.max_retries if max_retries is _UNSET else max_retries,
            "concurrency": s.concurrency if concurrency is _UNSET else concurrency,
        }
        # Each twin's __init__ takes http_client of its own kind; this one is of that kind.
        twin: Any = type(self)
        copy: Self = twin(**options, http_client=self._http, _runtime=self._runtime)
        copy.max_response_bytes = self.max_response_bytes
        return copy


def _clock_probe() -> dict[str, int]:
    """The light request ``server_now`` sends: yesterday's costs, one bucket. One try, no
    retries: any answer (a 400 too: a server whose clock is behind ours refuses a start after
    its now) carries a ``Date``, all it is for; a failure leaves this machine's clock, and the
    real requests then report it."""
    moment = int(time.time())
    return {"start_time": moment - moment % 86_400 - 86_400, "limit": 1}


class UsageClient(_ClientBase, DirectoryResources):
    """The synchronous client.

    ``admin_key`` defaults to ``OPENAI_ADMIN_KEY``, ``base_url`` to ``OPENAI_BASE_URL`` (else
    ``https://api.openai.com/v1``), ``organization`` to ``OPENAI_ORG_ID``. ``http_client`` lets
    you bring your own ``httpx.Client`` (proxies, transports, the offline fake).

    A client closes only the ``httpx.Client`` it created: one passed as ``http_client`` stays
    yours, open after ``close()``, for you to close (it may serve other code too). Copies
    made by ``with_options`` share the pool and never close it.
    """

    def __init__(
        self,
        admin_key: str | None = None,
        *,
        base_url: str | None = None,
        organization: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        concurrency: int = DEFAULT_CONCURRENCY,
        http_client: httpx.Client | None = None,
        _runtime: Runtime | None = None,
    ) -> None:
        super().__init__(
            admin_key, base_url, organization, timeout, max_retries, concurrency, _runtime
        )
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.Client()
        self.usage: Usage[BucketStream] = Usage(self._stream)
        self.costs: Costs[BucketStream] = Costs(self._stream)

    def close(self) -> None:
        """Close the connection pool, if this client created it (see the class docstring)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _stream(self, endpoint: str, params: Mapping[str, Any]) -> BucketStream:
        # Imported on the first call: importing the client stays cheap (bench P5).
        from ._core._streams import BucketStream

        return BucketStream(self._fetch, self._query(endpoint, params), self.server_time)

    def _fetch(self, query: Query, cursor: str | None, gate: ThreadGate | None) -> Page:
        page: Page = self._send(query.request_kwargs(cursor), gate, parse_page)
        return page

    def server_now(self) -> int:
        """The server's "now": ``server_time()`` once it answered, else after one light
        request (a day of costs, one bucket) whose ``Date`` says it; this machine's clock
        when the server sends no ``Date``. What a report's default period is measured from
        against a server whose clock is not this machine's (a fake server fixed in the past)."""
        if self.server_time() is None:
            probe = self.with_options(max_retries=0)
            with contextlib.suppress(OpenAIUsageError):
                probe.get("/organization/costs", params=_clock_probe(), cast_to=httpx.Response)
            self._learn_clock(probe)
        return self._now()

    @overload
    def get(self, path: str, *, cast_to: type[M], params: Params = None) -> M: ...
    @overload
    def get(
        self, path: str, *, cast_to: type[httpx.Response], params: Params = None
    ) -> httpx.Response: ...
    def get(self, path: str, *, cast_to: type[Any], params: Params = None) -> Any:
        """``GET base_url + path``, with the retries, errors and redaction of every call.

        ``cast_to`` is a pydantic model the body is validated into, or ``httpx.Response``
        for the response itself (its headers, say), as in the official ``openai`` SDK.
        """
        return self._send({"url": path, "params": params}, None, _parser(cast_to))

    def _send(self, kwargs: Mapping[str, Any], gate: ThreadGate | None, parse: Parse) -> Any:
        request = build_request(self._http, self._settings, kwargs)
        attempt = 0
        while True:
            attempt += 1
            outcome: Outcome | None = None
            if gate is not None:
                gate.acquire()
            try:
                outcome = self._attempt(request, attempt)
            finally:
                # Every path gives the slot back: a page, an error, an escaping exception.
                if gate is not None:
                    gate.release(throttled=outcome is not None and outcome.throttled)
            if outcome.success is not None:
                return parse(outcome.success, self._settings)
            if outcome.error is not None:
                raise outcome.error
            assert outcome.delay is not None
            self._runtime.sleep(outcome.delay)

    def _attempt(self, request: httpx.Request, attempt: int) -> Outcome:
        response: httpx.Response | None = None
        failure: Exception | None = None
        began = time.monotonic()
        try:
            response = _read(self._http, request, self.max_response_bytes)
            redact_headers(response, self._settings)
            log_response(response, time.monotonic() - began, attempt)
            offset = server_offset(response)
            if offset is not None:
                self._server_offset = offset
        except (httpx.TransportError, httpx.DecodingError) as error:
            failure = error
        except HTTPX_ERRORS as error:
            raise httpx_error(error, request, self._settings) from None
        return judge(response, failure, request, attempt, self._settings, self._rng)


def _read(http: httpx.Client, request: httpx.Request, limit: int) -> httpx.Response:
    """Send and read a response, at most ``limit`` bytes once decompressed (a small gzip body
    can inflate to gigabytes), closing it if the read fails or stops part-way."""
    response = http.send(request, stream=True)
    try:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise _too_large(request, limit)
            chunks.append(chunk)
        response._content = b"".join(chunks)  # what Response.read() keeps
    except BaseException:
        response.close()
        raise
    response.close()
    return response


def _too_large(request: httpx.Request, limit: int) -> MalformedResponseError:
    return MalformedResponseError(
        f"The response to {request.url.path} grew past {limit:,} bytes once decompressed "
        "(max_response_bytes); stopping rather than filling the memory."
    )


class AsyncUsageClient(_ClientBase, AsyncDirectoryResources):
    """The asynchronous twin of ``UsageClient``: ``async for bucket in client.usage.x(...)``.

    Same arguments; ``http_client`` is an ``httpx.AsyncClient``, and as with ``UsageClient``
    the client closes only a pool it created itself.
    """

    def __init__(
        self,
        admin_key: str | None = None,
        *,
        base_url: str | None = None,
        organization: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        concurrency: int = DEFAULT_CONCURRENCY,
        http_client: httpx.AsyncClient | None = None,
        _runtime: Runtime | None = None,
    ) -> None:
        super().__init__(
            admin_key, base_url, organization, timeout, max_retries, concurrency, _runtime
        )
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient()
        self.usage: Usage[AsyncBucketStream] = Usage(self._stream)
        self.costs: Costs[AsyncBucketStream] = Costs(self._stream)

    async def aclose(self) -> None:
        """Close the connection pool, if this client created it (see ``UsageClient``)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def _stream(self, endpoint: str, params: Mapping[str, Any]) -> AsyncBucketStream:
        from ._core._streams import AsyncBucketStream

        return AsyncBucketStream(self._fetch, self._query(endpoint, params), self.server_time)

    async def _fetch(self, query: Query, cursor: str | None, gate: AsyncGate | None) -> Page:
        page: Page = await self._send(query.request_kwargs(cursor), gate, parse_page)
        return page

    async def server_now(self) -> int:
        """``UsageClient.server_now``: the server's "now", after one light request when it
        has not answered yet."""
        if self.server_time() is None:
            probe = self.with_options(max_retries=0)
            with contextlib.suppress(OpenAIUsageError):
                await probe.get(
                    "/organization/costs", params=_clock_probe(), cast_to=httpx.Response
                )
            self._learn_clock(probe)
        return self._now()

    @overload
    async def get(self, path: str, *, cast_to: type[M], params: Params = None) -> M: ...
    @overload
    async def get(
        self, path: str, *, cast_to: type[httpx.Response], params: Params = None
    ) -> httpx.Response: ...
    async def get(self, path: str, *, cast_to: type[Any], params: Params = None) -> Any:
        """The asynchronous twin of ``UsageClient.get``."""
        return await self._send({"url": path, "params": params}, None, _parser(cast_to))

    async def _send(self, kwargs: Mapping[str, Any], gate: AsyncGate | None, parse: Parse) -> Any:
        request = build_request(self._http, self._settings, kwargs)
        attempt = 0
        while True:
            attempt += 1
            outcome: Outcome | None = None
            if gate is not None:
                await gate.acquire()
            try:
                outcome = await self._attempt(request, attempt)
            finally:
                if gate is not None:
                    # Shielded: a cancellation (a stream closed with requests in flight)
                    # must not stop the slot from being given back.
                    release = gate.release(throttled=outcome is not None and outcome.throttled)
                    await _asyncio().shield(release)
            if outcome.success is not None:
                return parse(outcome.success, self._settings)
            if outcome.error is not None:
                raise outcome.error
            assert outcome.delay is not None
            await self._runtime.async_sleep(outcome.delay)

    async def _attempt(self, request: httpx.Request, attempt: int) -> Outcome:
        response: httpx.Response | None = None
        failure: Exception | None = None
        began = time.monotonic()
        try:
            response = await _aread(self._http, request, self.max_response_bytes)
            redact_headers(response, self._settings)
            log_response(response, time.monotonic() - began, attempt)
            offset = server_offset(response)
            if offset is not None:
                self._server_offset = offset
        except (httpx.TransportError, httpx.DecodingError) as error:
            failure = error
        except HTTPX_ERRORS as error:
            raise httpx_error(error, request, self._settings) from None
        return judge(response, failure, request, attempt, self._settings, self._rng)


def _asyncio() -> ModuleType:
    """asyncio, imported when the async client first needs it (the sync one never does)."""
    import asyncio

    return asyncio


def _parser(cast_to: type[Any]) -> Parse:
    if cast_to is httpx.Response:
        return lambda response, settings: response
    if isinstance(cast_to, type) and issubclass(cast_to, pydantic.BaseModel):
        model: type[pydantic.BaseModel] = cast_to
        return lambda response, settings: parse_model(response, settings, model)
    raise InvalidParameterError("cast_to", cast_to, "a pydantic model class or httpx.Response")


async def _aread(http: httpx.AsyncClient, request: httpx.Request, limit: int) -> httpx.Response:
    """Send and read a response, and give its connection back even when cancelled.

    httpx closes a response (releasing its pooled connection) at the end of ``aread``. A
    cancellation landing inside that release (a stream closed with requests in flight)
    would leave the connection checked out for good. So the body read, release included,
    is shielded; if cancelled, it is awaited to the end (the body is already arriving, and
    each read is bounded by the read timeout) before the cancellation goes on.
    """
    response = await http.send(request, stream=True)
    asyncio = _asyncio()

    async def bounded() -> None:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                await response.aclose()
                raise _too_large(request, limit)
            chunks.append(chunk)
        response._content = b"".join(chunks)
        await response.aclose()

    reading = asyncio.ensure_future(bounded())
    try:
        await asyncio.shield(reading)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await reading
        raise
    except BaseException:
        await response.aclose()
        raise
    return response
