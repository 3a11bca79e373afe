"""R3 malformed responses and R4 endless pagination, with respx standing in for the API.

R3: a 2xx body that is not a page raises ``APIResponseValidationError`` carrying the status
and an excerpt of the body; a non-2xx HTML page raises the ``APIStatusError`` subclass of its
status. Never a bare ``KeyError``/``AttributeError``/``TypeError``, never wrong numbers.

R4: a server that repeats a cursor gets a ``PaginationError`` (with the repeated cursor and
the last good one) after a bounded, exact number of requests; ``has_more: true`` with a null
``next_page`` ends the stream after one request.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import respx
from _sleeps import NO_WAIT, Sleeps

from openai_usage_client import (
    APIError,
    APIResponseValidationError,
    APIStatusError,
    AsyncUsageClient,
    InternalServerError,
    NotFoundError,
    OpenAIUsageError,
    PaginationError,
    UsageClient,
)

KEY = "sk-admin-responses-0000"
BASE = "https://api.openai.com/v1"
COMPLETIONS = BASE + "/organization/usage/completions"
COSTS = BASE + "/organization/costs"
S = 1_790_812_800  # 2026-10-01T00:00:00Z
DAY = 86_400
HOUR = 3_600

OK = {
    "object": "organization.usage.completions.result",
    "input_tokens": 10,
    "output_tokens": 20,
    "num_model_requests": 3,
}


def page(
    results: Any,
    *,
    start: int = S,
    width: int = DAY,
    n: int = 1,
    next_page: str | None = None,
    has_more: bool | None = None,
) -> dict[str, Any]:
    return {
        "object": "page",
        "data": [
            {
                "object": "bucket",
                "start_time": start + i * width,
                "end_time": start + (i + 1) * width,
                "results": results,
            }
            for i in range(n)
        ],
        "has_more": next_page is not None if has_more is None else has_more,
        "next_page": next_page,
    }


def costs_page(value: str) -> bytes:
    """A costs page whose money is the raw JSON text ``value``."""
    result = '{"object":"organization.costs.result","amount":{"value":%s,"currency":"usd"}}'
    return (
        b'{"object":"page","has_more":false,"next_page":null,"data":[{"object":"bucket",'
        b'"start_time":%d,"end_time":%d,"results":[%s]}]}' % (S, S + DAY, (result % value).encode())
    )


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


#: One TLS context for every client (respx answers before TLS is used; building a context per
#: client would cost ~50 ms each).
TLS = ssl.create_default_context()


def fetch(endpoint: str = "completions", **kw: Any) -> list[Any]:
    http = httpx.Client(verify=TLS)
    with http, UsageClient(KEY, max_retries=2, http_client=http, _runtime=NO_WAIT) as client:
        method = client.endpoint(endpoint)
        return list(method(start_time=S, end_time=S + DAY, **kw))


def fetch_async(endpoint: str = "completions", **kw: Any) -> list[Any]:
    async def run() -> list[Any]:
        http = httpx.AsyncClient(verify=TLS)
        client = AsyncUsageClient(KEY, max_retries=2, http_client=http, _runtime=NO_WAIT)
        async with http, client:
            method = client.endpoint(endpoint)
            return [b async for b in method(start_time=S, end_time=S + DAY, **kw)]

    return asyncio.run(run())


FETCHERS: list[Callable[..., list[Any]]] = [fetch, fetch_async]

# --- R3 -------------------------------------------------------------------------------------

HTML = b"<html><head><title>Oops</title></head><body><h1>Something went wrong</h1></body></html>"
TRUNCATED = json.dumps(page([OK])).encode()[:70]

MALFORMED_2XX: list[tuple[str, httpx.Response, str]] = [
    (
        "html 200",
        httpx.Response(200, content=HTML, headers={"content-type": "text/html"}),
        "<html>",
    ),
    ("empty body", httpx.Response(200, content=b""), ""),
    ("truncated json", httpx.Response(200, content=TRUNCATED), TRUNCATED.decode()[:40]),
    ("json null", httpx.Response(200, content=b"null"), "null"),
    ("json list", httpx.Response(200, json=[1, 2, 3]), "[1,2,3]"),
    ("not utf-8", httpx.Response(200, content=b"\xff\xfe\x00garbage"), "garbage"),
    ("input_tokens abc", httpx.Response(200, json=page([{**OK, "input_tokens": "abc"}])), "abc"),
    ("input_tokens fraction", httpx.Response(200, json=page([{**OK, "input_tokens": 1.5}])), "1.5"),
    ("input_tokens bool", httpx.Response(200, json=page([{**OK, "input_tokens": True}])), "true"),
    (
        "input_tokens list",
        httpx.Response(200, json=page([{**OK, "input_tokens": [1]}])),
        "input_tokens",
    ),
    (
        "missing output_tokens",
        httpx.Response(200, json=page([{k: v for k, v in OK.items() if k != "output_tokens"}])),
        "input_tokens",
    ),
    (
        "result without object",
        httpx.Response(200, json=page([{"input_tokens": 1}])),
        "input_tokens",
    ),
    ("object not a string", httpx.Response(200, json=page([{**OK, "object": 5}])), "object"),
    (
        "page without data",
        httpx.Response(200, json={"object": "page", "has_more": False, "next_page": None}),
        "has_more",
    ),
    (
        "data null",
        httpx.Response(200, json={"object": "page", "data": None, "has_more": False}),
        "data",
    ),
    (
        "data a dict",
        httpx.Response(200, json={"object": "page", "data": {}, "has_more": False}),
        "data",
    ),
    ("page without has_more", httpx.Response(200, json={"object": "page", "data": []}), "data"),
    (
        "bucket without results",
        httpx.Response(
            200,
            json={
                "object": "page",
                "has_more": False,
                "data": [{"object": "bucket", "start_time": S, "end_time": S + DAY}],
            },
        ),
        "bucket",
    ),
    ("results a string", httpx.Response(200, json=page("abc")), "abc"),
    (
        "start_time a word",
        httpx.Response(
            200,
            json={
                "object": "page",
                "has_more": False,
                "data": [{"object": "bucket", "start_time": "x", "end_time": S, "results": []}],
            },
        ),
        "start_time",
    ),
    (
        "error body with 200",
        httpx.Response(200, json={"error": {"message": "nope", "type": "server_error"}}),
        "nope",
    ),
    ("202 empty", httpx.Response(202, content=b""), ""),
]

BAD_MONEY = [
    '"abc"',
    '"12,50"',
    '"1_000"',
    '" 12.5"',
    '"12.5 "',
    '"$12.50"',
    '"NaN"',
    '"Infinity"',
    '"-"',
    '""',
    '"١٢"',  # Arabic-Indic digits: Decimal() would take them
    "true",
    "null",
    "[12.5]",
    '{"amount": 12.5}',
    "1e400",
]


@pytest.mark.parametrize("run", FETCHERS, ids=["sync", "async"])
@pytest.mark.parametrize(
    ("response", "excerpt"),
    [m[1:] for m in MALFORMED_2XX],
    ids=[m[0] for m in MALFORMED_2XX],
)
def test_malformed_2xx_raises_validation_error_with_status_and_excerpt(
    api: respx.MockRouter, run: Callable[..., list[Any]], response: httpx.Response, excerpt: str
) -> None:
    route = api.get(COMPLETIONS).mock(return_value=response)
    with pytest.raises(APIResponseValidationError) as info:
        run()
    error = info.value
    assert error.status_code == response.status_code
    assert f"HTTP {response.status_code}" in str(error)
    assert excerpt in error.excerpt
    assert len(error.excerpt) <= 210
    assert error.response is not None and error.request is not None
    # A malformed body is not retried: asking again would get the same body.
    assert route.call_count == 1


@pytest.mark.parametrize("run", FETCHERS, ids=["sync", "async"])
@pytest.mark.parametrize("value", BAD_MONEY)
def test_money_that_is_not_a_decimal_is_refused(
    api: respx.MockRouter, run: Callable[..., list[Any]], value: str
) -> None:
    api.get(COSTS).mock(return_value=httpx.Response(200, content=costs_page(value)))
    with pytest.raises(APIResponseValidationError) as info:
        run("costs")
    assert "amount" in str(info.value)
    assert info.value.status_code == 200


@pytest.mark.parametrize(
    ("status", "error_type", "attempts"),
    [
        (502, InternalServerError, 3),
        (503, InternalServerError, 3),
        (404, NotFoundError, 1),
        (403, APIStatusError, 1),
        (418, APIStatusError, 1),
    ],
)
def test_html_error_page_raises_the_status_error(
    api: respx.MockRouter,
    status: int,
    error_type: type[APIStatusError],
    attempts: int,
    no_sleep: Sleeps,
) -> None:
    body = b"<html><body><center><h1>%d Bad Gateway</h1></center>" % status + b"x" * 500
    route = api.get(COMPLETIONS).mock(
        return_value=httpx.Response(status, content=body, headers={"content-type": "text/html"})
    )
    with pytest.raises(APIStatusError) as info:
        fetch()
    error = info.value
    assert isinstance(error, error_type)
    assert not isinstance(error, APIResponseValidationError)
    assert error.status_code == status
    assert f"Error code: {status}" in str(error)
    assert f"{status} Bad Gateway" in str(error)  # an excerpt of the page, not all of it
    assert len(str(error)) < 600
    assert route.call_count == attempts  # 5xx retried (max_retries=2), 4xx not


def test_never_a_bare_python_error_on_any_truncation_of_a_good_page(
    api: respx.MockRouter,
) -> None:
    """Every prefix of a valid body is refused as malformed, whatever byte it stops at."""
    body = json.dumps(page([OK, {**OK, "model": "gpt-4o"}], n=2)).encode()
    cut = 0

    def respond(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body[:cut])

    api.get(COMPLETIONS).mock(side_effect=respond)
    client = UsageClient(KEY, max_retries=0, http_client=httpx.Client(verify=TLS))
    for cut in range(len(body) - 1):
        try:
            list(client.usage.completions(start_time=S, end_time=S + DAY))
        except APIResponseValidationError:
            continue
        except Exception as exc:  # pragma: no cover - the point of the test
            raise AssertionError(f"prefix of {cut} bytes raised {exc!r}") from exc
        raise AssertionError(f"prefix of {cut} bytes accepted: {body[:cut]!r}")


def test_good_numbers_are_read_exactly(api: respx.MockRouter) -> None:
    """The contrast: well-formed pages are read with exact numbers (no silent change), up
    to the largest count the client takes (2**48: beyond it, test_untrusted_numbers)."""
    big = 2**48
    api.get(COMPLETIONS).mock(
        return_value=httpx.Response(200, json=page([{**OK, "input_tokens": big}]))
    )
    (bucket,) = fetch()
    assert bucket.results[0].input_tokens == big
    assert bucket.results[0].output_tokens == 20


# --- R4 -------------------------------------------------------------------------------------


def cursor_server(script: dict[str | None, tuple[int, str | None]]) -> Callable[..., Any]:
    """A server answering page ``cursor`` with ``(bucket index, next cursor)`` of ``script``."""

    def respond(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("page")
        index, nxt = script[cursor]
        return httpx.Response(
            200, json=page([OK], start=S + index * HOUR, width=HOUR, next_page=nxt)
        )

    return respond


def hourly(client: UsageClient, **kw: Any) -> Any:
    return client.usage.completions(
        start_time=S, end_time=S + DAY, bucket_width="1h", limit=1, concurrency=1, **kw
    )


def test_repeated_cursor_raises_pagination_error_after_exact_request_count(
    api: respx.MockRouter,
) -> None:
    route = api.get(COMPLETIONS).mock(
        side_effect=cursor_server({None: (0, "c1"), "c1": (1, "c2"), "c2": (2, "c1")})
    )
    got: list[Any] = []
    with (
        UsageClient(KEY, http_client=httpx.Client(verify=TLS)) as client,
        pytest.raises(PaginationError) as info,
    ):
        got.extend(hourly(client))
    error = info.value
    assert route.call_count == 3
    assert error.cursor == "c1"  # the cursor the server sent again
    # The last good cursor: the last one followed, whose answer carried the repeat.
    assert error.last_cursor == "c2"
    assert [b.start_time for b in got] == [S, S + HOUR]
    assert error.resume_start_time == S + 2 * HOUR
    assert "'c1'" in str(error) and "loop" in str(error)


def test_cursor_that_points_at_itself_stops_after_two_requests(api: respx.MockRouter) -> None:
    route = api.get(COMPLETIONS).mock(side_effect=cursor_server({None: (0, "c1"), "c1": (1, "c1")}))
    with (
        UsageClient(KEY, http_client=httpx.Client(verify=TLS)) as client,
        pytest.raises(PaginationError) as info,
    ):
        list(hourly(client))
    assert route.call_count == 2
    assert info.value.cursor == "c1"


def test_repeated_cursor_in_a_concurrent_window_keeps_its_cursors(api: respx.MockRouter) -> None:
    """In a windowed (concurrent) fetch the PaginationError still names both cursors."""

    def respond(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params["start_time"])
        cursor = request.url.params.get("page")
        if start == S + 12 * HOUR:  # the second window pages forever on one cursor
            nxt = "loop"
            index = 12 if cursor is None else 13
        else:
            nxt, index = None, (start - S) // HOUR
        n = 1 if start == S + 12 * HOUR else 12
        return httpx.Response(
            200, json=page([OK], start=S + index * HOUR, width=HOUR, n=n, next_page=nxt)
        )

    route = api.get(COMPLETIONS).mock(side_effect=respond)
    with (
        UsageClient(KEY, http_client=httpx.Client(verify=TLS)) as client,
        pytest.raises(PaginationError) as info,
    ):
        list(
            client.usage.completions(
                start_time=S, end_time=S + DAY, bucket_width="1h", limit=12, concurrency=2
            )
        )
    assert info.value.cursor == "loop"
    assert info.value.last_cursor == "loop"
    assert route.call_count == 3


def test_a_bucket_sent_twice_is_not_counted_twice(api: respx.MockRouter) -> None:
    route = api.get(COMPLETIONS).mock(
        side_effect=cursor_server({None: (0, "c1"), "c1": (1, "c2"), "c2": (1, "c3")})
    )
    with (
        UsageClient(KEY, http_client=httpx.Client(verify=TLS)) as client,
        pytest.raises(PaginationError) as info,
    ):
        list(hourly(client))
    assert route.call_count == 3
    assert info.value.resume_start_time == S + 2 * HOUR


@pytest.mark.parametrize("run", FETCHERS, ids=["sync", "async"])
def test_has_more_with_null_cursor_ends_after_one_request(
    api: respx.MockRouter, run: Callable[..., list[Any]]
) -> None:
    route = api.get(COMPLETIONS).mock(
        return_value=httpx.Response(200, json=page([OK], has_more=True, next_page=None))
    )
    buckets = run(concurrency=1)
    assert route.call_count == 1
    assert [b.start_time for b in buckets] == [S]


def test_empty_pages_with_fresh_cursors_do_not_loop_forever(api: respx.MockRouter) -> None:
    """A server that never repeats a cursor but never sends a bucket either must not loop.

    A 1-day range at ``1h`` holds 24 buckets: each page holds at least one, so more than 24
    pages (plus a margin) can only mean a broken server.
    """
    served = 0

    def respond(request: httpx.Request) -> httpx.Response:
        nonlocal served
        served += 1
        if served > 200:
            raise RuntimeError("the client is looping: 200 requests for 24 buckets")
        body = {"object": "page", "data": [], "has_more": True, "next_page": f"c{served}"}
        return httpx.Response(200, json=body)

    api.get(COMPLETIONS).mock(side_effect=respond)
    with (
        UsageClient(KEY, http_client=httpx.Client(verify=TLS)) as client,
        pytest.raises(OpenAIUsageError) as info,
    ):
        list(hourly(client))
    assert isinstance(info.value, PaginationError), repr(info.value)
    assert served <= 26


def test_retryable_failures_are_bounded_by_max_retries(
    api: respx.MockRouter, no_sleep: Sleeps
) -> None:
    route = api.get(COMPLETIONS).mock(return_value=httpx.Response(503, json={"error": {}}))
    with (
        UsageClient(
            KEY, max_retries=4, http_client=httpx.Client(verify=TLS), _runtime=no_sleep.runtime
        ) as client,
        pytest.raises(InternalServerError),
    ):
        list(hourly(client))
    assert route.call_count == 5


def test_errors_are_all_api_errors(api: respx.MockRouter, no_sleep: Sleeps) -> None:
    api.get(COMPLETIONS).mock(side_effect=httpx.ConnectError("refused"))
    with (
        UsageClient(
            KEY, max_retries=1, http_client=httpx.Client(verify=TLS), _runtime=no_sleep.runtime
        ) as client,
        pytest.raises(APIError) as info,
    ):
        list(hourly(client))
    assert info.value.resume_start_time == S
