"""Terminal tables that fit (``_core/_table``), money as money, and CSV/JSON with chosen columns."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx
import pytest

from openai_usage_client import InvalidParameterError, UsageClient
from openai_usage_client._core._rows import Row, columns, rows
from openai_usage_client._core._table import (
    Layout,
    all_columns,
    default_columns,
    kinds_of,
    pick_columns,
    render,
    write_csv,
    write_json,
    write_jsonl,
)
from openai_usage_client.testing import BASE_URL, DEFAULT_ADMIN_KEY, FakeAPI

DAY = datetime(2026, 10, 31, tzinfo=UTC)


@pytest.fixture(scope="module")
def hourly() -> Iterator[list[Row]]:
    fake = FakeAPI(seed=0)
    http = httpx.Client(transport=fake.transport())
    with UsageClient(DEFAULT_ADMIN_KEY, base_url=BASE_URL, http_client=http) as client:
        start = int(DAY.timestamp())
        stream = client.usage.completions(
            start_time=start, end_time=start + 86400, bucket_width="1h", group_by=["model"]
        )
        yield list(rows(stream, "completions"))


def test_completions_by_model_at_1h_fit_in_100_columns(hourly: list[Row]) -> None:
    shown = default_columns("completions", hourly)
    assert shown == [
        "start_time",
        "model",
        "input_tokens",
        "input_cached_tokens",
        "output_tokens",
        "num_model_requests",
    ]
    lines = render(hourly, shown, width=100)
    assert max(map(len, lines)) <= 100
    assert lines[0].split() == ["start", "model", "input", "cached", "input", "output", "requests"]
    assert "…" not in "".join(lines)  # nothing had to be cut at 100 columns
    total = lines[-1].split()
    assert total[:3] == ["total", f"({len(hourly)}", "rows)"]
    assert total[3] == f"{sum(r['input_tokens'] for r in hourly):,}"
    assert total[-1] == f"{sum(r['num_model_requests'] for r in hourly):,}"
    wide = render(hourly, all_columns(hourly, columns("completions")))
    assert max(map(len, wide)) > 200  # what --wide gives, unfitted


def test_60_columns_cut_names_never_numbers(hourly: list[Row]) -> None:
    lines = render(hourly, default_columns("completions", hourly), width=60)
    assert max(map(len, lines)) <= 60
    assert all(line.count("\n") == 0 for line in lines)
    body = lines[2 : 2 + len(hourly)]
    assert any("gpt-4o-mini…" in line for line in body)
    first = hourly[0]
    assert body[0].split()[:2] == [f"{DAY:%Y-%m-%d}", "00:00"]
    assert f"{first['input_tokens']:,}" in body[0].split()
    assert lines[-1].startswith("(not shown: num_model_requests")
    assert f"{sum(r['input_tokens'] for r in hourly):,}" in lines[-2].split()


def test_times_follow_the_zone(hourly: list[Row]) -> None:
    lines = render(hourly, ["start_time", "model"], layout=Layout(tz=ZoneInfo("Europe/Berlin")))
    assert lines[2].startswith("2026-10-31 01:00")  # 00:00Z is 01:00 in Berlin (CET)


def money_rows() -> list[Row]:
    day = datetime(2026, 10, 1, tzinfo=UTC)
    return [
        {"start_time": day, "end_time": day + timedelta(1), "project_id": p, "amount_value": v}
        for p, v in [
            ("proj_a", Decimal("2.695")),
            ("proj_b", Decimal("0.004")),
            ("proj_c", Decimal("0.004")),
            ("proj_d", Decimal("1234.5")),
        ]
    ]


def test_money_in_cents_right_aligned_with_an_exact_total() -> None:
    data = money_rows()
    lines = render(data, ["start_time", "project_id", "amount_value"])
    assert lines[0].split() == ["start", "project_id", "amount"]
    cells = [line[-9:] for line in lines[2:6]]
    assert cells == ["    $2.70", "    $0.00", "    $0.00", "$1,234.50"]
    assert lines[-1].endswith("$1,237.20")  # the exact 1237.203, rounded once
    assert lines[2].split()[:2] == ["2026-10-01", "proj_a"]  # whole days print as dates
    euros = render(
        data[:1], ["project_id", "amount_value"], layout=Layout(currency="eur", total=None)
    )
    assert euros[2].endswith("2.70 EUR") and len(euros) == 3


def test_total_is_exact_not_a_sum_of_rounded_cells() -> None:
    day = datetime(2026, 10, 1, tzinfo=UTC)
    data = [{"start_time": day, "amount_value": Decimal("0.004")} for _ in range(3)]
    lines = render(data, ["start_time", "amount_value"])
    assert [line.split()[-1] for line in lines[2:5]] == ["$0.00"] * 3
    assert lines[-1].endswith("$0.01")  # 0.012, not 3 x $0.00


def test_columns_are_checked() -> None:
    available = columns("costs")
    assert pick_columns("project_id, amount_value", available) == ["project_id", "amount_value"]
    with pytest.raises(InvalidParameterError) as caught:
        pick_columns("project_id,price", available)
    assert caught.value.param == "--columns" and "amount_value" in caught.value.allowed
    assert kinds_of(money_rows(), ["start_time", "project_id", "amount_value"]) == {
        "start_time": "time",
        "project_id": "text",
        "amount_value": "money",
    }


def test_csv_keeps_exact_decimals_or_rounds_money_when_asked() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    data = [{**r, "start_time": r["start_time"].astimezone(berlin)} for r in money_rows()]
    out = io.StringIO()
    assert write_csv(data, ["start_time", "project_id", "amount_value"], out) == 4
    parsed = list(csv.reader(io.StringIO(out.getvalue())))
    assert parsed[1] == ["2026-10-01T02:00:00+02:00", "proj_a", "2.695"]
    out = io.StringIO()
    write_csv(data, ["project_id", "amount_value"], out, money_decimals=2)
    assert [r[1] for r in csv.reader(io.StringIO(out.getvalue()))][1:] == [
        "2.70",
        "0.00",
        "0.00",
        "1234.50",
    ]
    out = io.StringIO()
    write_csv(money_rows(), ["start_time"], out)
    assert out.getvalue().splitlines()[1] == "2026-10-01T00:00:00Z"


def test_json_and_jsonl_keep_every_digit() -> None:
    out = io.StringIO()
    assert write_json(money_rows(), ["project_id", "amount_value"], out) == 4
    parsed = json.loads(out.getvalue(), parse_float=Decimal)
    assert parsed[0] == {"project_id": "proj_a", "amount_value": Decimal("2.695")}
    out = io.StringIO()
    write_jsonl(money_rows()[:1], ["start_time", "amount_value"], out)
    assert out.getvalue() == '{"start_time":"2026-10-01T00:00:00Z","amount_value":2.695}\n'
    out = io.StringIO()
    write_json([], ["x"], out)
    assert out.getvalue() == "[]\n"


def test_every_endpoints_table_titles_each_column_once() -> None:
    """web_search_calls has ``num_requests`` (calls) and ``num_model_requests`` (requests):
    two columns titled ``requests`` could not be told apart (issue 20)."""
    from openai_usage_client._core._endpoints import ENDPOINTS
    from openai_usage_client._core._table import HEADERS

    for endpoint in ENDPOINTS:
        titles = [HEADERS.get(c, c) for c in columns(endpoint)]
        assert len(titles) == len(set(titles)), endpoint
    assert HEADERS["num_requests"] == "calls"


def test_names_cut_to_fit_stay_apart() -> None:
    from openai_usage_client._core._table import render

    rows = [
        {"project_name": "Customer analytics platform (east)", "amount_value": Decimal("2.5")},
        {"project_name": "Customer analytics platform (west)", "amount_value": Decimal("1.5")},
    ]
    lines = render(rows, ["project_name", "amount_value"], width=24)
    labels = [line.rsplit("  ", 1)[0].strip() for line in lines[2:4]]
    assert labels == ["Custome…m (east)", "Custome…m (west)"]  # not "Customer an…" twice
    assert max(len(line) for line in lines) <= 24
