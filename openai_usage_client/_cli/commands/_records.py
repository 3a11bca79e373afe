"""Writing directory records (projects, keys, users) in the shared output formats.

The usage commands write ``rows()``; the directory commands write flat records with their
own columns, through the same ``--format``/``--output`` options and the same rules: table on
a terminal, CSV and JSON with every column, times as ISO-8601 UTC, a file written whole or
not at all.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from .._output import reader_may_leave
from .._state import state_of

if TYPE_CHECKING:
    from ... import UsageClient

__all__ = ["client_of", "emit_records", "iso"]


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
    cells = [[_text(r.get(c)) for c in columns] for r in records]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    handle.write(line(columns) + "\n" + "  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        handle.write(line(row) + "\n")
    handle.write(f"({len(records)} rows)\n")


def _write(records: Sequence[Record], columns: Sequence[str], fmt: str, handle: IO[str]) -> None:
    if fmt == "table":
        _table(records, columns, handle)
    elif fmt == "csv":
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for r in records:
            writer.writerow([_text(r.get(c)) for c in columns])
    elif fmt == "json":
        json.dump([{c: r.get(c) for c in columns} for r in records], handle, indent=2)
        handle.write("\n")
    else:
        for r in records:
            handle.write(json.dumps({c: r.get(c) for c in columns}) + "\n")


def emit_records(
    records: Sequence[Record], columns: Sequence[str], fmt: str, output: Path | None
) -> int:
    """Write ``records`` to ``output`` (atomically) or stdout in ``fmt``; returns the count."""
    if output is None:
        with reader_may_leave():
            _write(records, columns, fmt, sys.stdout)
            sys.stdout.flush()
        return len(records)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{output.name}.", suffix=".partial", dir=output.resolve().parent
    )
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            _write(records, columns, fmt, handle)
        os.replace(tmp, output)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return len(records)
