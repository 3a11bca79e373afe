"""``openai-usage sync`` and ``openai-usage export`` against the fake."""

from __future__ import annotations

from pathlib import Path

import pytest
from _cli_run import run

from openai_usage_client._cli._state import State
from openai_usage_client.store import Store
from openai_usage_client.store._lock import SyncLock
from openai_usage_client.testing import FakeAPI, Faults, Persistent

pytestmark = pytest.mark.usefixtures("no_ambient_key")

NOW = 1_793_491_200  # the fake's now, 2026-11-01T00:00Z
DAY = 86_400


def test_sync_then_resync_then_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "usage.db")
    code, out, err = run("--fake", "sync", "--db", db, "--start", "2026-10-01")
    assert code == 0, err
    # Per endpoint, one bucket first (results per bucket size the windows), then the rest.
    assert out.startswith(f"{db}: 4 request(s), 64 bucket(s) fetched in 5 window(s)")
    assert (
        "costs (1d, by project_id, line_item, api_key_id, user_id): 2026-10-01 to 2026-11-01, "
        "settled "
        "through 2026-10-29, provisional: 2026-10-30, 2026-10-31, 2026-11-01"
    ) in out
    # The next run needs no --start and sends one request per endpoint.
    code, out, _ = run("--fake", "sync", "--db", db)
    assert code == 0
    assert "2 request(s), 6 bucket(s)" in out and "0 inserted, 0 revised, 0 removed" in out
    lake = tmp_path / "lake"
    code, out, _ = run("export", "--db", db, "--parquet-dir", str(lake))
    assert code == 0 and out.startswith(f"{lake}: 62 partition(s) written")  # Nov 1 is empty yet
    assert (lake / "endpoint=costs" / "date=2026-10-31" / "part-0.parquet").exists()
    code, out, _ = run("export", "--db", db, "--parquet-dir", str(lake))
    assert "0 partition(s) written (0 rows), 62 unchanged, 0 removed" in out


def test_sync_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "u.db"
    code, out, err = run(
        "--fake",
        "sync",
        "--db",
        str(db),
        "--start",
        "2026-10-30",
        "--endpoint",
        "embeddings",
        "--bucket-width",
        "1h",
        "--settle-days",
        "0",
    )
    assert code == 0, err
    assert "2 request(s), 49 bucket(s)" in out  # one bucket first, then the other 48
    assert "embeddings (1h, by project_id, user_id, api_key_id, model)" in out
    with Store(db) as store:
        assert store.endpoints() == ["embeddings"]


def test_first_sync_needs_start(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run("--fake", "sync", "--db", str(tmp_path / "u.db"))
    assert code == 2
    assert "start" in err and "required for the first sync" in err


def test_a_busy_store_exits_7(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "u.db"
    with SyncLock(str(db), 0):
        code, _, err = run(
            "--fake",
            "sync",
            "--db",
            str(db),
            "--start",
            "2026-10-30",
            "--lock-timeout",
            "0",
        )
    assert code == 8
    assert "another sync is running on" in err


def test_a_failed_sync_exits_with_its_causes_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every page from 2026-10-02 on fails: the sync's first bucket (2026-10-01) is stored.
    broken = FakeAPI(0, faults=Faults(persistent=(Persistent("503", from_time=NOW - 30 * DAY),)))
    monkeypatch.setattr(State, "fake_api", lambda self: broken)
    db = tmp_path / "u.db"
    code, out, err = run(
        "--fake", "--max-retries", "0", "sync", "--db", str(db), "--start", "2026-10-01"
    )
    assert code == 5 and out == ""
    assert (
        "stopped" in err
        and "Run the same sync again" in err
        and "not stored: costs 2026-10-02..2026-11-02, completions 2026-10-01..2026-11-01, "
        "completions 2026-11-01..2026-11-02"
        in err
    )
    with Store(db) as store:  # what was fetched before the failure is kept
        assert sum(1 for _ in store.rows("costs")) > 0
