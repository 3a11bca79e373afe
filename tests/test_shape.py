"""The analysis options of data commands (``analysis.Shape``): requests and results vs the fake."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from openai_usage_client import InvalidParameterError, UsageClient
from openai_usage_client._core._rows import Row, rows
from openai_usage_client._core._table import render
from openai_usage_client.analysis import Shape
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


def run(
    client: UsageClient, shape: Shape, endpoint: str, **params: Any
) -> tuple[dict[str, Any], Any]:
    api = shape.request(endpoint, params)
    data: list[Row] = list(rows(client.endpoint(endpoint)(**api), endpoint))
    start = datetime.fromtimestamp(params["start_time"], UTC)
    end = datetime.fromtimestamp(params["end_time"], UTC)
    return api, shape.apply(endpoint, data, start, end, list(api.get("group_by") or []))


def ts(value: datetime) -> int:
    return int(value.timestamp())


def test_costs_by_user_filtered_here_with_totals(client: UsageClient, fake: FakeAPI) -> None:
    start, end = ts(datetime(2026, 10, 1, tzinfo=UTC)), ts(datetime(2026, 11, 1, tzinfo=UTC))
    truth = fake.totals("costs", start_time=start, end_time=end, group_by=["user_id", "project_id"])
    user = sorted(u for (u, _p) in truth if u is not None)[0]
    api, shaped = run(
        client,
        Shape(totals=True),
        "costs",
        start_time=start,
        end_time=end,
        group_by=["project_id"],
        user_ids=[user],
    )
    assert api["group_by"] == ["project_id", "user_id"] and "user_ids" not in api
    assert shaped.notices == ["filtered by user_id here: the API has no such filter for costs"]
    assert {r["project_id"]: r["amount_value"] for r in shaped.rows} == {
        p: v["amount"] for (u, p), v in truth.items() if u == user
    }
    assert shaped.columns == ["project_id", "user_id", "amount_value"]
    assert shaped.title == "costs: 2026-10-01 00:00 to 2026-11-01 00:00 UTC, totals"


def test_by_day_in_berlin_fetches_hours_and_matches_local_days(
    client: UsageClient, fake: FakeAPI
) -> None:
    start = ts(datetime(2026, 10, 24, tzinfo=BERLIN))
    end = ts(datetime(2026, 10, 27, tzinfo=BERLIN))
    api, shaped = run(
        client, Shape(by="day", tz=BERLIN), "completions", start_time=start, end_time=end
    )
    assert api["bucket_width"] == "1h"
    short = ts(datetime(2026, 10, 25, tzinfo=BERLIN)), ts(datetime(2026, 10, 26, tzinfo=BERLIN))
    assert short[1] - short[0] == 25 * 3600
    day = next(r for r in shaped.rows if r["period"] == "2026-10-25")
    truth = fake.totals("completions", start_time=short[0], end_time=short[1])[()]
    assert (day["input_tokens"], day["output_tokens"]) == (
        truth["input_tokens"],
        truth["output_tokens"],
    )
    assert shaped.title.endswith("Europe/Berlin, by day")
    assert shaped.columns[:2] == ["period", "input_tokens"]
    lines = render(shaped.rows, shaped.columns, width=80)
    assert [line.split()[0] for line in lines[2:5]] == ["2026-10-24", "2026-10-25", "2026-10-26"]


def test_costs_by_day_in_berlin_says_utc(client: UsageClient) -> None:
    start, end = ts(datetime(2026, 10, 1, tzinfo=UTC)), ts(datetime(2026, 10, 8, tzinfo=UTC))
    api, shaped = run(client, Shape(by="day", tz=BERLIN), "costs", start_time=start, end_time=end)
    assert api["bucket_width"] == "1d"
    assert "UTC days" in shaped.notices[0]
    assert shaped.title.startswith("costs: 2026-10-01 00:00 to 2026-10-08 00:00 UTC")
    assert [r["period"] for r in shaped.rows] == [f"2026-10-0{d}" for d in range(1, 8)]


def test_pivot_adds_its_grouping_and_shows_money(client: UsageClient, fake: FakeAPI) -> None:
    start, end = ts(datetime(2026, 10, 1, tzinfo=UTC)), ts(datetime(2026, 10, 4, tzinfo=UTC))
    api, shaped = run(
        client, Shape(pivot="day:project_id"), "costs", start_time=start, end_time=end
    )
    assert api["group_by"] == ["project_id"]
    truth = fake.totals("costs", start_time=start, end_time=start + 86400, group_by=["project_id"])
    first = shaped.rows[0]
    assert first["day"] == "2026-10-01"
    cells = {k: v for k, v in first.items() if k not in ("day", "total") and v is not None}
    assert cells == {p or "(none)": v["amount"] for (p,), v in truth.items()}
    assert shaped.money == shaped.columns[1:] and shaped.columns[-1] == "total"
    assert shaped.title.endswith("amount_value by day and project_id")


def test_bad_combinations_fail_before_any_request() -> None:
    with pytest.raises(InvalidParameterError) as caught:
        Shape(totals=True, by="day").check("costs")
    assert caught.value.param == "--by"
    with pytest.raises(InvalidParameterError) as caught:
        Shape(value="images").check("completions")
    assert caught.value.param == "--value"
    with pytest.raises(InvalidParameterError) as caught:
        Shape(pivot="day:colour").check("completions")
    assert caught.value.param == "--pivot"
    with pytest.raises(InvalidParameterError) as caught:
        Shape(money_decimals=20).check("costs")
    assert caught.value.param == "--money-decimals"
    with pytest.raises(InvalidParameterError) as caught:
        Shape(columns="amount_value,colour").apply(
            "costs", [], datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 2, tzinfo=UTC), []
        )
    assert caught.value.param == "--columns"


def test_tables_show_the_currency_the_costs_are_in() -> None:
    import io
    from datetime import timedelta
    from decimal import Decimal

    from openai_usage_client._cli._analysis_options import write_shaped

    day = datetime(2026, 10, 1, tzinfo=UTC)
    data = [
        {
            "start_time": day,
            "end_time": day + timedelta(1),
            "project_id": "p",
            "amount_value": Decimal("1234.5"),
            "amount_currency": "eur",
        },
    ]
    shape = Shape(totals=True)
    shape.request(
        "costs", {"start_time": ts(day), "end_time": ts(day) + 86400, "group_by": ["project_id"]}
    )
    shaped = shape.apply("costs", data, day, day + timedelta(1), ["project_id"])
    assert shaped.currency == "eur"
    out = io.StringIO()
    assert write_shaped(shaped, "table", out, shape) == 1
    assert out.getvalue().splitlines()[4].endswith("1,234.50 EUR")
    table = Shape(pivot="day:project_id")
    table.request("costs", {"start_time": ts(day), "end_time": ts(day) + 86400})
    assert table.apply("costs", data, day, day + timedelta(1), ["project_id"]).currency == "eur"
