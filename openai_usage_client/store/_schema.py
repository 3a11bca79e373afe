"""The store's SQLite schema, its version and the migrations between versions.

Version 3 (current)::

    meta             key -> value: schema_version, created_at, and per (endpoint,
                     organization) a default grouping the API refused
                     (``refused_grouping:<endpoint>:<organization>``, JSON; see ``_refusal``)
    series           one row per (endpoint, organization, bucket_width, grouping) ever synced;
                     last_run says which one a sync used last (the "current" series)
    coverage         one row per fetched bucket of a series: bucket_start/end (Unix seconds
                     and ISO-8601), fetched_at, state 'settled' | 'provisional', rows
    sync_runs        one row per sync: started/finished, outcome, requests, buckets, rows
                     inserted/revised/removed, directory changes, error, missing ranges, and
                     the endpoints it syncs (JSON; what "the last finished sync" of an
                     endpoint is, ``_coverage``)
    column_kinds     (endpoint, column) -> kind seen in the rows: decimal, bool, datetime, ...
    <endpoint>       one table per endpoint (costs, completions, ...): organization,
                     bucket_width, grouping, start_unix, end_unix, pos, row_key, then the
                     columns of ``openai_usage_client.columns(endpoint)``; money as exact
                     decimal text, times as ISO-8601 UTC text (and start/end_unix)
    projects, api_keys, users, service_accounts
                     the directory, with first_seen / last_seen (ISO-8601) per record
    daily_cost_by_project, daily_cost_by_model, daily_tokens_by_model
                     views over the current series

Version 2 did not record a sync's endpoints (its runs count for every endpoint).
Version 1 had no series, no directory tables and no views; its endpoint tables had no
``grouping``/``row_key`` columns (one series per endpoint, the default grouping) and its
coverage a ``settled`` flag instead of a state. ``migrate`` upgrades it in one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from .._core._endpoints import ENDPOINTS
from .._core._exports import columns
from ._errors import StoreDamagedError, StoreError, StoreForeignError, StoreVersionError

__all__ = [
    "APPLICATION_ID",
    "DIRECTORY_TABLES",
    "SCHEMA_VERSION",
    "check_integrity",
    "default_group_by",
    "ensure_schema",
    "grouping_text",
    "quote",
    "readable",
    "row_key",
    "stored_version",
    "table_columns",
]

SCHEMA_VERSION: Final = 3
#: Bookkeeping columns of every endpoint table, before the row columns.
KEY_COLUMNS: Final = (
    "organization",
    "bucket_width",
    "grouping",
    "start_unix",
    "end_unix",
    "pos",
    "row_key",
)
#: What a FinOps user wants first, per the issue: who (project, key, user) spent on what.
_WANTED: Final = ("project_id", "line_item", "api_key_id", "model", "user_id", "batch",
                  "context_level")  # fmt: skip
#: What tells a line item's variants apart (batch or interactive tokens; the web search
#: context sizes): in the default groupings since schema 3's stores were first synced
#: without them, so the groupings of files synced before stay as they were.
VARIANT_COLUMNS: Final = ("batch", "context_level")

DIRECTORY_TABLES: Final[dict[str, tuple[str, ...]]] = {
    "projects": ("name", "status", "archived_at", "created_at"),
    "api_keys": (
        "name",
        "redacted_value",
        "project_id",
        "owner_type",
        "owner_id",
        "owner_name",
        "created_at",
    ),
    "users": ("name", "email", "role", "created_at"),
    "service_accounts": ("name", "project_id", "role", "created_at"),
}


def quote(name: str) -> str:
    """A SQL identifier (endpoint and column names come from our own table, but still)."""
    return '"' + name.replace('"', '""') + '"'


def default_group_by(endpoint: str) -> tuple[str, ...]:
    """Costs: project, line item, API key, user; usage: project, model, API key, user, and
    what tells a line item's variants apart (``batch`` for completions, ``context_level`` for
    web search: billed at prices of their own, so an estimate or an allocation of the bill
    needs them); each endpoint's supported subset, in the order the endpoint lists them.

    The API may refuse costs by user with the project grouping, depending on the
    organization: a sync then falls back to the grouping without ``user_id`` and remembers it
    (``_refusal``)."""
    supported = ENDPOINTS[endpoint].group_by
    return tuple(g for g in supported if g in _WANTED)


def _v1_group_by(endpoint: str) -> tuple[str, ...]:
    """The grouping version-1 files were synced with (costs had no ``user_id`` then)."""
    found = tuple(g for g in default_group_by(endpoint) if g not in VARIANT_COLUMNS)
    return tuple(g for g in found if g != "user_id") if endpoint == "costs" else found


def grouping_text(endpoint: str, group_by: Iterable[str]) -> str:
    """A series' grouping as stored: the group-bys in the endpoint's order, comma-joined."""
    chosen = set(group_by)
    return ",".join(g for g in ENDPOINTS[endpoint].group_by if g in chosen)


def row_key(obj: Any, group_values: Sequence[Any], extra: Any, expected_object: str) -> str:
    """What identifies a row inside its bucket: its result type and grouping values (as
    stored). Unknown result types have no typed grouping values: their fields count."""
    parts = [obj, *group_values]
    if obj != expected_object:
        parts.append(extra)
    return "\x1f".join("\x00" if v is None else str(v) for v in parts)


#: Hidden integer columns next to each money column, so totals are exact SQL integer sums:
#: the integer part, fraction digits 1-9 and 10-18 (all signed), and 1 when the value has
#: more than 18 decimal places that are not zeros (then totals add the text instead).
SPLIT: Final = ("__units", "__nano", "__atto", "__inexact")


def split_decimal(text: str) -> tuple[int, int, int, int]:
    """``"-12.5"`` -> ``(-12, -500000000, 0, 0)``: the hidden columns of one money value."""
    sign = -1 if text.startswith("-") else 1
    whole, _, fraction = text.lstrip("-").partition(".")
    fraction = fraction.ljust(18, "0")
    inexact = int(bool(fraction[18:].rstrip("0")))
    return sign * int(whole or 0), sign * int(fraction[:9]), sign * int(fraction[9:18]), inexact


def split_sql(value: str) -> tuple[str, ...]:
    """The hidden columns of a money value as SQL expressions of ``value`` (a column or a
    parameter such as ``?12``): computed by SQLite, in C, as rows are inserted. The same
    results as ``split_decimal`` (checked in the tests)."""
    sign = f"(CASE WHEN substr({value}, 1, 1) = '-' THEN -1 ELSE 1 END)"
    digits = f"ltrim({value}, '-')"
    dot = f"instr({digits} || '.', '.')"
    fraction = f"substr({digits}, {dot} + 1)"
    return (
        f"{sign} * CAST(substr({digits}, 1, {dot} - 1) AS INTEGER)",
        f"{sign} * CAST(substr({fraction} || '000000000', 1, 9) AS INTEGER)",
        f"{sign} * CAST(substr({fraction} || '000000000000000000', 10, 9) AS INTEGER)",
        f"length(rtrim(substr({fraction}, 19), '0')) > 0",
    )


def ensure_split(conn: sqlite3.Connection, endpoint: str, column: str) -> bool:
    """Add the hidden columns of a money column (filling them for stored rows). True if they
    were added."""
    have = set(table_columns(conn, endpoint))
    if column + SPLIT[0] in have:
        return False
    t = quote(endpoint)
    for suffix in SPLIT:
        conn.execute(f"ALTER TABLE {t} ADD COLUMN {quote(column + suffix)} INTEGER")
    sets = ", ".join(
        f"{quote(column + suffix)} = {expr}"
        for suffix, expr in zip(SPLIT, split_sql(quote(column)), strict=True)
    )
    conn.execute(f"UPDATE {t} SET {sets}")
    return True


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- DDL -------------------------------------------------------------------------------------

_BASE: Final = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS series (
    endpoint TEXT NOT NULL, organization TEXT NOT NULL, bucket_width TEXT NOT NULL,
    grouping TEXT NOT NULL, created_at TEXT NOT NULL, last_run INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (endpoint, organization, bucket_width, grouping));
CREATE TABLE IF NOT EXISTS coverage (
    endpoint TEXT NOT NULL, organization TEXT NOT NULL, bucket_width TEXT NOT NULL,
    grouping TEXT NOT NULL, bucket_start INTEGER NOT NULL, bucket_end INTEGER NOT NULL,
    bucket_start_iso TEXT NOT NULL, bucket_end_iso TEXT NOT NULL, fetched_at INTEGER NOT NULL,
    fetched_at_iso TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('settled', 'provisional')),
    rows INTEGER NOT NULL DEFAULT 0, amount TEXT,
    PRIMARY KEY (endpoint, organization, bucket_width, grouping, bucket_start));
CREATE TABLE IF NOT EXISTS sync_runs (
    id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT,
    outcome TEXT NOT NULL, requests INTEGER NOT NULL DEFAULT 0,
    buckets INTEGER NOT NULL DEFAULT 0, rows_inserted INTEGER NOT NULL DEFAULT 0,
    rows_revised INTEGER NOT NULL DEFAULT 0, rows_removed INTEGER NOT NULL DEFAULT 0,
    directory_changes INTEGER NOT NULL DEFAULT 0, error TEXT, missing TEXT, endpoints TEXT);
CREATE TABLE IF NOT EXISTS column_kinds (
    endpoint TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
    PRIMARY KEY (endpoint, name));
"""


def _directory_ddl() -> str:
    out = []
    for table, fields in DIRECTORY_TABLES.items():
        cols = ", ".join(f"{f} TEXT" for f in fields)
        out.append(
            f"CREATE TABLE IF NOT EXISTS {table} (organization TEXT NOT NULL, id TEXT NOT NULL, "
            f"{cols}, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, "
            "PRIMARY KEY (organization, id));"
        )
    return "\n".join(out)


def table_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({quote(table)})")]


def _ensure_endpoint_table(conn: sqlite3.Connection, endpoint: str) -> bool:
    """Create the endpoint's table, or add the row columns a newer package has. True if the
    table's columns changed."""
    wanted = columns(endpoint)
    have = table_columns(conn, endpoint)
    t = quote(endpoint)
    if not have:
        cols = ", ".join(quote(c) for c in wanted)
        conn.execute(
            f"CREATE TABLE {t} (organization TEXT NOT NULL, bucket_width TEXT NOT NULL, "
            "grouping TEXT NOT NULL, start_unix INTEGER NOT NULL, end_unix INTEGER NOT NULL, "
            f"pos INTEGER NOT NULL, row_key TEXT NOT NULL, {cols})"
        )
        _ensure_index(conn, endpoint)
        return True
    added = [c for c in wanted if c not in have]
    for column in added:  # the API grew a field: old rows read it as None
        conn.execute(f"ALTER TABLE {t} ADD COLUMN {quote(column)}")
    return bool(added)


def _ensure_index(conn: sqlite3.Connection, endpoint: str) -> None:
    # One row per (series, bucket, row key): a duplicate cannot be stored, whatever happens.
    conn.execute(
        f"CREATE UNIQUE INDEX IF NOT EXISTS {quote(endpoint + '_key')} ON {quote(endpoint)} "
        "(organization, bucket_width, grouping, start_unix, row_key)"
    )


_CURRENT: Final = (
    "JOIN series s ON s.endpoint = '{endpoint}' AND s.organization = t.organization "
    "AND s.bucket_width = t.bucket_width AND s.grouping = t.grouping AND s.last_run = "
    "(SELECT MAX(last_run) FROM series m WHERE m.endpoint = s.endpoint "
    "AND m.organization = s.organization)"
)
#: ``model_from_line_item`` in SQL (checked against it in the tests): the text before ", ".
MODEL_SQL: Final = (
    "CASE WHEN instr(t.line_item, ', ') > 1 "
    "THEN NULLIF(trim(substr(t.line_item, 1, instr(t.line_item, ', ') - 1)), '') END"
)


def _views() -> list[str]:
    costs = _CURRENT.format(endpoint="costs")
    day = "date(t.start_unix, 'unixepoch')"
    views = [
        "CREATE VIEW daily_cost_by_project AS "
        f"SELECT {day} AS date, t.organization, t.project_id, p.name AS project_name, "
        "t.amount_currency AS currency, SUM(CAST(t.amount_value AS REAL)) AS cost, "
        "COUNT(*) AS rows "
        f"FROM costs t {costs} LEFT JOIN projects p ON p.organization = t.organization "
        "AND p.id = t.project_id GROUP BY 1, 2, 3, 4, 5",
        "CREATE VIEW daily_cost_by_model AS "
        f"SELECT {day} AS date, t.organization, {MODEL_SQL} AS model, "
        "t.amount_currency AS currency, SUM(CAST(t.amount_value AS REAL)) AS cost, "
        f"COUNT(*) AS rows FROM costs t {costs} GROUP BY 1, 2, 3, 4",
    ]
    parts = []
    for endpoint in ENDPOINTS:
        names = set(columns(endpoint))
        if {"model", "input_tokens"} <= names:
            picked = ", ".join(
                f"t.{c}" if c in names else f"NULL AS {c}"
                for c in ("input_tokens", "output_tokens", "num_model_requests")
            )
            parts.append(
                f"SELECT '{endpoint}' AS endpoint, {day} AS date, t.organization, t.model, "
                f"{picked} FROM {quote(endpoint)} t {_CURRENT.format(endpoint=endpoint)}"
            )
    views.append(
        "CREATE VIEW daily_tokens_by_model AS SELECT date, organization, endpoint, model, "
        "SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens, "
        "SUM(num_model_requests) AS requests FROM ("
        + " UNION ALL ".join(parts)
        + ") GROUP BY 1, 2, 3, 4"
    )
    return views


_VIEW_NAMES: Final = ("daily_cost_by_project", "daily_cost_by_model", "daily_tokens_by_model")


def _create_views(conn: sqlite3.Connection) -> None:
    for name in _VIEW_NAMES:
        conn.execute(f"DROP VIEW IF EXISTS {name}")
    for ddl in _views():
        conn.execute(ddl)


def _create_current(conn: sqlite3.Connection) -> None:
    for statement in (_BASE + _directory_ddl()).split(";"):
        if statement.strip():
            conn.execute(statement)
    for endpoint in ENDPOINTS:
        _ensure_endpoint_table(conn, endpoint)
    _create_views(conn)


# --- migrations ------------------------------------------------------------------------------


def _migrate_1_to_2(conn: sqlite3.Connection) -> None:
    """v1 -> v2: series (grouping, row_key), coverage state, sync-run counters, directory
    tables and views."""
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for endpoint in ENDPOINTS:
        if endpoint not in have:
            continue
        grouping = grouping_text(endpoint, _v1_group_by(endpoint))
        t = quote(endpoint)
        conn.execute(f"ALTER TABLE {t} ADD COLUMN grouping TEXT NOT NULL DEFAULT ''")
        conn.execute(f"ALTER TABLE {t} ADD COLUMN row_key TEXT NOT NULL DEFAULT ''")
        conn.execute(f"UPDATE {t} SET grouping = ?", (grouping,))
        group_cols = [g for g in grouping.split(",") if g]
        expected = ENDPOINTS[endpoint].result_object
        select = ", ".join(quote(c) for c in ("object", "extra", *group_cols))
        updates = []
        for rowid, obj, extra, *values in conn.execute(f"SELECT rowid, {select} FROM {t}"):
            updates.append((row_key(obj, values, extra, expected), rowid))
        conn.executemany(f"UPDATE {t} SET row_key = ? WHERE rowid = ?", updates)
        _ensure_index(conn, endpoint)
    conn.execute("ALTER TABLE coverage RENAME TO coverage_v1")
    conn.execute("ALTER TABLE sync_runs RENAME TO sync_runs_v1")
    _create_current(conn)
    groupings = {e: grouping_text(e, _v1_group_by(e)) for e in ENDPOINTS}
    conn.create_function("v1_grouping", 1, lambda e: groupings.get(e, ""), deterministic=True)
    conn.execute(
        "INSERT INTO coverage SELECT endpoint, organization, bucket_width, v1_grouping(endpoint), "
        "bucket_start, bucket_end, strftime('%Y-%m-%dT%H:%M:%SZ', bucket_start, 'unixepoch'), "
        "strftime('%Y-%m-%dT%H:%M:%SZ', bucket_end, 'unixepoch'), fetched_at, "
        "strftime('%Y-%m-%dT%H:%M:%SZ', fetched_at, 'unixepoch'), "
        "CASE WHEN settled THEN 'settled' ELSE 'provisional' END, 0, NULL FROM coverage_v1"
    )
    for endpoint in ENDPOINTS:  # v1 did not count rows: count what each bucket holds
        if endpoint in have:
            t = quote(endpoint)
            conn.execute(
                f"UPDATE coverage SET rows = (SELECT COUNT(*) FROM {t} WHERE "
                f"{t}.organization = coverage.organization AND {t}.bucket_width = "
                f"coverage.bucket_width AND {t}.grouping = coverage.grouping AND "
                f"{t}.start_unix = coverage.bucket_start) WHERE endpoint = ?",
                (endpoint,),
            )
    conn.execute(
        "INSERT INTO series SELECT DISTINCT endpoint, organization, bucket_width, grouping, "
        "?, 0 FROM coverage",
        (now_iso(),),
    )
    conn.execute(
        "INSERT INTO sync_runs (id, started_at, finished_at, outcome, requests, rows_inserted, "
        "error) SELECT id, started_at, finished_at, outcome, requests, rows, error "
        "FROM sync_runs_v1"
    )
    conn.execute("DROP TABLE coverage_v1")
    conn.execute("DROP TABLE sync_runs_v1")
    for endpoint, column in conn.execute(
        "SELECT endpoint, name FROM column_kinds WHERE kind = 'decimal'"
    ).fetchall():
        ensure_split(conn, endpoint, column)


def _migrate_2_to_3(conn: sqlite3.Connection) -> None:
    """v2 -> v3: each sync run records its endpoints (older runs: ``NULL``, every one)."""
    if "endpoints" not in table_columns(conn, "sync_runs"):  # a v1 file got it in 1 -> 2
        conn.execute("ALTER TABLE sync_runs ADD COLUMN endpoints TEXT")


#: ``MIGRATIONS[n]`` upgrades a version-``n`` file to ``n + 1``.
MIGRATIONS: Final[dict[int, Callable[[sqlite3.Connection], None]]] = {
    1: _migrate_1_to_2,
    2: _migrate_2_to_3,
}


#: SQLite's ``application_id`` of a store (``PRAGMA application_id``): "OAIU". Stores made
#: before it was set read 0 and are recognised by their ``meta`` table.
APPLICATION_ID: Final = 0x4F414955


def stored_version(conn: sqlite3.Connection, path: str = "the store") -> int | None:
    """The schema version of a store; ``None`` for an empty file. ``StoreForeignError`` for
    another application's file, ``StoreError`` for a version this package never wrote."""
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT "
            "LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    app = conn.execute("PRAGMA application_id").fetchone()[0]
    if app not in (0, APPLICATION_ID):
        raise StoreForeignError(path, f"its SQLite application_id is {app:#x}")
    if "meta" not in tables:
        if tables:
            shown = ", ".join(tables[:5]) + (
                f" and {len(tables) - 5} more" if len(tables) > 5 else ""
            )
            raise StoreForeignError(path, f"it holds the tables {shown}")
        return None
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        raise StoreForeignError(path, "its meta table has no schema_version")
    try:
        version = int(row[0])
    except (TypeError, ValueError):
        version = 0
    if version < 1:
        raise StoreError(
            f"{path} says its store schema version is {str(row[0])[:20]!r}, which no version "
            "of openai-usage-client writes: restore a copy, or rebuild it with 'openai-usage "
            "sync --db NEW.db --start YYYY-MM-DD'"
        )
    return version


def readable(conn: sqlite3.Connection, path: str) -> int:
    """Check a store opened for reading, changing nothing: its version (exactly this
    package's; an older one is upgraded by ``sync`` only, a newer one needs a newer
    package), or the ``StoreError`` that says why it cannot be read."""
    found = stored_version(conn, path)
    if found is None:
        raise StoreForeignError(path, "it is empty: no sync has created a store in it")
    if found > SCHEMA_VERSION:
        raise StoreVersionError(
            f"{path} has store schema version {found}; this version of openai-usage-client "
            f"reads up to {SCHEMA_VERSION}: upgrade the package"
        )
    if found < SCHEMA_VERSION:
        raise StoreVersionError(
            f"{path} has store schema version {found}, older than this package's "
            f"{SCHEMA_VERSION}: run 'openai-usage sync --db {path}' to upgrade it (a read "
            "never changes a store)"
        )
    return found


def check_integrity(conn: sqlite3.Connection, path: str) -> None:
    """``StoreDamagedError`` unless SQLite's quick check passes (before a sync writes)."""
    problems = [r[0] for r in conn.execute("PRAGMA quick_check(3)")]
    if problems != ["ok"]:
        raise StoreDamagedError(path, "; ".join(str(p) for p in problems)[:200])


def ensure_schema(conn: sqlite3.Connection, path: str) -> int | None:
    """Create the schema in an empty file or migrate an older one, in one transaction.

    Returns the version the file had (``None`` when it was new). A current file is only
    read: opening a store to read it never waits for a sync that is writing."""
    if (
        stored_version(conn, path) == SCHEMA_VERSION
        and all(set(columns(e)) <= set(table_columns(conn, e)) for e in ENDPOINTS)
        and "amount" in table_columns(conn, "coverage")
    ):
        return SCHEMA_VERSION
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = stored_version(conn, path)
        if found is not None and found > SCHEMA_VERSION:
            raise StoreVersionError(
                f"{path} has store schema version {found}; this version of openai-usage-client "
                f"reads up to {SCHEMA_VERSION}: upgrade the package"
            )
        if found is None:
            _create_current(conn)
            conn.execute(
                "INSERT INTO meta VALUES ('created_at', ?) ON CONFLICT DO NOTHING", (now_iso(),)
            )
        else:
            for version in range(found, SCHEMA_VERSION):
                MIGRATIONS[version](conn)
            changed = [_ensure_endpoint_table(conn, e) for e in ENDPOINTS]
            if any(changed):
                _create_views(conn)
            if "amount" not in table_columns(conn, "coverage"):
                # What each synced costs bucket held (its money sum), beside its row count:
                # reads compare them (``_coverage.lost_buckets``). NULL: synced before.
                conn.execute("ALTER TABLE coverage ADD COLUMN amount TEXT")
        conn.execute(
            "INSERT INTO meta VALUES ('schema_version', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (str(SCHEMA_VERSION),),
        )
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # ours, to any tool
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # an interruption may come before BEGIN took
            conn.execute("ROLLBACK")
        raise
    return found
