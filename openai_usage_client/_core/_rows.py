"""Flat rows of a stream of buckets: the one row schema shared by every product.

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
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from inspect import isclass
from types import NoneType, UnionType
from typing import Annotated, Any, Final, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from .._generated import models as generated_models
from .._generated.models.usage_time_bucket import UsageTimeBucket
from ._endpoints import ENDPOINTS
from ._names import NAME_COLUMNS, Names, Row, add_names, with_name_columns
from ._time import from_unix

__all__ = [
    "EXTRA_COLUMNS",
    "Kind",
    "Names",
    "Row",
    "Source",
    "as_rows",
    "column_types",
    "columns",
    "endpoint_of",
    "prepare",
    "rows",
]

#: Columns a row may carry beyond the endpoint's, written last by every writer when the
#: first row has them: ``provisional`` (a local store's rows: the bucket may still change).
EXTRA_COLUMNS: Final[dict[str, Kind]] = {"provisional": "bool"}

"""One flat record: column name to value (see the module docstring for the columns)."""

Kind = Literal["str", "int", "float", "bool", "decimal", "datetime"]
Source = Iterable[UsageTimeBucket] | Iterable[Row]


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
    one-value ``Literal``), found by scanning the generated models rather than hand-listed.
    Only the ``...Result`` models are loaded: the package imports its models on first use."""
    models: dict[str, type[BaseModel]] = {}
    for name in generated_models.__all__:
        if not name.endswith("Result"):
            continue
        cls = getattr(generated_models, name)
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


@functools.cache
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


def columns(endpoint: str, *, names: bool = False, extra: Sequence[str] = ()) -> list[str]:
    """The columns of ``rows()`` for ``endpoint`` (e.g. ``"costs"``), in order.

    ``names=True``: the columns of ``rows(..., names=directory)``, with the name columns
    (``project_name``, ``api_key_name``, ...) right after the ID columns they describe.
    ``extra``: columns of ``EXTRA_COLUMNS`` the rows carry, last (a store's ``provisional``).
    """
    plain = [c.name for c in _schema(endpoint)]
    return [*(with_name_columns(plain) if names else plain), *extra]


def column_types(
    endpoint: str, *, names: bool = False, extra: Sequence[str] = ()
) -> dict[str, Kind]:
    """Each column's kind: ``str``, ``int``, ``float``, ``bool``, ``decimal`` or ``datetime``."""
    kinds: dict[str, Kind] = {c.name: c.kind for c in _schema(endpoint)}
    kinds.update({c: EXTRA_COLUMNS[c] for c in extra})
    return {c: kinds.get(c, "str") for c in columns(endpoint, names=names, extra=extra)}


# --- rows ------------------------------------------------------------------------------------


def rows(
    buckets: Iterable[UsageTimeBucket], endpoint: str | None = None, *, names: Names | None = None
) -> Iterator[Row]:
    """Flat records, one per (bucket, result), lazily. See the module docstring.

    ``endpoint`` is the endpoint name (``"completions"``, ``"costs"``, ...); it may be left
    out when ``buckets`` is a stream (it knows its endpoint). ``names`` (a ``Directory`` from
    ``client.directory()``) adds ``project_name``, ``api_key_name``, ``api_key_redacted_value``,
    ``api_key_owner``, ``user_name`` and ``user_email`` after the IDs they name; an ID it does
    not know gets ``None``, never a guess.
    """
    name = endpoint_of(buckets, endpoint)
    plain = _rows(buckets, name, _schema(name))
    return plain if names is None else add_names(plain, names)


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


def endpoint_of(source: object, endpoint: str | None) -> str:
    if endpoint is not None:
        _spec(endpoint)
        return endpoint
    query = getattr(source, "query", None)
    name = getattr(getattr(query, "endpoint", None), "name", None)
    if isinstance(name, str):
        return name
    raise TypeError("pass endpoint=... (e.g. 'costs'): it can only be inferred from a stream")


def prepare(
    source: Source, endpoint: str | None, names: Names | None = None
) -> tuple[str, Iterator[Row], bool, tuple[str, ...]]:
    """What a writer needs: the endpoint, the rows (named when ``names`` is given), whether
    they carry the name columns (given ``names``, or rows already named), and which of
    ``EXTRA_COLUMNS`` they carry (rows read from a store with ``provisional=True``)."""
    name, items = as_rows(source, endpoint)
    first = next(items, None)
    if first is None:
        return name, iter(()), names is not None, ()
    items = itertools.chain([first], items)
    extra = tuple(c for c in EXTRA_COLUMNS if c in first)
    if names is not None:
        if not any(c in first for c in NAME_COLUMNS):
            items = add_names(items, names)
        return name, items, True, extra
    return name, items, any(c in first for c in NAME_COLUMNS), extra


def as_rows(source: Source, endpoint: str | None) -> tuple[str, Iterator[Row]]:
    """Rows from buckets, a stream, or rows already made by ``rows()``."""
    name = endpoint_of(source, endpoint)
    items: Iterator[Any] = iter(source)
    first = next(items, None)
    if first is None:
        return name, iter(())
    items = itertools.chain([first], items)
    if isinstance(first, dict):
        return name, items
    return name, _rows(items, name, _schema(name))
