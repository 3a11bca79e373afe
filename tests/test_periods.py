"""Local periods and time words in a zone (``_periods``), and which buckets roll-ups fetch."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from openai_usage_client import InvalidParameterError
from openai_usage_client._core._periods import (
    ChosenPeriod,
    PeriodConflictError,
    choose_period,
    local_midnight,
    parse_local,
    period_bounds,
    period_label,
    period_range,
    period_starts,
    zone,
)
from openai_usage_client.analysis._rollup import plan

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 1, tzinfo=UTC)  # the fake's now: 01:00 on Sunday 1 November in Berlin


def utc(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())  # type: ignore[misc]


def test_zone_names_and_refusal() -> None:
    assert zone(None) is UTC
    assert zone("utc") is UTC
    assert zone("Europe/Berlin") == BERLIN
    with pytest.raises(InvalidParameterError) as caught:
        zone("Mars/Olympus")
    assert caught.value.param == "--tz"
    assert "Europe/Berlin" in caught.value.allowed
    with pytest.raises(InvalidParameterError):
        zone("../etc/passwd")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-01", utc(2026, 9, 30, 22)),  # CEST, +02:00
        ("2026-12-01", utc(2026, 11, 30, 23)),  # CET, +01:00
        ("2026-10-01T12:30", utc(2026, 10, 1, 10, 30)),
        ("2026-10-01T12:30Z", utc(2026, 10, 1, 12, 30)),  # an offset means what it says
        ("2026-10-01T12:30+05:00", utc(2026, 10, 1, 7, 30)),
        ("1790812800", 1790812800),
        ("now", utc(2026, 11, 1)),
        ("7d", utc(2026, 10, 25)),
        ("today", utc(2026, 10, 31, 23)),
        ("yesterday", utc(2026, 10, 30, 23)),
        # ISO weeks start on Monday: 26 October (after the clocks went back on the 25th).
        ("this-week", utc(2026, 10, 25, 23)),
        ("last-week", utc(2026, 10, 18, 22)),
        ("this-month", utc(2026, 10, 31, 23)),
        ("last_month", utc(2026, 9, 30, 22)),
        ("This-Year", utc(2025, 12, 31, 23)),
        ("last-year", utc(2024, 12, 31, 23)),
    ],
)
def test_parse_local_in_berlin(text: str, expected: int) -> None:
    assert parse_local(text, NOW, BERLIN) == expected


def test_words_in_utc_match_the_utc_calendar() -> None:
    assert parse_local("today", NOW, UTC) == utc(2026, 11, 1)
    assert parse_local("yesterday", NOW, UTC) == utc(2026, 10, 31)
    assert parse_local("this-week", NOW, UTC) == utc(2026, 10, 26)
    assert parse_local("last-week", NOW, UTC) == utc(2026, 10, 19)
    assert parse_local("2026-10-01", NOW, UTC) == utc(2026, 10, 1)


@pytest.mark.parametrize("text", ["soon", "2026-13-01", "12x", "", "10000-01-01"])
def test_parse_local_refuses_naming_the_option(text: str) -> None:
    with pytest.raises(InvalidParameterError) as caught:
        parse_local(text, NOW, BERLIN, "--end")
    assert caught.value.param == "--end"
    assert "last-week" in caught.value.allowed


def test_period_ranges_are_whole_calendar_periods() -> None:
    assert period_range("last-month", NOW, UTC) == (utc(2026, 10, 1), utc(2026, 11, 1))
    assert period_range("this-month", NOW, UTC) == (utc(2026, 11, 1), utc(2026, 12, 1))
    start, end = period_range("last-month", NOW, BERLIN)
    assert (start, end) == (utc(2026, 9, 30, 22), utc(2026, 10, 31, 23))
    assert end - start == (31 * 24 + 1) * 3600  # October in Berlin has a 25-hour day
    assert period_range("last-week", NOW, UTC) == (utc(2026, 10, 19), utc(2026, 10, 26))
    assert period_range("last-year", NOW, UTC) == (utc(2025, 1, 1), utc(2026, 1, 1))
    assert period_range("this-year", NOW, UTC) == (utc(2026, 1, 1), utc(2027, 1, 1))
    assert period_range("yesterday", NOW, BERLIN) == (utc(2026, 10, 30, 23), utc(2026, 10, 31, 23))
    with pytest.raises(InvalidParameterError):
        period_range("7d", NOW, UTC)


@pytest.mark.parametrize(("day", "hours"), [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25)])
def test_dst_days_are_23_and_25_hours(day: date, hours: int) -> None:
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=BERLIN)
    start, end = period_bounds(noon, "day", BERLIN)
    assert (start.date(), start.hour, end.date(), end.hour) == (day, 0, day + timedelta(1), 0)
    assert end.timestamp() - start.timestamp() == hours * 3600


def test_weeks_and_months() -> None:
    start, end = period_bounds(datetime(2026, 1, 1, 12, tzinfo=UTC), "week", UTC)
    assert (start.date(), end.date()) == (date(2025, 12, 29), date(2026, 1, 5))
    assert period_label(start, "week") == "2026-W01"
    assert period_label(datetime(2027, 1, 1, tzinfo=UTC), "week") == "2026-W53"
    start, end = period_bounds(datetime(2026, 3, 15, tzinfo=UTC), "month", BERLIN)
    assert (period_label(start, "month"), start.utcoffset(), end.utcoffset()) == (
        "2026-03",
        timedelta(hours=1),
        timedelta(hours=2),
    )
    with pytest.raises(InvalidParameterError) as caught:
        period_bounds(start, "fortnight", UTC)  # type: ignore[arg-type]
    assert caught.value.param == "--by"


def test_a_missing_local_midnight_starts_the_day_at_the_first_instant() -> None:
    # Santiago moves its clocks from 00:00 to 01:00 on 6 September 2026.
    santiago = ZoneInfo("America/Santiago")
    start = local_midnight(date(2026, 9, 6), santiago)
    assert (start.hour, start.astimezone(UTC)) == (1, datetime(2026, 9, 6, 4, tzinfo=UTC))


def test_period_starts_inside_a_range() -> None:
    assert period_starts(utc(2026, 3, 28, 12), utc(2026, 3, 30, 12), "day", BERLIN) == [
        utc(2026, 3, 28, 23),
        utc(2026, 3, 29, 22),
    ]
    assert period_starts(utc(2026, 10, 1), utc(2026, 11, 1), "month", UTC) == []


def test_plan_picks_the_widest_bucket_inside_local_periods() -> None:
    october = (utc(2026, 10, 1), utc(2026, 11, 1))
    assert plan("completions", "day", UTC, *october).bucket_width == "1d"
    assert plan("completions", "day", BERLIN, *october).bucket_width == "1h"
    assert plan("completions", "day", ZoneInfo("Asia/Kolkata"), *october).bucket_width == "1m"
    assert (
        plan("completions", "month", BERLIN, utc(2026, 10, 5), utc(2026, 10, 20)).bucket_width
        == "1d"
    )
    assert plan("completions", None, BERLIN, *october).bucket_width == "1d"
    costs = plan("costs", "day", BERLIN, *october)
    assert (costs.bucket_width, costs.tz) == ("1d", UTC)
    assert (
        costs.notice is not None and "UTC days" in costs.notice and "Europe/Berlin" in costs.notice
    )
    assert plan("costs", "day", UTC, *october).notice is None


def test_the_one_time_parser_knows_the_new_words_and_zones() -> None:
    from openai_usage_client._core._time import to_unix

    assert to_unix("this-week", "start_time", now=NOW) == utc(2026, 10, 26)
    assert to_unix("last_week", "start_time", now=NOW) == utc(2026, 10, 19)
    assert to_unix("this-year", "start_time", now=NOW) == utc(2026, 1, 1)
    assert to_unix("last-year", "start_time", now=NOW) == utc(2025, 1, 1)
    assert to_unix("last-month", "start_time", now=NOW) == utc(2026, 10, 1)  # unchanged
    assert to_unix("2026-10-01", "start_time", now=NOW, tz=BERLIN) == utc(2026, 9, 30, 22)
    assert to_unix("this-week", "start_time", now=NOW, tz=BERLIN) == utc(2026, 10, 25, 23)
    assert to_unix(1790812800, "start_time", tz=BERLIN) == 1790812800  # numbers are instants
    with pytest.raises(InvalidParameterError) as caught:
        to_unix("next-week", "end_time", now=NOW)
    assert caught.value.param == "end_time" and "last-week" in caught.value.allowed


def test_one_period_chooser_for_every_command() -> None:
    """``report`` and ``reconcile`` pick their period by this one rule (#35)."""
    now = datetime(2026, 11, 7, 15, 30, tzinfo=UTC)
    assert choose_period(now) == ChosenPeriod(
        utc(2026, 10, 8), utc(2026, 11, 7), "last 30 complete days"
    )
    assert choose_period(now, days=3, end="2026-11-02") == ChosenPeriod(
        utc(2026, 10, 30), utc(2026, 11, 2), "3 days before --end"
    )
    assert choose_period(now, start="2026-11-01") == ChosenPeriod(
        utc(2026, 11, 1), utc(2026, 11, 7), "--start/--end"
    )
    assert choose_period(now, BERLIN, word="last-month") == ChosenPeriod(
        utc(2026, 9, 30, 22), utc(2026, 10, 31, 23), "calendar month October 2026"
    )
    # A period still running ends now; one that is over is whole.
    assert choose_period(now, word="this-month") == ChosenPeriod(
        utc(2026, 11, 1), int(now.timestamp()), "November 2026 so far"
    )
    assert choose_period(now, word="this-week").how == "this-week so far"
    assert choose_period(now, word="last-week") == ChosenPeriod(
        utc(2026, 10, 26), utc(2026, 11, 2), "last-week"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"word": "last-month", "start": "7d"}, "--period names the period: not with --start"),
        (
            {"word": "this-month", "word_option": "--this-month", "days": 3, "conflicts": ("-x",)},
            "--this-month names the period: not with --days, -x",
        ),
        ({"start": "7d", "days": 3}, "--days counts back from --end: not with --start"),
        ({"word": "next-decade"}, "invalid --period='next-decade': one of: today, yesterday"),
        ({"end": "soon"}, "invalid --end='soon': a date (2026-10-01)"),
    ],
)
def test_the_chooser_refuses_clashes_naming_the_options(
    kwargs: dict[str, object], message: str
) -> None:
    now = datetime(2026, 11, 7, 15, 30, tzinfo=UTC)
    with pytest.raises(InvalidParameterError) as caught:
        choose_period(now, **kwargs)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)
    assert isinstance(caught.value, PeriodConflictError) == (
        "names" in message or "counts" in message
    )
