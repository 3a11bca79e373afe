"""``spend.check`` against the fake with its clock mid-month; statuses worked out by hand from
the fake's ground truth (``FakeAPI.totals``), never from the code under test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from openai_usage_client import UsageClient
from openai_usage_client._cli._errors import exit_code_for_check
from openai_usage_client._core._exceptions import InvalidParameterError
from openai_usage_client._core._format import decimal_text
from openai_usage_client.spend import (
    CheckResult,
    ClientSource,
    NotifyError,
    OrgSource,
    SpendConfig,
    SpendSetting,
    check,
    notify,
    organization_totals,
    parse_config,
)
from openai_usage_client.testing import BASE_URL, DEFAULT_ADMIN_KEY, FakeAPI

DAY = 86_400
NOW = datetime(2026, 10, 20, tzinfo=UTC)
OCT_1 = int(datetime(2026, 10, 1, tzinfo=UTC).timestamp())
OCT_20 = int(NOW.timestamp())
NOV_1 = OCT_1 + 31 * DAY


def source(fake: FakeAPI) -> Iterator[ClientSource]:
    http = httpx.Client(transport=fake.transport())
    with UsageClient(DEFAULT_ADMIN_KEY, base_url=BASE_URL, http_client=http) as client:
        yield ClientSource(client)


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    return FakeAPI(seed=0, now=NOW)


@pytest.fixture(scope="module")
def org(fake: FakeAPI) -> Iterator[OrgSource]:
    for s in source(fake):
        yield OrgSource("default", s)


@pytest.fixture(scope="module")
def final() -> FakeAPI:
    """The same organization once October is over: the month's true totals."""
    return FakeAPI(seed=0)


def verdict(result: CheckResult) -> int:
    """``openai-usage check``'s exit code for the result: its statuses through the CLI's one
    exit-code table (the library returns statuses, never exit codes)."""
    return exit_code_for_check(b.status for b in result.budgets)


def expected_status(mtd: Decimal, final_total: Decimal, budget: Decimal, warn_at: float) -> str:
    """The status rules applied to the true month total, with a margin so that a forecast
    within 5% of the truth cannot change the answer."""
    warn = budget * Decimal(str(warn_at))
    for edge in (budget, warn):
        assert abs(final_total - edge) > edge * Decimal("0.06"), "budget too close to call"
    if mtd > budget:
        return "over"
    if final_total > budget:
        return "forecast-over"
    return "warn" if final_total >= warn else "ok"


def team_totals(fake: FakeAPI, start: int, end: int) -> dict[str, Decimal]:
    """The two teams of TEAMS by hand: key 6 belongs to beta whatever its project."""
    org = fake.org
    lines = fake.totals(
        "costs", start_time=start, end_time=end, group_by=["project_id", "api_key_id"]
    )
    out = {"alpha": Decimal(0), "beta": Decimal(0), "unallocated": Decimal(0)}
    for (project, key), v in lines.items():
        if key == org.keys[6].id or project == org.projects[2]:
            team = "beta"
        elif project == org.projects[0]:
            team = "alpha"
        else:
            team = "unallocated"
        out[team] += v["amount"]
    return out


def config_of(fake: FakeAPI, budgets: list[tuple[str, int]]) -> SpendConfig:
    org = fake.org
    return parse_config(
        {
            "team": [
                {"name": "alpha", "projects": [org.projects[0]]},
                {"name": "beta", "projects": [org.projects[2]], "api_keys": [org.keys[6].id]},
            ],
            "budget": [{"scope": s, "monthly_usd": b} for s, b in budgets],
        },
        "test.toml",
    )


def test_organization_budget_statuses(org: OrgSource, fake: FakeAPI, final: FakeAPI) -> None:
    mtd = fake.totals("costs", start_time=OCT_1, end_time=OCT_20)[()]["amount"]
    month = final.totals("costs", start_time=OCT_1, end_time=NOV_1)[()]["amount"]
    for budget, status in ((200, "forecast-over"), (270, "warn"), (400, "ok"), (140, "over")):
        assert expected_status(mtd, month, Decimal(budget), 0.8) == status
        result = check(config_of(fake, [("organization", budget)]), [org], now=NOW)
        (line,) = result.budgets
        assert line.status == status, budget
        assert line.month_to_date == mtd  # exact, Decimal
        assert abs(line.forecast.forecast - month) < month * Decimal("0.05")
        assert verdict(result) == (7 if status in ("over", "forecast-over") else 0)
        assert line.forecast.provisional_days == (
            datetime(2026, 10, 18).date(),
            datetime(2026, 10, 19).date(),
        )


def test_two_teams_three_budgets(org: OrgSource, fake: FakeAPI, final: FakeAPI) -> None:
    mtd = team_totals(fake, OCT_1, OCT_20)
    month = team_totals(final, OCT_1, NOV_1)
    budgets = [("organization", 200), ("team:alpha", 63), ("team:beta", 150)]
    result = check(config_of(fake, budgets), [org], now=NOW)
    total_mtd = fake.totals("costs", start_time=OCT_1, end_time=OCT_20)[()]["amount"]
    total_month = final.totals("costs", start_time=OCT_1, end_time=NOV_1)[()]["amount"]
    want = [
        expected_status(total_mtd, total_month, Decimal(200), 0.8),
        expected_status(mtd["alpha"], month["alpha"], Decimal(63), 0.8),
        expected_status(mtd["beta"], month["beta"], Decimal(150), 0.8),
    ]
    assert want == ["forecast-over", "warn", "ok"]
    assert [b.status for b in result.budgets] == want
    assert [b.month_to_date for b in result.budgets] == [total_mtd, mtd["alpha"], mtd["beta"]]
    assert verdict(result) == 7
    assert result.totals.organizations[0].by_team == {
        team: {"usd": amount} for team, amount in mtd.items()
    }
    # Without the organization's budget, warn and ok only: exit 0.
    calm = check(config_of(fake, budgets[1:]), [org], now=NOW)
    assert [b.status for b in calm.budgets] == ["warn", "ok"]
    assert verdict(calm) == 0


def test_project_budget_by_id(org: OrgSource, fake: FakeAPI) -> None:
    project = fake.org.projects[1]
    mtd = fake.totals("costs", start_time=OCT_1, end_time=OCT_20, project_ids=[project])
    result = check(config_of(fake, [(f"project:{project}", 1000)]), [org], now=NOW)
    assert result.budgets[0].month_to_date == mtd[()]["amount"]
    assert result.budgets[0].status == "ok"


def test_two_organizations_separate_and_combined(fake: FakeAPI) -> None:
    other = FakeAPI(seed=1, now=NOW)
    budgets = [("organization", 1000), ("organization:prod", 1000), ("organization:lab", 1000)]
    config = parse_config(
        {
            "organization": [{"name": "prod"}, {"name": "lab", "admin_key_env": "LAB_KEY"}],
            "budget": [{"scope": s, "monthly_usd": b} for s, b in budgets],
        }
    )
    truth = [
        f.totals("costs", start_time=OCT_1, end_time=OCT_20)[()]["amount"] for f in (fake, other)
    ]
    assert truth[0] != truth[1]
    for a in source(fake):
        for b in source(other):
            result = check(config, [OrgSource("prod", a), OrgSource("lab", b)], now=NOW)
    assert [(o.organization, o.by_currency) for o in result.totals.organizations] == [
        ("prod", {"usd": truth[0]}),
        ("lab", {"usd": truth[1]}),
    ]
    assert result.totals.combined == {"usd": truth[0] + truth[1]}
    assert [b.month_to_date for b in result.budgets] == [truth[0] + truth[1], *truth]
    document = result.to_dict()["totals"]
    assert document["combined"] == {"usd": decimal_text(truth[0] + truth[1])}


def test_totals_keep_currencies_apart() -> None:
    rows = {
        "a": [{"amount_value": Decimal("1.5"), "amount_currency": "usd"}],
        "b": [
            {"amount_value": Decimal("2"), "amount_currency": "eur"},
            {"amount_value": Decimal("1"), "amount_currency": "USD", "team": "x"},
        ],
    }
    totals = organization_totals(rows)
    assert totals.combined == {"usd": Decimal("2.5"), "eur": Decimal(2)}
    assert totals.organizations[1].by_team == {"x": {"usd": Decimal(1)}}


def test_a_budget_above_a_hard_spend_limit_is_flagged(fake: FakeAPI) -> None:
    settings = [
        SpendSetting.from_cents("organization", "limit", 15_000, enforcing=True),
        SpendSetting.from_cents("organization", "alert", 10_000),
        SpendSetting.from_cents(f"project:{fake.org.projects[0]}", "limit", 100, enforcing=True),
    ]
    assert settings[0].amount_usd == Decimal(150)
    for s in source(fake):
        org = OrgSource("default", s, settings=settings)
        result = check(
            config_of(fake, [("organization", 200), ("organization", 120)]), [org], now=NOW
        )
    high, low = result.budgets
    assert high.above_hard_limit and not low.above_hard_limit
    assert "budget $200.00 is above OpenAI's hard spend limit $150.00" in " ".join(high.notes)
    assert [s.kind for s in high.settings] == ["limit", "alert"]  # the project's is not shown
    # The forecast (about $245) passes the limit: said on both lines.
    assert any("forecast reaches OpenAI's hard spend limit $150.00" in n for n in low.notes)
    assert high.to_dict()["openai_settings"][0] == {
        "scope": "organization",
        "kind": "limit",
        "amount": "150",
        "enforcing": True,
        "interval": "month",
    }


def test_json_document(org: OrgSource, fake: FakeAPI) -> None:
    result = check(config_of(fake, [("organization", 200)]), [org], now=NOW)
    document = json.loads(json.dumps(result.to_dict(verdict(result))))
    assert set(document) == {"schema_version", "as_of", "month", "status", "exit_code",
                             "complete", "budgets", "anomalies", "totals", "notes"}  # fmt: skip
    assert document["complete"] is True  # the API's answers leave no bucket out
    assert document["as_of"] == "2026-10-20T00:00:00Z" and document["month"] == "2026-10"
    assert (document["status"], document["exit_code"]) == ("forecast-over", 7)
    line = document["budgets"][0]
    assert set(line) == {
        "scope", "status", "currency", "budget", "warn_at", "percent", "forecast_percent",
        "month", "month_to_date", "forecast", "forecast_low", "forecast_high", "days_in_month",
        "days_elapsed", "provisional_days", "daily_level", "weekend_factor",
        "above_hard_limit", "openai_settings", "notes", "complete", "incomplete",
    }  # fmt: skip
    assert (line["complete"], line["incomplete"]) == (True, [])
    assert (
        Decimal(line["forecast_low"]) <= Decimal(line["forecast"]) <= Decimal(line["forecast_high"])
    )


def test_unknown_project_scope_is_a_config_error(org: OrgSource, fake: FakeAPI) -> None:
    from openai_usage_client.spend import ConfigError

    with pytest.raises(ConfigError, match=r"test.toml: \[\[budget\]\] #1: scope 'project:Nope'"):
        check(config_of(fake, [("project:Nope", 5)]), [org], now=NOW)


# --- notify -----------------------------------------------------------------------------------


def webhook(status: int = 200) -> tuple[httpx.Client, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status)

    return httpx.Client(transport=httpx.MockTransport(handler)), seen


URL = "https://hooks.example.com/services/T000/B000/SECRETPATH"


def test_notify_posts_json_with_a_slack_text_when_not_ok(org: OrgSource, fake: FakeAPI) -> None:
    result = check(config_of(fake, [("organization", 200)]), [org], now=NOW)
    http, seen = webhook()
    assert notify(URL, result, http_client=http, exit_code=verdict(result)) is True
    (request,) = seen
    assert (request.method, str(request.url)) == ("POST", URL)
    body = json.loads(request.content)
    assert body["text"].startswith(
        "openai-usage check 2026-10 (as of 2026-10-20T00:00:00Z): 1 forecast-over"
    )
    assert "- organization: forecast-over: $147.71 of $200.00 (74%)" in body["text"]
    assert body["budgets"] == result.to_dict()["budgets"]
    assert (body["status"], body["exit_code"]) == ("forecast-over", 7)


def test_notify_sends_nothing_when_all_is_ok(org: OrgSource, fake: FakeAPI) -> None:
    result = check(config_of(fake, [("organization", 1000)]), [org], now=NOW)
    assert result.status == "ok" and not result.anomalies
    http, seen = webhook()
    assert notify(URL, result, http_client=http) is False
    assert seen == []


def test_notify_failure_names_the_host_only(org: OrgSource, fake: FakeAPI) -> None:
    result = check(config_of(fake, [("organization", 200)]), [org], now=NOW)
    http, _ = webhook(500)
    with pytest.raises(NotifyError) as info:
        notify(URL, result, http_client=http)
    assert str(info.value) == "notification to hooks.example.com refused: HTTP 500"
    with pytest.raises(InvalidParameterError) as refused:
        notify("ftp://x/SECRET", result)
    assert str(refused.value) == (
        "invalid --notify-url='(hidden)': an http(s) URL, e.g. https://hooks.slack.com/..."
    )


class Rec:
    def __init__(self, id: str, name: str | None = None) -> None:
        self.id, self.name = id, name


class Directory:
    def __init__(self, projects: list[Rec]) -> None:
        self.projects = projects
        self.api_keys: list[Rec] = []
        self.users: list[Rec] = []

    def project(self, id: str) -> Rec | None:
        return next((p for p in self.projects if p.id == id), None)

    def api_key(self, id: str) -> Rec | None:
        return None

    def user(self, id: str) -> Rec | None:
        return None


def test_with_a_directory_names_work_and_rules_are_checked(fake: FakeAPI) -> None:
    names = ["Search", "Agents", "Vision", "Batch", "Idle"]
    directory = Directory([Rec(p, n) for p, n in zip(fake.org.projects, names, strict=True)])
    config = parse_config(
        {
            "team": [{"name": "agents", "projects": ["Agents"]}],
            "budget": [
                {"scope": "team:agents", "monthly_usd": 1000},
                {"scope": "project:Agents", "monthly_usd": 1000},
            ],
        }
    )
    truth = fake.totals(
        "costs", start_time=OCT_1, end_time=OCT_20, project_ids=[fake.org.projects[1]]
    )
    for s in source(fake):
        result = check(config, [OrgSource("default", s, directory)], now=NOW)
    assert [b.month_to_date for b in result.budgets] == [truth[()]["amount"]] * 2
    bad = parse_config({"team": [{"name": "agents", "projects": ["Agentz"]}]}, "t.toml")
    for s in source(fake):
        from openai_usage_client.spend import ConfigError

        with pytest.raises(
            ConfigError, match=r"t.toml: \[\[team\]\] #1: projects: 'Agentz' matches nothing"
        ):
            check(bad, [OrgSource("default", s, directory)], now=NOW)


def test_client_settings_read_the_fake_exactly(fake: FakeAPI) -> None:
    from openai_usage_client.spend import ClientSettings

    first = fake.org.projects[0]
    for s in source(fake):
        settings = ClientSettings(s.client)
        found = settings.settings([first, fake.org.projects[1]])  # the second has none: 404
        config = config_of(fake, [(f"project:{first}", 2000)])
        result = check(config, [OrgSource("default", s, settings=settings)], now=NOW)
    d = fake.directory
    assert d.spend_limit is not None
    project_limit = d.project_spend_limits[first]
    org_limit = Decimal(d.spend_limit["threshold_amount"]) / 100
    assert found == [
        SpendSetting("organization", "limit", org_limit, True),
        SpendSetting("organization", "alert", Decimal(d.spend_alerts[0]["threshold_amount"]) / 100),
        SpendSetting(f"project:{first}", "limit", Decimal(project_limit["threshold_amount"]) / 100,
                     project_limit["enforcement"]["status"] == "enforcing"),
        SpendSetting(f"project:{first}", "alert",
                     Decimal(d.project_spend_alerts[first][0]["threshold_amount"]) / 100),
    ]  # fmt: skip
    assert settings.warnings == []
    (line,) = result.budgets
    assert [s.scope for s in line.settings] == [f"project:{first}"] * 2
    # The project's limit is not enforced: a budget above it is not flagged.
    assert project_limit["enforcement"]["status"] == "inactive" and not line.above_hard_limit


def test_a_key_that_may_not_read_settings_gives_a_note() -> None:
    from openai_usage_client.spend import ClientSettings

    def handler(request: httpx.Request) -> httpx.Response:
        body = {"error": {"message": "Missing scopes", "type": "invalid_request_error"}}
        return httpx.Response(403, json=body)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    with UsageClient(DEFAULT_ADMIN_KEY, base_url=BASE_URL, http_client=http, max_retries=0) as c:
        settings = ClientSettings(c)
        assert settings.settings(["proj_x"]) == []
    assert settings.warnings == [
        "OpenAI's organization spend limit not shown: the key may not read them (403)"
    ]
    assert all(DEFAULT_ADMIN_KEY not in w for w in settings.warnings)


def test_late_settling_days_are_provisional_and_do_not_pull_the_forecast_down(
    final: FakeAPI,
) -> None:
    settling = FakeAPI(seed=0, now=NOW, settle_days=2)  # the last two days are not final yet
    truth_mtd = settling.totals("costs", start_time=OCT_1, end_time=OCT_20)[()]["amount"]
    month = final.totals("costs", start_time=OCT_1, end_time=NOV_1)[()]["amount"]
    for s in source(settling):
        (line,) = check(
            config_of(settling, [("organization", 200)]), [OrgSource("o", s)], now=NOW
        ).budgets
    settled_part = settling.totals("costs", start_time=OCT_1, end_time=OCT_20 - 2 * DAY)
    # Month to date is what was reported: the settled days in full, the last two days short.
    assert settled_part[()]["amount"] < line.month_to_date < truth_mtd
    assert line.forecast.provisional_days == (
        datetime(2026, 10, 18).date(),
        datetime(2026, 10, 19).date(),
    )
    # Unsettled days count at least their expected amount, so the forecast stays on the truth.
    assert abs(line.forecast.forecast - month) < month * Decimal("0.05")
    assert line.status == "forecast-over"
