"""Periods that mean what they say (issues 20 and 25): N days show N days and average over
them, a local zone reads the UTC days of the same dates, a store is read in whole days at any
time of day, the future is not zero spend, durations read as people write them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from _cli_run import run

from openai_usage_client import InvalidParameterError
from openai_usage_client.report._period import duration, report_period
from openai_usage_client.store import Store
from openai_usage_client.testing import DEFAULT_NOW, FakeAPI
from tests._store_helpers import DAY, client_for, ts

pytestmark = pytest.mark.usefixtures("no_ambient_key")


BERLIN = ZoneInfo("Europe/Berlin")
NOON = DEFAULT_NOW + 5 * DAY + 12 * 3600  # 2026-11-06 12:00 UTC
#: The clock of a report over a store at noon (--fake sets the clock; --db reads the file).
AT_NOON = ("--fake", "--fake-now", "2026-11-06T12:00Z")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (3 * DAY, "3 days"),
        (19 * DAY + 13 * 3600, "19 days 13 h"),
        (DAY, "1 day"),
        (31 * DAY + 3600, "31 days 1 h"),
        (5 * 3600, "5 h"),
        (40 * 60, "40 min"),
        (0, "0 min"),
    ],
)
def test_durations_read_as_people_write_them(seconds: int, text: str) -> None:
    assert duration(seconds) == text


def test_three_local_days_are_the_three_utc_days_of_the_same_dates() -> None:
    # --days 3 --tz Europe/Berlin at 2026-11-01 10:00 Berlin: 29, 30, 31 October in Berlin,
    # which begin at 22:00/23:00 UTC the day before.
    start = int(datetime(2026, 10, 29, tzinfo=BERLIN).timestamp())
    end = int(datetime(2026, 11, 1, tzinfo=BERLIN).timestamp())
    chosen = report_period(start, end, DEFAULT_NOW + 10 * 3600, BERLIN)
    assert (chosen.start, chosen.end) == (ts("2026-10-29"), ts("2026-11-01"))
    assert chosen.utc_days
    assert chosen.notices == (
        "costs come in UTC days: the report covers the UTC days 2026-10-29 to 2026-10-31, "
        "the dates of the period in Europe/Berlin",
    )


def test_the_cli_report_of_three_berlin_days_lists_three_days_and_averages_over_them() -> None:
    code, out, err = run("--fake", "--fake-now", "2026-11-01T10:00Z", "report", "--days", "3",
                         "--tz", "Europe/Berlin", "-f", "json", "--no-names")  # fmt: skip
    assert code == 0, err
    document = json.loads(out)
    assert [d["date"] for d in document["daily"]] == ["2026-10-29", "2026-10-30", "2026-10-31"]
    total = Decimal(document["total"])
    assert Decimal(document["average_per_day"]) == (total / 3).quantize(Decimal("0.000001"))
    truth = FakeAPI(seed=0).totals("costs", start_time=ts("2026-10-29"), end_time=DEFAULT_NOW)
    assert total == truth[()]["amount"]
    assert document["period"] == {
        "start": "2026-10-29T00:00:00Z",
        "end": "2026-11-01T00:00:00Z",
        "time_zone": "UTC",
        "chosen_by": "last 3 complete days",
        "days": 3,
    }


def test_a_period_reaching_past_now_ends_at_now_and_says_so() -> None:
    chosen = report_period(ts("2026-10-30"), ts("2126-10-01"), DEFAULT_NOW, UTC)
    assert (chosen.start, chosen.end) == (ts("2026-10-30"), DEFAULT_NOW)
    assert chosen.notices == ("ends at 2026-11-01 00:00 UTC: later days have not happened",)
    code, out, err = run("--fake", "report", "--start", "2026-10-01", "--end", "2126-10-01",
                         "--no-names")  # fmt: skip
    assert code == 0, err
    lines = out.splitlines()
    assert lines[:2] == [
        "OpenAI usage report: 2026-10-01 00:00 to 2026-11-01 00:00 UTC",
        "Period: --start/--end: 31 days, last day 2026-10-31",
    ]
    assert "Note: ends at 2026-11-01 00:00 UTC: later days have not happened" in lines
    daily = lines[lines.index("Daily spend") + 1 :]
    assert len(daily) == 31  # not 36,500 days of $0.00


def test_a_period_wholly_in_the_future_is_an_error_naming_now() -> None:
    with pytest.raises(InvalidParameterError) as caught:
        report_period(ts("2027-01-01"), ts("2027-02-01"), DEFAULT_NOW, UTC)
    assert str(caught.value) == (
        "invalid start='2027-01-01 00:00 UTC': a time before now (2026-11-01 00:00 UTC): "
        "the period has not happened yet"
    )
    code, out, err = run("--fake", "report", "--start", "2027-01-01", "--end", "2027-02-01")
    assert (code, out) == (2, "")
    assert err == (
        "openai-usage: error: invalid start='2027-01-01 00:00 UTC': a time before the fake's "
        "clock (set it with --fake-now) (2026-11-01 00:00 UTC): the period has not happened "
        "yet\n"
    )


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("period") / "s.db"
    with client_for(FakeAPI(seed=0, now=NOON)) as client, Store(path) as store:
        store.sync(client, start="2026-10-01", endpoints=["costs"], now=NOON, directory=False)
    return path


def test_report_db_this_month_works_at_noon_and_counts_today_so_far(store_path: Path) -> None:
    code, out, err = run(*AT_NOON, "report", "--db", str(store_path), "--this-month",
                         "--no-names", "-f", "json")  # fmt: skip
    assert code == 0, err
    document = json.loads(out)
    assert document["period"]["start"] == "2026-11-01T00:00:00Z"
    assert document["period"]["end"] == "2026-11-07T00:00:00Z"
    assert [d["date"] for d in document["daily"]][-1] == "2026-11-06"
    assert (
        "today (2026-11-06) counts as far as it went: its costs may still change"
        in (document["notices"])
    )
    with Store(store_path) as store:
        stored = store.summarize("costs", [], ["amount_value"], start="2026-11-01")
    assert Decimal(document["total"]) == stored[0]["amount_value"]


def test_report_db_last_month_and_days_work_at_any_time_of_day(store_path: Path) -> None:
    for args, first, last in (
        (["--last-month"], "2026-10-01", "2026-10-31"),
        (["--days", "3"], "2026-11-03", "2026-11-05"),
    ):
        code, out, err = run(*AT_NOON, "report", "--db", str(store_path), *args,
                             "--no-names", "-f", "json")  # fmt: skip
        assert code == 0, (args, err)
        days = [d["date"] for d in json.loads(out)["daily"]]
        assert (days[0], days[-1]) == (first, last)


def test_last_months_report_checks_last_months_budgets(tmp_path: Path) -> None:
    config = tmp_path / "b.toml"
    config.write_text('[[budget]]\nscope = "organization"\nmonthly_usd = 100\n')
    code, out, err = run("--fake", "--fake-now", "2026-11-06T12:00Z", "report", "--last-month",
                         "--config", str(config), "-f", "json", "--no-names")  # fmt: skip
    assert code == 0, err
    document = json.loads(out)
    budgets = document["spend"]["budgets"]
    assert (budgets["month"], budgets["as_of"]) == ("2026-10", "2026-10-31T23:59:59Z")
    (line,) = budgets["lines"]
    assert Decimal(line["month_to_date"]) == Decimal(document["total"])  # October's spend
    # This month's report: this month's budgets, as of now.
    code, out, _ = run("--fake", "--fake-now", "2026-11-06T12:00Z", "report", "--this-month",
                       "--config", str(config), "-f", "json", "--no-names")  # fmt: skip
    assert json.loads(out)["spend"]["budgets"]["month"] == "2026-11"


def test_the_future_rule_on_a_store(store_path: Path) -> None:
    code, out, err = run(*AT_NOON, "report", "--db", str(store_path), "--start", "2026-11-01",
                         "--end", "2126-11-01", "--no-names", "-f", "json")  # fmt: skip
    assert code == 0, err
    document = json.loads(out)
    assert (document["period"]["start"], document["period"]["end"]) == (
        "2026-11-01T00:00:00Z",
        "2026-11-07T00:00:00Z",
    )
    assert document["notices"][:1] == ["ends at 2026-11-06 12:00 UTC: later days have not happened"]
    assert len(document["daily"]) == 6
    code, out, err = run(*AT_NOON, "report", "--db", str(store_path), "--start", "2027-01-01",
                         "--end", "2027-02-01")  # fmt: skip
    assert (code, out) == (2, "")
    assert "the period has not happened yet" in err


@pytest.mark.parametrize(
    ("word", "now", "first", "following"),
    [
        ("this-quarter", "2026-11-06T12:00:00+00:00", "2026-10-01", "2027-01-01"),
        ("last-quarter", "2026-11-06T12:00:00+00:00", "2026-07-01", "2026-10-01"),
        ("this-quarter", "2026-03-31T23:00:00+00:00", "2026-01-01", "2026-04-01"),
        ("last-quarter", "2026-01-15T00:00:00+00:00", "2025-10-01", "2026-01-01"),
    ],
)
def test_quarters_are_calendar_quarters(word: str, now: str, first: str, following: str) -> None:
    from openai_usage_client.analysis import period_range

    assert period_range(word, datetime.fromisoformat(now), UTC) == (ts(first), ts(following))


def test_last_quarter_on_the_command_line() -> None:
    code, out, err = run("--fake", "report", "--start", "last-quarter", "--end", "this-quarter",
                         "-f", "json", "--no-names")  # fmt: skip
    assert code == 0, err
    period = json.loads(out)["period"]
    assert (period["start"], period["end"]) == ("2026-07-01T00:00:00Z", "2026-10-01T00:00:00Z")


def test_help_says_utc_and_names_tz_only_where_the_command_has_it() -> None:
    _, sync_help, _ = run("sync", "--help")
    _, report_help, _ = run("report", "--help")
    flat = " ".join(sync_help.split())
    assert "All times are UTC." in flat and "unless --tz" not in flat
    assert "All times are UTC unless --tz says otherwise." in " ".join(report_help.split())


def test_every_report_line_fits_80_columns_when_not_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    code, out, _ = run("--fake", "report", "--last-month", "--tz", "Europe/Berlin", "--model",
                       "gpt-4.2", "--model", "gpt-4o")  # fmt: skip
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 80
    code, out, _ = run("--fake", "report")
    assert max(len(line) for line in out.splitlines()) <= 80
    # A wider terminal ($COLUMNS) gets wider lines, never cut ones.
    monkeypatch.setenv("COLUMNS", "200")
    code, wide, _ = run("--fake", "report")
    assert (
        "    keys:  agents runtime $1.35, nightly batch service key $0.89, agents service key $0.50"
        in wide
    )


def test_labels_cut_to_fit_stay_apart() -> None:
    from openai_usage_client._core._format import cut_unique

    names = ["Customer analytics platform east", "Customer analytics platform west", "Web"]
    shown = cut_unique(names, 12)
    assert len(set(shown)) == 3 and all(len(s) <= 12 for s in shown)
    assert shown == ["Custo…m east", "Custo…m west", "Web"]
    assert cut_unique(["abcdefghijklmnop", "xyz"], 8) == ["abcdefg…", "xyz"]


def test_three_berlin_days_across_the_clock_change_are_three_days() -> None:
    """25 October 2026 has 25 hours in Berlin: the period of 24, 25 and 26 October is read
    as those three UTC days, not as three days and an hour or four days."""
    code, out, err = run("--fake", "--fake-now", "2026-10-27T10:00Z", "report", "--days", "3",
                         "--tz", "Europe/Berlin", "-f", "json", "--no-names")  # fmt: skip
    assert code == 0, err
    document = json.loads(out)
    assert [d["date"] for d in document["daily"]] == ["2026-10-24", "2026-10-25", "2026-10-26"]
    assert document["period"]["days"] == 3
    total = Decimal(document["total"])
    assert Decimal(document["average_per_day"]) == (total / 3).quantize(Decimal("0.000001"))
