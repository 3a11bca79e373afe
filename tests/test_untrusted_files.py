"""Files are written safely on a shared machine (issue 34): one writer for every file (a unique
temporary file created exclusively beside the target, renamed into place), so concurrent runs
each publish a whole file, a full disk leaves the previous file whole and no debris, a planted
link is never followed, and a missing folder is refused (exit 2) before any work."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pytest
from _cli_run import run

from openai_usage_client._core._files import OutputError, replacing
from openai_usage_client.store import Store, StoreError
from openai_usage_client.store._lock import SyncLock


def _debris(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_concurrent_writers_each_publish_a_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    bodies = [f"{i}\n".encode() * 200_000 for i in range(4)]
    start = threading.Barrier(len(bodies))

    def write(body: bytes) -> None:
        start.wait()
        with replacing(target) as tmp, open(tmp, "wb") as handle:
            for at in range(0, len(body), 65_536):
                handle.write(body[at : at + 65_536])

    threads = [threading.Thread(target=write, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert target.read_bytes() in bodies
    assert _debris(tmp_path) == []


def test_a_full_disk_leaves_the_previous_file_whole_and_no_debris(tmp_path: Path) -> None:
    target = tmp_path / "report.png"
    target.write_bytes(b"the old chart")
    with pytest.raises(OutputError) as info, replacing(target) as tmp:
        tmp.write_bytes(b"half a ch")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert str(info.value) == (
        f"could not write {target}: the disk is full; nothing was left behind and the "
        "previous file, if any, is as it was"
    )
    assert target.read_bytes() == b"the old chart"
    assert _debris(tmp_path) == []


def test_the_temporary_file_is_new_and_private_to_its_writer(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    target = tmp_path / "out.csv"
    with replacing(target) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".out.csv.")
        assert not tmp.is_symlink() and tmp.stat().st_size == 0
        tmp.write_text("new")
    assert target.read_text() == "new" and victim.read_text() == "keep me"


def test_the_sync_lock_never_follows_a_planted_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    db = tmp_path / "usage.db"
    Store(db).close()
    (tmp_path / "usage.db-sync.lock").symlink_to(victim)
    lock = SyncLock(str(db), 1.0)
    with pytest.raises(StoreError) as info:
        lock.acquire()
    assert "if it is a symbolic link, remove it" in str(info.value)
    assert victim.read_text() == "precious"


def test_a_missing_folder_is_refused_before_any_work(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    assert run("--fake", "sync", "--db", str(db), "--start", "2026-10-25", "--endpoint",
               "costs", "-q")[0] == 0  # fmt: skip
    code, _, err = run("--fake", "export", "--db", str(db), "--focus", "/nonexistent/x.csv")
    assert code == 2 and "(/nonexistent does not exist)" in err
    pytest.importorskip("prometheus_client")
    code, _, err = run("metrics", "--db", str(db), "--textfile", "/nonexistent/o.prom")
    assert code == 2 and "(/nonexistent does not exist)" in err


def test_a_chart_that_fails_leaves_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openai_usage_client.report import _charts

    chart = tmp_path / "c.svg"
    chart.write_text("<svg>old</svg>")

    def full(*args: object) -> str:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(_charts, "_svg", full)
    code, _, err = run("--fake", "report", "-q", "--chart", str(chart))
    assert code == 1 and f"could not write {chart}: the disk is full" in err
    assert chart.read_text() == "<svg>old</svg>" and _debris(tmp_path) == []


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_parquet_export_that_fails_leaves_the_previous_dataset_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    db, lake = str(tmp_path / "s.db"), tmp_path / "lake"
    sync = ("sync", "--db", db, "-q", "--endpoint", "costs", "--start", "2026-10-01")
    assert run("--fake", "--fake-now", "2026-10-05T12:00Z", *sync)[0] == 0
    assert run("export", "--db", db, "--parquet-dir", str(lake))[0] == 0
    before = _tree(lake)
    assert len(before) == 6  # five days and the manifest
    # Four days later: the provisional days changed and four new ones came.
    assert run("--fake", "--fake-now", "2026-10-09T12:00Z", *sync)[0] == 0
    real, calls = pq.write_table, []

    def full_at_the_third(table: object, where: object, **kw: object) -> None:
        calls.append(where)
        if len(calls) == 3:
            Path(str(where)).write_bytes(b"PAR1 half")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(table, where, **kw)

    monkeypatch.setattr(pq, "write_table", full_at_the_third)
    code, _, err = run("export", "--db", db, "--parquet-dir", str(lake))
    assert code == 1
    assert "the disk is full; nothing was left behind and " in err
    assert f"{lake} is as it was" in " ".join(err.split())
    # Two files were written before the disk filled: neither was published.
    assert _tree(lake) == before
    assert [p for p in lake.rglob("*") if p.name.startswith(".")] == []
    # With room again, the export publishes the whole new dataset.
    monkeypatch.setattr(pq, "write_table", real)
    assert run("export", "--db", db, "--parquet-dir", str(lake))[0] == 0
    assert len(_tree(lake)) == 10


def test_config_and_price_values_out_of_bounds_exit_2_before_any_work(tmp_path: Path) -> None:
    for value, wanted in (
        ("1e308", "monthly_usd: Decimal input should have no more than 28 digits in total"),
        ("9" * 39, "monthly_usd: Decimal input should have no more than 28 digits in total"),
        ("1000000000000", "monthly_usd: Input should be less than 1000000000000"),
    ):
        config = tmp_path / "c.toml"
        config.write_text(f'[[budget]]\nscope = "organization"\nmonthly_usd = {value}\n')
        code, _, err = run("--fake", "check", "--config", str(config))
        assert code == 2 and f"{config}: [[budget]] #1: {wanted}" in err, err
    config.write_bytes(b"\xff\xfe[[budget]]")
    code, _, err = run("--fake", "check", "--config", str(config))
    assert code == 2 and f"{config}: not UTF-8 text" in err
    prices = tmp_path / "p.toml"
    prices.write_text('[prices]\n"x" = { usd = "1e999999", per = "1M tokens" }\n')
    db = tmp_path / "s.db"
    assert run("--fake", "sync", "--db", str(db), "--start", "2026-10-25", "--endpoint",
               "costs", "-q")[0] == 0  # fmt: skip
    code, _, err = run("--fake", "reconcile", "--db", str(db), "--prices", str(prices))
    assert code == 2 and "usd is a decimal number from 0 to below 10^12, not 1E+999999" in err


def test_export_focus_refuses_an_empty_reversed_or_future_range(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    assert run("--fake", "sync", "--db", str(db), "--start", "2026-10-25", "--endpoint",
               "costs", "-q")[0] == 0  # fmt: skip
    out = tmp_path / "f.csv"
    for start, end, option in (("2026-10-28", "2026-10-26", "--end"),
                               ("2026-10-28", "2026-10-28", "--end"),
                               ("2027-01-01", "2027-02-01", "--start")):  # fmt: skip
        code, _, err = run("--fake", "export", "--db", str(db), "--focus", str(out), "--start",
                           start, "--end", end)  # fmt: skip
        assert code == 2 and f"Invalid value for {option}: " in err, err
    assert not out.exists()
    # A start before the store's first day (1970-01-01 included, which is 0) is warned about.
    code, _, err = run("--fake", "export", "--db", str(db), "--focus", str(out), "--start",
                       "1970-01-01", "--end", "2026-10-27")  # fmt: skip
    assert code == 0
    assert "warning: Missing: costs 1970-01-01 to 2026-10-24 (not in the store)" in err
