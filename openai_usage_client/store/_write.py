"""Writing: one fetched window in one transaction, and the directory with first/last seen.

A window's transaction deletes the window's stored rows of its series and inserts the fetched
ones, then records the window's buckets in ``coverage``: running it twice changes nothing, a
revised row replaces its old values and a row the API no longer returns is removed. It
commits whole or not at all (SQLite's journal), so a crash leaves the window as it was before.
"""

from __future__ import annotations

import operator
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

from .._core._endpoints import ENDPOINTS
from .._core._exports import columns
from .._core._rows import Row
from ._plan import Series, Window, state_of
from ._schema import (
    DIRECTORY_TABLES,
    KEY_COLUMNS,
    SPLIT,
    ensure_split,
    quote,
    row_key,
    split_sql,
)

__all__ = ["WindowResult", "sql_value", "update_directory"]


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def kind_of(value: Any) -> str:
    # bool before int: bool is a subclass of int.
    for python, kind in (
        (bool, "bool"),
        (int, "int"),
        (float, "float"),
        (Decimal, "decimal"),
        (datetime, "datetime"),
    ):
        if isinstance(value, python):
            return kind
    return "str"


def _decimal_text(value: Any) -> str:
    return format(value, "f")  # "f" never switches to exponent notation


def _datetime_text(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


#: Kind -> conversion to what is stored; other kinds (str, int, float) are stored as they are.
_CONVERT: Final[dict[str, Any]] = {
    "decimal": _decimal_text,
    "bool": int,
    "datetime": _datetime_text,
}


def sql_value(value: Any) -> Any:
    """A row value as stored: exact decimal text, ISO-8601 UTC text, 0/1, or as is."""
    if value is None or (isinstance(value, str | int | float) and not isinstance(value, bool)):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return format(value, "f")  # "f" never switches to exponent notation
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


@dataclass
class WindowResult:
    rows: int = 0
    inserted: int = 0
    revised: int = 0
    removed: int = 0


class Writer:
    """Writes windows of one endpoint (its columns and insert statement prepared once)."""

    def __init__(self, conn: sqlite3.Connection, endpoint: str) -> None:
        self.conn = conn
        self.endpoint = endpoint
        self.columns = columns(endpoint)
        self.expected = ENDPOINTS[endpoint].result_object
        table = quote(endpoint)
        every = [*KEY_COLUMNS, *self.columns]
        self.insert = (
            f"INSERT INTO {table} ({', '.join(quote(c) for c in every)}) "
            f"VALUES ({', '.join('?' for _ in every)})"
        )
        self.select = (
            f"SELECT start_unix, row_key, {', '.join(quote(c) for c in self.columns)} "
            f"FROM {table} WHERE organization = ? AND bucket_width = ? AND grouping = ? "
            "AND start_unix >= ? AND start_unix < ?"
        )
        self.delete = (
            f"DELETE FROM {table} WHERE organization = ? AND bucket_width = ? AND grouping = ? "
            "AND start_unix >= ? AND start_unix < ?"
        )
        self.kinds: dict[str, str] = dict(
            conn.execute("SELECT name, kind FROM column_kinds WHERE endpoint = ?", (endpoint,))
        )

    def write(
        self,
        window: Window,
        rows: Iterable[Row],
        *,
        now: int,
        settle_days: int,
        fetched_at: int,
        run_id: int,
        present: set[int] | None = None,
    ) -> WindowResult:
        """Replace the window's rows with ``rows`` in one transaction, and mark its buckets
        covered: those the response held (``present``: every bucket start it had, empty
        ones included; ``None``: all of them) that had begun by ``now``. A bucket the server
        left out is not covered: it reads as missing, and the next sync asks for it again."""
        items = list(rows)
        new_kinds = self._new_kinds(items)
        kinds = {**self.kinds, **new_kinds}
        batch = self._records(window.series, items, kinds)
        s = window.series
        covered = [
            (
                *s.key(), b, b + s.width, iso(b), iso(b + s.width), fetched_at, iso(fetched_at),
                state_of(b + s.width, now, settle_days, batch.per_bucket.get(b, 0)),
                batch.per_bucket.get(b, 0),
                None if not batch.costs else format(batch.sums.get(b, Decimal(0)), "f"),
            )
            for b in window.bucket_starts()
            # Answered, and begun by ``now``: a bucket of the server's future is not stored,
            # even when a server sends it (empty), so a later sync fetches it.
            if (present is None or b in present) and b <= now
        ]  # fmt: skip
        money = [i for i, c in enumerate(self.columns) if kinds.get(c) == "decimal"]
        result = self._commit(window, batch, money, covered, (fetched_at, run_id), new_kinds)
        self.kinds.update(new_kinds)
        return result

    def _new_kinds(self, items: list[Row]) -> dict[str, str]:
        """Kinds of columns not seen before, from their first non-None value in the window."""
        found: dict[str, str] = {}
        for c in self.columns:
            if c not in self.kinds:
                first = next((r[c] for r in items if r.get(c) is not None), None)
                if first is not None:
                    found[c] = kind_of(first)
        return found

    def _insert_sql(self, money: list[int]) -> str:
        if not money:
            return self.insert
        # The hidden split columns are computed by SQLite from the money parameters.
        cols = self.columns
        offset = len(KEY_COLUMNS) + 1  # ?N of the first row column
        extra = [quote(cols[i] + suffix) for i in money for suffix in SPLIT]
        exprs = [e for i in money for e in split_sql(f"?{offset + i}")]
        numbered = ", ".join(f"?{n}" for n in range(1, offset + len(cols)))
        return (
            self.insert.split(") VALUES (")[0]
            + f", {', '.join(extra)}) VALUES ({numbered}, {', '.join(exprs)})"
        )

    def _records(self, s: Series, items: list[Row], kinds: Mapping[str, str]) -> _Batch:
        """The rows as stored: values converted for SQLite, each with its row key."""
        cols = self.columns
        start_at, end_at = cols.index("start_time"), cols.index("end_time")
        convert = [
            (i, _CONVERT[kinds[c]])
            for i, c in enumerate(cols)
            if kinds.get(c) in _CONVERT and i not in (start_at, end_at)
        ]
        group_at = [cols.index(g) for g in s.group_by]
        object_at, extra_at = cols.index("object"), cols.index("extra")
        # rows() always has every column (None when absent): pick them all at C speed.
        pick = operator.itemgetter(*cols)
        # What each costs bucket held in money, recorded beside its row count: reads compare
        # both with the rows still there (``_coverage.lost_buckets``).
        amount_at = cols.index("amount_value") if self.endpoint == "costs" else None
        batch = _Batch(costs=amount_at is not None)
        moment: Any = None
        start = end = 0
        start_iso = end_iso = ""
        for row in items:
            values: list[Any] = list(pick(row))
            if values[start_at] is not moment:  # rows of one bucket share its datetimes
                moment, until = values[start_at], values[end_at]
                start, end = int(moment.timestamp()), int(until.timestamp())
                start_iso, end_iso = iso(start), iso(end)
            values[start_at], values[end_at] = start_iso, end_iso
            if amount_at is not None and values[amount_at] is not None:
                batch.sums[start] = batch.sums.get(start, Decimal(0)) + Decimal(values[amount_at])
            for i, to_sql in convert:
                if values[i] is not None:
                    values[i] = to_sql(values[i])
            key = row_key(
                values[object_at], [values[i] for i in group_at], values[extra_at], self.expected
            )
            n = batch.per_bucket.get(start, 0)
            if (start, key) in batch.new:  # two results alike in one bucket: keep both, in order
                key = f"{key}#{n}"
            batch.per_bucket[start] = n + 1
            batch.new[(start, key)] = stored = tuple(values)
            batch.records.append(
                (s.organization, s.bucket_width, s.grouping, start, end, n, key, *stored)
            )
        return batch

    def _commit(
        self,
        window: Window,
        batch: _Batch,
        money: list[int],
        covered: list[tuple[Any, ...]],
        run: tuple[int, int],
        new_kinds: Mapping[str, str],
    ) -> WindowResult:
        """One transaction: the window's rows replaced, its buckets covered, the series'
        last run and the new column kinds recorded; what changed counted."""
        s = window.series
        where = (s.organization, s.bucket_width, s.grouping, window.start, window.end)
        result = WindowResult(rows=len(batch.records))
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            old = {(r[0], r[1]): tuple(r[2:]) for r in conn.execute(self.select, where)}
            for i in money:
                ensure_split(conn, self.endpoint, self.columns[i])
            conn.execute(self.delete, where)
            conn.executemany(self._insert_sql(money), batch.records)
            for identity, stored in batch.new.items():
                before = old.pop(identity, None)
                if before is None:
                    result.inserted += 1
                elif before != stored:
                    result.revised += 1
            result.removed = len(old)
            conn.executemany(
                "INSERT OR REPLACE INTO coverage VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                covered,
            )
            conn.execute(
                "INSERT INTO series VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE "
                "SET last_run = excluded.last_run",
                (*s.key(), iso(run[0]), run[1]),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO column_kinds VALUES (?, ?, ?)",
                [(self.endpoint, c, k) for c, k in new_kinds.items()],
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # an interruption may come before BEGIN took
                conn.execute("ROLLBACK")
            raise
        return result


@dataclass
class _Batch:
    """A window's rows as ``Writer.write`` stores them."""

    costs: bool
    records: list[tuple[Any, ...]] = field(default_factory=list)
    #: (bucket start, row key) -> the stored values, to count what changed.
    new: dict[tuple[int, str], tuple[Any, ...]] = field(default_factory=dict)
    per_bucket: dict[int, int] = field(default_factory=dict)
    sums: dict[int, Decimal] = field(default_factory=dict)


# --- directory -------------------------------------------------------------------------------

#: Directory attribute -> store table. A directory-like object has these attributes (or
#: methods returning them), each an iterable of records (objects or mappings) with ``id``.
DIRECTORY_ATTRS: Final = {
    "projects": "projects",
    "api_keys": "api_keys",
    "users": "users",
    "service_accounts": "service_accounts",
}


def _get(record: Any, *path: str) -> Any:
    value = record
    for name in path:
        if value is None:
            return None
        value = value.get(name) if isinstance(value, dict) else getattr(value, name, None)
    return value


def _first(record: Any, *paths: str) -> Any:
    for path in paths:
        value = _get(record, *path.split("."))
        # Only a plain value counts: ``owner`` is a string on a ``Directory`` record but a
        # nested object on the API's own model, where a longer path finds the email.
        if value is not None and isinstance(value, str | int | float | datetime):
            return value
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return iso(int(value))  # the API's *_at fields are Unix seconds
    return str(value)


#: Where each stored field is found in a record: the first path that gives a value wins
#: (issue 12's models nest the owner of a key; flat records work too).
_FIELDS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "projects": {"status": ("status",)},
    "api_keys": {
        "owner_type": ("owner_type", "owner.type"),
        "owner_id": ("owner_id", "owner.user.id", "owner.service_account.id", "owner.id"),
        "owner_name": (
            "owner",
            "owner_name",
            "owner.user.email",
            "owner.service_account.name",
            "owner.user.name",
            "owner.name",
        ),
    },
}


def _records(directory: Any, attr: str) -> Iterable[Any]:
    value = getattr(directory, attr, None)
    if value is None and isinstance(directory, dict):
        value = directory.get(attr)
    if callable(value):
        value = value()
    if isinstance(value, Mapping):  # ``Directory`` keeps its records by ID
        value = value.values()
    return value or ()


def update_directory(
    conn: sqlite3.Connection, directory: Any, organization: str, seen_at: int
) -> int:
    """Upsert every record of ``directory``; records it no longer lists are kept (so a deleted
    key keeps its name). Returns how many records were added or changed."""
    seen = iso(seen_at)
    changes = 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        for attr, table in DIRECTORY_ATTRS.items():
            fields = DIRECTORY_TABLES[table]
            paths = _FIELDS.get(table, {})
            select = f"SELECT {', '.join(fields)} FROM {table} WHERE organization = ? AND id = ?"
            upsert = (
                f"INSERT INTO {table} (organization, id, {', '.join(fields)}, first_seen, "
                f"last_seen) VALUES ({', '.join('?' for _ in range(len(fields) + 4))}) "
                "ON CONFLICT (organization, id) DO UPDATE SET "
                + ", ".join(f"{f} = excluded.{f}" for f in fields)
                + ", last_seen = excluded.last_seen"
            )
            for record in _records(directory, attr):
                rid = _text(_get(record, "id"))
                if not rid:
                    continue
                values = tuple(_text(_first(record, *paths.get(f, (f,)))) for f in fields)
                before = conn.execute(select, (organization, rid)).fetchone()
                if before is None or tuple(before) != values:
                    changes += 1
                conn.execute(upsert, (organization, rid, *values, seen, seen))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # an interruption may come before BEGIN took
            conn.execute("ROLLBACK")
        raise
    return changes


def directory_present(conn: sqlite3.Connection, organizations: Sequence[str]) -> bool:
    marks = ", ".join("?" for _ in organizations)
    return any(
        conn.execute(
            f"SELECT 1 FROM {t} WHERE organization IN ({marks}) LIMIT 1", tuple(organizations)
        ).fetchone()
        for t in DIRECTORY_TABLES
    )
