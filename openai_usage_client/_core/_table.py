"""Tables that fit the terminal, and CSV/JSON of any rows with chosen columns (no click).

``render(rows, columns, width=...)`` lays rows out as aligned text no wider than ``width``:
long text (model names, line items, IDs) is cut with an ellipsis, long headers of number
columns too, and when that is not enough the rightmost columns are left out and a last line
names them; a row is never wrapped. Money shows as ``$2.70`` (rounded to cents for display,
right-aligned; the total line is the exact sum, rounded once). Times show in the zone given.

``default_columns(endpoint, rows)`` is what a table shows unless told otherwise: the time,
the grouping columns that have a value, and the few measures people read first (completions:
input, cached input, output, requests; costs: the amount). ``all_columns`` is ``--wide``.

``write_csv``/``write_json``/``write_jsonl`` write the same rows for programs: exact decimals
(CSV can round money to ``money_decimals`` places for spreadsheets), times as ISO-8601 with
their offset (``Z`` for UTC).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from typing import IO, TYPE_CHECKING, Any, Final, Literal

from ._endpoints import ENDPOINTS
from ._exceptions import InvalidParameterError
from ._format import cut, cut_unique, decimal_text, money, number
from ._text import json_safe, spreadsheet_safe, visible

if TYPE_CHECKING:
    from ._rows import Row

__all__ = [
    "MEASURES",
    "Layout",
    "all_columns",
    "default_columns",
    "kinds_of",
    "pick_columns",
    "render",
    "write_csv",
    "write_json",
    "write_jsonl",
]

Kind = Literal["text", "int", "decimal", "money", "time"]

_TOKENS: Final = ("input_tokens", "input_cached_tokens", "output_tokens", "num_model_requests")
#: The measures a table shows first, per endpoint (the rest: --columns or --wide).
MEASURES: Final[Mapping[str, tuple[str, ...]]] = {
    "completions": _TOKENS,
    "decisions": _TOKENS,
    "embeddings": ("input_tokens", "num_model_requests"),
    "moderations": ("input_tokens", "num_model_requests"),
    "images": ("images", "num_model_requests"),
    "audio_speeches": ("characters", "num_model_requests"),
    "audio_transcriptions": ("seconds", "num_model_requests"),
    "vector_stores": ("usage_bytes",),
    "code_interpreter_sessions": ("num_sessions",),
    "file_search_calls": ("num_requests",),
    "web_search_calls": ("num_requests", "num_model_requests"),
    "costs": ("amount_value",),
}
HEADERS: Final = {
    "start_time": "start",
    "end_time": "end",
    "input_tokens": "input",
    "input_cached_tokens": "cached input",
    "output_tokens": "output",
    "num_model_requests": "requests",
    "num_requests": "calls",  # file and web search calls; "requests" are model requests
    "num_sessions": "sessions",
    "amount_value": "amount",
    "amount_currency": "currency",
}
_NEVER_SHOWN: Final = ("endpoint", "object", "end_time")
#: Text is cut down to this many characters at most; then columns are left out instead.
_MIN_TEXT: Final = 12
#: Headers of number columns (pivot columns are names) are cut down to this many at most.
_MIN_HEADER: Final = 10


def kinds_of(
    rows: Sequence[Row], columns: Iterable[str], money: Iterable[str] = ()
) -> dict[str, Kind]:
    """Each column's kind, read off the values (``money``: columns to show as money)."""
    money_columns = set(money) | {"amount_value"}
    out: dict[str, Kind] = {}
    for column in columns:
        values = [r.get(column) for r in rows if r.get(column) is not None]
        if column in money_columns and all(isinstance(v, Decimal) for v in values):
            out[column] = "money"
        elif values and all(isinstance(v, datetime) for v in values):
            out[column] = "time"
        elif values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            out[column] = "int"
        elif values and all(
            isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in values
        ):
            out[column] = "decimal"
        else:
            out[column] = "text"
    return out


def _has_value(rows: Sequence[Row], column: str) -> bool:
    return any(r.get(column) is not None for r in rows)


def default_columns(
    endpoint: str, rows: Sequence[Row], leading: Sequence[str] | None = None
) -> list[str]:
    """``leading`` (default: the start time), grouping columns with a value, measures."""
    spec = ENDPOINTS[endpoint]
    first = ["start_time"] if leading is None else list(leading)
    grouping = [g for g in spec.group_by if _has_value(rows, g)]
    measures = [m for m in MEASURES.get(endpoint, ()) if not rows or _has_value(rows, m)]
    return [*first, *grouping, *measures]


def all_columns(rows: Sequence[Row], available: Sequence[str]) -> list[str]:
    """``--wide``: every column that has a value somewhere (bookkeeping columns left out)."""
    return [c for c in available if c not in _NEVER_SHOWN and _has_value(rows, c)]


def pick_columns(requested: str, available: Sequence[str], param: str = "--columns") -> list[str]:
    """``"model,input_tokens"`` -> the columns, each checked against ``available``."""
    names = [c.strip() for c in requested.split(",") if c.strip()]
    unknown = [c for c in names if c not in available]
    if not names or unknown:
        raise InvalidParameterError(
            param, requested, "comma-separated, from: " + ", ".join(available)
        )
    return list(dict.fromkeys(names))


# --- text ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """How ``render`` formats: the zone times are shown in, the currency, the ellipsis."""

    tz: tzinfo = UTC
    currency: str | None = "usd"
    ellipsis: str = "…"
    #: Label of the total line (``None``: no total line).
    total: str | None = "total"


def _time_format(rows: Sequence[Row], column: str, tz: tzinfo) -> str:
    # Dates alone when every time is a local midnight and the rows span whole days.
    times = [r[column].astimezone(tz) for r in rows if isinstance(r.get(column), datetime)]
    if all(t.hour == t.minute == 0 for t in times) and all(
        isinstance(r.get("end_time"), datetime) and r["end_time"] - r[column] >= timedelta(hours=23)
        for r in rows
        if r.get(column) is not None
    ):
        return "%Y-%m-%d"
    return "%Y-%m-%d %H:%M"


def _cells(
    rows: Sequence[Row], columns: Sequence[str], kinds: Mapping[str, Kind], layout: Layout
) -> list[list[str]]:
    formats = {c: _time_format(rows, c, layout.tz) for c in columns if kinds[c] == "time"}
    table = []
    for row in rows:
        cells = []
        for c in columns:
            value = row.get(c)
            if value is None:
                cells.append("")
            elif kinds[c] == "money":
                cells.append(money(value, layout.currency))
            elif kinds[c] == "time":
                cells.append(value.astimezone(layout.tz).strftime(formats[c]))
            else:
                cells.append(visible(number(value)))  # a name: one line of plain text
        table.append(cells)
    return table


def _total_line(
    rows: Sequence[Row], columns: Sequence[str], kinds: Mapping[str, Kind], layout: Layout
) -> list[str]:
    line = []
    for c in columns:
        values = [r[c] for r in rows if r.get(c) is not None]
        if kinds[c] in ("int", "decimal", "money") and values:
            total = sum(values[1:], values[0])  # exact: ints and Decimals
            line.append(money(total, layout.currency) if kinds[c] == "money" else number(total))
        else:
            line.append("")
    line[0] = f"{layout.total} ({len(rows)} rows)"
    return line


def _fit(
    widths: list[int],
    header: list[int],
    body: list[int],
    kinds: list[Kind],
    width: int,
    keep: Collection[int] = (0,),
) -> tuple[list[int], list[int]]:
    """Shrink text columns, then number headers, then leave columns out from the right (never
    one of ``keep``: the first, a pivot's total); returns the widths and the columns shown."""
    widths = list(widths)
    shown = list(range(len(widths)))

    def used(n: int) -> int:
        return sum(widths[i] for i in shown) + 2 * (len(shown) - 1)

    n = len(widths)
    # 1. Text columns, widest first, down to a few characters.
    while used(n) > width:
        text = [i for i, k in enumerate(kinds) if k == "text" and widths[i] > _MIN_TEXT]
        if not text:
            break
        i = max(text, key=lambda j: widths[j])
        widths[i] = max(_MIN_TEXT, widths[i] - (used(n) - width))
    # 2. Headers of number columns wider than their numbers.
    for i in range(n):
        if used(n) <= width:
            break
        if kinds[i] != "text" and header[i] > body[i]:
            widths[i] = max(body[i], _MIN_HEADER, widths[i] - (used(n) - width))
    # 3. Leave out columns from the right (never one to keep).
    while used(n) > width:
        droppable = [i for i in shown if i not in keep]
        if not droppable:
            break
        shown.remove(droppable[-1])
    return widths, shown


def render(
    rows: Sequence[Row],
    columns: Sequence[str],
    *,
    width: int | None = None,
    kinds: Mapping[str, Kind] | None = None,
    layout: Layout | None = None,
    headers: Mapping[str, str] | None = None,
) -> list[str]:
    """``rows`` as lines of text at most ``width`` wide (``None``: as wide as needed)."""
    layout = layout or Layout()
    if not rows:
        return ["(no activity in this range)"]
    kinds = kinds or kinds_of(rows, columns)
    names = {**HEADERS, **(headers or {})}
    head = [names.get(c, c) for c in columns]
    body = _cells(rows, columns, kinds, layout)
    # A total line needs a first column to say "total" in: not a number column.
    with_total = layout.total is not None and kinds[columns[0]] in ("text", "time")
    if with_total:
        body.append(_total_line(rows, columns, kinds, layout))
    body_widths = [max(len(r[i]) for r in body) for i in range(len(columns))]
    natural = [max(len(h), b) for h, b in zip(head, body_widths, strict=True)]
    kind_list = [kinds[c] for c in columns]
    keep = {0} | {i for i, c in enumerate(columns) if c == "total"}
    if width is None:
        widths, shown = natural, list(range(len(columns)))
    else:
        widths, shown = _fit(natural, [len(h) for h in head], body_widths, kind_list, width, keep)
    # Text cut to fit stays apart: two names that one cut would make alike keep their ends.
    for i in shown:
        if kind_list[i] == "text" and widths[i] < natural[i]:
            kept = cut_unique([r[i] for r in body], widths[i], layout.ellipsis)
            for r, text in zip(body, kept, strict=True):
                r[i] = text

    def line(cells: list[str]) -> str:
        parts = []
        for i in shown:
            cell = cut(cells[i], widths[i], layout.ellipsis)
            parts.append(
                cell.ljust(widths[i]) if kind_list[i] in ("text", "time") else cell.rjust(widths[i])
            )
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * widths[i] for i in shown)
    out = [line(head), rule, *(line(r) for r in body[: len(rows)])]
    if with_total:
        out += [rule, line(body[-1])]
    if len(shown) < len(columns):
        left = ", ".join(c for i, c in enumerate(columns) if i not in shown)
        out.append(cut(f"(not shown: {left}; see --columns, --wide)", width or 0, layout.ellipsis))
    return out


# --- files -----------------------------------------------------------------------------------


def _iso(value: datetime) -> str:
    if value.utcoffset() == timedelta(0):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat(timespec="seconds")


def _decimal(value: Decimal, places: int | None) -> Decimal:
    if places is None:
        return value
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def _text(value: Any, column: str, money_columns: set[str], places: int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, Decimal):
        if column in money_columns and places is not None:  # --money-decimals: fixed places
            return format(_decimal(value, places), "f")
        return decimal_text(value)
    return str(value)


def write_csv(
    rows: Iterable[Row],
    columns: Sequence[str],
    handle: IO[str],
    *,
    money_columns: Iterable[str] = ("amount_value",),
    money_decimals: int | None = None,
    raw: bool = False,
) -> int:
    """CSV of ``columns``: exact decimals, or money rounded (half to even) to ``money_decimals``.
    A text cell a spreadsheet would run as a formula gets a leading ``'`` unless ``raw``."""
    chosen = set(money_columns)
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([_csv_text(row.get(c), c, chosen, money_decimals, raw) for c in columns])
        count += 1
    return count


def _csv_text(
    value: Any, column: str, money_columns: set[str], places: int | None, raw: bool
) -> str:
    text = _text(value, column, money_columns, places)
    # By the value's type, not its look: a project named "-5" is text, an amount of -5 not.
    return text if raw or not isinstance(value, str) else spreadsheet_safe(text)


def _json_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, datetime):
        return f'"{_iso(value)}"'
    if isinstance(value, Decimal):
        return decimal_text(value) if value.is_finite() else "null"  # exact, never a float
    return json_safe(json.dumps(value, ensure_ascii=False, default=str))


def _json_object(row: Row, columns: Sequence[str]) -> str:
    return "{" + ",".join(f"{json.dumps(c)}:{_json_value(row.get(c))}" for c in columns) + "}"


def write_jsonl(rows: Iterable[Row], columns: Sequence[str], handle: IO[str]) -> int:
    """One JSON object per row, with ``columns``; decimals as exact number literals."""
    count = 0
    for row in rows:
        handle.write(_json_object(row, columns) + "\n")
        count += 1
    return count


def write_json(rows: Iterable[Row], columns: Sequence[str], handle: IO[str]) -> int:
    """A JSON array of row objects with ``columns``; decimals as exact number literals."""
    count = 0
    handle.write("[")
    for row in rows:
        handle.write(("\n" if count == 0 else ",\n") + _json_object(row, columns))
        count += 1
    handle.write("\n]\n" if count else "]\n")
    return count
