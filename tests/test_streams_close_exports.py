"""Issue 10 items 3 and 4: closing a stream leaves no thread behind and sends nothing more;
the async stream has the sync stream's export surface, written by the same writers."""

from __future__ import annotations

import asyncio
import io
import json
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from _sleeps import NO_WAIT

from openai_usage_client import AsyncUsageClient, UsageClient
from openai_usage_client.testing import FakeAPI

KEY = "sk-admin-streams-0000"
START = 1_761_955_200  # 2025-11-01T00:00:00Z
END = 1_793_491_200  # 2026-11-01T00:00:00Z, the fake's "now"
DAY = 86_400


def _client(fake: FakeAPI, concurrency: int = 4) -> UsageClient:
    # The client creates (and so closes) no pool of its own here: the test closes ``http``.
    http = httpx.Client(transport=fake.transport())
    return UsageClient(KEY, http_client=http, concurrency=concurrency, _runtime=NO_WAIT)


def _year(client: UsageClient) -> Any:
    # 53 windows of 7 days: four requests in flight at a time, each taking 20 ms.
    return client.usage.completions(start_time=START, end_time=END, bucket_width="1d", limit=7)


def _settled(fake: FakeAPI) -> int:
    """The number of requests the fake has seen, once 0.1 s passed without a new one."""
    seen = len(fake.request_log)
    time.sleep(0.1)
    assert len(fake.request_log) == seen, "requests are still being sent"
    return seen


def test_break_then_garbage_collection_joins_the_worker_threads() -> None:
    fake = FakeAPI(seed=1, latency=0.05)
    before = threading.active_count()
    client = _client(fake)
    for n, _bucket in enumerate(_year(client)):
        if n == 9:  # the second page is being read, the next windows are in flight
            break
    # No gc.collect(): the iteration is garbage as soon as the loop drops it (reference
    # counting), and a full collection would take long enough to hide threads still running.
    assert threading.active_count() == before, "worker threads outlived the stream"
    sent = _settled(fake)
    assert sent < 53  # scheduling stopped: the year was not fetched behind our back


def test_close_stops_an_iteration_under_way() -> None:
    fake = FakeAPI(seed=1, latency=0.02)
    before = threading.active_count()
    client = _client(fake)
    stream = _year(client)
    iterator = iter(stream)
    next(iterator)
    assert threading.active_count() > before
    stream.close()
    assert threading.active_count() == before
    assert list(iterator) == []  # a closed iteration is over
    assert _settled(fake) < 53


def test_with_stream_closes_it_on_exit() -> None:
    fake = FakeAPI(seed=1, latency=0.02)
    before = threading.active_count()
    client = _client(fake)
    with _year(client) as stream:
        pages = stream.pages()
        next(pages)
    assert threading.active_count() == before
    assert _settled(fake) < 53


def test_a_closed_stream_can_be_iterated_again_from_the_start() -> None:
    fake = FakeAPI(seed=1)
    client = _client(fake)
    stream = client.costs(start_time=END - 10 * DAY, end_time=END, limit=2)
    first = next(iter(stream))
    stream.close()
    again = list(stream)
    assert again[0].start_time == first.start_time == END - 10 * DAY
    assert len(again) == 10


def test_async_stream_aclose_and_async_with_cancel_everything() -> None:
    fake = FakeAPI(seed=1, latency=0.02)

    async def run() -> None:
        http = httpx.AsyncClient(transport=fake.transport())
        client = AsyncUsageClient(KEY, http_client=http, concurrency=4, _runtime=NO_WAIT)
        stream = client.usage.completions(
            start_time=START, end_time=END, bucket_width="1d", limit=7
        )
        async with stream:
            iterator = aiter(stream)
            await anext(iterator)
        others = {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}
        assert others == set(), "tasks outlived the stream"
        count = len(fake.request_log)
        await asyncio.sleep(0.1)
        assert len(fake.request_log) == count < 53
        pages = stream.pages()
        await anext(pages)
        await stream.aclose()
        others = {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}
        assert others == set()
        await http.aclose()

    asyncio.run(run())


# --- item 4: the async exports ----------------------------------------------------------------

RANGE = {"start_time": END - 40 * DAY, "end_time": END, "group_by": ["model"]}


def _sync(fake: FakeAPI, method: str, *args: Any) -> Any:
    http = httpx.Client(transport=fake.transport())
    with http, UsageClient(KEY, http_client=http) as client:
        return getattr(client.usage.completions(**RANGE), method)(*args)


def _async(fake: FakeAPI, method: str, *args: Any) -> Any:
    async def run() -> Any:
        http = httpx.AsyncClient(transport=fake.transport())
        async with http, AsyncUsageClient(KEY, http_client=http) as client:
            return await getattr(client.usage.completions(**RANGE), method)(*args)

    return asyncio.run(run())


@pytest.mark.parametrize("method", ["to_csv", "to_jsonl", "to_json"])
def test_async_text_exports_write_what_the_sync_ones_write(tmp_path: Path, method: str) -> None:
    fake = FakeAPI(seed=5)
    sync_count = _sync(fake, method, tmp_path / "sync")
    async_count = _async(fake, method, tmp_path / "async")
    assert async_count == sync_count > 100
    assert (tmp_path / "async").read_bytes() == (tmp_path / "sync").read_bytes()
    buffer = io.StringIO()
    assert _async(fake, method, buffer) == sync_count  # an open file works too
    assert buffer.getvalue() == (tmp_path / "sync").read_text()
    if method == "to_json":
        assert len(json.loads(buffer.getvalue())) == sync_count


def test_async_parquet_equals_sync_parquet(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet", reason="extra [parquet] not installed")
    fake = FakeAPI(seed=5)
    assert _sync(fake, "to_parquet", tmp_path / "s.parquet") == _async(
        fake, "to_parquet", tmp_path / "a.parquet"
    )
    assert pq.read_table(tmp_path / "a.parquet").equals(pq.read_table(tmp_path / "s.parquet"))


def test_async_dataframes_equal_sync_dataframes() -> None:
    pd = pytest.importorskip("pandas", reason="extra [pandas] not installed")
    pytest.importorskip("polars", reason="extra [polars] not installed")
    fake = FakeAPI(seed=5)
    pd.testing.assert_frame_equal(_async(fake, "to_pandas"), _sync(fake, "to_pandas"))
    assert _async(fake, "to_polars").equals(_sync(fake, "to_polars"))


def test_async_rows_equal_sync_rows() -> None:
    fake = FakeAPI(seed=5)

    async def rows() -> list[Any]:
        http = httpx.AsyncClient(transport=fake.transport())
        async with http, AsyncUsageClient(KEY, http_client=http) as client:
            return [row async for row in client.usage.completions(**RANGE).rows()]

    http = httpx.Client(transport=fake.transport())
    with http, UsageClient(KEY, http_client=http) as client:
        expected = list(client.usage.completions(**RANGE).rows())
    assert asyncio.run(rows()) == expected
    assert len(expected) > 100
