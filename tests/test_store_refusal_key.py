"""Costs refused by API key (issue 37; ``live-api-facts.md`` section 3, item 7): the fake
refuses as the live API did, and sync falls back to the finest grouping the organization
accepts (without the field the 400 names, else ``user_id``, then ``api_key_id``), one refused
request per grouping, remembered per organization; an explicit grouping is never replaced.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _cli_run import run
from _store_helpers import DAY, client_for, no_duplicates
from test_store_refusal import costs_groupings, live_rows, stored_groupings

from openai_usage_client import BadRequestError
from openai_usage_client.store import Store, SyncIncompleteError
from openai_usage_client.testing import DEFAULT_NOW, FakeAPI

pytestmark = pytest.mark.usefixtures("no_ambient_key")

NOW = DEFAULT_NOW
START = NOW - 30 * DAY
DEFAULT = "project_id,line_item,api_key_id,user_id"
NO_KEY = "project_id,line_item,user_id"
NEITHER = "project_id,line_item"
KEY_REFUSAL = "Grouping costs by 'api_key_id' is not supported for this organization."


def test_the_fake_refuses_costs_by_key_with_the_live_400(tmp_path: Path) -> None:
    fake = FakeAPI(seed=0, refuse_costs_by_key=True)
    with client_for(fake) as client:
        with pytest.raises(BadRequestError) as caught:
            list(client.costs(start_time=START, end_time=NOW, group_by=["api_key_id"]))
        fine = list(client.costs(start_time=START, end_time=NOW, group_by=["project_id"]))
    assert caught.value.status_code == 400 and caught.value.param == "group_by"
    assert caught.value.type == "invalid_request_error"
    assert caught.value.body == {
        "error": {"message": KEY_REFUSAL, "type": "invalid_request_error",
                  "param": "group_by", "code": None},
    }  # fmt: skip
    assert len(fine) == 30


def test_sync_drops_the_key_the_400_names_and_remembers_it(tmp_path: Path) -> None:
    fake = FakeAPI(seed=0, refuse_costs_by_key=True)
    with client_for(fake) as client, Store(tmp_path / "u.db") as store:
        first = store.sync(client, start=START, endpoints=["costs"], now=NOW)
        assert costs_groupings(fake) == [DEFAULT, NO_KEY, NO_KEY]
        assert first.warnings == [
            "costs: the API refused grouping by project_id, line_item, api_key_id, user_id for "
            f"organization default (HTTP 400: {KEY_REFUSAL}); stored by project_id, line_item, "
            "user_id instead. Remembered: later syncs do not ask again until 2026-12-01 "
            "(--retry-refused, or retry_refused=True, asks now)"
        ]
        assert stored_groupings(store) == [NO_KEY]
        assert list(store.rows("costs", names=False)) == live_rows(fake, NO_KEY, end=NOW + DAY)
        fake.request_log.clear()
        later = store.sync(client, endpoints=["costs"], now=NOW + DAY)
        assert costs_groupings(fake) == [NO_KEY] and later.warnings == []
        assert later.notes == [
            "costs: grouped by project_id, line_item, user_id without api_key_id: the API "
            "refused it for organization default on 2026-11-01; tried again from 2026-12-01 "
            "(or now with --retry-refused)"
        ]


def test_both_refusals_fall_back_twice_in_one_run_and_once_in_memory(tmp_path: Path) -> None:
    fake = FakeAPI(seed=0, refuse_costs_by_key=True, refuse_costs_user_with_project=True)
    with client_for(fake) as client, Store(tmp_path / "u.db") as store:
        first = store.sync(client, start=START, endpoints=["costs"], now=NOW)
        # One refused request per grouping: the default, then the one without keys.
        assert costs_groupings(fake) == [DEFAULT, NO_KEY, NEITHER, NEITHER]
        assert first.requests == 4 and len(first.warnings) == 2
        assert stored_groupings(store) == [NEITHER]
        memory = store.connection.execute(
            "SELECT value FROM meta WHERE key = 'refused_grouping:costs:default'"
        ).fetchone()
        assert json.loads(memory[0])["refused"] == DEFAULT
        assert json.loads(memory[0])["instead"] == NEITHER
        fake.request_log.clear()
        later = store.sync(client, endpoints=["costs"], now=NOW + DAY)
        assert costs_groupings(fake) == [NEITHER] and later.warnings == []
        assert later.notes == [
            "costs: grouped by project_id, line_item without api_key_id, user_id: the API "
            "refused it for organization default on 2026-11-01; tried again from 2026-12-01 "
            "(or now with --retry-refused)"
        ]
        no_duplicates(store, ["costs"])
        total = sum(r["amount_value"] for r in store.rows("costs", START, NOW, names=False))
        assert total == fake.totals("costs", start_time=START, end_time=NOW)[()]["amount"]


def test_an_explicit_grouping_by_key_is_never_replaced(tmp_path: Path) -> None:
    fake = FakeAPI(seed=0, refuse_costs_by_key=True)
    with client_for(fake) as client, Store(tmp_path / "u.db") as store:
        with pytest.raises(SyncIncompleteError) as caught:
            store.sync(client, start=START, endpoints=["costs"], now=NOW,
                       group_by={"costs": ["project_id", "api_key_id"]})  # fmt: skip
        assert costs_groupings(fake) == ["project_id,api_key_id"]
    assert isinstance(caught.value.cause, BadRequestError)
    message = str(caught.value)
    assert f"Error code: 400 - {KEY_REFUSAL} [request id: req_" in message
    assert message.endswith(
        "Nothing was delivered. 0 window(s) were stored and are kept; not stored: costs "
        "2026-10-02..2026-11-02. The API refused the request, so the same sync fails the same "
        "way: fix what the error names (a grouping, the key's permissions), then sync again to "
        "fetch what is missing (only that is fetched)."
    )


def test_fake_server_documents_its_refusals() -> None:
    code, out, _ = run("fake-server", "--help")
    assert code == 0
    flat = " ".join(out.split())
    assert "--refuse-costs-by-key Answer costs grouped by api_key_id with HTTP 400" in flat
    assert "--refuse-costs-by-user Answer costs grouped by user_id together with" in flat


# --- the live report and check fall back too --------------------------------------------------


def test_the_live_report_shows_spend_by_key_as_refused_never_as_nothing() -> None:
    from openai_usage_client.report import build_report, render_report, report_document

    fake = FakeAPI(seed=0, refuse_costs_by_key=True)
    with client_for(fake) as client:
        report = build_report(client, START, NOW)
    # One refused request (costs by key and line item); every other view as usual.
    assert costs_groupings(fake) == ["project_id,line_item", "api_key_id,line_item",
                                     "user_id,line_item"]  # fmt: skip
    why = (
        "the API refused costs grouped by api_key_id for this organization (HTTP 400: "
        f"{KEY_REFUSAL})"
    )
    assert report.unavailable == {"costs_by_key": why}
    assert report.by_key == [] and report.differences == {}
    assert report.total == fake.totals("costs", start_time=START, end_time=NOW)[()]["amount"]
    assert report.top_by_model and all(t.api_keys == [] and t.users for t in report.top_by_model)
    text = render_report(report, 5, "#", width=80)
    at = text.index("Top API keys by spend")
    assert text[at : at + 4] == [
        "Top API keys by spend",
        "  (the API refused costs grouped by api_key_id for this organization (HTTP 400:",
        "  Grouping costs by 'api_key_id' is not supported for this organization.))",
        "",
    ]
    assert "    keys:  (not available: see above)" in text
    assert report_document(report)["unavailable"] == {"costs_by_key": why}


def test_check_reads_costs_without_keys_and_says_so() -> None:
    from datetime import UTC, datetime

    from openai_usage_client.spend import ClientSource, OrgSource, check, parse_config

    fake = FakeAPI(seed=0, refuse_costs_by_key=True)
    config = parse_config({"budget": [{"scope": "organization", "monthly_usd": 1000}]})
    with client_for(fake) as client:
        result = check(config, [OrgSource("default", ClientSource(client))],
                       now=datetime.fromtimestamp(NOW - 11 * DAY, UTC))  # fmt: skip
    groupings = costs_groupings(fake)
    assert groupings == ["project_id,line_item,api_key_id", NEITHER]
    assert result.notes == [
        "costs: the API refused grouping by api_key_id for this organization (HTTP 400: "
        f"{KEY_REFUSAL}); read by project_id, line_item: spend by API key, and team rules by "
        "key, see none of it"
    ]
    month = fake.totals("costs", start_time=NOW - 31 * DAY, end_time=NOW - 11 * DAY)
    assert result.budgets[0].forecast.month_to_date == month[()]["amount"] > 0
    assert not any(a.dimension == "api_key" for a in result.anomalies)


def test_check_db_says_the_stored_costs_lack_keys(tmp_path: Path) -> None:
    fake = FakeAPI(seed=0, refuse_costs_by_key=True)
    path = tmp_path / "u.db"
    with client_for(fake) as client, Store(path) as store:
        store.sync(client, start=START, endpoints=["costs"], now=NOW)
    config = tmp_path / "spend.toml"
    config.write_text('[[budget]]\nscope = "organization"\nmonthly_usd = 1000\n')
    code, out, err = run("check", "--db", str(path), "--config", str(config),
                         "--as-of", "2026-11-02", "--max-age", "30d", "-f", "json")  # fmt: skip
    assert code == 0, err
    assert (
        "default: the stored costs are not grouped by api_key_id (grouped by project_id, "
        "line_item, user_id): spend by API key, and team rules by key, see none of it"
    ) in json.loads(out)["notes"]
