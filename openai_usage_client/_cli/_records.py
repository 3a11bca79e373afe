"""Writing directory records (projects, keys, users) in the shared output formats.

The usage commands write ``rows()``; the directory commands write flat records with their
own columns, through the same ``--format``/``--output`` options and the same rules: table on
a terminal, CSV and JSON with every column, times as ISO-8601 UTC, a file written whole or
not at all (``_output.write_atomically``: one implementation of ``--output`` for every command).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from .._core._text import spreadsheet_safe, visible
from ._output import check_output, choose_format, reader_may_leave, write_atomically
from ._state import state_of

if TYPE_CHECKING:
    from .._client import UsageClient

__all__ = ["client_of", "emit_records", "iso", "output_format"]


def client_of(ctx: click.Context) -> UsageClient:
    return state_of(ctx).client()


Record = Mapping[str, Any]


def iso(seconds: int | None) -> str | None:
    """Unix seconds as ``2026-11-01T00:00:00Z`` (``None`` stays ``None``)."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _table(records: Sequence[Record], columns: Sequence[str], handle: IO[str]) -> None:
    if not records:
        handle.write("(none)\n")
        return
    cells = [[visible(_text(r.get(c))) for c in columns] for r in records]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    handle.write(line(columns) + "\n" + "  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        handle.write(line(row) + "\n")
    handle.write(f"({len(records)} rows)\n")


def _write(
    records: Sequence[Record], columns: Sequence[str], fmt: str, handle: IO[str], raw: bool = False
) -> None:
    if fmt == "table":
        _table(records, columns, handle)
    elif fmt == "csv":
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for r in records:
            writer.writerow(
                [spreadsheet_safe(_text(v)) if isinstance(v := r.get(c), str) and not raw
                 else _text(v) for c in columns]
            )  # fmt: skip
    elif fmt == "json":
        text = json.dumps([{c: r.get(c) for c in columns} for r in records], indent=2)
        handle.write(text + "\n")
    else:
        for r in records:
            handle.write(json.dumps({c: r.get(c) for c in columns}) + "\n")


def output_format(fmt: str | None, output: Path | None) -> str:
    """The format to write, checked with ``--output`` before any request (exit 2): the
    folder exists, the extension or ``--format`` names a format, parquet can be written."""
    check_output(output)
    return choose_format(fmt, output, sys.stdout)


def _write_parquet(records: Sequence[Record], columns: Sequence[str], handle: IO[bytes]) -> None:
    import pyarrow as pa  # choose_format checked it is installed
    import pyarrow.parquet as pq

    # Every directory column is text except booleans; all-empty columns stay text too.
    types = {
        c: pa.bool_()
        if any(isinstance(r.get(c), bool) for r in records)
        else pa.int64()
        if records
        and all(isinstance(r.get(c), int | None) for r in records)
        and any(r.get(c) is not None for r in records)
        else pa.string()
        for c in columns
    }
    schema = pa.schema([(c, types[c]) for c in columns])
    table = pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in records], schema)
    pq.write_table(table, handle)


def emit_records(
    records: Sequence[Record], columns: Sequence[str], fmt: str, output: Path | None
) -> int:
    """Write ``records`` to ``output`` or stdout in ``fmt``; returns the count. A file is
    written by ``_output.write_atomically``, as the usage commands write theirs (whole or not at
    all, mode 0666 minus the umask)."""
    raw = state_of(click.get_current_context()).raw_csv
    if output is None:
        if fmt == "parquet":
            raise click.BadParameter("parquet is written to a file: add --output FILE.parquet")
        with reader_may_leave():
            _write(records, columns, fmt, sys.stdout, raw)
            sys.stdout.flush()
        return len(records)

    def write(handle: Any) -> int:
        if fmt == "parquet":
            _write_parquet(records, columns, handle)
        else:
            _write(records, columns, fmt, handle, raw)
        return len(records)

    return write_atomically(output, write, binary=fmt == "parquet")
