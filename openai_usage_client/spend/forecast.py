"""Month to date and a forecast to month end, from daily spend.

Method (also in ``docs/forecast.md``). All days are UTC calendar days; ``now`` fixes "today".

1. **Days.** A day before ``today - settle_days`` is *settled*: its amount is final. The
   ``settle_days`` days before today, and today once it has begun, are *provisional*: costs
   arrive and settle late, so their amounts may still grow. Month to date is the sum of the
   month's amounts up to now, settled and provisional alike; provisional days are listed.
2. **History.** The series starts at its first day with spend (a project started mid-month
   has no history of zeros before it). The fitting days are the last ``history`` (28) settled
   days from that start; when there are none yet, the complete provisional days stand in.
3. **Weekends.** Organizations spend less on Saturdays and Sundays. For every weekend day of
   the history, its amount over the mean of the weekdays within three days of it is one
   ratio; the weekend factor is the median ratio (1 when no weekend was seen). Comparing each
   weekend with its own week keeps the factor right across a step change in the level.
4. **Level.** Each of the last ``window`` (7) fitting days is divided by its factor (1 on
   weekdays); values further than 5 MADs from their median (a spike) are dropped, and the
   level is the mean of the rest: the expected spend of one weekday now. A short window
   follows a step change within a week.
5. **Forecast.** Days the data does not hold (``missing``: a store that was not synced) are
   never counted as zero: they are left out of the history and counted at their expected
   amount, like days still to come. Settled days count as they are; a provisional day counts
   as the larger of its amount so far and its expected amount (an unsettled day only grows);
   later days count their expected amount: ``level x factor`` of their kind.
6. **Range.** With ``s`` the standard deviation of the window's levelled values (half the level
   when fewer than two), the expected part of the forecast has variance ``sum(f^2) s^2`` (day
   to day noise) plus ``(sum f)^2 s^2 / k`` (uncertainty of a level from ``k`` days); low and
   high are the forecast -/+ 1.645 standard deviations (a 90% range), low never under month
   to date.

``linear_projection`` is the naive method (month to date / complete days x days in month), kept
for comparison: it ignores weekends and lets last month's level fade only slowly.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from statistics import median
from typing import TYPE_CHECKING, Any, Final

from .._core._format import decimal_text

if TYPE_CHECKING:
    from .._core._exports import Row

__all__ = [
    "Forecast",
    "daily_totals",
    "forecast_month",
    "is_weekend",
    "linear_projection",
    "month_bounds",
]

WINDOW: Final = 7
HISTORY: Final = 28
SETTLE_DAYS: Final = 2
_Z: Final = Decimal("1.645")
_CENT: Final = Decimal("0.01")
_MAD_SCALE: Final = Decimal("1.4826")


def is_weekend(day: date) -> bool:
    return day.weekday() >= 5


def month_bounds(now: datetime) -> tuple[date, date]:
    """First day of ``now``'s UTC month and first day of the next month."""
    today = now.astimezone(UTC).date()
    first = today.replace(day=1)
    days = calendar.monthrange(first.year, first.month)[1]
    return first, first + timedelta(days=days)


def daily_totals(rows: Iterable[Row], column: str = "amount_value") -> dict[date, Decimal]:
    """Sum of ``column`` per UTC day of ``start_time``."""
    out: dict[date, Decimal] = {}
    for row in rows:
        value = row.get(column)
        start = row.get("start_time")
        if value is None or not isinstance(start, datetime):
            continue
        day = start.astimezone(UTC).date()
        out[day] = out.get(day, Decimal(0)) + Decimal(value)
    return out


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Forecast:
    """Month to date and the forecast to month end of one series (see the module docstring)."""

    month: date
    as_of: datetime
    month_to_date: Decimal
    forecast: Decimal
    low: Decimal
    high: Decimal
    days_in_month: int
    #: Complete days of the month before today.
    days_elapsed: int
    #: Days counted in month to date whose amounts may still change (oldest first).
    provisional_days: tuple[date, ...]
    #: Expected spend of a weekday now, and the weekend factor (weekend day / weekday).
    level: Decimal
    weekend_factor: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.month.strftime("%Y-%m"),
            "month_to_date": decimal_text(self.month_to_date),
            "forecast": str(self.forecast),
            "forecast_low": str(self.low),
            "forecast_high": str(self.high),
            "days_in_month": self.days_in_month,
            "days_elapsed": self.days_elapsed,
            "provisional_days": [d.isoformat() for d in self.provisional_days],
            "daily_level": str(_cents(self.level)),
            "weekend_factor": str(self.weekend_factor.quantize(Decimal("0.001"))),
        }


def _mean(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)


def _weekend_factor(series: dict[date, Decimal]) -> Decimal:
    ratios: list[Decimal] = []
    for day, value in series.items():
        if not is_weekend(day):
            continue
        near = [
            series[d]
            for k in range(-3, 4)
            if (d := day + timedelta(days=k)) in series and not is_weekend(d)
        ]
        if near and (base := _mean(near)) > 0:
            ratios.append(value / base)
    return Decimal(median(ratios)) if ratios else Decimal(1)


def _level(values: list[Decimal]) -> tuple[Decimal, Decimal, int]:
    """Robust mean, standard deviation and count of the levelled window values."""
    mid = Decimal(median(values))
    mad = Decimal(median([abs(v - mid) for v in values]))
    kept = [v for v in values if abs(v - mid) <= 5 * _MAD_SCALE * mad]
    level = _mean(kept)
    if len(kept) < 2:
        return level, level / 2, len(kept)
    var = sum(((v - level) ** 2 for v in kept), Decimal(0)) / (len(kept) - 1)
    return level, var.sqrt(), len(kept)


def _fitted(fit: dict[date, Decimal], window: int) -> tuple[Decimal, Decimal, Decimal, int]:
    """The weekend factor of the fitted days, then the level, spread and count of the last
    ``window`` of them, levelled by it."""
    factor = _weekend_factor(fit)
    levelled = [
        fit[d] / (factor if is_weekend(d) else Decimal(1))
        for d in sorted(fit)[-window:]
        if (factor if is_weekend(d) else Decimal(1)) > 0
    ]
    if levelled:
        level, sd, k = _level(levelled)
    else:
        level, sd, k = Decimal(0), Decimal(0), 1
    return factor, level, sd, k


def forecast_month(
    daily: Mapping[date, Decimal],
    now: datetime,
    *,
    settle_days: int = SETTLE_DAYS,
    window: int = WINDOW,
    history: int = HISTORY,
    missing: Collection[date] = (),
) -> Forecast:
    """Month to date and forecast for ``now``'s month from ``daily`` spend (any days; the
    month's and up to ``history + settle_days`` days before it are used). ``missing`` days
    are unknown, not zero: out of the history, and forecast like the days to come (month to
    date is then the sum of the days present)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    now = now.astimezone(UTC)
    today = now.date()
    started = now > datetime(today.year, today.month, today.day, tzinfo=UTC)
    first, end = month_bounds(now)
    n_days = (end - first).days
    first_settle = today - timedelta(days=settle_days)

    def actual(day: date) -> Decimal:
        return Decimal(daily.get(day, 0))

    month_days = [first + timedelta(days=i) for i in range(n_days)]
    mtd = sum((actual(d) for d in month_days if d < today or (d == today and started)), Decimal(0))
    # A missing day is not provisional: nothing of it is held to settle.
    provisional = tuple(
        d
        for d in month_days
        if (first_settle <= d < today or (d == today and started)) and d not in missing
    )
    spent = sorted(d for d, v in daily.items() if v and d <= today)
    if not spent:
        zero = Decimal(0)
        return Forecast(first, now, mtd, _cents(mtd), _cents(mtd), _cents(mtd), n_days,
                        (today - first).days, provisional, zero, Decimal(1))  # fmt: skip
    series_start = spent[0]
    # The fit: settled days (or, with none yet, the complete provisional ones) of the
    # history, missing days left out.
    last_fit = first_settle - timedelta(days=1)
    fit_start = max(series_start, last_fit - timedelta(days=history - 1))
    if fit_start > last_fit:  # no settled day yet: the complete provisional days stand in
        last_fit = today - timedelta(days=1)
        fit_start = series_start
    fit = {
        day: actual(day)
        for i in range((last_fit - fit_start).days + 1)
        if (day := fit_start + timedelta(days=i)) not in missing
    }
    factor, level, sd, k = _fitted(fit, window)

    def f(day: date) -> Decimal:
        return factor if is_weekend(day) else Decimal(1)

    total = Decimal(0)
    sum_f = sum_f2 = Decimal(0)
    for day in month_days:
        if day not in missing and ((day < first_settle and day < today) or day < series_start):
            total += actual(day)
            continue
        expected = level * f(day)
        if day in provisional and day not in missing and actual(day) >= expected:
            total += actual(day)
            continue
        total += expected
        sum_f += f(day)
        sum_f2 += f(day) ** 2
    var = sum_f2 * sd**2 + (sum_f**2) * sd**2 / k
    spread = _Z * var.sqrt()
    low = max(mtd, total - spread)
    return Forecast(first, now, mtd, _cents(total), _cents(low), _cents(total + spread),
                    n_days, (today - first).days, provisional, level, factor)  # fmt: skip


def linear_projection(daily: Mapping[date, Decimal], now: datetime) -> Decimal:
    """The naive forecast: month to date over the complete days x days in the month (today's
    partial spend is left out; on the first day, the last day before it x days in month)."""
    now = now.astimezone(UTC)
    today = now.date()
    first, end = month_bounds(now)
    n_days = (end - first).days
    elapsed = (today - first).days
    if elapsed == 0:
        return Decimal(daily.get(today - timedelta(days=1), 0)) * n_days
    mtd = sum(
        (Decimal(daily.get(first + timedelta(days=i), 0)) for i in range(elapsed)), Decimal(0)
    )
    return mtd / elapsed * n_days
