"""Names in ``report --format json`` and ``--format markdown``: the table's labels, added next to
the IDs (never replacing them). Expected names come from the fake's directory; expected labels
from the text report of the same data.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from _cli_run import run as cli
from _store_helpers import client_for

from openai_usage_client.store import Store
from openai_usage_client.testing import DEFAULT_NOW, FakeAPI

pytestmark = pytest.mark.usefixtures("no_ambient_key")

DAY = 86_400
PERIOD = ["--start", "2026-10-02", "--end", "2026-11-01"]
#: JSON section -> (text report title, ID column).
SECTIONS = {
    "by_project": ("Spend by project", "project_id"),
    "by_api_key": ("Top API keys by spend", "api_key_id"),
    "by_user": ("Top users by spend", "user_id"),
}
MARKDOWN = {
    "by_project": ("## Spend by project", "project"),
    "by_api_key": ("## Top API keys", "API key"),
    "by_user": ("## Top users", "user"),
}


def run(*args: str) -> str:
    """stdout of a command that must succeed."""
    code, out, err = cli(*args)
    assert code == 0, err
    return out


def table_labels(text: str, title: str) -> list[str]:
    """The label column of a section of the text report (label, then 2+ spaces, money)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    out = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        out.append(re.split(r"\s{2,}", line.strip())[0])
    return out


def markdown_table(lines: list[str], heading: str) -> list[list[str]]:
    at = lines.index(heading)
    out = []
    for line in lines[at + 2 :]:
        if not line.startswith("|"):
            break
        out.append([c.strip() for c in line.strip("|").split(" | ")])
    return out


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    return FakeAPI(seed=0)


@pytest.fixture(scope="module")
def outputs() -> dict[str, Any]:
    return {
        "table": run("--fake", "report", *PERIOD, "--top", "100"),
        "json": json.loads(run("--fake", "report", *PERIOD, "--format", "json")),
        "markdown": run("--fake", "report", *PERIOD, "--format", "markdown", "--top", "100"),
        "bare": json.loads(run("--fake", "report", *PERIOD, "--format", "json", "--no-names")),
    }


def test_json_names_are_the_directorys_and_labels_the_tables(
    outputs: dict[str, Any], fake: FakeAPI
) -> None:
    doc = outputs["json"]
    projects = {p["id"]: p for p in fake.directory.projects}
    keys = {k["id"]: k for ks in fake.directory.api_keys.values() for k in ks}
    users = {u["id"]: u for u in fake.directory.users}
    for section, (title, column) in SECTIONS.items():
        entries = doc[section]
        assert [e["label"] for e in entries] == table_labels(outputs["table"], title), section
        # The ID stays first, the name fields follow it, the money after them.
        keys_order = [column, "name", "label", *(["archived"] if section == "by_project" else [])]
        assert all(list(e)[: len(keys_order)] == keys_order for e in entries)
        assert all(list(e)[-2:] == ["amount", "share"] for e in entries)
    for entry in doc["by_project"]:
        project = projects[entry["project_id"]]
        assert entry["name"] == project["name"]
        assert entry["archived"] is (project["archived_at"] is not None)
        assert entry["deleted"] is False
    assert [e["name"] for e in doc["by_project"] if e["archived"]] == [
        p["name"] for p in fake.directory.projects if p["archived_at"] is not None
    ]
    deleted = fake.directory.deleted_key
    assert deleted is not None
    gone = [e for e in doc["by_api_key"] if e["deleted"]]
    assert [(e["api_key_id"], e["name"], e["label"]) for e in gone] == [
        (deleted["id"], deleted["name"], f"{deleted['name']} (deleted)")
    ]
    for entry in doc["by_api_key"]:
        if entry["api_key_id"] in keys:
            assert entry["name"] == keys[entry["api_key_id"]]["name"]
    named_users = [e for e in doc["by_user"] if e["user_id"] is not None]
    assert named_users and all(e["name"] == users[e["user_id"]]["name"] for e in named_users)
    nobody = [e for e in doc["by_user"] if e["user_id"] is None]
    assert [(e["name"], e["label"], e["deleted"]) for e in nobody] == [(None, "(no user)", None)]
    # Top keys and users by model: the same fields, the labels the table shows.
    for top in doc["top_by_model"]:
        for who, column in (("api_keys", "api_key_id"), ("users", "user_id")):
            for entry in top[who]:
                assert list(entry)[:3] == [column, "name", "label"]
                if entry[column] in users:
                    assert entry["name"] == users[entry[column]]["name"]
                if entry[column] in keys:
                    assert entry["name"] == keys[entry[column]]["name"]
    lines: list[str] = []
    for line in outputs["table"].splitlines():  # lines wrapped at 80 columns, joined again
        if line.startswith("      ") and lines and lines[-1].startswith("    "):
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    at = lines.index("Top keys and users by model")
    for top in doc["top_by_model"]:
        at = next(i for i in range(at + 1, len(lines)) if lines[i].startswith(f"  {top['model']} "))
        for text, who in zip(lines[at + 1 : at + 3], ("api_keys", "users"), strict=True):
            assert text.split()[0] == {"api_keys": "keys:", "users": "users:"}[who]
            for entry in top[who]:
                assert f" {entry['label']} $" in text
    assert doc["unavailable"] == {}


def test_json_without_names_keeps_the_ids_and_says_nothing_it_cannot_know(
    outputs: dict[str, Any],
) -> None:
    bare, named = outputs["bare"], outputs["json"]
    for section, (_, column) in SECTIONS.items():
        # The IDs and amounts are the same with or without names: names are only added.
        assert [(e[column], e["amount"], e["share"]) for e in bare[section]] == [
            (e[column], e["amount"], e["share"]) for e in named[section]
        ]
        missing = {"project_id": "(no project)", "api_key_id": "(no key)", "user_id": "(no user)"}
        for entry in bare[section]:
            assert entry["name"] is None and entry["deleted"] is None
            assert entry["label"] == (entry[column] or missing[column])
            if section == "by_project":
                assert entry["archived"] is None


def test_markdown_shows_the_tables_labels(outputs: dict[str, Any]) -> None:
    lines = outputs["markdown"].splitlines()
    for section, (heading, head) in MARKDOWN.items():
        rows = markdown_table(lines, heading)
        assert rows[0][0] == head
        title, _ = SECTIONS[section]
        labels = [r[0] for r in rows[2:]]
        assert labels == table_labels(outputs["table"], title), section
        assert labels == [e["label"] for e in outputs["json"][section]]
    tops = markdown_table(lines, "## Top keys and users by model")[2:]
    for row, top in zip(tops, outputs["json"]["top_by_model"], strict=False):
        assert row[0] == top["model"]
        for cell, who in ((row[2], "api_keys"), (row[3], "users")):
            for entry in top[who]:
                assert f"{entry['label']} $" in cell


def test_markdown_top_cut_keeps_the_archived_and_deleted_ones(fake: FakeAPI) -> None:
    lines = run("--fake", "report", *PERIOD, "--format", "markdown", "--top", "1").splitlines()
    projects = [r[0] for r in markdown_table(lines, "## Spend by project")[2:]]
    archived = [p["name"] for p in fake.directory.projects if p["archived_at"] is not None]
    assert projects[1:] == [f"{name} (archived)" for name in archived]
    keys = [r[0] for r in markdown_table(lines, "## Top API keys")[2:]]
    deleted = fake.directory.deleted_key
    assert deleted is not None and keys[1:] == [f"{deleted['name']} (deleted)"]


def test_report_db_json_and_markdown_name_from_the_store_and_say_what_is_missing(
    tmp_path: Path, fake: FakeAPI
) -> None:
    refusing = FakeAPI(seed=0, refuse_costs_user_with_project=True)
    path, costs_only = tmp_path / "u.db", tmp_path / "c.db"
    with client_for(refusing) as client, Store(path) as store, Store(costs_only) as bare:
        store.sync(client, start=DEFAULT_NOW - 10 * DAY, directory=True, now=DEFAULT_NOW)
        bare.sync(client, start=DEFAULT_NOW - 10 * DAY, endpoints=["costs"], now=DEFAULT_NOW)
    period = ["--start", "2026-10-25", "--end", "2026-11-01"]
    # Without usage in the store, the users' spend is said to be missing, never $0.
    doc = json.loads(run("report", "--db", str(costs_only), *period, "--format", "json"))
    assert doc["by_user"] == [] and "basis" not in doc
    assert doc["unavailable"] == {
        "costs_by_user": "not in the store: no costs series grouped by user_id, line_item",
        "tokens": "not in the store: no completions series grouped by model",
    }
    lines = run("report", "--db", str(costs_only), *period, "--format", "markdown").splitlines()
    at = lines.index("## Top users")
    assert lines[at + 2] == "_(not in the store: no costs series grouped by user_id, line_item)_"
    # With usage, the users' spend is allocated from it, and says so.
    doc = json.loads(run("report", "--db", str(path), *period, "--format", "json"))
    projects = {p["id"]: p["name"] for p in fake.directory.projects}
    assert doc["by_project"] and all(
        e["name"] == projects[e["project_id"]] for e in doc["by_project"]
    )
    assert doc["unavailable"] == {}
    assert doc["basis"] == {"by_user": "allocated from usage",
                            "top_by_model": "allocated from usage"}  # fmt: skip
    assert sum(Decimal(u["amount"]) for u in doc["by_user"]) == Decimal(doc["total"])
    lines = run("report", "--db", str(path), *period, "--format", "markdown").splitlines()
    assert "## Top users (allocated from usage)" in lines
    names = [r[0] for r in markdown_table(lines, "## Spend by project")[2:]]
    assert names == [e["label"] for e in doc["by_project"]]
