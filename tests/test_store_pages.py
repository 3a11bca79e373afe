"""A sync's pages are bounded by results, not buckets (#36): ``store._pages``."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import pytest
from _store_helpers import DAY, client_for, ts

from openai_usage_client.store import Store
from openai_usage_client.store._pages import (
    concurrency_for,
    probe_bucket,
    rechunk,
    window_for,
    without,
)
from openai_usage_client.store._plan import Series, Window
from openai_usage_client.testing import FakeAPI

NOW = ts("2026-11-01")
COSTS = Series("costs", "default", "1d", "project_id,line_item,api_key_id,user_id")


@pytest.mark.parametrize(
    ("per_bucket", "maximum", "window"),
    [(0, 180, 180), (62, 180, 80), (624, 180, 8), (6_240, 180, 1), (50_000, 180, 1),
     (14, 31, 31)],
)  # fmt: skip
def test_a_window_holds_about_five_thousand_results(
    per_bucket: int, maximum: int, window: int
) -> None:
    assert window_for(per_bucket, maximum) == window


def test_fewer_pages_at_once_when_one_bucket_is_large() -> None:
    assert concurrency_for(14, 168, 4) == 4  # 2,352 results a page: 4 at once
    assert concurrency_for(62, 80, 4) == 2  # 4,960 results a page: 2 at once
    assert concurrency_for(6_240, 1, 4) == 1
    assert concurrency_for(100_000, 1, 4) == 1
    assert concurrency_for(14, 168, 1) == 1  # never more than the client's


def test_windows_are_split_around_the_probe_and_into_page_sized_ones() -> None:
    d = DAY
    plan = [Window(COSTS, NOW - 10 * d, NOW - 3 * d), Window(COSTS, NOW - 3 * d, NOW + d)]
    probe = probe_bucket(plan, NOW + 3600)  # the newest complete bucket: the day before now
    assert probe == Window(COSTS, NOW - d, NOW)
    assert without(plan, probe) == [
        Window(COSTS, NOW - 10 * d, NOW - 3 * d),
        Window(COSTS, NOW - 3 * d, NOW - d),
        Window(COSTS, NOW, NOW + d),
    ]
    assert rechunk(plan, 3) == [
        Window(COSTS, NOW - 10 * d, NOW - 7 * d),
        Window(COSTS, NOW - 7 * d, NOW - 4 * d),
        Window(COSTS, NOW - 4 * d, NOW - 3 * d),
        Window(COSTS, NOW - 3 * d, NOW),
        Window(COSTS, NOW, NOW + d),
    ]
    assert probe_bucket([Window(COSTS, NOW, NOW + d)], NOW) is None  # the open bucket only


def test_a_large_organizations_first_sync_asks_for_page_sized_windows(tmp_path: Path) -> None:
    fake = FakeAPI(seed=0, size=10)
    with client_for(fake) as client, Store(tmp_path / "u.db") as store:
        summary = store.sync(client, start=NOW - 40 * DAY, now=NOW, endpoints=["costs"])
        per_bucket = max(
            r for (r,) in store.connection.execute("SELECT rows FROM coverage")
        )  # fmt: skip
    queries = [parse_qs(r.query) for r in fake.request_log if "/costs" in r.path]
    limits = [int(q["limit"][0]) for q in queries]
    # The first request is one bucket (its results size the rest), then windows of about
    # 5,000 results: never the 180 days a page may hold.
    assert (queries[0]["end_time"][0], limits[0]) == (str(NOW - 39 * DAY), 180)
    assert set(limits[1:]) == {5_000 // per_bucket} and 600 < per_bucket < 700
    assert summary.requests == len(limits) == 1 + -(-40 // (5_000 // per_bucket))
    assert summary.buckets_fetched == 41


def test_hours_are_sized_by_the_groups_of_a_whole_day(tmp_path: Path) -> None:
    """A night hour has few groups: the probe asks for the day (an upper bound), unstored."""
    fake = FakeAPI(seed=0, size=10)
    start = NOW - 2 * DAY
    with client_for(fake) as client, Store(tmp_path / "u.db") as store:
        summary = store.sync(client, start=start, now=NOW, endpoints=["completions"],
                             bucket_width="1h")  # fmt: skip
        widths = [w for (w,) in store.connection.execute(
            "SELECT DISTINCT bucket_width FROM coverage")]  # fmt: skip
    queries = [parse_qs(r.query) for r in fake.request_log]
    probe = queries[0]
    assert (probe["bucket_width"], probe["limit"]) == (["1d"], ["1"])
    assert (probe["start_time"], probe["end_time"]) == ([str(start)], [str(start + DAY)])
    day_groups = len(fake.buckets("completions", start_time=start, end_time=start + DAY,
                                  bucket_width="1d", group_by=["project_id", "user_id",
                                  "api_key_id", "model"])[0].results)  # fmt: skip
    assert {q["limit"][0] for q in queries[1:]} == {str(5_000 // day_groups)}
    assert widths == ["1h"] and summary.buckets_fetched == 49
