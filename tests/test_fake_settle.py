"""The fake's late-settling costs: lower and incomplete near ``now``, final later."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from _store_helpers import DAY, client_for, ts

from openai_usage_client import rows
from openai_usage_client.testing import FakeAPI

DAY0 = ts("2026-10-10")


def _day(fake: FakeAPI, day: int) -> dict[Any, Decimal]:
    with client_for(fake) as client:
        stream = client.endpoint("costs")(
            start_time=day, end_time=day + DAY, group_by=["project_id", "line_item"]
        )
        return {(r["project_id"], r["line_item"]): r["amount_value"] for r in rows(stream)}


def test_costs_settle_late_line_by_line_and_a_few_downwards() -> None:
    final = _day(FakeAPI(0, now=DAY0 + 10 * DAY), DAY0)
    seen = [_day(FakeAPI(0, now=DAY0 + k * DAY, settle_days=2), DAY0) for k in (1, 2, 3, 4)]

    def compared(day: dict[Any, Decimal]) -> tuple[int, int, int]:
        return (
            sum(day[k] < final[k] for k in day),
            sum(day[k] > final[k] for k in day),
            sum(day[k] == final[k] for k in day),
        )

    # The day after: lines still arriving, none final; most lower, a few higher. (Each billing
    # line settles on its own before grouping: a group is final once all of its lines are.)
    assert set(seen[0]) < set(final)
    assert compared(seen[0]) == (35, 5, 0)
    # Two days after: every line there; groups of one-day-lag lines final, the others not yet.
    assert set(seen[1]) == set(final)
    assert compared(seen[1]) == (24, 7, 24)
    # A line reported high is revised downwards as it settles.
    assert any(seen[0][k] > seen[1][k] for k in seen[0])
    # Settled from then on: exactly the final values, which the ground truth gives.
    assert seen[2] == final and seen[3] == final
    truth = FakeAPI(0, now=DAY0 + DAY, settle_days=2).totals(
        "costs", start_time=DAY0, end_time=DAY0 + DAY, group_by=["project_id", "line_item"]
    )
    assert {k: v["amount"] for k, v in truth.items()} == final


def test_lags_run_from_one_to_settle_days() -> None:
    final = _day(FakeAPI(0, now=DAY0 + 10 * DAY), DAY0)
    final_at = {
        age: {k for k, v in _day(FakeAPI(0, now=DAY0 + (age + 1) * DAY, settle_days=3),
                                 DAY0).items() if v == final[k]}
        for age in (0, 1, 2, 3)
    }  # fmt: skip
    assert final_at[0] == set()
    assert set() < final_at[1] < final_at[2] < final_at[3] == set(final)


def test_settling_is_deterministic_and_off_by_default() -> None:
    now = DAY0 + DAY
    assert _day(FakeAPI(0, now=now, settle_days=2), DAY0) == _day(
        FakeAPI(0, now=now, settle_days=2), DAY0
    )
    assert _day(FakeAPI(0, now=now), DAY0) == _day(FakeAPI(0, now=DAY0 + 9 * DAY), DAY0)
    with pytest.raises(ValueError, match="settle_days"):
        FakeAPI(0, settle_days=-1)


def test_usage_is_there_within_the_hour_while_costs_settle_late() -> None:
    def tokens(now: int, day: int, width: str = "1d") -> dict[Any, int]:
        with client_for(FakeAPI(0, now=now, settle_days=2)) as client:
            stream = client.usage.completions(
                start_time=day, end_time=min(day + DAY, now), bucket_width=width,
                group_by=["project_id", "model"],
            )  # fmt: skip
            return {(r["project_id"], r["model"], r["start_time"]): r["input_tokens"]
                    for r in rows(stream)}  # fmt: skip

    final = tokens(DAY0 + 10 * DAY, DAY0)
    # An hour into the next day, while its costs are still settling, its usage is final.
    assert tokens(DAY0 + DAY + 3600, DAY0) == final
    assert tokens(DAY0 + DAY + 60, DAY0) != final
    assert _day(FakeAPI(0, now=DAY0 + DAY + 3600, settle_days=2), DAY0) != _day(
        FakeAPI(0, now=DAY0 + 10 * DAY), DAY0
    )
    # At 18:00 on the day itself: every hour before 17:00 is final; the last hour's
    # activity is partly there (90% to 100% per line), so the day moves a fraction of 1%.
    at_six = DAY0 + 18 * 3600
    hourly, truth = tokens(at_six, DAY0, "1h"), tokens(at_six + 2 * 3600, DAY0, "1h")
    assert {k: v for k, v in hourly.items() if k[2].hour < 17} == {
        k: v for k, v in truth.items() if k[2].hour < 17
    }
    last = [(hourly[k], truth[k]) for k in truth if k[2].hour == 17]
    assert (len(last), sum(a < b for a, b in last)) == (3, 3)
    assert all(b * 0.9 - 1 <= a <= b for a, b in last)
    day_now = sum(tokens(at_six, DAY0).values())
    day_truth = sum(v for k, v in truth.items() if k[2].hour < 18)
    assert day_now < day_truth and (day_truth - day_now) / day_truth < 0.005
    # An old day reads the same at both clocks.
    old = DAY0 - 10 * DAY
    assert tokens(DAY0 + DAY, old) == tokens(DAY0 + 2 * DAY, old) == tokens(DAY0 + 10 * DAY, old)
