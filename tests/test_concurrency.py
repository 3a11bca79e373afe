"""Concurrent range fetching gives exactly what a sequential cursor loop gives (issue 6).

Against the offline fake: the same buckets, in the same order, each once, and the same totals
as the fake's ground truth, for unaligned ranges, ranges shorter than a page and every width.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from openai_usage_client import AsyncUsageClient, Bucket, UsageClient
from openai_usage_client._core._pagination import AIMD, plan_windows
from openai_usage_client._core._params import build_query
from openai_usage_client.testing import DEFAULT_ADMIN_KEY, FakeAPI

DAY = 86400
NOW = 1793491200  # the fake's now: 2026-11-01T00:00Z

CASES = [
    # (bucket_width, start, end, limit)
    ("1d", NOW - 200 * DAY + 12345, NOW - 3 * DAY - 999, None),  # unaligned both ends
    ("1d", NOW - 40 * DAY, NOW - 20 * DAY, 7),
    ("1h", NOW - 20 * DAY + 1800, NOW - 2 * DAY + 59, 50),
    ("1h", NOW - 5 * 3600, NOW - 3600, None),  # shorter than one page
    ("1m", NOW - 3 * DAY - 17, NOW - 2 * DAY + 61, 700),
]


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    return FakeAPI(seed=3)


def summary(buckets: list[Bucket]) -> list[tuple[int, int, list[tuple[Any, ...]]]]:
    return [
        (
            b.start_time,
            b.end_time,
            sorted(
                (r.model, r.input_tokens, r.output_tokens, r.num_model_requests) for r in b.results
            ),
        )
        for b in buckets
    ]


def fetch_sync(fake: FakeAPI, concurrency: int, **kwargs: Any) -> list[Bucket]:
    with UsageClient(DEFAULT_ADMIN_KEY, http_client=fake.client(api_key=None)) as client:
        return list(client.usage.completions(group_by=["model"], concurrency=concurrency, **kwargs))


def fetch_async(fake: FakeAPI, concurrency: int, **kwargs: Any) -> list[Bucket]:
    async def run() -> list[Bucket]:
        async with AsyncUsageClient(
            DEFAULT_ADMIN_KEY, http_client=fake.async_client(api_key=None)
        ) as client:
            stream = client.usage.completions(group_by=["model"], concurrency=concurrency, **kwargs)
            return [b async for b in stream]

    return asyncio.run(run())


@pytest.mark.parametrize(("width", "start", "end", "limit"), CASES)
def test_concurrent_equals_sequential_and_truth(
    fake: FakeAPI, width: str, start: int, end: int, limit: int | None
) -> None:
    kwargs = {"start_time": start, "end_time": end, "bucket_width": width, "limit": limit}
    sequential = fetch_sync(fake, 1, **kwargs)
    concurrent = fetch_sync(fake, 4, **kwargs)
    concurrent_async = fetch_async(fake, 3, **kwargs)
    assert summary(concurrent) == summary(sequential)
    assert summary(concurrent_async) == summary(sequential)

    truth = fake.buckets(
        "completions", start_time=start, end_time=end, bucket_width=width, group_by=["model"]
    )
    assert [(b.start_time, b.end_time) for b in sequential] == [
        (t.start_time, t.end_time) for t in truth
    ]
    totals: dict[str, int] = {}
    for b in concurrent:
        for r in b.results:
            totals[r.model] = totals.get(r.model, 0) + r.input_tokens
    expected = fake.totals("completions", start_time=start, end_time=end, group_by=["model"])
    assert totals == {key[0]: value["input_tokens"] for key, value in expected.items()}


def test_windows_are_one_page_each() -> None:
    query = build_query(
        "completions",
        {"start_time": NOW - 30 * DAY + 7, "end_time": NOW, "bucket_width": "1h", "limit": 100},
        {},
        concurrency=4,
        default_concurrency=4,
    )
    windows = plan_windows(query)
    assert [(w.start_time, w.end_time) for w in windows][:2] == [
        (NOW - 30 * DAY + 7, NOW - 30 * DAY + 100 * 3600),
        (NOW - 30 * DAY + 100 * 3600, NOW - 30 * DAY + 200 * 3600),
    ]
    assert windows[-1].end_time == NOW
    assert len(windows) == 8  # 720 hourly buckets, 100 a page


def test_open_ended_and_cursor_queries_are_not_split() -> None:
    open_ended = build_query(
        "completions", {"start_time": NOW - 30 * DAY}, {}, concurrency=8, default_concurrency=4
    )
    assert plan_windows(open_ended) == [open_ended]
    cursor = build_query(
        "completions",
        {"start_time": NOW - 30 * DAY, "end_time": NOW, "page": "abc"},
        {},
        concurrency=8,
        default_concurrency=4,
    )
    assert plan_windows(cursor) == [cursor]


def test_aimd_halves_on_throttle_and_recovers() -> None:
    aimd = AIMD(8)
    for _ in range(3):
        aimd.start()
    aimd.finish(throttled=True)
    assert aimd.capacity == 4
    aimd.finish(throttled=True)
    assert aimd.capacity == 2
    aimd.finish(throttled=True)
    assert (aimd.capacity, aimd.throttles) == (1, 3)
    for expected in (2, 3, 4):
        for _ in range(expected - 1):
            aimd.start()
            aimd.finish(throttled=False)
        assert aimd.capacity == expected
