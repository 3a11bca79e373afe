"""A reconciliation as text (tables that fit the terminal) and as CSV of its cells."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import IO, Any, Final

from .._core._format import decimal_text, money
from .._core._summarize import model_from_line_item
from .._core._table import Layout, render, write_csv
from .._core._text import visible
from ._model import FLAG_KINDS, Flag, Reconciliation, Status

__all__ = ["CSV_COLUMNS", "reconciliation_text", "write_cells_csv"]

_STATUS_LABELS: Final[dict[Status, str]] = {
    "matched": "matched by usage",
    "quantity_mismatch": "quantity differs",
    "cost_without_usage": "no usage behind it",
    "not_checked": "not checked",
}
#: The columns of ``-f csv``: one row per joined cell.
CSV_COLUMNS: Final = (
    "date",
    "organization",
    "project_id",
    "project_name",
    "api_key_id",
    "user_id",
    "model",
    "kind",
    "line_items",
    "billed_quantity",
    "used_quantity",
    "unit",
    "amount",
    "currency",
    "status",
    "provisional",
    "reason",
)


def _share(part: Decimal, whole: Decimal) -> str:
    return f"{part / whole:.1%}" if whole else "-"


def _price(value: Decimal | None) -> str:
    return "" if value is None else decimal_text(round(value, 6).normalize())


def _flag_lines(flag: Flag, currency: str, width: int | None, amounts: int) -> list[str]:
    """Two lines: what and how much (amounts right-aligned in ``amounts`` columns), then
    where and why, wrapped to ``width``."""
    head = (
        f"  {flag.day.isoformat()}  {flag.kind.replace('_', ' '):<18}  "
        f"{money(flag.amount, currency):>{amounts}}  {flag.line_item}"
    )
    where = [flag.project_name or flag.project_id or "", flag.api_key_id or ""]
    place = " / ".join(w for w in where if w)
    body = f"{place + ': ' if place else ''}{flag.detail}"
    if width is None:
        return [head, " " * 14 + body]
    indent = " " * 14
    return [
        *textwrap.wrap(head, width, subsequent_indent=indent, break_on_hyphens=False),
        *textwrap.wrap(body, width, initial_indent=indent, subsequent_indent=indent,
                       break_on_hyphens=False),
    ]  # fmt: skip


#: Short names of what a price is per, for the 80-column table (JSON keeps the long ones).
_PER_SHORT: Final = {"1M tokens": "1M tok", "1M characters": "1M chars", "GiB-hour": "GiB-h"}
_QUALIFIED: Final = re.compile(r"^(?P<base>.*?)\s*(?P<qualifier>\([^)]*\))$")


def _group(line_item: str) -> tuple[str | None, str]:
    """``(heading, label)``: a model's line items under the model, the variants of a tool
    line under the tool, any other line alone."""
    model = model_from_line_item(line_item)
    if model is not None:
        return model, line_item.split(", ", 1)[1]
    qualified = _QUALIFIED.match(line_item)
    if qualified:
        return qualified["base"], qualified["qualifier"]
    return None, line_item


def _price_lines(found: Reconciliation, layout: Layout, width: int | None) -> list[str]:
    """The unit price table, grouped: a heading line per model (or tool), its kinds below."""
    rows, headings = [], []
    for p in found.prices:
        heading, label = _group(p.line_item)
        headings.append(heading)
        rows.append(
            {
                "line item": label if heading is None else f"  {label}",
                "per": _PER_SHORT.get(p.per, p.per),
                "median": _price(p.median),
                "low": _price(p.low),
                "high": _price(p.high),
                "days": p.days,
                "list price": _price(p.list_price),
            }
        )
    columns = ["line item", "per", "median", "low", "high", "days"]
    if any(p.list_price is not None for p in found.prices):
        columns.append("list price")
    kinds: dict[str, Any] = dict.fromkeys(columns, "text")
    kinds["days"] = "int"
    table = render(
        rows, columns, width=None if width is None else width - 2, kinds=kinds, layout=layout
    )
    out = ["  " + line for line in table[:2]]
    shown = None
    for heading, line in zip(headings, table[2:], strict=True):
        if heading is not None and heading != shown:
            out.append("  " + heading)
        shown = heading
        out.append("  " + line)
    return out


def reconciliation_text(found: Reconciliation, *, width: int | None = None) -> str:
    """The reconciliation for people: what the spend covers, the flags, the unit prices and
    what the answer does not cover. Lines at most ``width`` wide (``None``: any)."""
    layout = Layout(currency=found.currency, total=None)
    last = found.end - timedelta(days=1)
    days = (
        f"{found.start.isoformat()} to {last.isoformat()} (UTC days)"
        if last > found.start
        else f"{found.start.isoformat()} (UTC day)"
    )
    lines = [f"Reconciliation of usage and costs, {days}"]
    if found.organizations:
        lines.append(f"Organization: {', '.join(found.organizations)}")
    lines.append(f"Unit prices compared with {found.price_reference}")
    total = found.total
    lines += ["", f"Settled spend: {money(total, found.currency)}"]
    spend = found.spend
    label_width = max(len(v) for v in _STATUS_LABELS.values())
    amounts = {s: money(spend[s], found.currency) for s in _STATUS_LABELS}
    amount_width = max(len(v) for v in amounts.values())
    for status, label in _STATUS_LABELS.items():
        lines.append(
            f"  {label:<{label_width}}  {amounts[status]:>{amount_width}}  "
            f"{_share(spend[status], total):>6}"
        )
    if found.provisional_spend or found.provisional_flags:
        pending = len(found.provisional_flags)
        lines.append(
            "Provisional days (may still settle, not judged): "
            + money(found.provisional_spend, found.currency)
            + (f", {pending} line(s) that do not add up yet" if pending else "")
        )
    counts = found.flag_counts()
    summary = ", ".join(f"{k.replace('_', ' ')} {counts[k]}" for k in FLAG_KINDS)
    heading = f"Flags: {len(found.flags)} ({summary})"
    lines += ["", *(textwrap.wrap(heading, width, subsequent_indent="  ") if width else [heading])]
    amount_columns = max((len(money(f.amount, found.currency)) for f in found.flags), default=0)
    for flag in found.flags:
        lines += _flag_lines(flag, found.currency, width, amount_columns)
    if found.prices:
        lines += ["", f"Unit prices ({found.currency.upper()}, settled days)"]
        lines += _price_lines(found, layout, width)
    if found.notes:
        lines.append("")
        for note in found.notes:
            # A line that carries a command to paste stays whole (as in report).
            if width is None or "openai-usage " in note:
                lines.append(note)
            else:
                lines += textwrap.wrap(note, width, subsequent_indent="  ")
    # Names (models, line items, projects) are anyone's to set: one line of plain text each.
    return "\n".join(visible(line) for line in lines) + "\n"


def write_cells_csv(found: Reconciliation, handle: IO[str], *, raw: bool = False) -> int:
    """One CSV row per joined cell (``CSV_COLUMNS``), exact decimals; returns the count."""
    return write_csv(_csv_rows(found), CSV_COLUMNS, handle, money_columns=(), raw=raw)


def _csv_rows(found: Reconciliation) -> Iterator[dict[str, Any]]:
    for cell in found.cells:  # one at a time: the cells are joined as they are read
        row = cell.to_dict()
        row["line_items"] = "; ".join(cell.line_items)
        row["billed_quantity"] = cell.billed
        row["used_quantity"] = cell.used
        row["amount"] = cell.amount
        yield row
