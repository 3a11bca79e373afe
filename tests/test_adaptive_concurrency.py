"""On 429s the client lowers the number of requests in flight, then grows it back (AIMD)."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
from _sleeps import Sleeps

from openai_usage_client import AsyncUsageClient, UsageClient
from openai_usage_client.testing import DEFAULT_ADMIN_KEY, FakeAPI

NOW = 1793491200
DAY = 86400


class Recorder:
    """Counts requests in flight; the first ``throttle`` answers are 429s."""

    def __init__(self, fake: FakeAPI, throttle: int) -> None:
        self.fake = fake
        self.throttle = throttle
        self.lock = threading.Lock()
        self.in_flight = 0
        self.seen = 0
        #: request number -> how many requests were in flight when it started (itself included)
        self.started_with: dict[int, int] = {}

    def enter(self) -> int:
        with self.lock:
            self.in_flight += 1
            self.seen += 1
            self.started_with[self.seen] = self.in_flight
            return self.seen

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def answer(self, request: httpx.Request, number: int) -> httpx.Response:
        if number <= self.throttle:
            return httpx.Response(429, json={"error": {"message": "slow down", "type": "rl"}})
        status, headers, body = self.fake.handle(
            "GET", request.url.path, request.url.query, dict(request.headers)
        )
        return httpx.Response(status, headers=headers, content=body)


def peak(recorder: Recorder, first: int, last: int) -> int:
    """The most requests in flight when any of requests ``first..last`` started."""
    return max(recorder.started_with[n] for n in range(first, last + 1))


def test_sync_in_flight_drops_after_429s_and_recovers(no_sleep: Sleeps) -> None:
    recorder = Recorder(FakeAPI(seed=1), throttle=8)

    def handler(request: httpx.Request) -> httpx.Response:
        number = recorder.enter()
        try:
            # the throttled ones linger, so that all eight are surely in flight together
            time.sleep(0.1 if number <= recorder.throttle else 0.01)
            response = recorder.answer(request, number)
        finally:
            recorder.leave()
        return response

    http = httpx.Client(transport=httpx.MockTransport(handler))
    with UsageClient(
        DEFAULT_ADMIN_KEY, http_client=http, max_retries=20, _runtime=no_sleep.runtime
    ) as client:
        stream = client.usage.completions(
            start_time=NOW - 60 * DAY, end_time=NOW, bucket_width="1d", limit=2, concurrency=8
        )
        buckets = list(stream)
    assert len(buckets) == 60
    total = recorder.seen
    assert total == 30 + 8  # 30 windows, 8 throttled attempts retried
    assert peak(recorder, 1, 8) == 8  # all eight started at once
    # Eight 429s halve the capacity 8 -> 4 -> 2 -> 1: the first retry goes alone, and the
    # capacity only grows by one per run of successes...
    assert recorder.started_with[9] == 1
    assert peak(recorder, 9, 11) <= 2
    # ...back to several requests at once.
    assert peak(recorder, 12, total) >= 4


def test_async_in_flight_drops_after_429s_and_recovers(no_sleep: Sleeps) -> None:
    recorder = Recorder(FakeAPI(seed=1), throttle=8)

    async def handler(request: httpx.Request) -> httpx.Response:
        number = recorder.enter()
        try:
            await asyncio.sleep(0.1 if number <= recorder.throttle else 0.01)
            return recorder.answer(request, number)
        finally:
            recorder.leave()

    async def run() -> int:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        async with AsyncUsageClient(
            DEFAULT_ADMIN_KEY, http_client=http, max_retries=20, _runtime=no_sleep.runtime
        ) as c:
            stream = c.usage.completions(
                start_time=NOW - 60 * DAY, end_time=NOW, bucket_width="1d", limit=2, concurrency=8
            )
            return len([b async for b in stream])

    assert asyncio.run(run()) == 60
    total = recorder.seen
    assert total == 38
    assert peak(recorder, 1, 8) == 8
    assert recorder.started_with[9] == 1
    assert peak(recorder, 9, 11) <= 2
    assert peak(recorder, 12, total) >= 4
