"""The store's schema: a file of the first schema version is migrated, data kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from _store_helpers import DAY, assert_equal_truth, client_for, ts

from openai_usage_client import columns, rows
from openai_usage_client.store import SCHEMA_VERSION, Store, StoreVersionError, default_group_by
from openai_usage_client.testing import FakeAPI

NOW = ts("2026-10-10")
START = ts("2026-10-01")
#: The default costs grouping when version 1 shipped (``user_id`` joined it later).
V1_COSTS = ["project_id", "line_item", "api_key_id"]

#: Version 1 of the schema, as it shipped: one series per endpoint (default groupings), a
#: settled flag in coverage, a shorter run log, no directory and no views.
V1_DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('schema_version', '1');
CREATE TABLE coverage (
    endpoint TEXT NOT NULL, organization TEXT NOT NULL, bucket_width TEXT NOT NULL,
    bucket_start INTEGER NOT NULL, bucket_end INTEGER NOT NULL, fetched_at INTEGER NOT NULL,
    settled INTEGER NOT NULL,
    PRIMARY KEY (endpoint, organization, bucket_width, bucket_start));
CREATE TABLE sync_runs (
    id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, outcome TEXT NOT NULL,
    requests INTEGER NOT NULL DEFAULT 0, rows INTEGER NOT NULL DEFAULT 0, error TEXT);
CREATE TABLE column_kinds (
    endpoint TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
    PRIMARY KEY (endpoint, name));
"""


def _v1_file(path: Path, fake: FakeAPI) -> int:
    """A version-1 store holding costs 10-01..10-10 (settled up to 10-08)."""
    conn = sqlite3.connect(path)
    conn.executescript(V1_DDL)
    cols = columns("costs")
    conn.execute(
        "CREATE TABLE costs (organization TEXT NOT NULL, bucket_width TEXT NOT NULL, "
        "start_unix INTEGER NOT NULL, end_unix INTEGER NOT NULL, pos INTEGER NOT NULL, "
        + ", ".join(f'"{c}"' for c in cols)
        + ")"
    )
    with client_for(fake) as client:
        stream = client.endpoint("costs")(start_time=START, end_time=NOW, group_by=V1_COSTS)
        count = 0
        for pos, row in enumerate(rows(stream)):
            start = int(row["start_time"].timestamp())
            values = [
                format(v, "f")
                if c == "amount_value"
                else v.strftime("%Y-%m-%dT%H:%M:%SZ")
                if c in ("start_time", "end_time")
                else v
                for c, v in row.items()
            ]
            conn.execute(
                f"INSERT INTO costs VALUES ({', '.join('?' for _ in range(5 + len(cols)))})",
                ("default", "1d", start, start + DAY, pos, *values),
            )
            count += 1
    for day in range(START, NOW, DAY):
        conn.execute(
            "INSERT INTO coverage VALUES ('costs', 'default', '1d', ?, ?, ?, ?)",
            (day, day + DAY, NOW, int(day + DAY <= NOW - 2 * DAY)),
        )
    conn.executemany(
        "INSERT INTO column_kinds VALUES ('costs', ?, ?)",
        [("amount_value", "decimal"), ("quantity", "float"), ("start_time", "datetime")],
    )
    conn.execute(
        "INSERT INTO sync_runs VALUES (1, '2026-10-10T00:00:00Z', '2026-10-10T00:00:05Z', "
        "'ok', 2, ?, NULL)",
        (count,),
    )
    conn.commit()
    conn.close()
    return count


def test_migrates_a_version_1_file(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    fake = FakeAPI(0, now=NOW)
    count = _v1_file(path, fake)
    with Store(path) as store:
        assert store.migrated_from == 1
        conn = store.connection
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            str(SCHEMA_VERSION),
        )
        # The data is kept and reads as the live rows.
        with client_for(fake) as client:
            live = list(
                rows(client.endpoint("costs")(start_time=START, end_time=NOW, group_by=V1_COSTS))
            )
        assert list(store.rows("costs")) == live and len(live) == count
        # Coverage kept its settled/provisional split, now as a state with the grouping.
        states = dict(
            conn.execute("SELECT state, COUNT(*) FROM coverage GROUP BY state").fetchall()
        )
        assert states == {"settled": 7, "provisional": 2}
        assert {r[0] for r in conn.execute("SELECT grouping FROM coverage")} == {
            "project_id,line_item,api_key_id"
        }
        run = conn.execute("SELECT outcome, requests, rows_inserted FROM sync_runs").fetchone()
        assert run == ("ok", 2, count)
        for table in ("projects", "api_keys", "users", "service_accounts", "completions"):
            assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (0,)
        assert conn.execute("SELECT COUNT(*) FROM daily_cost_by_project").fetchone()[0] > 0
        # A sync of the migrated grouping continues from its coverage: only unsettled buckets.
        with client_for(fake) as client:
            summary = store.sync(client, now=NOW, endpoints=["costs"],
                                 group_by={"costs": V1_COSTS})  # fmt: skip
        assert summary.buckets_fetched == 3  # 10-08, 10-09 (provisional) and 10-10 (open)
        assert summary.rows_inserted == summary.rows_revised == summary.rows_removed == 0
        assert summary.notes == []
        # The default grouping now has user_id: a new series over the stored range, said so;
        # the migrated one is kept as it was, never mixed in.
        with client_for(fake) as client:
            upgraded = store.sync(client, now=NOW, endpoints=["costs"])
        assert upgraded.buckets_fetched == 10 and upgraded.requests == 2  # a bucket first
        assert upgraded.notes == [
            "costs: now 1d by project_id, line_item, api_key_id, user_id, a new series fetched "
            "from 2026-10-01; the series 1d by project_id, line_item, api_key_id is kept as it "
            "was (store.rows(..., group_by=...) reads it)"
        ]
        assert default_group_by("costs") == (*V1_COSTS, "user_id")
        assert_equal_truth(store, fake, ["costs"], START, NOW)
        assert list(store.rows("costs", group_by=V1_COSTS)) == live
    with Store(path) as again:
        assert again.migrated_from == SCHEMA_VERSION


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreVersionError, match="version 99"):
        Store(path)


def test_a_new_file_has_every_table_and_view(tmp_path: Path) -> None:
    with Store(tmp_path / "n.db") as store:
        assert store.migrated_from is None
        names = {r[0] for r in store.connection.execute("SELECT name FROM sqlite_master")}
        assert {
            "series",
            "coverage",
            "sync_runs",
            "costs",
            "completions",
            "embeddings",
            "projects",
            "api_keys",
            "users",
            "service_accounts",
            "daily_cost_by_project",
            "daily_cost_by_model",
            "daily_tokens_by_model",
        } <= names
        assert store.connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "12",
        "-12",
        "12.5",
        "-0.5",
        "0.000000001",
        "-123456.123456789123456789",
        "1.0000000000000000000000",
        "0.0000000000000000001",
        "99999999999.999999999999999999",
    ],
)
def test_money_split_in_sql_matches_python(text: str) -> None:
    from decimal import Context, Decimal

    from openai_usage_client.store._schema import split_decimal, split_sql

    conn = sqlite3.connect(":memory:")
    got = conn.execute(f"SELECT {', '.join(split_sql('?1'))}", (text,)).fetchone()
    assert got == split_decimal(text)
    units, nano, atto, inexact = got
    if not inexact:
        wide = Context(prec=60)
        total = wide.add(
            wide.add(Decimal(units), Decimal(nano).scaleb(-9)), Decimal(atto).scaleb(-18)
        )
        assert total == Decimal(text)
    assert conn.execute(f"SELECT {', '.join(split_sql('NULL'))}").fetchone()[:3] == (
        None,
        None,
        None,
    )
