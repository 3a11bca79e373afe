"""``openai-usage export``: hand a store to a warehouse as a Hive-partitioned Parquet dataset,
or to a FOCUS-based cost tool as a FOCUS 1.2 file (``openai_usage_client.focus``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..._core._endpoints import ENDPOINTS
from .._db import STORE_EXIT_HELP, open_store
from .._name_lookup import warn
from .._options import db_option, end_param, start_param, use
from .._state import State
from .._times import TIME_HELP, parse_time

if TYPE_CHECKING:
    pass

__all__ = ["command", "commands"]


@click.command("export", epilog=STORE_EXIT_HELP)
@db_option("The SQLite file written by `openai-usage sync`.", required=True)
@click.option(
    "--parquet-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The dataset directory (created if needed).",
)
@click.option(
    "--focus",
    "focus_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the costs as a FOCUS 1.2 Cost and Usage file (.csv or .parquet): one row per "
    "stored cost result, names from the store, teams from --config (docs/focus.md).",
)
@use(start_param(f"With --focus: the first day. {TIME_HELP}"))
@use(end_param("With --focus: the end (exclusive). Default: now."))
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help='With --focus: a spend config whose teams go into Tags as {"team": ...}.',
)
@click.option(
    "--split-by-usage",
    "split",
    is_flag=True,
    help="With --focus: split each billed day, project and line item into the API keys and "
    "users whose usage is behind it (parts adding up to the bill exactly), each row marked "
    "in an x_Basis column: billed (kept whole) or allocated (docs/attribution.md).",
)
@click.option(
    "--endpoint",
    "endpoints",
    multiple=True,
    type=click.Choice(list(ENDPOINTS)),
    help="An endpoint to export (repeatable). Default: every endpoint the store holds.",
)
@click.pass_obj
def command(
    state: State,
    db: Path,
    parquet_dir: Path | None,
    focus_file: Path | None,
    start: str | None,
    end: str | None,
    config_path: Path | None,
    split: bool,
    endpoints: tuple[str, ...],
) -> int:
    """Write the store as Parquet: endpoint=<name>/date=YYYY-MM-DD/part-0.parquet.

    DuckDB, polars, Spark, Trino and BigQuery read it as is (one table per endpoint
    directory; money as exact decimal(38, 24), times in UTC). Re-running rewrites only the
    partitions whose content changed and removes those left without rows. Every row has a
    provisional column (its day may still change); days missing between the first and the
    last stored one are named on stderr, with the sync that fills them. Needs the [parquet]
    extra (pyarrow).
    """

    if parquet_dir is None and focus_file is None:
        raise click.UsageError("give --parquet-dir DIR, --focus FILE, or both")
    for option, value in (("--start", start), ("--end", end), ("--config", config_path),
                          ("--split-by-usage", split or None)):  # fmt: skip
        if value is not None and focus_file is None:
            raise click.BadParameter("applies to --focus only", param_hint=option)
    now = state.now()
    span = [parse_time(t, now, o) if t else None for t, o in ((start, "--start"), (end, "--end"))]
    # As the other commands: an empty, reversed or future range is refused, not a 0-row file.
    if span[0] is not None and span[1] is not None and span[1] <= span[0]:
        raise click.BadParameter(f"{end!r} is not after --start {start!r}", param_hint="--end")
    if span[0] is not None and span[0] >= int(now.timestamp()):
        raise click.BadParameter(
            f"{start!r} has not happened yet ({state.clock_name()})", param_hint="--start"
        )
    with open_store(db) as store:
        if parquet_dir is not None:
            summary = store.export_parquet(parquet_dir, endpoints=endpoints or None)
            click.echo(f"{parquet_dir}: {summary}")
        if focus_file is not None:
            from ...focus import focus_coverage, write_focus
            from ...spend import load_config

            config = load_config(config_path) if config_path is not None else None
            count = write_focus(store, focus_file, *span, config=config, raw_csv=state.raw_csv,
                                split=split)  # fmt: skip
            click.echo(f"{focus_file}: {count} FOCUS rows")
            for line in focus_coverage(store, span[0], span[1], int(now.timestamp())):
                warn(line)
        gaps = store.holes(endpoints) if parquet_dir is not None else []
    for line in gaps:
        warn(line)
    return 0


def commands() -> list[click.Command]:
    return [command]
