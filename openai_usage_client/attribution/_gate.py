"""``check --estimated``: budgets judged on month to date with the unsettled days at their
estimate from usage, never below what the bill has reported of them so far.

A day whose costs have not settled counts, per project, kind of usage (model and kind, or a
tool), API key and user, the larger of what its costs have reported so far and its usage at
the organization's own unit prices (``estimate_spend``): a line that usage does not measure
keeps its billed amount, and a line billed high keeps it until it settles, so the gate can
only be stricter than the bill so far, never looser. The forecast reads the same days.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from .._core._format import money
from ..reconcile import measure_of
from ..report import ESTIMATED
from ..store import StoreEmptyError
from ._estimate import Estimate, estimate_spend

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["with_estimates"]

_DAY: Final = 86_400
#: How far back unsettled days are sought (longer than any settle window).
_RECENT_DAYS: Final = 7
#: Where a row's names are, per ID column (a store read with names).
_NAMES: Final = {"project_id": ("project_name",), "api_key_id": ("api_key_name",),
                 "user_id": ("user_email", "user_name")}  # fmt: skip
Cell = tuple[date, Any, Any, str, Any, Any]


def with_estimates(organizations: Sequence[Any], store: Store, now: int) -> list[str]:
    """Read each organization (``spend.OrgSource`` of ``store``) with its unsettled days at
    their estimate (module docstring): its ``source`` is wrapped in place. Returns what the
    result should say: per organization, the days so counted and their figures, and what
    the estimate lacks."""
    try:
        found = estimate_spend(store, now - now % _DAY - _RECENT_DAYS * _DAY, now, now=now)
    except StoreEmptyError:
        return []
    notes = []
    for org in organizations:
        days = [d for d in found.days if d.organization == org.name]
        if not days:
            continue
        org.source = _Estimated(org.source, found, org.name, {d.day for d in days})
        cur = days[0].currency
        first, last = days[0].day, days[-1].day
        when = f"{first}" if first == last else f"{first} to {last}"
        estimated = sum((d.estimated for d in days), Decimal(0))
        billed = sum((d.billed_so_far for d in days), Decimal(0))
        notes.append(
            f"{org.name}: --estimated: month to date and the forecast count {when} (not settled) "
            f"at the larger of the bill so far and the estimate from usage, line by line "
            f"(estimated {money(estimated, cur)}, billed so far {money(billed, cur)})"
        )
    return notes + [f"estimate: {n}" for n in found.notes]


class _Estimated:
    """A row source whose unsettled days' costs are the larger of billed and estimated."""

    def __init__(self, inner: Any, found: Estimate, organization: str, days: set[date]):
        self.inner, self.found, self.organization, self.days = inner, found, organization, days
        #: What the inner source says of itself (a refusal's fallback), passed on.
        self.notes = getattr(inner, "notes", [])

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)  # gaps, store, path: the inner source's

    def rows(
        self, endpoint: str, start: datetime | None = None, end: datetime | None = None
    ) -> Iterable[dict[str, Any]]:
        rows: Iterable[dict[str, Any]] = self.inner.rows(endpoint, start, end)
        return self._costs(rows, start, end) if endpoint == "costs" else rows

    def _costs(
        self, rows: Iterable[dict[str, Any]], start: datetime | None, end: datetime | None
    ) -> Iterator[dict[str, Any]]:
        # Per cell its sum and what a row of it shows (line item, currency): never the rows.
        billed: dict[Cell, list[Any]] = {}
        names: dict[str, dict[Any, dict[str, Any]]] = defaultdict(dict)
        shown: dict[tuple[Any, Any], tuple[Any, Any]] = {}
        for row in rows:
            for column, held in _NAMES.items():
                if row.get(column) not in names[column] and any(n in row for n in held):
                    names[column][row.get(column)] = {n: row.get(n) for n in held if n in row}
            day = row["start_time"].astimezone(UTC).date()
            if day not in self.days:
                yield row
                continue
            found = billed.setdefault(_cell(day, row), [Decimal(0), _shown(row, shown)])
            found[0] += row.get("amount_value") or Decimal(0)
        estimated: dict[Cell, list[Any]] = {}
        for row in self.found.rows():
            day = row["start_time"].date()
            if row["organization"] != self.organization or not _within(day, start, end):
                continue
            found = estimated.setdefault(_cell(day, row), [Decimal(0), _shown(row, shown)])
            found[0] += row["amount_value"]
        for cell in sorted({*billed, *estimated}, key=_order):
            so_far, guess = billed.get(cell), estimated.get(cell)
            amount = max(so_far[0] if so_far else Decimal(0), guess[0] if guess else Decimal(0))
            line_item, currency = (so_far or guess or [None, (None, None)])[1]
            begins = datetime(cell[0].year, cell[0].month, cell[0].day, tzinfo=UTC)
            yield {
                "endpoint": "costs", "object": "organization.costs.result",
                "start_time": begins, "end_time": begins + timedelta(days=1),
                "project_id": cell[1], "line_item": line_item,
                "api_key_id": cell[4], "user_id": cell[5],
                **{n: v for column, ids in (("project_id", cell[1]), ("api_key_id", cell[4]),
                                            ("user_id", cell[5]))
                   for n, v in names[column].get(ids, {}).items()},
                "amount_value": amount, "amount_currency": currency or "usd",
                "basis": ESTIMATED if guess and (not so_far or guess[0] > so_far[0])
                else "billed",
            }  # fmt: skip


def _shown(row: dict[str, Any], seen: dict[tuple[Any, Any], tuple[Any, Any]]) -> tuple[Any, Any]:
    """A row's line item and currency, one tuple per distinct pair (a large organization has
    tens of thousands of cells a day, and a few dozen line items)."""
    pair = (row.get("line_item"), row.get("amount_currency"))
    return seen.setdefault(pair, pair)


def _within(day: date, start: datetime | None, end: datetime | None) -> bool:
    moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return (start is None or moment >= start) and (end is None or moment < end)


def _cell(day: date, row: dict[str, Any]) -> Cell:
    """Where a billed line and an estimated one meet: day, project, model and kind (the
    line item's measure; the line item itself for one usage does not measure), key, user."""
    measure = measure_of(row.get("line_item"))
    model, kind = (measure[0], measure[1]) if measure else (None, str(row.get("line_item")))
    return (day, row.get("project_id"), model, kind, row.get("api_key_id"), row.get("user_id"))


def _order(cell: Cell) -> tuple[Any, ...]:
    return (cell[0], *(("" if part is None else str(part)) for part in cell[1:]))
