"""The openai-usage command, run in-process through ``main(argv)`` against the fake."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import click
import pytest
from _cli_run import run

from openai_usage_client._cli import main
from openai_usage_client._cli._app import cli
from openai_usage_client._cli._output import Progress
from openai_usage_client._cli._times import parse_time
from openai_usage_client._cli.commands.endpoints import command_name
from openai_usage_client._core._endpoints import ENDPOINTS
from openai_usage_client._core._exceptions import InvalidParameterError
from openai_usage_client._core._exports import columns
from openai_usage_client.testing import FakeAPI

pytestmark = pytest.mark.usefixtures("no_ambient_key")

NOW = 1_793_491_200  # the fake's now, 2026-11-01T00:00Z
DAY = 86_400
RANGE = ["--start", "2026-10-25", "--end", "2026-11-01"]
START, END = NOW - 7 * DAY, NOW
README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    return FakeAPI(seed=0)


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --- help ----------------------------------------------------------------------------------


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    names = set(cli.commands)
    directory = {"projects", "api-keys", "users", "doctor"}
    store = {"sync", "export", "metrics", "reconcile", "mcp"}
    assert (
        names
        == {command_name(e) for e in ENDPOINTS}
        | {"report", "fake-server", "check"}
        | directory
        | store
    )
    for name, command in cli.commands.items():
        assert command.help and command.get_short_help_str(), name
        code, out, _ = run(name, "--help")
        assert code == 0
        assert f"Usage: openai-usage {name}" in out
    code, out, _ = run("--help")
    assert code == 0
    for name in names:
        assert name in out
    assert "Exit codes:" in out and "6  malformed response" in out


def _mentioned(name: str, markdown: str) -> bool:
    """``name`` as a command: a whole word (`sync`, not the "sync" of "async" or "resync") in
    the text's code, i.e. its fenced blocks and inline `code` spans, where commands are written."""
    code = re.findall(r"```.*?```", markdown, flags=re.S)
    code += re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", markdown, flags=re.S))
    pattern = rf"(?<![\w-]){re.escape(name)}(?![\w-])"
    return any(re.search(pattern, c) for c in code)


def test_every_command_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [name for name in cli.commands if not _mentioned(name, text)]
    assert not missing, f"README.md does not mention: {missing}"


def test_the_readme_check_matches_whole_commands_in_code_only() -> None:
    assert not _mentioned("sync", "`async` code, `openai-usage syncs`, `resync`, sync in prose")
    assert not _mentioned("export", "`openai-usage export-all`, `to_export`")
    assert _mentioned("sync", "run `openai-usage sync --db usage.db` daily")
    assert _mentioned("export", "```sh\nopenai-usage export --db x\n```")


def test_version_and_no_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("--version")
    assert code == 0 and "openai-usage" in out
    code, out, err = run()
    assert code == 2
    assert "Usage:" in out + err


# --- endpoint commands ---------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_each_endpoint_csv_matches_the_fakes_totals(
    capsys: pytest.CaptureFixture[str], fake: FakeAPI, endpoint: str
) -> None:
    group = ENDPOINTS[endpoint].group_by[0]
    code, out, err = run("--fake", command_name(endpoint), *RANGE, "--group-by", group, "-f", "csv")
    assert code == 0, err
    records = csv_rows(out)
    assert list(records[0]) == columns(endpoint)
    truth = fake.totals(endpoint, start_time=START, end_time=END, group_by=[group])
    got: dict[tuple[str | None, ...], dict[str, Decimal]] = {}
    for r in records:
        key = (r[group] or None,)
        sums = got.setdefault(key, {})
        for counter in truth[key]:
            column = "amount_value" if counter == "amount" else counter
            sums[counter] = sums.get(counter, Decimal(0)) + Decimal(r[column] or 0)
    assert got == truth


def test_underscore_names_are_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    a = run("--fake", "audio_speeches", *RANGE, "-f", "csv")
    b = run("--fake", "audio-speeches", *RANGE, "-f", "csv")
    assert a[0] == 0 and a[1] == b[1]


def test_json_output_keeps_money_exact(capsys: pytest.CaptureFixture[str], fake: FakeAPI) -> None:
    code, out, _ = run("--fake", "costs", *RANGE, "-f", "json")
    assert code == 0
    records = json.loads(out, parse_float=Decimal)
    total = sum(r["amount_value"] for r in records)
    assert total == fake.totals("costs", start_time=START, end_time=END)[()]["amount"]
    assert [r["start_time"] for r in records] == [f"2026-10-{d}T00:00:00Z" for d in range(25, 32)]


def test_jsonl_is_the_default_when_piped(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("--fake", "embeddings", *RANGE, "--group-by", "model")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines and all(line["endpoint"] == "embeddings" for line in lines)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_table_is_the_default_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    assert main(["--fake", "vector-stores", *RANGE, "--group-by", "project_id"]) == 0
    lines = terminal.getvalue().splitlines()
    assert lines[0] == "vector_stores: 2026-10-25 00:00 to 2026-11-01 00:00 UTC"  # the zone
    assert lines[2].split() == ["start", "project_id", "usage_bytes"]
    assert lines[4].split()[0] == "2026-10-25"
    assert lines[4].split()[1].startswith("proj_")
    assert lines[-1].startswith("total (")


def test_table_of_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    idle = FakeAPI(seed=0).org.idle_project
    args = ["--fake", "completions", *RANGE, "--project-id", idle, "-f", "table"]
    code, out, _ = run(*args)
    assert code == 0
    assert out.strip().splitlines()[-1] == "(no activity in this range)"


def test_filters_group_by_and_paging_options(
    capsys: pytest.CaptureFixture[str], fake: FakeAPI
) -> None:
    projects = sorted(
        k[0] for k in fake.totals("completions", start_time=START, group_by=["project_id"])
    )[:2]
    args = [
        "--fake", "completions", *RANGE, "--bucket-width", "1h", "--limit", "50",
        "--concurrency", "3", "--group-by", "model,batch", "--group-by", "project_id",
        "--project-id", projects[0], "--project-id", f"{projects[1]},{projects[1]}",
        "--no-batch", "-f", "csv",
    ]  # fmt: skip
    code, out, err = run(*args)
    assert code == 0, err
    records = csv_rows(out)
    assert {r["project_id"] for r in records} == set(projects)
    assert {r["batch"] for r in records} == {"false"}
    truth = fake.totals(
        "completions",
        start_time=START,
        end_time=END,
        group_by=["project_id"],
        project_ids=projects,
        batch=False,
    )
    for (project,), counters in truth.items():
        got = sum(int(r["input_tokens"]) for r in records if r["project_id"] == project)
        assert got == counters["input_tokens"]
    hours = {r["start_time"] for r in records}
    assert min(hours) >= "2026-10-25T00:00:00Z" and max(hours) <= "2026-10-31T23:00:00Z"
    assert len(hours) > 7 * 12  # hourly buckets, not daily


def test_enum_filters_and_line_items_with_commas(
    capsys: pytest.CaptureFixture[str], fake: FakeAPI
) -> None:
    code, out, _ = run(
        "--fake", "images", *RANGE, "--source", "image.edit", "--group-by", "source",
        "-f", "csv",
    )  # fmt: skip
    assert code == 0
    assert {r["source"] for r in csv_rows(out)} == {"image.edit"}
    code, out, _ = run(
        "--fake", "web-search-calls", *RANGE, "--context-level", "low,high",
        "--group-by", "context_level", "-f", "csv",
    )  # fmt: skip
    assert code == 0
    assert {r["context_level"] for r in csv_rows(out)} == {"low", "high"}
    line = "gpt-4.1-2025-04-14, input"
    code, out, _ = run(
        "--fake", "costs", *RANGE, "--line-item", line, "--group-by", "line_item",
        "-f", "csv",
    )  # fmt: skip
    assert code == 0
    records = csv_rows(out)
    assert {r["line_item"] for r in records} == {line}
    truth = fake.totals("costs", start_time=START, end_time=END, line_items=[line])
    assert sum(Decimal(r["amount_value"]) for r in records) == truth[()]["amount"]


@pytest.mark.parametrize(
    "args",
    [
        ["images", "--source", "image.bogus"],
        ["completions", "--group-by", "line_item"],
        ["costs", "--bucket-width", "1h"],
        ["completions", "--start", "not-a-time"],
        ["completions", "--limit", "500"],  # > 31 at 1d: refused by the client
        ["completions", "--no-such-option"],
        ["no-such-command"],
    ],
)
def test_bad_input_exits_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out, err = run("--fake", *args)
    assert code == 2
    assert out == ""
    assert "Traceback" not in err


def test_output_file_format_from_extension_and_atomic(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "costs.csv"
    code, out, _ = run("--fake", "costs", *RANGE, "-o", str(target))
    assert code == 0 and out == ""
    assert target.read_text().splitlines()[0] == ",".join(columns("costs"))
    assert [p.name for p in tmp_path.iterdir()] == ["costs.csv"]


# --- relative times ------------------------------------------------------------------------

FIXED = datetime(2026, 3, 15, 13, 45, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", FIXED),
        ("today", datetime(2026, 3, 15, tzinfo=UTC)),
        ("yesterday", datetime(2026, 3, 14, tzinfo=UTC)),
        ("this-month", datetime(2026, 3, 1, tzinfo=UTC)),
        ("last-month", datetime(2026, 2, 1, tzinfo=UTC)),
        ("7d", datetime(2026, 3, 8, 13, 45, 10, tzinfo=UTC)),
        ("24h", datetime(2026, 3, 14, 13, 45, 10, tzinfo=UTC)),
        ("30m", datetime(2026, 3, 15, 13, 15, 10, tzinfo=UTC)),
        ("2w", datetime(2026, 3, 1, 13, 45, 10, tzinfo=UTC)),
        ("2026-01-02", datetime(2026, 1, 2, tzinfo=UTC)),
        ("2026-01-02T03:04:05Z", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2026-01-02T03:04:05+02:00", datetime(2026, 1, 2, 1, 4, 5, tzinfo=UTC)),
        ("1767225600", datetime(2026, 1, 1, tzinfo=UTC)),
    ],
)
def test_parse_time(text: str, expected: datetime) -> None:
    assert parse_time(text, FIXED) == int(expected.timestamp())


def test_last_month_in_january_and_bad_times() -> None:
    january = datetime(2026, 1, 10, tzinfo=UTC)
    assert parse_time("last-month", january) == int(datetime(2025, 12, 1, tzinfo=UTC).timestamp())
    with pytest.raises(InvalidParameterError, match="--end"):
        parse_time("7 days", FIXED, "--end")


def test_relative_times_count_from_the_fakes_now(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("--fake", "costs", "--start", "3d", "-f", "csv")
    assert code == 0
    starts = [r["start_time"] for r in csv_rows(out)]
    assert starts == ["2026-10-29T00:00:00Z", "2026-10-30T00:00:00Z", "2026-10-31T00:00:00Z"]
    code, out, _ = run("--fake", "costs", "--start", "last-month", "--end", "today")
    assert code == 0
    assert out.splitlines()[0].count("2026-10-01T00:00:00Z") == 1


def test_default_range_is_the_last_7_days(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("--fake", "costs", "-f", "csv")
    assert code == 0
    assert csv_rows(out)[0]["start_time"] == "2026-10-25T00:00:00Z"


# --- progress ------------------------------------------------------------------------------


def test_progress_line_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["--fake", "completions", "--start", "30d", "--bucket-width", "1h"]) == 0
    text = terminal.getvalue()
    assert re.search(r"completions: \d+ buckets, \d+ pages, \d+\.\ds", text)
    assert text.endswith("\r")  # the line is cleared at the end
    quiet = Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    assert main(["--fake", "completions", "--start", "30d", "-q"]) == 0
    assert quiet.getvalue() == ""


def test_progress_counts() -> None:
    out = io.StringIO()
    progress = Progress("costs", out, enabled=True)
    progress.page(7)
    progress.page(3)
    assert "costs: 10 buckets, 2 pages" in out.getvalue()
    progress.close()
    silent = io.StringIO()
    Progress("x", silent, enabled=False).page(1)
    assert silent.getvalue() == ""


# --- click missing -------------------------------------------------------------------------


def test_missing_click_gives_the_install_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "click", None)
    code, _out, err = run("--help")
    assert code == 2
    assert "pip install 'openai-usage-client[cli]'" in err


def test_run_exits_with_mains_code(monkeypatch: pytest.MonkeyPatch) -> None:
    from openai_usage_client._cli import run as run_cli

    monkeypatch.setattr(sys, "argv", ["openai-usage", "--help"])
    with pytest.raises(SystemExit) as info:
        run_cli()
    assert info.value.code == 0


def test_click_group_is_a_click_group() -> None:
    assert isinstance(cli, click.Group)
