"""Spend estimated from usage for the days whose costs have not settled, as a report shows
it (``attribution.estimate_spend`` makes it: the report layer only names the figures)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from .._core._format import decimal_text, money

__all__ = ["ESTIMATED", "EstimatedDay", "EstimatedSpend", "KeptEstimate", "estimated_lines"]

#: ``basis`` of an estimated figure: usage at the organization's own unit prices.
ESTIMATED: Final = "estimated from usage"
_CENT: Final = Decimal("0.01")


def _cents(value: Decimal) -> str:
    """An estimate is no exact figure: to the cent, as the forecasts (the bill stays exact)."""
    return decimal_text(value.quantize(_CENT))


@dataclass(frozen=True)
class EstimatedDay:
    """One UTC day whose costs have not settled: its spend estimated from its usage, beside
    what the costs have reported of it so far."""

    day: date
    organization: str
    currency: str
    #: The day's usage at the organization's unit prices (so far, for a day not over).
    estimated: Decimal
    #: What the stored costs of the day add up to yet (provisional, or nothing).
    billed_so_far: Decimal
    #: The day has not ended: its estimate is of its usage up to ``Estimate.now``.
    partial: bool = False
    #: Usage with no price to put on it (never billed, not in the price table): left out.
    unpriced: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "organization": self.organization,
            "currency": self.currency,
            "estimated": _cents(self.estimated),
            "billed_so_far": decimal_text(self.billed_so_far),
            "partial": self.partial,
            "unpriced": list(self.unpriced),
        }


@dataclass(frozen=True)
class KeptEstimate:
    """An estimate kept by a sync while its day was unsettled, beside the bill once it
    settled: how far off the estimate was."""

    day: date
    organization: str
    currency: str
    estimated: Decimal
    made_at: datetime
    #: The settled bill of the day (``None`` while it has not settled).
    billed: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        """Estimate minus bill (positive: the estimate was high)."""
        return None if self.billed is None else self.estimated - self.billed

    def to_dict(self) -> dict[str, Any]:
        off = self.difference
        return {
            "day": self.day.isoformat(),
            "organization": self.organization,
            "currency": self.currency,
            "estimated": _cents(self.estimated),
            "made_at": self.made_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "billed": None if self.billed is None else decimal_text(self.billed),
            "difference": None if off is None else _cents(off),
        }


@dataclass
class EstimatedSpend:
    """What a report shows of the estimate: the unsettled days, and the record of past
    estimates against their bills."""

    now: datetime
    days: list[EstimatedDay] = field(default_factory=list)
    record: list[KeptEstimate] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def today(self) -> EstimatedDay | None:
        return next((d for d in self.days if d.partial), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "basis": ESTIMATED,
            "now": self.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "days": [d.to_dict() for d in self.days],
            "record": [r.to_dict() for r in self.record],
            "notes": list(self.notes),
        }


def estimated_lines(found: EstimatedSpend) -> list[str]:
    """The report's lines of the estimate (text and markdown say the same): each unsettled
    day before today, today apart, and how far off past estimates were."""
    lines = []
    per_day: dict[date, list[Decimal]] = {}
    currency = found.days[0].currency if found.days else "usd"
    for day in found.days:
        if not day.partial:
            summed = per_day.setdefault(day.day, [Decimal(0), Decimal(0)])
            summed[0] += day.estimated
            summed[1] += day.billed_so_far
    if per_day:
        lines.append("Not settled yet (estimated from usage):")
        lines += [
            f"  {day:%Y-%m-%d %a}  estimated {money(estimated, currency)}, billed "
            f"{money(billed, currency)} so far"
            for day, (estimated, billed) in per_day.items()
        ]
    today = [d for d in found.days if d.partial]
    if today:
        estimated = sum((d.estimated for d in today), Decimal(0))
        billed = sum((d.billed_so_far for d in today), Decimal(0))
        lines.append(
            f"Today so far (estimated): {money(estimated, currency)} from usage to "
            f"{found.now:%H:%M} UTC (billed so far: {money(billed, currency)})"
        )
    for day in found.days:
        if day.unpriced:
            lines.append(f"Not in the estimate of {day.day} (no price): {', '.join(day.unpriced)}")
    settled = [r for r in found.record if r.billed]
    if settled:
        offs = [(r.difference or Decimal(0)) / (r.billed or Decimal(1)) for r in settled]
        worst = max(range(len(settled)), key=lambda i: abs(offs[i]))
        mean = sum((abs(o) for o in offs), Decimal(0)) / len(offs)
        lines.append(
            f"Estimates against the bill ({len(settled)} settled days): off by {mean:.1%} on "
            f"average, at most {offs[worst]:+.1%} ({settled[worst].day})"
        )
    lines += [f"Estimate: {note}" for note in found.notes]
    return lines
