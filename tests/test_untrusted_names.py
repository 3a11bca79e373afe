"""Names reach terminals and spreadsheets as text, never as commands (issue 34): a project
named with escape sequences, C1 and bidi controls and a newline, and one named like a
formula, through every output format of the report, the data commands, check and metrics."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from _cli_run import run

from openai_usage_client._core._text import json_safe, spreadsheet_safe, terminal_safe, visible
from openai_usage_client.testing import DEFAULT_ADMIN_KEY, FakeAPI, FakeServer

#: Clear screen, red, an OSC 8 link, an OSC 0 window title, BEL, the C1 CSI, a bidi
#: override, and a newline that would forge a table row.
HOSTILE = (
    "Web\x1b[2J\x1b[31mapp\x1b]8;;http://evil.example/\x07link\x1b]8;;\x07"
    "\x1b]0;pwned\x07\x9b31m\u202eevil\n  Forged row  $999.99"
)
FORMULA = "=cmd|' /C calc'!A0"
#: What no output a person reads may carry raw.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def test_the_escapes() -> None:
    assert visible("a\x1b[2Jb\tc\nd\x9b\u202e") == "a\\x1b[2Jb\\tc\\nd\\x9b\\u202e"
    assert terminal_safe("line\n\ta\x1bb\x07\r") == "line\n\ta\\x1bb\\x07\r"
    assert json.loads(json_safe(json.dumps(HOSTILE, ensure_ascii=False))) == HOSTILE
    assert "\x9b" not in json_safe(json.dumps(HOSTILE, ensure_ascii=False))
    cells = (FORMULA, "+SUM(1+1)", "-2+3@x.com", "@a", "-5", "ok")
    assert [spreadsheet_safe(t) for t in cells] == [
        "'" + FORMULA, "'+SUM(1+1)", "'-2+3@x.com", "'@a", "'-5", "ok",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    fake = FakeAPI(seed=0)
    fake.directory.projects[0]["name"] = HOSTILE
    fake.directory.projects[1]["name"] = FORMULA
    with FakeServer(fake, port=0) as s:
        yield s.base_url


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", DEFAULT_ADMIN_KEY)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


def _clean(text: str) -> None:
    assert not RAW.search(text), RAW.search(text)
    assert "Forged row" not in text.replace("\\n  Forged row", "")


def test_report_text_and_markdown_show_names_as_text(server: str) -> None:
    code, out, err = run("--base-url", server, "report", "--start", "2026-10-01", "--end",
                         "2026-11-01")  # fmt: skip
    assert code == 0, err
    _clean(out)
    assert "Web\\x1b[2J\\x1b[31mapp" in out
    code, out, _ = run("--base-url", server, "report", "--start", "2026-10-01", "--end",
                       "2026-11-01", "-f", "markdown")  # fmt: skip
    assert code == 0
    _clean(out)
    # One row per line: every table line that opens with a pipe closes with one.
    assert all(line.endswith("|") for line in out.split("\n") if line.startswith("|"))
    assert "<" not in out.replace("&lt;", "")


def test_report_json_keeps_the_value_and_escapes_it(server: str) -> None:
    code, out, _ = run("--base-url", server, "report", "--start", "2026-10-01", "--end",
                       "2026-11-01", "-f", "json")  # fmt: skip
    assert code == 0
    assert "\x9b" not in out and "\u202e" not in out and "\x1b" not in out
    names = {p["name"] for p in json.loads(out)["by_project"]}
    assert HOSTILE in names and FORMULA in names


def test_csv_cells_are_never_formulas(server: str, tmp_path: Path) -> None:
    day = ("--start", "2026-10-30", "--end", "2026-10-31", "--names", "--group-by", "project_id")
    code, out, err = run("--base-url", server, "costs", *day, "-f", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    names = {r["project_name"] for r in rows}
    assert "'" + FORMULA in names and FORMULA not in names
    # Numbers stay numbers; only text cells are guarded.
    assert all(not r["amount_value"].startswith("'") for r in rows)
    # The table of the same command: one line per row, names as text.
    code, out, _ = run("--base-url", server, "costs", *day, "-f", "table")
    assert code == 0
    _clean(out)
    # --raw-csv: as it came (documented), for a pipeline that is no spreadsheet.
    code, out, _ = run("--base-url", server, "--raw-csv", "costs", *day, "-f", "csv")
    assert code == 0
    assert FORMULA in {r["project_name"] for r in csv.DictReader(io.StringIO(out))}


def test_check_and_errors_show_team_names_as_text(server: str, tmp_path: Path) -> None:
    config = tmp_path / "t.toml"
    team = "ops\x1b]0;pwned\x07\nforged"
    config.write_text(
        f"[[team]]\nname = {json.dumps(team)}\nprojects = [{json.dumps(FORMULA)}]\n"
        f"[[budget]]\nscope = {json.dumps('team:' + team)}\nmonthly_usd = 100\n"
    )
    code, out, err = run("--base-url", server, "check", "--config", str(config), "--as-of",
                         "2026-10-20")  # fmt: skip
    assert code in (0, 7), err
    _clean(out)
    _clean(err)
    assert "team:ops\\x1b]0;pwned\\x07\\nforged" in out
