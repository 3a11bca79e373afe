"""File and DataFrame exports of a stream of buckets (the rows come from ``_rows``).

The writers (``to_csv``, ``to_jsonl``, ``to_json``, ``to_parquet``) stream: they write row by
row (Parquet: in row groups) and never hold the whole range. Decimals are written exactly
(CSV: the digits as text; JSON: a number literal with every digit, never a float), datetimes
as ISO-8601 with ``Z``. The DataFrame builders and Parquet are behind optional extras and
import their library only when called.

DataFrame types: datetimes ``datetime64[ns, UTC]`` (pandas) / ``Datetime("us", "UTC")``
(polars); integers nullable ``Int64``; text ``string``; booleans ``boolean``; ``quantity``
float. ``amount_value`` is ``float64`` in pandas (pandas has no exact decimal type; sum the
``Decimal`` rows, or use polars or Parquet, when cents matter) and an exact
``Decimal(38, 24)`` in polars and Parquet; a value with more than 24 decimal places is refused
there (``ValueError``) rather than rounded.
"""

from __future__ import annotations

import csv
import importlib
import json
import math
import os
from collections.abc import AsyncIterable, Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any, Final, Literal

from ._exceptions import MissingExtraError
from ._format import decimal_text
from ._rows import Names, Row, Source, column_types, columns, prepare, rows
from ._text import json_safe, spreadsheet_safe

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

# ``Row``, ``columns``, ``column_types`` and ``rows`` live in ``_rows``; they are re-exported
# here so that ``from openai_usage_client._core._exports import rows`` keeps working.
__all__ = [
    "PathOrFile",
    "Row",
    "column_types",
    "columns",
    "require",
    "rows",
    "to_csv",
    "to_json",
    "to_jsonl",
    "to_pandas",
    "to_parquet",
    "to_polars",
    "write_async",
]

PathOrFile = str | os.PathLike[str] | IO[str]

#: Exact decimal type of money in polars and Parquet: 14 integer and 24 decimal digits.
DECIMAL_PRECISION: Final = 38
DECIMAL_SCALE: Final = 24
_PARQUET_BATCH: Final = 10_000


# --- text formats ----------------------------------------------------------------------------


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _csv_cell(value: Any, raw: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, str):  # text: never run as a formula by a spreadsheet
        return value if raw else spreadsheet_safe(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, Decimal):
        return decimal_text(value)
    return str(value)


def _json_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, datetime):
        return f'"{_iso(value)}"'
    if isinstance(value, Decimal):
        return decimal_text(value) if value.is_finite() else "null"
    if isinstance(value, float) and not math.isfinite(value):
        return "null"
    return json_safe(json.dumps(value, ensure_ascii=False, default=str))


def _json_object(row: Row) -> str:
    return "{" + ",".join(f"{json.dumps(k)}:{_json_value(v)}" for k, v in row.items()) + "}"


@contextmanager
def _text_file(path_or_file: PathOrFile, newline: str | None = None) -> Iterator[IO[str]]:
    if isinstance(path_or_file, str | os.PathLike):
        with open(path_or_file, "w", encoding="utf-8", newline=newline) as handle:
            yield handle
    else:
        yield path_or_file


# Each format is one "sink": a context manager that opens the target, yields a function
# writing one row, and finishes the file on a clean exit. The sync writers below drain an
# iterator into it and the async streams an async iterator (``write_async``), so the
# writing logic exists once for both.

Sink = Callable[..., AbstractContextManager[Callable[[Row], object]]]


@contextmanager
def _csv_sink(
    path_or_file: PathOrFile,
    name: str,
    named: bool,
    extra: Sequence[str] = (),
    raw: bool = False,
) -> Iterator[Callable[[Row], object]]:
    names = columns(name, names=named, extra=extra)
    with _text_file(path_or_file, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(names)
        yield lambda row: writer.writerow([_csv_cell(row.get(c), raw) for c in names])


@contextmanager
def _jsonl_sink(
    path_or_file: PathOrFile, name: str, named: bool, extra: Sequence[str] = ()
) -> Iterator[Callable[[Row], object]]:
    with _text_file(path_or_file) as handle:
        yield lambda row: handle.write(_json_object(row) + "\n")


@contextmanager
def _json_sink(
    path_or_file: PathOrFile, name: str, named: bool, extra: Sequence[str] = ()
) -> Iterator[Callable[[Row], object]]:
    written = 0
    with _text_file(path_or_file) as handle:
        handle.write("[")

        def write(row: Row) -> None:
            nonlocal written
            handle.write(("\n" if written == 0 else ",\n") + _json_object(row))
            written += 1

        yield write
        handle.write("\n]\n" if written else "]\n")


def _drain(items: Iterable[Row], sink: AbstractContextManager[Callable[[Row], object]]) -> int:
    count = 0
    with sink as write:
        for row in items:
            write(row)
            count += 1
    return count


async def write_async(
    fmt: Literal["csv", "jsonl", "json", "parquet"],
    items: AsyncIterable[Row],
    name: str,
    target: Any,
    named: bool = False,
) -> int:
    """Write rows arriving from an async stream with the same sink as the sync writers."""
    sinks: dict[str, Sink] = {
        "csv": _csv_sink,
        "jsonl": _jsonl_sink,
        "json": _json_sink,
        "parquet": _parquet_sink,
    }
    count = 0
    with sinks[fmt](target, name, named) as write:
        async for row in items:
            write(row)
            count += 1
    return count


def to_csv(
    source: Source,
    path_or_file: PathOrFile,
    *,
    endpoint: str | None = None,
    names: Names | None = None,
    raw: bool = False,
) -> int:
    """Write rows as CSV (header first, every column always), streaming. Returns the row count.

    ``source`` is a stream, buckets (then pass ``endpoint``), or rows from ``rows()``. Empty
    cells are ``None``; booleans are ``true``/``false``; money is exact decimal text. ``names``
    (a ``Directory``) adds the name columns, as in ``rows()``; so does every writer here.
    A text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return (what a
    spreadsheet runs as a formula: a name anyone in the organization may set) gets a leading
    ``'``; ``raw=True`` writes it as it came (Parquet always does: the lossless hand-off).
    """
    name, items, named, extra = prepare(source, endpoint, names)
    return _drain(items, _csv_sink(path_or_file, name, named, extra, raw))


def to_jsonl(
    source: Source,
    path_or_file: PathOrFile,
    *,
    endpoint: str | None = None,
    names: Names | None = None,
) -> int:
    """Write one JSON object per line, streaming. Returns the row count."""
    name, items, named, extra = prepare(source, endpoint, names)
    return _drain(items, _jsonl_sink(path_or_file, name, named, extra))


def to_json(
    source: Source,
    path_or_file: PathOrFile,
    *,
    endpoint: str | None = None,
    names: Names | None = None,
) -> int:
    """Write a JSON array of row objects, incrementally (one row at a time). Returns the count."""
    name, items, named, extra = prepare(source, endpoint, names)
    return _drain(items, _json_sink(path_or_file, name, named, extra))


# --- DataFrames and Parquet ------------------------------------------------------------------


def _missing(extra: str, module: str) -> ImportError:
    return MissingExtraError(module, extra)


def _places(value: Decimal) -> int:
    """Decimal places ``value`` needs: trailing zeros (``0.2500``) do not count."""
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # NaN or infinity: pyarrow/polars refuse them anyway
        return 0
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing))


def _check_scale(name: str, items: Iterator[Row], decimals: list[str]) -> Iterator[Row]:
    for row in items:
        for column in decimals:
            value = row.get(column)
            if value is not None and _places(value) > DECIMAL_SCALE:
                raise ValueError(
                    f"{column}={value} has more than {DECIMAL_SCALE} decimal places; "
                    f"exporting {name} to Decimal({DECIMAL_PRECISION}, {DECIMAL_SCALE}) "
                    "would round it: use rows(), to_csv() or to_json() for such values"
                )
        yield row


def to_pandas(
    source: Source, *, endpoint: str | None = None, names: Names | None = None
) -> pd.DataFrame:
    """A pandas DataFrame of the rows (extra ``[pandas]``). Money is float64 here."""
    try:
        import pandas as pd
    except ImportError:
        raise _missing("pandas", "pandas") from None
    name, items, named, extra = prepare(source, endpoint, names)
    types = column_types(name, names=named, extra=extra)
    frame = pd.DataFrame.from_records(list(items), columns=list(types))
    dtypes = {
        "str": "string",
        "int": "Int64",
        "float": "float64",
        "bool": "boolean",
        "decimal": "float64",
        "datetime": "datetime64[ns, UTC]",
    }
    for column, kind in types.items():
        if kind == "datetime" and frame[column].dtype == object:
            frame[column] = pd.to_datetime(frame[column], utc=True)
        frame[column] = frame[column].astype(dtypes[kind])  # type: ignore[call-overload]
    return frame


def to_polars(
    source: Source, *, endpoint: str | None = None, names: Names | None = None
) -> pl.DataFrame:
    """A polars DataFrame of the rows (extra ``[polars]``). Money is an exact Decimal."""
    try:
        import polars as pl
    except ImportError:
        raise _missing("polars", "polars") from None
    name, items, named, extra = prepare(source, endpoint, names)
    types = column_types(name, names=named, extra=extra)
    dtypes: dict[str, pl.DataType | type[pl.DataType]] = {
        "str": pl.String,
        "int": pl.Int64,
        "float": pl.Float64,
        "bool": pl.Boolean,
        "decimal": pl.Decimal(DECIMAL_PRECISION, DECIMAL_SCALE),
        "datetime": pl.Datetime("us", "UTC"),
    }
    schema = {column: dtypes[kind] for column, kind in types.items()}
    decimals = [c for c, k in types.items() if k == "decimal"]
    records = list(_check_scale(name, items, decimals))
    return pl.from_dicts(records, schema=schema)


def to_parquet(
    source: Source,
    path: str | os.PathLike[str] | IO[bytes],
    *,
    endpoint: str | None = None,
    names: Names | None = None,
) -> int:
    """Write a Parquet file (extra ``[parquet]``), one row group per 10,000 rows, streaming.

    Money is an exact ``decimal128(38, 24)``; times are ``timestamp[us, UTC]``. Returns the
    row count.
    """
    _pyarrow()  # the extra is checked before any request
    name, items, named, extra = prepare(source, endpoint, names)
    return _drain(items, _parquet_sink(path, name, named, extra))


def require(extra: Literal["pandas", "polars", "parquet"]) -> None:
    """Fail with the install hint now, before any request, if ``extra`` is not installed."""
    if extra == "parquet":
        _pyarrow()
        return
    try:
        importlib.import_module(extra)
    except ImportError:
        raise _missing(extra, extra) from None


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise _missing("parquet", "pyarrow") from None
    return pa, pq


@contextmanager
def _parquet_sink(
    path: str | os.PathLike[str] | IO[bytes], name: str, named: bool, extra: Sequence[str] = ()
) -> Iterator[Callable[[Row], object]]:
    pa, pq = _pyarrow()
    types = column_types(name, names=named, extra=extra)
    arrow = {
        "str": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "decimal": pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE),
        "datetime": pa.timestamp("us", tz="UTC"),
    }
    schema = pa.schema([(column, arrow[kind]) for column, kind in types.items()])
    decimals = [c for c, k in types.items() if k == "decimal"]
    batch: list[Row] = []
    written = 0
    with pq.ParquetWriter(path, schema) as writer:

        def flush() -> None:
            nonlocal written
            if batch:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                written += len(batch)
                batch.clear()

        def write(row: Row) -> None:
            batch.extend(_check_scale(name, iter((row,)), decimals))
            if len(batch) >= _PARQUET_BATCH:
                flush()

        yield write
        flush()
        if written == 0:
            writer.write_table(schema.empty_table())
