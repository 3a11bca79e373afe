"""Stored rows summed to a coarser grouping: what the API answers for that grouping.

A store keeps each endpoint by its finest default grouping (costs by project, line item, key
and user); asked for costs by project alone, it sums the stored rows of each bucket by project,
as the API sums its own results. Counters and money are summed exactly; the grouping fields
not asked for are empty, as in the API's answer; a costs ``quantity`` is kept only where every
summed row has the same unit (summing tokens and images would mean nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from .._core._endpoints import ENDPOINTS
from .._core._rows import Row

__all__ = ["coarser"]


def coarser(rows: Iterable[Row], endpoint: str, group_by: Sequence[str]) -> Iterator[Row]:
    """``rows`` (one series, in bucket order) summed per bucket by ``group_by``."""
    grouping = set(ENDPOINTS[endpoint].group_by)
    dropped = grouping - set(group_by)
    bucket: Any = None
    groups: dict[tuple[Any, ...], Row] = {}
    for row in rows:
        if row["start_time"] != bucket:
            yield from groups.values()
            groups = {}
            bucket = row["start_time"]
        key = (row.get("object"), *(row.get(g) for g in group_by))
        total = groups.get(key)
        if total is None:
            groups[key] = {**row, **dict.fromkeys(dropped), "extra": None}
            continue
        for column, value in row.items():
            if column in grouping or column in ("start_time", "end_time", "object", "endpoint"):
                continue
            total[column] = _add(column, total.get(column), value, total, row)
    yield from groups.values()


def _add(column: str, left: Any, right: Any, total: Row, row: Row) -> Any:
    if column == "quantity":
        same = total.get("quantity_unit") == row.get("quantity_unit")
        return left + right if same and left is not None and right is not None else None
    if column == "quantity_unit":
        return left if left == right else None
    if column == "provisional":  # the sum may change if any of its rows may
        return bool(left) or bool(right)
    if isinstance(right, bool) or right is None:
        return left if left == right else None
    if isinstance(left, int) and isinstance(right, int) and not isinstance(left, bool):
        return left + right
    if isinstance(left, Decimal) and isinstance(right, Decimal):
        return left + right
    if isinstance(left, float) and isinstance(right, float):
        return left + right
    return left if left == right else None
