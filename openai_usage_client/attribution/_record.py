"""The estimate kept while a day is unsettled, and compared with its bill once settled; and
what a report shows of both (``estimated_spend``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .._core._time import to_unix
from ..report import EstimatedSpend, KeptEstimate
from ..store import StoreEmptyError
from ._estimate import estimate_spend

if TYPE_CHECKING:
    from ..report import Report
    from ..store import Store

__all__ = ["estimate_record", "estimated_spend", "keep_estimate"]

_DAY = 86_400
#: How far back a sync looks for unsettled days to estimate (longer than any settle window).
_KEEP_DAYS = 7


def keep_estimate(store: Store, *, now: Any = None) -> int:
    """Estimate the unsettled days of the last week (up to ``now``) and keep each day's
    estimate in the store, replacing the one kept before: what ``sync`` does after each run,
    so the last estimate before a day settles stays beside its bill. Returns the days kept."""
    moment = to_unix(now, "now") if now is not None else int(datetime.now(UTC).timestamp())
    today = moment - moment % _DAY
    try:
        found = estimate_spend(store, today - _KEEP_DAYS * _DAY, moment, now=moment)
    except StoreEmptyError:
        return 0
    days = [(d.organization, d.day, d.currency, d.estimated) for d in found.days if not d.partial]
    return store.keep_estimates(days, made_at=moment) if days else 0


def estimate_record(
    store: Store, start: Any, end: Any, *, now: Any = None, organization: str | None = None
) -> list[KeptEstimate]:
    """The estimates kept of the days of ``[start, end)``, each with its settled bill (``None``
    while the day has not settled) and how far off it was."""
    lo, hi = to_unix(start, "start"), to_unix(end, "end")
    first = datetime.fromtimestamp(lo - lo % _DAY, UTC).date()
    last = datetime.fromtimestamp(-(-hi // _DAY) * _DAY, UTC).date()
    kept = store.kept_estimates(first, last, organization=organization)
    if not kept:
        return []
    moment = to_unix(now, "now") if now is not None else None
    # Only the days kept are read (a year's report keeps a handful): their span, in SQL sums.
    lo_day = min(_midnight(k["day"]) for k in kept)
    hi_day = max(_midnight(k["day"]) for k in kept) + _DAY
    unsettled: set[tuple[str, Any]] = set()
    billed: dict[tuple[str, Any, str], Decimal] = defaultdict(Decimal)
    for org in sorted({k["organization"] for k in kept}):
        held = store.coverage("costs", lo_day, hi_day, now=moment,
                              organization=org).endpoints["costs"]  # fmt: skip
        unsettled |= {
            (org, datetime.fromtimestamp(d, UTC).date())
            for a, b in (*held.missing, *held.provisional, *held.unconfirmed, *held.lost)
            for d in range(a - a % _DAY, b, _DAY)
        }
        sums = store.summarize("costs", ["date", "amount_currency"], ["amount_value"],
                               start=lo_day, end=hi_day, organization=org)  # fmt: skip
        for row in sums:
            key = (org, row["date"], str(row.get("amount_currency") or "usd").lower())
            billed[key] += row.get("amount_value") or Decimal(0)
    out = []
    for k in kept:
        settled = (k["organization"], k["day"]) not in unsettled
        bill = billed.get((k["organization"], k["day"], k["currency"]), Decimal(0))
        out.append(KeptEstimate(k["day"], k["organization"], k["currency"], k["estimated"],
                                k["made_at"], bill if settled else None))  # fmt: skip
    return out


def _midnight(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def estimated_spend(report: Report, store: Store, *, now: Any = None) -> EstimatedSpend | None:
    """What ``report`` shows of the estimate (``report.estimated``): its unsettled days
    estimated from usage, and the kept estimates of its settled days against their bills.
    ``None`` when the store holds no costs, or the period has neither."""
    start, end = int(report.start.timestamp()), int(report.end.timestamp())
    moment = to_unix(now, "now") if now is not None else int(datetime.now(UTC).timestamp())
    # The report's coverage says where the unsettled days are: only they are read.
    held = report.coverage.endpoints.get("costs") if report.coverage is not None else None
    if held is not None:
        spans = [*held.missing, *held.provisional, *held.unconfirmed]
        first = min((a - a % _DAY for a, _ in spans), default=end)
        start = max(start, first)
    days, notes = [], []
    if start < end:
        try:
            found = estimate_spend(store, start, end, now=moment)
        except StoreEmptyError:
            return None
        days, notes = found.days, found.notes
    lo, hi = int(report.start.timestamp()), end
    record = [r for r in estimate_record(store, lo, hi, now=moment) if r.billed is not None]
    if not days and not record:
        return None
    made = EstimatedSpend(datetime.fromtimestamp(moment, UTC), days, record, notes)
    report.estimated = made
    return made
