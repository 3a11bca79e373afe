"""The forecast on series with a known answer, and the naive projection it is measured against."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from openai_usage_client.spend import daily_totals, forecast_month, linear_projection

OCT_20 = datetime(2026, 10, 20, tzinfo=UTC)  # a Tuesday; October 2026 has 31 days


def series(start: date, end: date, value: object) -> dict[date, Decimal]:
    """``value(day)`` (or a constant) for every day of [start, end)."""
    out = {}
    day = start
    while day < end:
        v = value(day) if callable(value) else value
        out[day] = Decimal(str(v))
        day += timedelta(days=1)
    return out


def weekly(day: date) -> int:
    return 4 if day.weekday() >= 5 else 10


def month_sum(fn: object, first: date, end: date) -> Decimal:
    return sum(series(first, end, fn).values(), Decimal(0))


OCT_1, NOV_1, OCT_20_D = date(2026, 10, 1), date(2026, 11, 1), date(2026, 10, 20)


def test_flat_series_forecasts_days_times_level_with_no_spread() -> None:
    daily = series(date(2026, 8, 1), OCT_20_D, 10)
    f = forecast_month(daily, OCT_20)
    assert f.month_to_date == Decimal(190)  # Oct 1..19
    assert f.forecast == Decimal(310) == f.low == f.high  # 31 x 10, no noise
    assert f.days_elapsed == 19 and f.days_in_month == 31
    assert f.weekend_factor == 1


def test_weekly_pattern_is_forecast_exactly() -> None:
    daily = series(date(2026, 8, 1), OCT_20_D, weekly)
    f = forecast_month(daily, OCT_20)
    truth = month_sum(weekly, OCT_1, NOV_1)  # 22 weekdays x 10 + 9 weekend days x 4 = 256
    assert truth == 256
    assert f.forecast == truth
    assert f.weekend_factor == Decimal("0.4")
    assert f.month_to_date == month_sum(weekly, OCT_1, OCT_20_D)
    # The naive projection over-counts: Oct 1..19 holds 6 weekend days in 19 (31 days: 9).
    assert linear_projection(daily, OCT_20) != truth


def test_step_change_uses_the_new_level_once_a_week_has_passed() -> None:
    def step(day: date) -> int:
        return 10 if day < date(2026, 10, 9) else 20

    daily = series(date(2026, 8, 1), OCT_20_D, step)
    f = forecast_month(daily, OCT_20)
    # Oct 1..8 at 10, Oct 9..31 at 20: the weekend factor stays 1 across the step.
    assert f.weekend_factor == 1
    assert f.forecast == 8 * 10 + 23 * 20


def test_step_change_with_a_weekly_pattern() -> None:
    def step(day: date) -> int:
        return weekly(day) * (1 if day < date(2026, 10, 9) else 2)

    daily = series(date(2026, 8, 1), OCT_20_D, step)
    f = forecast_month(daily, OCT_20)
    assert f.weekend_factor == Decimal("0.4")
    assert f.forecast == month_sum(step, OCT_1, NOV_1)


def test_a_project_started_mid_month_is_not_diluted_by_the_days_before_it() -> None:
    daily = series(date(2026, 10, 12), OCT_20_D, 10)  # nothing before Oct 12
    f = forecast_month(daily, OCT_20)
    assert f.month_to_date == 80
    assert f.forecast == 20 * 10  # Oct 12..31
    assert linear_projection(daily, OCT_20) == Decimal(80) / 19 * 31  # the naive one: ~130


def test_a_project_started_yesterday_uses_its_provisional_days() -> None:
    daily = series(date(2026, 10, 19), OCT_20_D, 7)
    f = forecast_month(daily, OCT_20)
    assert f.forecast == 13 * 7  # Oct 19..31


def test_provisional_days_are_counted_and_marked() -> None:
    noon = OCT_20 + timedelta(hours=12)
    daily = series(date(2026, 8, 1), OCT_20_D, 10)
    daily[date(2026, 10, 19)] = Decimal(4)  # not settled yet: lower than it will be
    daily[OCT_20_D] = Decimal(3)  # today so far
    f = forecast_month(daily, noon)
    assert f.provisional_days == (date(2026, 10, 18), date(2026, 10, 19), OCT_20_D)
    assert f.month_to_date == 18 * 10 + 4 + 3  # everything reported so far counts
    # An unsettled day only grows: each counts as at least its expected 10.
    assert f.forecast == 310


def test_a_provisional_day_above_expectation_counts_as_reported() -> None:
    daily = series(date(2026, 8, 1), OCT_20_D, 10)
    daily[date(2026, 10, 19)] = Decimal(25)
    f = forecast_month(daily, OCT_20)
    assert f.forecast == 310 + 15


def test_a_spike_in_the_window_does_not_move_the_level() -> None:
    daily = series(date(2026, 8, 1), OCT_20_D, 10)
    daily[date(2026, 10, 14)] = Decimal(100)
    f = forecast_month(daily, OCT_20)
    assert f.forecast == 310 + 90


def test_noise_gives_a_range_around_the_forecast() -> None:
    daily = series(date(2026, 8, 1), OCT_20_D, lambda d: 10 + (d.toordinal() % 3 - 1))
    f = forecast_month(daily, OCT_20)
    assert f.low < f.forecast < f.high
    assert f.low >= f.month_to_date
    truth_rest = month_sum(lambda d: 10 + (d.toordinal() % 3 - 1), OCT_20_D, NOV_1)
    assert f.low <= f.month_to_date + truth_rest <= f.high


def test_first_day_of_the_month_forecasts_from_last_month() -> None:
    daily = series(date(2026, 8, 1), OCT_1, weekly)
    f = forecast_month(daily, datetime(2026, 10, 1, tzinfo=UTC))
    assert f.month_to_date == 0 and f.days_elapsed == 0
    assert f.provisional_days == ()
    assert f.forecast == month_sum(weekly, OCT_1, NOV_1)


def test_no_spend_forecasts_nothing() -> None:
    f = forecast_month({}, OCT_20)
    assert (f.month_to_date, f.forecast, f.low, f.high) == (0, 0, 0, 0)


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        forecast_month({}, datetime(2026, 10, 20))


def test_daily_totals_sum_rows_per_utc_day() -> None:
    rows = [
        {"start_time": datetime(2026, 10, 1, tzinfo=UTC), "amount_value": Decimal("1.5")},
        {"start_time": datetime(2026, 10, 1, tzinfo=UTC), "amount_value": Decimal("2.25")},
        {"start_time": datetime(2026, 10, 2, tzinfo=UTC), "amount_value": None},
    ]
    assert daily_totals(rows) == {date(2026, 10, 1): Decimal("3.75")}
