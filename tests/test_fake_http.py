"""The fake over httpx: pagination, limits, errors, auth, partial buckets, async."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from openai_usage_client._core._endpoints import ENDPOINTS
from openai_usage_client.testing import BASE_URL, DEFAULT_ADMIN_KEY, FakeAPI

NOW = 1_793_491_200
DAY = 86_400
HOUR = 3_600
WED = NOW - 18 * DAY
COMPLETIONS = "/organization/usage/completions"


def follow(client: httpx.Client, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    pages = []
    cursor = None
    while True:
        resp = client.get(path, params={**params, **({"page": cursor} if cursor else {})})
        assert resp.status_code == 200, resp.text
        page = resp.json()
        pages.append(page)
        cursor = page["next_page"]
        assert page["has_more"] is (cursor is not None)
        if cursor is None:
            return pages


def error_of(resp: httpx.Response) -> dict[str, Any]:
    body = resp.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    error: dict[str, Any] = body["error"]
    return error


def test_a_year_of_days_pages_through_every_bucket_once() -> None:
    fake = FakeAPI()
    start = NOW - 365 * DAY
    with fake.client() as client:
        pages = follow(client, COMPLETIONS, {"start_time": start, "group_by": ["model"]})
    assert len(pages) == 53  # 365 days, 7 per page by default
    starts = [b["start_time"] for p in pages for b in p["data"]]
    assert starts == list(range(start, NOW, DAY))
    assert all(b["end_time"] - b["start_time"] == DAY for p in pages for b in p["data"])
    assert len(fake.request_log) == 53
    assert all(r.path == "/v1" + COMPLETIONS for r in fake.request_log)
    expected = fake.buckets("completions", start_time=start, group_by=["model"])
    got = [
        {(r["model"],): r["num_model_requests"] for r in b["results"]}
        for p in pages
        for b in p["data"]
    ]
    assert got == [{k: v["num_model_requests"] for k, v in b.results.items()} for b in expected]


def test_a_year_of_hours_with_the_largest_pages() -> None:
    fake = FakeAPI(seed=7)
    start = NOW - 365 * DAY
    with fake.client() as client:
        pages = follow(
            client,
            COMPLETIONS,
            {"start_time": start, "bucket_width": "1h", "limit": 168, "group_by": ["model"]},
        )
    assert len(pages) == 53
    assert [len(p["data"]) for p in pages] == [168] * 52 + [24]
    starts = [b["start_time"] for p in pages for b in p["data"]]
    assert starts == list(range(start, NOW, HOUR))


@pytest.mark.parametrize(
    ("endpoint", "width", "default", "maximum"),
    [
        ("completions", "1d", 7, 31),
        ("images", "1h", 24, 168),
        ("vector_stores", "1m", 60, 1440),
        ("costs", "1d", 7, 180),
    ],
)
def test_limit_defaults_and_caps(endpoint: str, width: str, default: int, maximum: int) -> None:
    fake = FakeAPI()
    step = {"1d": DAY, "1h": HOUR, "1m": 60}[width]
    path = ENDPOINTS[endpoint].path
    params: dict[str, Any] = {"start_time": NOW - 400 * DAY, "bucket_width": width}
    with fake.client() as client:
        assert len(client.get(path, params=params).json()["data"]) == default
        full = client.get(path, params={**params, "limit": maximum}).json()
        assert len(full["data"]) == maximum
        assert full["data"][-1]["start_time"] == NOW - 400 * DAY + (maximum - 1) * step
        for bad in (maximum + 1, 0, -1):
            resp = client.get(path, params={**params, "limit": bad})
            assert resp.status_code == 400
            error = error_of(resp)
            assert error["type"] == "invalid_request_error"
            assert error["param"] == "limit"
            assert error["code"] is None
            assert f"between 1 and {maximum}" in error["message"]


@pytest.mark.parametrize(
    ("path", "params", "param"),
    [
        (COMPLETIONS, {}, "start_time"),
        (COMPLETIONS, {"start_time": "yesterday"}, "start_time"),
        (COMPLETIONS, {"start_time": WED, "end_time": WED}, "end_time"),
        (COMPLETIONS, {"start_time": WED, "bucket_width": "2h"}, "bucket_width"),
        ("/organization/costs", {"start_time": WED, "bucket_width": "1h"}, "bucket_width"),
        (COMPLETIONS, {"start_time": WED, "group_by": "size"}, "group_by"),
        ("/organization/costs", {"start_time": WED, "group_by": "model"}, "group_by"),
        (COMPLETIONS, {"start_time": WED, "limit": "ten"}, "limit"),
        (COMPLETIONS, {"start_time": WED, "batch": "maybe"}, "batch"),
        (COMPLETIONS, {"start_time": WED, "sizes": "256x256"}, "sizes"),
        ("/organization/usage/vector_stores", {"start_time": WED, "models": "x"}, "models"),
        ("/organization/usage/images", {"start_time": WED, "sources": "image.paint"}, "sources"),
        (
            "/organization/usage/web_search_calls",
            {"start_time": WED, "context_levels": "huge"},
            "context_levels",
        ),
        (COMPLETIONS, {"start_time": WED, "page": "not-a-cursor"}, "page"),
        (COMPLETIONS, {"start_time": WED, "colour": "blue"}, "colour"),
    ],
)
def test_invalid_params_are_400_with_the_error_shape(
    path: str, params: dict[str, Any], param: str
) -> None:
    with FakeAPI().client() as client:
        resp = client.get(path, params=params)
    assert resp.status_code == 400
    error = error_of(resp)
    assert error["param"] == param
    assert error["type"] == "invalid_request_error"
    assert error["code"] is None
    assert resp.headers["x-request-id"].startswith("req_")


def test_a_cursor_only_works_for_its_own_query() -> None:
    with FakeAPI().client() as client:
        params: dict[str, Any] = {"start_time": WED - 30 * DAY, "group_by": ["model"]}
        cursor = client.get(COMPLETIONS, params=params).json()["next_page"]
        assert isinstance(cursor, str)
        ok = client.get(COMPLETIONS, params={**params, "page": cursor})
        assert ok.json()["data"][0]["start_time"] == WED - 23 * DAY
        other = client.get(
            COMPLETIONS, params={**params, "group_by": ["project_id"], "page": cursor}
        )
        assert other.status_code == 400
        assert error_of(other)["param"] == "page"


def test_missing_key_is_401_and_a_project_key_is_403() -> None:
    fake = FakeAPI()
    params = {"start_time": WED}
    with fake.client(api_key=None) as client:
        resp = client.get(COMPLETIONS, params=params)
        assert resp.status_code == 401
        error = error_of(resp)
        assert error["message"].startswith("You didn't provide an API key.")
        assert (error["type"], error["param"], error["code"]) == (
            "invalid_request_error",
            None,
            None,
        )
    with fake.client(api_key="sk-proj-abcdef123456") as client:
        resp = client.get(COMPLETIONS, params=params)
        assert resp.status_code == 403
        error = error_of(resp)
        assert "Missing scopes: api.usage.read" in error["message"]
        assert (error["type"], error["param"], error["code"]) == (
            "invalid_request_error",
            None,
            None,
        )
    with fake.client(api_key="nonsense-key") as client:
        resp = client.get(COMPLETIONS, params=params)
        assert resp.status_code == 401
        assert error_of(resp)["code"] == "invalid_api_key"
    with fake.client(api_key="sk-admin-anything") as client:
        assert client.get(COMPLETIONS, params=params).status_code == 200


def test_unknown_path_and_method() -> None:
    with FakeAPI().client() as client:
        assert (
            client.get("/organization/usage/nothing", params={"start_time": WED}).status_code == 404
        )
        assert client.post(COMPLETIONS, params={"start_time": WED}).status_code == 405


def test_partial_first_bucket_and_last_bucket() -> None:
    fake = FakeAPI()
    start = WED + 5 * HOUR + 1234
    end = WED + 3 * DAY + 7 * HOUR
    with fake.client() as client:
        days = client.get(COMPLETIONS, params={"start_time": start, "end_time": end}).json()
        hours = follow(
            client,
            COMPLETIONS,
            {"start_time": start, "end_time": end, "bucket_width": "1h", "limit": 168},
        )[0]
    assert [(b["start_time"], b["end_time"]) for b in days["data"]] == [
        (start, WED + DAY),
        (WED + DAY, WED + 2 * DAY),
        (WED + 2 * DAY, WED + 3 * DAY),
        (WED + 3 * DAY, end),
    ]
    assert (hours["data"][0]["start_time"], hours["data"][0]["end_time"]) == (start, WED + 6 * HOUR)
    assert hours["data"][1]["start_time"] == WED + 6 * HOUR
    total = sum(r["input_tokens"] for b in days["data"] for r in b["results"])
    assert total == sum(r["input_tokens"] for b in hours["data"] for r in b["results"])
    assert total == fake.totals("completions", start_time=start, end_time=end)[()]["input_tokens"]


def test_default_end_time_is_the_fakes_now() -> None:
    fake = FakeAPI(now=NOW + 6 * HOUR)
    with fake.client() as client:
        data = client.get(COMPLETIONS, params={"start_time": NOW - DAY}).json()["data"]
    assert [(b["start_time"], b["end_time"]) for b in data] == [
        (NOW - DAY, NOW),
        (NOW, NOW + 6 * HOUR),
    ]


def test_empty_buckets_have_empty_results() -> None:
    fake = FakeAPI()
    proj = [fake.org.idle_project]
    with fake.client() as client:
        page = client.get(COMPLETIONS, params={"start_time": WED, "project_ids": proj}).json()
    assert page["object"] == "page"
    assert [b["results"] for b in page["data"]] == [[]] * 7
    assert {b["object"] for b in page["data"]} == {"bucket"}


def test_result_objects_per_endpoint() -> None:
    fake = FakeAPI()
    with fake.client() as client:
        for name, spec in ENDPOINTS.items():
            page = client.get(spec.path, params={"start_time": WED, "limit": 1}).json()
            objects = {r["object"] for r in page["data"][0]["results"]}
            assert objects == {spec.result_object}, name
    assert ENDPOINTS["file_search_calls"].result_object == "organization.usage.file_searches.result"


def test_request_ids_are_deterministic_and_differ_per_attempt() -> None:
    a, b = FakeAPI(), FakeAPI()
    params = {"start_time": WED}
    with a.client() as ca, b.client() as cb:
        ids_a = [ca.get(COMPLETIONS, params=params).headers["x-request-id"] for _ in range(3)]
        ids_b = [cb.get(COMPLETIONS, params=params).headers["x-request-id"] for _ in range(3)]
    assert ids_a == ids_b
    assert len(set(ids_a)) == 3
    assert all(i.startswith("req_") and len(i) == 36 for i in ids_a)


def test_transport_works_with_plain_clients_and_async() -> None:
    fake = FakeAPI()
    headers = {"Authorization": f"Bearer {DEFAULT_ADMIN_KEY}"}
    params: dict[str, Any] = {"start_time": WED, "group_by[]": ["model"]}
    with httpx.Client(transport=fake.transport(), headers=headers) as client:
        sync_body = client.get(BASE_URL + COMPLETIONS, params=params).content

    async def fetch() -> bytes:
        async with httpx.AsyncClient(
            transport=fake.async_transport(), base_url=BASE_URL, headers=headers
        ) as client:
            responses = await asyncio.gather(
                *(client.get(COMPLETIONS, params=params) for _ in range(5))
            )
        assert {r.content for r in responses} == {sync_body}
        return responses[0].content

    assert asyncio.run(fetch()) == sync_body
    async_body = json.loads(sync_body)
    assert len(async_body["data"]) == 7
    assert len(fake.request_log) == 6
    assert fake.request_log[0].method == "GET"
    assert "group_by%5B%5D=model" in fake.request_log[0].query


def test_latency_is_applied() -> None:
    import time

    fake = FakeAPI(latency=0.05)
    with fake.client() as client:
        t0 = time.perf_counter()
        client.get(COMPLETIONS, params={"start_time": WED})
        assert time.perf_counter() - t0 >= 0.05

    async def timed() -> float:
        async with fake.async_client() as client:
            t0 = time.perf_counter()
            await asyncio.gather(
                *(client.get(COMPLETIONS, params={"start_time": WED}) for _ in range(4))
            )
            return time.perf_counter() - t0

    elapsed = asyncio.run(timed())
    assert 0.05 <= elapsed < 0.19  # concurrent sleeps overlap
