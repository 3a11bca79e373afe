"""Billed spend allocated from usage: each billed cell split by the usage behind it.

A billed cell is one day, project, line item and currency of the stored costs. Its line item
says what it measures (``reconcile``'s join: ``input`` is uncached input tokens, ``cached
input`` cached tokens, ``output`` output tokens, then images, characters, seconds, calls);
the usage rows of the same day, project, model and kind say who used it and when (API key,
user, hour). The cell's amount is split in proportion to those quantities, exactly
(``split``): the allocated rows of a cell add up to it to the last digit.

A cell stays whole, billed at its project (``basis`` ``billed``, ``unallocated`` says why),
when its usage knows only the project (vector store storage, code interpreter sessions),
when no usage endpoint reports its line item, when its usage is not in the store (a day or
an endpoint not synced), or when no usage stands behind it. Variants that the stored usage
does not tell apart (batch and interactive tokens; the context sizes of web search) are
pooled, and ``Allocation.notes`` says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from .._core._exceptions import InvalidParameterError
from .._core._summarize import model_from_line_item
from .._core._time import to_unix
from ..reconcile import FAMILIES, measure_of, usage_measures
from ._split import split

if TYPE_CHECKING:
    from ..store import Freshness, Store

__all__ = ["ALLOCATED", "BILLED", "GROUPABLE", "Allocation", "allocate_costs"]

#: ``basis`` of a row: a billed cell kept whole, or a share of one split by usage.
BILLED: Final = "billed"
ALLOCATED: Final = "allocated from usage"
#: What allocated spend can be grouped by.
GROUPABLE: Final = (
    "organization", "project_id", "line_item", "model", "api_key_id", "user_id",
)  # fmt: skip
_DAY: Final = 86_400
_HOUR: Final = 3_600
#: Tool lines whose usage is grouped by project only: never split to keys or users.
_PROJECT_ONLY: Final = frozenset({"vector store storage", "code interpreter sessions"})
#: The usage column telling a line item's variants apart, per endpoint.
VARIANT: Final = {
    "completions": "batch",
    "decisions": "batch",
    "web_search_calls": "context_level",
}
#: Who and when a share of usage is: (bucket start, bucket end, API key, user).
Who = tuple[int, int, str | None, str | None]
#: A quantity of usage: a count, or exact GiB-hours of storage.
Quantity = int | Decimal
#: A billed cell's usage: (project, model, kind, variant).
Need = tuple[str | None, str | None, str, str | None]


@dataclass(frozen=True)
class _Source:
    """The stored usage series an allocation reads for one endpoint of one organization."""

    endpoint: str
    bucket_width: str
    group_by: tuple[str, ...]


@dataclass
class _Plan:
    """What one organization's allocation reads: its costs series and usage sources."""

    organization: str
    costs: Freshness
    sources: dict[str, _Source]


@dataclass
class Allocation:
    """Billed spend over ``[start, end)`` allocated from usage (see the module docstring).

    ``rows()`` gives the rows a day at a time (never the whole period at once): ``start_time``
    and ``end_time`` (an hour or a day), ``organization``, ``project_id``, ``line_item``,
    ``model``, ``api_key_id``, ``user_id``, ``amount_value``, ``amount_currency``,
    ``quantity`` and ``quantity_unit`` (the billed quantity, split as the amount is),
    ``basis`` (``billed`` or ``allocated from usage``), ``unallocated`` (why a cell stayed
    whole, else ``None``) and ``provisional`` (its costs may still settle). ``notes`` says what the
    store's usage could not tell apart or lacks."""

    store: Store
    start: int
    end: int
    bucket_width: str
    plans: list[_Plan]
    notes: list[str] = field(default_factory=list)

    def rows(self) -> Iterator[dict[str, Any]]:
        for plan in self.plans:
            for day in range(self.start, self.end, _DAY):
                yield from _day_rows(self, plan, day)

    def grouped(
        self, by: Sequence[str], where: Mapping[str, Sequence[Any]] | None = None
    ) -> Iterator[dict[str, Any]]:
        """The rows summed per bucket, ``by`` (any of ``GROUPABLE``), currency and basis, a
        day at a time, in time order: ``start_time``, ``end_time``, the ``by`` columns,
        ``amount_value``, ``amount_currency``, ``basis``, ``unallocated`` (why a billed part
        stayed whole) and ``provisional`` (any part of it still settling). ``where`` keeps only
        rows whose column is one of the values."""
        unknown = [c for c in [*by, *(where or {})] if c not in GROUPABLE]
        if unknown:
            raise InvalidParameterError("group_by", unknown[0], f"any of {', '.join(GROUPABLE)}")
        keys = ["start_time", "end_time", *by, "amount_currency", "basis", "unallocated"]
        # By day, project, line item and model the sums are the billed cells themselves
        # (unless filtered by a key or user: then they are the allocated parts).
        split_by = {"api_key_id", "user_id"} & {*by, *(where or {})}
        billed = self.bucket_width == "1d" and not split_by
        for day in range(self.start, self.end, _DAY):
            sums: dict[tuple[Any, ...], list[Any]] = {}
            for plan in self.plans:
                for row in _day_rows(self, plan, day):
                    if where and not all(row[c] in v for c, v in where.items()):
                        continue
                    key = tuple(
                        (BILLED if k == "basis" else None)
                        if billed and k in ("basis", "unallocated")
                        else row[k]
                        for k in keys
                    )
                    found = sums.setdefault(key, [Decimal(0), False])
                    found[0] += row["amount_value"]
                    found[1] = found[1] or row["provisional"]
            for key in sorted(sums, key=_order):
                amount, provisional = sums[key]
                yield {**dict(zip(keys, key, strict=True)), "amount_value": amount,
                       "provisional": provisional}  # fmt: skip


def allocate_costs(
    store: Store,
    start: Any,
    end: Any,
    *,
    bucket_width: str = "1d",
    organization: str | None = None,
) -> Allocation:
    """The stored costs of the whole UTC days of ``[start, end)`` allocated from the stored
    usage, by ``bucket_width`` (``1d``, or ``1h`` where the store has hourly usage; a day
    whose usage is daily only is allocated to the day). ``StoreEmptyError`` when the store
    holds no costs (of ``organization``)."""
    if bucket_width not in ("1d", "1h"):
        raise InvalidParameterError("bucket_width", bucket_width, "1d or 1h")
    lo, hi = to_unix(start, "start"), to_unix(end, "end")
    lo, hi = lo - lo % _DAY, -(-hi // _DAY) * _DAY
    if hi <= lo:
        raise InvalidParameterError("end", end, "a time after start")
    plans = plans_of(store, organization, bucket_width, "costs to allocate")
    return Allocation(store, lo, hi, bucket_width, plans, _notes(plans, bucket_width))


def plans_of(
    store: Store, organization: str | None, width: str, what: str = "costs to estimate"
) -> list[_Plan]:
    """Per organization (or ``organization``), its costs series (the one synced last, as
    every read) and the usage series read beside it; ``StoreEmptyError`` naming ``what``
    when the store holds no costs."""
    held = store.freshness()
    costs = sorted(
        (f for f in held if f.endpoint == "costs" and organization in (None, f.organization)),
        key=lambda f: f.fetched_at,
        reverse=True,
    )
    if not costs:
        raise store.empty("costs", what)
    chosen: dict[str, Freshness] = {}
    for f in costs:
        chosen.setdefault(f.organization, f)
    return [_plan(held, org, f, width) for org, f in sorted(chosen.items())]


def _plan(held: Sequence[Freshness], org: str, costs: Freshness, width: str) -> _Plan:
    """Per usage endpoint, the series to read: grouped by project when the costs are, at
    ``width`` (daily answers may sum an hourly series), the finest grouping first."""
    endpoints = sorted({e for family in FAMILIES.values() for e in family})
    sources: dict[str, _Source] = {}
    for endpoint in endpoints:
        found = [
            f for f in held
            if f.organization == org and f.endpoint == endpoint
            and ("project_id" in f.group_by or "project_id" not in costs.group_by)
        ]  # fmt: skip
        if not found:
            continue
        best = min(found, key=lambda f: (f.bucket_width != width, -len(f.group_by),
                                         -f.fetched_at.timestamp()))  # fmt: skip
        sources[endpoint] = _Source(endpoint, best.bucket_width, best.group_by)
    return _Plan(org, costs, sources)


def _order(key: tuple[Any, ...]) -> tuple[Any, ...]:
    # Time first, then the groups' text (None last), so every run lists them alike.
    return (key[0], *((part is None, "" if part is None else str(part)) for part in key[2:]))


def pooled(plan: _Plan) -> list[tuple[str, str, str]]:
    """The stored usage series that do not tell a line item's variants apart: (endpoint,
    the column they lack, what is pooled in words)."""
    found = []
    for endpoint, column in VARIANT.items():
        source = plan.sources.get(endpoint)
        if source is not None and column not in source.group_by:
            what = "batch and interactive tokens" if column == "batch" else (
                "the web search context sizes")  # fmt: skip
            found.append((endpoint, column, what))
    return found


def _notes(plans: Sequence[_Plan], width: str) -> list[str]:
    notes = []
    for plan in plans:
        who = f"{plan.organization}: " if len(plans) > 1 else ""
        for endpoint, column, what in pooled(plan):
            notes.append(
                f"{who}{what} pooled: the stored {endpoint} are not grouped by {column}, "
                "so each is allocated by their usage together (sync --endpoint "
                f"{endpoint} fetches them so grouped)"
            )
        daily = sorted(e for e, s in plan.sources.items() if s.bucket_width != width)
        if width == "1h" and daily:
            notes.append(f"{who}by day, not by hour: the store holds {', '.join(daily)} "
                         "by day only")  # fmt: skip
        lacking = [g for g in ("project_id", "line_item") if g not in plan.costs.group_by]
        if lacking:
            notes.append(f"{who}the stored costs are not grouped by {', '.join(lacking)}")
    return notes


def variant_of_line(line_item: str, plan: _Plan) -> str | None:
    """A billed line's variant, when the stored usage tells its variants apart."""
    lowered = line_item.lower()
    if lowered.startswith("web search tool calls"):
        source = plan.sources.get("web_search_calls")
        if source is None or "context_level" not in source.group_by:
            return None
        return lowered.rsplit("(", 1)[-1].removesuffix(")").removesuffix(" context").strip()
    told = any("batch" in s.group_by for e, s in plan.sources.items() if VARIANT.get(e) == "batch")
    if model_from_line_item(line_item) is None or not told:
        return None
    return "batch" if ", batch " in lowered else "interactive"


def _variant_of_row(source: _Source, row: Mapping[str, Any]) -> str | None:
    """A usage row's variant, when its series is grouped by what tells them apart."""
    column = VARIANT.get(source.endpoint)
    if column is None or column not in source.group_by:
        return None
    if column == "batch":
        return "batch" if row[column] else "interactive"
    return None if row[column] is None else str(row[column]).lower()


def usage_of_day(
    store: Store, width: str, plan: _Plan, day: int, by_project: bool
) -> tuple[dict[Need, dict[Who, Quantity]], set[str]]:
    """The day's usage per need, each share's quantity per (bucket, key, user) (hours when
    ``width`` is ``1h`` and the usage is hourly); and the endpoints whose usage of the day
    is not in the store."""
    found: dict[Need, dict[Who, Quantity]] = defaultdict(lambda: defaultdict(int))
    lacking: set[str] = set()
    # One string per key and user: a large organization's day has 100,000 usage rows.
    shared: dict[str | None, str | None] = {}
    for endpoint, source in plan.sources.items():
        cover = store.coverage(
            endpoint,
            day,
            day + _DAY,
            organization=plan.organization,
            bucket_width=source.bucket_width,
            group_by=source.group_by,
        )
        if cover.endpoints[endpoint].missing:
            lacking.add(endpoint)
            continue
        rows = store.rows(endpoint, day, day + _DAY, names=False,
                          organization=plan.organization, bucket_width=source.bucket_width,
                          group_by=source.group_by)  # fmt: skip
        hourly = width == "1h" and source.bucket_width == "1h"
        for row in rows:
            start = int(row["start_time"].timestamp()) if hourly else day
            key, user = row.get("api_key_id"), row.get("user_id")
            who = (start, start + (_HOUR if hourly else _DAY), shared.setdefault(key, key),
                   shared.setdefault(user, user))  # fmt: skip
            project = row.get("project_id") if by_project else None
            variant = _variant_of_row(source, row)
            for (model, kind, _unit), measured in usage_measures(endpoint, row):
                # Counts as ints (a quarter of a Decimal's memory); storage stays exact.
                whole = measured == measured.to_integral_value()
                quantity: Quantity = int(measured) if whole else measured
                found[(project, model, kind, None)][who] += quantity
                if variant is not None:
                    found[(project, model, kind, variant)][who] += quantity
    return found, lacking


def _cells(
    allocation: Allocation, plan: _Plan, day: int
) -> dict[tuple[str | None, str | None, str | None], list[Any]]:
    """The day's billed cells: (project, line item, currency) -> [amount, provisional,
    quantity (``None`` when a row sent none), quantity unit]."""
    cells: dict[tuple[str | None, str | None, str | None], list[Any]] = {}
    rows = allocation.store.rows(
        "costs", day, day + _DAY, names=False, organization=plan.organization,
        bucket_width=plan.costs.bucket_width, group_by=plan.costs.group_by, provisional=True,
    )  # fmt: skip
    for row in rows:
        key = (row.get("project_id"), row.get("line_item"), row.get("amount_currency"))
        cell = cells.setdefault(key, [Decimal(0), False, Decimal(0), row.get("quantity_unit")])
        cell[0] += row.get("amount_value") or Decimal(0)
        cell[1] = cell[1] or bool(row.get("provisional"))
        sent = row.get("quantity")
        cell[2] = None if sent is None or cell[2] is None else cell[2] + Decimal(str(sent))
    return cells


def _why_whole(line_item: str | None, plan: _Plan, lacking: set[str]) -> str | None:
    """Why a billed line cannot be split by usage (``None``: it can, if usage stands
    behind it)."""
    measure = measure_of(line_item)
    if measure is None:
        return "no usage endpoint reports this line item"
    if measure[1] in _PROJECT_ONLY:
        return "its usage knows only the project"
    family = sorted(FAMILIES[measure[1]])
    if not any(e in plan.sources for e in family):
        return f"its usage is not in the store (sync --endpoint {family[0]})"
    if all(e in lacking or e not in plan.sources for e in family):
        return "the store lacks its usage for this day"
    return None


def _day_rows(allocation: Allocation, plan: _Plan, day: int) -> Iterator[dict[str, Any]]:
    by_project = "project_id" in plan.costs.group_by
    cells = _cells(allocation, plan, day)
    if not cells:
        return
    usage, lacking = usage_of_day(allocation.store, allocation.bucket_width, plan, day, by_project)
    for (project, line_item, currency), (amount, provisional, quantity, unit) in cells.items():
        base = {
            "organization": plan.organization, "project_id": project, "line_item": line_item,
            "model": model_from_line_item(line_item), "amount_currency": currency,
            "quantity_unit": unit, "provisional": provisional,
        }  # fmt: skip
        why = _why_whole(line_item, plan, lacking)
        shares: Mapping[Who, Quantity] = {}
        if why is None:
            model, kind, _unit = measure_of(line_item) or (None, "", "")
            variant = variant_of_line(line_item or "", plan)
            shares = usage.get((project, model, kind, variant)) or (
                usage.get((project, model, kind, None)) or {})  # fmt: skip
            shares = {w: q for w, q in shares.items() if q}
            if not shares:
                why = "no usage behind it"
        if why is not None:
            yield _row(base, (day, day + _DAY, None, None), amount, quantity, BILLED, why)
            continue
        ordered = sorted(shares, key=lambda w: (w[0], w[1], w[2] or "", w[3] or ""))
        weights = [shares[w] for w in ordered]
        parts = split(amount, weights)
        counts = split(quantity, weights) if quantity is not None else [None] * len(parts)
        for who, part, count in zip(ordered, parts, counts, strict=True):
            yield _row(base, who, part, count, ALLOCATED, None)


def _row(
    base: Mapping[str, Any],
    who: Who,
    amount: Decimal,
    quantity: Decimal | None,
    basis: str,
    why: str | None,
) -> dict[str, Any]:
    start, end, key, user = who
    return {
        "start_time": datetime.fromtimestamp(start, UTC),
        "end_time": datetime.fromtimestamp(end, UTC),
        **base,
        "api_key_id": key,
        "user_id": user,
        "amount_value": amount,
        "quantity": quantity,
        "basis": basis,
        "unallocated": why,
    }
