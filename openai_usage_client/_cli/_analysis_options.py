"""The analysis options every data command shares, and writing what they produce.

``analysis_params(spec)`` gives the click options (``--totals``, ``--by``, ``--pivot``,
``--value``, ``--columns``, ``--wide``, ``--tz``, ``--money-decimals``);
``shape_from(options)`` takes them out of a command's keyword arguments as a ``Shape``;
``write_shaped`` prints or writes the result in any format.
"""

from __future__ import annotations

import os
import shutil
import textwrap
from typing import IO, TYPE_CHECKING, Any, Final

import click

from .._core._endpoints import EndpointSpec
from ..analysis import pivot_dimensions

if TYPE_CHECKING:
    from ..analysis import Shape, Shaped

__all__ = ["ANALYSIS_KEYS", "analysis_params", "shape_from", "table_width", "write_shaped"]

ANALYSIS_KEYS: Final = ("totals", "by", "pivot", "value", "columns", "wide", "tz", "money_decimals")


def analysis_params(spec: EndpointSpec) -> list[click.Parameter]:
    """The analysis options of ``spec``'s command (help texts name its dimensions)."""
    dims = ", ".join(pivot_dimensions(spec.name))
    money = "money (the amount)" if spec.is_costs else "input + output tokens (or the counter)"
    return [
        click.Option(
            ["--totals"],
            is_flag=True,
            help="One row per grouping over the whole range (exact sums), not one per bucket; "
            "its rows column counts the results summed into each row.",
        ),
        click.Option(
            ["--by"],
            type=click.Choice(("day", "week", "month")),
            help="Roll buckets up to calendar days, ISO weeks or months in the --tz zone"
            + (
                " (costs come in UTC days only)."
                if spec.is_costs
                else " (fetched as 1h buckets when the zone is not UTC)."
            ),
        ),
        click.Option(
            ["--pivot"],
            metavar="ROW:COLUMN",
            help=f"A wide table of {money}, one row per ROW value and one column per COLUMN "
            f"value, with totals. ROW and COLUMN are two of: {dims}.",
        ),
        click.Option(
            ["--value"],
            metavar="FIELD",
            help="With --pivot: the numeric column to sum instead (e.g. num_model_requests).",
        ),
        click.Option(
            ["--columns"],
            metavar="A,B,C",
            help="Only these columns, in this order (tables, CSV and JSON).",
        ),
        click.Option(
            ["--wide"],
            is_flag=True,
            help="Tables: every column with a value, not fitted to the terminal "
            "(default: the grouping columns and main measures, fitted to its width).",
        ),
        click.Option(
            ["--tz"],
            metavar="ZONE",
            default="UTC",
            show_default=True,
            help="Time zone (IANA name, e.g. Europe/Berlin) for --start/--end dates and period "
            "words, --by periods and the times shown.",
        ),
        click.Option(
            ["--money-decimals"],
            type=click.IntRange(0, 12),
            help="CSV: round money to N decimal places (half to even) for spreadsheets; "
            "default: exact. Each row is rounded on its own, so rounded rows may not add up "
            "to a rounded total (sum the exact values for that).",
        ),
    ]


def shape_from(options: dict[str, Any]) -> Shape:
    """Pop the analysis options out of ``options`` (a command's keyword arguments)."""
    # Imported here, not at the top: every command is built for `openai-usage --help`,
    # which must not pay for the analysis machinery (bench P5).
    from .._core._periods import zone
    from ..analysis import Shape

    values = {k: options.pop(k, None) for k in ANALYSIS_KEYS}
    return Shape(
        totals=bool(values["totals"]),
        by=values["by"],
        pivot=values["pivot"],
        value=values["value"],
        columns=values["columns"],
        wide=bool(values["wide"]),
        tz=zone(values["tz"]),
        money_decimals=values["money_decimals"],
    )


def table_width(stream: IO[str]) -> int | None:
    """How wide a table may be: ``$COLUMNS``, else the terminal's width, else unlimited."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if stream.isatty():
        return shutil.get_terminal_size().columns
    return None


def _ellipsis(stream: IO[str]) -> str:
    try:
        "…".encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "..."
    return "…"


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, subsequent_indent="  ", break_on_hyphens=False) or [text]


def write_shaped(shaped: Shaped, fmt: str, handle: IO[str], shape: Shape) -> int:
    from .._core._table import Layout, kinds_of, render, write_csv, write_json, write_jsonl

    """Write ``shaped`` as ``fmt`` (table, csv, json, jsonl) to ``handle``; returns the rows.

    Tables start with the title (which names the zone) and any notices; other formats hold
    only data, and their notices go to stderr.
    """
    rows, columns = shaped.rows, shaped.columns
    if fmt == "table":
        width = None if shape.wide else table_width(handle)
        kinds = kinds_of(rows, columns, shaped.money)
        layout = Layout(tz=shape.tz, currency=shaped.currency, ellipsis=_ellipsis(handle))
        lines = [shaped.title, *(f"note: {n}" for n in shaped.notices)]
        if width is not None:  # the title and notes wrap; the table fits by itself
            lines = [part for text in lines for part in _wrap(text, width)]
        lines.append("")
        lines += render(rows, columns, width=width, kinds=kinds, layout=layout)
        handle.write("\n".join(lines) + "\n")
        return len(rows)
    for notice in shaped.notices:
        click.echo(f"note: {notice}", err=True)
    if fmt == "csv":
        return write_csv(
            rows, columns, handle, money_columns=shaped.money, money_decimals=shape.money_decimals
        )
    if fmt == "json":
        return write_json(rows, columns, handle)
    return write_jsonl(rows, columns, handle)
