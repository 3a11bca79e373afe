"""The CLI's output files, time errors, global options anywhere, the fake's clock and long
ranges (issue 10, items 5, 7, 8, 9 and 11), run in-process through ``main(argv)``."""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from _cli_run import run

from openai_usage_client._cli import main
from openai_usage_client._cli._times import future_warning
from openai_usage_client.testing import FakeAPI

pytestmark = pytest.mark.usefixtures("no_ambient_key")

NOW = 1_793_491_200  # the fake's default now, 2026-11-01T00:00Z
DAY = 86_400
RANGE = ["--start", "2026-10-25", "--end", "2026-11-01"]


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


# --- item 5: --output ----------------------------------------------------------------------


def test_parquet_output_is_parquet(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    target = tmp_path / "costs.parquet"
    args = ["--fake", "costs", *RANGE, "--group-by", "project_id"]
    code, out, _ = run(*args, "-o", str(target))
    assert code == 0 and out == ""
    assert target.read_bytes()[:4] == b"PAR1"
    table = pq.read_table(target)
    code, text, _ = run(*args, "-f", "csv")
    expected = csv_rows(text)
    assert table.num_rows == len(expected) > 7
    amounts = table.column("amount_value").to_pylist()
    assert sum(amounts) == sum(Decimal(r["amount_value"]) for r in expected)
    assert [p.name for p in tmp_path.iterdir()] == ["costs.parquet"]


def test_parquet_without_pyarrow_gives_the_hint_before_any_request(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    code, out, err = run("--fake", "costs", "-o", str(tmp_path / "x.parquet"))
    assert code == 2 and out == ""
    assert "pip install 'openai-usage-client[parquet]'" in err
    assert list(tmp_path.iterdir()) == []


def test_parquet_needs_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run("--fake", "costs", "-f", "parquet")
    assert code == 2
    assert "--output" in err


def test_an_unknown_extension_needs_format(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run("--fake", "costs", *RANGE, "-o", str(tmp_path / "costs.txt"))
    assert code == 2
    assert err.startswith("openai-usage: error: ") and err.count("\n") == 1
    assert "'costs.txt'" in err and "--format" in err
    assert list(tmp_path.iterdir()) == []
    code, _, _ = run("--fake", "costs", *RANGE, "-o", str(tmp_path / "costs.txt"), "-f", "csv")
    assert code == 0
    assert (tmp_path / "costs.txt").read_text().startswith("endpoint,")


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_output_files_respect_the_umask(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, umask: int, mode: int
) -> None:
    target = tmp_path / "costs.csv"
    previous = os.umask(umask)
    try:
        code, _, _ = run("--fake", "costs", *RANGE, "-o", str(target))
    finally:
        os.umask(previous)
    assert code == 0
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_output_into_a_missing_folder_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("--fake", "costs", *RANGE, "--output", "nodir/x.csv")
    assert code == 2 and out == ""
    assert "folder nodir does not exist" in err
    assert err.count("\n") == 1 and ".partial" not in err
    assert list(tmp_path.iterdir()) == []


# --- item 7: time errors in the user's terms -------------------------------------------------


def test_a_start_in_the_future_names_the_option_and_echoes_the_value(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run("--fake", "costs", "--start", "2027-01-01")
    assert code == 2 and out == ""
    assert err == (
        "openai-usage: error: invalid --start '2027-01-01' (2027-01-01T00:00:00Z, in the "
        "future): it must be before --end (default: now) (2026-11-01T00:00:00Z); with --fake, "
        "now is the fake's fixed clock: move it with --fake-now\n"
    )
    code, _, err = run("--fake", "--fake-now", "2026-11-15", "costs", "--start", "2026-11-20")
    assert code == 2
    assert err.endswith("before --end (default: now) (2026-11-15T00:00:00Z)\n")


def test_this_month_at_the_fakes_default_clock_points_at_fake_now(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run("--fake", "costs", "--start", "this-month")
    assert code == 2
    assert err.startswith(
        "openai-usage: error: invalid --start 'this-month' (2026-11-01T00:00:00Z)"
    )
    assert "move it with --fake-now" in err


def test_an_end_before_the_default_start_names_end(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run("--fake", "completions", "--end", "1767225600")
    assert code == 2
    assert "invalid --end '1767225600' (2026-01-01T00:00:00Z)" in err
    assert "--start (default: 7 days before today) (2026-10-25T00:00:00Z)" in err
    assert "end_time" not in err and "start_time" not in err


def test_start_after_end_both_given(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run("--fake", "report", "--start", "2026-10-30", "--end", "3d")
    assert code == 2
    assert "invalid --start '2026-10-30' (2026-10-30T00:00:00Z)" in err
    assert "--end '3d' (2026-10-29T00:00:00Z)" in err


def test_a_range_past_the_fakes_clock_warns(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--fake", "costs", "--start", "2027-01-01", "--end", "2027-02-01", "-f", "csv"]
    code, out, err = run(*args)
    assert code == 0
    assert out.count("\n") == 1  # the header only
    assert err == (
        "openai-usage: warning: the range 2027-01-01T00:00:00Z to 2027-02-01T00:00:00Z is "
        "wholly after the fake's clock, 2026-11-01T00:00:00Z (set it with --fake-now): there "
        "is no usage in it\n"
    )
    # A report of days that have not happened is refused (issue 25): not $0.00 a day.
    code, _, err = run("--fake", "report", "-q", "--start", "2027-01-01", "--end", "2027-01-04")
    assert code == 2
    assert err.startswith(
        "openai-usage: error: invalid start='2027-01-01 00:00 UTC': a time before the fake's "
        "clock (set it with --fake-now) (2026-11-01 00:00 UTC): the period has not happened yet"
    )


def test_a_range_in_the_real_future_says_so() -> None:
    now = datetime(2026, 11, 29, 12, tzinfo=UTC)
    start = int(datetime(2027, 1, 1, tzinfo=UTC).timestamp())
    message = future_warning(start, start + DAY, now, "now")
    assert message == (
        "the range 2027-01-01T00:00:00Z to 2027-01-02T00:00:00Z is wholly in the future "
        "(now is 2026-11-29T12:00:00Z): there is no usage in it yet"
    )
    assert future_warning(start - DAY * 60, start, now, "now") is None


# --- item 8: global options anywhere; one-line usage errors ----------------------------------


def test_global_options_after_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    before = run("--fake", "costs", *RANGE, "-f", "csv")
    after = run("costs", *RANGE, "-f", "csv", "--fake")
    assert before[0] == after[0] == 0
    assert before[1] == after[1] and len(csv_rows(after[1])) == 7
    code, out, _ = run("report", "--fake", "-q", "--days", "2")
    assert code == 0 and out.startswith("OpenAI usage report: 2026-10-30 00:00")


def test_every_global_option_is_taken_after_the_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(
        "costs",
        *RANGE,
        "--fake",
        "--fake-now",
        "2026-11-01",
        "--timeout",
        "5",
        "--max-retries",
        "0",
        "-v",
        "--debug",
        "-f",
        "csv",
    )
    assert code == 0
    assert "client: base_url=https://api.openai.com/v1 fake=True" in err
    code, _, err = run("costs", "--fake", "--base-url", "http://example.com/v1")
    assert code == 2
    assert "example.com" in err  # the base URL given after the command was used (and refused)


def test_usage_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--fake", "costs", "--no-such-option"], ["no-such-command"], ["costs", "-f"]):
        code, out, err = run(*args)
        assert code == 2 and out == ""
        assert err.startswith("openai-usage: error: ") and err.count("\n") == 1, err
    _, _, err = run("--fake", "costs", "--no-such-option")
    assert err == (
        "openai-usage: error: No such option '--no-such-option' (see 'openai-usage costs --help')\n"
    )


# --- item 9: the fake's clock ----------------------------------------------------------------


def test_fake_now_moves_the_fakes_clock(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        "--fake", "--fake-now", "2026-12-15T06:00Z", "costs", "--start", "this-month"
    )
    assert code == 0
    code, out, _ = run(
        "costs", "--start", "this-month", "-f", "csv", "--fake", "--fake-now", "2026-12-15"
    )
    assert code == 0
    rows = csv_rows(out)
    assert [r["start_time"][:10] for r in rows] == [f"2026-12-{d:02}" for d in range(1, 15)]
    now = int(datetime(2026, 12, 15, tzinfo=UTC).timestamp())
    start = int(datetime(2026, 12, 1, tzinfo=UTC).timestamp())
    truth = FakeAPI(seed=0, now=now).totals("costs", start_time=start, end_time=now)
    assert sum(Decimal(r["amount_value"]) for r in rows) == truth[()]["amount"]


def test_fake_now_now_is_the_real_clock(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("--fake", "--fake-now", "now", "costs", "--start", "3d", "-f", "csv")
    assert code == 0
    today = datetime.now(UTC).date()
    days = [r["start_time"][:10] for r in csv_rows(out)]
    assert days[-1] == str(today) or days[-1] == str(today.fromordinal(today.toordinal() - 1))


def test_fake_now_needs_fake(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run("--fake-now", "2026-12-01", "costs")
    assert code == 2
    assert "--fake-now applies only with --fake" in err
    code, _, err = run("--fake", "--fake-now", "soon", "costs")
    assert code == 2 and "--fake-now" in err and "'soon'" in err


# --- item 11: long ranges --------------------------------------------------------------------


def test_a_long_range_says_how_many_requests_and_counts_them_down(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["--fake", "costs", "--start", "0", "-f", "csv"]) == 0
    text = terminal.getvalue()
    # 1970-01-01 to 2026-11-01 is 20,758 days: 116 requests of 180 daily buckets.
    assert text.startswith(
        "openai-usage: costs: 1970-01-01T00:00:00Z to 2026-11-01T00:00:00Z needs 116 "
        "requests (buckets of 1d, 180 a request); Ctrl-C stops\n"
    )
    lines = [line.strip() for line in text.split("\r") if line.strip()]
    assert re.fullmatch(r"costs: 180 buckets, 1 page, 115 left, \d+\.\ds", lines[1])
    assert re.fullmatch(r"costs: 20758 buckets, 116 pages, 0 left, \d+\.\ds", lines[-1])
    assert len(csv_rows(capsys.readouterr().out)) == 730  # data from 2024-11-01 only


def test_up_to_100_requests_say_nothing_more(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from openai_usage_client._cli._output import LOTS_OF_REQUESTS, requests_needed
    from openai_usage_client._cli.commands import endpoints

    # The threshold is pure arithmetic: 100 requests of 180 days exactly, then one day more.
    assert requests_needed(NOW - 100 * 180 * DAY, NOW, DAY, 180) == LOTS_OF_REQUESTS == 100
    assert requests_needed(NOW - 100 * 180 * DAY - DAY, NOW, DAY, 180) == 101
    # The command's announcement, without fetching half a century of days through the fake
    # (the countdown itself is the test above).
    monkeypatch.setattr(endpoints, "fetch_rows", lambda stream, name, progress: iter(()))
    hundred = str(NOW - 100 * 180 * DAY)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["--fake", "costs", "--start", hundred, "-f", "csv"]) == 0
    assert "needs" not in terminal.getvalue() and " left" not in terminal.getvalue()
    assert main(["--fake", "costs", "--start", str(int(hundred) - DAY), "-f", "csv"]) == 0
    assert "needs 101 requests" in terminal.getvalue()
    quiet = Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    assert main(["--fake", "costs", "--start", "0", "-f", "csv", "-q"]) == 0
    assert quiet.getvalue() == ""
