"""R5: the admin key never shows, and it never travels in clear text to a remote host.

Everything a user or a log can see is captured and searched for a distinctive key:
``repr``/``str`` of clients, settings, streams and errors (including errors whose response
body echoes the key), the errors' attached requests, formatted tracebacks, every log record
at DEBUG (this package's logger and httpx's), and the CLI's output.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import traceback
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from _sleeps import Sleeps

from openai_usage_client import (
    APIError,
    AsyncUsageClient,
    AuthenticationError,
    InsecureBaseURLError,
    OpenAIUsageError,
    UsageClient,
)
from openai_usage_client.testing import FakeAPI, FakeServer

SECRET = "sk-admin-SECRET-1234567890abcdef"
BASE = "https://api.openai.com/v1"
COMPLETIONS = BASE + "/organization/usage/completions"
S = 1_790_812_800
DAY = 86_400
TLS = ssl.create_default_context()


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


def assert_no_secret(*things: Any) -> None:
    for thing in things:
        text = thing if isinstance(thing, str) else f"{thing!r} {thing!s}"
        assert SECRET not in text, f"the admin key leaked in: {text[:300]}"
        assert SECRET[9:] not in text, f"part of the admin key leaked in: {text[:300]}"


def rendered(error: BaseException) -> list[Any]:
    """Everything about an error a user might print or a logger might record."""
    out: list[Any] = [
        error,
        "".join(traceback.format_exception(error)),
        error.args,
    ]
    if isinstance(error, APIError):
        out += [error.message, repr(error.request), str(error.request.headers)]
        out.append(repr(error.request.headers))
        out.append(getattr(error, "excerpt", ""))
    return out


def parsed_fields(error: BaseException) -> list[Any]:
    """The error body as the library parsed it, and the fields it read out of it."""
    return [str(getattr(error, name, "")) for name in ("body", "param", "code", "type")]


def echo(status: int, *, content_type: str = "application/json") -> httpx.Response:
    """A response that echoes the key everywhere a server might."""
    body = (
        '{"error": {"message": "Incorrect API key provided: KEY. You can find your API key '
        'at https://platform.openai.com/account/api-keys.", "type": "invalid_request_error", '
        '"param": "KEY", "code": "invalid_api_key"}}'
    ).replace("KEY", SECRET)
    return httpx.Response(
        status, content=body.encode(), headers={"content-type": content_type, "x-request-id": "r1"}
    )


def test_clients_settings_and_streams_do_not_show_the_key() -> None:
    client = UsageClient(SECRET, http_client=httpx.Client(verify=TLS))
    other = client.with_options(max_retries=5)
    stream = client.usage.completions(start_time=S, end_time=S + DAY)
    costs = client.costs(start_time=S, end_time=S + DAY)
    assert_no_secret(client, other, client._settings, stream, costs, stream.query, vars(stream))
    assert_no_secret(client.base_url, client.organization, client.timeout)
    client.close()

    async def run() -> None:
        async with AsyncUsageClient(SECRET, http_client=httpx.AsyncClient(verify=TLS)) as c:
            s = c.usage.embeddings(start_time=S, end_time=S + DAY)
            assert_no_secret(c, c.with_options(concurrency=2), c._settings, s, s.query)

    asyncio.run(run())


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 500, 503])
def test_status_errors_whose_body_echoes_the_key_do_not_show_it(
    api: respx.MockRouter,
    status: int,
    caplog: pytest.LogCaptureFixture,
    no_sleep: Sleeps,
) -> None:
    caplog.set_level(logging.DEBUG)
    api.get(COMPLETIONS).mock(return_value=echo(status))
    with (
        UsageClient(
            SECRET, max_retries=1, http_client=httpx.Client(verify=TLS), _runtime=no_sleep.runtime
        ) as client,
        pytest.raises(OpenAIUsageError) as info,
    ):
        list(client.usage.completions(start_time=S, end_time=S + DAY))
    error = info.value
    if status == 401:
        assert isinstance(error, AuthenticationError)
    assert "[redacted]" in str(error)  # the server's message is kept, the key is not
    assert_no_secret(*rendered(error))
    assert_no_secret(caplog.text, *(r.getMessage() for r in caplog.records))


@pytest.mark.parametrize("status", [400, 401, 500])
def test_parsed_error_body_of_a_status_error_does_not_show_the_key(
    api: respx.MockRouter, status: int
) -> None:
    """``error.body`` (what a handler logs: ``log.error(err.body)``) and the fields read from
    it (``param``, ``code``, ``type``) are redacted like the message."""
    api.get(COMPLETIONS).mock(return_value=echo(status))
    with (
        UsageClient(SECRET, max_retries=0, http_client=httpx.Client(verify=TLS)) as client,
        pytest.raises(OpenAIUsageError) as info,
    ):
        list(client.usage.completions(start_time=S, end_time=S + DAY))
    assert_no_secret(*parsed_fields(info.value))


@pytest.mark.parametrize(
    "response",
    [
        echo(200),  # valid JSON, not a page
        echo(200, content_type="text/html"),
        httpx.Response(200, content=b"<html>" + SECRET.encode() + b"</html>"),
        httpx.Response(502, content=b"<html><body>bad gateway " + SECRET.encode() + b"</body>"),
    ],
    ids=["json-200", "json-as-html-200", "html-200", "html-502"],
)
def test_malformed_and_html_responses_that_echo_the_key_do_not_show_it(
    api: respx.MockRouter, response: httpx.Response
) -> None:
    api.get(COMPLETIONS).mock(return_value=response)
    with (
        UsageClient(SECRET, max_retries=0, http_client=httpx.Client(verify=TLS)) as client,
        pytest.raises(OpenAIUsageError) as info,
    ):
        list(client.usage.completions(start_time=S, end_time=S + DAY))
    assert_no_secret(*rendered(info.value))


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError(f"cannot connect with Bearer {SECRET}"),
        httpx.ReadTimeout(f"timed out ({SECRET})"),
        httpx.RemoteProtocolError(f"Server disconnected: {SECRET}"),
    ],
    ids=["connect", "timeout", "reset"],
)
def test_transport_errors_that_mention_the_key_do_not_show_it(
    api: respx.MockRouter,
    failure: Exception,
    no_sleep: Sleeps,
) -> None:
    api.get(COMPLETIONS).mock(side_effect=failure)
    with (
        UsageClient(
            SECRET, max_retries=1, http_client=httpx.Client(verify=TLS), _runtime=no_sleep.runtime
        ) as client,
        pytest.raises(OpenAIUsageError) as info,
    ):
        list(client.usage.completions(start_time=S, end_time=S + DAY))
    assert_no_secret(*rendered(info.value))


def test_debug_logs_of_a_whole_backfill_do_not_show_the_key(
    caplog: pytest.LogCaptureFixture,
    no_sleep: Sleeps,
) -> None:
    """Success, retries and failure, at DEBUG, through the real HTTP stack on loopback."""
    from openai_usage_client.testing import Faults, Persistent

    caplog.set_level(logging.DEBUG)  # every logger: ours, httpx, httpcore
    fake = FakeAPI(
        faults=Faults(
            rate_429=0.2, rate_500=0.1, persistent=(Persistent("503", from_time=S + 20 * DAY),)
        )
    )
    with (
        FakeServer(fake) as server,
        UsageClient(
            SECRET, base_url=server.base_url, max_retries=4, _runtime=no_sleep.runtime
        ) as client,
    ):
        got = []
        with pytest.raises(OpenAIUsageError) as info:
            for bucket in client.usage.completions(
                start_time=S - 10 * DAY, end_time=S + 30 * DAY, limit=7, concurrency=1
            ):
                got.append(bucket)
    # Pages of 7 days from S - 10 days: the one starting S + 18 days is the last before the
    # outage (from S + 20 days), so 5 pages = 35 days are delivered.
    assert len(got) == 35
    ours = [r for r in caplog.records if r.name == "openai_usage_client"]
    assert ours, "the client logged nothing at DEBUG"
    assert len(fake.request_log) > 5
    assert_no_secret(caplog.text, *rendered(info.value))
    for record in caplog.records:
        assert_no_secret(record.getMessage(), str(record.args), str(record.__dict__))


def test_cli_output_does_not_show_the_key(
    api: respx.MockRouter,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli = pytest.importorskip("openai_usage_client._cli")
    monkeypatch.setenv("OPENAI_ADMIN_KEY", SECRET)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    api.get(COMPLETIONS).mock(return_value=echo(401))
    argv = ["completions", "--start", "2026-10-01", "--end", "2026-10-02"]
    codes = [cli.main(["-vv", *argv]), cli.main(["-vv", "--debug", *argv])]
    out, err = capsys.readouterr()
    assert codes == [3, 3], err
    assert "401" in err
    assert_no_secret(out, err)


# --- clear text -----------------------------------------------------------------------------

ALLOWED = [
    "http://127.0.0.1:8080/v1",
    "http://localhost/v1",
    "http://[::1]/v1",
    "http://127.0.0.2:9/v1",
    "http://api.localhost/v1",
    "https://example.com/v1",
]
REFUSED = [
    "http://example.com/v1",
    "http://10.0.0.1/v1",
    "http://0.0.0.0/v1",
    "http://api.openai.com/v1",
    "http://127.0.0.1.example.com/v1",
    "http://localhost.example.com/v1",
    "http://127.0.0.1@example.com/v1",
    "HTTP://EXAMPLE.COM/v1",
    "http://[2001:db8::1]/v1",
]


@pytest.mark.parametrize("url", ALLOWED)
def test_https_or_loopback_base_url_is_accepted(url: str) -> None:
    client = UsageClient(SECRET, base_url=url, http_client=httpx.Client(verify=TLS))
    assert client.base_url == url
    client.close()


@pytest.mark.parametrize("url", REFUSED)
def test_clear_text_base_url_to_a_remote_host_is_refused(api: respx.MockRouter, url: str) -> None:
    with pytest.raises(InsecureBaseURLError) as info:
        UsageClient(SECRET, base_url=url)
    assert_no_secret(*rendered(info.value))
    assert api.calls.call_count == 0


def test_clear_text_base_url_from_the_environment_is_refused(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://example.com/v1")
    with pytest.raises(InsecureBaseURLError):
        UsageClient(SECRET)
    assert api.calls.call_count == 0


def test_loopback_over_http_really_works() -> None:
    fake = FakeAPI()
    with (
        FakeServer(fake) as server,
        UsageClient(SECRET, base_url=server.base_url) as client,
    ):
        assert server.base_url.startswith("http://127.0.0.1:")
        buckets = list(client.usage.completions(start_time=S, end_time=S + 3 * DAY))
    assert [b.start_time for b in buckets] == [S, S + DAY, S + 2 * DAY]
    assert len(fake.request_log) == 1
