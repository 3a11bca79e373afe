"""Issue 10 items 1, 2, 3 (slot) and 6: pool ownership, every httpx error in the package's
tree, the concurrency slot given back on every path, and hints only where they help."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest
import respx
from _client_helpers import BASE, KEY, bucket, collect, json_response, page
from _sleeps import NO_WAIT

import openai_usage_client as ouc
from openai_usage_client import AsyncUsageClient, OpenAIUsageError, UsageClient
from openai_usage_client._core._streams import AsyncGate, ThreadGate
from openai_usage_client.testing import FakeAPI, Faults, Persistent
from openai_usage_client.testing._faults import FAILURE_KINDS

KINDS = ["sync", "async"]
START = 1759276800  # 2025-10-01T00:00:00Z
COSTS = f"{BASE}/organization/costs"


def GARBAGE_GZIP(request: httpx.Request) -> httpx.Response:
    """A 200 whose body claims gzip and is not: httpx raises DecodingError reading it."""
    return httpx.Response(
        200,
        stream=httpx.ByteStream(b"\x1f\x8b\x08\x00garbage, not gzip"),
        headers={"content-encoding": "gzip"},
    )


# --- item 1: who closes the pool -------------------------------------------------------------


def test_closing_a_with_options_copy_leaves_the_original_working() -> None:
    with respx.mock() as mock:
        mock.get(COSTS).mock(return_value=json_response(page([bucket(START)])))
        client = UsageClient(KEY)
        with client.with_options(max_retries=0) as copy:
            assert len(list(copy.costs(start_time=START))) == 1
        assert not client._http.is_closed
        assert len(list(client.costs(start_time=START))) == 1  # still usable
        client.close()
        assert client._http.is_closed  # it created the pool, so it closes it


def test_closing_an_async_with_options_copy_leaves_the_original_working() -> None:
    async def run() -> None:
        client = AsyncUsageClient(KEY)
        async with client.with_options(timeout=5) as copy:
            assert len([b async for b in copy.costs(start_time=START)]) == 1
        assert not client._http.is_closed
        assert len([b async for b in client.costs(start_time=START)]) == 1
        await client.aclose()
        assert client._http.is_closed

    with respx.mock() as mock:
        mock.get(COSTS).mock(return_value=json_response(page([bucket(START)])))
        asyncio.run(run())


def test_a_client_does_not_close_an_http_client_it_was_given() -> None:
    http = httpx.Client()
    with UsageClient(KEY, http_client=http):
        pass
    assert not http.is_closed
    http.close()

    async def run() -> None:
        ahttp = httpx.AsyncClient()
        async with AsyncUsageClient(KEY, http_client=ahttp):
            pass
        assert not ahttp.is_closed
        await ahttp.aclose()

    asyncio.run(run())


def test_with_options_keeps_the_runtime() -> None:
    client = UsageClient(KEY, _runtime=NO_WAIT)
    assert client.with_options(max_retries=5)._runtime is NO_WAIT


# --- item 2: everything is an OpenAIUsageError ----------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_corrupt_gzip_body_is_a_connection_error_after_retries(kind: str) -> None:
    with respx.mock() as mock:
        route = mock.get(COSTS).mock(side_effect=GARBAGE_GZIP)
        with pytest.raises(OpenAIUsageError) as info:
            collect(kind, lambda c: c.costs(start_time=START), _runtime=NO_WAIT)
    assert type(info.value) is ouc.APIConnectionError
    assert str(info.value).startswith(
        "Connection error: the response body could not be decoded as its headers say "
        "(Error -3 while decompressing data: "
    )
    assert str(info.value).endswith("Nothing was delivered; retry with the same arguments.")
    assert route.call_count == 3  # mangled in transit, like a reset: retried (max_retries=2)
    assert KEY not in str(info.value)


HTTPX_FAILURES: list[Exception] = [
    httpx.DecodingError("bad deflate"),
    httpx.TooManyRedirects("loop"),
    httpx.UnsupportedProtocol("gopher"),
    httpx.LocalProtocolError("bad header"),
    httpx.ProxyError("proxy said no"),
    httpx.StreamConsumed(),
    httpx.ResponseNotRead(),
    httpx.StreamClosed(),
    httpx.InvalidURL("bad url"),
    httpx.CookieConflict("two cookies"),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("failure", HTTPX_FAILURES, ids=lambda e: type(e).__name__)
def test_every_httpx_exception_is_a_package_error(kind: str, failure: Exception) -> None:
    with respx.mock() as mock:
        mock.get(COSTS).mock(side_effect=failure)
        with pytest.raises(OpenAIUsageError) as info:
            collect(kind, lambda c: c.costs(start_time=START), max_retries=1, _runtime=NO_WAIT)
    assert isinstance(info.value, ouc.APIConnectionError)
    assert str(failure) in str(info.value)


def _fault_run(kind: str, fault: str) -> BaseException | None:
    fake = FakeAPI(seed=3, faults=Faults(persistent=(Persistent(fault),)))  # type: ignore[arg-type]
    caught: BaseException | None = None
    try:
        if kind == "sync":
            http = httpx.Client(transport=fake.transport())
            with http, UsageClient(KEY, http_client=http, max_retries=1, _runtime=NO_WAIT) as c:
                list(c.costs(start_time=START, end_time=START + 40 * 86400))
        else:

            async def run() -> None:
                http = httpx.AsyncClient(transport=fake.transport())
                client = AsyncUsageClient(KEY, http_client=http, max_retries=1, _runtime=NO_WAIT)
                async with http, client:
                    [b async for b in client.costs(start_time=START, end_time=START + 40 * 86400)]

            asyncio.run(run())
    except OpenAIUsageError as error:
        caught = error
    return caught


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fault", FAILURE_KINDS)
def test_catching_openai_usage_error_catches_every_fault_the_fake_injects(
    kind: str, fault: str
) -> None:
    error = _fault_run(kind, fault)  # anything else escapes and fails the test
    assert isinstance(error, ouc.APIError), fault
    assert error.resume_start_time == START


# --- item 3 (first half): the slot comes back on every path ----------------------------------


def _query(client: Any) -> Any:
    return client.costs(start_time=START).query


def test_sync_fetch_gives_the_slot_back_when_the_body_cannot_be_decoded() -> None:
    gate = ThreadGate(1)
    with respx.mock() as mock, UsageClient(KEY, _runtime=NO_WAIT) as client:
        mock.get(COSTS).mock(side_effect=GARBAGE_GZIP)
        with pytest.raises(ouc.APIConnectionError):
            client._fetch(_query(client), None, gate)
        mock.get(COSTS).mock(side_effect=httpx.StreamConsumed())
        with pytest.raises(ouc.APIConnectionError):
            client._fetch(_query(client), None, gate)
    assert gate.aimd.in_flight == 0
    assert gate.aimd.can_start()


def test_sync_fetch_gives_the_slot_back_when_anything_escapes() -> None:
    gate = ThreadGate(1)

    class Boom(Exception):
        pass

    with respx.mock() as mock, UsageClient(KEY, _runtime=NO_WAIT) as client:
        mock.get(COSTS).mock(side_effect=Boom)
        with pytest.raises(Boom):
            client._fetch(_query(client), None, gate)
    assert gate.aimd.in_flight == 0


def test_async_fetch_gives_the_slot_back_when_the_body_cannot_be_decoded() -> None:
    async def run() -> AsyncGate:
        gate = AsyncGate(1)
        async with AsyncUsageClient(KEY, _runtime=NO_WAIT) as client:
            with pytest.raises(ouc.APIConnectionError):
                await client._fetch(_query(client), None, gate)
        return gate

    with respx.mock() as mock:
        mock.get(COSTS).mock(side_effect=GARBAGE_GZIP)
        gate = asyncio.run(run())
    assert gate.aimd.in_flight == 0


# --- item 6: no "retry" hint where no retry can help -----------------------------------------


def _error(status: int, message: str = "nope") -> httpx.Response:
    return json_response({"error": {"message": message, "type": "invalid_request_error"}}, status)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_errors_no_retry_can_fix_do_not_suggest_retrying(kind: str, status: int) -> None:
    with respx.mock() as mock:
        mock.get(COSTS).mock(return_value=_error(status))
        with pytest.raises(ouc.APIStatusError) as info:
            collect(kind, lambda c: c.costs(start_time=START), _runtime=NO_WAIT)
    text = str(info.value)
    assert text.endswith("Nothing was delivered."), text
    assert "retry" not in text.lower()
    assert "Resume with" not in text
    assert info.value.resume_start_time == START  # still told, for code that wants it


@pytest.mark.parametrize("kind", KINDS)
def test_a_client_error_mid_stream_says_where_it_stopped_without_resume_advice(kind: str) -> None:
    with respx.mock() as mock:
        mock.get(COSTS).mock(
            side_effect=[json_response(page([bucket(START)], next_page="c1")), _error(404)]
        )
        with pytest.raises(ouc.NotFoundError) as info:
            collect(kind, lambda c: c.costs(start_time=START, concurrency=1), _runtime=NO_WAIT)
    text = str(info.value)
    assert "stopped after delivering everything before 2025-10-02T00:00:00Z" in text
    assert "Resume with" not in text
    assert info.value.resume_start_time == START + 86400


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("status", [429, 500, 503])
def test_transient_errors_keep_the_retry_hint(kind: str, status: int) -> None:
    with respx.mock() as mock:
        mock.get(COSTS).mock(return_value=_error(status))
        with pytest.raises(ouc.APIStatusError) as info:
            collect(kind, lambda c: c.costs(start_time=START), max_retries=0, _runtime=NO_WAIT)
    assert str(info.value).endswith("Nothing was delivered; retry with the same arguments.")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("status", [401, 403])
def test_a_key_that_is_not_an_admin_key_is_told_so_first(kind: str, status: int) -> None:
    key = "sk-proj-abcdef0123456789"
    server = f"Incorrect API key provided: {key}."
    with respx.mock() as mock:
        mock.get(COSTS).mock(return_value=_error(status, server))
        with pytest.raises(ouc.APIStatusError) as info:
            collect(kind, lambda c: c.costs(start_time=START), admin_key=key, _runtime=NO_WAIT)
    text = str(info.value)
    assert text.startswith(
        f"Error code: {status} - this key is not an admin key: the Usage and Costs API needs "
        "an admin key (sk-admin-...), not a project or user key. The server said: "
        "Incorrect API key provided: [redacted]."
    ), text
    assert key not in text
    assert "retry" not in text.lower()


def test_an_admin_key_that_gets_401_is_not_called_a_project_key() -> None:
    with respx.mock() as mock:
        mock.get(COSTS).mock(return_value=_error(401, "Invalid key"))
        with pytest.raises(ouc.AuthenticationError) as info:
            collect("sync", lambda c: c.costs(start_time=START), _runtime=NO_WAIT)
    assert str(info.value).startswith("Error code: 401 - Invalid key.")
    assert "not an admin key" not in str(info.value)


def test_no_thread_is_started_by_a_single_window() -> None:
    before = threading.active_count()
    with respx.mock() as mock:
        mock.get(COSTS).mock(return_value=json_response(page([bucket(START)])))
        collect("sync", lambda c: c.costs(start_time=START), _runtime=NO_WAIT)
    assert threading.active_count() == before
