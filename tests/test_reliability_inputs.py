"""R2: bad input is refused before any request, with a message naming param, value and rule.

Every case runs with respx intercepting all HTTP: a refused call must leave the route
untouched. Streams are lazy, so each call is also iterated inside ``pytest.raises``: were a
check deferred to iteration time, the request it let through would show up here.
The table in RELIABILITY.md lists these cases.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from openai_usage_client import (
    InsecureBaseURLError,
    InvalidParameterError,
    MissingAdminKeyError,
    UsageClient,
)

KEY = "sk-admin-inputs-0000"
BASE = "https://api.openai.com/v1"
S = 1_790_812_800  # 2026-10-01T00:00:00Z
E = S + 86_400

US = "one of 1m, 1h, 1d"
LIST = "a non-empty list of"
COMPLETIONS_GROUPS = "project_id, user_id, api_key_id, model, batch, service_tier, api_source"
TIME = "ISO-8601"


class Case:
    def __init__(
        self,
        id: str,
        endpoint: str,
        kwargs: dict[str, Any],
        param: str,
        value: Any,
        allowed: str | None,
    ) -> None:
        self.id, self.endpoint, self.kwargs = id, endpoint, kwargs
        self.param, self.value, self.allowed = param, value, allowed


def base(**kw: Any) -> dict[str, Any]:
    return {"start_time": S, "end_time": E, **kw}


#: (what, endpoint, keyword arguments, refused param, value shown, text of what is allowed).
CASES = [
    # --- time ranges
    Case("start_time None", "completions", {"start_time": None}, "start_time", None, "required"),
    Case(
        "start_time word",
        "completions",
        base(start_time="yesterday-ish"),
        "start_time",
        "yesterday-ish",
        TIME,
    ),
    Case(
        "start_time month 13",
        "completions",
        base(start_time="2026-13-01"),
        "start_time",
        "2026-13-01",
        TIME,
    ),
    Case("start_time negative", "completions", base(start_time=-1), "start_time", -1, "1970-01-01"),
    Case(
        "start_time NaN",
        "completions",
        base(start_time=float("nan")),
        "start_time",
        float("nan"),
        "Unix seconds",
    ),
    Case(
        "start_time bool", "completions", base(start_time=True), "start_time", True, "Unix seconds"
    ),
    Case("start_time list", "completions", base(start_time=[S]), "start_time", [S], "Unix seconds"),
    Case("end_time garbage", "completions", base(end_time="soon"), "end_time", "soon", TIME),
    Case(
        "end before start",
        "completions",
        base(end_time=S - 86_400),
        "end_time",
        S - 86_400,
        "after start_time",
    ),
    Case("empty range", "completions", base(end_time=S), "end_time", S, "after start_time"),
    Case(
        "open range in the future",
        "completions",
        {"start_time": "2999-01-01"},
        "start_time",
        "2999-01-01",
        "in the past",
    ),
    Case(
        "start_time past year 9999",
        "completions",
        {"start_time": 10**12, "end_time": 10**12 + 3600},
        "start_time",
        10**12,
        "9999-12-31T23:59:59Z",
    ),
    # --- bucket widths and limits
    Case("bucket_width 1w", "completions", base(bucket_width="1w"), "bucket_width", "1w", US),
    Case(
        "costs bucket_width 1h",
        "costs",
        base(bucket_width="1h"),
        "bucket_width",
        "1h",
        "one of 1d for costs",
    ),
    Case(
        "bucket_width list", "completions", base(bucket_width=["1h"]), "bucket_width", ["1h"], None
    ),
    Case(
        "limit 0",
        "completions",
        base(limit=0),
        "limit",
        0,
        "1 to 31 buckets per page at bucket_width='1d'",
    ),
    Case("limit 32 at 1d", "completions", base(limit=32), "limit", 32, "1 to 31"),
    Case(
        "limit 169 at 1h",
        "embeddings",
        base(bucket_width="1h", limit=169),
        "limit",
        169,
        "1 to 168",
    ),
    Case(
        "limit 1441 at 1m",
        "moderations",
        base(bucket_width="1m", limit=1441),
        "limit",
        1441,
        "1 to 1440",
    ),
    Case("costs limit 181", "costs", base(limit=181), "limit", 181, "1 to 180"),
    Case("limit string", "completions", base(limit="10"), "limit", "10", "an int from 1 to 31"),
    Case("limit bool", "completions", base(limit=True), "limit", True, "an int"),
    Case("limit float", "completions", base(limit=7.0), "limit", 7.0, "an int"),
    # --- group_by per endpoint
    Case(
        "completions by size",
        "completions",
        base(group_by=["size"]),
        "group_by",
        "size",
        COMPLETIONS_GROUPS,
    ),
    Case(
        "costs by model",
        "costs",
        base(group_by=["model"]),
        "group_by",
        "model",
        "project_id, line_item, api_key_id, user_id, api_source",
    ),
    Case(
        "vector_stores by user_id",
        "vector_stores",
        base(group_by=["user_id"]),
        "group_by",
        "user_id",
        "a non-empty list of: project_id",
    ),
    Case(
        "images by context_level",
        "images",
        base(group_by=["context_level"]),
        "group_by",
        "context_level",
        "size, source",
    ),
    Case(
        "web_search by size",
        "web_search_calls",
        base(group_by=["size"]),
        "group_by",
        "size",
        "context_level",
    ),
    Case(
        "file_search by model",
        "file_search_calls",
        base(group_by=["model"]),
        "group_by",
        "model",
        "vector_store_id",
    ),
    Case("group_by bogus string", "completions", base(group_by="bogus"), "group_by", "bogus", LIST),
    Case("group_by empty", "completions", base(group_by=[]), "group_by", [], LIST),
    # --- filters
    Case(
        "project_ids bytes",
        "completions",
        base(project_ids=b"proj_1"),
        "project_ids",
        b"proj_1",
        LIST,
    ),
    Case("project_ids empty", "costs", base(project_ids=[]), "project_ids", [], LIST),
    Case("user_ids ints", "completions", base(user_ids=[1, 2]), "user_ids", [1, 2], LIST),
    Case("models blank", "embeddings", base(models=[""]), "models", [""], "non-empty strings"),
    Case(
        "api_key_ids dict", "completions", base(api_key_ids={"k": 1}), "api_key_ids", {"k": 1}, LIST
    ),
    Case(
        "image source",
        "images",
        base(sources=["image.upscale"]),
        "sources",
        "image.upscale",
        "image.generation, image.edit, image.variation",
    ),
    Case(
        "context level",
        "web_search_calls",
        base(context_levels=["extreme"]),
        "context_levels",
        "extreme",
        "low, medium, high",
    ),
    Case("batch string", "completions", base(batch="yes"), "batch", "yes", "True or False"),
    Case("batch int", "decisions", base(batch=1), "batch", 1, "True or False"),
    # --- unknown keywords
    Case("unknown keyword", "completions", base(foo=1), "foo", 1, "completions() accepts only"),
    Case(
        "batch on embeddings",
        "embeddings",
        base(batch=True),
        "batch",
        True,
        "embeddings() accepts only",
    ),
    Case(
        "models on costs",
        "costs",
        base(models=["gpt-4o"]),
        "models",
        ["gpt-4o"],
        "costs() accepts only",
    ),
    Case(
        "user_ids on vector_stores",
        "vector_stores",
        base(user_ids=["u"]),
        "user_ids",
        ["u"],
        "accepts only",
    ),
    Case("typo start", "completions", base(start=S), "start", S, "start_time"),
    # --- page and concurrency
    Case("page empty", "completions", base(page=""), "page", "", "a cursor string"),
    Case("page int", "completions", base(page=123), "page", 123, "a cursor string"),
    Case(
        "concurrency 0", "completions", base(concurrency=0), "concurrency", 0, "an int from 1 to 64"
    ),
    Case(
        "concurrency 65",
        "completions",
        base(concurrency=65),
        "concurrency",
        65,
        "an int from 1 to 64",
    ),
    Case(
        "concurrency string",
        "completions",
        base(concurrency="4"),
        "concurrency",
        "4",
        "an int from 1 to 64",
    ),
    Case(
        "concurrency bool",
        "completions",
        base(concurrency=True),
        "concurrency",
        True,
        "an int from 1 to 64",
    ),
]

#: Client settings: (what, constructor keyword arguments, param, value, allowed).
SETTINGS = [
    ("max_retries -1", {"max_retries": -1}, "max_retries", -1, "an int >= 0"),
    ("max_retries float", {"max_retries": 1.5}, "max_retries", 1.5, "an int >= 0"),
    ("max_retries bool", {"max_retries": True}, "max_retries", True, "an int >= 0"),
    ("client concurrency 0", {"concurrency": 0}, "concurrency", 0, "an int from 1 to 64"),
    ("client concurrency 100", {"concurrency": 100}, "concurrency", 100, "an int from 1 to 64"),
    ("timeout 0", {"timeout": 0}, "timeout", 0, "seconds > 0"),
    ("timeout negative", {"timeout": -5}, "timeout", -5, "seconds > 0"),
    ("timeout string", {"timeout": "10"}, "timeout", "10", "seconds > 0"),
    (
        "base_url ftp",
        {"base_url": "ftp://example.com/v1"},
        "base_url",
        "ftp://example.com/v1",
        "an http(s) URL",
    ),
    (
        "base_url no scheme",
        {"base_url": "api.openai.com/v1"},
        "base_url",
        "api.openai.com/v1",
        "an http(s) URL",
    ),
]


#: One TLS context for every client (no request is ever sent; building one per client costs
#: ~50 ms).
TLS = ssl.create_default_context()


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        router.route().mock(return_value=httpx.Response(500))
        yield router


def check(error: InvalidParameterError, param: str, value: Any, allowed: str | None) -> None:
    text = str(error)
    assert error.param == param, text
    assert param in text
    assert repr(value) in text, f"the value {value!r} is not in: {text}"
    assert error.allowed and error.allowed in text
    if allowed is not None:
        assert allowed in error.allowed, f"{allowed!r} not in {error.allowed!r}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_call_is_refused_before_any_request(api: respx.MockRouter, case: Case) -> None:
    client = UsageClient(KEY, http_client=httpx.Client(verify=TLS))
    method = client.endpoint(case.endpoint)
    with pytest.raises(InvalidParameterError) as info:
        list(method(**case.kwargs))
    check(info.value, case.param, case.value, case.allowed)
    # Refused at the call itself, not later while iterating.
    with pytest.raises(InvalidParameterError):
        method(**case.kwargs)
    assert api.calls.call_count == 0
    client.close()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_call_is_refused_before_any_request_async(api: respx.MockRouter, case: Case) -> None:
    import asyncio

    from openai_usage_client import AsyncUsageClient

    async def run() -> InvalidParameterError:
        async with AsyncUsageClient(KEY, http_client=httpx.AsyncClient(verify=TLS)) as client:
            m = client.endpoint(case.endpoint)
            try:
                async for _ in m(**case.kwargs):
                    pass
            except InvalidParameterError as error:
                return error
        raise AssertionError("accepted")

    check(asyncio.run(run()), case.param, case.value, case.allowed)
    assert api.calls.call_count == 0


@pytest.mark.parametrize(
    ("kwargs", "param", "value", "allowed"),
    [s[1:] for s in SETTINGS],
    ids=[s[0] for s in SETTINGS],
)
def test_bad_client_setting_is_refused(
    api: respx.MockRouter, kwargs: dict[str, Any], param: str, value: Any, allowed: str
) -> None:
    with pytest.raises(InvalidParameterError) as info:
        UsageClient(KEY, **kwargs)
    check(info.value, param, value, allowed)
    assert api.calls.call_count == 0


@pytest.mark.parametrize(
    "url", ["http://example.com/v1", "http://10.0.0.1/v1", "http://api.openai.com/v1"]
)
def test_clear_text_base_url_to_a_remote_host_is_refused(api: respx.MockRouter, url: str) -> None:
    with pytest.raises(InsecureBaseURLError) as info:
        UsageClient(KEY, base_url=url)
    assert url in str(info.value)
    assert "https://" in str(info.value)
    assert api.calls.call_count == 0


def test_missing_admin_key_is_refused(
    api: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_ADMIN_KEY", raising=False)
    for key in (None, ""):
        with pytest.raises(MissingAdminKeyError) as info:
            UsageClient(key)
        assert "OPENAI_ADMIN_KEY" in str(info.value)
    assert api.calls.call_count == 0


def test_the_table_has_at_least_thirty_cases() -> None:
    assert len(CASES) + len(SETTINGS) + 3 + 1 >= 30
    assert len({c.id for c in CASES}) == len(CASES)


# --- the CLI --------------------------------------------------------------------------------

CLI_CASES = [
    ("start word", ["completions", "--start", "whenever"], "whenever"),
    ("end before start", ["completions", "--start", "2026-10-02", "--end", "2026-10-01"], "end"),
    ("width 1w", ["completions", "--bucket-width", "1w"], "1w"),
    ("costs width 1h", ["costs", "--bucket-width", "1h"], "1h"),
    ("group by size", ["completions", "--group-by", "size"], "size"),
    ("limit 0", ["completions", "--limit", "0"], "0"),
    ("limit 169 at 1h", ["completions", "--bucket-width", "1h", "--limit", "169"], "169"),
    ("concurrency 0", ["completions", "--concurrency", "0"], "0"),
    ("image source", ["images", "--source", "image.upscale"], "image.upscale"),
    ("context level", ["web-search-calls", "--context-level", "extreme"], "extreme"),
    ("unknown option", ["completions", "--frobnicate"], "--frobnicate"),
    ("max retries -1", ["--max-retries", "-1", "completions"], "-1"),
    ("timeout 0", ["--timeout", "0", "completions"], "0"),
    ("insecure base url", ["--base-url", "http://example.com/v1", "completions"], "example.com"),
]


@pytest.mark.parametrize(
    ("argv", "shown"), [c[1:] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES]
)
def test_cli_refuses_bad_arguments_with_exit_code_2(
    api: respx.MockRouter,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    shown: str,
) -> None:
    cli = pytest.importorskip("openai_usage_client._cli")
    monkeypatch.setenv("OPENAI_ADMIN_KEY", KEY)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert shown in err
    assert api.calls.call_count == 0
