"""Flat rows and file/DataFrame exports of a stream of buckets.

``rows(buckets, endpoint)`` turns buckets into flat records, one per (bucket, result)::

    endpoint, start_time, end_time, object, <grouping fields>, <counters>, extra

* ``start_time``/``end_time`` are aware UTC datetimes.
* The columns of one endpoint are always the same, in the same order (``columns(endpoint)``):
  they are derived from the endpoint's result model, so a field absent from a result (or not
  grouped by) is ``None``, never missing. Grouping fields come first, in the order of the
  endpoint's ``group_by`` values, then the counters in model order.
* Money is exact: costs' ``amount`` becomes ``amount_value`` (``Decimal``) and
  ``amount_currency``.
* Nothing is dropped silently: fields the result model does not know (the API adds fields
  before the spec shows them) go into ``extra``, a JSON object as text (``None`` when there are
  none). A result of an unknown type (``UnknownResult``) still gives one row, with the common
  columns and ``object`` set, every other column ``None`` and *all* its fields in ``extra``
  (its fields' types are not known, so they are not put into typed columns).
* A bucket without results gives no row.

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
import itertools
import json
import math
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from inspect import isclass
from types import NoneType, UnionType
from typing import IO, TYPE_CHECKING, Annotated, Any, Final, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from ._endpoints import ENDPOINTS
from ._generated import models as generated_models
from ._generated.models.usage_time_bucket import UsageTimeBucket
from ._time import from_unix

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

__all__ = [
    "Row",
    "column_types",
    "columns",
    "rows",
    "to_csv",
    "to_json",
    "to_jsonl",
    "to_pandas",
    "to_parquet",
    "to_polars",
]

Row = dict[str, Any]
"""One flat record: column name to value (see the module docstring for the columns)."""

Kind = Literal["str", "int", "float", "bool", "decimal", "datetime"]
PathOrFile = str | os.PathLike[str] | IO[str]
Source = Iterable[UsageTimeBucket] | Iterable[Row]

#: Exact decimal type of money in polars and Parquet: 14 integer and 24 decimal digits.
DECIMAL_PRECISION: Final = 38
DECIMAL_SCALE: Final = 24
_PARQUET_BATCH: Final = 10_000


@dataclass(frozen=True)
class _Column:
    name: str
    kind: Kind
    #: Attribute path inside a result, e.g. ``("amount", "value")``.
    path: tuple[str, ...] = ()


_COMMON: Final = (
    _Column("endpoint", "str"),
    _Column("start_time", "datetime"),
    _Column("end_time", "datetime"),
    _Column("object", "str"),
)
_EXTRA: Final = _Column("extra", "str")


def _result_models() -> dict[str, type[BaseModel]]:
    """Result ``object`` value -> generated model class (any class whose ``object`` field is a
    one-value ``Literal``), found by scanning the generated models rather than hand-listed."""
    models: dict[str, type[BaseModel]] = {}
    for cls in vars(generated_models).values():
        if not (isclass(cls) and issubclass(cls, BaseModel)) or "object" not in cls.model_fields:
            continue
        tag = cls.model_fields["object"].annotation
        if get_origin(tag) is Literal and len(get_args(tag)) == 1:
            models[get_args(tag)[0]] = cls
    return models


_MODELS: Final = _result_models()


def _kind(annotation: Any) -> Kind:
    args = [a for a in get_args(annotation) if a is not NoneType]
    if get_origin(annotation) in (Union, UnionType) and len(args) == 1:
        annotation = args[0]
    if get_origin(annotation) is Annotated:  # StrictInt and the like: the type is the first arg
        annotation = get_args(annotation)[0]
    if get_origin(annotation) is Literal or annotation is str:
        return "str"
    # bool before int: bool is a subclass of int.
    for python, kind in ((bool, "bool"), (int, "int"), (float, "float"), (Decimal, "decimal")):
        if annotation is python:
            return kind  # type: ignore[return-value]
    raise TypeError(f"no column kind for {annotation!r}")  # a new generated type: map it here


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *get_args(annotation)):
        if isclass(candidate) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _schema(endpoint: str) -> tuple[_Column, ...]:
    spec = _spec(endpoint)
    fields: list[_Column] = []
    for name, info in _MODELS[spec.result_object].model_fields.items():
        if name == "object":
            continue
        nested = _model_of(info.annotation)
        if nested is None:
            fields.append(_Column(name, _kind(info.annotation), (name,)))
            continue
        # A nested object (costs' ``amount``) is flattened: ``amount_value``, ``amount_currency``.
        for sub, sub_info in nested.model_fields.items():
            fields.append(_Column(f"{name}_{sub}", _kind(sub_info.annotation), (name, sub)))
    grouping = [c for g in spec.group_by for c in fields if c.name == g]
    rest = [c for c in fields if c.name not in spec.group_by]
    return (*_COMMON, *grouping, *rest, _EXTRA)


def _spec(endpoint: str) -> Any:
    try:
        return ENDPOINTS[endpoint]
    except KeyError:
        raise ValueError(f"unknown endpoint {endpoint!r}: one of {', '.join(ENDPOINTS)}") from None


def columns(endpoint: str) -> list[str]:
    """The columns of ``rows()`` for ``endpoint`` (e.g. ``"costs"``), in order."""
    return [c.name for c in _schema(endpoint)]


def column_types(endpoint: str) -> dict[str, Kind]:
    """Each column's kind: ``str``, ``int``, ``float``, ``bool``, ``decimal`` or ``datetime``."""
    return {c.name: c.kind for c in _schema(endpoint)}


# --- rows ------------------------------------------------------------------------------------


def rows(buckets: Iterable[UsageTimeBucket], endpoint: str | None = None) -> Iterator[Row]:
    """Flat records, one per (bucket, result), lazily. See the module docstring.

    ``endpoint`` is the endpoint name (``"completions"``, ``"costs"``, ...); it may be left
    out when ``buckets`` is a stream (it knows its endpoint).
    """
    name = _endpoint_of(buckets, endpoint)
    return _rows(buckets, name, _schema(name))


def _rows(
    buckets: Iterable[UsageTimeBucket], endpoint: str, schema: tuple[_Column, ...]
) -> Iterator[Row]:
    expected = _spec(endpoint).result_object
    typed = [c for c in schema if c.path]
    blank = dict.fromkeys(c.name for c in schema)
    for bucket in buckets:
        start, end = from_unix(bucket.start_time), from_unix(bucket.end_time)
        for result in bucket.results:
            row = dict(blank)
            row.update(endpoint=endpoint, start_time=start, end_time=end, object=result.object)
            if result.object == expected:
                for column in typed:
                    row[column.name] = _get(result, column.path)
                row["extra"] = _dumps(_extras(result)) or None
            else:
                # Unknown (or misplaced) result type: keep every field, typed columns stay None.
                row["extra"] = _dumps(result.model_dump(mode="json", exclude={"object"}))
            yield row


def _get(obj: Any, path: tuple[str, ...]) -> Any:
    for attr in path:
        obj = getattr(obj, attr, None)
        if obj is None:
            return None
    return obj


def _extras(result: BaseModel) -> dict[str, Any]:
    extras = dict(result.model_extra or {})
    for name in type(result).model_fields:
        nested = getattr(result, name)
        if isinstance(nested, BaseModel) and nested.model_extra:
            extras.update({f"{name}.{k}": v for k, v in nested.model_extra.items()})
    return extras


def _dumps(data: dict[str, Any]) -> str:
    if not data:
        return ""
    return json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)


def _endpoint_of(source: object, endpoint: str | None) -> str:
    if endpoint is not None:
        _spec(endpoint)
        return endpoint
    query = getattr(source, "query", None)
    name = getattr(getattr(query, "endpoint", None), "name", None)
    if isinstance(name, str):
        return name
    raise TypeError("pass endpoint=... (e.g. 'costs'): it can only be inferred from a stream")


def _as_rows(source: Source, endpoint: str | None) -> tuple[str, Iterator[Row]]:
    """Rows from buckets, a stream, or rows already made by ``rows()``."""
    name = _endpoint_of(source, endpoint)
    items: Iterator[Any] = iter(source)
    first = next(items, None)
    if first is None:
        return name, iter(())
    items = itertools.chain([first], items)
    if isinstance(first, dict):
        return name, items
    return name, _rows(items, name, _schema(name))


# --- text formats ----------------------------------------------------------------------------


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _decimal_text(value: Decimal) -> str:
    # "f" never switches to exponent notation (str(Decimal("1E-7")) would be "1E-7").
    return format(value, "f")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, Decimal):
        return _decimal_text(value)
    return str(value)


def _json_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, datetime):
        return f'"{_iso(value)}"'
    if isinstance(value, Decimal):
        return _decimal_text(value) if value.is_finite() else "null"
    if isinstance(value, float) and not math.isfinite(value):
        return "null"
    return json.dumps(value, ensure_ascii=False, default=str)


def _json_object(row: Row) -> str:
    return "{" + ",".join(f"{json.dumps(k)}:{_json_value(v)}" for k, v in row.items()) + "}"


@contextmanager
def _text_file(path_or_file: PathOrFile, newline: str | None = None) -> Iterator[IO[str]]:
    if isinstance(path_or_file, str | os.PathLike):
        with open(path_or_file, "w", encoding="utf-8", newline=newline) as handle:
            yield handle
    else:
        yield path_or_file


def to_csv(source: Source, path_or_file: PathOrFile, *, endpoint: str | None = None) -> int:
    """Write rows as CSV (header first, every column always), streaming. Returns the row count.

    ``source`` is a stream, buckets (then pass ``endpoint``), or rows from ``rows()``. Empty
    cells are ``None``; booleans are ``true``/``false``; money is exact decimal text.
    """
    name, items = _as_rows(source, endpoint)
    names = columns(name)
    count = 0
    with _text_file(path_or_file, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(names)
        for row in items:
            writer.writerow([_csv_cell(row.get(c)) for c in names])
            count += 1
    return count


def to_jsonl(source: Source, path_or_file: PathOrFile, *, endpoint: str | None = None) -> int:
    """Write one JSON object per line, streaming. Returns the row count."""
    _, items = _as_rows(source, endpoint)
    count = 0
    with _text_file(path_or_file) as handle:
        for row in items:
            handle.write(_json_object(row) + "\n")
            count += 1
    return count


def to_json(source: Source, path_or_file: PathOrFile, *, endpoint: str | None = None) -> int:
    """Write a JSON array of row objects, incrementally (one row at a time). Returns the count."""
    _, items = _as_rows(source, endpoint)
    count = 0
    with _text_file(path_or_file) as handle:
        handle.write("[")
        for row in items:
            handle.write(("\n" if count == 0 else ",\n") + _json_object(row))
            count += 1
        handle.write("\n]\n" if count else "]\n")
    return count


# --- DataFrames and Parquet ------------------------------------------------------------------


def _missing(extra: str, module: str) -> ImportError:
    return ImportError(f"{module} is not installed: pip install 'openai-usage-client[{extra}]'")


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


def to_pandas(source: Source, *, endpoint: str | None = None) -> pd.DataFrame:
    """A pandas DataFrame of the rows (extra ``[pandas]``). Money is float64 here."""
    try:
        import pandas as pd
    except ImportError:
        raise _missing("pandas", "pandas") from None
    name, items = _as_rows(source, endpoint)
    types = column_types(name)
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


def to_polars(source: Source, *, endpoint: str | None = None) -> pl.DataFrame:
    """A polars DataFrame of the rows (extra ``[polars]``). Money is an exact Decimal."""
    try:
        import polars as pl
    except ImportError:
        raise _missing("polars", "polars") from None
    name, items = _as_rows(source, endpoint)
    types = column_types(name)
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
    source: Source, path: str | os.PathLike[str] | IO[bytes], *, endpoint: str | None = None
) -> int:
    """Write a Parquet file (extra ``[parquet]``), one row group per 10,000 rows, streaming.

    Money is an exact ``decimal128(38, 24)``; times are ``timestamp[us, UTC]``. Returns the
    row count.
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise _missing("parquet", "pyarrow") from None
    name, items = _as_rows(source, endpoint)
    types = column_types(name)
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
    checked = _check_scale(name, items, decimals)
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        while batch := list(itertools.islice(checked, _PARQUET_BATCH)):
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            count += len(batch)
        if count == 0:
            writer.write_table(schema.empty_table())
    return count
