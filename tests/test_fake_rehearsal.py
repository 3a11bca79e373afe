"""Rehearse a daily cron job offline (issue 21): the fake server's clock moves while it runs,
its ``Date`` header is the server's "now", and ten daily syncs end with the store a fresh sync
at the last clock makes, row for row and cent for cent, though costs settled late between."""

from __future__ import annotations

import contextlib
import email.utils
from pathlib import Path
from typing import Any

import httpx
import pytest
from _cli_run import run

from openai_usage_client import UsageClient
from openai_usage_client.store import Store
from openai_usage_client.testing import DEFAULT_ADMIN_KEY, FakeAPI, FakeServer
from tests._store_helpers import DAY, ts

T0 = ts("2026-11-01")


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", DEFAULT_ADMIN_KEY)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


def everything(path: Path) -> dict[str, list[dict[str, Any]]]:
    with Store(path) as store:
        return {e: list(store.rows(e, names=False)) for e in ("costs", "completions")}


def test_the_fake_sends_its_clock_and_the_client_reads_it() -> None:
    fake = FakeAPI(seed=0, now=T0)
    answer = fake.handle("GET", "/v1/organization/costs", f"start_time={T0 - DAY}",
                         {"authorization": f"Bearer {DEFAULT_ADMIN_KEY}"})  # fmt: skip
    assert answer.headers["date"] == "Sun, 01 Nov 2026 00:00:00 GMT"
    assert fake.advance(days=1, hours=6) == T0 + DAY + 6 * 3600
    with FakeServer(fake) as server:
        with UsageClient(DEFAULT_ADMIN_KEY, base_url=server.base_url) as client:
            assert client.server_time() is None
            list(client.costs(start_time=T0 - 2 * DAY, end_time=T0))
            assert abs((client.server_time() or 0) - (T0 + DAY + 6 * 3600)) <= 2
        raw = httpx.get(server.base_url.removesuffix("/v1") + "/_fake/clock")
        assert raw.json()["now"] == "2026-11-02T06:00:00Z"
        moved = httpx.post(server.base_url.removesuffix("/v1") + "/_fake/clock?advance=18h")
        assert moved.json() == {"now": "2026-11-03T00:00:00Z", "unix": T0 + 2 * DAY,
                                "follows_real_clock": False}  # fmt: skip
        assert fake.now == T0 + 2 * DAY
        bad = httpx.post(server.base_url.removesuffix("/v1") + "/_fake/clock?advance=soon")
        assert bad.status_code == 400 and bad.json()["error"]["param"] == "advance"
        date = httpx.get(server.base_url + "/organization/costs").headers["date"]
        assert email.utils.parsedate_to_datetime(date).timestamp() == T0 + 2 * DAY


def test_a_sync_against_a_server_in_the_past_stores_nothing_of_its_future(
    tmp_path: Path,
) -> None:
    """The server's clock is fixed at 2026-11-01 while this machine's is later: the days
    after it have not happened, so they are not stored as settled days without spend, and
    a later sync (the server's clock moved on) fetches them."""
    db = tmp_path / "past.db"
    fake = FakeAPI(seed=0, now=T0, settle_days=2)
    with FakeServer(fake) as server:
        code, _, err = run("--base-url", server.base_url, "sync", "--db", str(db),
                           "--start", "2026-10-25", "--endpoint", "costs", "-q")  # fmt: skip
        assert code == 0, err
        with Store(db) as store:
            last = store.connection.execute("SELECT MAX(bucket_start) FROM coverage").fetchone()
            states = dict(store.connection.execute(
                "SELECT bucket_start, state FROM coverage"))  # fmt: skip
        assert last == (T0,)  # the open bucket of the server's now, not the real today
        assert states[T0] == "provisional" and states[T0 - DAY] == "provisional"
        assert states[T0 - 3 * DAY] == "settled"
        fake.advance(days=3)
        code, _, err = run("--base-url", server.base_url, "sync", "--db", str(db),
                           "--endpoint", "costs", "-q")  # fmt: skip
        assert code == 0, err
        with Store(db) as store:
            last = store.connection.execute("SELECT MAX(bucket_start) FROM coverage").fetchone()
        assert last == (T0 + 3 * DAY,)


def test_ten_daily_syncs_end_as_one_fresh_sync_at_the_last_clock(tmp_path: Path) -> None:
    daily, fresh = tmp_path / "daily.db", tmp_path / "fresh.db"
    fake = FakeAPI(seed=3, now=T0, settle_days=2)
    revised = 0
    with FakeServer(fake) as server:
        clock = server.base_url.removesuffix("/v1") + "/_fake/clock"
        sync = ["--base-url", server.base_url, "sync", "--db", str(daily), "--start",
                "2026-10-20"]  # fmt: skip
        for day in range(10):
            code, out, err = run(*sync)
            assert code == 0, (day, err)
            revised += int(out.split(" revised")[0].rsplit(" ", 1)[-1])
            assert httpx.post(f"{clock}?advance=1d").status_code == 200
        code, _, err = run(*sync)
        assert code == 0, err
        last = fake.now
        assert last == T0 + 10 * DAY
        code, _, err = run("--base-url", server.base_url, "sync", "--db", str(fresh),
                           "--start", "2026-10-20")  # fmt: skip
        assert code == 0, err
    assert revised > 0  # late costs did change stored days between runs
    got, want = everything(daily), everything(fresh)
    assert len(want["costs"]) > 1000 and len(want["completions"]) > 100
    assert got == want  # row for row, cent for cent


def test_doctor_against_a_fake_server_in_the_past_passes_every_check() -> None:
    with FakeServer(FakeAPI(seed=0, now=T0)) as server:
        code, out, _ = run("--base-url", server.base_url, "doctor")
    assert code == 0
    assert [line.split("]")[0] for line in out.splitlines() if line.startswith("[")] == [
        "[  ok"
    ] * 8
    assert "[  ok] clock: a fake server whose clock is fixed at 2026-11-01T00:00:00Z" in out


def test_the_command_the_fake_server_suggests_shows_its_data() -> None:
    import shlex
    import subprocess
    import sys

    server = subprocess.Popen(
        [sys.executable, "-m", "openai_usage_client", "fake-server", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stderr is not None
        base_url = server.stdout.readline().strip()
        assert server.stderr.readline().startswith("Serving the fake organization (seed 0")
        suggested = shlex.split(server.stderr.readline())
        assert suggested[0].startswith("OPENAI_ADMIN_KEY=") and suggested[1] == "openai-usage"
        assert suggested[2:5] == ["--base-url", base_url, "report"]
        code, out, _ = run(*suggested[2:])
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert code == 0
    assert "Total spend: $0.00" not in out and "Total spend: $" in out


@contextlib.contextmanager
def cli_server(*options: str) -> Any:
    """``openai-usage fake-server --port 0 OPTIONS`` in a child process; yields its URL."""
    import subprocess
    import sys

    server = subprocess.Popen(
        [sys.executable, "-m", "openai_usage_client", "fake-server", "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        yield server.stdout.readline().strip()
    finally:
        server.terminate()
        server.wait(timeout=30)


PERIOD = ["--start", "2026-10-25", "--end", "2026-11-01"]


@pytest.mark.parametrize(
    ("key", "options", "code", "message"),
    [
        ("not-a-key", (), 3, "401"),
        ("sk-proj-0000", (), 3, "not an admin key"),
        (DEFAULT_ADMIN_KEY, ("--fault", "429=1", "--retry-after", "0"), 4, "429"),
        (DEFAULT_ADMIN_KEY, ("--fault", "503=1"), 5, "503"),
        (DEFAULT_ADMIN_KEY, ("--fault", "reset=1"), 5, "connection reset by the server"),
    ],
    ids=["401", "403", "429", "503", "reset"],
)
def test_refusals_and_faults_on_demand_give_the_documented_exit_codes(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    key: str,
    options: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", key)
    with cli_server(*options) as url:
        base = ["--base-url", url, "--max-retries", "0"]
        for command in (
            ["costs", *PERIOD],
            ["report", *PERIOD, "--no-names"],
            ["sync", "--db", str(tmp_path / "s.db"), "--start", "2026-10-25", "--no-names"],
            ["check", "--monthly-budget", "10"],
            ["projects"],
            ["api-keys"],
        ):
            got, _, err = run(*base, *command)
            assert (got, message in err) == (code, True), (command, err)
            assert key not in err
        got, out, _ = run(*base, "doctor")
    # doctor: 3 for a key problem, 5 for anything else (its --help), the cause on the line.
    assert got == (3 if code == 3 else 5) and "[FAIL]" in out


def test_a_bad_fault_option_is_refused() -> None:
    code, _, err = run("fake-server", "--port", "0", "--fault", "418=0.5")
    assert code == 2 and "--fault" in err and "429, 429_no_retry_after" in err
