"""A report's views by API key and user from allocated spend, where the store's costs lack
them (an organization that refuses costs grouped by key or user: the sync fell back)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .._core._summarize import summarize
from ..report import top_by_model
from ..store import StoreEmptyError
from ._allocate import ALLOCATED, allocate_costs

if TYPE_CHECKING:
    from ..report import Report
    from ..store import Store

__all__ = ["allocated_views"]

#: The report's queries allocation can answer, and the column each groups by.
_VIEWS = {"costs_by_key": "api_key_id", "costs_by_user": "user_id"}


def allocated_views(report: Report, store: Store) -> list[str]:
    """Fill ``report``'s spend by API key and by user, where the store's costs cannot say
    them, from its billed costs allocated from its usage (``allocate_costs``): marked in
    ``report.basis`` (``allocated from usage``), shown so in every format, and the top keys
    and users by model with them. Returns what the allocation says of itself (``notes``);
    nothing when the report lacks no such view."""
    missing = [k for k in _VIEWS if k in report.unavailable]
    if not missing:
        return []
    start, end = int(report.start.timestamp()), int(report.end.timestamp())
    try:
        found = allocate_costs(store, start, end)
    except StoreEmptyError:
        return []
    spent: dict[tuple[str, Any, Any], Decimal] = defaultdict(Decimal)
    allocated = False
    for row in found.rows():  # a day at a time: only the sums are kept
        allocated = allocated or row["basis"] == ALLOCATED
        for column in ("api_key_id", "user_id"):
            spent[(column, row[column], row["line_item"])] += row["amount_value"]
    if not allocated:
        return []  # no usage behind any of it: the views stay unavailable, as they were
    by_line: dict[str, list[dict[str, Any]]] = {c: [] for c in ("api_key_id", "user_id")}
    for (column, who, line_item), amount in spent.items():
        by_line[column].append(
            {column: who, "line_item": line_item, "amount_value": amount,
             "amount_currency": report.currency}
        )  # fmt: skip
    for key in missing:
        column = _VIEWS[key]
        totals = summarize(by_line[column], by=[column], fields=["amount_value"])
        for row in totals:
            row.pop("rows", None)
        setattr(report, "by_key" if column == "api_key_id" else "by_user", totals)
        del report.unavailable[key]
        report.basis[key] = ALLOCATED
    report.top_by_model = top_by_model(by_line["api_key_id"], by_line["user_id"])
    report.basis["top_by_model"] = ALLOCATED
    return [
        "API keys and users: allocated from usage (the stored costs are not grouped by them; "
        "each day, project and line item split by the usage behind it, adding up exactly)",
        *found.notes,
    ]
