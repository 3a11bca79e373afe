"""Totals over fetched rows: spend by project and line item, tokens by model, daily trends.

``summarize(rows, by=[...], fields=[...])`` groups the rows of ``rows()`` by any columns and
sums counters (ints stay ints, money stays an exact ``Decimal``). Two derived columns can be
grouped by even though no row carries them:

* ``model`` on costs rows: read out of ``line_item`` (costs cannot be grouped by model; the
  model is the part of the line item before the comma, see ``model_from_line_item``);
* ``date``: the UTC date of ``start_time``, for daily trends of hourly or minute rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from ._exports import Row

__all__ = ["model_from_line_item", "model_matches", "summarize"]

#: A dated snapshot of a model: ``gpt-4.1-2025-04-14`` is ``gpt-4.1`` of that day.
_SNAPSHOT: Final = re.compile(r"-\d{4}-\d{2}-\d{2}")


def model_from_line_item(line_item: str | None) -> str | None:
    """The model a costs line item is for: ``"gpt-4o-2024-08-06, input"`` -> ``"gpt-4o-..."``.

    ``None`` for line items that are not per model (``"vector store storage"``, ``"web search
    tool calls"``, ...) and for ``None``.
    """
    if not line_item or ", " not in line_item:
        return None
    model = line_item.split(", ", 1)[0].strip()
    return model or None


def model_matches(model: str | None, wanted: str) -> bool:
    """Whether ``model`` (as usage rows and line items name it) is ``wanted``: the name
    itself or one of its dated snapshots (``gpt-4.1-2025-04-14`` for ``gpt-4.1``), never
    another model that starts the same way (``gpt-4.1-mini`` is not ``gpt-4.1``)."""
    if model is None:
        return False
    if model == wanted:
        return True
    return model.startswith(wanted) and _SNAPSHOT.fullmatch(model[len(wanted) :]) is not None


def _value(row: Row, column: str) -> Any:
    if column in row:
        return row[column]
    if column == "model":
        return model_from_line_item(row.get("line_item"))
    if column == "date":
        start = row.get("start_time")
        return start.date() if isinstance(start, datetime) else None
    raise KeyError(f"no column {column!r} in the rows (columns: {', '.join(row)})")


def _sort_key(key: tuple[Any, ...]) -> tuple[tuple[bool, str], ...]:
    # None sorts last; everything else by its text (keys mix str, bool and date).
    return tuple((part is None, "" if part is None else str(part)) for part in key)


def summarize(
    rows: Iterable[Row],
    by: Sequence[str] = (),
    fields: Sequence[str] | None = None,
    *,
    sort: bool = True,
) -> list[Row]:
    """Totals of ``fields`` per distinct value of the ``by`` columns.

    Each result has the ``by`` columns, the summed ``fields`` (``None`` values count as
    nothing; a field that was ``None`` in every row of a group stays ``None``) and ``rows``,
    the number of rows summed. ``fields`` defaults to every ``int``/``Decimal`` column of the
    first row except the grouping ones. Summing ``amount_value`` over several currencies is
    refused (``ValueError``) unless ``amount_currency`` is one of ``by``; otherwise each
    result carries its ``amount_currency``.

    With ``sort`` (the default) results come largest first by the first field, then by key;
    ``by=["date"]`` sorts by date instead.
    """
    groups: dict[tuple[Any, ...], Row] = {}
    chosen = list(fields) if fields is not None else None
    for row in rows:
        if chosen is None:
            chosen = [
                k
                for k, v in row.items()
                if k not in by and not isinstance(v, bool) and isinstance(v, int | Decimal)
            ]
        key = tuple(_value(row, column) for column in by)
        total = groups.get(key)
        if total is None:
            total = {**dict(zip(by, key, strict=True)), **dict.fromkeys(chosen), "rows": 0}
            groups[key] = total
        total["rows"] += 1
        for field in chosen:
            value = row.get(field)
            if value is not None:
                total[field] = value if total[field] is None else total[field] + value
        if "amount_value" in chosen and "amount_currency" not in by:
            _same_currency(total, row.get("amount_currency"))
    result = list(groups.values())
    if sort and result:
        if list(by[:1]) == ["date"] or not chosen:
            result.sort(key=lambda r: _sort_key(tuple(r[c] for c in by)))
        else:
            first = chosen[0]
            result.sort(key=lambda r: _sort_key(tuple(r[c] for c in by)))
            result.sort(key=lambda r: r[first] if r[first] is not None else -1, reverse=True)
    return result


def _same_currency(total: Row, currency: object) -> None:
    known = total.get("amount_currency")
    if currency is None:
        total.setdefault("amount_currency", None)
    elif known is None:
        total["amount_currency"] = currency
    elif known != currency:
        raise ValueError(
            f"amount_value is in several currencies ({known}, {currency}): "
            "add 'amount_currency' to by"
        )
