"""``kill -9`` of a sync at random moments: every window is all-or-nothing, and a rerun ends
equal to the ground truth with no duplicate row."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _store_helpers import DAY, assert_equal_truth, client_for, no_duplicates, ts

from openai_usage_client.store import Store
from openai_usage_client.testing import FakeAPI

ENDPOINTS = ("costs", "completions")
NOW = ts("2026-10-20")
START = NOW - 40 * DAY

CHILD = """
import sys

import httpx

from openai_usage_client import UsageClient
from openai_usage_client.store import Store
from openai_usage_client.testing import BASE_URL, DEFAULT_ADMIN_KEY, FakeAPI

path, now, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fake = FakeAPI(0, now=now, latency=0.02, settle_days=2)
http = httpx.Client(transport=fake.transport())
client = UsageClient(DEFAULT_ADMIN_KEY, base_url=BASE_URL, http_client=http, concurrency=2)
store = Store(path)
print("syncing", flush=True)
store.sync(client, start=start, now=now, window=2)
print("done", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_kill_9_at_random_moments_then_rerun(tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    rng = random.Random(13)
    truth = FakeAPI(0, now=NOW)
    # Every bucket from START to the open one, per endpoint.
    complete = 2 * ((NOW - START) // DAY + 1)
    partial = 0
    for attempt in range(10):
        path = tmp_path / f"usage-{attempt}.db"
        child = subprocess.Popen(
            [sys.executable, str(script), str(path), str(NOW), str(START)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "syncing"
        time.sleep(rng.uniform(0.0, 0.4))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
        with Store(path) as store:
            covered = store.connection.execute("SELECT COUNT(*) FROM coverage").fetchone()[0]
            partial += covered < complete
            no_duplicates(store, ENDPOINTS)
            # What the killed run left says so (issue 20): it is unfinished, no sync
            # finished, and every bucket it did not store reads as missing.
            held = store.coverage(ENDPOINTS, START, NOW + DAY, now=NOW + 1)
            runs = store.connection.execute("SELECT outcome FROM sync_runs").fetchall()
            if runs:
                assert runs == [("running",)]
                assert all(e.last_sync is None and e.unfinished for e in held.endpoints.values())
                assert held.as_of() == (
                    "Data as of the last finished sync: none finished (a sync started "
                    f"{held.endpoints['costs'].unfinished[0]:%Y-%m-%d %H:%M} UTC stopped "
                    "part-way; what it fetched is kept)"
                )
            lacking = sum((b - a) // DAY for e in held.endpoints.values() for a, b in e.missing)
            assert lacking == complete - covered
            fake = FakeAPI(0, now=NOW, settle_days=2)
            with client_for(fake) as client:
                store.sync(client, start=START, now=NOW, window=2)
            assert_equal_truth(store, truth, ENDPOINTS, START, NOW - 2 * DAY)
            no_duplicates(store, ENDPOINTS)
            assert store.connection.execute("SELECT COUNT(*) FROM coverage").fetchone()[0] == (
                complete
            )
            outcomes = [r[0] for r in store.connection.execute("SELECT outcome FROM sync_runs")]
            assert outcomes[-1] == "ok" and "running" not in outcomes
    # The kills did land in the middle of syncs (not only before or after them).
    assert partial >= 5
