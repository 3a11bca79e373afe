"""What a new user reads (#39): messages that tell the truth and the next step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _cli_run import run


def test_a_config_in_the_current_folder_is_said_and_none_ignores_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "openai-usage.toml").write_text(
        '[[budget]]\nscope = "organization"\nmonthly_usd = 1\n', encoding="utf-8"
    )
    code, out, err = run("--fake", "check", "--format", "json")
    assert code == 7 and json.loads(out)["budgets"][0]["budget"] == "1"
    assert err == (
        "openai-usage: warning: using the spend config openai-usage.toml found in the current "
        "folder (--config FILE for another, --config none for none)\n"
    )
    code, out, err = run("--fake", "check", "--config", "none", "--monthly-budget", "5000",
                         "--format", "json")  # fmt: skip
    assert (code, err) == (0, "") and json.loads(out)["budgets"][0]["budget"] == "5000"
    code, out, err = run("--fake", "report", "--config", "none")
    assert code == 0 and err == "" and "Budgets" not in out


def test_totals_help_explains_rows_and_rounding() -> None:
    code, out, _ = run("costs", "--help")
    text = " ".join(out.split())
    assert code == 0
    assert "its rows column counts the results summed into each row" in text
    assert "rounded rows may not add up to a rounded total" in text


def test_the_pivot_names_the_row_without_a_key_as_the_report_does() -> None:
    args = ["--fake", "costs", "--start", "2026-10-01", "--end", "2026-10-03", "--group-by",
            "api_key_id,project_id", "--names", "-f", "json"]  # fmt: skip
    code, out, _ = run(*args, "--pivot", "api_key_id:project_id")
    rows = json.loads(out)
    assert code == 0 and [r["api_key_id"] for r in rows].count("(no key)") == 1
    assert not any("(none)" in r["api_key_id"] for r in rows)
    assert "Batch pipeline (archived)" in rows[0]
    code, out, _ = run(*args, "--pivot", "project_id:api_key_id")
    assert code == 0 and "(no key)" in json.loads(out)[0]
    assert not any(k.startswith("(none)") for k in json.loads(out)[0])
