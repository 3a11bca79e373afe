"""Every read of a store says what it covers (issue 20): missing and provisional spans per
endpoint, the last sync that finished, in Python, in the report's text, markdown and JSON."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from _cli_run import run

from openai_usage_client.store import SCHEMA_VERSION, Store
from openai_usage_client.testing import DEFAULT_NOW, FakeAPI
from tests._store_helpers import DAY, client_for, ts

pytestmark = pytest.mark.usefixtures("no_ambient_key")


NOW = DEFAULT_NOW  # 2026-11-01T00:00:00Z
OCTOBER = (ts("2026-10-01"), ts("2026-11-01"))
SYNCED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@pytest.fixture(scope="module")
def partial(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Costs from September on; completions only from 15 October; no images."""
    path = tmp_path_factory.mktemp("coverage") / "s.db"
    fake = FakeAPI(seed=0)
    with client_for(fake) as client, Store(path) as store:
        store.sync(client, start="2026-09-01", endpoints=["costs"], now=NOW, directory=False)
        store.sync(client, start="2026-10-15", endpoints=["completions"], now=NOW,
                   directory=False)  # fmt: skip
    return path


def test_coverage_per_endpoint_missing_provisional_and_never_synced(partial: Path) -> None:
    with Store(partial) as store:
        found = store.coverage(["costs", "completions", "images"], *OCTOBER, now=NOW)
    document = found.to_dict()
    for name in ("costs", "completions"):
        assert SYNCED.fullmatch(document[name].pop("last_sync"))
    last_provisional = [["2026-10-30T00:00:00Z", "2026-11-01T00:00:00Z"]]
    # Nothing came back empty, and every stored bucket still holds what its sync stored.
    none = {"unconfirmed": [], "lost": [], "refused": []}
    assert document == {
        "costs": {"complete": True, "missing": [], "provisional": last_provisional, **none},
        "completions": {
            "complete": False,
            "missing": [["2026-10-01T00:00:00Z", "2026-10-15T00:00:00Z"]],
            "provisional": last_provisional,
            **none,
        },
        "images": {
            "complete": False,
            "missing": [["2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z"]],
            "provisional": [],
            "last_sync": None,
            **none,
        },
    }
    assert not found.complete
    assert found.endpoints["costs"].complete
    assert found.lines() == [
        f"Missing: completions 2026-10-01 to 2026-10-14 (not in the store): openai-usage sync "
        f"--db {partial} --endpoint completions --start 2026-10-01",
        f"Missing: images 2026-10-01 to 2026-10-31 (not in the store): openai-usage sync "
        f"--db {partial} --endpoint images --start 2026-10-01",
        "Provisional: costs 2026-10-30, 2026-10-31 (may still change)",
        "Provisional: completions 2026-10-30, 2026-10-31 (may still change)",
    ]
    as_of = found.as_of()
    # Two syncs a moment apart: one time for both, unless a minute began between them.
    assert re.fullmatch(
        r"Data as of the last finished sync: (costs, completions: \S+ \S+ UTC|"
        r"costs: \S+ \S+ UTC; completions: \S+ \S+ UTC); images: not in the store",
        as_of,
    ), as_of


def test_days_that_have_not_begun_are_not_missing(partial: Path) -> None:
    with Store(partial) as store:
        found = store.coverage("costs", "2026-10-25", "2026-12-01", now=NOW + 3600)
    assert found.endpoints["costs"].missing == ()
    assert found.endpoints["costs"].provisional == (
        (ts("2026-10-30"), ts("2026-11-02")),  # the open bucket of now included
    )
    assert found.lines() == ["Provisional: costs 2026-10-30 to 2026-11-01 (may still change)"]


def test_a_killed_sync_is_named_and_what_it_fetched_is_counted(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    fake = FakeAPI(seed=1)
    with client_for(fake) as client, Store(path) as store:
        store.sync(client, start="2026-10-20", endpoints=["costs"], now=NOW, directory=False)
        # What `kill -9` in the middle of a sync leaves: its log row still 'running', and
        # the windows it committed before it died (here: none of costs' new days).
        store.connection.execute(
            "INSERT INTO sync_runs (started_at, outcome, endpoints) "
            "VALUES ('2026-11-01T06:00:00Z', 'running', '[\"costs\"]')"
        )
        found = store.coverage("costs", "2026-10-20", "2026-11-01", now=NOW)
    assert found.endpoints["costs"].unfinished[0].isoformat() == "2026-11-01T06:00:00+00:00"
    assert found.as_of().endswith(
        "; a later sync started 2026-11-01 06:00 UTC did not finish (what it fetched is kept)"
    )
    assert found.as_of().startswith("Data as of the last finished sync: 20")
    # The next sync marks the killed run interrupted; once it finishes, the note is gone.
    with client_for(fake) as client, Store(path) as store:
        store.sync(client, endpoints=["costs"], now=NOW, directory=False)
        outcomes = [r[0] for r in store.connection.execute("SELECT outcome FROM sync_runs")]
        again = store.coverage("costs", "2026-10-20", "2026-11-01", now=NOW)
    assert outcomes == ["ok", "interrupted", "ok"]
    assert again.endpoints["costs"].unfinished == ()
    assert "did not finish" not in again.as_of()


def test_an_hourly_series_reports_hours_where_a_gap_is_not_whole_days(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    fake = FakeAPI(seed=2)
    with client_for(fake) as client, Store(path) as store:
        store.sync(client, start=NOW - 2 * DAY, endpoints=["completions"], now=NOW,
                   bucket_width="1h", directory=False)  # fmt: skip
        store.connection.execute(
            "DELETE FROM coverage WHERE bucket_start >= ? AND bucket_start < ?",
            (NOW - 2 * DAY + 5 * 3600, NOW - 2 * DAY + 8 * 3600),
        )
        found = store.coverage("completions", NOW - 3 * DAY, NOW, now=NOW)
    assert found.endpoints["completions"].missing == (
        (NOW - 3 * DAY, NOW - 2 * DAY),
        (NOW - 2 * DAY + 5 * 3600, NOW - 2 * DAY + 8 * 3600),
    )
    assert found.lines()[:2] == [
        f"Missing: completions 2026-10-29 (not in the store): openai-usage sync --db {path} "
        "--endpoint completions --bucket-width 1h --start 2026-10-29",
        f"Missing: completions 2026-10-30 05:00 to 2026-10-30 08:00 (not in the store): "
        f"openai-usage sync --db {path} --endpoint completions --bucket-width 1h "
        "--start 2026-10-30 05:00",
    ]


def test_a_version_2_store_is_migrated_and_its_runs_count_for_every_endpoint(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v2.db"
    with client_for(FakeAPI(seed=0)) as client, Store(path) as store:
        store.sync(client, start="2026-10-28", endpoints=["costs"], now=NOW, directory=False)
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE sync_runs DROP COLUMN endpoints")
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert (store.migrated_from, SCHEMA_VERSION) == (2, 3)
        runs = store.connection.execute("SELECT outcome, endpoints FROM sync_runs").fetchall()
        found = store.coverage(["costs", "images"], "2026-10-28", "2026-11-01", now=NOW)
    assert runs == [("ok", None)]
    # A run of schema 2 did not say its endpoints: it counts for each of them.
    assert found.endpoints["images"].last_sync == found.endpoints["costs"].last_sync
    assert found.endpoints["images"].last_sync is not None


def test_report_db_json_and_markdown_carry_the_coverage(partial: Path) -> None:
    code, out, err = run("report", "--db", str(partial), "--no-names", "--start", "2026-10-01",
                         "--end", "2026-11-01", "--format", "json")  # fmt: skip
    assert code == 0, err
    document = json.loads(out)
    coverage = document["coverage"]
    assert set(coverage) == {"costs", "completions"}
    assert coverage["completions"]["missing"] == [["2026-10-01T00:00:00Z", "2026-10-15T00:00:00Z"]]
    assert coverage["costs"]["complete"] is True
    assert document["notes"][1:] == [
        f"Missing: completions 2026-10-01 to 2026-10-14 (not in the store): openai-usage sync "
        f"--db {partial} --endpoint completions --start 2026-10-01",
        "Provisional: costs 2026-10-30, 2026-10-31 (may still change)",
        "Provisional: completions 2026-10-30, 2026-10-31 (may still change)",
    ]
    assert [d["date"] for d in document["daily"] if d["provisional"]] == [
        "2026-10-30",
        "2026-10-31",
    ]
    period = ["--start", "2026-10-01", "--end", "2026-11-01"]
    code, markdown, _ = run("report", "--db", str(partial), "--no-names", *period, "-f", "markdown")
    assert code == 0
    assert "> Missing: completions 2026-10-01 to 2026-10-14 (not in the store)" in markdown
    # From the API: no coverage (its answers hold every bucket, or are refused), and the
    # days before the server's today that may still change.
    code, out, _ = run("--fake", "report", "--format", "json", "--no-names")
    assert (json.loads(out)["coverage"], json.loads(out)["notes"]) == (
        None, ["Provisional: costs 2026-10-30, 2026-10-31 (may still change)"],
    )  # fmt: skip


def test_data_commands_over_a_store_say_what_it_lacks_on_stderr(partial: Path) -> None:
    code, out, err = run("completions", "--db", str(partial), "--start", "2026-10-01",
                         "--end", "2026-11-01", "-f", "csv")  # fmt: skip
    assert code == 0
    assert err.splitlines() == [
        f"openai-usage: warning: Missing: completions 2026-10-01 to 2026-10-14 (not in the "
        f"store): openai-usage sync --db {partial} --endpoint completions --start 2026-10-01",
        "openai-usage: warning: Provisional: completions 2026-10-30, 2026-10-31 (may still change)",
    ]
    assert out.startswith("endpoint,start_time,end_time,")  # stdout keeps the data alone
    code, _, err = run("costs", "--db", str(partial), "--start", "2026-09-10",
                       "--end", "2026-09-20", "-f", "csv")  # fmt: skip
    assert (code, err) == (0, "")  # complete and settled: nothing to say


def test_sync_and_check_quiet_print_nothing_on_success(tmp_path: Path) -> None:
    db = str(tmp_path / "q.db")
    code, out, err = run("--fake", "sync", "--db", db, "--start", "2026-10-25", "--quiet")
    assert (code, out, err) == (0, "", "")
    code, out, err = run("--fake", "check", "--monthly-budget", "1", "--quiet")
    assert (code, out, err) == (7, "", "")  # over budget: the exit code says it
    code, out, err = run("--fake", "check", "--monthly-budget", "1000000", "-q")
    assert (code, out, err) == (0, "", "")


def test_export_names_the_days_missing_inside_the_stored_range(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    db = tmp_path / "e.db"
    with client_for(FakeAPI(seed=0)) as client, Store(db) as store:
        store.sync(client, start="2026-10-20", endpoints=["costs"], now=NOW, directory=False)
        store.connection.execute(  # what a sync that failed part-way leaves
            "DELETE FROM coverage WHERE bucket_start IN (?, ?)",
            (ts("2026-10-23"), ts("2026-10-24")),
        )
    code, out, err = run("export", "--db", str(db), "--parquet-dir", str(tmp_path / "lake"))
    assert code == 0
    assert err == (
        f"openai-usage: warning: Missing: costs 2026-10-23 to 2026-10-24 (not in the store): "
        f"openai-usage sync --db {db} --endpoint costs --start 2026-10-23\n"
    )
    assert out.startswith(f"{tmp_path / 'lake'}: ")
