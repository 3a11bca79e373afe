"""``openai_usage_client.report``: the report as library code (no click), from a client or
from rows, with package exceptions."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from openai_usage_client import OpenAIUsageError, UsageClient
from openai_usage_client.report import (
    REPORT_QUERIES,
    MixedCurrencyError,
    build_report,
    chart_data,
    default_period,
    report_from_rows,
)
from openai_usage_client.testing import BASE_URL, DEFAULT_ADMIN_KEY, FakeAPI

NOW = 1_793_491_200  # 2026-11-01T00:00Z
DAY = 86_400
START = NOW - 7 * DAY


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    return FakeAPI(seed=0)


def client_on(fake: FakeAPI) -> UsageClient:
    http = httpx.Client(transport=fake.transport())
    return UsageClient(DEFAULT_ADMIN_KEY, base_url=BASE_URL, http_client=http, max_retries=0)


def test_build_report_totals_match_the_fake(fake: FakeAPI) -> None:
    with client_on(fake) as client:
        report = build_report(client, START, NOW)
    assert report.source == BASE_URL
    assert report.start == datetime(2026, 10, 25, tzinfo=UTC)
    assert report.total == fake.totals("costs", start_time=START, end_time=NOW)[()]["amount"]
    projects = fake.totals("costs", start_time=START, end_time=NOW, group_by=["project_id"])
    assert {r["project_id"]: r["amount_value"] for r in report.by_project} == {
        p: v["amount"] for (p,), v in projects.items()
    }
    keys = fake.totals("costs", start_time=START, end_time=NOW, group_by=["api_key_id"])
    assert sum(r["amount_value"] for r in report.by_key) == sum(v["amount"] for v in keys.values())
    models = fake.totals("completions", start_time=START, end_time=NOW, group_by=["model"])
    assert {r["model"]: r["input_tokens"] for r in report.tokens} == {
        m: v["input_tokens"] for (m,), v in models.items()
    }
    assert sorted(report.daily) == [
        datetime.fromtimestamp(START + i * DAY, UTC).date() for i in range(7)
    ]


def test_build_report_makes_the_four_calls_through_fetch(fake: FakeAPI) -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    def fetch(query: Any, params: dict[str, Any]) -> list[Any]:
        calls.append((query.endpoint, params))
        return []

    with client_on(fake) as client:
        report = build_report(client, START, NOW, source="rows", fetch=fetch)
    assert calls == [
        (q.endpoint, {"start_time": START, "end_time": NOW, "group_by": list(q.group_by)})
        for q in REPORT_QUERIES
    ]
    assert report.total == 0 and report.by_project == [] and len(report.daily) == 7


def row(currency: str, amount: str) -> dict[str, Any]:
    return {
        "start_time": datetime.fromtimestamp(START, UTC),
        "project_id": "proj_a",
        "line_item": "gpt-4o, input",
        "amount_value": Decimal(amount),
        "amount_currency": currency,
    }


def test_report_from_rows_is_pure() -> None:
    rows = {
        "costs": [row("usd", "1.25"), row("usd", "0.75")],
        "costs_by_key": [],
        "costs_by_user": [],
        "tokens": [],
    }
    report = report_from_rows(rows, START, START + DAY, "test")
    assert report.total == Decimal("2.00")
    assert report.by_model[0]["model"] == "gpt-4o"
    assert chart_data(report).spend == {"proj_a": [2.0]}


def test_mixed_currencies_raise_a_package_error() -> None:
    rows = {
        "costs": [row("usd", "1"), row("eur", "1")],
        "costs_by_key": [],
        "costs_by_user": [],
        "tokens": [],
    }
    with pytest.raises(MixedCurrencyError, match=r"several currencies \(eur, usd\)") as caught:
        report_from_rows(rows, START, START + DAY, "test")
    assert isinstance(caught.value, OpenAIUsageError)


def test_default_period_is_complete_utc_days() -> None:
    now = datetime(2026, 11, 15, 13, 30, tzinfo=UTC)
    start, end = default_period(now, 30)
    assert end == int(datetime(2026, 11, 15, tzinfo=UTC).timestamp())
    assert end - start == 30 * DAY


def test_the_report_works_without_click() -> None:
    # (httpx itself imports click when it is installed, for its own CLI: so block it.)
    code = (
        "import sys; sys.modules['click'] = None\n"
        "import httpx, openai_usage_client.report as r\n"
        "from openai_usage_client import UsageClient\n"
        "from openai_usage_client.testing import BASE_URL, DEFAULT_ADMIN_KEY, FakeAPI\n"
        "http = httpx.Client(transport=FakeAPI().transport())\n"
        "c = UsageClient(DEFAULT_ADMIN_KEY, base_url=BASE_URL, http_client=http)\n"
        "print(r.build_report(c, 1793404800, 1793491200).total)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    total = FakeAPI().totals("costs", start_time=NOW - DAY, end_time=NOW)[()]["amount"]
    assert Decimal(done.stdout.strip()) == total
