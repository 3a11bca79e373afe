"""Parquet hand-off: a Hive-partitioned dataset that DuckDB, polars, Spark, Trino and BigQuery
read as is.

Layout: ``<dir>/endpoint=<name>/date=YYYY-MM-DD/part-0.parquet``, one file per endpoint and
UTC day, holding that day's rows of the current series (the row columns except ``endpoint``,
which is in the path, plus ``organization``, plus names when the store has a directory).
Money is an exact ``decimal128(38, 24)``, times ``timestamp[us, UTC]``. A manifest
(``_openai_usage_manifest.json``; names starting with ``_`` are skipped by dataset readers)
keeps each partition's content hash, so a re-export rewrites only partitions that changed and
removes those that no longer have rows. Every changed file is written to a temporary name
first, and renamed into place only when all are written (``_core._files.Staged``): a reader
never sees half a file, and an export that fails (a full disk) leaves the previous dataset
whole and no temporary file behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

from .._core._files import Staged
from ._read import NAME_COLUMNS, read_rows
from ._series import current_series

if TYPE_CHECKING:
    import sqlite3

__all__ = ["MANIFEST", "ExportSummary", "export_parquet"]

MANIFEST: Final = "_openai_usage_manifest.json"
DECIMAL_PRECISION: Final = 38
DECIMAL_SCALE: Final = 24
_DAY: Final = 86_400


class _Exportable(Protocol):
    """What the export reads of ``store.Store`` (which calls it: ``Store.export_parquet``)."""

    @property
    def connection(self) -> sqlite3.Connection: ...
    def endpoints(self) -> list[str]: ...


@dataclass
class ExportSummary:
    """What an export did: partitions written, left as they were, and removed; rows written."""

    written: int = 0
    unchanged: int = 0
    removed: int = 0
    rows: int = 0

    def __str__(self) -> str:
        return (
            f"{self.written} partition(s) written ({self.rows} rows), {self.unchanged} "
            f"unchanged, {self.removed} removed"
        )


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        from .._core._exceptions import MissingExtraError

        raise MissingExtraError("pyarrow", "parquet") from None
    return pa, pq


def _arrow_type(pa: Any, kind: str | None) -> Any:
    return {
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "decimal": pa.decimal128(DECIMAL_PRECISION, DECIMAL_SCALE),
        "datetime": pa.timestamp("us", tz="UTC"),
    }.get(kind or "str", pa.string())


def _schema(pa: Any, store: _Exportable, endpoint: str, named: bool) -> Any:
    from .._core._exports import columns

    kinds = dict(
        store.connection.execute(
            "SELECT name, kind FROM column_kinds WHERE endpoint = ?", (endpoint,)
        )
    )
    kinds.update(start_time="datetime", end_time="datetime")
    fields = [pa.field("organization", pa.string())]
    for column in columns(endpoint):
        if column == "endpoint":
            continue  # a partition key: in the path, not in the file
        fields.append(pa.field(column, _arrow_type(pa, kinds.get(column))))
        if named and column in NAME_COLUMNS:
            fields += [pa.field(name, pa.string()) for name in NAME_COLUMNS[column]]
    # Whether the row's bucket may still change: a settled day becomes false once a later
    # sync fetched it settled, and its partition is then rewritten.
    fields.append(pa.field("provisional", pa.bool_()))
    return pa.schema(fields)


def _days(store: _Exportable, endpoint: str, series: list[tuple[str, str, str]]) -> list[int]:
    days: set[int] = set()
    for organization, width, grouping in series:
        days.update(
            r[0] - r[0] % _DAY
            for r in store.connection.execute(
                "SELECT DISTINCT bucket_start FROM coverage WHERE endpoint = ? AND "
                "organization = ? AND bucket_width = ? AND grouping = ? AND rows > 0",
                (endpoint, organization, width, grouping),
            )
        )
    return sorted(days)


def _load_manifest(root: Path) -> dict[str, str]:
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def export_parquet(
    store: _Exportable, directory: str | os.PathLike[str], endpoints: Iterable[str] | None
) -> ExportSummary:
    pa, pq = _pyarrow()
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    manifest = _load_manifest(root)
    kept: dict[str, str] = {}
    summary = ExportSummary()
    conn = store.connection
    names_stored = any(
        conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()
        for t in ("projects", "api_keys", "users")
    )
    gone = []
    with Staged(root) as staged:
        for endpoint in endpoints or store.endpoints():
            schema = _schema(pa, store, endpoint, names_stored)
            for relative, rows in _partitions(store, endpoint, names_stored):
                digest = hashlib.sha256(str(schema).encode())
                for row in rows:
                    digest.update(repr([row.get(f.name) for f in schema]).encode())
                kept[relative] = digest.hexdigest()
                target = root / relative
                if manifest.get(relative) == kept[relative] and target.exists():
                    summary.unchanged += 1
                    continue
                table = pa.Table.from_pylist(
                    [{f.name: row.get(f.name) for f in schema} for row in rows], schema=schema
                )
                staged.write(target, partial(pq.write_table, table))
                summary.written += 1
                summary.rows += len(rows)
        exported = set(endpoints) if endpoints is not None else None
        for relative in manifest:
            endpoint = relative.split("/", 1)[0].removeprefix("endpoint=")
            if relative in kept:
                continue
            if exported is not None and endpoint not in exported:
                kept[relative] = manifest[relative]  # not exported this time: left alone
            else:
                gone.append((root / relative).parent)
        text = json.dumps(kept, indent=1, sort_keys=True)
        staged.write(root / MANIFEST, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    # Published: partitions without rows go (removing needs no space either).
    for partition in gone:
        if partition.exists():
            shutil.rmtree(partition)
        summary.removed += 1
    return summary


def _partitions(
    store: _Exportable, endpoint: str, names_stored: bool
) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Each UTC day of ``endpoint`` with rows: its path in the dataset and its rows."""
    conn = store.connection
    series = current_series(conn, endpoint)
    for day in _days(store, endpoint, series):
        rows: list[dict[str, Any]] = []
        for one in series:
            for row in read_rows(
                conn, endpoint, [one], day, day + _DAY, names_stored, provisional=True
            ):
                row["organization"] = one[0]
                rows.append(row)
        if rows:
            when = datetime.fromtimestamp(day, UTC).strftime("%Y-%m-%d")
            yield f"endpoint={endpoint}/date={when}/part-0.parquet", rows
