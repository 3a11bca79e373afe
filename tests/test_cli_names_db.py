"""``--names`` and ``--db`` on the data commands; ``--output`` of the directory commands.

Expected values come from the fake's own data (``fake.directory``, ``fake.totals``) or from
the same command run against the API, never from the code under test.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from _cli_run import run

from openai_usage_client.store import Store
from openai_usage_client.testing import DEFAULT_ADMIN_KEY, DEFAULT_NOW, FakeAPI, FakeServer
from tests._store_helpers import client_for

pytestmark = pytest.mark.usefixtures("no_ambient_key")

DAY = 86_400
NOW = DEFAULT_NOW
RANGE = ["--start", "2026-10-25", "--end", "2026-11-01"]
NAME_COLUMNS = [
    "project_name",
    "api_key_name",
    "api_key_redacted_value",
    "api_key_owner",
    "user_name",
    "user_email",
]


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    return FakeAPI(seed=0)


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# --- --names on the data commands -------------------------------------------------------------


def test_names_are_off_by_default(fake: FakeAPI) -> None:
    code, out, _ = run("--fake", "costs", *RANGE, "--group-by", "project_id", "-f", "csv")
    assert code == 0
    header = out.splitlines()[0].split(",")
    assert not set(NAME_COLUMNS) & set(header)


def test_names_csv_columns_and_values(fake: FakeAPI) -> None:
    code, out, err = run(
        "--fake", "completions", *RANGE, "--group-by", "project_id,api_key_id,user_id",
        "--names", "-f", "csv",
    )  # fmt: skip
    assert code == 0 and err == ""
    rows = csv_rows(out)
    header = out.splitlines()[0].split(",")
    i = header.index
    assert i("project_name") == i("project_id") + 1
    assert header[i("api_key_id") + 1 : i("api_key_id") + 4] == NAME_COLUMNS[1:4]
    assert header[i("user_id") + 1 : i("user_id") + 3] == NAME_COLUMNS[4:]
    projects = {p["id"]: p["name"] for p in fake.directory.projects}
    keys = {k["id"]: k for ks in fake.directory.api_keys.values() for k in ks}
    deleted = fake.directory.deleted_key
    assert deleted is not None
    keys[deleted["id"]] = deleted  # --fake merges the directory saved before the deletion
    users = {u["id"]: u for u in fake.directory.users}
    for k in keys.values():
        if user := k["owner"].get("user"):
            users.setdefault(user["id"], user)
    assert rows
    for row in rows:
        assert row["project_name"] == projects[row["project_id"]]
        if row["api_key_id"]:
            k = keys[row["api_key_id"]]
            owner = k["owner"].get("user", {}).get("email") or k["owner"].get(
                "service_account", {}
            ).get("name")
            assert (row["api_key_name"], row["api_key_redacted_value"], row["api_key_owner"]) == (
                k["name"], k["redacted_value"], owner,
            )  # fmt: skip
        if row["user_id"]:
            u = users[row["user_id"]]
            assert (row["user_name"], row["user_email"]) == (u["name"], u["email"])
    assert any(r["api_key_id"] == deleted["id"] for r in rows)


@pytest.mark.parametrize("fmt", ["json", "jsonl", "table"])
def test_names_in_json_jsonl_and_table(fmt: str, fake: FakeAPI) -> None:
    code, out, _ = run("--fake", "costs", *RANGE, "--group-by", "project_id", "--names", "-f", fmt)
    assert code == 0
    names = {p["id"]: p["name"] for p in fake.directory.projects}
    if fmt == "table":
        lines = out.splitlines()
        at = next(i for i, line in enumerate(lines) if line.startswith("start "))
        header = lines[at].split()
        assert header[header.index("project_id") + 1] == "project_name"
        for line in lines[at + 2 : -2]:
            pid = next(w for w in line.split() if w.startswith("proj_"))
            assert names[pid] in line
        return
    rows = json.loads(out) if fmt == "json" else [json.loads(x) for x in out.splitlines()]
    assert rows and all(r["project_name"] == names[r["project_id"]] for r in rows)
    assert list(rows[0]).index("project_name") == list(rows[0]).index("project_id") + 1


def test_names_in_parquet(tmp_path: Path, fake: FakeAPI) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    target = tmp_path / "c.parquet"
    code, _, _ = run("--fake", "costs", *RANGE, "--group-by", "project_id", "--names",
                     "-o", str(target))  # fmt: skip
    assert code == 0
    names = {p["id"]: p["name"] for p in fake.directory.projects}
    rows = pq.read_table(target).to_pylist()
    assert rows and all(r["project_name"] == names[r["project_id"]] for r in rows)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    with FakeServer(FakeAPI(now=int(time.time()))) as srv:
        yield srv


def test_names_with_a_usage_only_key_keep_empty_columns(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openai_usage_client.testing import USAGE_ONLY_ADMIN_KEY

    monkeypatch.setenv("OPENAI_ADMIN_KEY", USAGE_ONLY_ADMIN_KEY)
    code, out, err = run("--base-url", server.base_url, "costs", "--group-by", "project_id",
                         "--names", "-f", "csv")  # fmt: skip
    assert code == 0
    assert err.count("warning: names skipped") == 1
    rows = csv_rows(out)
    assert rows and all(r["project_id"] and r["project_name"] == "" for r in rows)


# --- --db on the data commands ----------------------------------------------------------------

#: The store's default costs grouping.
COSTS_GROUPING = "project_id,line_item,api_key_id,user_id"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, fake: FakeAPI) -> Path:
    path = tmp_path_factory.mktemp("db") / "usage.db"
    with client_for(fake) as client, Store(path) as store:
        store.sync(client, start=NOW - 10 * DAY, directory=True, now=NOW)
    return path


def test_db_rows_equal_the_api_rows(db: Path) -> None:
    # The store keeps costs by project, line item, key and user: the same fetch from the API.
    code, live, _ = run("--fake", "costs", *RANGE, "--group-by", COSTS_GROUPING, "-f", "csv")
    assert code == 0
    code, local, err = run("costs", "--db", str(db), *RANGE, "--group-by", COSTS_GROUPING,
                           "-f", "csv")  # fmt: skip
    assert code == 0, err
    # The API's rows, each with the store's `provisional` last: the last two days (settle
    # window) are still provisional, the five before them settled.
    flagged = [line.rpartition(",") for line in local.splitlines()]
    assert [head for head, _, _ in flagged] == live.splitlines() and len(flagged) > 100
    assert flagged[0][2] == "provisional"
    assert {(r["start_time"][:10], r["provisional"]) for r in csv_rows(local)} == {
        *((f"2026-10-{d}", "false") for d in range(25, 30)),
        ("2026-10-30", "true"),
        ("2026-10-31", "true"),
    }
    total = sum(Decimal(r["amount_value"]) for r in csv_rows(local))
    want = FakeAPI(seed=0).totals("costs", start_time=NOW - 7 * DAY, end_time=NOW)[()]["amount"]
    assert total == want
    # Without --group-by the same command answers the same question from either source: the
    # store sums to the API's default grouping, one total a day (#39; before: its ~430 rows).
    code, live, _ = run("--fake", "costs", *RANGE, "--by", "day", "-f", "csv")
    code2, local, err = run("costs", "--db", str(db), *RANGE, "--by", "day", "-f", "csv")
    assert code == code2 == 0, err
    assert local == live and len(local.splitlines()) == 8


def test_db_honours_a_filter_on_a_grouped_field(db: Path) -> None:
    model = "gpt-4o-mini-2024-07-18"
    grouping = "project_id,user_id,api_key_id,model,batch"
    code, live, _ = run("--fake", "completions", *RANGE, "--group-by", grouping,
                        "--model", model, "-f", "jsonl")  # fmt: skip
    code2, local, _ = run("completions", "--db", str(db), *RANGE, "--group-by", grouping,
                          "--model", model, "-f", "jsonl")  # fmt: skip
    assert code == code2 == 0
    stored = [json.loads(line) for line in local.splitlines()]
    assert [r.pop("provisional") for r in stored] == [
        r["start_time"] >= "2026-10-30" for r in stored
    ]
    assert stored == [json.loads(line) for line in live.splitlines()] and stored


def test_db_names_come_from_the_store(db: Path, fake: FakeAPI) -> None:
    code, out, _ = run("costs", "--db", str(db), *RANGE, "--group-by", "project_id", "--names",
                       "-f", "csv")  # fmt: skip
    assert code == 0
    names = {p["id"]: p["name"] for p in fake.directory.projects}
    rows = csv_rows(out)
    assert rows and all(r["project_name"] == names[r["project_id"]] for r in rows)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["costs", "--limit", "5"], "--limit: cannot be used with --db"),
        (["costs", "--concurrency", "2"], "--concurrency: cannot be used with --db"),
        (
            ["completions", "--group-by", "service_tier"],
            "; it has no service_tier: sync --endpoint completions",
        ),
        (["completions", "--bucket-width", "1h"], "--bucket-width: cannot be used with --db"),
        (["embeddings"], "holds no embeddings: sync it with --endpoint embeddings"),
    ],
)
def test_db_refuses_what_the_store_cannot_honour(db: Path, args: list[str], message: str) -> None:
    code, out, err = run(*args, "--db", str(db))
    assert code == 2 and message in err and out == ""


def test_db_that_does_not_exist_is_not_created(tmp_path: Path) -> None:
    code, _, err = run("costs", "--db", str(tmp_path / "no.db"))
    assert code == 2 and "no store at" in err
    assert list(tmp_path.iterdir()) == []


# --- the directory commands' --output ---------------------------------------------------------


def test_records_output_respects_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        target = tmp_path / "p.csv"
        assert run("--fake", "projects", "-o", str(target))[0] == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.read_text().splitlines()[0] == "id,name,status,created_at,archived_at"
    assert [p.name for p in tmp_path.iterdir()] == ["p.csv"]


@pytest.mark.parametrize("command", ["projects", "api-keys", "users"])
def test_records_output_refusals_before_any_request(
    command: str, tmp_path: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", DEFAULT_ADMIN_KEY)
    monkeypatch.chdir(tmp_path)
    server.fake.request_log.clear()
    code, _, err = run("--base-url", server.base_url, command, "--output", "nodir/x.csv")
    assert code == 2 and "folder nodir does not exist" in err
    code, _, err = run("--base-url", server.base_url, command, "--output", "x.txt")
    assert code == 2 and "cannot tell the format of 'x.txt'" in err
    assert len(server.fake.request_log) == 0 and list(tmp_path.iterdir()) == []


def test_records_parquet(tmp_path: Path, fake: FakeAPI) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    target = tmp_path / "k.parquet"
    assert run("--fake", "api-keys", "-o", str(target))[0] == 0
    rows = pq.read_table(target).to_pylist()
    listed = {k["id"] for ks in fake.directory.api_keys.values() for k in ks}
    assert {r["id"] for r in rows} == listed
    code, _, err = run("--fake", "users", "-f", "parquet")
    assert code == 2 and "add --output FILE.parquet" in err


def test_db_rows_go_through_the_analysis_options(db: Path, fake: FakeAPI) -> None:
    code, live, _ = run("--fake", "costs", *RANGE, "--group-by", COSTS_GROUPING, "--totals",
                        "-f", "csv")  # fmt: skip
    code2, local, err = run("costs", "--db", str(db), *RANGE, "--group-by", COSTS_GROUPING,
                            "--totals", "-f", "csv")  # fmt: skip
    assert code == code2 == 0, err
    assert local == live
    code, out, _ = run("costs", "--db", str(db), *RANGE, "--group-by", "project_id", "--by",
                       "week", "--names", "-f", "json")  # fmt: skip
    assert code == 0
    names = {p["id"]: p["name"] for p in fake.directory.projects}
    rows = json.loads(out)
    assert rows and all(r["project_name"] == names[r["project_id"]] for r in rows)


def test_names_with_totals_and_columns(fake: FakeAPI) -> None:
    columns = ["--columns", "project_name,amount_value"]
    code, out, _ = run("--fake", "costs", *RANGE, "--group-by", "project_id", "--totals",
                       "--names", *columns, "-f", "csv")  # fmt: skip
    assert code == 0
    rows = csv_rows(out)
    totals = fake.totals("costs", start_time=NOW - 7 * DAY, end_time=NOW, group_by=["project_id"])
    names = {p["id"]: p["name"] for p in fake.directory.projects}
    want = {names[pid]: v["amount"] for (pid,), v in totals.items()}
    assert {r["project_name"]: Decimal(r["amount_value"]) for r in rows} == want
    assert list(rows[0]) == ["project_name", "amount_value"]


def test_report_db_refuses_filters(db: Path) -> None:
    code, out, err = run("report", "--db", str(db), "--project-id", "proj_x", "--days", "3",
                         "--end", "2026-11-01")  # fmt: skip
    assert code == 2 and "--project-id: cannot be used with --db" in err and out == ""


@pytest.mark.parametrize(
    ("endpoint", "grouping"),
    [("costs", "project_id"), ("costs", "line_item"), ("completions", "model"),
     ("completions", "project_id,model")],
)  # fmt: skip
def test_db_reads_a_coarser_grouping_as_the_api_sums_it(
    db: Path, endpoint: str, grouping: str
) -> None:
    """The store keeps the finest default grouping; a coarser one is summed from it, exactly
    as the API answers it (issue 20: `costs --db --group-by project_id --totals` was refused)."""
    args = [endpoint, *RANGE, "--group-by", grouping, "-f", "csv"]
    code, live, _ = run("--fake", *args)
    code2, local, err = run(*args[:1], "--db", str(db), *args[1:])
    assert code == code2 == 0, err
    stored = [line.rpartition(",")[0] for line in local.splitlines()]  # without provisional
    assert sorted(stored[1:]) == sorted(live.splitlines()[1:])
    assert stored[0] == live.splitlines()[0] and len(stored) > 5
    code, totals, _ = run(*args[:1], "--db", str(db), *args[1:], "--totals")
    code2, live_totals, _ = run("--fake", *args, "--totals")
    assert code == code2 == 0 and totals == live_totals


def test_db_names_what_it_lacks_for_a_grouping(tmp_path: Path, fake: FakeAPI) -> None:
    path = tmp_path / "narrow.db"
    with client_for(fake) as client, Store(path) as store:
        store.sync(client, start=NOW - 3 * DAY, endpoints=["costs"], now=NOW, directory=False,
                   group_by={"costs": ["project_id"]})  # fmt: skip
    code, _, err = run("costs", "--db", str(path), *RANGE, "--group-by", "line_item")
    assert code == 2
    assert "the store holds costs as: 1d by project_id; it has no line_item" in err
    assert "sync --endpoint costs keeps costs by project_id, line_item, api_key_id, user_id" in err
