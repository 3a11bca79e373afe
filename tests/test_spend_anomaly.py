"""Anomalies: the fake's spike day is flagged, its normal weekends are not; the rule's edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from openai_usage_client import UsageClient
from openai_usage_client.spend import ClientSource, find_anomalies
from openai_usage_client.testing import BASE_URL, DEFAULT_ADMIN_KEY, FakeAPI

DAY = 86_400


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    return FakeAPI(seed=0)


@pytest.fixture(scope="module")
def history(fake: FakeAPI) -> list[dict[str, object]]:
    """Costs rows from 70 days before the spike to 70 days after it."""
    spike = fake.org.spike_day * DAY
    client = UsageClient(
        DEFAULT_ADMIN_KEY,
        base_url=BASE_URL,
        http_client=httpx.Client(transport=fake.transport()),
    )
    with client:
        start = datetime.fromtimestamp(spike - 70 * DAY, UTC)
        end = datetime.fromtimestamp(spike + 70 * DAY, UTC)
        return list(ClientSource(client).rows("costs", start, end))


def spike_date(fake: FakeAPI) -> date:
    return datetime.fromtimestamp(fake.org.spike_day * DAY, UTC).date()


def test_the_spike_day_is_flagged_with_its_size(fake: FakeAPI, history: list) -> None:
    day = spike_date(fake)
    now = datetime.combine(day + timedelta(days=2), datetime.min.time(), UTC)
    found = find_anomalies(history, now=now)
    assert found, "the spike was not flagged"
    assert {a.day for a in found} == {day}
    # The spike hits keys 2 and 3 of the organization, both in project 1 (testing/_org.py).
    keys = {fake.org.keys[2].id, fake.org.keys[3].id}
    flagged = {(a.dimension, a.key) for a in found}
    assert ("project", fake.org.projects[1]) in flagged
    assert {k for d, k in flagged if d == "api_key"} <= keys
    # The size is the fake's own: the day's spend against the median of the weekdays before.
    project = next(a for a in found if a.dimension == "project")
    lo = fake.org.spike_day * DAY
    truth = fake.totals(
        "costs", start_time=lo, end_time=lo + DAY, project_ids=[fake.org.projects[1]]
    )[()]["amount"]
    assert project.amount == truth
    assert project.excess == truth - project.baseline > Decimal(1)
    assert project.score is not None and project.score >= 5
    assert project.ratio is not None and project.ratio > 1.5


def test_normal_weeks_and_weekends_are_not_flagged(fake: FakeAPI, history: list) -> None:
    day = spike_date(fake)
    # Ten weeks (each with its weekend) away from the spike: before it, and once it has left
    # the 28-day history of the days checked.
    quiet = [day - timedelta(days=7 * k + 1) for k in range(1, 5)]
    quiet += [day + timedelta(days=30 + 7 * k) for k in range(6)]
    for end in quiet:
        now = datetime.combine(end, datetime.min.time(), UTC)
        assert find_anomalies(history, now=now) == [], end


def flat(days: int, value: str, end: date) -> list[dict[str, object]]:
    return [
        {
            "start_time": datetime.combine(end - timedelta(days=k), datetime.min.time(), UTC),
            "amount_value": Decimal(value),
            "project_id": "proj_a",
            "line_item": "gpt-4o-2024-08-06, input",
            "api_key_id": "key_a",
        }
        for k in range(1, days + 1)
    ]


def test_one_synthetic_spike_on_every_dimension() -> None:
    today = date(2026, 10, 20)
    rows = flat(40, "10", today)
    rows[2] = {**rows[2], "amount_value": Decimal(40)}  # 2026-10-17, a Saturday
    found = find_anomalies(rows, now=datetime(2026, 10, 20, tzinfo=UTC))
    assert [(a.dimension, a.key, a.day) for a in found] == [
        ("api_key", "key_a", date(2026, 10, 17)),
        ("model", "gpt-4o-2024-08-06", date(2026, 10, 17)),
        ("project", "proj_a", date(2026, 10, 17)),
    ]
    assert found[0].to_dict() == {
        "organization": None,
        "dimension": "api_key",
        "key": "key_a",
        "day": "2026-10-17",
        "amount": "40",
        "baseline": "10",
        "excess": "30",
        "ratio": 4.0,
        "score": 60.0,  # 30 / (5% of 10): a perfectly steady series uses the floor
    }


def test_small_excess_and_drops_are_not_flagged() -> None:
    today = date(2026, 10, 20)
    rows = flat(40, "0.10", today)
    rows[1] = {**rows[1], "amount_value": Decimal("0.90")}  # 9x, but 80 cents
    rows[3] = {**rows[3], "amount_value": Decimal("0")}  # a drop
    assert find_anomalies(rows, now=datetime(2026, 10, 20, tzinfo=UTC)) == []
    assert find_anomalies(rows, now=datetime(2026, 10, 20, tzinfo=UTC), min_excess=Decimal("0.5"))[
        0
    ].day == date(2026, 10, 18)


def test_unknown_dimension_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown dimensions"):
        find_anomalies([], now=datetime(2026, 10, 20, tzinfo=UTC), dimensions=["team"])


def test_check_keeps_sums_of_the_rows_not_the_rows() -> None:
    from openai_usage_client.spend._compact import Spent
    from openai_usage_client.spend.anomaly import anomalies_in

    today = date(2026, 10, 20)
    rows = flat(40, "10", today)
    rows[2] = {**rows[2], "amount_value": Decimal(40)}
    # The same day, project and team through another key and line item: summed into one row.
    extra = {**rows[2], "api_key_id": "key_b", "line_item": "gpt-4o-2024-08-06, output",
             "amount_value": Decimal("0.25"), "team": None}  # fmt: skip
    spent = Spent("prod", [*rows, extra])
    day = next(r for r in spent.rows() if r["start_time"] == rows[2]["start_time"])
    assert day == {
        "start_time": rows[2]["start_time"], "amount_value": Decimal("40.25"),
        "amount_currency": None, "project_id": "proj_a", "project_name": None, "team": None,
        "organization": "prod",
    }  # fmt: skip
    assert len(spent.rows()) == 40
    now = datetime(2026, 10, 20, tzinfo=UTC)
    assert anomalies_in(spent.series, now=now, organization="prod") == find_anomalies(
        [*rows, extra], now=now, organization="prod"
    )
    assert spent.series[("api_key", "key_b")] == {date(2026, 10, 17): Decimal("0.25")}
