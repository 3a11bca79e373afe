"""Anomalies: days whose spend is far above its recent history, per project, model and key.

The rule is robust, so one spike does not hide the next and a weekend is not a surprise:

* Spend is summed per day and per value of each dimension: ``project`` (``project_id``),
  ``model`` (read from the cost line item: ``"gpt-4o-..., input"``) and ``api_key``
  (``api_key_id``).
* A day is compared with the days **of its own kind** (weekdays with weekdays, Saturdays and
  Sundays with weekend days) among the ``history`` (28) days before it, counting days without
  spend as zero from the series' first day on. At least three such days are needed.
* Its **score** is ``(amount - median) / (1.4826 x MAD)``, the robust z-score (1.4826 x MAD
  estimates the standard deviation of normal noise). The scale is floored at 5% of the median
  so a perfectly steady series does not turn cents into alarms; when the history is all
  zeros, the scale is zero and a day with spend is flagged as new spend (score ``None``).
* A day is flagged when its score is at least ``threshold`` (5) **and** it spent at least
  ``min_excess`` (one dollar) more than the median. Only increases are flagged: this is spend
  control, and a quiet day costs nothing.

Each anomaly carries its size: amount, baseline (the median), excess (amount - baseline),
ratio and score.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from statistics import median
from typing import TYPE_CHECKING, Any, Final

from .._core._format import decimal_text
from .._core._summarize import model_from_line_item
from .forecast import is_weekend

if TYPE_CHECKING:
    from .._core._exports import Row

__all__ = ["DIMENSIONS", "Anomaly", "Series", "add_daily", "anomalies_in", "find_anomalies"]

DIMENSIONS: Final = ("project", "model", "api_key")
_COLUMN: Final[dict[str, Callable[[Row], Any]]] = {
    "project": lambda r: r.get("project_id"),
    "model": lambda r: model_from_line_item(r.get("line_item")),
    "api_key": lambda r: r.get("api_key_id"),
}
_MAD_SCALE: Final = Decimal("1.4826")
_FLOOR: Final = Decimal("0.05")


@dataclass(frozen=True)
class Anomaly:
    """One day of one project, model or key far above its recent history."""

    dimension: str
    key: str
    day: date
    amount: Decimal
    #: Median of the same kind of day over the history.
    baseline: Decimal
    #: Robust z-score; ``None`` for new spend (a history of zeros).
    score: float | None
    organization: str | None = None

    @property
    def excess(self) -> Decimal:
        return self.amount - self.baseline

    @property
    def ratio(self) -> float | None:
        return float(self.amount / self.baseline) if self.baseline else None

    def describe(self) -> str:
        size = f"{self.ratio:.1f}x its usual" if self.ratio is not None else "new spend"
        return (
            f"{self.day.isoformat()} {self.dimension} {self.key}: ${self.amount:,.2f} "
            f"({size} ${self.baseline:,.2f}, +${self.excess:,.2f})"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "organization": self.organization,
            "dimension": self.dimension,
            "key": self.key,
            "day": self.day.isoformat(),
            "amount": decimal_text(self.amount),
            "baseline": decimal_text(self.baseline),
            "excess": decimal_text(self.excess),
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "score": None if self.score is None else round(self.score, 2),
        }


#: Per (dimension, value): the spend of each day (``add_daily`` fills it row by row).
Series = dict[tuple[str, str], dict[date, Decimal]]


def add_daily(series: Series, row: Row, dimensions: Sequence[str] = DIMENSIONS) -> None:
    """Add one cost row's spend to its day in ``series``, per dimension: a caller reading a
    large organization's rows keeps these sums, not the rows (``check``)."""
    value, start = row.get("amount_value"), row.get("start_time")
    if value is None or not isinstance(start, datetime):
        return
    day = start.astimezone(UTC).date()
    for dim in dimensions:
        key = _COLUMN[dim](row)
        if key is None:
            continue
        days = series.setdefault((dim, str(key)), {})
        days[day] = days.get(day, Decimal(0)) + Decimal(value)


def find_anomalies(
    rows: Iterable[Row],
    *,
    now: datetime,
    days: int = 7,
    history: int = 28,
    threshold: float = 5.0,
    min_excess: Decimal = Decimal(1),
    dimensions: Sequence[str] = DIMENSIONS,
    organization: str | None = None,
) -> list[Anomaly]:
    """Anomalies among the ``days`` complete UTC days before ``now`` (largest excess first).

    ``rows`` are cost rows (``openai_usage_client.rows``) covering at least ``days + history``
    days before ``now``.
    """
    unknown = set(dimensions) - set(DIMENSIONS)
    if unknown:
        raise ValueError(f"unknown dimensions {sorted(unknown)}; allowed: {', '.join(DIMENSIONS)}")
    series: Series = {}
    for row in rows:
        add_daily(series, row, dimensions)
    return anomalies_in(
        series, now=now, days=days, history=history, threshold=threshold,
        min_excess=min_excess, organization=organization,
    )  # fmt: skip


def anomalies_in(
    series: Series,
    *,
    now: datetime,
    days: int = 7,
    history: int = 28,
    threshold: float = 5.0,
    min_excess: Decimal = Decimal(1),
    organization: str | None = None,
) -> list[Anomaly]:
    """``find_anomalies`` over daily sums already made (``add_daily``)."""
    today = now.astimezone(UTC).date()
    found: list[Anomaly] = []
    for (dim, key), values in series.items():
        first = min((d for d, v in values.items() if v), default=None)
        if first is None:
            continue
        for back in range(days, 0, -1):
            day = today - timedelta(days=back)
            amount = values.get(day, Decimal(0))
            if amount <= 0:
                continue
            base = [
                values.get(d, Decimal(0))
                for k in range(1, history + 1)
                if (d := day - timedelta(days=k)) >= first and is_weekend(d) == is_weekend(day)
            ]
            if len(base) < 3:
                continue
            mid = Decimal(median(base))
            if amount - mid < min_excess:
                continue
            mad = Decimal(median([abs(v - mid) for v in base]))
            scale = max(_MAD_SCALE * mad, _FLOOR * abs(mid))
            score = None if scale == 0 else float((amount - mid) / scale)
            if score is None or score >= threshold:
                found.append(Anomaly(dim, key, day, amount, mid, score, organization))
    found.sort(key=lambda a: (-a.excess, a.day, a.dimension, a.key))
    return found
