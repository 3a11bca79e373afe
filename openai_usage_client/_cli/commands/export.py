"""``openai-usage export``: hand a store to a warehouse as a Hive-partitioned Parquet dataset."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..._core._endpoints import ENDPOINTS
from .._db import STORE_EXIT_HELP, fail
from .._names import warn

if TYPE_CHECKING:
    from ...store import Store

__all__ = ["command", "commands"]


@click.command("export", epilog=STORE_EXIT_HELP)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    required=True,
    help="The SQLite file written by `openai-usage sync`.",
)
@click.option(
    "--parquet-dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The dataset directory (created if needed).",
)
@click.option(
    "--endpoint",
    "endpoints",
    multiple=True,
    type=click.Choice(list(ENDPOINTS)),
    help="An endpoint to export (repeatable). Default: every endpoint the store holds.",
)
def command(db: Path, parquet_dir: Path, endpoints: tuple[str, ...]) -> int:
    """Write the store as Parquet: endpoint=<name>/date=YYYY-MM-DD/part-0.parquet.

    DuckDB, polars, Spark, Trino and BigQuery read it as is (one table per endpoint
    directory; money as exact decimal(38, 24), times in UTC). Re-running rewrites only the
    partitions whose content changed and removes those left without rows. Every row has a
    provisional column (its day may still change); days missing between the first and the
    last stored one are named on stderr, with the sync that fills them. Needs the [parquet]
    extra (pyarrow).
    """
    from ...store import Store

    with Store(db) as store:
        try:
            summary = store.export_parquet(parquet_dir, endpoints=endpoints or None)
        except ImportError as error:
            return fail(str(error), 2)
        gaps = _gaps(store, endpoints)
    for line in gaps:
        warn(line)
    click.echo(f"{parquet_dir}: {summary}")
    return 0


def _gaps(store: Store, endpoints: tuple[str, ...]) -> list[str]:
    """What the exported range lacks: buckets between the first and the last stored one that
    are not in the store (a sync that failed part-way). Rows carry ``provisional``."""
    lines = []
    for held in store.freshness():
        if endpoints and held.endpoint not in endpoints:
            continue
        first, last = (int(t.timestamp()) for t in (held.first, held.last))
        found = store.coverage(held.endpoint, first, last, now=last, organization=held.organization)
        lines += [line for line in found.lines() if line.startswith("Missing:")]
    return lines


def commands() -> list[click.Command]:
    return [command]
