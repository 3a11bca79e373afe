"""The store never freezes a wrong answer (issue 33): days that came back empty are fetched
again until the data catches up; rows lost behind the store's back are named with the sync
that fetches them again; a first sync killed before it stored anything is named (exit 10);
SIGTERM stops a sync as Ctrl-C does (exit 143); a plain sync refreshes every series held."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from _cli_run import run
from _store_helpers import DAY, client_for, ts

from openai_usage_client.store import Store
from openai_usage_client.testing import FakeAPI, FakeServer

pytestmark = pytest.mark.usefixtures("no_ambient_key")

NOW = ts("2026-11-01")
OCTOBER = (ts("2026-10-01"), NOW)


def truth(fake: FakeAPI, start: int, end: int) -> Decimal:
    found: Decimal = fake.totals("costs", start_time=start, end_time=end)[()]["amount"]
    return found


def stored(store: Store, start: int, end: int) -> Decimal:
    (row,) = store.summarize("costs", fields=["amount_value"], start=start, end=end)
    total: Decimal = row["amount_value"]
    return total


def test_empty_days_are_fetched_again_until_the_data_catches_up(tmp_path: Path) -> None:
    # The server's Date runs ten days ahead of its data: its last ten days come back empty.
    fake = FakeAPI(seed=0, now=NOW, data_lag_days=10)
    path = tmp_path / "lag.db"
    with client_for(fake) as client, Store(path) as store:
        store.sync(client, start="2026-10-01", endpoints=["costs"], now=NOW)
        held = store.coverage("costs", *OCTOBER, now=NOW)
        lagging = stored(store, *OCTOBER)
        # The empty days are not settled: said, and fetched again.
        assert held.endpoints["costs"].unconfirmed == ((ts("2026-10-22"), NOW),)
        assert (
            "Empty, to be confirmed: costs 2026-10-22 to 2026-10-31 (came back empty; fetched "
            "again by each sync until 35 days old)" in held.lines()
        )
        # The data catches up; the next sync (a day later) fetches the empty days again.
        fake.data_lag_days = 0
        fake.set_now(NOW + DAY)
        store.sync(client, endpoints=["costs"], now=NOW + DAY)
        caught_up = stored(store, *OCTOBER)
        after = store.coverage("costs", *OCTOBER, now=NOW + DAY).endpoints["costs"]
    assert caught_up == truth(fake, *OCTOBER)
    assert lagging < caught_up
    assert after.unconfirmed == ()
    # Past 35 days, an empty bucket settles like any other (documented).
    from openai_usage_client.store._plan import state_of

    assert state_of(ts("2026-10-02"), ts("2026-10-02") + 34 * DAY, 2, rows=0) == "provisional"
    assert state_of(ts("2026-10-02"), ts("2026-10-02") + 35 * DAY, 2, rows=0) == "settled"
    assert state_of(ts("2026-10-02"), ts("2026-10-02") + 2 * DAY, 2, rows=3) == "settled"


@pytest.fixture
def synced(tmp_path: Path) -> tuple[Path, FakeAPI]:
    fake = FakeAPI(seed=0, now=NOW)
    path = tmp_path / "s.db"
    with client_for(fake) as client, Store(path) as store:
        store.sync(client, start="2026-10-01", endpoints=["costs"], now=NOW)
    return path, fake


def test_rows_lost_behind_the_stores_back_are_named(
    synced: tuple[Path, FakeAPI], capsys: pytest.CaptureFixture[str]
) -> None:
    path, fake = synced
    with Store(path) as store:
        store.connection.execute(
            "DELETE FROM costs WHERE start_unix >= ? AND start_unix < ?",
            (ts("2026-10-03"), ts("2026-10-06")),
        )
        store.connection.execute(
            "UPDATE costs SET amount_value = '0', amount_value__units = 0, "
            "amount_value__nano = 0, amount_value__atto = 0 WHERE start_unix = ? AND "
            "rowid = (SELECT MIN(rowid) FROM costs WHERE start_unix = ? AND amount_value != '0')",
            (ts("2026-10-10"), ts("2026-10-10")),
        )
        held = store.coverage("costs", *OCTOBER, now=NOW).endpoints["costs"]
    assert held.lost == ((ts("2026-10-03"), ts("2026-10-06")), (ts("2026-10-10"), ts("2026-10-11")))
    assert not held.complete
    code, out, _ = run("report", "--db", str(path), "--start", "2026-10-01", "--end",
                       "2026-11-01", "--no-names")  # fmt: skip
    assert code == 0
    assert (
        f"Lost: costs 2026-10-03 to 2026-10-05 (its rows no longer match what was synced): "
        f"openai-usage sync --db {path} --endpoint costs --refetch 2026-10-03..2026-10-05"
    ) in out.splitlines()
    code, _, err = run("--fake", "--fake-now", "2026-11-01", "sync", "--db", str(path),
                       "--endpoint", "costs", "--refetch", "2026-10-03..2026-10-10",
                       "-q")  # fmt: skip
    assert code == 0, err
    with Store(path) as store:
        again = store.coverage("costs", *OCTOBER, now=NOW).endpoints["costs"]
        assert (again.lost, again.complete) == ((), True)
        assert stored(store, *OCTOBER) == truth(fake, *OCTOBER)


def test_a_first_sync_killed_before_it_stored_anything_is_named(tmp_path: Path) -> None:
    path = tmp_path / "killed.db"
    with Store(path) as store:
        store.connection.execute(
            "INSERT INTO sync_runs (started_at, outcome, endpoints) VALUES "
            "('2026-10-31T23:50:00Z', 'running', '[\"costs\", \"completions\"]')"
        )
    for args in (("report", "--db", str(path)), ("check", "--db", str(path),
                                                 "--monthly-budget", "5")):  # fmt: skip
        code, _, err = run(*args)
        assert code == 10, args
        assert "a sync started 2026-10-31 23:50 UTC did not finish and left no data" in err


def test_sigterm_stops_a_sync_as_ctrl_c_does(tmp_path: Path) -> None:
    path = tmp_path / "term.db"
    with FakeServer(FakeAPI(seed=0, now=NOW, latency=0.4), port=0) as server:
        env = {**os.environ, "OPENAI_ADMIN_KEY": "sk-admin-fake-term"}
        child = subprocess.Popen(
            [sys.executable, "-m", "openai_usage_client", "--base-url", server.base_url,
             "sync", "--db", str(path), "--start", "2026-01-01", "--no-names",
             "--endpoint", "costs", "--endpoint", "completions"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until its first window is written
            time.sleep(0.2)
            if path.exists():
                with Store(path) as store:
                    done = store.connection.execute("SELECT COUNT(*) FROM coverage").fetchone()
                if done[0]:
                    break
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=60)
    assert child.returncode == 143, err
    assert "stopped by SIGTERM" in err
    assert "Run the same sync again to fetch what is missing" in err
    with Store(path) as store:
        outcome, missing = store.connection.execute(
            "SELECT outcome, missing FROM sync_runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert outcome == "interrupted"
    assert json.loads(missing)  # the ranges it did not store


def test_a_plain_sync_refreshes_every_series_the_store_holds(tmp_path: Path) -> None:
    path = tmp_path / "all.db"
    code, _, err = run("--fake", "--fake-now", "2026-10-20", "sync", "--db", str(path),
                       "--start", "2026-10-01", "--endpoint", "all", "-q")  # fmt: skip
    assert code == 0, err
    code, _, err = run("--fake", "--fake-now", "2026-10-20", "sync", "--db", str(path),
                       "--endpoint", "completions", "--bucket-width", "1h", "-q")  # fmt: skip
    assert code == 0, err
    with Store(path) as store:
        held = store.connection.execute("SELECT COUNT(*) FROM series").fetchone()[0]
        current = store.connection.execute(
            "SELECT bucket_width FROM series WHERE endpoint = 'completions' "
            "ORDER BY last_run DESC LIMIT 1"
        ).fetchone()[0]
    assert current == "1h"
    # Two weeks later, a plain sync (no --endpoint) brings every series up to date.
    code, _, err = run("--fake", "--fake-now", "2026-11-03", "sync", "--db", str(path), "-q")
    assert code == 0, err
    with Store(path) as store:
        rows = store.connection.execute(
            "SELECT endpoint, bucket_width, MAX(bucket_start) FROM coverage "
            "GROUP BY endpoint, bucket_width, grouping"
        ).fetchall()
        assert len(rows) == held == 13
        assert {r[2] >= ts("2026-11-02") for r in rows} == {True}
        # The series each endpoint reads is still the one synced last.
        current = store.connection.execute(
            "SELECT bucket_width FROM series WHERE endpoint = 'completions' "
            "ORDER BY last_run DESC LIMIT 1"
        ).fetchone()[0]
    assert current == "1h"
