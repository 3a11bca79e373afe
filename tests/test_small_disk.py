"""A full disk for real (issue 34): a tmpfs of a few pages mounted in a private mount
namespace (``unshare -rm``, no change to the machine), filled to its last page; then sync,
``export --focus``, ``export --parquet-dir`` and ``metrics --textfile`` each name the full disk
and the path, leave the previous file whole and leave no debris. Skipped, with the reason,
where the machine cannot mount one (the same cases with the fault injected at the write are in
``test_untrusted_files.py`` and run everywhere)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _cli_run import run

pytestmark = pytest.mark.usefixtures("no_ambient_key")

#: Runs inside the namespace, with the small filesystem mounted at ``argv[1]``.
DRIVER = r"""
import contextlib, io, json, os, sys
from pathlib import Path
from openai_usage_client._cli import main

small, store, out = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
(small / "focus.csv").write_text("the old export")
(small / "m.prom").write_text("# the old metrics")

def fill(leave):
    room = os.statvfs(small)
    with open(small / "filler", "ab") as filler:
        filler.write(b"x" * (room.f_bavail * room.f_frsize - leave))

def cli(*args):
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(list(args))
    return [code, " ".join(err.getvalue().split())]

def sync(name, start="2026-01-01"):
    return cli("--fake", "--fake-now", "2026-10-05T12:00Z", "sync", "--db", str(small / name),
               "-q", "--endpoint", "costs", "--start", start)

# Room for a store to begin, not for the year it is asked for.
fill(400 * 1024)
found = {"sync": sync("s.db")}
# Then full but for one page: the first write of a real size meets a full disk.
fill(4096)
found |= {
    "create": sync("new.db"),
    "focus": cli("export", "--db", store, "--focus", str(small / "focus.csv"),
                 "--start", "2026-08-01", "--end", "2026-10-01"),
    "parquet": cli("export", "--db", store, "--parquet-dir", str(small / "lake")),
    "textfile": cli("--fake-now", "2026-10-05T12:00Z", "metrics", "--db", store,
                    "--textfile", str(small / "m.prom")),
}
found["files"] = sorted(str(p.relative_to(small)) for p in small.rglob("*") if p.is_file())
found["focus.csv"] = (small / "focus.csv").read_text()
found["m.prom"] = (small / "m.prom").read_text()
# With room again, the store that could not be created is made where it failed.
(small / "filler").unlink()
found["after"] = sync("new.db", "2026-10-04")
Path(out).write_text(json.dumps(found))
"""


def _small_disk(tmp_path: Path) -> Path:
    """A folder where the namespace mounts the small filesystem (skip if it cannot)."""
    small = tmp_path / "small"
    small.mkdir()
    if shutil.which("unshare") is None or sys.platform != "linux":
        pytest.skip("no unshare(1) here: a small filesystem cannot be mounted")
    probe = subprocess.run(
        ["unshare", "-rm", "mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(small)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {probe.stderr.strip()}")
    return small


def test_a_real_full_disk_names_itself_and_leaves_the_old_files_whole(tmp_path: Path) -> None:
    small = _small_disk(tmp_path)
    store = str(tmp_path / "big.db")
    assert run("--fake", "--fake-now", "2026-10-05T12:00Z", "sync", "--db", store, "-q",
               "--endpoint", "costs", "--start", "2026-08-01")[0] == 0  # fmt: skip
    (tmp_path / "driver.py").write_text(DRIVER)
    out = tmp_path / "found.json"
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c",
         f'mount -t tmpfs -o size=1m tmpfs "$1" && exec "{sys.executable}" "$2" "$1" "$3" "$4"',
         "sh", str(small), str(tmp_path / "driver.py"), store, str(out)],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = json.loads(out.read_text())
    lake = f"{small}/lake"
    assert found["focus"] == [1, f"openai-usage: error: could not write {small}/focus.csv: the "
                              "disk is full; nothing was left behind and the previous file, if "
                              "any, is as it was"]  # fmt: skip
    assert found["parquet"][0] == 1
    assert found["parquet"][1].startswith(f"openai-usage: error: could not write {lake}/")
    assert found["parquet"][1].endswith(
        f": the disk is full; nothing was left behind and {lake} is as it was"
    )
    assert found["textfile"] == [1, f"openai-usage: error: could not write {small}/m.prom: the "
                                 "disk is full; nothing was left behind and the previous file, "
                                 "if any, is as it was"]  # fmt: skip
    code, text = found["sync"]
    assert code == 10
    assert text.startswith(
        f"openai-usage: error: sync of {small}/s.db stopped: the disk is full ({small} has no "
        "room left for the store). "
    )
    assert "Free some space there (or move the store to a larger disk), then run" in text
    # A store that cannot even be created is not called damaged.
    assert found["create"] == [10, f"openai-usage: error: cannot write the store {small}/new.db: "
                               f"the disk is full ({small} has no room left); free some space "
                               "there (or put the store on a larger disk) and run the same "
                               "command again"]  # fmt: skip
    # The old files whole; no temporary file or half a dataset left behind.
    assert (found["focus.csv"], found["m.prom"]) == ("the old export", "# the old metrics")
    assert found["files"] == ["filler", "focus.csv", "m.prom", "new.db", "s.db", "s.db-shm",
                              "s.db-sync.lock", "s.db-wal"]  # fmt: skip
    assert found["after"] == [0, ""]
