"""Report filters, "top keys and users by model", the JSON document and Markdown.

Checked against ``summarize`` over rows fetched here and against the fake's own totals.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from openai_usage_client import UsageClient, summarize
from openai_usage_client._core._rows import Row, rows
from openai_usage_client.report import ReportFilters, build_report
from openai_usage_client.report._views import (
    SCHEMA,
    ReportView,
    dumps,
    render_markdown,
    report_document,
)
from openai_usage_client.testing import BASE_URL, DEFAULT_ADMIN_KEY, FakeAPI

START = int(datetime(2026, 10, 1, tzinfo=UTC).timestamp())
END = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    return FakeAPI(seed=0)


@pytest.fixture(scope="module")
def client(fake: FakeAPI) -> Iterator[UsageClient]:
    http = httpx.Client(transport=fake.transport())
    with UsageClient(DEFAULT_ADMIN_KEY, base_url=BASE_URL, http_client=http) as c:
        yield c


def fetch(client: UsageClient, endpoint: str, params: dict[str, Any]) -> list[Row]:
    return list(rows(client.endpoint(endpoint)(**params), endpoint))


@pytest.fixture(scope="module")
def document(client: UsageClient) -> dict[str, Any]:
    report = build_report(client, START, END, source="fake")
    view = ReportView(period="calendar month October 2026")
    text = dumps(report_document(report, view))
    parsed: dict[str, Any] = json.loads(text)
    return parsed


def money(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def test_json_sections_equal_summarize(client: UsageClient, document: dict[str, Any]) -> None:
    span = {"start_time": START, "end_time": END}
    costs = fetch(client, "costs", {**span, "group_by": ["project_id", "line_item"]})
    assert document["schema"] == SCHEMA
    assert document["period"] == {
        "start": "2026-10-01T00:00:00Z",
        "end": "2026-11-01T00:00:00Z",
        "time_zone": "UTC",
        "chosen_by": "calendar month October 2026",
        "days": 31,
    }
    total = sum(r["amount_value"] for r in costs)
    assert document["total"] == money(total)
    assert document["average_per_day"] == money((total / 31).quantize(Decimal("0.000001")))
    for section, column in (
        ("by_project", "project_id"),
        ("by_line_item", "line_item"),
        ("by_model", "model"),
    ):
        expected = summarize(costs, by=[column], fields=["amount_value"])
        assert [(s[column], s["amount"]) for s in document[section]] == [
            (r[column], money(r["amount_value"])) for r in expected
        ]
    top = document["by_project"][0]
    assert Decimal(top["share"]) == (Decimal(top["amount"]) / total).quantize(Decimal("0.0001"))
    keys = fetch(client, "costs", {**span, "group_by": ["api_key_id"]})
    assert [(s["api_key_id"], s["amount"]) for s in document["by_api_key"]] == [
        (r["api_key_id"], money(r["amount_value"]))
        for r in summarize(keys, by=["api_key_id"], fields=["amount_value"])
    ]
    tokens = fetch(client, "completions", {**span, "group_by": ["model"]})
    fields = ["input_tokens", "input_cached_tokens", "output_tokens", "num_model_requests"]
    assert document["tokens_by_model"] == [
        {"model": r["model"], **{f: r[f] for f in fields}}
        for r in summarize(tokens, by=["model"], fields=fields)
    ]
    assert len(document["daily"]) == 31
    assert sum(Decimal(d["amount"]) for d in document["daily"]) == total
    # Every number that is money is a string: a parser never sees a float.
    assert all(isinstance(d["amount"], str) for d in document["daily"])


def test_top_keys_and_users_by_model_equal_the_fake(
    fake: FakeAPI, document: dict[str, Any]
) -> None:
    truth = fake.totals(
        "costs", start_time=START, end_time=END, group_by=["api_key_id", "line_item"]
    )
    per_model: dict[str, dict[str | None, Decimal]] = {}
    for (key, item), v in truth.items():
        if ", " in item:
            model = item.split(", ")[0]
            per_model.setdefault(model, {})[key] = (
                per_model.get(model, {}).get(key, 0) + v["amount"]
            )
    ranked = sorted(per_model, key=lambda m: -sum(per_model[m].values()))
    section = document["top_by_model"]
    assert [s["model"] for s in section] == ranked[:10]
    for entry in section:
        spent = per_model[entry["model"]]
        assert entry["amount"] == money(sum(spent.values(), Decimal(0)))
        best = sorted(spent.items(), key=lambda kv: -kv[1])[:3]
        assert [(k["api_key_id"], k["amount"]) for k in entry["api_keys"]] == [
            (k, money(a)) for k, a in best
        ]
        assert 1 <= len(entry["users"]) <= 3


def test_filters_go_to_the_api_or_are_applied_here(client: UsageClient, fake: FakeAPI) -> None:
    by_user = fake.totals("costs", start_time=START, end_time=END, group_by=["user_id"])
    user = sorted(u for (u,) in by_user if u is not None)[0]
    projects = fake.totals("costs", start_time=START, end_time=END, group_by=["project_id"])
    project = sorted(p for (p,) in projects if p is not None)[0]
    model = "gpt-4o-mini-2024-07-18"
    filters = ReportFilters(project_ids=(project,), user_ids=(user,), models=(model,))
    sent: list[tuple[str, dict[str, Any]]] = []

    def recording(query: Any, params: dict[str, Any]) -> list[Row]:
        sent.append((query.endpoint, params))
        return fetch(client, query.endpoint, params)

    report = build_report(client, START, END, source="fake", fetch=recording, filters=filters)
    span = {"start_time": START, "end_time": END}
    assert sent == [
        (
            "costs",
            {**span, "group_by": ["project_id", "line_item", "user_id"], "project_ids": [project]},
        ),
        (
            "costs",
            {**span, "group_by": ["api_key_id", "line_item", "user_id"], "project_ids": [project]},
        ),
        ("costs", {**span, "group_by": ["user_id", "line_item"], "project_ids": [project]}),
        (
            "completions",
            {
                **span,
                "group_by": ["model"],
                "project_ids": [project],
                "user_ids": [user],
                # No models: the API matches exact names only; the model is filtered here,
                # its dated snapshots included (model_matches).
            },
        ),
    ]
    truth = fake.totals(
        "costs",
        start_time=START,
        end_time=END,
        group_by=["user_id", "line_item"],
        project_ids=[project],
    )
    expected = sum(
        (
            v["amount"]
            for (u, item), v in truth.items()
            if u == user and item.startswith(f"{model}, ")
        ),
        Decimal(0),
    )
    assert report.total == expected and expected > 0
    assert [r["user_id"] for r in report.by_user] == [user]
    assert {r["model"] for r in report.by_model} == {model}
    tokens = fake.totals(
        "completions",
        start_time=START,
        end_time=END,
        group_by=["model"],
        project_ids=[project],
        user_ids=[user],
        models=[model],
    )
    assert [(r["model"], r["input_tokens"]) for r in report.tokens] == [
        (m, v["input_tokens"]) for (m,), v in tokens.items()
    ]
    assert filters.describe() == f"project {project}; user {user}; model {model}"


def test_markdown_has_every_section(client: UsageClient) -> None:
    report = build_report(client, START, END, source="fake")
    view = ReportView(
        tz=ZoneInfo("Europe/Berlin"), period="--start/--end", notices=["costs: UTC days"]
    )
    lines = render_markdown(report, view, top=3)
    assert lines[0] == "# OpenAI usage report: 2026-10-01 02:00 to 2026-11-01 01:00 Europe/Berlin"
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == [
        "## Spend by project",
        "## Spend by line item",
        "## Spend by model",
        "## Top API keys",
        "## Top users",
        "## Tokens by model (completions)",
        "## Top keys and users by model",
        "## Daily spend",
    ]
    assert "> costs: UTC days" in lines
    at = lines.index("## Spend by project")
    assert lines[at + 2 : at + 4] == ["| project_id | spend | share |", "| --- | ---: | ---: |"]
    first = report.by_project[0]
    assert lines[at + 4].startswith(f"| {first['project_id']} | ${first['amount_value']:,.2f} | ")
    assert sum(1 for line in lines if line.startswith("| 2026-10-")) == 31


def test_write_document_writes_the_same_json_in_pieces_of_about_64_kb() -> None:
    from datetime import date, timedelta

    from openai_usage_client.report import Report, dumps, report_document, write_document

    start = datetime(2025, 1, 1, tzinfo=UTC)
    report = Report(start, start + timedelta(days=400), "test")
    report.daily = {
        date(2025, 1, 1) + timedelta(days=d): {
            f"proj_{p:03d}": Decimal(f"{d}.{p:02d}5") for p in range(20)
        }
        for d in range(400)
    }
    report.daily[date(2025, 1, 2)] = {None: Decimal("1.5"), "proj_\x85x": Decimal(2)}
    pieces: list[str] = []
    write_document(report, None, pieces.append)
    whole = dumps(report_document(report))
    assert "".join(pieces) == whole
    assert "\\u0085" in whole and "\x85" not in whole  # C1 controls escaped in every piece
    assert len(pieces) == len(whole) // 65_536 + 1 >= 4
    assert all(len(p) < 70_000 for p in pieces)
    assert json.loads(whole)["daily"][1]["by_project"] == {"": "1.5", "proj_\x85x": "2"}
