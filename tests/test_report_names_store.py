"""Names in the report (issue 12) and the report from a local store (issue 13, ``--db``).

Every expected value is computed here from the fake's own data (``fake.totals`` and
``fake.directory``), not from the code under test.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from _cli_run import run

from openai_usage_client._cli._output import money
from openai_usage_client.directory import ApiKeyRecord, Directory, ProjectRecord
from openai_usage_client.report import (
    REPORT_QUERIES,
    StoredDaily,
    build_report,
    dumps,
    report_document,
    report_from_store,
    write_document,
)
from openai_usage_client.store import Store, StoreError
from openai_usage_client.testing import (
    DEFAULT_ADMIN_KEY,
    DEFAULT_NOW,
    USAGE_ONLY_ADMIN_KEY,
    FakeAPI,
    FakeServer,
)
from tests._store_helpers import client_for

pytestmark = pytest.mark.usefixtures("no_ambient_key")

DAY = 86_400
NOW = DEFAULT_NOW
START = NOW - 30 * DAY


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    return FakeAPI(seed=0)


def section(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start + 1 : end]


def ranked(fake: FakeAPI, column: str) -> list[tuple[Any, Decimal]]:
    totals = fake.totals("costs", start_time=START, end_time=NOW, group_by=[column])
    items = [(key[0], v["amount"]) for key, v in totals.items()]
    return sorted(items, key=lambda kv: kv[1], reverse=True)


def user_names(fake: FakeAPI) -> dict[str, str]:
    names = {u["id"]: u["name"] for u in fake.directory.users}
    for keys in fake.directory.api_keys.values():
        for k in keys:
            if user := k["owner"].get("user"):
                names.setdefault(user["id"], user["name"])
    return names


def key_names(fake: FakeAPI) -> dict[str, str]:
    return {k["id"]: k["name"] for keys in fake.directory.api_keys.values() for k in keys}


# --- the report with names --------------------------------------------------------------------


@pytest.fixture(scope="module")
def named_report() -> tuple[int, str, str]:
    return run("--fake", "report", "--top", "20")


def test_fake_report_names_projects_and_marks_the_archived_one(
    named_report: tuple[int, str, str], fake: FakeAPI
) -> None:
    code, out, err = named_report
    assert code == 0 and err == ""
    projects = {p["id"]: p for p in fake.directory.projects}
    want = []
    for pid, amount in ranked(fake, "project_id"):
        p = projects[pid]
        label = p["name"] + (" (archived)" if p["archived_at"] is not None else "")
        want.append((label, money(amount, "usd")))
    got = [(line[2:].split("  ")[0], line.split()[-3]) for line in section(out, "Spend by project")]
    assert got == want
    assert any(label.endswith("(archived)") for label, _ in got)


def test_fake_report_names_keys_and_labels_the_deleted_one(
    named_report: tuple[int, str, str], fake: FakeAPI
) -> None:
    _, out, _ = named_report
    names = key_names(fake)
    deleted = fake.directory.deleted_key
    assert deleted is not None and deleted["id"] not in names
    want = []
    for kid, amount in ranked(fake, "api_key_id"):
        if kid is None:
            label = "(no key)"
        elif kid == deleted["id"]:
            label = f"{deleted['name']} (deleted)"
        else:
            label = names[kid]
        want.append((label, money(amount, "usd")))
    lines = section(out, "Top API keys by spend")
    got = [(line[2:].split("  ")[0], line.split()[-3]) for line in lines]
    assert got == want


def test_fake_report_names_users(named_report: tuple[int, str, str], fake: FakeAPI) -> None:
    _, out, _ = named_report
    names = user_names(fake)
    want = [
        ("(no user)" if uid is None else names[uid], money(amount, "usd"))
        for uid, amount in ranked(fake, "user_id")
    ]
    lines = section(out, "Top users by spend")
    assert [(line[2:].split("  ")[0], line.split()[-3]) for line in lines] == want


def test_the_deleted_key_is_shown_beyond_the_top(fake: FakeAPI) -> None:
    code, out, _ = run("--fake", "report", "--top", "2")
    assert code == 0
    lines = section(out, "Top API keys by spend (top 2 of")
    deleted = fake.directory.deleted_key
    assert deleted is not None
    assert len(lines) == 3 and lines[-1].lstrip().startswith(f"{deleted['name']} (deleted)")
    archived = next(p for p in fake.directory.projects if p["archived_at"] is not None)
    assert any(f"{archived['name']} (archived)" in line for line in section(out, "Spend by proj"))


def test_no_names_shows_ids(fake: FakeAPI) -> None:
    code, out, _ = run("--fake", "report", "--no-names")
    assert code == 0
    first = section(out, "Spend by project")[0]
    assert first.split()[0] == ranked(fake, "project_id")[0][0]
    assert "(archived)" not in out and "(deleted" not in out


def test_repeated_names_get_their_ids_and_unknown_keys_read_deleted() -> None:
    from openai_usage_client.report import Report

    d = Directory(
        projects={
            "proj_a": ProjectRecord("proj_a", "Same"),
            "proj_b": ProjectRecord("proj_b", "Same", status="archived"),
            "proj_c": ProjectRecord("proj_c", "Other"),
        },
        api_keys={"key_a": ApiKeyRecord("key_a", "gone", None, "proj_a", deleted=True)},
    )
    report = Report(start=None, end=None, source="", names=d)  # type: ignore[arg-type]
    assert report.labels("project_id", ["proj_a", "proj_b", "proj_c", "proj_x", None], "-") == [
        "Same [proj_a]",
        "Same [proj_b] (archived)",
        "Other",
        "proj_x",
        "-",
    ]
    assert report.labels("api_key_id", ["key_a", "key_zz"], "-") == [
        "gone (deleted)",
        "key_zz (deleted: not listed)",
    ]


# --- a key that may not read the directory ---------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    with FakeServer(FakeAPI(now=int(time.time()))) as srv:
        yield srv


def _directory_requests(server: FakeServer) -> int:
    return sum(
        1
        for r in server.fake.request_log
        if r.path.startswith(("/v1/organization/projects", "/v1/organization/users"))
    )


def test_usage_only_key_report_warns_once_and_says_so(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", USAGE_ONLY_ADMIN_KEY)
    code, out, err = run("--base-url", server.base_url, "report", "-q", "--days", "7")
    assert code == 0
    assert err.count("warning: names skipped") == 1 and err.count("\n") == 1
    assert USAGE_ONLY_ADMIN_KEY not in err + out
    assert "Names: names skipped: this key may not read" in out
    assert "Total spend: $" in out and "proj_" in section(out, "Spend by project")[0]


def test_no_names_sends_no_directory_request(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", DEFAULT_ADMIN_KEY)
    server.fake.request_log.clear()
    assert run("--base-url", server.base_url, "report", "-q", "--no-names", "--days", "2")[0] == 0
    # The four report queries, and one light request asking the server its time (a
    # server other than OpenAI's: its clock says which 30 days are the last).
    assert _directory_requests(server) == 0 and len(server.fake.request_log) == 5
    server.fake.request_log.clear()
    assert run("--base-url", server.base_url, "report", "-q", "--days", "2")[0] == 0
    assert _directory_requests(server) > 0


def test_library_report_names_true_with_a_usage_only_key(fake: FakeAPI) -> None:
    import httpx

    from openai_usage_client import UsageClient
    from openai_usage_client.testing import BASE_URL

    http = httpx.Client(transport=fake.transport())
    with UsageClient(USAGE_ONLY_ADMIN_KEY, base_url=BASE_URL, http_client=http) as client:
        report = build_report(client, NOW - 3 * DAY, NOW, names=True)
    assert report.names is None and report.names_note is not None
    assert "HTTP 403" in report.names_note
    want = fake.totals("costs", start_time=NOW - 3 * DAY, end_time=NOW)[()]["amount"]
    assert report.total == want


# --- the report from a local store -----------------------------------------------------------


def after_source(text: str) -> tuple[str, list[str]]:
    """The report's ``Source:`` line, whole however long the store's path made it wrap,
    and the lines after it."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Data as of"))
    return " ".join(line.strip() for line in lines[2:at]), lines[at:]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory, fake: FakeAPI) -> Path:
    path = tmp_path_factory.mktemp("store") / "usage.db"
    with client_for(fake) as client, Store(path) as store:
        store.sync(client, start=START - 3 * DAY, directory=True, now=NOW)
        # Costs by user: a series of its own (the API may refuse it with the project grouping).
        store.sync(
            client, endpoints=["costs"], group_by={"costs": ["user_id", "line_item"]}, now=NOW
        )
    return path


def _values(report: Any) -> dict[str, Any]:
    return {
        "total": report.total,
        "currency": report.currency,
        **{
            name: getattr(report, name)
            for name in ("by_project", "by_line_item", "by_model", "by_key", "by_user", "tokens")
        },
        "daily": report.daily,
        "top_by_model": report.top_by_model,
    }


def test_report_from_store_equals_the_api_report_exactly(fake: FakeAPI, store_path: Path) -> None:
    with client_for(fake) as client:
        live = build_report(client, START, NOW)
    with Store(store_path) as store:
        local = report_from_store(store, START, NOW, names=False)
        assert isinstance(local.daily, StoredDaily)  # read a day at a time, while open
        local.daily = dict(local.daily)
    for items in (*_values(live).values(),):
        if isinstance(items, list):
            for row in items:
                if isinstance(row, dict):
                    row.pop("rows", None)  # row counts depend on the grouping fetched
    assert _values(local) == _values(live)
    assert local.total == fake.totals("costs", start_time=START, end_time=NOW)[()]["amount"]
    assert local.unavailable == {}
    assert local.top_by_model and all(t.users for t in local.top_by_model)
    assert [q.key for q in REPORT_QUERIES] == ["costs", "costs_by_key", "costs_by_user", "tokens"]


def test_report_db_cli_equals_the_api_report_and_marks_provisional_days(
    store_path: Path,
) -> None:
    code, live, _ = run("--fake", "report", "--no-names")
    assert code == 0
    # No --fake, no key: any request would fail; --db reads the file only.
    start, end = "2026-10-02", "2026-11-01"
    code, local, err = run("report", "--db", str(store_path), "--no-names", "--start", start,
                           "--end", end)  # fmt: skip
    assert code == 0, err
    source, rest = after_source(local)
    assert source == f"Source: local store {store_path} (no API call)"
    # Both syncs finished: one time (the real clock's, when the fixture ran).
    assert re.fullmatch(
        r"Data as of the last finished sync: \d{4}-\d\d-\d\d \d\d:\d\d UTC", rest[0]
    )
    assert rest[1:3] == [
        "Provisional: costs 2026-10-30, 2026-10-31 (may still change)",
        "Provisional: completions 2026-10-30, 2026-10-31 (may still change)",
    ]
    marked = [line for line in rest if line.endswith("(provisional)")]
    assert [m.split()[0] for m in marked] == ["2026-10-30", "2026-10-31"]
    # The live report marks the same days (the last two before the server's today).
    assert live.splitlines()[3] == rest[1]
    # Only the store can say what the unsettled days' usage comes to: its lines come after
    # the total (the fake's costs here are final: the store's sync marked them provisional).
    assert rest[5:12] == [
        "Not settled yet (estimated from usage):",
        "  2026-10-30 Fri  estimated $1.83, billed $9.02 so far",
        "  2026-10-31 Sat  estimated $0.58, billed $4.20 so far",
        "Estimate: leaves out 81% of what 2026-10-29 billed: the usage of",
        "  web_search_calls, images, code_interpreter_sessions, vector_stores,",
        "  file_search_calls, audio_transcriptions, audio_speeches is not in the store",
        "  (sync --endpoint all)",
    ]
    assert rest[3:5] + rest[12:] == live.splitlines()[4:]


def test_report_db_names_come_from_the_store(store_path: Path, fake: FakeAPI) -> None:
    code, out, err = run("report", "--db", str(store_path), "--start", "2026-10-02",
                         "--end", "2026-11-01")  # fmt: skip
    assert code == 0 and err == ""
    projects = {p["id"]: p for p in fake.directory.projects}
    top = ranked(fake, "project_id")[0][0]
    assert section(out, "Spend by project")[0].split("  ")[1] == projects[top]["name"]
    archived = next(p for p in fake.directory.projects if p["archived_at"] is not None)
    assert f"{archived['name']} (archived)" in out
    # The store was first synced after the deletion: the key is unnamed, and said to be gone.
    assert f"{fake.directory.deleted_key_id} (deleted: not listed)" in out
    names = user_names(fake)
    first_user = next(u for u, _ in ranked(fake, "user_id") if u is not None)
    assert any(line.lstrip().startswith(names[first_user]) for line in section(out, "Top users"))


def test_report_db_without_costs_by_user_says_so(tmp_path: Path, fake: FakeAPI) -> None:
    path = tmp_path / "u.db"
    # Costs without users (what an organization that refuses them gets: test_store_refusal).
    without_users = {"costs": ["project_id", "line_item", "api_key_id"]}
    with client_for(fake) as client, Store(path) as store:
        store.sync(client, start=NOW - 5 * DAY, endpoints=["costs"], now=NOW,
                   group_by=without_users)  # fmt: skip
    code, out, err = run("report", "--db", str(path), "--days", "3", "--end", "2026-11-01")
    assert code == 0
    # Synced without names: one warning, one line in the report, the IDs shown.
    assert err.count("warning: names skipped: the store holds no names") == 1
    assert "Names: names skipped: the store holds no names" in out
    assert section(out, "Top users by spend") == [
        "  (not in the store: no costs series grouped by user_id, line_item)"
    ]
    assert "Tokens by model (completions)\n  (not in the store" in out


def test_report_db_says_which_days_are_missing(store_path: Path) -> None:
    code, out, _ = run("report", "--db", str(store_path), "--start", "2026-09-01",
                       "--end", "2026-09-03", "--no-names")  # fmt: skip
    assert code == 0
    assert after_source(out)[1][1:3] == [
        f"Missing: costs 2026-09-01 to 2026-09-02 (not in the store): openai-usage sync --db "
        f"{store_path} --endpoint costs --start 2026-09-01",
        f"Missing: completions 2026-09-01 to 2026-09-02 (not in the store): openai-usage sync "
        f"--db {store_path} --endpoint completions --start 2026-09-01",
    ]


def test_report_db_refuses_a_missing_store(tmp_path: Path) -> None:
    code, _, err = run("report", "--db", str(tmp_path / "none.db"))
    assert code == 2 and "no store at" in err
    assert not (tmp_path / "none.db").exists()


def test_report_db_reads_whole_utc_days_and_says_so(store_path: Path) -> None:
    # A time of day the store cannot honour: the whole day is read, and the header says it.
    code, out, _ = run("report", "--db", str(store_path), "--no-names", "--start",
                       "2026-10-02T12:00", "--end", "2026-10-05")  # fmt: skip
    assert code == 0
    lines = out.splitlines()
    assert lines[:2] == [
        "OpenAI usage report: 2026-10-02 00:00 to 2026-10-05 00:00 UTC",
        "Period: --start/--end: 3 days, last day 2026-10-04",
    ]
    assert (
        "Note: the store holds whole UTC days: the report covers 2026-10-02 to 2026-10-04" in lines
    )


def test_a_deleted_key_keeps_its_name_in_the_store_report(tmp_path: Path, fake: FakeAPI) -> None:
    deleted = fake.directory.deleted_key
    assert deleted is not None
    with client_for(fake) as client, Store(tmp_path / "u.db") as store:
        # What a sync before the deletion stored, then a sync that no longer lists the key.
        store.update_directory(fake.directory.saved_before_deletion(), seen_at=NOW - 20 * DAY)
        store.sync(client, start=START, directory=True, now=NOW)
        report = report_from_store(store, START, NOW)
    labels = report.labels("api_key_id", [r["api_key_id"] for r in report.by_key], "(no key)")
    row = next(r for r in report.by_key if r["api_key_id"] == deleted["id"])
    assert labels[report.by_key.index(row)] == f"{deleted['name']} (deleted)"
    want = fake.totals("costs", start_time=START, end_time=NOW, group_by=["api_key_id"])
    assert row["amount_value"] == want[(deleted["id"],)]["amount"]
    others = [t for t in labels if t.endswith("(deleted)")]
    assert others == [f"{deleted['name']} (deleted)"]  # the listed keys are not marked


def test_a_store_reports_daily_spend_day_by_day_while_the_store_is_open(
    store_path: Path,
) -> None:
    with Store(store_path) as store:
        report = report_from_store(store, START, NOW, names=False)
        daily = report.daily
        day = date(2026, 10, 30)
        spent = daily[day]
        assert list(spent) == sorted(spent, key=lambda p: (p is None, p or ""))  # ID order
        assert sum(spent.values()) == report.day_totals()[day] > 0
        assert list(report.day_totals()) == list(daily) == sorted(daily)
        assert date(2020, 1, 1) not in daily
        with pytest.raises(KeyError):
            daily[date(2020, 1, 1)]
        text = []
        write_document(report, None, text.append)
        assert "".join(text) == dumps(report_document(report))
    with pytest.raises(StoreError) as caught:
        report.daily[date(2026, 10, 29)]
    assert str(caught.value) == (
        "Report.daily reads the store day by day and the store is closed: use the report "
        "before closing the store, or keep a copy with dict(report.daily)"
    )
