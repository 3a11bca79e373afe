"""The fake's clock: set after construction, or following a real clock (``fake-server --now``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime

import httpx
import pytest

from openai_usage_client.testing import DEFAULT_ADMIN_KEY, DEFAULT_NOW, FakeAPI

DAY = 86_400
HOUR = 3_600


def page(fake: FakeAPI, path: str, **params: object) -> bytes:
    headers = {"Authorization": f"Bearer {DEFAULT_ADMIN_KEY}"}
    return fake.handle("GET", path, {k: str(v) for k, v in params.items()}, headers).body


@pytest.mark.parametrize("moves", [[DEFAULT_NOW + 2 * DAY + 5 * HOUR], [DEFAULT_NOW - 3 * DAY]])
def test_set_now_answers_as_a_fake_made_at_that_time(moves: list[int]) -> None:
    fake = FakeAPI(seed=0)
    queries = [
        ("/v1/organization/usage/completions", {"bucket_width": "1h", "group_by": "model"}),
        ("/v1/organization/costs", {"group_by": "project_id"}),
    ]
    start = DEFAULT_NOW - 5 * DAY
    # Fill the caches at the old time first, so stale days would show.
    for path, params in queries:
        page(fake, path, start_time=start, end_time=DEFAULT_NOW + 5 * DAY, **params)
    for when in moves:
        fake.set_now(when)
        fresh = FakeAPI(seed=0, now=when)
        assert fake.now == when
        for path, params in queries:
            end = when + 3 * DAY
            assert page(fake, path, start_time=start, end_time=end, **params) == page(
                fresh, path, start_time=start, end_time=end, **params
            )
        assert fake.totals("completions", start_time=start) == fresh.totals(
            "completions", start_time=start
        )


def test_a_sync_a_day_over_a_month() -> None:
    # What the local store's tests need: the clock moves one day at a time.
    fake = FakeAPI(seed=0, now=DEFAULT_NOW)
    seen = 0
    for day in range(1, 31):
        fake.now = DEFAULT_NOW + day * DAY
        got = fake.totals("costs", start_time=DEFAULT_NOW + (day - 1) * DAY)
        truth = FakeAPI(seed=0, now=fake.now).totals(
            "costs", start_time=DEFAULT_NOW + (day - 1) * DAY
        )
        assert got == truth
        seen += bool(got)
    assert seen == 30  # every day of the month had spend


def test_a_clock_is_followed_on_every_request() -> None:
    ticks = [DEFAULT_NOW + 10 * HOUR]
    fake = FakeAPI(seed=0, clock=lambda: ticks[0])
    day_start = DEFAULT_NOW
    first = fake.totals("completions", start_time=day_start)[()]["input_tokens"]
    assert fake.now == DEFAULT_NOW + 10 * HOUR
    ticks[0] += 6 * HOUR
    later = fake.totals("completions", start_time=day_start)[()]["input_tokens"]
    assert later > first
    assert (
        later
        == FakeAPI(seed=0, now=ticks[0]).totals("completions", start_time=day_start)[()][
            "input_tokens"
        ]
    )
    fake.set_now(DEFAULT_NOW)  # fixing the clock stops following
    ticks[0] += DAY
    assert fake.now == DEFAULT_NOW and fake.clock is None


def test_datetimes_naive_ones_in_utc() -> None:
    assert FakeAPI(now=datetime(2026, 11, 1)).now == DEFAULT_NOW
    fake = FakeAPI()
    fake.now = datetime(2026, 12, 1, tzinfo=UTC)
    assert fake.now == int(datetime(2026, 12, 1, tzinfo=UTC).timestamp())


def _costs_yesterday(base_url: str) -> list[object]:
    today = int(time.time()) // DAY * DAY
    response = httpx.get(
        f"{base_url}/organization/costs",
        params={"start_time": today - DAY, "end_time": today},
        headers={"Authorization": f"Bearer {DEFAULT_ADMIN_KEY}"},
        timeout=30,
    )
    assert response.status_code == 200
    data: list[object] = response.json()["data"][0]["results"]
    return data


@pytest.mark.parametrize(("now", "has_data"), [(None, False), ("now", True)])
def test_fake_server_now_serves_data_up_to_the_present(now: str | None, has_data: bool) -> None:
    if time.time() < DEFAULT_NOW + 2 * DAY:
        pytest.skip("the machine's clock is before the fake's default now")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("OPENAI_ADMIN_KEY", None)
    args = [sys.executable, "-m", "openai_usage_client", "fake-server", "--port", "0"]
    server = subprocess.Popen(
        [*args, *(["--now", now] if now else [])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", base_url)
        assert bool(_costs_yesterday(base_url)) is has_data
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("step", [1, 59, 60, 61, 3599, 86_400])
def test_small_and_large_steps_of_a_clock_stay_exact(step: int) -> None:
    ticks = [DEFAULT_NOW + 10 * HOUR + 30]
    fake = FakeAPI(seed=0, clock=lambda: ticks[0])
    start = DEFAULT_NOW - DAY
    query = {"bucket_width": "1m", "limit": "1440"}
    path = "/v1/organization/usage/completions"
    for _ in range(3):
        end = ticks[0] + 120
        body = page(fake, path, start_time=ticks[0] - 1800, end_time=end, **query)
        fresh = FakeAPI(seed=0, now=ticks[0])
        assert body == page(fresh, path, start_time=ticks[0] - 1800, end_time=end, **query)
        assert fake.totals("completions", start_time=start) == fresh.totals(
            "completions", start_time=start
        )
        ticks[0] += step
