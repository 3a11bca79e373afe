"""Reading the store: rows equal to the live export's, names from the stored directory, and how
fresh each series is."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final

from .._core._exports import columns
from .._core._rows import Row
from ._schema import quote
from ._series import current_series

__all__ = ["NAME_COLUMNS", "Freshness", "read_rows", "to_unix"]


#: The name columns added after each ID column when the store holds a directory (issue 12's
#: names): an ID the directory does not know gets ``None`` names, never a wrong one.
NAME_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "project_id": ("project_name",),
    "api_key_id": ("api_key_name", "api_key_redacted_value", "api_key_owner"),
    "user_id": ("user_name", "user_email"),
}


def to_unix(value: int | datetime | date | str | None) -> int | None:
    """Unix seconds from seconds, an aware (or UTC) datetime, a date or ISO-8601 text."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return int(value.timestamp())
    return int(datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp())


def _reader(kind: str | None) -> Any:
    if kind == "decimal":
        return Decimal
    if kind == "bool":
        return bool
    if kind == "datetime":
        return datetime.fromisoformat
    if kind == "float":
        return float
    return None


def _directory(
    conn: sqlite3.Connection, organization: str
) -> dict[str, dict[str, tuple[Any, ...]]]:
    def load(sql: str) -> dict[str, tuple[Any, ...]]:
        return {r[0]: tuple(r[1:]) for r in conn.execute(sql, (organization,))}

    return {
        "project_id": load("SELECT id, name FROM projects WHERE organization = ?"),
        "api_key_id": load(
            "SELECT id, name, redacted_value, owner_name FROM api_keys WHERE organization = ?"
        ),
        "user_id": load("SELECT id, name, email FROM users WHERE organization = ?"),
    }


def _where(
    organization: str, width: str, grouping: str, start: int | None, end: int | None
) -> tuple[str, list[Any]]:
    sql = "WHERE organization = ? AND bucket_width = ? AND grouping = ?"
    params: list[Any] = [organization, width, grouping]
    if start is not None:
        sql += " AND start_unix >= ?"
        params.append(start)
    if end is not None:
        sql += " AND start_unix < ?"
        params.append(end)
    return sql, params


def kinds_of(conn: sqlite3.Connection, endpoint: str) -> dict[str, str]:
    return dict(conn.execute("SELECT name, kind FROM column_kinds WHERE endpoint = ?", (endpoint,)))


def _select(column: str) -> str:
    # The live rows' times come from the buckets' Unix seconds: read those.
    return {"start_time": "start_unix", "end_time": "end_unix"}.get(column, quote(column))


def read_rows(
    conn: sqlite3.Connection,
    endpoint: str,
    series: Sequence[tuple[str, str, str]],
    start: int | None,
    end: int | None,
    names: bool,
    provisional: bool = False,
) -> Iterator[Row]:
    cols = columns(endpoint)
    at = cols.index("start_time")
    kinds = kinds_of(conn, endpoint)
    times: dict[int, datetime] = {}

    def moment(seconds: int) -> datetime:
        found = times.get(seconds)
        if found is None:
            found = times[seconds] = datetime.fromtimestamp(seconds, UTC)
        return found

    converters = [
        (i, moment if c in ("start_time", "end_time") else _reader(kinds.get(c)))
        for i, c in enumerate(cols)
    ]
    converters = [(i, f) for i, f in converters if f is not None]
    select = ", ".join(_select(c) for c in cols)
    for organization, width, grouping in series:
        where, params = _where(organization, width, grouping, start, end)
        sql = f"SELECT {select} FROM {quote(endpoint)} {where} ORDER BY start_unix, pos"
        directory = _directory(conn, organization) if names else {}
        named = any(directory.values())
        out_cols: list[str] = []
        for c in cols:
            out_cols.append(c)
            if named and c in NAME_COLUMNS:
                out_cols.extend(NAME_COLUMNS[c])
        unsettled = _provisional(conn, endpoint, organization, width, grouping)
        for record in conn.execute(sql, params):
            values = list(record)
            bucket = values[at]
            for i, convert in converters:
                if values[i] is not None:
                    values[i] = convert(values[i])
            row = dict(zip(cols, values, strict=True))
            if named:
                row = _with_names(row, out_cols, directory)
            if provisional:
                row["provisional"] = bucket in unsettled
            yield row


def _provisional(
    conn: sqlite3.Connection, endpoint: str, organization: str, width: str, grouping: str
) -> set[int]:
    """Starts of the series' buckets still provisional (fetched before they settled)."""
    return {
        r[0]
        for r in conn.execute(
            "SELECT bucket_start FROM coverage WHERE endpoint = ? AND organization = ? AND "
            "bucket_width = ? AND grouping = ? AND state = 'provisional'",
            (endpoint, organization, width, grouping),
        )
    }


def _with_names(
    row: Row, out_cols: list[str], directory: dict[str, dict[str, tuple[Any, ...]]]
) -> Row:
    for id_column, name_columns in NAME_COLUMNS.items():
        if id_column not in row:
            continue
        found = directory[id_column].get(row[id_column]) if row[id_column] else None
        for i, name in enumerate(name_columns):
            row[name] = found[i] if found else None
    return {c: row.get(c) for c in out_cols}


@dataclass(frozen=True)
class Freshness:
    """How current one stored series is (for a report's "data as of" line)."""

    endpoint: str
    organization: str
    bucket_width: str
    group_by: tuple[str, ...]
    #: Start of the first stored bucket and end of the last one.
    first: datetime
    last: datetime
    #: End of the last settled bucket (``None`` when none is settled yet).
    settled_through: datetime | None
    #: Starts of the buckets still provisional (they will be fetched again).
    provisional: tuple[datetime, ...]
    #: When the series was last fetched.
    fetched_at: datetime
    #: Buckets between ``first`` and ``last`` that are not stored (a sync that failed).
    gaps: int


def freshness(conn: sqlite3.Connection) -> list[Freshness]:
    out = []
    for endpoint, organization, width, grouping in conn.execute(
        "SELECT DISTINCT endpoint, organization, bucket_width, grouping FROM series "
        "ORDER BY endpoint, organization"
    ):
        if (organization, width, grouping) not in current_series(conn, endpoint, organization):
            continue
        key = (endpoint, organization, width, grouping)
        where = "endpoint = ? AND organization = ? AND bucket_width = ? AND grouping = ?"
        first, last, fetched, count, step = conn.execute(
            "SELECT MIN(bucket_start), MAX(bucket_end), MAX(fetched_at), COUNT(*), "
            f"MIN(bucket_end - bucket_start) FROM coverage WHERE {where}",
            key,
        ).fetchone()
        if first is None:
            continue
        settled = conn.execute(
            f"SELECT MAX(bucket_end) FROM coverage WHERE {where} AND state = 'settled'", key
        ).fetchone()[0]
        provisional = [
            r[0]
            for r in conn.execute(
                f"SELECT bucket_start FROM coverage WHERE {where} AND state = 'provisional' "
                "ORDER BY bucket_start",
                key,
            )
        ]

        def at(t: int) -> datetime:
            return datetime.fromtimestamp(t, UTC)

        out.append(
            Freshness(
                endpoint=endpoint,
                organization=organization,
                bucket_width=width,
                group_by=tuple(g for g in grouping.split(",") if g),
                first=at(first),
                last=at(last),
                settled_through=at(settled) if settled is not None else None,
                provisional=tuple(at(t) for t in provisional),
                fetched_at=at(fetched),
                gaps=(last - first) // step - count,
            )
        )
    return out
