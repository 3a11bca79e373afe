"""FOCUS files: CSV (plain decimals that read as decimals, UTC times) or Parquet (extra
``[parquet]``: decimals as ``decimal128(38, 24)``, times as UTC timestamps)."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._core._exceptions import InvalidParameterError
from .._core._files import check_folder, replacing
from .._core._format import decimal_text
from .._core._text import spreadsheet_safe
from ._columns import FOCUS_SPLIT_TYPES, FOCUS_TYPES
from ._rows import focus_rows, iso

if TYPE_CHECKING:
    from ..spend import SpendConfig
    from ..store import Store

__all__ = ["write_focus"]

_FORMATS = (".csv", ".parquet")


def write_focus(
    store: Store,
    path: str | os.PathLike[str],
    start: int | datetime | date | str | None = None,
    end: int | datetime | date | str | None = None,
    *,
    config: SpendConfig | None = None,
    raw_csv: bool = False,
    split: bool = False,
) -> int:
    """Write the FOCUS rows of ``[start, end)`` to ``path`` (``.csv`` or ``.parquet``, chosen
    by the suffix), whole or not at all; returns the row count. In a CSV, a text cell that a
    spreadsheet would run as a formula gets a leading ``'`` unless ``raw_csv``. ``split``:
    billed cells split by the usage behind them, with ``x_Basis`` (``focus_rows``)."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in _FORMATS:
        raise InvalidParameterError("path", str(path), "a file ending in .csv or .parquet")
    check_folder(target)
    rows = focus_rows(store, start, end, config=config, split=split)
    types: Mapping[str, str] = FOCUS_SPLIT_TYPES if split else FOCUS_TYPES
    # A unique temporary file beside it, renamed over it: concurrent runs each publish a
    # whole file, and a link planted in the folder is never followed.
    with replacing(target) as tmp:
        if suffix == ".parquet":
            return _parquet(rows, tmp, types)
        return _csv(rows, tmp, types, raw_csv)


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "decimal":
        # A validator reads "1" as an integer: a decimal keeps its point ("1.0").
        text = decimal_text(Decimal(value))
        return text if "." in text else f"{text}.0"
    if kind == "datetime":
        return iso(value)
    if kind == "bool":
        return "true" if value else "false"
    return str(value)


def _csv_cell(value: Any, kind: str, raw: bool) -> str:
    text = _cell(value, kind)
    # People open FOCUS CSVs in spreadsheets too: a name is text, never a formula.
    return text if raw or kind != "string" else spreadsheet_safe(text)


def _csv(
    rows: Iterable[dict[str, Any]], path: Path, types: Mapping[str, str], raw: bool = False
) -> int:
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(types)
        for row in rows:
            writer.writerow([_csv_cell(row[c], kind, raw) for c, kind in types.items()])
            count += 1
    return count


def _parquet(rows: Iterable[dict[str, Any]], path: Path, types: Mapping[str, str]) -> int:
    from .._core._exports import require

    require("parquet")
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = {
        "decimal": pa.decimal128(38, 24),
        "datetime": pa.timestamp("s", tz="UTC"),
        "string": pa.string(),
        "json": pa.string(),
        "bool": pa.bool_(),
    }
    schema = pa.schema([(c, arrow[kind]) for c, kind in types.items()])
    batch = list(rows)
    pq.write_table(pa.Table.from_pylist(batch, schema=schema), path)
    return len(batch)


def focus_coverage(store: Store, start: int | None, end: int | None, now: int) -> list[str]:
    """What the store lacks of a FOCUS export's costs (``Missing:``, ``Lost:``,
    ``Provisional:`` lines, each with the sync that fills it): from ``start`` (default the
    store's first day; 1970-01-01, which is 0, is a start given) to ``end`` (default ``now``)."""
    first = min((int(f.first.timestamp()) for f in store.freshness()), default=0)
    lo = first if start is None else start
    hi = now if end is None else end
    return store.coverage("costs", lo, hi, now=now).lines()
