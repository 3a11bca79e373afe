"""``openai-usage check`` end to end through ``main()``, against fake servers on loopback whose
clock is mid-month (2026-10-20); expected figures from the fakes' ground truth."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from openai_usage_client._cli import main
from openai_usage_client._cli._output import money
from openai_usage_client.testing import DEFAULT_ADMIN_KEY, FakeAPI, FakeServer

NOW = datetime(2026, 10, 20, tzinfo=UTC)
OCT_1 = int(datetime(2026, 10, 1, tzinfo=UTC).timestamp())
OCT_20 = int(NOW.timestamp())

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    return FakeAPI(seed=0, now=NOW)


@pytest.fixture(scope="module")
def server(fake: FakeAPI) -> Iterator[str]:
    with FakeServer(fake, port=0) as s:
        yield s.base_url


@pytest.fixture(scope="module")
def lab_server() -> Iterator[str]:
    with FakeServer(FakeAPI(seed=1, now=NOW), port=0) as s:
        yield s.base_url


@pytest.fixture
def run(server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", DEFAULT_ADMIN_KEY)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)

    def go(*args: str) -> tuple[int, str, str]:
        code = main(["--base-url", server, "check", "--as-of", "2026-10-20", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return go


def mtd(fake: FakeAPI, **filters: list[str]) -> Decimal:
    return fake.totals("costs", start_time=OCT_1, end_time=OCT_20, **filters)[()]["amount"]


def budget_line(out: str, scope: str) -> list[str]:
    line = next(x for x in out.splitlines() if x.strip().startswith(scope + " "))
    return line.split()


def test_monthly_budget_forecast_over_exits_7(
    run: Run, fake: FakeAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no openai-usage.toml here
    code, out, _ = run("--monthly-budget", "200")
    # By hand: $147.71 spent in 19 days, October ends near $243 (the fake's truth).
    assert code == 7
    assert out.startswith(
        "Budgets for 2026-10, as of 2026-10-20 00:00 UTC (19 of 31 days complete)"
    )
    cells = budget_line(out, "organization")
    assert cells[1] == money(mtd(fake), "usd")
    assert cells[-3:] == ["$200.00", f"{mtd(fake) / 2:.0f}%", "forecast-over"]
    assert "provisional (costs may still settle): 2026-10-18, 2026-10-19" in out
    assert "Anomalies (last 7 days)\n  none" in out


def test_monthly_budget_ok_and_warn_exit_0(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("--monthly-budget", "400")
    assert (code, budget_line(out, "organization")[-1]) == (0, "ok")
    code, out, _ = run("--monthly-budget", "$270")
    assert (code, budget_line(out, "organization")[-1]) == (0, "warn")


def test_project_budget(
    run: Run, fake: FakeAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    project = fake.org.projects[1]
    code, out, _ = run("--monthly-budget", "10", "--project", project, "-f", "json")
    document = json.loads(out)
    (line,) = document["budgets"]
    assert line["scope"] == f"project:{project}"
    assert Decimal(line["month_to_date"]) == mtd(fake, project_ids=[project])
    assert (code, line["status"]) == (7, "over")


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
monthly_usd = {org_budget}

[[budget]]
scope = "team:alpha"
monthly_usd = 63

[[budget]]
scope = "team:beta"
monthly_usd = 150
"""


def config(tmp_path: Path, fake: FakeAPI, org_budget: int) -> Path:
    org = fake.org
    path = tmp_path / "openai-usage.toml"
    path.write_text(
        CONFIG.format(
            p0=org.projects[0], p2=org.projects[2], k6=org.keys[6].id, org_budget=org_budget
        )
    )
    return path


def test_two_teams_three_budgets(
    run: Run, fake: FakeAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The statuses by hand from the fake's truth (tests/test_spend_check.py works them out
    # with margins): organization $243 of $200 -> forecast-over; alpha $54.61 of $63 -> warn
    # (above 80%); beta $90.42 of $150 -> ok.
    final = FakeAPI(seed=0)  # October complete
    nov_1 = OCT_1 + 31 * 86_400
    assert final.totals("costs", start_time=OCT_1, end_time=nov_1)[()]["amount"] > 200 * Decimal(
        "1.1"
    )
    code, out, _ = run("--config", str(config(tmp_path, fake, 200)))
    assert code == 7
    assert [budget_line(out, s)[-1] for s in ("organization", "team:alpha", "team:beta")] == [
        "forecast-over", "warn", "ok",
    ]  # fmt: skip
    alpha = mtd(fake, project_ids=[fake.org.projects[0]])
    assert budget_line(out, "team:alpha")[1] == money(alpha, "usd")
    # The default file name in the current directory, and a budget that lets it pass: exit 0.
    config(tmp_path, fake, 400)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run()
    assert code == 0
    assert [budget_line(out, s)[-1] for s in ("organization", "team:alpha", "team:beta")] == [
        "ok", "warn", "ok",
    ]  # fmt: skip


def test_two_organizations(
    run: Run,
    fake: FakeAPI,
    lab_server: str,
    server: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PROD_KEY", DEFAULT_ADMIN_KEY)
    monkeypatch.setenv("LAB_KEY", DEFAULT_ADMIN_KEY)
    path = tmp_path / "orgs.toml"
    path.write_text(
        f'[[organization]]\nname = "prod"\nadmin_key_env = "PROD_KEY"\nbase_url = "{server}"\n'
        f'[[organization]]\nname = "lab"\nadmin_key_env = "LAB_KEY"\nbase_url = "{lab_server}"\n'
        '[[budget]]\nscope = "organization:lab"\nmonthly_usd = 1000\n'
    )
    lab = mtd(FakeAPI(seed=1, now=NOW))
    code, out, _ = run("--config", str(path))
    assert code == 0
    assert budget_line(out, "organization:lab")[1] == money(lab, "usd")
    tail = out.split("Month to date by organization\n")[1].splitlines()
    assert tail == [
        f"  prod: {money(mtd(fake), 'usd')}",
        f"  lab: {money(lab, 'usd')}",
        f"  all organizations: {money(mtd(fake) + lab, 'usd')}",
    ]
    monkeypatch.delenv("LAB_KEY")
    code, _, err = run("--config", str(path))
    assert code == 2
    assert err.strip() == (
        f"openai-usage: error: {path}: [[organization]] #2: organization 'lab': the environment "
        "variable LAB_KEY is not set (it holds the organization's admin key)"
    )


def test_config_errors_exit_2_naming_file_and_table(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[[budget]]\nscope = "team:nobody"\nmonthly_usd = 5\n')
    code, out, err = run("--config", str(path))
    assert (code, out) == (2, "")
    assert err.strip() == (
        f"openai-usage: error: {path}: [[budget]] #1: scope 'team:nobody': no team named "
        "'nobody' (teams: none: add a [[team]] table)"
    )


def test_option_errors(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("--project", "proj_x")
    assert code == 2 and "--project needs --monthly-budget" in err
    code, _, err = run("--monthly-budget", "-3")
    assert code == 2 and "the budget must be more than 0" in err
    code, _, err = run("--monthly-budget", "lots")
    assert code == 2 and "'lots' is not an amount of dollars" in err
    code, _, err = run("--monthly-budget", "5", "--project", "Search API")
    assert code == 2
    assert "command line: --project: scope 'project:Search API': matches no project" in err


def test_help_documents_exit_code_7(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--help"]) == 0
    out = capsys.readouterr().out
    assert "7  check: a budget is over, or forecast to be over, this month" in out
    for option in ("--config", "--db", "--monthly-budget", "--project", "--format", "--notify-url"):
        assert option in out


class _Hook(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        type(self).received.append((self.path, body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_notify_url_posts_only_when_not_ok(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    received: list[tuple[str, bytes]] = []
    handler = type("Hook", (_Hook,), {"received": received})
    httpd = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_port}/services/SECRET"
        code, _, err = run("--monthly-budget", "1000", "--notify-url", url)
        assert (code, received) == (0, [])
        assert "all ok: no notification sent" in err
        code, _, err = run("--monthly-budget", "200", "--notify-url", url)
        assert code == 7 and "notified the webhook" in err
    finally:
        httpd.shutdown()
        httpd.server_close()
    ((path, body),) = received
    assert path == "/services/SECRET"
    document = json.loads(body)
    assert document["status"] == "forecast-over"
    assert document["text"].startswith("openai-usage check 2026-10")


def test_the_spike_day_is_flagged(
    server: str,
    fake: FakeAPI,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_ADMIN_KEY", DEFAULT_ADMIN_KEY)
    spike = datetime.fromtimestamp(fake.org.spike_day * 86_400, UTC)
    as_of = (spike + timedelta(days=3)).strftime("%Y-%m-%d")
    args = ["--base-url", server, "check", "--as-of", as_of, "--monthly-budget", "1000"]
    assert main([*args, "-f", "json"]) == 0
    anomalies = json.loads(capsys.readouterr().out)["anomalies"]
    assert {(a["day"], a["dimension"]) for a in anomalies} >= {
        (spike.date().isoformat(), "project"),
    }
    assert {a["day"] for a in anomalies} == {spike.date().isoformat()}
    flagged = next(a for a in anomalies if a["dimension"] == "project")
    assert flagged["key"] == fake.org.projects[1]
    assert main(args) == 0
    out = capsys.readouterr().out
    anomaly_lines = out.split("Anomalies (last 7 days)\n")[1].splitlines()
    assert anomaly_lines[0].startswith(f"  {spike.date().isoformat()} ")
    # A week later, with the spike out of the window: a normal week, weekend included.
    later = (spike + timedelta(days=12)).strftime("%Y-%m-%d")
    assert main(["--base-url", server, "check", "--as-of", later, "--monthly-budget", "1000"]) == 0
    assert "Anomalies (last 7 days)\n  none" in capsys.readouterr().out


def test_openai_spend_limits_next_to_the_budget(
    run: Run, fake: FakeAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    limit = fake.directory.spend_limit
    alert = fake.directory.spend_alerts[0]
    assert limit is not None and limit["enforcement"]["status"] == "enforcing"
    limit_usd = Decimal(limit["threshold_amount"]) / 100  # the fake's wire value is in cents
    code, out, _ = run("--monthly-budget", str(limit_usd + 1000), "-f", "json")
    assert code == 0
    (line,) = json.loads(out)["budgets"]
    assert line["above_hard_limit"] is True
    alert_usd = Decimal(alert["threshold_amount"]) / 100
    # Exact, as every JSON money string (#39): "5000", never "5000.00".
    assert (str(limit_usd), str(alert_usd)) == ("5000", "4000")
    assert line["openai_settings"] == [
        {"scope": "organization", "kind": "limit", "amount": "5000", "enforcing": True,
         "interval": "month"},
        {"scope": "organization", "kind": "alert", "amount": "4000", "enforcing": False,
         "interval": "month"},
    ]  # fmt: skip
    code, out, _ = run("--monthly-budget", str(limit_usd - 1000), "-f", "json")
    assert json.loads(out)["budgets"][0]["above_hard_limit"] is False


def test_teams_and_projects_by_name(run: Run, fake: FakeAPI, tmp_path: Path) -> None:
    names = {p["id"]: p["name"] for p in fake.directory.projects}
    first, second = fake.org.projects[0], fake.org.projects[1]
    path = tmp_path / "names.toml"
    path.write_text(
        f'[[team]]\nname = "web"\nprojects = ["{names[first]}"]\n'
        f'[[budget]]\nscope = "team:web"\nmonthly_usd = 1000\n'
        f'[[budget]]\nscope = "project:{names[second]}"\nmonthly_usd = 1000\n'
    )
    code, out, _ = run("--config", str(path), "-f", "json")
    assert code == 0
    budgets = json.loads(out)["budgets"]
    assert [Decimal(b["month_to_date"]) for b in budgets] == [
        mtd(fake, project_ids=[first]),
        mtd(fake, project_ids=[second]),
    ]
    path.write_text('[[team]]\nname = "web"\nprojects = ["No such project"]\n')
    code, _, err = run("--config", str(path))
    assert code == 2
    assert "[[team]] #1: projects: 'No such project' matches nothing in the organization's" in err


def test_from_a_local_store(
    run: Run,
    fake: FakeAPI,
    server: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "usage.db"
    assert main(["--base-url", server, "sync", "--db", str(db), "--start", "2026-08-01"]) == 0
    capsys.readouterr()
    monkeypatch.delenv("OPENAI_ADMIN_KEY")  # the store needs no key
    requests = len(fake.request_log)
    code, out, _ = run("--db", str(db), "--monthly-budget", "200", "-f", "json")
    assert len(fake.request_log) == requests  # nothing asked of the API
    assert code == 7
    document = json.loads(out)
    assert Decimal(document["budgets"][0]["month_to_date"]) == mtd(fake)
    assert document["budgets"][0]["status"] == "forecast-over"
    assert document["notes"][0].startswith(
        f"default: costs from the local store {db}; data as of the last finished sync: "
    )
    # This month's costs so far are stored; the last days may still change (issue 20).
    assert [n for n in document["notes"] if "Missing:" in n] == []
    assert any(n.startswith("default: Provisional: costs ") for n in document["notes"])
    # The same figures as from the API.
    monkeypatch.setenv("OPENAI_ADMIN_KEY", DEFAULT_ADMIN_KEY)
    code, api_out, _ = run("--monthly-budget", "200", "-f", "json")
    assert json.loads(api_out)["budgets"][0]["forecast"] == document["budgets"][0]["forecast"]
    empty = tmp_path / "empty.db"
    from openai_usage_client.store import Store

    Store(empty).close()
    code, _, err = run("--db", str(empty), "--monthly-budget", "200")
    assert code == 10 and f"{empty} holds no costs: run 'openai-usage sync --db" in err


# --- the built-in fake with its clock set (--fake --fake-now) ----------------------------------


def fake_run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--fake", "--fake-now", "2026-10-20", "check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_fake_now_monthly_budget(
    fake: FakeAPI,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENAI_ADMIN_KEY", raising=False)
    code, out, _ = fake_run(capsys, "--monthly-budget", "200")
    assert code == 7
    assert budget_line(out, "organization")[1] == money(mtd(fake), "usd")
    assert budget_line(out, "organization")[-1] == "forecast-over"
    code, out, _ = fake_run(capsys, "--monthly-budget", "400")
    assert (code, budget_line(out, "organization")[-1]) == (0, "ok")


def test_fake_now_two_teams_three_budgets(
    fake: FakeAPI, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = config(tmp_path, fake, 200)
    code, out, _ = fake_run(capsys, "--config", str(path))
    assert code == 7
    assert [budget_line(out, s)[-1] for s in ("organization", "team:alpha", "team:beta")] == [
        "forecast-over", "warn", "ok",
    ]  # fmt: skip
    code, _, _ = fake_run(capsys, "--config", str(config(tmp_path, fake, 400)))
    assert code == 0


def test_fake_now_two_organizations(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Under --fake, the configured organizations are the fake organizations of seeds 0, 1, ...
    path = tmp_path / "orgs.toml"
    path.write_text('[[organization]]\nname = "prod"\n[[organization]]\nname = "lab"\n')
    code, out, _ = fake_run(capsys, "--config", str(path), "-f", "json")
    assert code == 0
    truth = [mtd(FakeAPI(seed=seed, now=NOW)) for seed in (0, 1)]
    totals = json.loads(out)["totals"]
    assert [
        (o["organization"], Decimal(o["by_currency"]["usd"])) for o in totals["organizations"]
    ] == [("prod", truth[0]), ("lab", truth[1])]
    assert Decimal(totals["combined"]["usd"]) == truth[0] + truth[1]


def test_a_missing_store_is_not_created(run: Run, tmp_path: Path) -> None:
    code, _, err = run("--db", str(tmp_path / "typo.db"), "--monthly-budget", "5")
    assert code == 2 and f"no store at {tmp_path / 'typo.db'}: create it with" in err
    assert not (tmp_path / "typo.db").exists()
