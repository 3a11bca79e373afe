"""Filters mean what people write (issue 20): a model name matches its dated snapshots and
no other model; a filter value that matches nothing is said, with the closest values seen."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from _cli_run import run

from openai_usage_client._core._summarize import model_from_line_item
from openai_usage_client.testing import DEFAULT_NOW, FakeAPI

pytestmark = pytest.mark.usefixtures("no_ambient_key")


PERIOD = ["--start", "2026-10-25", "--end", "2026-11-01"]
START, END = DEFAULT_NOW - 7 * 86400, DEFAULT_NOW


def spend_of(model: str) -> Decimal:
    """The fake's costs over the period for line items of exactly ``model``."""
    by_line = FakeAPI(seed=0).totals(
        "costs", start_time=START, end_time=END, group_by=["line_item"]
    )
    return sum(
        (t["amount"] for (line,), t in by_line.items() if model_from_line_item(line) == model),
        Decimal(0),
    )


def test_a_model_name_without_its_date_matches_its_snapshot_only() -> None:
    code, out, err = run("--fake", "report", *PERIOD, "--model", "gpt-4o", "-f", "json")
    assert code == 0 and err == ""
    document = json.loads(out)
    # gpt-4o-2024-08-06, not gpt-4o-mini-2024-07-18 nor gpt-4o-audio-preview-2024-12-17.
    assert [r["model"] for r in document["by_model"]] == ["gpt-4o-2024-08-06"]
    assert Decimal(document["total"]) == spend_of("gpt-4o-2024-08-06") > 0
    assert [r["model"] for r in document["tokens_by_model"]] == ["gpt-4o-2024-08-06"]
    assert document["filters_matched_nothing"] == {}
    # The dated name gives the same report.
    code, dated, _ = run("--fake", "report", *PERIOD, "--model", "gpt-4o-2024-08-06", "-f", "json")
    assert json.loads(dated)["total"] == document["total"]


def test_the_data_commands_match_snapshots_too() -> None:
    code, out, err = run("--fake", "completions", *PERIOD, "--model", "gpt-4o", "--totals",
                         "-f", "json")  # fmt: skip
    assert code == 0, err
    assert [r["model"] for r in json.loads(out)] == ["gpt-4o-2024-08-06"]


def test_a_filter_that_matches_nothing_is_said_with_the_closest_values() -> None:
    code, out, err = run("--fake", "report", *PERIOD, "--model", "gpt-4.2", "--model", "o3-mini")
    assert code == 0
    closest = (
        "gpt-4.1-2025-04-14, gpt-4o-2024-08-06, gpt-4o-mini-tts, gpt-image-1, gpt-4o-transcribe"
    )
    assert err == (
        f"openai-usage: warning: filter --model gpt-4.2 (closest: {closest}) matched nothing "
        "in the period\n"
    )
    lines = out.splitlines()
    assert lines[3:6] == [  # wrapped at 80 columns: the output is not a terminal
        "Filters: model gpt-4.2, o3-mini",
        "Filters matched nothing: --model gpt-4.2 (closest: gpt-4.1-2025-04-14,",
        "  gpt-4o-2024-08-06, gpt-4o-mini-tts, gpt-image-1, gpt-4o-transcribe)",
    ]
    code, out, _ = run("--fake", "report", *PERIOD, "--model", "gpt-4.2", "-f", "json")
    assert json.loads(out)["filters_matched_nothing"] == {
        "models": {"gpt-4.2": closest.split(", ")}
    }
    code, out, _ = run("--fake", "report", *PERIOD, "--model", "gpt-4.2", "-f", "markdown")
    assert f"> Filters matched nothing: --model gpt-4.2 (closest: {closest})" in out


def test_an_unknown_project_id_is_named_with_the_ids_of_the_directory() -> None:
    fake = FakeAPI(seed=0)
    real = sorted(p["id"] for p in fake.directory.projects)[0]
    typo = real[:-1]
    code, out, err = run("--fake", "report", *PERIOD, "--project-id", typo, "-f", "json")
    assert code == 0
    assert json.loads(out)["filters_matched_nothing"]["project_ids"][typo][0] == real
    assert f"filter --project-id {typo} (closest: {real}" in err


def test_a_project_name_not_in_the_directory_is_an_error_listing_the_names() -> None:
    code, _, err = run("--fake", "report", *PERIOD, "--project", "No such project")
    names = sorted(p["name"] for p in FakeAPI(seed=0).directory.projects if p["name"])
    assert code == 2
    assert "No such project" in err and all(n in err for n in names[:2])
