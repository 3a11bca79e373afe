"""Totals straight from the store: ``summarize`` without building a dict per row.

``totals(...)`` returns exactly what ``openai_usage_client.summarize(store.rows(...), by,
fields)`` returns (the same groups, sums, ``rows`` counts, currency rule and order), but reads
only the grouping and summed columns, in the same row order, and adds them up in one pass: a
report over a year of stored rows takes milliseconds instead of building every row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Context, Decimal
from typing import Any

from .._core._exports import columns
from .._core._rows import Row
from .._core._summarize import summarize
from ._read import _reader, _where, kinds_of, read_rows
from ._schema import MODEL_SQL, SPLIT, quote

_EXACT = Context(prec=200)

__all__ = ["totals"]


def _default_fields(
    conn: sqlite3.Connection,
    endpoint: str,
    series: Sequence[tuple[str, str, str]],
    start: int | None,
    end: int | None,
    by: Sequence[str],
) -> list[str]:
    # summarize's rule: every int/Decimal value of the first row, except the grouping ones.
    first = next(read_rows(conn, endpoint, series, start, end, names=False), None)
    if first is None:
        return []
    return [
        k
        for k, v in first.items()
        if k not in by and not isinstance(v, bool) and isinstance(v, int | Decimal)
    ]


def totals(
    conn: sqlite3.Connection,
    endpoint: str,
    series: Sequence[tuple[str, str, str]],
    start: int | None,
    end: int | None,
    by: Sequence[str],
    fields: Sequence[str] | None,
) -> list[Row]:
    cols = columns(endpoint)
    kinds = kinds_of(conn, endpoint)
    chosen = (
        list(fields)
        if fields is not None
        else _default_fields(conn, endpoint, series, start, end, by)
    )
    for name in [*by, *chosen]:
        if name not in cols and name not in ("model", "date"):
            raise KeyError(f"no column {name!r} in the rows (columns: {', '.join(cols)})")
    currency = "amount_value" in chosen and "amount_currency" not in by
    # Grouped in SQL: one Python tuple per group, not per row.
    keys, readers = _group_keys(by, cols, kinds)
    decimal = [kinds.get(f) == "decimal" for f in chosen]
    conn.create_aggregate("decimal_sum", 1, _DecimalSum)  # type: ignore[arg-type]
    groups: dict[tuple[Any, ...], list[Any]] = {}
    n_by, n_fields = len(by), len(chosen)
    for organization, width, grouping in series:
        where, params = _where(organization, width, grouping, start, end)
        group = f" GROUP BY {', '.join(str(i + 1) for i in range(n_by))}" if by else ""
        records = None
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({quote(endpoint)})")}
        split_ok = all(f + SPLIT[0] in have for f, d in zip(chosen, decimal, strict=True) if d)
        for in_sql in (True, False) if split_ok else (False,):
            # An exact sum in SQL is four columns (``_split_sum``), otherwise one.
            widths = [4 if exact and in_sql else 1 for exact in decimal]
            sums = [
                (_split_sum if in_sql else _python_sum)(f"t.{quote(f)}")
                if exact
                else f"SUM(t.{quote(f)})"
                for f, exact in zip(chosen, decimal, strict=True)
            ]
            selects = [*keys, *sums, "COUNT(*)"]
            if currency:
                # Several currencies in a group <=> its smallest and largest differ.
                selects += ["MAX(t.amount_currency)", "MIN(t.amount_currency)"]
            sql = f"SELECT {', '.join(selects)} FROM {quote(endpoint)} t {where}{group}"
            records = conn.execute(sql, params).fetchall()
            n_sums = sum(widths)
            if not in_sql or not any(r[i] for r in records for i in _inexact_columns(n_by, widths)):
                break
        for record in records or ():
            count = record[n_by + n_sums]
            if not count:
                continue  # no rows at all: an ungrouped aggregate still answers one line
            key = tuple(
                v if f is None or v is None else f(v)
                for f, v in zip(readers, record[:n_by], strict=True)
            )
            values = []
            at = n_by
            for exact, span in zip(decimal, widths, strict=True):
                part = record[at : at + span]
                at += span
                if span == 4:
                    values.append(_joined(part))
                else:
                    values.append(Decimal(part[0]) if exact and part[0] is not None else part[0])
            if currency and record[-1] != record[-2]:
                raise ValueError(
                    "amount_value is in several currencies: add 'amount_currency' to by"
                )
            extra = [record[-2]] if currency else []
            _merge(groups, key, [*values, count, *extra], n_fields)
    return _rows_of(groups, by, chosen, currency)


def _group_keys(
    by: Sequence[str], cols: Sequence[str], kinds: Mapping[str, str]
) -> tuple[list[str], list[Any]]:
    """Per ``by`` column, its SQL expression and how to read its value back."""
    keys: list[str] = []
    readers: list[Any] = []
    for name in by:
        if name == "date":
            keys.append("t.start_unix - t.start_unix % 86400")
            readers.append(_day)
        elif name == "model" and "model" not in cols:
            keys.append(MODEL_SQL)
            readers.append(None)
        elif name in ("start_time", "end_time"):
            keys.append("t." + name.replace("_time", "_unix"))
            readers.append(_moment)
        else:
            keys.append(f"t.{quote(name)}")
            readers.append(_reader(kinds.get(name)))
    return keys, readers


def _rows_of(
    groups: dict[tuple[Any, ...], list[Any]],
    by: Sequence[str],
    chosen: Sequence[str],
    currency: bool,
) -> list[Row]:
    """The merged groups as ``summarize`` gives them, each with its ``rows`` count."""
    n_fields = len(chosen)
    result: list[Row] = []
    counts: dict[tuple[Any, ...], int] = {}
    for key, total in groups.items():
        row = dict(zip(by, key, strict=True))
        row.update(zip(chosen, total[:n_fields], strict=True))
        if currency:
            row["amount_currency"] = total[n_fields + 1]
        counts[key] = total[n_fields]
        result.append(row)
    # One pre-summed row per group through summarize: the same order and shape as it gives.
    out = summarize(result, by=by, fields=chosen)
    for row in out:
        row["rows"] = counts[tuple(row[c] for c in by)]
    return out


# Exact sums of money inside SQLite, without a Python call per row: the hidden integer
# columns (``_schema.SPLIT``) are summed, then joined in Python. A value with more than 18
# decimal places that are not zeros, or rows without those columns, make the query run again
# with a Python aggregate over the text instead.


def _split_sum(column: str) -> str:
    """Four columns: the sums of the whole units, the nano and the atto parts, and whether a
    value did not fit them (then the query runs again with ``decimal_sum``)."""
    units, nano, atto, inexact = (column[:-1] + suffix + '"' for suffix in SPLIT)
    return (
        f"SUM({units}), SUM({nano}), SUM({atto}), "
        f"MAX({inexact}) OR COUNT({column}) > COUNT({units})"
    )


def _python_sum(column: str) -> str:
    return f"decimal_sum({column})"


def _inexact_columns(n_by: int, widths: Sequence[int]) -> list[int]:
    """Where the "did not fit" flag of each exact sum is in a record."""
    out, at = [], n_by
    for width in widths:
        if width == 4:
            out.append(at + 3)
        at += width
    return out


def _joined(part: Sequence[Any]) -> Decimal | None:
    whole, high, low, _ = part
    if whole is None:
        return None  # every value was NULL
    total = _EXACT.add(Decimal(whole), Decimal(high).scaleb(-9))
    return _EXACT.add(total, Decimal(low).scaleb(-18))


class _DecimalSum:
    """SQLite aggregate: the exact sum of decimal text (``None`` when every value is)."""

    def __init__(self) -> None:
        self.total: Decimal | None = None

    def step(self, value: str | None) -> None:
        if value is not None:
            number = Decimal(value)
            # Exact: a context wide enough that no digit of money is ever rounded away.
            self.total = number if self.total is None else _EXACT.add(self.total, number)

    def finalize(self) -> str | None:
        return None if self.total is None else format(self.total, "f")


def _merge(
    groups: dict[tuple[Any, ...], list[Any]], key: tuple[Any, ...], new: list[Any], n: int
) -> None:
    """Add one organization's group totals into the totals so far (several series)."""
    total = groups.get(key)
    if total is None:
        groups[key] = new
        return
    for i in range(n):
        if new[i] is not None:
            total[i] = new[i] if total[i] is None else total[i] + new[i]
    total[n] += new[n]
    if len(new) > n + 1 and total[n + 1] is None:
        total[n + 1] = new[n + 1]


def _day(seconds: int) -> date:
    return datetime.fromtimestamp(seconds, UTC).date()


def _moment(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
