"""``reconcile(store, start, end)``: a store's cost lines joined with its usage rows."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, overload

from .._core._exceptions import InvalidParameterError
from .._core._format import decimal_text, money, number
from .._core._rows import columns
from .._core._time import to_unix
from ..store import StoreError
from ._kinds import FAMILIES, JOINABLE, PRICE_SCALE, UNIT_FACTORS, measure_of, usage_measures
from ._model import FLAG_KINDS, STATUSES, Cell, Flag, FlagKind, Reconciliation, Status, UnitPrice
from ._prices import PriceTable, load_prices

if TYPE_CHECKING:
    from ..store import Coverage, Store

__all__ = ["DEFAULT_TOLERANCE", "reconcile"]

#: Billed and used quantities, and a day's price and its reference, may differ by this share.
DEFAULT_TOLERANCE: Final = Decimal("0.01")
_DAY: Final = 86_400
_USAGE: Final = sorted(set().union(*FAMILIES.values()))
#: ``(day, project_id, api_key_id, user_id, model, kind)``
Key = tuple[date, str | None, str | None, str | None, str | None, str]
#: The join key of a row: its day, the row, its model and kind.
KeyOf = Callable[[date, Mapping[str, Any], str | None, str], Key]


@dataclass(slots=True)
class _Side:
    quantity: Decimal = Decimal(0)
    amount: Decimal = Decimal(0)
    provisional: bool = False
    #: A billed line came without a quantity (or in a unit with no conversion).
    unknown: bool = False
    line_items: set[str] = field(default_factory=set)
    unit: str = ""


def _when(value: Any, param: str) -> int | None:
    return None if value is None else to_unix(value, param)


def reconcile(
    store: Store,
    start: Any = None,
    end: Any = None,
    *,
    organization: str | None = None,
    prices: PriceTable | str | Path | None = None,
    tolerance: Decimal | float | str = DEFAULT_TOLERANCE,
    now: Any = None,
) -> Reconciliation:
    """Join the store's cost lines with its usage rows, per UTC day, project, API key, user,
    model and kind, over the whole UTC days of ``[start, end)`` (default: every stored day
    of costs up to ``now``).

    ``prices``: a ``PriceTable``, ``"builtin"`` (the packaged list prices) or a TOML file;
    without one each line item's prices are compared with the period's median.
    ``tolerance``: the share (0 to 1) by which billed and used quantities, and a day's price
    and its reference, may differ before they are flagged (default 0.01).
    """
    tol = _tolerance(tolerance)
    table = prices if isinstance(prices, PriceTable) or prices is None else load_prices(prices)
    moment = to_unix(now if now is not None else datetime.now(UTC), "now")
    held = [f for f in store.freshness() if organization in (None, f.organization)]
    costs = {f.organization: f for f in held if f.endpoint == "costs"}
    lo, hi = _span(_when(start, "start"), _when(end, "end"), costs.values(), moment)
    notes: list[str] = []
    read: set[str] = set()
    if not costs:
        notes.append(
            f"costs: not in the store: openai-usage sync --db {store.path} --endpoint costs"
        )
    joins = []
    for org, cost_series in sorted(costs.items()):
        usage = {
            f.endpoint: f
            for f in sorted(held, key=lambda f: f.fetched_at)
            if f.organization == org and f.endpoint in _USAGE
        }
        read |= set(usage)
        joins.append(_OrgJoin(store, org, cost_series.group_by, usage, (lo, hi), moment, tol))
    # First pass: what the answer says of the cells, a day at a time; the cells themselves
    # are joined again when read (``_Cells``), so the period's cells are never held at once.
    seen = _Seen()
    for day in range(lo, hi, _DAY):
        for join in joins:
            seen.add(join, join.day(day, seen.price_sums, seen.currencies))
    for join in joins:
        # The cells' currency, as one join of the whole period gave it: the first seen.
        join.currency = next(iter(seen.currencies), "usd")
        notes += join.notes(seen)
    unit_prices, price_flags = _prices(seen.price_sums, seen.units, seen.orgs, table, tol)
    flags = sorted([*seen.flags, *price_flags], key=_flag_order)
    return Reconciliation(
        start=_day(lo),
        end=_day(hi),
        organizations=tuple(sorted(costs)),
        currency=seen.currencies.most_common(1)[0][0] if seen.currencies else "usd",
        cells=_Cells(store, joins, lo, hi, seen.count),
        prices=unit_prices,
        flags=[f for f in flags if not f.provisional],
        provisional_flags=[f for f in flags if f.provisional],
        price_reference=table.describe() if table else "the period's median",
        notes=notes,
        endpoints=sorted(read),
        spend=seen.spend,
        provisional_spend=seen.provisional_spend,
    )


class _Seen:
    """What the first pass keeps of the cells: sums, flags and counts, never the cells."""

    def __init__(self) -> None:
        self.count = 0
        self.spend: dict[Status, Decimal] = dict.fromkeys(STATUSES, Decimal(0))
        self.provisional_spend = Decimal(0)
        self.flags: list[Flag] = []
        self.units: dict[str, str] = {}
        self.orgs: dict[str, str] = {}
        self.price_sums: dict[tuple[str, date], list[Decimal]] = {}
        self.currencies: Counter[str] = Counter()
        #: Per organization: the settled spend not checked for want of a usage endpoint.
        self.unsynced: dict[str, tuple[Decimal, set[str]]] = {}

    def add(self, join: _OrgJoin, cells: Sequence[Cell]) -> None:
        self.count += len(cells)
        self.flags += _cell_flags(sorted(cells, key=_cell_order))
        for cell in cells:
            if cell.provisional:
                self.provisional_spend += cell.amount
            else:
                self.spend[cell.status] += cell.amount
            for line_item in cell.line_items:
                self.units[line_item] = cell.unit
                self.orgs[line_item] = cell.organization
            if (
                cell.status == "not_checked"
                and not cell.provisional
                and cell.reason.startswith(_NOT_SYNCED)
            ):
                amount, names = self.unsynced.get(join.org, (Decimal(0), set()))
                names.update(cell.reason.removeprefix(_NOT_SYNCED).rstrip(")").split(", "))
                self.unsynced[join.org] = (amount + cell.amount, names)


class _Cells(Sequence[Cell]):
    """``Reconciliation.cells``: every joined cell in order (day, organization, project,
    key, user, model, kind), joined again from the store a day at a time when read, so that
    a large organization's period is never held at once. It reads the open store."""

    def __init__(self, store: Store, joins: list[_OrgJoin], lo: int, hi: int, count: int):
        self._store, self._joins, self._span, self._count = store, joins, (lo, hi), count

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Cell]:
        if not self._count:
            return
        if self._store.closed:
            raise StoreError(
                "Reconciliation.cells are joined again from the store when read, and the store "
                "is closed: read them before closing it, or keep list(found.cells)"
            )
        for day in range(*self._span, _DAY):
            found = [c for join in self._joins for c in join.day(day)]
            yield from sorted(found, key=_cell_order)

    @overload
    def __getitem__(self, index: int) -> Cell: ...
    @overload
    def __getitem__(self, index: slice) -> list[Cell]: ...
    def __getitem__(self, index: int | slice) -> Cell | list[Cell]:
        return list(self)[index]

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{self._count} reconciled cells, joined when read>"


def _tolerance(value: Decimal | float | str) -> Decimal:
    try:
        tol = Decimal(str(value))
    except ArithmeticError:
        tol = Decimal(-1)
    if not tol.is_finite() or not 0 <= tol < 1:
        raise InvalidParameterError("tolerance", value, "a share from 0 to below 1 (0.01 is 1%)")
    return tol


def _day(seconds: int) -> date:
    return datetime.fromtimestamp(seconds, UTC).date()


def _span(start: int | None, end: int | None, costs: Iterable[Any], now: int) -> tuple[int, int]:
    """Whole UTC days: ``start`` down to its midnight, ``end`` up to one, not past today."""
    held = list(costs)
    if start is None:
        start = min((int(f.first.timestamp()) for f in held), default=now - now % _DAY)
    if end is None:
        end = max((int(f.last.timestamp()) for f in held), default=now)
    end = min(end, -(-now // _DAY) * _DAY)
    lo, hi = start - start % _DAY, -(-end // _DAY) * _DAY
    if hi <= lo:
        raise InvalidParameterError(
            "end", _day(end).isoformat(), f"a day after the start ({_day(lo).isoformat()})"
        )
    return lo, hi


class _OrgJoin:
    """One organization's join, a day at a time: the columns each kind joins by, what the
    store lacks, the project names and the models each kind's usage knows (over the whole
    period, as a day's verdicts need)."""

    def __init__(
        self,
        store: Store,
        org: str,
        cost_group_by: Sequence[str],
        usage: Mapping[str, Any],
        span: tuple[int, int],
        now: int,
        tol: Decimal,
    ) -> None:
        self.store, self.org, self.usage, self.span, self.tol = store, org, usage, span, tol
        self.cost_cols = set(cost_group_by) & set(JOINABLE)
        # A column joins a kind only when costs and every stored endpoint of the kind group
        # by it.
        self.cols: dict[str, set[str]] = {}
        for kind, family in FAMILIES.items():
            stored = [usage[e] for e in sorted(family) if e in usage]
            self.cols[kind] = self.cost_cols.intersection(*(set(f.group_by) for f in stored))
        lo, hi = span
        self.coverage = store.coverage(["costs", *sorted(usage)], lo, hi, now=now,
                                       organization=org)  # fmt: skip
        self.missing = {
            name: {d for s, e in held.missing for d in _days(s, e)}
            for name, held in self.coverage.endpoints.items()
        }
        self.names = {pid: p.name for pid, p in store.directory(org).projects.items()}
        self.seen = _models_seen(store, org, sorted(usage), span)
        #: The cells' currency once the first pass has seen every cost line.
        self.currency: str | None = None

    def key_of(self, day: date, row: Mapping[str, Any], model: str | None, kind: str) -> Key:
        use = self.cols.get(kind, self.cost_cols)
        project, key, user = (row.get(c) if c in use else None for c in JOINABLE)
        return (day, project, key, user, model, kind)

    def day(
        self,
        start: int,
        price_sums: dict[tuple[str, date], list[Decimal]] | None = None,
        currencies: Counter[str] | None = None,
    ) -> list[Cell]:
        """The cells of the UTC day from ``start``; the first pass passes ``price_sums`` and
        ``currencies`` to fill (the derived prices, the currencies seen)."""
        span = (start, start + _DAY)
        used = _used(self.store, self.org, sorted(self.usage), span, self.key_of)
        sums: dict[tuple[str, date], list[Decimal]] = {} if price_sums is None else price_sums
        counted: Counter[str] = Counter() if currencies is None else currencies
        billed = _billed(self.store, self.org, span, self.key_of, sums, counted)
        _take_audio_out(billed, used)
        currency = self.currency or next(iter(counted), "usd")
        cells = []
        for key in billed.keys() | used.keys():
            cost, use = billed.get(key), used.get(key)
            reason = _unchecked(key, self.usage, self.seen, self.missing)
            found = _verdict(key, cost, use, reason, self.missing, self.tol)
            if found is not None:
                cells.append(self._cell(key, cost, use, found, currency))
        return cells

    def _cell(
        self,
        key: Key,
        cost: _Side | None,
        use: _Side | None,
        found: tuple[Status, str | None],
        currency: str,
    ) -> Cell:
        status, reason = found
        day, project, api_key, user, model, kind = key
        unit = (use.unit if use is not None else "") or (cost.unit if cost else "")
        return Cell(
            day=day,
            organization=self.org,
            project_id=project,
            api_key_id=api_key,
            user_id=user,
            model=model,
            kind=kind,
            unit=unit,
            project_name=self.names.get(project) if project else None,
            line_items=tuple(sorted(cost.line_items)) if cost else (),
            billed=None if cost is None or cost.unknown else cost.quantity,
            used=use.quantity if use is not None else None,
            amount=cost.amount if cost else Decimal(0),
            currency=currency,
            status=status,
            provisional=(cost is not None and cost.provisional)
            or (use is not None and use.provisional),
            reason=reason or "",
        )

    def notes(self, seen: _Seen) -> list[str]:
        """The store's gap lines, and what the spend not checked for want of a usage
        endpoint comes to, with the sync that fills it."""
        out = _coverage_notes(self.coverage)
        if self.org not in seen.unsynced:
            return out
        amount, names = seen.unsynced[self.org]
        start = _day(self.span[0]).isoformat()
        out.append(
            f"Not checked ({self.org}): {money(amount, self.currency)} of settled spend, line "
            f"items whose usage is not in the store ({', '.join(sorted(names))}): "
            f"openai-usage sync --db {self.store.path} --endpoint all --start {start}"
        )
        return out


def _models_seen(
    store: Store, org: str, endpoints: list[str], span: tuple[int, int]
) -> dict[str, set[str | None]]:
    """The models each kind's usage measured anything for over the period: a kind's
    quantities are never negative, so its sum per model is positive exactly when a row's is."""
    seen: dict[str, set[str | None]] = defaultdict(set)
    for endpoint in endpoints:
        by = ["model"] if "model" in columns(endpoint) else []
        for row in store.summarize(endpoint, by, start=span[0], end=span[1],
                                   organization=org):  # fmt: skip
            for (model, kind, _unit), _quantity in usage_measures(endpoint, row):
                seen[kind].add(model)
    return seen


def _used(
    store: Store, org: str, endpoints: list[str], span: tuple[int, int], key_of: KeyOf
) -> dict[Key, _Side]:
    """What the usage endpoints measured, per key."""
    used: dict[Key, _Side] = defaultdict(_Side)
    for endpoint in endpoints:
        for row in store.rows(endpoint, *span, False, organization=org, provisional=True):
            day = row["start_time"].date()
            for (model, kind, unit), quantity in usage_measures(endpoint, row):
                side = used[key_of(day, row, model, kind)]
                side.quantity += quantity
                side.unit = unit
                side.provisional |= bool(row["provisional"])
    return used


def _billed(
    store: Store,
    org: str,
    span: tuple[int, int],
    key_of: KeyOf,
    price_sums: dict[tuple[str, date], list[Decimal]],
    currencies: Counter[str],
) -> dict[Key, _Side]:
    """What the costs billed, per key (amounts, quantities in usage's units, line items),
    and the settled amounts and quantities per line item and day (the derived prices)."""
    billed: dict[Key, _Side] = defaultdict(_Side)
    for row in store.rows("costs", *span, False, organization=org, provisional=True):
        day = row["start_time"].date()
        line_item = row.get("line_item") or "(no line item)"
        amount: Decimal = row["amount_value"] or Decimal(0)
        currencies[(row.get("amount_currency") or "usd").lower()] += 1
        measure = measure_of(row.get("line_item"))
        model, kind, unit = measure or (None, line_item, str(row.get("quantity_unit") or ""))
        side = billed[key_of(day, row, model, kind)]
        side.amount += amount
        side.unit = unit
        side.provisional |= bool(row["provisional"])
        side.line_items.add(line_item)
        factor = UNIT_FACTORS.get(str(row.get("quantity_unit")))
        sent = row.get("quantity")
        if measure is None or factor is None or sent is None:
            side.unknown = True
            continue
        billed_quantity = Decimal(str(sent)) * factor
        side.quantity += billed_quantity
        if not row["provisional"] and billed_quantity:
            sums = price_sums.setdefault((line_item, day), [Decimal(0), Decimal(0)])
            sums[0] += amount
            sums[1] += billed_quantity
    return billed


def _unchecked(
    key: Key,
    usage: Mapping[str, Any],
    seen: Mapping[str, set[str | None]],
    missing: Mapping[str, set[date]],
) -> str | None:
    """Why a key cannot be judged (its usage is not synced, or not stored that day)."""
    day, model, kind = key[0], key[4], key[5]
    family = FAMILIES.get(kind)
    if family is None:
        return "no usage endpoint reports this line item"
    absent = sorted(family - set(usage))
    if absent and (len(absent) == len(family) or model not in seen[kind]):
        return f"{_NOT_SYNCED}{', '.join(absent)})"
    gaps = sorted(e for e in family & set(usage) if day in missing.get(e, ()))
    if gaps:
        return f"the store lacks {', '.join(gaps)} for this day"
    return None


def _verdict(
    key: Key,
    cost: _Side | None,
    use: _Side | None,
    reason: str | None,
    missing: Mapping[str, set[date]],
    tol: Decimal,
) -> tuple[Status, str | None] | None:
    """A key's status and why; ``None`` for a key not worth a cell (nothing billed or used,
    or usage of a day whose costs are not stored: said in the notes)."""
    if cost is None:
        assert use is not None
        if reason is not None or key[0] in missing.get("costs", ()):
            return None
        return "usage_without_cost", f"used {_qty(use.quantity, use.unit)}, nothing billed"
    if reason is not None:
        return "not_checked", reason
    if cost.unknown:
        return "not_checked", "the API sent no quantity (or an unknown unit)"
    if use is None or not use.quantity:
        if not cost.amount and not cost.quantity:
            return None
        return "cost_without_usage", f"billed {_qty(cost.quantity, cost.unit)}, no usage"
    if abs(cost.quantity - use.quantity) <= tol * max(cost.quantity, use.quantity):
        return "matched", ""
    ratio = cost.quantity / use.quantity
    return "quantity_mismatch", (
        f"billed {_qty(cost.quantity, cost.unit)}, used {_qty(use.quantity, use.unit)} "
        f"({ratio:.2f}x)"
    )


_NOT_SYNCED: Final = "its usage is not in the store (not synced: "


def _coverage_notes(coverage: Coverage) -> list[str]:
    """The store's gap lines (``Missing:``, ``Refused:``, ``Lost:``), and one ``Provisional:``
    line per span of days (not one per endpoint)."""
    out = coverage.gap_lines()
    spans: dict[str, list[str]] = {}
    for name, held in coverage.endpoints.items():
        if held.provisional:
            spans.setdefault(held.provisional_days(), []).append(name)
    for days, names in spans.items():
        out.append(f"Provisional: {days} (may still change; not judged): {', '.join(names)}")
    return out


def _days(start: int, end: int) -> Iterable[date]:
    t = start - start % _DAY
    while t < end:
        yield _day(t)
        t += _DAY


def _take_audio_out(billed: Mapping[Key, _Side], used: dict[Key, _Side]) -> None:
    """Where audio tokens are billed on lines of their own, the text lines are billed on the
    rest: take the audio out of the used input and output."""
    for key in list(used):
        kind = key[5]
        if kind not in ("audio input", "audio output"):
            continue
        if key not in billed:
            # Billed with the text tokens (the usage's input and output include audio).
            del used[key]
            continue
        text = (*key[:5], kind.removeprefix("audio "))
        if text in used:
            used[text].quantity -= used[key].quantity


def _qty(quantity: Decimal, unit: str) -> str:
    return f"{number(quantity)} {unit}".strip()


def _prices(
    sums: Mapping[tuple[str, date], list[Decimal]],
    units: Mapping[str, str],
    orgs: Mapping[str, str],
    table: PriceTable | None,
    tol: Decimal,
) -> tuple[list[UnitPrice], list[Flag]]:
    """Each line item's settled daily unit prices, and the days that differ from the
    reference (the list price, else the period's median); ``units`` and ``orgs``: each line
    item's usage unit and organization (the last cell's, as read)."""
    daily: dict[str, dict[date, tuple[Decimal, Decimal]]] = defaultdict(dict)
    for (line_item, day), (amount, quantity) in sums.items():
        daily[line_item][day] = (amount / quantity, amount)
    prices, flags = [], []
    for line_item in sorted(daily):
        scale, per = PRICE_SCALE.get(units.get(line_item, ""), (Decimal(1), "unit"))
        days = dict(sorted(daily[line_item].items()))
        shown = {day: price * scale for day, (price, _) in days.items()}
        listed = table.price_of(line_item) if table is not None else None
        median = statistics.median_low(shown.values())
        reference = listed * scale if listed is not None else median
        prices.append(
            UnitPrice(
                line_item, per, median, min(shown.values()), max(shown.values()), len(shown),
                None if listed is None else listed * scale, shown,
            )
        )  # fmt: skip
        before: Decimal | None = None
        for day, price in shown.items():
            off = abs(price - reference)
            if off > tol * reference if reference else price != 0:
                which = "the list price" if listed is not None else "the period's median"
                share = f"{off / reference:.1%} " if reference else ""
                where = "above" if price > reference else "below"
                moved = (
                    f"; the day before: {_price(before)}"
                    if before is not None and before != price
                    else ""
                )
                flags.append(
                    Flag(
                        "price_differs", day, orgs.get(line_item, ""), line_item, None, None, None,
                        days[day][1],
                        f"{_price(price)} per {per}, {share}{where} {which} {_price(reference)}"
                        f"{moved}",
                    )
                )  # fmt: skip
            before = price if (day + timedelta(days=1)) in shown else None
    return prices, flags


def _price(value: Decimal) -> str:
    return f"${decimal_text(round(value, 6).normalize())}"


#: The statuses that are flags too (a price flag is per line item and day, not per cell).
_FLAGGED: Final[Mapping[Status, FlagKind]] = {
    "cost_without_usage": "cost_without_usage",
    "usage_without_cost": "usage_without_cost",
    "quantity_mismatch": "quantity_mismatch",
}


def _cell_flags(cells: Iterable[Cell]) -> list[Flag]:
    out = []
    for cell in cells:
        kind = _FLAGGED.get(cell.status)
        if kind is None:
            continue
        line_item = (
            ", ".join(cell.line_items)
            if cell.line_items
            else (f"{cell.model}, {cell.kind}" if cell.model else cell.kind)
        )
        out.append(
            Flag(
                kind, cell.day, cell.organization, line_item, cell.project_id, cell.api_key_id,
                cell.user_id, cell.amount, cell.reason, cell.provisional, cell.project_name,
            )
        )  # fmt: skip
    return out


def _cell_order(cell: Cell) -> tuple[Any, ...]:
    return (
        cell.day, cell.organization, cell.project_id or "", cell.api_key_id or "",
        cell.user_id or "", cell.model or "", cell.kind,
    )  # fmt: skip


def _flag_order(flag: Flag) -> tuple[Any, ...]:
    return (
        flag.day, FLAG_KINDS.index(flag.kind), flag.line_item, flag.project_id or "",
        flag.api_key_id or "", flag.user_id or "",
    )  # fmt: skip
