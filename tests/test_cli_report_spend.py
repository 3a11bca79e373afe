"""``openai-usage report --config``: spend by team, budget lines and several organizations,
against the fake with its clock mid-month (2026-10-20). Expected figures come from the fakes'
ground truth (``FakeAPI.totals``) and from ``openai-usage check``, never from the code under
test."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from _cli_run import run as _run

from openai_usage_client._cli._output import money
from openai_usage_client.spend import OrgSource, SpendConfig, TeamConfig, spend_sections
from openai_usage_client.testing import FakeAPI

NOW = datetime(2026, 10, 20, tzinfo=UTC)
START = int(datetime(2026, 9, 20, tzinfo=UTC).timestamp())  # the default 30 days before NOW
END = int(NOW.timestamp())

CONFIG = """
[[team]]
name = "alpha"
projects = ["{p0}"]

[[team]]
name = "beta"
projects = ["{p2}"]
api_keys = ["{k6}"]

[[budget]]
scope = "organization"
monthly_usd = 200

[[budget]]
scope = "team:alpha"
monthly_usd = 63

[[budget]]
scope = "team:beta"
monthly_usd = 150
"""


#: The one CLI runner (``_cli_run.run``) with this module's global options.
run = partial(_run, "--fake", "--fake-now", "2026-10-20")


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    return FakeAPI(seed=0, now=NOW)


def write_config(folder: Path, fake: FakeAPI, name: str = "teams.toml") -> Path:
    org = fake.org
    path = folder / name
    path.write_text(CONFIG.format(p0=org.projects[0], p2=org.projects[2], k6=org.keys[6].id))
    return path


def report_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code, out, err = run("report", "--quiet", "--format", "json", *args)
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    return document


def by_hand(fake: FakeAPI) -> dict[str, Decimal]:
    """The teams of CONFIG over the report's period, from the fake's totals per project and
    key: the key rule first (k6 -> beta), then the project rules (p0 -> alpha, p2 -> beta)."""
    org = fake.org
    p0, p2, k6 = org.projects[0], org.projects[2], org.keys[6].id
    totals = fake.totals(
        "costs", start_time=START, end_time=END, group_by=["project_id", "api_key_id"]
    )
    teams = {"alpha": Decimal(0), "beta": Decimal(0), "unallocated": Decimal(0)}
    for (project, key), sums in totals.items():
        team = "beta" if key == k6 else {p0: "alpha", p2: "beta"}.get(str(project), "unallocated")
        teams[team] += Decimal(sums["amount"])
    # The key rule matters: k6 spends, outside the teams' projects.
    assert any(key == k6 and project not in (p0, p2) for project, key in totals)
    return teams


def test_team_totals_equal_the_hand_computed_allocation(
    fake: FakeAPI, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    expected = by_hand(fake)
    total = fake.totals("costs", start_time=START, end_time=END)[()]["amount"]
    assert all(expected.values()) and sum(expected.values()) == total
    document = report_json(capsys, "--config", str(write_config(tmp_path, fake)))
    teams = document["spend"]["teams"]
    assert {t["team"]: Decimal(t["amount"]) for t in teams} == expected
    assert [t["team"] for t in teams] == sorted(expected, key=lambda t: -expected[t])
    assert {t["currency"] for t in teams} == {"usd"}
    for t in teams:
        assert t["share"] == str((expected[t["team"]] / total).quantize(Decimal("0.0001")))
    # The report's own total is unchanged by the config, and the teams add up to it.
    assert Decimal(document["total"]) == total
    assert document["spend"]["config"] == str(tmp_path / "teams.toml")
    (org,) = document["spend"]["organizations"]["organizations"]
    assert org["organization"] == "default"
    assert {t: Decimal(v["usd"]) for t, v in org["by_team"].items()} == expected

    # The table shows the same, rounded to cents, before the spend by project.
    code, out, _ = run("report", "--quiet", "--config", str(tmp_path / "teams.toml"))
    assert code == 0
    lines = out.splitlines()
    at = lines.index(f"Spend by team ({tmp_path / 'teams.toml'})")
    assert at < lines.index("Spend by project")
    shown = {line.split()[0]: line.split()[1] for line in lines[at + 1 : at + 4]}
    assert shown == {team: money(amount, "usd") for team, amount in expected.items()}


def test_budget_lines_are_what_check_reports(
    fake: FakeAPI, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = str(write_config(tmp_path, fake))
    code, out, _ = run("check", "--config", path, "--format", "json")
    assert code == 7  # the report itself does not exit 7: it is not a check
    checked = json.loads(out)
    budgets = report_json(capsys, "--config", path)["spend"]["budgets"]
    assert budgets["lines"] == checked["budgets"]
    assert (budgets["as_of"], budgets["month"], budgets["status"]) == (
        checked["as_of"],
        checked["month"],
        checked["status"],
    )
    assert [b["status"] for b in budgets["lines"]] == ["forecast-over", "warn", "ok"]

    # In the table: check's own budget lines, word for word.
    _, check_text, _ = run("check", "--config", path)
    code, report_text, _ = run("report", "--quiet", "--config", path)
    assert code == 0
    block = check_text.split("\n\nAnomalies")[0]
    assert f"\n{block}\n\n" in report_text


def test_two_fake_organizations_separate_and_combined(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "orgs.toml"
    path.write_text(
        '[[organization]]\nname = "prod"\n[[organization]]\nname = "lab"\n'
        '[[budget]]\nscope = "organization:lab"\nmonthly_usd = 1000\n'
    )
    truth = {
        name: FakeAPI(seed=seed, now=NOW).totals("costs", start_time=START, end_time=END)[()][
            "amount"
        ]
        for seed, name in enumerate(("prod", "lab"))
    }
    assert truth["prod"] != truth["lab"]
    document = report_json(capsys, "--config", str(path))
    orgs = document["spend"]["organizations"]
    assert [
        (o["organization"], Decimal(o["by_currency"]["usd"])) for o in orgs["organizations"]
    ] == list(truth.items())
    assert Decimal(orgs["combined"]["usd"]) == truth["prod"] + truth["lab"]
    # The report covers both organizations: its sections add up to the combined total.
    assert Decimal(document["total"]) == truth["prod"] + truth["lab"]
    assert sum(Decimal(p["amount"]) for p in document["by_project"]) == Decimal(document["total"])
    assert document["source"] == (
        "prod: offline fake organization (--fake, seed 0); "
        "lab: offline fake organization (--fake, seed 1)"
    )
    assert document["spend"]["teams"] == []
    (line,) = document["spend"]["budgets"]["lines"]
    assert line["scope"] == "organization:lab"

    code, out, _ = run("report", "--quiet", "--config", str(path))
    assert code == 0
    tail = out.split("Spend by organization\n")[1].split("\n\n")[0].splitlines()
    assert tail == [
        f"  prod               {money(truth['prod'], 'usd')}",
        f"  lab                {money(truth['lab'], 'usd')}",
        f"  all organizations  {money(truth['prod'] + truth['lab'], 'usd')}",
    ]

    code, out, _ = run("report", "--quiet", "--config", str(path), "-f", "markdown")
    assert code == 0
    assert "## Spend by organization" in out
    assert f"| **all organizations** | {money(truth['prod'] + truth['lab'], 'usd')} |" in out


def test_markdown_has_the_team_and_budget_sections(
    fake: FakeAPI, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    expected = by_hand(fake)
    code, out, _ = run(
        "report", "--quiet", "-f", "markdown", "--config", str(write_config(tmp_path, fake))
    )
    assert code == 0
    assert (
        out.index("## Spend by team")
        < out.index("## Budgets for 2026-10")
        < out.index("## Spend by project")
    )
    assert f"| alpha | {money(expected['alpha'], 'usd')} |" in out
    assert "| team:alpha | " in out and out.count("| forecast-over |") == 1


def test_the_default_config_file_and_no_config(
    fake: FakeAPI,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    plain = report_json(capsys)
    assert "spend" not in plain  # without a config the report is what it was
    code, text, _ = run("report", "--quiet")
    assert code == 0 and "Spend by team" not in text and "Budgets for" not in text
    write_config(tmp_path, fake, "openai-usage.toml")
    document = report_json(capsys)
    assert document["spend"]["config"] == "openai-usage.toml"
    assert {t["team"] for t in document["spend"]["teams"]} == {"alpha", "beta", "unallocated"}
    assert {k: v for k, v in document.items() if k != "spend"} == plain


def test_filters_narrow_the_teams_and_user_filters_are_refused(
    fake: FakeAPI, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = str(write_config(tmp_path, fake))
    p0 = fake.org.projects[0]
    document = report_json(capsys, "--config", path, "--project-id", p0)
    teams = {t["team"]: Decimal(t["amount"]) for t in document["spend"]["teams"]}
    assert teams == {"alpha": by_hand(fake)["alpha"], "beta": 0, "unallocated": 0}
    assert teams["alpha"] == Decimal(document["total"])
    code, _, err = run("report", "--config", path, "--user-id", "user-x")
    assert code == 2
    assert "--user-id: not with a spend config" in err


class _Rows:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self._rows = rows

    def rows(self, endpoint: str, start: Any = None, end: Any = None) -> list[dict[str, Any]]:
        return self._rows


def test_currencies_are_never_added_together() -> None:
    day = datetime(2026, 10, 5, tzinfo=UTC)

    def row(project: str, amount: str, currency: str) -> dict[str, Any]:
        return {
            "start_time": day,
            "project_id": project,
            "api_key_id": None,
            "line_item": "x",
            "amount_value": Decimal(amount),
            "amount_currency": currency,
        }

    config = SpendConfig(team=[TeamConfig(name="search", projects=["proj_a"])])
    orgs = [
        OrgSource("us", _Rows([row("proj_a", "1.25", "usd"), row("proj_b", "2", "usd")])),
        OrgSource("eu", _Rows([row("proj_a", "3.5", "eur")])),
    ]
    sections = spend_sections(config, orgs, day, day.replace(day=6), now=day)
    document = sections.to_dict()
    assert document["organizations"]["combined"] == {"eur": "3.5", "usd": "3.25"}
    assert [(t["team"], t["currency"], t["amount"], t["share"]) for t in document["teams"]] == [
        ("search", "eur", "3.5", "1"),
        ("unallocated", "eur", "0", "0"),
        ("unallocated", "usd", "2", "0.6154"),
        ("search", "usd", "1.25", "0.3846"),
    ]
    assert document["budgets"] is None


def test_from_a_local_store_the_same_teams_and_budgets(
    fake: FakeAPI, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = str(write_config(tmp_path, fake))
    db = str(tmp_path / "usage.db")
    code, _, err = run("sync", "--db", db, "--start", "2026-08-01", "--quiet")
    assert code == 0, err
    stored = report_json(capsys, "--db", db, "--config", path)["spend"]
    assert {t["team"]: Decimal(t["amount"]) for t in stored["teams"]} == by_hand(fake)
    from_api = report_json(capsys, "--config", path)["spend"]
    for field in ("as_of", "month", "status"):
        assert stored["budgets"][field] == from_api["budgets"][field]
    assert [
        (b["scope"], b["month_to_date"], b["forecast"], b["status"])
        for b in stored["budgets"]["lines"]
    ] == [
        (b["scope"], b["month_to_date"], b["forecast"], b["status"])
        for b in from_api["budgets"]["lines"]
    ]


def test_a_project_name_is_looked_up_in_every_organization(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "orgs.toml"
    path.write_text('[[organization]]\nname = "prod"\n[[organization]]\nname = "lab"\n')
    wanted: dict[str, Decimal] = {}
    for seed in (0, 1):
        fake = FakeAPI(seed=seed, now=NOW)
        (pid,) = [p["id"] for p in fake.directory.projects if p["name"] == "Web app"]
        by_project = fake.totals("costs", start_time=START, end_time=END, group_by=["project_id"])
        wanted[pid] = by_project[(pid,)]["amount"]
    assert len(wanted) == 2  # one "Web app" in each organization
    document = report_json(capsys, "--config", str(path), "--project", "Web app")
    assert sorted(document["filters"]["project_ids"]) == sorted(wanted)
    assert Decimal(document["total"]) == sum(wanted.values())


def test_a_report_over_several_organizations_labels_every_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "orgs.toml"
    path.write_text('[[organization]]\nname = "prod"\n[[organization]]\nname = "lab"\n')
    document = report_json(capsys, "--config", str(path))
    for section in ("by_project", "by_line_item", "by_model", "by_api_key", "by_user"):
        assert {r["organization"] for r in document[section]} == {"prod", "lab"}, section
    assert {r["organization"] for r in document["tokens_by_model"]} == {"prod", "lab"}
    # Per organization, its own figures: lab's projects sum to lab's total.
    lab = FakeAPI(seed=1, now=NOW).totals("costs", start_time=START, end_time=END)[()]["amount"]
    assert (
        sum(Decimal(r["amount"]) for r in document["by_project"] if r["organization"] == "lab")
        == lab
    )
    # In the text, every line starts with its organization; a name both share needs no ID.
    code, out, _ = run("report", "--quiet", "--config", str(path))
    assert code == 0
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Spend by project"))
    rows = lines[at + 1 : lines.index("", at)]
    assert rows and all(r.lstrip().startswith(("prod: ", "lab: ")) for r in rows)
    assert {r.split("  ")[1].strip() for r in rows if "Data science" in r} == {
        "prod: Data science",
        "lab: Data science",
    }


def test_openai_settings_say_whose_they_are_over_several_organizations(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "orgs.toml"
    path.write_text(
        '[[organization]]\nname = "prod"\n[[organization]]\nname = "lab"\n'
        '[[budget]]\nscope = "organization:lab"\nmonthly_usd = 1000\n'
    )
    code, out, _ = run("check", "--config", str(path))
    assert code == 0
    assert "  organization:lab: OpenAI hard limit $5,000.00 (lab: organization)" in out
    code, out, _ = run("check", "--config", str(path), "-f", "json")
    assert code == 0
    (line,) = json.loads(out)["budgets"]
    assert {s["organization"] for s in line["openai_settings"]} == {"lab"}
    # One organization: no label (its settings are the only ones).
    single = tmp_path / "one.toml"
    single.write_text('[[budget]]\nscope = "organization"\nmonthly_usd = 1000\n')
    code, out, _ = run("check", "--config", str(single))
    assert code == 0
    assert "  organization: OpenAI hard limit $5,000.00 (organization)" in out


def test_check_shows_the_keys_own_limits_of_a_project_budget(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """SDK 3.63's per-key spend limits: listed under the budget of the key's project."""
    fake = FakeAPI(seed=0)
    limited = [
        k
        for keys in fake.directory.api_keys.values()
        for k in keys
        if k.get("spend_limit") is not None
    ]
    key = limited[0]
    project = next(p for p, keys in fake.directory.api_keys.items() if key in keys)
    name = next(p["name"] for p in fake.directory.projects if p["id"] == project)
    path = tmp_path / "b.toml"
    path.write_text(f'[[budget]]\nscope = "project:{name}"\nmonthly_usd = 1\n')
    code, out, _ = run("check", "--config", str(path))
    assert code == 7  # a $1 budget is over
    assert f"  project:{name}: OpenAI limit $50.00 (key:{key['id']})" in out
    # A key's own limit does not make the project's budget "above a hard limit".
    assert "above OpenAI's hard spend limit" not in out
    code, out, _ = run("check", "--config", str(path), "-f", "json")
    assert code == 7
    (line,) = json.loads(out)["budgets"]
    assert {"scope": f"key:{key['id']}", "kind": "limit", "amount": "50",
            "enforcing": False, "interval": "month"} in line["openai_settings"]  # fmt: skip
