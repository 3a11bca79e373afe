"""Spend before it is billed: the usage of the days whose costs have not settled, at the
organization's own unit prices.

Costs arrive late and settle over days; usage is there within the hour. For every UTC day of
a period whose stored costs are provisional, missing or still to be confirmed, the day's
usage (``reconcile``'s join of line items to usage: uncached input, cached input and output
tokens, images, characters, seconds, sessions, calls) is priced at:

* the organization's own unit price of the same model, kind and variant (batch or
  interactive, a web search context size): its billed amount over its billed quantity, the
  median of the last ``PRICE_DAYS`` settled days that billed it within ``LOOKBACK_DAYS``
  before the first unsettled day (one odd day, such as a line billed twice at a changed
  price, does not move it; a lasting price change is followed after two settled days);
* else the price table's (``reconcile.load_prices``: a line item never billed yet);
* else none: the usage is listed as unpriced and left out of the figure, which says so.

Where the stored usage does not tell variants apart, they are priced together (their billed
amounts over their billed quantities), and ``Estimate.notes`` says so. ``docs/attribution.md``
states the estimate's accuracy on the fake.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from .._core._exceptions import InvalidParameterError
from .._core._time import to_unix
from ..reconcile import BUILTIN, FAMILIES, UNIT_FACTORS, PriceTable, load_prices, measure_of
from ..report import ESTIMATED, EstimatedDay
from ._allocate import Need, Quantity, Who, _Plan, plans_of, pooled, usage_of_day, variant_of_line

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["LOOKBACK_DAYS", "PRICE_DAYS", "Estimate", "UsedPrice", "estimate_spend"]

#: Settled days whose unit prices are taken (their median), and how far back they are sought.
PRICE_DAYS: Final = 3
LOOKBACK_DAYS: Final = 31
_DAY: Final = 86_400
#: Audio kinds, and the kind whose tokens include them.
_AUDIO: Final = {"audio input": "input", "audio output": "output"}
#: A price's key: (model, kind, variant); variant ``None``: the variants priced together.
PriceKey = tuple[str | None, str, str | None]


@dataclass(frozen=True)
class UsedPrice:
    """The unit price an estimate put on a kind of usage, and where it came from."""

    #: The line item priced (or, variants priced together, what they have in common).
    line_item: str
    #: Per usage unit (one token, image, character, second, session, call, GiB-hour).
    per_unit: Decimal
    currency: str
    #: ``billed`` (the organization's own) or the price table's description.
    source: str
    #: The settled days the billed price is the median of.
    days: tuple[date, ...] = ()


@dataclass
class Estimate:
    """The spend of a period's unsettled days estimated from usage (module docstring).

    ``days``: per organization and unsettled day, the estimate beside the costs billed so far
    (``partial`` for the day not over yet). ``rows()`` gives the estimated figures a day at a
    time, as finely as the usage is stored: ``start_time``, ``end_time``, ``organization``,
    ``project_id``, ``line_item``, ``model``, ``api_key_id``, ``user_id``, ``quantity``,
    ``amount_value``, ``amount_currency``, ``basis`` (``estimated from usage``) and
    ``price_source``. ``prices`` says which price each kind of usage was given."""

    store: Store
    now: int
    bucket_width: str
    days: list[EstimatedDay]
    prices: dict[tuple[str, PriceKey], UsedPrice]
    notes: list[str] = field(default_factory=list)
    _plans: list[_Plan] = field(default_factory=list, repr=False)

    @property
    def total(self) -> Decimal:
        return sum((d.estimated for d in self.days), Decimal(0))

    def rows(self) -> Iterator[dict[str, Any]]:
        for plan in self._plans:
            for found in self.days:
                if found.organization != plan.organization:
                    continue
                day = int(datetime(found.day.year, found.day.month, found.day.day,
                                   tzinfo=UTC).timestamp())  # fmt: skip
                usage, _ = usage_of_day(self.store, self.bucket_width, plan, day, True)
                for need, shares in sorted(_needs(usage).items(), key=_need_order):
                    price = self.prices.get((plan.organization, need[1:]))
                    if price is None:
                        continue
                    for (lo, hi, key, user), quantity in sorted(shares.items(), key=_who_order):
                        yield {
                            "start_time": datetime.fromtimestamp(lo, UTC),
                            "end_time": datetime.fromtimestamp(hi, UTC),
                            "organization": plan.organization, "project_id": need[0],
                            "line_item": price.line_item, "model": need[1],
                            "api_key_id": key, "user_id": user, "quantity": quantity,
                            "amount_value": quantity * price.per_unit,
                            "amount_currency": price.currency, "basis": ESTIMATED,
                            "price_source": price.source,
                        }  # fmt: skip


def estimate_spend(
    store: Store,
    start: Any,
    end: Any,
    *,
    now: Any = None,
    bucket_width: str = "1d",
    organization: str | None = None,
    prices: str | PriceTable | None = BUILTIN,
) -> Estimate:
    """Estimate the spend of the whole UTC days of ``[start, end)`` (up to ``now``, default
    the current time) whose stored costs have not settled, from the stored usage. ``prices``:
    the table for kinds of usage never billed yet (``None``: none). ``StoreEmptyError`` when
    the store holds no costs (of ``organization``)."""
    if bucket_width not in ("1d", "1h"):
        raise InvalidParameterError("bucket_width", bucket_width, "1d or 1h")
    moment = int(time.time()) if now is None else to_unix(now, "now")
    lo, hi = to_unix(start, "start"), to_unix(end, "end")
    lo, hi = lo - lo % _DAY, min(-(-hi // _DAY) * _DAY, -(-moment // _DAY) * _DAY)
    table = load_prices(prices) if isinstance(prices, str) else prices
    plans = plans_of(store, organization, "1d")
    days: list[EstimatedDay] = []
    used: dict[tuple[str, PriceKey], UsedPrice] = {}
    notes: list[str] = []
    for plan in plans:
        who = f"{plan.organization}: " if len(plans) > 1 else ""
        unsettled = _unsettled(store, plan, lo, hi, moment)
        if not unsettled:
            continue
        usage = {}
        for day in unsettled:
            found, lacking = usage_of_day(store, "1d", plan, day, True)
            if lacking >= set(plan.sources):
                notes.append(f"{who}{_iso(day)}: not estimated, its usage is not in the store")
                continue
            usage[day] = _needs(found)
            if lacking:
                notes.append(f"{who}{_iso(day)}: no usage of {', '.join(sorted(lacking))} in "
                             "the store: not in the estimate")  # fmt: skip
        if not usage:
            continue
        wanted = {need[1:] for per_day in usage.values() for need in per_day}
        unseen = _Unseen()
        priced = _billed_prices(store, plan, min(usage), wanted, unseen, moment)
        if (left_out := unseen.note()) is not None:
            notes.append(f"{who}{left_out}")
        for key in sorted(wanted, key=_key_order):
            price = priced.get(key) or (None if key[1] in _AUDIO else _listed(key, table))
            if price is not None:
                used[(plan.organization, key)] = price
        for day, per_need in sorted(usage.items()):
            _take_audio_out(per_need, {k for k in priced if k[1] in _AUDIO})
            days.append(_day(store, plan, day, moment, per_need, used))
        notes += [f"{who}{n}" for n in _pooled_notes(plan)]
    return Estimate(store, moment, bucket_width, days, used, notes, plans)


def _iso(day: int) -> str:
    return f"{datetime.fromtimestamp(day, UTC):%Y-%m-%d}"


def _unsettled(store: Store, plan: _Plan, lo: int, hi: int, now: int) -> list[int]:
    """The days of ``[lo, hi)`` begun by ``now`` whose costs are not settled in the store."""
    if hi <= lo:
        return []
    cover = store.coverage(
        "costs", lo, hi, now=now, organization=plan.organization,
        bucket_width=plan.costs.bucket_width, group_by=plan.costs.group_by,
    ).endpoints["costs"]  # fmt: skip
    spans = [*cover.missing, *cover.provisional, *cover.unconfirmed]
    return sorted({d for a, b in spans for d in range(a - a % _DAY, b, _DAY) if lo <= d < now})


def _needs(found: Mapping[Need, Mapping[Who, Quantity]]) -> dict[Need, dict[Who, Quantity]]:
    """The usage to price, each quantity once: per variant where the stored usage tells
    them apart (what none of the variants holds stays pooled), else pooled."""
    out: dict[Need, dict[Who, Quantity]] = {}
    told: dict[Need, list[Need]] = defaultdict(list)
    for need in found:
        if need[3] is not None:
            told[(*need[:3], None)].append(need)
    for need, shares in found.items():
        if need[3] is not None:
            out[need] = dict(shares)
            continue
        rest: dict[Who, Quantity] = dict(shares)
        for variant in told.get(need, ()):
            for who, quantity in found[variant].items():
                rest[who] = rest.get(who, 0) - quantity
        rest = {who: q for who, q in rest.items() if q}
        if rest:
            out[need] = rest
    return out


def _take_audio_out(usage: dict[Need, dict[Who, Quantity]], billed: set[PriceKey]) -> None:
    """Audio tokens are within a model's input and output tokens: where the organization is
    billed for them on a line of their own, they come out of input and output; else they
    stay there and are not priced again."""
    for need in [n for n in usage if n[2] in _AUDIO]:
        shares = usage.pop(need)
        if need[1:] not in billed and (need[1], need[2], None) not in billed:
            continue
        usage[need] = shares
        within = usage.get((need[0], need[1], _AUDIO[need[2]], need[3]))
        if within is None:
            continue
        for who, quantity in shares.items():
            if who in within:
                within[who] = max(0, within[who] - quantity)


@dataclass
class _Unseen:
    """What the last settled day billed that no stored usage measures, per cause."""

    day: int | None = None
    total: Decimal = Decimal(0)
    causes: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def add(self, day: int, line_item: str | None, amount: Decimal, plan: _Plan) -> None:
        if self.day is None:
            self.day = day
        elif day != self.day:
            return
        self.total += amount
        measure = measure_of(line_item)
        if measure is None:
            self.causes[f"{line_item or '(no line item)'} (no usage endpoint reports it)"] += amount
            return
        family = sorted(FAMILIES[measure[1]])
        if not any(e in plan.sources for e in family):
            self.causes[family[0]] += amount

    def note(self) -> str | None:
        missed = sum(self.causes.values(), Decimal(0))
        if self.day is None or not missed or not self.total:
            return None
        causes = sorted(self.causes, key=lambda c: (-self.causes[c], c))
        endpoints = [c for c in causes if " " not in c]
        others = [c for c in causes if " " in c]
        why = ([f"the usage of {', '.join(endpoints)} is not in the store (sync --endpoint "
                "all)"] if endpoints else []) + others  # fmt: skip
        return (f"leaves out {missed / self.total:.0%} of what {_iso(self.day)} "
                f"billed: {'; '.join(why)}")  # fmt: skip


def _billed_prices(
    store: Store,
    plan: _Plan,
    first: int,
    wanted: set[PriceKey],
    unseen: _Unseen,
    now: int,
) -> dict[PriceKey, UsedPrice]:
    """The organization's own unit price of each wanted kind of usage: the median of its
    daily prices on the last ``PRICE_DAYS`` settled days that billed it; and in ``unseen``
    what the last settled day billed that the stored usage does not measure."""
    daily: dict[PriceKey, list[tuple[date, Decimal]]] = defaultdict(list)
    names: dict[PriceKey, set[str]] = defaultdict(set)
    currency: dict[PriceKey, str] = {}
    # Only settled days give prices (a provisional day's lines are still arriving).
    unsettled = set(_unsettled(store, plan, first - LOOKBACK_DAYS * _DAY, first, now))
    for day in range(first - _DAY, first - (LOOKBACK_DAYS + 1) * _DAY, -_DAY):
        if unseen.day is not None and all(len(daily[k]) >= PRICE_DAYS for k in wanted):
            break
        if day in unsettled:
            continue
        sums: dict[PriceKey, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        # Sums per line item in SQL: a large organization bills 50,000 rows a day.
        rows = store.summarize(
            "costs", ["line_item", "quantity_unit", "amount_currency"],
            ["amount_value", "quantity"], start=day, end=day + _DAY,
            organization=plan.organization, bucket_width=plan.costs.bucket_width,
            group_by=plan.costs.group_by,
        )  # fmt: skip
        for row in rows:
            line_item = row.get("line_item")
            unseen.add(day, line_item, row.get("amount_value") or Decimal(0), plan)
            measure = measure_of(line_item)
            factor = UNIT_FACTORS.get(str(row.get("quantity_unit")))
            if measure is None or factor is None or not row.get("quantity"):
                continue
            variant = variant_of_line(line_item or "", plan)
            quantity = Decimal(str(row["quantity"])) * factor
            for key in {(measure[0], measure[1], variant), (measure[0], measure[1], None)}:
                sums[key][0] += row.get("amount_value") or Decimal(0)
                sums[key][1] += quantity
                names[key].add(str(line_item))
                currency.setdefault(key, str(row.get("amount_currency") or "usd").lower())
        for key, (amount, quantity) in sums.items():
            if key in wanted and len(daily[key]) < PRICE_DAYS:
                daily[key].append((datetime.fromtimestamp(day, UTC).date(), amount / quantity))
    out = {}
    for key, found in daily.items():
        if not found:
            continue
        label = min(names[key]) if len(names[key]) == 1 else _pooled_label(key)
        median = statistics.median_low(price for _, price in found)
        out[key] = UsedPrice(label, median, currency[key], "billed",
                             tuple(sorted(d for d, _ in found)))  # fmt: skip
    return out


def _pooled_label(key: PriceKey) -> str:
    model, kind, _ = key
    if model is None:
        return f"{kind} (every context size)"
    return f"{model}, {kind} (batch and interactive)"


def _listed(key: PriceKey, table: PriceTable | None) -> UsedPrice | None:
    """The price table's price of a kind of usage never billed in the lookback."""
    if table is None:
        return None
    model, kind, variant = key
    if model is None:
        line_item = kind if variant is None else f"{kind} ({variant} context)"
    else:
        line_item = f"{model}, batch {kind}" if variant == "batch" else f"{model}, {kind}"
    price = table.price_of(line_item)
    if price is None:
        return None
    return UsedPrice(line_item, price, table.currency, table.describe())


def _day(
    store: Store,
    plan: _Plan,
    day: int,
    now: int,
    usage: Mapping[Need, Mapping[Who, Quantity]],
    prices: Mapping[tuple[str, PriceKey], UsedPrice],
) -> EstimatedDay:
    estimated = Decimal(0)
    unpriced = set()
    currency = None
    for need, shares in usage.items():
        price = prices.get((plan.organization, need[1:]))
        if price is None:
            unpriced.add(_listed_name(need[1:]))
            continue
        currency = currency or price.currency
        estimated += sum(shares.values()) * price.per_unit
    billed = Decimal(0)
    rows = store.rows(
        "costs", day, day + _DAY, names=False, organization=plan.organization,
        bucket_width=plan.costs.bucket_width, group_by=plan.costs.group_by, provisional=True,
    )  # fmt: skip
    for row in rows:
        billed += row.get("amount_value") or Decimal(0)
        currency = currency or str(row.get("amount_currency") or "usd").lower()
    return EstimatedDay(
        datetime.fromtimestamp(day, UTC).date(), plan.organization, currency or "usd",
        estimated, billed, partial=day + _DAY > now, unpriced=tuple(sorted(unpriced)),
    )  # fmt: skip


def _listed_name(key: PriceKey) -> str:
    model, kind, variant = key
    if model is None:
        return kind if variant is None else f"{kind} ({variant})"
    return f"{model}, {'batch ' if variant == 'batch' else ''}{kind}"


def _pooled_notes(plan: _Plan) -> list[str]:
    return [
        f"{what} priced together: the stored {endpoint} are not grouped by {column} "
        f"(sync --endpoint {endpoint} fetches them so grouped)"
        for endpoint, column, what in pooled(plan)
    ]


def _key_order(key: PriceKey) -> tuple[str, str, str]:
    return (key[0] or "", key[1], key[2] or "")


def _need_order(item: tuple[Need, Any]) -> tuple[str, ...]:
    need = item[0]
    return (need[0] or "", need[1] or "", need[2], need[3] or "")


def _who_order(item: tuple[Who, Any]) -> tuple[Any, ...]:
    lo, hi, key, user = item[0]
    return (lo, hi, key or "", user or "")
