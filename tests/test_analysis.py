"""Totals, calendar roll-ups, pivots and client-side filters, checked against the fake's data.

Expected values come from ``FakeAPI.totals`` over bounds computed here with plain datetimes,
never from the code under test.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from openai_usage_client import InvalidParameterError, UsageClient
from openai_usage_client._core._rows import Row, rows
from openai_usage_client._core._summarize import model_matches
from openai_usage_client.analysis._rollup import (
    client_side,
    filter_rows,
    measure,
    parse_pivot,
    pivot,
    pivot_group_by,
    rollup,
    totals,
)
from openai_usage_client.testing import BASE_URL, DEFAULT_ADMIN_KEY, FakeAPI

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    return FakeAPI(seed=0)


@pytest.fixture(scope="module")
def client(fake: FakeAPI) -> Iterator[UsageClient]:
    http = httpx.Client(transport=fake.transport())
    with UsageClient(DEFAULT_ADMIN_KEY, base_url=BASE_URL, http_client=http) as c:
        yield c


def fetch(client: UsageClient, endpoint: str, **params: Any) -> list[Row]:
    return list(rows(client.endpoint(endpoint)(**params), endpoint))


def ts(value: datetime) -> int:
    return int(value.timestamp())


def test_totals_per_project_equal_the_fake(client: UsageClient, fake: FakeAPI) -> None:
    start, end = ts(datetime(2026, 10, 1, tzinfo=UTC)), ts(datetime(2026, 11, 1, tzinfo=UTC))
    data = fetch(client, "costs", start_time=start, end_time=end, group_by=["project_id"])
    result = totals(data, ["project_id"], ["amount_value"])
    truth = fake.totals("costs", start_time=start, end_time=end, group_by=["project_id"])
    assert {(r["project_id"],): r["amount_value"] for r in result} == {
        k: v["amount"] for k, v in truth.items()
    }
    assert all(isinstance(r["amount_value"], Decimal) for r in result)
    amounts = [r["amount_value"] for r in result]
    assert amounts == sorted(amounts, reverse=True)
    assert result[0]["start_time"] == datetime(2026, 10, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("first", "last", "short_day", "hours"),
    [
        (datetime(2026, 3, 27), datetime(2026, 3, 31), "2026-03-29", 23),
        (datetime(2026, 10, 23), datetime(2026, 10, 27), "2026-10-25", 25),
    ],
)
def test_local_days_from_hourly_buckets_across_dst(
    client: UsageClient,
    fake: FakeAPI,
    first: datetime,
    last: datetime,
    short_day: str,
    hours: int,
) -> None:
    start, end = ts(first.replace(tzinfo=BERLIN)), ts(last.replace(tzinfo=BERLIN))
    data = fetch(
        client, "completions", start_time=start, end_time=end, bucket_width="1h", group_by=["model"]
    )
    result = rollup(data, "day", BERLIN, ["model"], ["input_tokens", "output_tokens"])
    got = {(r["period"], r["model"]): (r["input_tokens"], r["output_tokens"]) for r in result}
    expected = {}
    day = first
    while day < last:
        lo, hi = ts(day.replace(tzinfo=BERLIN)), ts((day + timedelta(1)).replace(tzinfo=BERLIN))
        if f"{day:%Y-%m-%d}" == short_day:
            assert hi - lo == hours * 3600
        truth = fake.totals("completions", start_time=lo, end_time=hi, group_by=["model"])
        for (model,), v in truth.items():
            expected[(f"{day:%Y-%m-%d}", model)] = (v["input_tokens"], v["output_tokens"])
        day += timedelta(1)
    assert got == expected
    dst = [r for r in result if r["period"] == short_day]
    assert {r["end_time"] - r["start_time"] for r in dst} == {timedelta(days=1)}  # wall clock
    assert {ts(r["end_time"]) - ts(r["start_time"]) for r in dst} == {hours * 3600}
    assert [r["period"] for r in result] == sorted(r["period"] for r in result)


def test_months_and_weeks_of_costs_equal_the_fake(client: UsageClient, fake: FakeAPI) -> None:
    start, end = ts(datetime(2026, 8, 17, tzinfo=UTC)), ts(datetime(2026, 11, 1, tzinfo=UTC))
    data = fetch(client, "costs", start_time=start, end_time=end)
    months = {
        r["period"]: r["amount_value"] for r in rollup(data, "month", UTC, (), ["amount_value"])
    }
    bounds = {
        "2026-08": (start, ts(datetime(2026, 9, 1, tzinfo=UTC))),
        "2026-09": (ts(datetime(2026, 9, 1, tzinfo=UTC)), ts(datetime(2026, 10, 1, tzinfo=UTC))),
        "2026-10": (ts(datetime(2026, 10, 1, tzinfo=UTC)), end),
    }
    assert months == {
        k: fake.totals("costs", start_time=lo, end_time=hi)[()]["amount"]
        for k, (lo, hi) in bounds.items()
    }
    weeks = rollup(data, "week", UTC, (), ["amount_value"], start=datetime(2026, 8, 17, tzinfo=UTC))
    assert weeks[0]["period"] == "2026-W34"  # 17 August 2026 is a Monday
    monday = datetime(2026, 10, 19, tzinfo=UTC)
    week43 = next(r for r in weeks if r["period"] == "2026-W43")
    assert (
        week43["amount_value"]
        == fake.totals("costs", start_time=ts(monday), end_time=ts(monday + timedelta(7)))[()][
            "amount"
        ]
    )
    assert (
        sum((r["amount_value"] for r in weeks), Decimal(0))
        == fake.totals("costs", start_time=start, end_time=end)[()]["amount"]
    )


def test_rollup_refuses_buckets_that_cross_a_local_day(client: UsageClient) -> None:
    start = ts(datetime(2026, 10, 1, tzinfo=UTC))
    data = fetch(client, "completions", start_time=start, end_time=start + 3 * 86400)
    with pytest.raises(ValueError, match="crosses the start of a day in Europe/Berlin"):
        rollup(data, "day", BERLIN)


def test_pivot_day_by_project_equals_the_fake(client: UsageClient, fake: FakeAPI) -> None:
    start = ts(datetime(2026, 10, 25, tzinfo=UTC))
    end = start + 7 * 86400
    data = fetch(client, "costs", start_time=start, end_time=end, group_by=["project_id"])
    table = pivot(data, "day:project_id", "costs")
    assert table.measure.money and table.currency == "usd"
    for i, day in enumerate(table.row_keys):
        lo = start + i * 86400
        assert day == f"{datetime.fromtimestamp(lo, UTC):%Y-%m-%d}"
        truth = fake.totals("costs", start_time=lo, end_time=lo + 86400, group_by=["project_id"])
        assert {k: v for (d, k), v in table.cells.items() if d == day} == {
            p: v["amount"] for (p,), v in truth.items()
        }
    assert table.total == fake.totals("costs", start_time=start, end_time=end)[()]["amount"]
    assert table.total == sum(table.column_totals.values(), Decimal(0))
    first = table.to_rows()[0]
    assert list(first) == table.columns() and first["total"] == table.row_totals[table.row_keys[0]]


def test_pivot_hour_by_model_sums_input_and_output(client: UsageClient, fake: FakeAPI) -> None:
    start = ts(datetime(2026, 10, 31, tzinfo=UTC))
    data = fetch(
        client,
        "completions",
        start_time=start,
        end_time=start + 86400,
        bucket_width="1h",
        group_by=["model"],
    )
    table = pivot(data, "start_time:model", "completions", tz=BERLIN)
    assert table.row_keys[0] == datetime(2026, 10, 31, 1, tzinfo=BERLIN)  # shown in Berlin time
    hour = start + 13 * 3600
    truth = fake.totals("completions", start_time=hour, end_time=hour + 3600, group_by=["model"])
    key = datetime.fromtimestamp(hour, BERLIN)
    assert {m: v for (h, m), v in table.cells.items() if h == key} == {
        m: v["input_tokens"] + v["output_tokens"] for (m,), v in truth.items()
    }
    requests = pivot(data, "model:start_time", "completions", value="num_model_requests")
    day = fake.totals("completions", start_time=start, end_time=start + 86400, group_by=["model"])
    assert requests.row_totals == {m: v["num_model_requests"] for (m,), v in day.items()}


def test_pivot_and_measure_refuse_bad_specs() -> None:
    with pytest.raises(InvalidParameterError) as caught:
        parse_pivot("day", "costs")
    assert caught.value.param == "--pivot" and "line_item" in caught.value.allowed
    for bad in ("day:day", "day:colour", "a:b:c"):
        with pytest.raises(InvalidParameterError):
            parse_pivot(bad, "completions")
    with pytest.raises(InvalidParameterError) as caught:
        measure("completions", "amount_value")
    assert caught.value.param == "--value"
    assert parse_pivot("model:day", "costs") == ("model", "day")
    assert pivot_group_by(["day", "model"], "costs") == ["line_item"]
    assert pivot_group_by(["model", "project_id"], "completions") == ["model", "project_id"]


@pytest.mark.parametrize(
    ("endpoint", "name", "fields", "money"),
    [
        ("costs", "amount_value", ("amount_value",), True),
        ("completions", "tokens", ("input_tokens", "output_tokens"), False),
        ("embeddings", "input_tokens", ("input_tokens",), False),
        ("images", "images", ("images",), False),
        ("web_search_calls", "num_requests", ("num_requests",), False),
        ("vector_stores", "usage_bytes", ("usage_bytes",), False),
    ],
)
def test_main_measure(endpoint: str, name: str, fields: tuple[str, ...], money: bool) -> None:
    chosen = measure(endpoint)
    assert (chosen.name, chosen.fields, chosen.money) == (name, fields, money)


def test_costs_by_user_is_filtered_on_our_side(client: UsageClient, fake: FakeAPI) -> None:
    start = ts(datetime(2026, 10, 1, tzinfo=UTC))
    end = start + 31 * 86400
    by_user = fake.totals("costs", start_time=start, end_time=end, group_by=["user_id"])
    user = next(u for (u,) in sorted(by_user, key=str) if u is not None)
    api, local = client_side(
        "costs",
        {"start_time": start, "end_time": end, "group_by": ["project_id"], "user_ids": [user]},
    )
    assert api == {"start_time": start, "end_time": end, "group_by": ["project_id", "user_id"]}
    assert local == {"user_id": [user]}
    kept = list(filter_rows(fetch(client, "costs", **api), local))
    assert {r["user_id"] for r in kept} == {user}
    assert sum(r["amount_value"] for r in kept) == by_user[(user,)]["amount"]
    # Usage endpoints have a user filter: it is sent. Their model filter matches exact
    # names only, so models are filtered here (snapshots included), grouped by model.
    params = {"start_time": start, "user_ids": [user], "models": ["x"]}
    assert client_side("completions", params) == (
        {"start_time": start, "user_ids": [user], "group_by": ["model"]},
        {"model": ["x"]},
    )


@pytest.mark.parametrize(
    ("model", "wanted", "expected"),
    [
        ("gpt-4.1", "gpt-4.1", True),
        ("gpt-4.1-2025-04-14", "gpt-4.1", True),
        ("gpt-4.1-mini", "gpt-4.1", False),
        ("gpt-4.1-mini-2025-04-14", "gpt-4.1", False),
        ("gpt-4.1-2025-04", "gpt-4.1", False),
        ("gpt-4.1-2025-04-14", "gpt-4.1-2025-04-14", True),
        ("gpt-4o", "gpt-4.1", False),
        (None, "gpt-4.1", False),
    ],
)
def test_a_model_matches_its_name_and_dated_snapshots(
    model: str | None, wanted: str, expected: bool
) -> None:
    assert model_matches(model, wanted) is expected
    row = {"model": model}
    assert list(filter_rows([row], {"model": [wanted]})) == ([row] if expected else [])
    # The same rule on costs, whose model is the line item's first part.
    line = {"line_item": None if model is None else f"{model}, input"}
    assert list(filter_rows([line], {"model": [wanted]})) == ([line] if expected else [])


def test_completions_by_a_model_name_without_its_date(client: UsageClient, fake: FakeAPI) -> None:
    start = ts(datetime(2026, 10, 1, tzinfo=UTC))
    end = start + 7 * 86400
    by_model = fake.totals("completions", start_time=start, end_time=end, group_by=["model"])
    dated = next(m for (m,) in sorted(by_model, key=str) if m and m[-11:-10] == "-")
    name = dated[:-11]  # gpt-4o-mini-2024-07-18 -> gpt-4o-mini
    api, local = client_side(
        "completions", {"start_time": start, "end_time": end, "models": [name]}
    )
    kept = list(filter_rows(fetch(client, "completions", **api), local))
    assert {r["model"] for r in kept} == {m for (m,) in by_model if m and model_matches(m, name)}
    assert (
        sum(r["input_tokens"] for r in kept)
        == sum(t["input_tokens"] for (m,), t in by_model.items() if model_matches(m, name))
        > 0
    )


def test_costs_by_model_reads_the_line_item(client: UsageClient, fake: FakeAPI) -> None:
    start = ts(datetime(2026, 10, 1, tzinfo=UTC))
    end = start + 7 * 86400
    api, local = client_side(
        "costs", {"start_time": start, "end_time": end, "models": ["gpt-4o-2024-08-06"]}
    )
    assert api["group_by"] == ["line_item"]
    kept = list(filter_rows(fetch(client, "costs", **api), local))
    truth = fake.totals("costs", start_time=start, end_time=end, group_by=["line_item"])
    expected = sum(
        v["amount"] for (item,), v in truth.items() if item.startswith("gpt-4o-2024-08-06, ")
    )
    assert kept and sum(r["amount_value"] for r in kept) == expected


def test_pivot_labels_missing_values_and_orders_by_total() -> None:
    day = datetime(2026, 10, 1, tzinfo=UTC)
    base = {"start_time": day, "end_time": day + timedelta(1), "amount_currency": "usd"}
    data = [
        {
            **base,
            "line_item": "web search tool calls",
            "project_id": None,
            "amount_value": Decimal("1.5"),
        },
        {**base, "line_item": "gpt-4o, input", "project_id": "p", "amount_value": Decimal("2")},
        {**base, "line_item": "gpt-4o, output", "project_id": "p", "amount_value": Decimal("0.25")},
    ]
    table = pivot(data, "model:project_id", "costs")
    assert table.columns() == ["model", "p", "(none)", "total"]
    assert table.to_rows() == [
        {"model": "gpt-4o", "p": Decimal("2.25"), "(none)": None, "total": Decimal("2.25")},
        {"model": "(none)", "p": None, "(none)": Decimal("1.5"), "total": Decimal("1.5")},
    ]
    assert table.total == Decimal("3.75")
    with pytest.raises(ValueError, match="several currencies"):
        pivot([*data, {**data[0], "amount_currency": "eur"}], "day:project_id", "costs")


def test_the_public_analysis_module_names_resolve() -> None:
    from openai_usage_client import analysis

    assert len(set(analysis.__all__)) == len(analysis.__all__)
    assert all(getattr(analysis, name) is not None for name in analysis.__all__)
    assert analysis.rollup is rollup and analysis.pivot is pivot
