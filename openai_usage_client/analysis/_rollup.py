"""Roll rows up to totals, calendar periods and pivots, in a time zone (no I/O).

Everything works on the rows of ``rows()`` and sums exactly (ints stay ints, money stays a
``Decimal``), through ``summarize``:

* ``totals(rows, group_by)``: one row per grouping over the whole range.
* ``rollup(rows, "day" | "week" | "month", tz, group_by)``: one row per local calendar period
  (ISO weeks) and grouping. A bucket must lie inside one period: fetch with the width
  ``plan()`` chooses (``1h`` buckets for local days in a zone whose offset is whole hours,
  ``1d`` for UTC days). A bucket that crosses a period boundary is refused, never split.
* ``pivot(rows, "day:project_id", endpoint)``: the main measure (``measure()``: money for
  costs, ``input_tokens + output_tokens`` for token endpoints, else the endpoint's counter, or
  any numeric column) with one row per value of the first dimension and one column per value
  of the second, plus totals.
* ``client_side(endpoint, params)``: filters the API does not have (costs by user or model)
  turned into a ``group_by`` the API does have and a ``filter_rows`` done here.

Costs only come in ``1d`` buckets (UTC days): ``plan()`` then rolls up UTC periods and says
so in its ``notice``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from .._core._endpoints import ENDPOINTS
from .._core._exceptions import InvalidParameterError
from .._core._periods import By, period_bounds, period_label, period_starts, zone_name
from .._core._summarize import model_from_line_item, model_matches, summarize

if TYPE_CHECKING:
    from .._core._rows import Row

__all__ = [
    "TIME_DIMENSIONS",
    "Measure",
    "Pivot",
    "Plan",
    "client_side",
    "filter_rows",
    "label",
    "measure",
    "parse_pivot",
    "pivot",
    "pivot_dimensions",
    "pivot_group_by",
    "plan",
    "rollup",
    "totals",
]

Number = int | Decimal
TIME_DIMENSIONS: Final = ("day", "week", "month", "start_time")
_WIDTHS: Final = (("1d", 86400), ("1h", 3600), ("1m", 60))
#: Filters the costs endpoint lacks: the column they filter and the grouping that yields it.
_COSTS_CLIENT_FILTERS: Final = {
    "user_ids": ("user_id", "user_id"),
    "models": ("model", "line_item"),
}


def _numeric_columns(endpoint: str) -> list[str]:
    from .._core._rows import column_types

    return [c for c, k in column_types(endpoint).items() if k in ("int", "decimal")]


# --- the main measure ------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """What a pivot sums: one column, or the sum of several (``tokens``: input + output)."""

    name: str
    fields: tuple[str, ...]
    money: bool = False

    def of(self, row: Row) -> Number | None:
        """The measure of one row; ``None`` when every field is ``None``."""
        values = [row.get(f) for f in self.fields]
        present = [v for v in values if v is not None]
        if not present:
            return None
        total: Number = present[0]
        for value in present[1:]:
            total += value
        return total


def measure(endpoint: str, value: str | None = None) -> Measure:
    """The measure people read first for ``endpoint``, or the numeric column ``value``.

    Costs: ``amount_value`` (money). Completions and decisions: ``tokens``, the sum of
    ``input_tokens`` and ``output_tokens``. Other endpoints: their counter (``input_tokens``,
    ``images``, ``characters``, ``seconds``, ``usage_bytes``, ``num_sessions``,
    ``num_requests``).
    """
    numeric = _numeric_columns(endpoint)
    if value is not None:
        if value == "tokens" and {"input_tokens", "output_tokens"} <= set(numeric):
            return Measure("tokens", ("input_tokens", "output_tokens"))
        if value not in numeric:
            raise InvalidParameterError("--value", value, "one of: " + ", ".join(numeric))
        return Measure(value, (value,), money=value == "amount_value")
    if ENDPOINTS[endpoint].is_costs:
        return Measure("amount_value", ("amount_value",), money=True)
    if {"input_tokens", "output_tokens"} <= set(numeric):
        return Measure("tokens", ("input_tokens", "output_tokens"))
    counters = [c for c in numeric if c != "num_model_requests"] or numeric
    return Measure(counters[0], (counters[0],))


# --- which buckets to fetch ------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """How to fetch for a roll-up: the bucket width and the zone periods are computed in."""

    bucket_width: str
    tz: tzinfo
    #: Set when the zone asked for could not be honoured (costs: UTC days only).
    notice: str | None = None


def plan(endpoint: str, by: By | None, tz: tzinfo, start: int, end: int) -> Plan:
    """The widest bucket width whose buckets never cross a local period boundary.

    ``1d`` when every boundary is a UTC midnight (UTC, or no ``by``), ``1h`` for zones whose
    offsets are whole hours, ``1m`` otherwise (India, Nepal, ...). Costs have only ``1d``:
    periods are then UTC ones, and ``notice`` says so.
    """
    spec = ENDPOINTS[endpoint]
    if by is None:
        return Plan(spec.bucket_widths[-1], tz)
    # Only boundaries inside the range matter: the API cuts the first and last buckets at
    # start and end, wherever they fall.
    boundaries = period_starts(start, end, by, tz)
    for width, seconds in _WIDTHS:
        if width in spec.bucket_widths and all(b % seconds == 0 for b in boundaries):
            return Plan(width, tz)
    if spec.is_costs:
        return Plan(
            "1d",
            UTC,
            f"costs come only in 1d buckets (UTC days): --by {by} uses UTC "
            f"{by}s, not {zone_name(tz)} ones",
        )
    return Plan("1m", tz)  # every zone offset is whole minutes


# --- filtering on our side -------------------------------------------------------------------


def client_side(
    endpoint: str, params: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Split ``params`` into what the API accepts and filters to apply with ``filter_rows``.

    The costs endpoint has no ``user_ids`` or ``models`` filter: these are removed, the
    grouping that yields the column (``user_id``; ``line_item``, whose model part is read by
    ``model_from_line_item``) is added to ``group_by``, and the filter is returned as
    ``{column: values}``. A model filter is always applied here, on every endpoint: the API
    matches a model's exact name, and people name a model without its snapshot date
    (``gpt-4.1`` for ``gpt-4.1-2025-04-14``, see ``model_matches``); usage is grouped by
    ``model`` for it. Other parameters pass through unchanged.
    """
    api = dict(params)
    local: dict[str, list[str]] = {}
    group_by = list(api.get("group_by") or [])
    if not ENDPOINTS[endpoint].is_costs:
        models = api.pop("models", None)
        if models:
            local["model"] = list(models)
            if "model" not in group_by:
                group_by.append("model")
            api["group_by"] = group_by
        return api, local
    for name, (column, grouping) in _COSTS_CLIENT_FILTERS.items():
        values = api.pop(name, None)
        if not values:
            continue
        local[column] = list(values)
        if grouping not in group_by:
            group_by.append(grouping)
    if group_by:
        api["group_by"] = group_by
    return api, local


def _column(row: Row, column: str) -> Any:
    if column == "model" and "model" not in row:
        return model_from_line_item(row.get("line_item"))
    return row.get(column)


def filter_rows(rows: Iterable[Row], filters: Mapping[str, Collection[Any]]) -> Iterator[Row]:
    """The rows whose ``column`` is one of the values, for every ``column`` in ``filters``.

    ``model`` on costs rows is read from ``line_item``; a model matches its name and its
    dated snapshots (``model_matches``).
    """
    for row in rows:
        if all(_matches(_column(row, c), c, values) for c, values in filters.items()):
            yield row


def _matches(value: Any, column: str, wanted: Collection[Any]) -> bool:
    if column == "model":
        return any(model_matches(value, w) for w in wanted)
    return value in wanted


# --- totals and periods ----------------------------------------------------------------------


def _bounds(rows: list[Row], start: datetime | None, end: datetime | None) -> tuple[Any, Any]:
    lo = start or min((r["start_time"] for r in rows), default=None)
    hi = end or max((r["end_time"] for r in rows), default=None)
    return lo, hi


def totals(
    rows: Iterable[Row],
    group_by: Sequence[str] = (),
    fields: Sequence[str] | None = None,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Row]:
    """One row per distinct ``group_by`` value over the whole range, largest first.

    Each row has ``start_time``/``end_time`` (the range given, else the rows' extent), the
    grouping columns, the summed ``fields`` (default: every counter) and ``rows``.
    """
    buffered = list(rows)
    lo, hi = _bounds(buffered, start, end)
    return [
        {"start_time": lo, "end_time": hi, **total}
        for total in summarize(buffered, by=list(group_by), fields=fields)
    ]


def rollup(
    rows: Iterable[Row],
    by: By,
    tz: tzinfo = UTC,
    group_by: Sequence[str] = (),
    fields: Sequence[str] | None = None,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Row]:
    """One row per local ``by`` period (in ``tz``) and grouping, in time order.

    Each row has ``period`` (``2026-03-29``, ``2026-W13``, ``2026-03``), ``start_time`` and
    ``end_time`` (the period's local bounds as datetimes in ``tz``, clipped to ``start``/
    ``end`` when given), the grouping columns, the summed ``fields`` and ``rows``. Raises
    ``ValueError`` for a bucket that crosses a period boundary (fetch narrower buckets).
    """
    bounds: dict[str, tuple[datetime, datetime]] = {}

    def labelled() -> Iterator[Row]:
        for row in rows:
            lo, hi = period_bounds(row["start_time"], by, tz)
            if row["end_time"] > hi:
                raise ValueError(
                    f"the bucket {row['start_time']:%Y-%m-%dT%H:%MZ} to "
                    f"{row['end_time']:%Y-%m-%dT%H:%MZ} crosses the start of a {by} in "
                    f"{zone_name(tz)}: fetch 1h buckets (bucket_width='1h'; --bucket-width 1h)"
                )
            label = period_label(lo, by)
            bounds[label] = (max(lo, start.astimezone(tz)) if start else lo, hi)
            if end is not None:
                bounds[label] = (bounds[label][0], min(hi, end.astimezone(tz)))
            yield {**row, "period": label}

    summed = summarize(labelled(), by=["period", *group_by], fields=fields, sort=False)
    out = [
        {
            "period": t["period"],
            "start_time": bounds[t["period"]][0],
            "end_time": bounds[t["period"]][1],
            **{k: v for k, v in t.items() if k != "period"},
        }
        for t in summed
    ]
    # Within a period: largest first by the first summed field, then by grouping value.
    keys = ("period", "start_time", "end_time", "rows", *group_by)
    first = next((k for k in out[0] if k not in keys), None) if out else None
    out.sort(key=lambda r: _order(tuple(r[c] for c in group_by)))
    if first is not None:
        out.sort(key=lambda r: r[first] if r[first] is not None else -1, reverse=True)
    out.sort(key=lambda r: r["start_time"])
    return out


def _order(key: tuple[Any, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((part is None, "" if part is None else str(part)) for part in key)


# --- pivots ----------------------------------------------------------------------------------


def pivot_dimensions(endpoint: str) -> list[str]:
    """What ``ROW`` and ``COLUMN`` of a pivot may be for ``endpoint``."""
    spec = ENDPOINTS[endpoint]
    extra = ["model"] if spec.is_costs else []
    return [*TIME_DIMENSIONS, *spec.group_by, *extra]


def parse_pivot(text: str, endpoint: str, param: str = "--pivot") -> tuple[str, str]:
    """``"day:project_id"`` -> ``("day", "project_id")``, checked against the endpoint."""
    allowed = pivot_dimensions(endpoint)
    parts = [p.strip() for p in text.split(":")]
    if len(parts) != 2 or parts[0] == parts[1] or not all(p in allowed for p in parts):
        raise InvalidParameterError(
            param, text, "ROW:COLUMN, two different of: " + ", ".join(allowed)
        )
    return parts[0], parts[1]


def pivot_group_by(dimensions: Iterable[str], endpoint: str) -> list[str]:
    """The ``group_by`` a fetch needs so that rows carry the pivot's dimensions."""
    needed: list[str] = []
    for d in dimensions:
        if d in TIME_DIMENSIONS:
            continue
        grouping = "line_item" if d == "model" and ENDPOINTS[endpoint].is_costs else d
        if grouping not in needed:
            needed.append(grouping)
    return needed


@dataclass
class Pivot:
    """A measure by two dimensions: ``cells[(row_key, column_key)]`` plus totals.

    Keys are the dimension's values: a period label for ``day``/``week``/``month``, the
    bucket's start as a datetime in ``tz`` for ``start_time``, else the column's value
    (``None`` included). ``column_keys`` come largest total first; ``row_keys`` in time order
    for time dimensions, else largest total first.
    """

    row: str
    column: str
    measure: Measure
    tz: tzinfo
    currency: str | None = None
    row_keys: list[Any] = field(default_factory=list)
    column_keys: list[Any] = field(default_factory=list)
    cells: dict[tuple[Any, Any], Number] = field(default_factory=dict)
    row_totals: dict[Any, Number] = field(default_factory=dict)
    column_totals: dict[Any, Number] = field(default_factory=dict)
    total: Number = 0

    def to_rows(self) -> list[Row]:
        """One row per row key: ``{row: key, <column label>: value, ..., "total": value}``.

        Row keys are labels (``label``) except times, which stay datetimes.
        """
        out = []
        for key in self.row_keys:
            row: Row = {self.row: key if isinstance(key, datetime) else label(key)}
            for column in self.column_keys:
                row[label(column)] = self.cells.get((key, column))
            row["total"] = self.row_totals.get(key)
            out.append(row)
        return out

    def columns(self) -> list[str]:
        return [self.row, *(label(c) for c in self.column_keys), "total"]


def label(key: Any) -> str:
    """A pivot key as text: ``(none)`` for ``None``, local ``YYYY-MM-DD HH:MM`` for times."""
    if key is None:
        return "(none)"
    if isinstance(key, bool):
        return str(key).lower()
    if isinstance(key, datetime):
        return key.strftime("%Y-%m-%d %H:%M")
    return str(key)


def pivot(
    rows: Iterable[Row], spec: str, endpoint: str, value: str | None = None, tz: tzinfo = UTC
) -> Pivot:
    """The main measure (``measure(endpoint, value)``) of ``rows`` by ``ROW:COLUMN``."""
    row_dim, column_dim = parse_pivot(spec, endpoint)
    chosen = measure(endpoint, value)
    result = Pivot(row_dim, column_dim, chosen, tz)
    zero: Number = Decimal(0) if chosen.money else 0
    result.total = zero
    for row in rows:
        amount = chosen.of(row)
        if amount is None:
            continue
        if chosen.money:
            _one_currency(result, row.get("amount_currency"))
        key = (_key(row, row_dim, tz), _key(row, column_dim, tz))
        result.cells[key] = result.cells.get(key, zero) + amount
        result.row_totals[key[0]] = result.row_totals.get(key[0], zero) + amount
        result.column_totals[key[1]] = result.column_totals.get(key[1], zero) + amount
        result.total += amount
    result.column_keys = _ranked(result.column_totals, column_dim)
    result.row_keys = _ranked(result.row_totals, row_dim)
    return result


def _key(row: Row, dimension: str, tz: tzinfo) -> Any:
    if dimension == "start_time":
        return row["start_time"].astimezone(tz)
    if dimension in ("day", "week", "month"):
        lo, hi = period_bounds(row["start_time"], dimension, tz)  # type: ignore[arg-type]
        if row["end_time"] > hi:
            raise ValueError(
                f"a bucket crosses the start of a {dimension} in {zone_name(tz)}: "
                "fetch 1h buckets (bucket_width='1h'; --bucket-width 1h)"
            )
        return period_label(lo, dimension)  # type: ignore[arg-type]
    return _column(row, dimension)


def _ranked(totals_of: dict[Any, Number], dimension: str) -> list[Any]:
    if dimension in TIME_DIMENSIONS:
        return sorted(totals_of)
    keys = sorted(totals_of, key=lambda k: _order((k,)))
    return sorted(keys, key=lambda k: totals_of[k], reverse=True)


def _one_currency(result: Pivot, currency: object) -> None:
    if currency is None:
        return
    if result.currency is None:
        result.currency = str(currency)
    elif result.currency != currency:
        raise ValueError(
            f"amounts are in several currencies ({result.currency}, {currency}): "
            "pivot each currency on its own (--project-id or a line item filter)"
        )
