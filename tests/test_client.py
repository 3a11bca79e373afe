"""The clients against respx: exact requests, pagination, retries, errors, redaction."""

from __future__ import annotations

import asyncio
import inspect
import logging
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx
from _client_helpers import (
    BASE,
    KEY,
    bucket,
    collect,
    completions_result,
    json_response,
    page,
    whole_page,
)
from _sleeps import Sleeps

import openai_usage_client as ouc
from openai_usage_client._core._endpoints import ENDPOINTS

KINDS = ["sync", "async"]
START = 1759276800  # 2025-10-01T00:00:00Z


def method(client: Any, endpoint: str) -> Any:
    return client.endpoint(endpoint)


# --- exact requests --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_every_endpoint_sends_the_exact_request(kind: str, endpoint: str) -> None:
    spec = ENDPOINTS[endpoint]
    group_by = list(spec.group_by[:2])
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(f"{BASE}{spec.path}").mock(side_effect=whole_page)
        collect(
            kind,
            lambda c: method(c, endpoint)(
                start_time=START,
                end_time=START + 2 * 86400,
                group_by=group_by,
                limit=2,
                project_ids=["proj_a", "proj_b"],
            ),
            organization="org-123",
        )
    assert route.call_count == 1
    request = route.calls[0].request
    expected = (
        f"start_time={START}&bucket_width=1d&limit=2&end_time={START + 2 * 86400}"
        f"&project_ids=proj_a&project_ids=proj_b"
        f"&group_by={group_by[0]}" + (f"&group_by={group_by[1]}" if len(group_by) > 1 else "")
    )
    assert sorted(request.url.query.decode().split("&")) == sorted(expected.split("&"))
    assert request.url.path == "/v1" + spec.path
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["OpenAI-Organization"] == "org-123"
    assert request.headers["User-Agent"] == f"openai-usage-client/{ouc.__version__}"


@pytest.mark.parametrize("kind", KINDS)
def test_filters_are_sent_with_wire_names(kind: str) -> None:
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/organization/usage/images").mock(side_effect=whole_page)
        collect(
            kind,
            lambda c: c.usage.images(
                start_time=START,
                end_time=START + 3600,
                bucket_width="1h",
                sources=["image.edit"],
                sizes=["1024x1024"],
                models=["gpt-image-1"],
                user_ids=["u1"],
                api_key_ids=["k1"],
            ),
        )
    params = route.calls[0].request.url.params
    assert params.get_list("sources") == ["image.edit"]
    assert params.get_list("sizes") == ["1024x1024"]
    assert params.get_list("models") == ["gpt-image-1"]
    assert params.get_list("user_ids") == ["u1"]
    assert params.get_list("api_key_ids") == ["k1"]
    assert params["bucket_width"] == "1h"
    assert params["limit"] == "168"  # no limit given: the biggest page for the width


@pytest.mark.parametrize("kind", KINDS)
def test_batch_is_sent_as_lowercase_bool(kind: str) -> None:
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/organization/usage/completions").mock(side_effect=whole_page)
        collect(
            kind, lambda c: c.usage.completions(start_time=START, end_time=START + 60, batch=False)
        )
    assert route.calls[0].request.url.params["batch"] == "false"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (START, START),
        (float(START) + 0.9, START),
        (datetime(2025, 10, 1, tzinfo=UTC), START),
        (datetime(2025, 10, 1, 2, tzinfo=timezone(timedelta(hours=2))), START),
        (datetime(2025, 10, 1), START),  # naive is UTC
        (date(2025, 10, 1), START),
        ("2025-10-01", START),
        ("2025-10-01T00:00:00Z", START),
        ("2025-10-01T02:00:00+02:00", START),
        (str(START), START),
    ],
)
def test_time_inputs(value: object, expected: int) -> None:
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/organization/costs").mock(side_effect=whole_page)
        collect("sync", lambda c: c.costs(start_time=value, end_time=START + 86400))
    assert route.calls[0].request.url.params["start_time"] == str(expected)


# --- settings ----------------------------------------------------------------------------------


def test_defaults_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", "sk-admin-from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "https://proxy.example.com/v1/")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-env")
    with respx.mock() as mock:
        route = mock.get("https://proxy.example.com/v1/organization/costs").mock(
            side_effect=whole_page
        )
        with ouc.UsageClient() as client:
            assert client.base_url == "https://proxy.example.com/v1"
            assert client.max_retries == 2
            assert client.timeout == httpx.Timeout(60.0, connect=10.0)
            list(client.costs(start_time=START, end_time=START + 86400))
    request = route.calls[0].request
    assert request.headers["Authorization"] == "Bearer sk-admin-from-env"
    assert request.headers["OpenAI-Organization"] == "org-env"


def test_missing_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_ADMIN_KEY", raising=False)
    with pytest.raises(ouc.MissingAdminKeyError, match="OPENAI_ADMIN_KEY"):
        ouc.UsageClient()
    with pytest.raises(ouc.MissingAdminKeyError, match="OPENAI_ADMIN_KEY"):
        ouc.AsyncUsageClient()


def test_with_options_copies_settings() -> None:
    client = ouc.UsageClient(KEY, max_retries=5, timeout=3.0)
    other = client.with_options(max_retries=0, base_url="http://127.0.0.1:9/v1")
    assert (other.max_retries, other.base_url, other.timeout) == (
        0,
        "http://127.0.0.1:9/v1",
        httpx.Timeout(3.0),
    )
    assert (client.max_retries, client.base_url) == (5, BASE)
    client.close()


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/v1", "http://localhost/v1", "http://[::1]:1/v1"]
)
def test_http_is_allowed_to_loopback(url: str) -> None:
    assert ouc.UsageClient(KEY, base_url=url).base_url == url


@pytest.mark.parametrize(
    "url", ["http://example.com/v1", "http://10.0.0.1/v1", "http://api.openai.com/v1"]
)
def test_http_is_refused_elsewhere(url: str) -> None:
    with pytest.raises(ouc.InsecureBaseURLError, match="clear text"):
        ouc.UsageClient(KEY, base_url=url)


# --- pagination -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_follows_cursors_lazily_and_in_order(kind: str) -> None:
    pages = [
        page([bucket(START), bucket(START + 86400)], "c1"),
        page([bucket(START + 2 * 86400, results=[completions_result(7, "gpt-x")])], "c2"),
        page([bucket(START + 3 * 86400)], None),
    ]
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/organization/usage/completions").mock(
            side_effect=[json_response(p) for p in pages]
        )
        buckets = collect(kind, lambda c: c.usage.completions(start_time=START, concurrency=1))
    assert [b.start_time for b in buckets] == [START + i * 86400 for i in range(4)]
    assert [r.input_tokens for r in buckets[2].results] == [7]
    assert buckets[0].start_datetime == datetime(2025, 10, 1, tzinfo=UTC)
    assert buckets[0].end_datetime == datetime(2025, 10, 2, tzinfo=UTC)
    assert [c.request.url.params.get("page") for c in route.calls] == [None, "c1", "c2"]


def test_iteration_is_lazy() -> None:
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/organization/usage/completions").mock(
            side_effect=lambda request: json_response(page([bucket(START)], f"c{len(route.calls)}"))
        )
        with ouc.UsageClient(KEY) as client:
            stream = client.usage.completions(start_time=START)
            assert route.call_count == 0
            it = iter(stream)
            next(it)
            assert route.call_count == 1
            first = stream.first_page()
            assert route.call_count == 2
            assert isinstance(first, ouc.Page)


@pytest.mark.parametrize("kind", KINDS)
def test_null_cursor_ends_even_with_has_more(kind: str) -> None:
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/organization/costs").mock(
            return_value=json_response(page([bucket(START)], None, has_more=True))
        )
        buckets = collect(kind, lambda c: c.costs(start_time=START))
    assert len(buckets) == 1
    assert route.call_count == 1


@pytest.mark.parametrize("kind", KINDS)
def test_repeated_cursor_raises_pagination_error(kind: str) -> None:
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/organization/costs").mock(
            side_effect=[
                json_response(page([bucket(START)], "a")),
                json_response(page([bucket(START + 86400)], "b")),
                json_response(page([bucket(START + 2 * 86400)], "a")),
            ]
        )
        with pytest.raises(ouc.PaginationError) as info:
            collect(kind, lambda c: c.costs(start_time=START, concurrency=1))
    assert route.call_count == 3
    assert info.value.cursor == "a"
    assert info.value.last_cursor == "b"
    # the page that carried the repeated cursor is not delivered: resuming refetches it
    assert info.value.resume_start_time == START + 2 * 86400
    assert "second time" in str(info.value)


# --- errors -----------------------------------------------------------------------------------

STATUS_CASES = [
    (400, ouc.BadRequestError),
    (401, ouc.AuthenticationError),
    (403, ouc.PermissionDeniedError),
    (404, ouc.NotFoundError),
    (409, ouc.ConflictError),
    (422, ouc.UnprocessableEntityError),
    (429, ouc.RateLimitError),
    (500, ouc.InternalServerError),
    (503, ouc.InternalServerError),
    (418, ouc.APIStatusError),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("status", "cls"), STATUS_CASES)
def test_status_maps_to_exception(kind: str, status: int, cls: type[ouc.APIStatusError]) -> None:
    body = {
        "error": {
            "message": "nope",
            "type": "invalid_request_error",
            "param": "limit",
            "code": "bad",
        }
    }
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/organization/costs").mock(
            return_value=json_response(body, status, {"x-request-id": "req_42"})
        )
        with pytest.raises(ouc.APIStatusError) as info:
            collect(kind, lambda c: c.costs(start_time=START), max_retries=0)
    error = info.value
    assert type(error) is cls
    assert (error.status_code, error.request_id, error.type, error.code, error.param) == (
        status,
        "req_42",
        "invalid_request_error",
        "bad",
        "limit",
    )
    assert error.body == body
    assert str(error).startswith(f"Error code: {status} - nope")
    assert route.call_count == 1


def test_permission_denied_hints_at_admin_key() -> None:
    body = {
        "error": {
            "message": "Missing scopes: api.usage.read",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    }
    with respx.mock() as mock:
        mock.get(f"{BASE}/organization/costs").mock(return_value=json_response(body, 403))
        with pytest.raises(ouc.PermissionDeniedError, match="needs an admin key"):
            collect("sync", lambda c: c.costs(start_time=START))


@pytest.mark.parametrize("kind", KINDS)
def test_retry_after_is_honoured_and_the_failed_page_is_resumed(
    kind: str, no_sleep: Sleeps
) -> None:
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/organization/costs").mock(
            side_effect=[
                json_response(page([bucket(START)], "c1")),
                json_response(
                    {"error": {"message": "slow down", "type": "rate_limit"}},
                    429,
                    {"retry-after": "3"},
                ),
                json_response(
                    {"error": {"message": "oops", "type": "server"}}, 502, {"retry-after-ms": "250"}
                ),
                json_response(page([bucket(START + 86400)])),
            ]
        )
        buckets = collect(
            kind, lambda c: c.costs(start_time=START, concurrency=1), _runtime=no_sleep.runtime
        )
    assert [b.start_time for b in buckets] == [START, START + 86400]
    assert no_sleep == [3.0, 0.25]
    assert [c.request.url.params.get("page") for c in route.calls] == [None, "c1", "c1", "c1"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_retry_after_up_to_120_s_is_waited_for_and_a_longer_one_fails_at_once(
    kind: str, no_sleep: Sleeps
) -> None:
    limited = {"error": {"message": "slow down", "type": "rate_limit"}}
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/organization/costs").mock(
            side_effect=[
                json_response(limited, 429, {"retry-after": "120"}),
                json_response(limited, 429, {"retry-after": "121"}),
            ]
        )
        with pytest.raises(ouc.RateLimitError) as info:
            collect(kind, lambda c: c.costs(start_time=START), _runtime=no_sleep.runtime)
    assert no_sleep == [120.0]
    assert route.call_count == 2
    assert str(info.value).startswith(
        "Error code: 429 - slow down (the server asked to retry after 121 s, more than the "
        "120 s this client waits: not retried)"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_backoff_without_retry_after(kind: str, no_sleep: Sleeps) -> None:
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/organization/costs").mock(
            return_value=json_response({"error": {"message": "x", "type": "server"}}, 500)
        )
        with pytest.raises(ouc.InternalServerError) as info:
            collect(
                kind, lambda c: c.costs(start_time=START), max_retries=5, _runtime=no_sleep.runtime
            )
    assert route.call_count == 6
    nominal = [0.5, 1.0, 2.0, 4.0, 8.0]
    assert len(no_sleep) == 5
    for slept, base in zip(no_sleep, nominal, strict=True):
        assert base * 0.75 <= slept <= base
    assert info.value.resume_start_time == START
    assert str(info.value).endswith("Nothing was delivered; retry with the same arguments.")


@pytest.mark.parametrize("kind", KINDS)
def test_error_mid_stream_says_where_to_resume(kind: str) -> None:
    with respx.mock() as mock:
        mock.get(f"{BASE}/organization/costs").mock(
            side_effect=[
                json_response(page([bucket(START), bucket(START + 86400)], "c1")),
                httpx.ConnectError("refused"),
            ]
        )
        with pytest.raises(ouc.APIConnectionError) as info:
            collect(kind, lambda c: c.costs(start_time=START, concurrency=1), max_retries=0)
    resume = START + 2 * 86400
    assert info.value.resume_start_time == resume
    assert info.value.last_cursor is None  # the first page was fetched without a cursor
    assert str(info.value) == (
        "Connection error: refused. The stream stopped after delivering everything before "
        f"2025-10-03T00:00:00Z; nothing after it was returned. Resume with costs(start_time="
        f"{resume}, ...) (error.resume_start_time) and the same other arguments."
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_are_not_retried(kind: str, status: int) -> None:
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/organization/costs").mock(
            return_value=json_response({"error": {"message": "x", "type": "t"}}, status)
        )
        with pytest.raises(ouc.APIStatusError):
            collect(kind, lambda c: c.costs(start_time=START), max_retries=3)
    assert route.call_count == 1


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
def test_retryable_statuses_use_every_retry(kind: str, status: int, no_sleep: Sleeps) -> None:
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/organization/costs").mock(
            return_value=json_response({"error": {"message": "x", "type": "t"}}, status)
        )
        with pytest.raises(ouc.APIStatusError) as info:
            collect(
                kind, lambda c: c.costs(start_time=START), max_retries=2, _runtime=no_sleep.runtime
            )
    assert route.call_count == 3
    assert info.value.status_code == status


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("failure", "cls"),
    [
        (httpx.ConnectError("refused"), ouc.APIConnectionError),
        (httpx.RemoteProtocolError("reset"), ouc.APIConnectionError),
        (httpx.ReadTimeout("slow"), ouc.APITimeoutError),
        (httpx.ConnectTimeout("slow"), ouc.APITimeoutError),
    ],
)
def test_transport_failures(
    kind: str, failure: Exception, cls: type[Exception], no_sleep: Sleeps
) -> None:
    with respx.mock() as mock:
        route = mock.get(f"{BASE}/organization/costs").mock(side_effect=failure)
        with pytest.raises(cls) as info:
            collect(
                kind, lambda c: c.costs(start_time=START), max_retries=1, _runtime=no_sleep.runtime
            )
    assert type(info.value) is cls
    assert route.call_count == 2


@pytest.mark.parametrize("kind", KINDS)
def test_transport_failure_then_success(kind: str, no_sleep: Sleeps) -> None:
    with respx.mock() as mock:
        mock.get(f"{BASE}/organization/costs").mock(
            side_effect=[httpx.ConnectError("x"), json_response(page([bucket(START)]))]
        )
        assert (
            len(collect(kind, lambda c: c.costs(start_time=START), _runtime=no_sleep.runtime)) == 1
        )


@pytest.mark.parametrize("kind", KINDS)
def test_malformed_body(kind: str) -> None:
    with respx.mock() as mock:
        mock.get(f"{BASE}/organization/costs").mock(
            return_value=httpx.Response(200, text="<html><body>Bad gateway</body></html>")
        )
        with pytest.raises(ouc.APIResponseValidationError) as info:
            collect(kind, lambda c: c.costs(start_time=START))
    assert info.value.status_code == 200
    assert info.value.excerpt == "<html><body>Bad gateway</body></html>"


def test_money_is_exact() -> None:
    result = {
        "object": "organization.costs.result",
        "amount": {"value": "12.50", "currency": "usd"},
    }
    result2 = {"object": "organization.costs.result", "amount": {"value": 0.06, "currency": "usd"}}
    with respx.mock() as mock:
        mock.get(f"{BASE}/organization/costs").mock(
            return_value=json_response(page([bucket(START, results=[result, result2])]))
        )
        [b] = collect("sync", lambda c: c.costs(start_time=START))
    assert [r.amount.value for r in b.results] == [Decimal("12.50"), Decimal("0.06")]


# --- validation (more cases in test_reliability_*) --------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "kwargs", "param", "fragment"),
    [
        ("costs", {"bucket_width": "1h"}, "bucket_width", "one of 1d for costs"),
        ("completions", {"bucket_width": "1w"}, "bucket_width", "one of 1m, 1h, 1d"),
        (
            "completions",
            {"bucket_width": "1d", "limit": 32},
            "limit",
            "1 to 31 buckets per page at bucket_width='1d'",
        ),
        ("completions", {"bucket_width": "1h", "limit": 169}, "limit", "1 to 168"),
        ("completions", {"bucket_width": "1m", "limit": 1441}, "limit", "1 to 1440"),
        ("costs", {"limit": 181}, "limit", "1 to 180"),
        ("costs", {"limit": 0}, "limit", "1 to 180"),
        (
            "embeddings",
            {"group_by": ["batch"]},
            "group_by",
            "project_id, user_id, api_key_id, model",
        ),
        ("completions", {"group_by": "nope"}, "group_by", "a non-empty list"),
        ("completions", {"end_time": START}, "end_time", "a time after start_time"),
        ("completions", {"project_ids": []}, "project_ids", "a non-empty list"),
        ("completions", {"project_ids": [3]}, "project_ids", "non-empty strings"),
        ("completions", {"batch": "yes"}, "batch", "True or False"),
        ("web_search_calls", {"context_levels": ["huge"]}, "context_levels", "low, medium, high"),
        ("vector_stores", {"models": ["x"]}, "models", "vector_stores() accepts only"),
        ("completions", {"start_time": "yesterday-ish"}, "start_time", "ISO-8601"),
    ],
)
@pytest.mark.parametrize("kind", KINDS)
def test_validation_before_any_request(
    kind: str, endpoint: str, kwargs: dict[str, Any], param: str, fragment: str
) -> None:
    args = {"start_time": START, **kwargs}
    with respx.mock(assert_all_called=False) as mock:
        route = mock.get(url__startswith=BASE)
        with pytest.raises(ouc.InvalidParameterError) as info:
            collect(kind, lambda c: method(c, endpoint)(**args))
    assert route.call_count == 0
    assert info.value.param == param
    assert isinstance(info.value, ValueError)
    assert fragment in str(info.value)


# --- secrets ----------------------------------------------------------------------------------


def test_key_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    body = {
        "error": {"message": f"Incorrect API key provided: {KEY}", "type": "invalid_request_error"}
    }
    caplog.set_level(logging.DEBUG, logger="openai_usage_client")
    client = ouc.UsageClient(KEY)
    with respx.mock() as mock:
        mock.get(f"{BASE}/organization/costs").mock(return_value=json_response(body, 401))
        stream = client.costs(start_time=START)
        with pytest.raises(ouc.AuthenticationError) as info:
            list(stream)
    shown = " ".join(
        [
            repr(client),
            str(client),
            repr(stream),
            repr(client._settings),
            str(info.value),
            repr(info.value),
            repr(info.value.request),
            str(info.value.request.headers),
            caplog.text,
        ]
    )
    assert KEY not in shown
    assert "[redacted]" in str(info.value)
    assert "GET https://api.openai.com/v1/organization/costs" in caplog.text


def test_public_names_are_one_sorted_all() -> None:
    assert ouc.__all__ == sorted(ouc.__all__)
    for name in ouc.__all__:
        getattr(ouc, name)  # every name resolves (they are imported lazily)
    public = {
        n for n in dir(ouc) if not n.startswith("_") and not inspect.ismodule(getattr(ouc, n))
    }
    assert set(ouc.__all__) == public | {"__version__"}


def test_async_stream_supports_pages_and_first_page() -> None:
    async def run() -> tuple[int, int]:
        with respx.mock() as mock:
            mock.get(f"{BASE}/organization/costs").mock(
                side_effect=[
                    json_response(page([bucket(START)], "n")),
                    json_response(page([bucket(START + 86400)])),
                    json_response(page([bucket(START)], "n")),
                ]
            )
            async with ouc.AsyncUsageClient(KEY) as client:
                pages = [p async for p in client.costs(start_time=START, concurrency=1).pages()]
                first = await client.costs(start_time=START).first_page()
                return len(pages), len(first.data)

    assert asyncio.run(run()) == (2, 1)


# --- endpoint by name ------------------------------------------------------------------------


def test_endpoint_by_name_refuses_an_unknown_name_before_any_request() -> None:
    with respx.mock(assert_all_called=False) as mock, ouc.UsageClient(KEY) as client:
        with pytest.raises(ouc.InvalidParameterError) as info:
            client.endpoint("completion")
        assert len(mock.calls) == 0
    assert info.value.param == "endpoint"
    assert str(info.value).startswith(
        "invalid endpoint='completion': one of completions, embeddings, "
    )


@pytest.mark.parametrize("endpoint", ["costs", "completions", "web_search_calls"])
def test_endpoint_by_name_sends_what_the_typed_method_sends(endpoint: str) -> None:
    sent: list[str] = []
    with respx.mock() as mock, ouc.UsageClient(KEY) as client:
        mock.get(url__startswith=BASE).mock(
            side_effect=lambda r: (sent.append(str(r.url)), whole_page(r))[1]
        )
        typed = client.costs if endpoint == "costs" else getattr(client.usage, endpoint)
        list(typed(start_time=START, end_time=START + 86400))
        list(client.endpoint(endpoint)(start_time=START, end_time=START + 86400))
    assert len(sent) == 2
    assert sent[0] == sent[1]
