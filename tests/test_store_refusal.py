"""Costs by user in the store (issue 13): stored where the organization allows it, a fallback
remembered where the API refuses costs grouped by user together with projects (HTTP 400).

Expected values come from the fake's own data (``fake.totals``, the live report and rows over
the same fake), never from the code under test.
"""

from __future__ import annotations

import asyncio
import json
import time
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from _cli_run import run
from _store_helpers import DAY, client_for, no_duplicates

from openai_usage_client import AsyncUsageClient, BadRequestError, rows
from openai_usage_client.report import build_report, report_from_store
from openai_usage_client.store import Store, SyncIncompleteError, default_group_by
from openai_usage_client.testing import (
    BASE_URL,
    DEFAULT_ADMIN_KEY,
    DEFAULT_NOW,
    FakeAPI,
    FakeServer,
)

pytestmark = pytest.mark.usefixtures("no_ambient_key")


NOW = DEFAULT_NOW  # 2026-11-01T00:00Z
START = NOW - 30 * DAY  # 2026-10-02
WITH_USER = "project_id,line_item,api_key_id,user_id"
WITHOUT_USER = "project_id,line_item,api_key_id"
REFUSAL = (
    "Grouping costs by 'user_id' is not supported together with 'project_id' grouping or a "
    "'project_ids' filter for this organization."
)
WARNING = (
    "costs: the API refused grouping by project_id, line_item, api_key_id, user_id for "
    f"organization default (HTTP 400: {REFUSAL}); stored by project_id, line_item, api_key_id "
    "instead. Remembered: later syncs do not ask again until {retry} (--retry-refused, or "
    "retry_refused=True, asks now)"
)
NOTE = (
    "costs: grouped by project_id, line_item, api_key_id without user_id: the API refused it "
    "for organization default on {day}; tried again from {retry} (or now with --retry-refused)"
)


def section(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start + 1 : end]


def costs_groupings(fake: FakeAPI) -> list[str]:
    """The ``group_by`` of every costs request the fake served, in order."""
    out = []
    for request in fake.request_log:
        if request.path.endswith("/organization/costs"):
            pairs = parse_qsl(request.query)
            out.append(",".join(v for k, v in pairs if k.removesuffix("[]") == "group_by"))
    return out


def stored_groupings(store: Store) -> list[str]:
    return [
        r[0]
        for r in store.connection.execute(
            "SELECT grouping FROM series WHERE endpoint = 'costs' ORDER BY grouping"
        )
    ]


def live_rows(fake: FakeAPI, group_by: str, start: int = START, end: int = NOW) -> list[Any]:
    with client_for(fake) as client:
        fetch = client.endpoint("costs")
        return list(rows(fetch(start_time=start, end_time=end, group_by=group_by.split(","))))


# --- the fake's knob --------------------------------------------------------------------------


def test_the_fake_refuses_costs_by_user_with_projects_only_when_asked() -> None:
    headers = {"authorization": f"Bearer {DEFAULT_ADMIN_KEY}"}
    base = f"start_time={NOW - 2 * DAY}"
    refusing, allowing = FakeAPI(refuse_costs_user_with_project=True), FakeAPI()
    refused = [
        "&group_by=project_id&group_by=user_id",
        "&group_by[]=user_id&group_by[]=project_id&group_by[]=line_item",
        "&project_ids=proj_x&group_by=user_id",
    ]
    for query in refused:
        answer = refusing.handle("GET", "/v1/organization/costs", base + query, headers)
        assert answer.status == 400, query
        assert json.loads(answer.body) == {
            "error": {
                "message": REFUSAL,
                "type": "invalid_request_error",
                "param": "group_by",
                "code": None,
            }
        }
        assert allowing.handle("GET", "/v1/organization/costs", base + query, headers).status == 200
    for path, query in [
        ("/v1/organization/costs", "&group_by=user_id&group_by=line_item"),
        ("/v1/organization/costs", "&group_by=project_id&group_by=api_key_id"),
        ("/v1/organization/usage/completions", "&group_by=project_id&group_by=user_id"),
    ]:
        assert refusing.handle("GET", path, base + query, headers).status == 200, (path, query)


# --- allowed: users in the store and in report --db -------------------------------------------


@pytest.fixture(scope="module")
def allowed(tmp_path_factory: pytest.TempPathFactory) -> tuple[FakeAPI, Path, Any]:
    fake = FakeAPI(seed=0)
    path = tmp_path_factory.mktemp("allowed") / "usage.db"
    with client_for(fake) as client, Store(path) as store:
        summary = store.sync(client, start=START - 3 * DAY, directory=True, now=NOW)
    return fake, path, summary


def test_allowed_costs_by_user_are_stored_in_one_request(
    allowed: tuple[FakeAPI, Path, Any],
) -> None:
    fake, path, summary = allowed
    assert default_group_by("costs") == tuple(WITH_USER.split(","))
    assert (summary.warnings, summary.notes) == ([], [])
    # One bucket first (its results size the windows: store._pages), then the rest.
    assert costs_groupings(fake) == [WITH_USER, WITH_USER]
    with Store(path) as store:
        assert stored_groupings(store) == [WITH_USER]
        assert list(store.rows("costs", START, NOW, names=False)) == live_rows(fake, WITH_USER)
        assert store.connection.execute("SELECT key FROM meta ORDER BY key").fetchall() == [
            ("created_at",),
            ("schema_version",),
        ]


def test_report_from_the_store_has_the_api_reports_top_users_exactly(
    allowed: tuple[FakeAPI, Path, Any],
) -> None:
    fake, path, _ = allowed
    with client_for(fake) as client:
        live = build_report(client, START, NOW)
    with Store(path) as store:
        local = report_from_store(store, START, NOW, names=False)
    assert local.unavailable == {}
    for row in (*live.by_user, *local.by_user):
        row.pop("rows", None)  # row counts depend on the grouping fetched
    assert local.by_user == live.by_user
    assert local.top_by_model == live.top_by_model
    by_user = fake.totals("costs", start_time=START, end_time=NOW, group_by=["user_id"])
    assert {r["user_id"]: r["amount_value"] for r in local.by_user} == {
        key[0]: v["amount"] for key, v in by_user.items()
    }
    assert sum((r["amount_value"] for r in local.by_user), Decimal(0)) == local.total


def test_report_db_shows_top_users_by_spend_as_the_api_report_does(
    allowed: tuple[FakeAPI, Path, Any],
) -> None:
    _, path, _ = allowed
    period = ["--start", "2026-10-02", "--end", "2026-11-01"]
    code, live, _ = run("--fake", "report", *period)
    assert code == 0
    code, local, err = run("report", "--db", str(path), *period)
    assert code == 0 and err == ""
    users = section(local, "Top users by spend")
    assert users == section(live, "Top users by spend")
    assert users and "not in the store" not in users[0]
    # The projects too (the label column may be wider in one report: the store labels the
    # key the fake's directory no longer lists "deleted: not listed").
    assert [line.split() for line in section(local, "Spend by project")] == [
        line.split() for line in section(live, "Spend by project")
    ]


# --- refused: fallback, one warning, remembered -----------------------------------------------


def test_a_refused_grouping_falls_back_warns_once_and_is_remembered(tmp_path: Path) -> None:
    fake = FakeAPI(seed=0, refuse_costs_user_with_project=True)
    with client_for(fake) as client, Store(tmp_path / "u.db") as store:
        first = store.sync(client, start=START, endpoints=["costs"], now=NOW)
        # One refused request, then the fallback (one bucket first, then the rest); all counted.
        assert costs_groupings(fake) == [WITH_USER, WITHOUT_USER, WITHOUT_USER]
        assert first.requests == 3 and first.buckets_fetched == 31
        assert first.warnings == [WARNING.format(retry="2026-12-01")]
        assert first.notes == []
        assert stored_groupings(store) == [WITHOUT_USER]
        assert list(store.rows("costs", names=False)) == live_rows(
            fake, WITHOUT_USER, end=NOW + DAY
        )
        remembered = store.connection.execute(
            "SELECT value FROM meta WHERE key = 'refused_grouping:costs:default'"
        ).fetchone()
        assert json.loads(remembered[0]) == {
            "refused": WITH_USER,
            "instead": WITHOUT_USER,
            "at": NOW,
            "message": REFUSAL,
        }
        # The next days: no refused request again, no warning, a note says why.
        for day in (1, 2):
            fake.request_log.clear()
            later = store.sync(client, endpoints=["costs"], now=NOW + day * DAY)
            assert costs_groupings(fake) == [WITHOUT_USER]
            assert later.requests == 1 and later.warnings == []
            assert later.notes == [NOTE.format(day="2026-11-01", retry="2026-12-01")]
        # Thirty days after the refusal it is tried again (and refused again here).
        fake.request_log.clear()
        retried = store.sync(client, endpoints=["costs"], now=NOW + 30 * DAY)
        assert costs_groupings(fake) == [WITH_USER, WITHOUT_USER]
        assert retried.warnings == [WARNING.format(retry="2026-12-31")]
        assert stored_groupings(store) == [WITHOUT_USER]
        no_duplicates(store, ["costs"])
        # Reading the store works as before: the report says users are not in it.
        report = report_from_store(store, START, NOW, names=False)
        assert report.by_user == [] and list(report.unavailable) == ["costs_by_user", "tokens"]
        want = fake.totals("costs", start_time=START, end_time=NOW)[()]["amount"]
        assert report.total == want
        assert report.top_by_model and all(
            t.users == [] and t.api_keys for t in report.top_by_model
        )


def test_retry_refused_asks_now_and_an_accepted_grouping_is_a_new_series(tmp_path: Path) -> None:
    fake = FakeAPI(seed=0, refuse_costs_user_with_project=True)
    with client_for(fake) as client, Store(tmp_path / "u.db") as store:
        store.sync(client, start=START, endpoints=["costs"], now=NOW)
        fake.refuse_costs_user_with_project = False  # the organization's settings changed
        fake.now = NOW + DAY
        fake.request_log.clear()
        summary = store.sync(client, endpoints=["costs"], now=NOW + DAY, retry_refused=True)
        assert costs_groupings(fake) == [WITH_USER, WITH_USER]  # a new series: a bucket first
        assert summary.warnings == []
        assert summary.notes == [
            "costs: now 1d by project_id, line_item, api_key_id, user_id, a new series fetched "
            "from 2026-10-02; the series 1d by project_id, line_item, api_key_id is kept as it "
            "was (store.rows(..., group_by=...) reads it)",
            "costs: the API accepted grouping by project_id, line_item, api_key_id, user_id this "
            "time; its refusal of 2026-11-01 is forgotten",
        ]
        assert stored_groupings(store) == [WITHOUT_USER, WITH_USER]
        keys = [r[0] for r in store.connection.execute("SELECT key FROM meta")]
        assert not any(k.startswith("refused_grouping") for k in keys)
        # The new series is read by default; the old one, kept whole, on request.
        assert list(store.rows("costs", names=False)) == live_rows(fake, WITH_USER, end=NOW + DAY)
        old = list(store.rows("costs", names=False, group_by=WITHOUT_USER.split(",")))
        assert old == live_rows(FakeAPI(seed=0), WITHOUT_USER, end=NOW + DAY)
        # The report reads the series synced last, for every query.
        report = report_from_store(store, START, NOW, names=False)
        assert "costs_by_user" not in report.unavailable and report.by_user
        fake.request_log.clear()
        store.sync(client, endpoints=["costs"], now=NOW + 2 * DAY)
        assert costs_groupings(fake) == [WITH_USER]


def test_a_grouping_asked_for_is_never_replaced(tmp_path: Path) -> None:
    fake = FakeAPI(seed=0, refuse_costs_user_with_project=True)
    with client_for(fake) as client, Store(tmp_path / "u.db") as store:
        with pytest.raises(SyncIncompleteError) as caught:
            store.sync(client, start=START, now=NOW, group_by={"costs": WITH_USER.split(",")})
        assert isinstance(caught.value.cause, BadRequestError)
        assert costs_groupings(fake) == [WITH_USER]
        assert stored_groupings(store) == []
        keys = [r[0] for r in store.connection.execute("SELECT key FROM meta")]
        assert not any(k.startswith("refused_grouping") for k in keys)


def test_a_refusal_after_some_windows_discards_the_new_series(tmp_path: Path) -> None:
    # A refusal that depends on the time range: the first windows were accepted.
    fake = FakeAPI(seed=0)

    def refuse_from_now_on(endpoint: str, summary: Any) -> None:
        if endpoint == "costs" and summary.windows_written == 1:
            fake.refuse_costs_user_with_project = True

    with client_for(fake, concurrency=1) as client, Store(tmp_path / "u.db") as store:
        summary = store.sync(client, start=START, endpoints=["costs"], now=NOW, window=5,
                             progress=refuse_from_now_on)  # fmt: skip
        groupings = costs_groupings(fake)
        assert groupings[:2] == [WITH_USER, WITH_USER] and set(groupings[2:]) == {WITHOUT_USER}
        assert len(summary.warnings) == 1
        assert stored_groupings(store) == [WITHOUT_USER]
        conn = store.connection
        for table in ("costs", "coverage"):
            left = conn.execute(f"SELECT COUNT(*) FROM {table} WHERE grouping = ?", (WITH_USER,))
            assert left.fetchone() == (0,)
        assert list(store.rows("costs", names=False)) == live_rows(
            fake, WITHOUT_USER, end=NOW + DAY
        )


def test_async_sync_falls_back_the_same(tmp_path: Path) -> None:
    fake = FakeAPI(seed=0, refuse_costs_user_with_project=True)

    async def sync() -> Any:
        http = httpx.AsyncClient(transport=fake.async_transport())
        async with AsyncUsageClient(DEFAULT_ADMIN_KEY, base_url=BASE_URL, http_client=http) as c:
            with Store(tmp_path / "a.db") as store:
                first = await store.async_sync(c, start=START, endpoints=["costs"], now=NOW)
                later = await store.async_sync(c, endpoints=["costs"], now=NOW + DAY)
                return first, later, list(store.rows("costs", names=False))

    first, later, stored = asyncio.run(sync())
    assert first.warnings == [WARNING.format(retry="2026-12-01")] and first.requests == 3
    assert later.warnings == [] and later.requests == 1
    assert later.notes == [NOTE.format(day="2026-11-01", retry="2026-12-01")]
    assert costs_groupings(fake) == [WITH_USER, WITHOUT_USER, WITHOUT_USER, WITHOUT_USER]
    assert stored == live_rows(fake, WITHOUT_USER, end=NOW + 2 * DAY)


# --- the CLI ----------------------------------------------------------------------------------


def test_cli_sync_warns_once_then_notes_and_report_db_says_users_are_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = int(time.time()) // DAY * DAY
    start = time.strftime("%Y-%m-%d", time.gmtime(today - 5 * DAY))
    db = str(tmp_path / "u.db")
    monkeypatch.setenv("OPENAI_ADMIN_KEY", DEFAULT_ADMIN_KEY)
    fake = FakeAPI(seed=0, now=int(time.time()), refuse_costs_user_with_project=True)
    with FakeServer(fake) as server:
        sync = ["--base-url", server.base_url, "sync", "--db", db, "--endpoint", "costs"]
        code, out, err = run(*sync, "--start", start)
        assert code == 0, err
        day = time.strftime("%Y-%m-%d", time.gmtime(time.time()))
        retry = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 30 * DAY))
        assert err == f"openai-usage: warning: {WARNING.format(retry=retry)}\n"
        assert "note:" not in out
        assert f"costs (1d, by {WITHOUT_USER.replace(',', ', ')}): {start} to " in out
        code, out, err = run(*sync)
        assert code == 0 and err == ""
        assert f"  note: {NOTE.format(day=day, retry=retry)}\n" in out
        assert costs_groupings(fake) == [WITH_USER, WITHOUT_USER, WITHOUT_USER, WITHOUT_USER]
        code, out, err = run(*sync, "--retry-refused")
        assert code == 0 and err.count("openai-usage: warning: costs: the API refused") == 1
        assert costs_groupings(fake)[4:] == [WITH_USER, WITHOUT_USER]
    code, out, err = run("report", "--db", db, "--no-names", "--days", "3")
    assert code == 0, err
    assert section(out, "Top users by spend") == [
        "  (not in the store: no costs series grouped by user_id, line_item)"
    ]


# --- a store synced with the old default ------------------------------------------------------


def test_a_store_synced_without_users_moves_to_the_new_default_as_a_new_series(
    tmp_path: Path,
) -> None:
    # Costs settle late: the old series' last days hold provisional (lower) values; the report
    # must read the series synced last, not the coarser one nobody updates any more.
    fake = FakeAPI(seed=0, settle_days=2, now=NOW)
    with client_for(fake) as client, Store(tmp_path / "old.db") as store:
        store.sync(client, start=START, endpoints=["costs"], now=NOW,
                   group_by={"costs": WITHOUT_USER.split(",")})  # fmt: skip
        before = list(store.rows("costs", names=False))
        fake.now = NOW + 3 * DAY
        fake.request_log.clear()
        summary = store.sync(client, endpoints=["costs"], now=NOW + 3 * DAY)
        # The stored range as a new series: one bucket first (to size the windows), the rest.
        assert costs_groupings(fake) == [WITH_USER, WITH_USER]
        assert summary.notes == [
            "costs: now 1d by project_id, line_item, api_key_id, user_id, a new series fetched "
            "from 2026-10-02; the series 1d by project_id, line_item, api_key_id is kept as it "
            "was (store.rows(..., group_by=...) reads it)"
        ]
        assert list(store.rows("costs", names=False, group_by=WITHOUT_USER.split(","))) == before
        report = report_from_store(store, START, NOW, names=False)
        final = fake.totals("costs", start_time=START, end_time=NOW)[()]["amount"]
        stale = sum(
            (r["amount_value"] for r in before if r["start_time"].timestamp() < NOW), Decimal(0)
        )
        assert stale < final  # the old series' provisional days were lower
        assert report.total == final
        by_user = fake.totals("costs", start_time=START, end_time=NOW, group_by=["user_id"])
        assert {r["user_id"]: r["amount_value"] for r in report.by_user} == {
            key[0]: v["amount"] for key, v in by_user.items()
        }
        # Parquet and the data commands read the new series.
        assert list(store.rows("costs", START, NOW, names=False)) == live_rows(fake, WITH_USER)
