"""R1: a year of hourly buckets through injected faults returns exactly the ground truth.

The fake injects seeded faults (429 with and without ``Retry-After``, 500/502/503, connection
resets, read timeouts) on 20% of attempts. Whether an attempt is faulted depends only on
(seed, request, attempt number), so the same requests meet the same faults in sequential and
concurrent runs and every figure here is repeatable. Sleeps are injected (the client's
private ``_runtime``): retries never wait.

Faults are counted from the fake's request log by asking the fake's ``Faults`` again what it
decided for each (request, attempt); retries are counted twice, independently: from the log
(requests beyond the first of each distinct query) and from the client's sleep calls.
"""

from __future__ import annotations

import asyncio
import functools
from collections import Counter
from collections.abc import Iterator
from typing import Any, Literal

import httpx
import pytest

from openai_usage_client import (
    APIConnectionError,
    APITimeoutError,
    AsyncUsageClient,
    Bucket,
    InternalServerError,
    OpenAIUsageError,
    RateLimitError,
    UsageClient,
)
from openai_usage_client._core._client_base import Runtime
from openai_usage_client.testing import FakeAPI, Faults, Persistent
from openai_usage_client.testing._params import canonical_query, query_pairs

START = 1_761_955_200  # 2025-11-01T00:00:00Z
END = 1_793_491_200  # 2026-11-01T00:00:00Z (the fake's "now")
HOUR = 3_600
DAY = 86_400
KEY = "sk-admin-reliability-0000"
GROUP: list[Literal["model"]] = ["model"]

#: 20% of attempts fail, spread over every retryable kind.
RATES: dict[str, float] = {
    "rate_429": 0.04,
    "rate_429_no_retry_after": 0.03,
    "rate_500": 0.03,
    "rate_502": 0.03,
    "rate_503": 0.03,
    "rate_reset": 0.02,
    "rate_timeout": 0.02,
}
assert abs(sum(RATES.values()) - 0.20) < 1e-9


class Sleeps:
    """The client's sleeps (its private ``_runtime``): records the delay, never waits."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.runtime = Runtime(sleep=self.sync, async_sleep=self.async_)

    def sync(self, seconds: float) -> None:
        self.delays.append(seconds)

    async def async_(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


# --- helpers --------------------------------------------------------------------------------

Snapshot = tuple[int, int, dict[tuple[Any, ...], dict[str, Any]]]


def snapshot(bucket: Bucket, counters: list[str]) -> Snapshot:
    """A bucket as (start, end, {(model,): {counter: value}}), refusing duplicate groups."""
    results: dict[tuple[Any, ...], dict[str, int]] = {}
    for result in bucket.results:
        key = tuple(getattr(result, g) for g in GROUP)
        assert key not in results, f"group {key} twice in bucket {bucket.start_time}"
        results[key] = {c: getattr(result, c) for c in counters}
    return bucket.start_time, bucket.end_time, results


def ground_truth(fake: FakeAPI) -> list[Snapshot]:
    """Every hourly bucket of the year, straight from the fake's data (no HTTP, no faults)."""
    return _truth(fake.seed)


@functools.cache
def _truth(seed: int) -> list[Snapshot]:
    fake = FakeAPI(seed=seed)
    return [
        (b.start_time, b.end_time, b.results)
        for b in fake.buckets(
            "completions", start_time=START, end_time=END, bucket_width="1h", group_by=GROUP
        )
    ]


@functools.cache
def _totals(seed: int) -> dict[tuple[Any, ...], dict[str, Any]]:
    return FakeAPI(seed=seed).totals("completions", start_time=START, end_time=END, group_by=GROUP)


def counter_names(truth: list[Snapshot]) -> list[str]:
    for _, _, results in truth:
        for counters in results.values():
            return sorted(counters)
    raise AssertionError("the fake produced no activity at all")


def totals_of(snaps: list[Snapshot]) -> dict[tuple[Any, ...], Counter[str]]:
    out: dict[tuple[Any, ...], Counter[str]] = {}
    for _, _, results in snaps:
        for key, counters in results.items():
            out.setdefault(key, Counter()).update(counters)
    return out


def assert_matches_truth(fake: FakeAPI, got: list[Snapshot]) -> None:
    truth = ground_truth(fake)
    assert len(got) == len(truth) == 365 * 24
    starts = [s for s, _, _ in got]
    assert len(set(starts)) == len(starts), "a bucket was delivered twice"
    assert starts == list(range(START, END, HOUR)), "buckets missing or out of order"
    assert got == truth
    expected_totals = _totals(fake.seed)
    got_totals = totals_of(got)
    assert set(got_totals) == set(expected_totals)
    for key, counters in expected_totals.items():
        assert dict(got_totals[key]) == counters, key


class FaultReport:
    """What the fake's log says happened: faults by kind and retries."""

    def __init__(self, fake: FakeAPI) -> None:
        attempts: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()
        self.requests = 0
        for entry in fake.request_log:
            self.requests += 1
            pairs = query_pairs(entry.query)
            key = f"{entry.path.removeprefix('/v1')}?{canonical_query(pairs)}"
            attempts[key] += 1
            info_attempt = attempts[key]
            kind = _failure_of(fake, key, info_attempt)
            if kind is not None:
                self.kinds[kind] += 1
        self.distinct = len(attempts)
        self.retries = self.requests - self.distinct
        self.faults = sum(self.kinds.values())

    def __str__(self) -> str:
        kinds = ", ".join(f"{k}={v}" for k, v in sorted(self.kinds.items()))
        return (
            f"{self.requests} requests for {self.distinct} pages: {self.faults} faults "
            f"({kinds}), {self.retries} retries"
        )


def _failure_of(fake: FakeAPI, request_key: str, attempt: int) -> str | None:
    from openai_usage_client.testing import RequestInfo

    # Only rate-based faults here (no ``Persistent``), which depend on (key, attempt) alone.
    info = RequestInfo(path="", params={}, attempt=attempt, sequence=0, page_start=None)
    return fake.faults.failure(fake.seed, request_key, info)


def sync_backfill(
    fake: FakeAPI, concurrency: int, counters: list[str], sleeps: Sleeps, **kw: Any
) -> list[Any]:
    http = httpx.Client(transport=fake.transport())
    with UsageClient(
        KEY, http_client=http, max_retries=10, concurrency=concurrency, _runtime=sleeps.runtime
    ) as client:
        stream = client.usage.completions(
            start_time=START, end_time=END, bucket_width="1h", group_by=GROUP, **kw
        )
        return [snapshot(b, counters) for b in stream]


def async_backfill(
    fake: FakeAPI, concurrency: int, counters: list[str], sleeps: Sleeps, **kw: Any
) -> list[Any]:
    async def run() -> list[Any]:
        http = httpx.AsyncClient(transport=fake.transport())
        async with AsyncUsageClient(
            KEY, http_client=http, max_retries=10, concurrency=concurrency, _runtime=sleeps.runtime
        ) as client:
            stream = client.usage.completions(
                start_time=START, end_time=END, bucket_width="1h", group_by=GROUP, **kw
            )
            return [snapshot(b, counters) async for b in stream]

    return asyncio.run(run())


# --- R1: transient faults -----------------------------------------------------------------

#: Figures of every run, printed at the end of the module (``pytest -s``) for RELIABILITY.md.
FIGURES: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def _print_figures() -> Iterator[None]:
    yield
    for name, text in FIGURES.items():
        print(f"\n[R1] {name}: {text}")


@pytest.mark.parametrize(
    ("mode", "concurrency", "limit"),
    [
        ("sync", 1, None),
        ("sync", 4, None),
        ("sync", 8, 24),
        ("async", 1, None),
        ("async", 4, None),
        ("async", 8, None),
    ],
)
def test_year_of_hours_through_20pct_faults_equals_ground_truth(
    sleeps: Sleeps, mode: str, concurrency: int, limit: int | None
) -> None:
    fake = FakeAPI(seed=0, faults=Faults(**RATES))  # type: ignore[arg-type]
    counters = counter_names(ground_truth(fake))
    fake.request_log.clear()
    kw = {} if limit is None else {"limit": limit}
    run = sync_backfill if mode == "sync" else async_backfill
    got = run(fake, concurrency, counters, sleeps, **kw)

    assert_matches_truth(fake, got)
    report = FaultReport(fake)
    FIGURES[f"{mode} concurrency={concurrency} limit={limit or 168}"] = str(report)
    pages = -(-365 * 24 // (limit or 168))
    assert report.distinct == pages  # one request per page: nothing fetched twice for good
    assert report.faults >= 5, report  # the faults really happened ...
    assert report.retries == report.faults, report  # ... each was retried exactly once ...
    assert len(sleeps.delays) == report.retries  # ... and the client agrees (one sleep each)
    assert all(0 <= d <= 8 for d in sleeps.delays)
    if limit == 24:
        # 365 pages, ~470 attempts: every kind of transient fault is met and survived, at
        # about the configured rate.
        assert set(report.kinds) == {k.removeprefix("rate_") for k in RATES}, report
        assert 0.12 < report.faults / report.requests < 0.28, report


# --- R1: faults that never stop -------------------------------------------------------------

#: The outage tests backfill the last quarter of the year (14 pages of 168 hours).
P_START = END - 95 * DAY
MID = P_START + 40 * DAY + 5 * HOUR  # not on a 168-hour window boundary


def _collect_until_error(iterator: Iterator[Bucket], counters: list[str]) -> tuple[list[Any], Any]:
    got: list[Any] = []
    with pytest.raises(OpenAIUsageError) as info:
        for bucket in iterator:
            got.append(snapshot(bucket, counters))
    return got, info.value


@pytest.mark.parametrize(
    ("mode", "concurrency", "persistent", "error_type"),
    [
        ("sync", 1, Persistent("500", from_time=MID), InternalServerError),
        ("sync", 4, Persistent("reset", from_time=MID), APIConnectionError),
        ("sync", 8, Persistent("502", after_requests=6), InternalServerError),
        ("async", 1, Persistent("429_no_retry_after", from_time=MID), RateLimitError),
        ("async", 4, Persistent("503", after_requests=6), InternalServerError),
        ("async", 8, Persistent("timeout", from_time=MID), APITimeoutError),
    ],
    ids=[
        "sync-1-500",
        "sync-4-reset",
        "sync-8-502",
        "async-1-429",
        "async-4-503",
        "async-8-timeout",
    ],
)
def test_endless_fault_raises_typed_error_and_resume_completes_exactly(
    sleeps: Sleeps,
    mode: str,
    concurrency: int,
    persistent: Persistent,
    error_type: type[OpenAIUsageError],
) -> None:
    background = Faults(**RATES)  # type: ignore[arg-type]
    fake = FakeAPI(
        seed=1,
        faults=Faults(**RATES, persistent=(persistent,)),  # type: ignore[arg-type]
    )
    truth: list[Snapshot] = [
        (b.start_time, b.end_time, b.results)
        for b in fake.buckets(
            "completions", start_time=P_START, end_time=END, bucket_width="1h", group_by=GROUP
        )
    ]
    counters = counter_names(truth)
    kw: dict[str, Any] = {"bucket_width": "1h", "group_by": GROUP, "end_time": END}

    if mode == "sync":
        http = httpx.Client(transport=fake.transport())
        with UsageClient(
            KEY, http_client=http, max_retries=3, concurrency=concurrency, _runtime=sleeps.runtime
        ) as c:
            first, error = _collect_until_error(
                iter(c.usage.completions(start_time=P_START, **kw)), counters
            )
            assert isinstance(error, error_type), repr(error)
            resume = error.resume_start_time
            assert resume is not None
            fake.faults = background  # the outage ends
            rest = [snapshot(b, counters) for b in c.usage.completions(start_time=resume, **kw)]
    else:

        async def run() -> tuple[list[Any], Any, list[Any]]:
            http = httpx.AsyncClient(transport=fake.transport())
            async with AsyncUsageClient(
                KEY,
                http_client=http,
                max_retries=3,
                concurrency=concurrency,
                _runtime=sleeps.runtime,
            ) as c:
                got: list[Any] = []
                try:
                    async for bucket in c.usage.completions(start_time=P_START, **kw):
                        got.append(snapshot(bucket, counters))
                except OpenAIUsageError as exc:
                    err: Any = exc
                else:
                    raise AssertionError("the stream ended as if complete")
                assert err.resume_start_time is not None
                fake.faults = background
                rest = [
                    snapshot(b, counters)
                    async for b in c.usage.completions(start_time=err.resume_start_time, **kw)
                ]
                return got, err, rest

        first, error, rest = asyncio.run(run())
        assert isinstance(error, error_type), repr(error)
        resume = error.resume_start_time

    # Nothing returned as complete: the error came before the end, and says where to resume.
    assert resume is not None
    assert len(first) < len(truth)
    assert resume == (first[-1][1] if first else P_START)
    assert str(resume) in str(error)
    assert "resume" in str(error).lower()
    if persistent.from_time is not None:
        # The page that starts at or after ``from_time`` is the first that cannot be had.
        assert persistent.from_time <= resume < persistent.from_time + 168 * HOUR
    # Before + resumed == the truth: nothing lost, nothing twice.
    assert first + rest == truth
