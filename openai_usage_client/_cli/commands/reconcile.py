"""``openai-usage reconcile``: a store's costs against its usage
(``openai_usage_client.reconcile``)."""

from __future__ import annotations

import shutil
import sys
from decimal import Decimal
from pathlib import Path
from typing import IO

import click

from ..._core._periods import DEFAULT_DAYS, PERIOD_WORDS, choose_period
from .._db import DB_HELP, open_store
from .._help import COMMAND_EPILOG
from .._options import db_option, end_param, format_param, start_param, use
from .._output import write_atomically
from .._state import State
from .._times import TIME_HELP, parse_time

__all__ = ["commands", "reconcile"]


@click.command("reconcile", epilog=COMMAND_EPILOG)
@click.argument("period", required=False, metavar="[PERIOD]")
@db_option(DB_HELP, required=True)
@use(start_param(f"The first UTC day. {TIME_HELP}"))
@use(end_param("The end (exclusive; whole UTC days)."))
@click.option(
    "--days",
    type=click.IntRange(1, 366),
    help=f"Without PERIOD or --start: this many complete UTC days before --end (default "
    f"{DEFAULT_DAYS}).",
)
@click.option(
    "--prices",
    metavar="builtin|FILE",
    help="Compare unit prices with a price table: 'builtin' (OpenAI's list prices, dated, "
    "packaged) or a TOML file of the same format (docs/reconcile.md). Without it, each "
    "line item's prices are compared with the period's median.",
)
@click.option(
    "--tolerance",
    type=click.FloatRange(0, 100, max_open=True),
    default=1.0,
    show_default=True,
    metavar="PERCENT",
    help="How far billed and used quantities, and a day's price and its reference, may differ.",
)
@use(
    format_param(
        ["table", "json", "csv"],
        "table: the summary, flags and unit prices; json: all of it with every joined cell; "
        "csv: one row per joined cell (day x project x key x user x model x kind).",
        "table",
        former={"text": "table"},
    )
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE (whole or not at all) instead of stdout.",
)
@click.pass_obj
def reconcile(
    state: State,
    period: str | None,
    db: Path,
    start: str | None,
    end: str | None,
    days: int | None,
    prices: str | None,
    tolerance: float,
    fmt: str,
    output: Path | None,
) -> int:
    """Check costs against usage: derived unit prices, and what does not add up.

    Joins each stored cost line (its line item, quantity and amount) with the stored usage of
    the same UTC day, project, API key, user and model: uncached input, cached input, output
    and audio tokens; images; characters; transcription seconds; vector store storage; code
    interpreter sessions; file and web search calls. It shows each line item's unit price
    per day (median, low, high; against --prices when given), the share of spend whose usage
    matches, and flags with reasons: cost without usage, usage without cost, a billed
    quantity that differs from the used one, a price that differs from the list price or the
    period's median. Days that may still settle are reported apart, never flagged.

    Sync the usage endpoints to check first, e.g. 'openai-usage sync --db usage.db
    --endpoint all --start 2026-10-01': lines whose usage is not in the store are counted as
    not checked, and the notes say which sync fills them. PERIOD is one of
    last-month, this-month, last-week, yesterday, ... (default: the last 30 complete days).
    """
    from ...reconcile import load_prices, reconciliation_text, write_cells_csv
    from ...reconcile import reconcile as run

    now = state.now()
    if period is not None and period.strip().lower().replace("_", "-") not in PERIOD_WORDS:
        raise click.BadParameter(
            f"{period!r}: one of {', '.join(PERIOD_WORDS)}", param_hint="PERIOD"
        )
    picked = choose_period(
        now, word=period, word_option="PERIOD", start=start, end=end, days=days,
        parse=lambda text, option: parse_time(text, now, option),
    )  # fmt: skip
    lo, hi = picked.start, picked.end
    table = load_prices(prices) if prices is not None else None
    # Open until the command ends: the cells are joined again from it as they are written.
    store = click.get_current_context().with_resource(open_store(db))
    found = run(
        store, lo, hi, prices=table, tolerance=Decimal(str(tolerance)) / 100,
        now=int(now.timestamp()),
    )  # fmt: skip

    def write(handle: IO[str]) -> int:
        if fmt == "json":
            found.write_json(handle.write)  # in pieces: every cell, never all as text
        elif fmt == "csv":
            return write_cells_csv(found, handle, raw=state.raw_csv)
        else:
            # Fits the terminal; 80 columns in a pipe or a file, as report does.
            width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 80
            handle.write(reconciliation_text(found, width=width if output is None else 80))
        return len(found.cells)

    write_atomically(output, write)
    if fmt != "table":
        for note in found.notes:
            click.echo(note, err=True)
    return 0


def commands() -> list[click.Command]:
    return [reconcile]
