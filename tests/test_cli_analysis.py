"""``--totals``, ``--by``, ``--pivot``, ``--tz``, ``--columns``, ``--money-decimals``, costs
``--user-id`` and the report's new options, run through ``main`` against the fake.

Expected numbers come from ``FakeAPI.totals`` over bounds computed here with plain datetimes.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from _cli_run import run as _run

from openai_usage_client import summarize
from openai_usage_client.testing import FakeAPI

pytestmark = pytest.mark.usefixtures("no_ambient_key")

BERLIN = ZoneInfo("Europe/Berlin")
OCTOBER = ["--start", "2026-10-01", "--end", "2026-11-01"]
OCT1, NOV1 = 1_790_812_800, 1_793_491_200


#: The one CLI runner (``_cli_run.run``) with this module's global options.
run = partial(_run, "--fake")


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    return FakeAPI(seed=0)


def ts(value: datetime) -> int:
    return int(value.timestamp())


def test_costs_totals_per_project(capsys: pytest.CaptureFixture[str], fake: FakeAPI) -> None:
    code, out, _ = run("costs", *OCTOBER, "--group-by", "project_id", "--totals", "-f", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    truth = fake.totals("costs", start_time=OCT1, end_time=NOV1, group_by=["project_id"])
    assert {r["project_id"]: Decimal(r["amount_value"]) for r in rows} == {
        p: v["amount"] for (p,), v in truth.items()
    }
    assert {r["start_time"] for r in rows} == {"2026-10-01T00:00:00Z"}
    # Money totals say their currency, and every decimal is written without trailing zeros.
    assert list(rows[0]) == [
        "start_time", "end_time", "project_id", "amount_value", "amount_currency", "rows",
    ]  # fmt: skip
    assert {r["amount_currency"] for r in rows} == {"usd"}
    for r in rows:
        assert r["amount_value"] == format(Decimal(r["amount_value"]).normalize(), "f")
        assert not r["amount_value"].endswith("0")
    code, out, _ = run("costs", *OCTOBER, "--group-by", "project_id", "--totals", "-f", "json")
    assert list(json.loads(out)[0])[3:5] == ["amount_value", "amount_currency"]
    # The table: one row per project, money in cents, and the exact total.
    code, out, _ = run("costs", *OCTOBER, "--group-by", "project_id", "--totals", "-f", "table")
    lines = out.splitlines()
    assert lines[0] == "costs: 2026-10-01 00:00 to 2026-11-01 00:00 UTC, totals"
    total = fake.totals("costs", start_time=OCT1, end_time=NOV1)[()]["amount"]
    assert lines[-1].split()[-1] == f"${total.quantize(Decimal('0.01')):,}"
    assert len(lines) == 2 + 2 + len(truth) + 2  # title, blank, header, rule; rule, total


@pytest.mark.parametrize(
    ("day", "hours"), [(datetime(2026, 3, 29), 23), (datetime(2026, 10, 25), 25)]
)
def test_by_day_in_a_zone_on_dst_days(
    capsys: pytest.CaptureFixture[str], fake: FakeAPI, day: datetime, hours: int
) -> None:
    before, after = day - timedelta(1), day + timedelta(2)
    args = ["completions", "--start", f"{before:%Y-%m-%d}", "--end", f"{after:%Y-%m-%d}"]
    code, out, _ = run(*args, "--by", "day", "--tz", "Europe/Berlin", "-f", "json")
    assert code == 0
    got = {r["period"]: r for r in json.loads(out)}
    assert list(got) == [f"{d:%Y-%m-%d}" for d in (before, day, day + timedelta(1))]
    lo, hi = ts(day.replace(tzinfo=BERLIN)), ts((day + timedelta(1)).replace(tzinfo=BERLIN))
    assert hi - lo == hours * 3600
    truth = fake.totals("completions", start_time=lo, end_time=hi)[()]
    short = got[f"{day:%Y-%m-%d}"]
    assert (short["input_tokens"], short["output_tokens"], short["num_model_requests"]) == (
        truth["input_tokens"],
        truth["output_tokens"],
        truth["num_model_requests"],
    )
    offset = "+01:00" if day.month == 3 else "+02:00"
    assert short["start_time"] == f"{day:%Y-%m-%d}T00:00:00{offset}"
    # Summed from hourly buckets (a 1d bucket would straddle Berlin's midnight and be refused).
    assert 1 < short["rows"] <= hours


def test_weeks_and_months(capsys: pytest.CaptureFixture[str], fake: FakeAPI) -> None:
    code, out, _ = run(
        "costs",
        "--start",
        "2026-08-01",
        "--end",
        "2026-11-01",
        "--by",
        "month",
        "-f",
        "json",
    )
    assert code == 0
    months = {
        r["period"]: Decimal(str(r["amount_value"])) for r in json.loads(out, parse_float=Decimal)
    }
    bounds = [datetime(2026, m, 1, tzinfo=UTC) for m in (8, 9, 10, 11)]
    assert months == {
        f"{lo:%Y-%m}": fake.totals("costs", start_time=ts(lo), end_time=ts(hi))[()]["amount"]
        for lo, hi in itertools.pairwise(bounds)
    }
    code, out, _ = run("costs", *OCTOBER, "--by", "week", "-f", "csv")
    weeks = list(csv.DictReader(io.StringIO(out)))
    assert [w["period"] for w in weeks] == [
        "2026-W40",
        "2026-W41",
        "2026-W42",
        "2026-W43",
        "2026-W44",
    ]
    monday = datetime(2026, 10, 12, tzinfo=UTC)
    assert (
        Decimal(weeks[2]["amount_value"])
        == fake.totals("costs", start_time=ts(monday), end_time=ts(monday + timedelta(7)))[()][
            "amount"
        ]
    )


def test_pivot_day_by_project(capsys: pytest.CaptureFixture[str], fake: FakeAPI) -> None:
    code, out, _ = run(
        "costs",
        "--start",
        "2026-10-28",
        "--end",
        "2026-11-01",
        "--pivot",
        "day:project_id",
        "-f",
        "csv",
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["day"] for r in rows] == ["2026-10-28", "2026-10-29", "2026-10-30", "2026-10-31"]
    for i, row in enumerate(rows):
        lo = ts(datetime(2026, 10, 28, tzinfo=UTC)) + i * 86400
        truth = fake.totals("costs", start_time=lo, end_time=lo + 86400, group_by=["project_id"])
        cells = {k: Decimal(v) for k, v in row.items() if k not in ("day", "total") and v}
        assert cells == {p: t["amount"] for (p,), t in truth.items()}
        assert Decimal(row["total"]) == sum(t["amount"] for t in truth.values())


def test_pivot_hour_by_model_fits_and_sums_tokens(
    capsys: pytest.CaptureFixture[str], fake: FakeAPI
) -> None:
    args = ["completions", "--start", "2026-10-31", "--end", "2026-11-01", "--bucket-width", "1h"]
    code, out, _ = run(*args, "--pivot", "start_time:model", "-f", "json")
    assert code == 0
    rows = json.loads(out)
    hour = ts(datetime(2026, 10, 31, 9, tzinfo=UTC))
    nine = next(r for r in rows if r["start_time"] == "2026-10-31T09:00:00Z")
    truth = fake.totals("completions", start_time=hour, end_time=hour + 3600, group_by=["model"])
    assert {
        k: v for k, v in nine.items() if k not in ("start_time", "total") and v is not None
    } == {m: t["input_tokens"] + t["output_tokens"] for (m,), t in truth.items()}
    code, out, _ = run(
        *args, "--pivot", "model:start_time", "--value", "num_model_requests", "-f", "csv"
    )
    per_model = {r["model"]: int(r["total"]) for r in csv.DictReader(io.StringIO(out))}
    day = fake.totals(
        "completions", start_time=hour - 9 * 3600, end_time=hour + 15 * 3600, group_by=["model"]
    )
    assert per_model == {m: t["num_model_requests"] for (m,), t in day.items()}


def test_tables_fit_the_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = [
        "completions",
        "--start",
        "2026-10-31",
        "--end",
        "2026-11-01",
        "--bucket-width",
        "1h",
        "--group-by",
        "model",
        "-f",
        "table",
    ]
    monkeypatch.setenv("COLUMNS", "100")
    _, out, _ = run(*args)
    lines = out.splitlines()
    assert max(map(len, lines)) <= 100
    assert lines[2].split() == ["start", "model", "input", "cached", "input", "output", "requests"]
    monkeypatch.setenv("COLUMNS", "60")
    _, out, _ = run(*args)
    assert max(map(len, out.splitlines())) <= 60
    assert "gpt-4o-mini…" in out
    _, out, _ = run(*args, "--wide")
    assert max(map(len, out.splitlines())) > 200  # --wide: every column, unfitted
    _, out, _ = run(*args, "--columns", "model,output_tokens")
    assert out.splitlines()[2].split() == ["model", "output"]


def test_csv_columns_and_money_decimals(capsys: pytest.CaptureFixture[str], fake: FakeAPI) -> None:
    args = ["costs", *OCTOBER, "--group-by", "project_id", "--totals", "-f", "csv"]
    _, out, _ = run(*args, "--columns", "project_id,amount_value", "--money-decimals", "2")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["project_id", "amount_value"]
    truth = fake.totals("costs", start_time=OCT1, end_time=NOV1, group_by=["project_id"])
    assert {r[0]: r[1] for r in rows[1:]} == {
        p: f"{v['amount'].quantize(Decimal('0.01'))}" for (p,), v in truth.items()
    }


def test_costs_user_id_is_filtered_here(capsys: pytest.CaptureFixture[str], fake: FakeAPI) -> None:
    by_user = fake.totals("costs", start_time=OCT1, end_time=NOV1, group_by=["user_id"])
    user = sorted(u for (u,) in by_user if u is not None)[1]
    code, out, err = run("costs", *OCTOBER, "--user-id", user, "--totals", "-f", "json")
    assert code == 0
    (row,) = json.loads(out, parse_float=Decimal)
    assert (row["user_id"], row["amount_value"]) == (user, by_user[(user,)]["amount"])
    assert "the API has no such filter" in err
    _, help_text, _ = run("costs", "--help")
    assert "Filtered client-side" in help_text


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["completions", "--tz", "Mars/Olympus"], "--tz"),
        (["completions", "--pivot", "day:colour"], "--pivot"),
        (["completions", "--totals", "--by", "day"], "--by"),
        (["completions", "--value", "images", "--pivot", "day:model"], "--value"),
        (["costs", "--columns", "price"], "--columns"),
        (["costs", "--totals", "-o", "/tmp/x.parquet"], "--format"),
    ],
)
def test_bad_analysis_options_exit_2(
    capsys: pytest.CaptureFixture[str], fake: FakeAPI, args: list[str], named: str
) -> None:
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert named in err


def test_report_json_and_calendar_month(capsys: pytest.CaptureFixture[str], fake: FakeAPI) -> None:
    code, out, _ = run("report", "--last-month", "--format", "json")
    assert code == 0
    doc: dict[str, Any] = json.loads(out)
    assert doc["period"]["start"] == "2026-10-01T00:00:00Z"
    assert doc["period"]["chosen_by"] == "calendar month October 2026"
    truth = fake.totals("costs", start_time=OCT1, end_time=NOV1, group_by=["project_id"])
    assert Decimal(doc["total"]) == sum(v["amount"] for v in truth.values())
    assert [(p["project_id"], Decimal(p["amount"])) for p in doc["by_project"]] == sorted(
        ((p, v["amount"]) for (p,), v in truth.items()), key=lambda kv: -kv[1]
    )
    code, out, _ = run("report", "--last-month", "--tz", "Europe/Berlin", "--top", "2")
    # Costs come in UTC days: October in Berlin (31 days and an hour) is read as the 31
    # UTC days of October, and the header says so (report/_period.py).
    assert out.splitlines()[:2] == [
        "OpenAI usage report: 2026-10-01 00:00 to 2026-11-01 00:00 UTC",
        "Period: calendar month October 2026: 31 days, last day 2026-10-31",
    ]
    # Wrapped at 80 columns: the output is not a terminal.
    assert (
        "Note: costs come in UTC days: the report covers the UTC days 2026-10-01 to\n"
        "  2026-10-31, the dates of the period in Europe/Berlin\n"
    ) in out
    assert "Top keys and users by model" in out
    code, out, err = run("report", "--last-month", "--start", "7d")
    assert code == 2 and "--last-month names the period" in err
    # One chooser for every command (#35): --days counts back from --end, as in reconcile.
    code, out, err = run("report", "--start", "2026-10-01", "--days", "3")
    assert (code, out) == (2, "")
    assert err == "openai-usage: error: --days counts back from --end: not with --start\n"


def test_report_filters_and_markdown(capsys: pytest.CaptureFixture[str], fake: FakeAPI) -> None:
    keys = fake.totals(
        "costs", start_time=OCT1, end_time=NOV1, group_by=["api_key_id", "line_item"]
    )
    key = sorted(k for (k, _i) in keys if k is not None)[0]
    code, out, _ = run("report", "--last-month", "--api-key-id", key, "-f", "markdown")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "# OpenAI usage report: 2026-10-01 00:00 to 2026-11-01 00:00 UTC"
    assert f"Filters: API key {key}." in lines[2]
    spent = [
        {"model": i.split(", ")[0] if ", " in i else None, "amount_value": v["amount"]}
        for (k, i), v in keys.items()
        if k == key
    ]
    expected = summarize(spent, by=["model"], fields=["amount_value"])
    at = lines.index("## Spend by model")
    first = lines[at + 4]
    assert first.startswith(f"| {expected[0]['model']} | ${expected[0]['amount_value']:,.2f} |")


def test_costs_by_local_day_fall_back_to_the_same_utc_days(
    capsys: pytest.CaptureFixture[str], fake: FakeAPI
) -> None:
    args = ["costs", "--start", "last-week", "--end", "this-week", "--tz", "Europe/Berlin"]
    code, out, err = run(*args, "--by", "day", "-f", "csv")
    assert code == 0 and "UTC days, not Europe/Berlin ones" in err
    rows = list(csv.DictReader(io.StringIO(out)))
    monday = datetime(2026, 10, 19, tzinfo=UTC)  # last ISO week, as UTC days
    assert [r["period"] for r in rows] == [f"{monday + timedelta(i):%Y-%m-%d}" for i in range(7)]
    for i, row in enumerate(rows):
        lo = ts(monday) + i * 86400
        assert (
            Decimal(row["amount_value"])
            == fake.totals("costs", start_time=lo, end_time=lo + 86400)[()]["amount"]
        )


def test_project_names_become_ids(capsys: pytest.CaptureFixture[str], fake: FakeAPI) -> None:
    with fake.client() as http:
        listed = http.get("/organization/projects", params={"limit": 100}).json()["data"]
    data_science = next(p["id"] for p in listed if p["name"] == "Data science")
    code, out, _ = run("costs", *OCTOBER, "--project", "data science", "--totals", "-f", "json")
    assert code == 0
    (row,) = json.loads(out, parse_float=Decimal)
    truth = fake.totals("costs", start_time=OCT1, end_time=NOV1, project_ids=[data_science])
    assert row["amount_value"] == truth[()]["amount"]
    code, out, _ = run("report", "--last-month", "--project", "Data science", "-f", "json")
    assert json.loads(out)["filters"] == {"project_ids": [data_science]}
    code, out, err = run("completions", "--project", "Nope")
    assert code == 2 and "invalid --project='Nope': a project name: " in err and "Web app" in err


def test_pivot_with_names_and_a_narrow_terminal(
    capsys: pytest.CaptureFixture[str], fake: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = {p["id"]: p["name"] for p in fake.directory.projects}
    code, out, _ = run("costs", *OCTOBER, "--pivot", "week:project_id", "-f", "csv",
                       "--names")  # fmt: skip
    assert code == 0
    header = out.splitlines()[0].split(",")
    assert header[0] == "week" and header[-1] == "total"
    projects = fake.totals("costs", start_time=OCT1, end_time=NOV1, group_by=["project_id"])
    assert {h.removesuffix(" (archived)") for h in header[1:-1]} == {
        names[p] for (p,) in projects if p is not None
    }
    # Too narrow for every week: weeks are left out from the right, never the total.
    monkeypatch.setenv("COLUMNS", "60")
    code, out, _ = run("costs", *OCTOBER, "--pivot", "project_id:week", "--names", "-f", "table")
    lines = out.splitlines()
    assert lines[:2] == [  # the title wraps too
        "costs: 2026-10-01 00:00 to 2026-11-01 00:00 UTC,",
        "  amount_value by project_id and week",
    ]
    assert lines[3].split()[-1] == "total" and max(len(line) for line in lines) <= 60
    assert lines[-1] == "(not shown: 2026-W43, 2026-W44; see --columns, --wide)"
    assert lines[5].startswith(names[ranked_first(fake)])


def ranked_first(fake: FakeAPI) -> str:
    projects = fake.totals("costs", start_time=OCT1, end_time=NOV1, group_by=["project_id"])
    return max((v["amount"], p) for (p,), v in projects.items() if p is not None)[1]
