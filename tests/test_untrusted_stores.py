"""A store that is damaged, foreign or read-only (issue 34): every command names the file and
the problem, offers a way out and exits 10; a read never writes (another application's SQLite
file is left exactly as it was); sync refuses a damaged store; a store in a read-only folder
can be read."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from _cli_run import run

from openai_usage_client.store import Store

WAY_OUT = "restore a copy, or move it aside and rebuild it from the API with 'openai-usage sync"


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("stores") / "usage.db"
    assert run("--fake", "sync", "--db", str(db), "--start", "2026-10-20", "--endpoint",
               "costs", "-q")[0] == 0  # fmt: skip
    return db


def _copy(src: Path, dst: Path) -> Path:
    dst.write_bytes(src.read_bytes())
    return dst


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_damaged_store_is_named_with_a_way_out(synced: Path, tmp_path: Path) -> None:
    db = _copy(synced, tmp_path / "damaged.db")
    data = bytearray(db.read_bytes())
    data[4096 : 4096 * 3] = b"\xde\xad" * 4096  # pages overwritten with garbage
    db.write_bytes(bytes(data))
    for args in (("report", "--db", str(db)), ("check", "--db", str(db), "--monthly-budget",
                 "5"), ("--fake", "sync", "--db", str(db))):  # fmt: skip
        code, _, err = run(*args)
        assert code == 10, (args, err)
        assert f"the store {db} is damaged (" in err and WAY_OUT in err, args


def test_a_file_cut_in_half_and_a_text_file(synced: Path, tmp_path: Path) -> None:
    half = tmp_path / "half.db"
    half.write_bytes(synced.read_bytes()[: synced.stat().st_size // 2])
    code, _, err = run("report", "--db", str(half))
    assert code == 10 and str(half) in err and WAY_OUT in err
    text = tmp_path / "notes.db"
    text.write_text("just some notes\n" * 100)
    code, _, err = run("report", "--db", str(text))
    assert code == 10
    assert f"{text} is not a store of openai-usage-client (it is not an SQLite database)" in err


def test_a_read_never_writes_into_another_applications_file(tmp_path: Path) -> None:
    other = tmp_path / "app.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO users (name) VALUES ('ada')")
    conn.close()
    before = _digest(other)
    for args in (("report", "--db", str(other)), ("--fake", "sync", "--db", str(other))):
        code, _, err = run(*args)
        assert code == 10, (args, err)
        assert f"{other} is not a store of openai-usage-client (it holds the tables users)" in err
    assert _digest(other) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.db"]  # no -wal, no -shm


def test_a_schema_version_that_is_not_a_number_or_newer(synced: Path, tmp_path: Path) -> None:
    for value, wanted in (
        ("abc", "says its store schema version is 'abc', which no version"),
        ("-5", "says its store schema version is '-5', which no version"),
        ("9", "has store schema version 9; this version of openai-usage-client reads up to 3"),
    ):
        db = _copy(synced, tmp_path / f"v{value}.db")
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (value,))
        conn.close()
        code, _, err = run("report", "--db", str(db))
        assert (code, wanted in err) == (10, True), err


def test_a_store_in_a_read_only_folder_can_be_read(synced: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backup"
    folder.mkdir()
    db = _copy(synced, folder / "usage.db")
    args = ["report", "--db", str(db), "--start", "2026-10-20", "--end", "2026-11-01"]
    if os.geteuid() == 0:
        # Root writes through a folder's mode bits: make it a read-only mount instead (a
        # mounted backup, as users meet it), in a private mount namespace.
        code, out, err = _on_a_read_only_mount(folder, args)
    else:
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
        try:
            code, out, err = run(*args)
        finally:
            folder.chmod(stat.S_IRWXU)
    assert code == 0, err
    assert "Total spend: $" in out
    assert sorted(p.name for p in folder.iterdir()) == ["usage.db"]


def _on_a_read_only_mount(folder: Path, args: list[str]) -> tuple[int, str, str]:
    if shutil.which("unshare") is None:
        pytest.skip("as root, a read-only folder needs a read-only mount, and unshare is missing")
    script = (
        'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" && touch "$1/x" '
        '2>/dev/null && exit 77; shift; exec "$@"'
    )
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, "sh", str(folder), sys.executable, "-m",
         "openai_usage_client", *args],
        capture_output=True, text=True, check=False, env={**os.environ, "COLUMNS": "80"},
    )  # fmt: skip
    if done.returncode == 77 or "mount:" in done.stderr:
        pytest.skip(f"cannot make a read-only mount here: {done.stderr.strip()}")
    return done.returncode, done.stdout, done.stderr


def test_read_only_opens_change_nothing(synced: Path, tmp_path: Path) -> None:
    db = _copy(synced, tmp_path / "ro.db")
    before = _digest(db)
    with Store(db, read_only=True) as store:
        assert store.summarize("costs", fields=["amount_value"])[0]["rows"] > 0
        with pytest.raises(Exception, match="opened read-only"):
            store.sync(object(), start="2026-10-01")
    assert _digest(db) == before
