"""``client.directory()`` against the fake, ``Directory`` JSON and merge, names in rows."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import httpx
import pytest

from openai_usage_client import AsyncUsageClient, UsageClient, rows
from openai_usage_client._core._names import NAME_COLUMNS, add_names, with_name_columns
from openai_usage_client.directory import (
    ApiKeyRecord,
    Directory,
    ProjectRecord,
    UserRecord,
    atry_directory,
    try_directory,
)
from openai_usage_client.testing import (
    DEFAULT_ADMIN_KEY,
    USAGE_ONLY_ADMIN_KEY,
    FakeAPI,
    FakeDirectory,
    Faults,
)

NOW = 1_793_491_200
DAY = 86_400


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    return FakeAPI()


def client_for(fake: FakeAPI, key: str = DEFAULT_ADMIN_KEY, **kwargs: object) -> UsageClient:
    http = httpx.Client(transport=fake.transport())
    return UsageClient(key, http_client=http, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def directory(fake: FakeAPI) -> Directory:
    with client_for(fake) as client:
        return client.directory()


def test_directory_names_every_id_the_fake_reports(fake: FakeAPI, directory: Directory) -> None:
    org = fake.org
    assert set(directory.projects) == set(org.projects)  # the archived one included
    archived = directory.project(org.projects[3])
    assert archived is not None and archived.archived and archived.name == "Batch pipeline"
    assert set(directory.users) == set(org.users)
    listed = {k.id for k in org.keys} - {fake.directory.deleted_key_id}
    assert set(directory.api_keys) == listed  # the inactive owner's key too (access=any)
    service_keys = [directory.api_keys[k.id] for k in org.keys if k.user_id is None]
    assert {k.owner for k in service_keys} == {"agents-runner", "nightly-batch"}
    for k in org.keys:
        record = directory.api_key(k.id)
        if record is None:
            continue
        assert record.project_id == k.project_id
        if k.user_id is not None:
            user = directory.user(k.user_id)
            assert user is not None and record.owner == user.email
    assert len(directory.service_accounts) == 2


def test_lookups_return_none_for_unknown_ids(directory: Directory) -> None:
    assert directory.project("proj_nope") is None
    assert directory.api_key("key_nope") is None
    assert directory.user(None) is None
    assert directory.service_account("svc_acct_nope") is None


def test_the_deleted_key_is_in_no_list(fake: FakeAPI, directory: Directory) -> None:
    deleted = fake.directory.deleted_key_id
    assert deleted is not None and directory.api_key(deleted) is None
    # ... but its spend stays in costs.
    totals = fake.totals("costs", start_time=NOW - 30 * DAY, group_by=["api_key_id"])
    assert (deleted,) in totals


def test_directory_requests_stay_within_the_concurrency() -> None:
    slow = FakeAPI()
    in_flight, peak = 0, 0
    lock = threading.Lock()
    answer = slow.handle

    def counting(*args: object, **kwargs: object) -> object:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        try:
            time.sleep(0.02)  # long enough for the other threads to pile up
            return answer(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            with lock:
                in_flight -= 1

    slow.handle = counting  # type: ignore[method-assign]
    with client_for(slow, concurrency=2) as client:
        d = client.directory()
    assert len(d.projects) == 5
    assert peak == 2
    paths = [r.path for r in slow.request_log]
    # One list per project for keys, one per live project for service accounts.
    assert sum(p.endswith("/api_keys") for p in paths) == 5
    assert sum(p.endswith("/service_accounts") for p in paths) == 4


def test_async_directory_equals_the_sync_one(fake: FakeAPI, directory: Directory) -> None:
    async def run() -> Directory:
        http = httpx.AsyncClient(transport=fake.transport())
        async with AsyncUsageClient(DEFAULT_ADMIN_KEY, http_client=http) as client:
            return await client.directory()

    got = asyncio.run(run())
    assert got.to_dict() | {"fetched_at": None} == directory.to_dict() | {"fetched_at": None}


def test_directory_failure_is_raised_not_partial() -> None:
    fake = FakeAPI(faults=Faults(rate_500=1.0))
    with client_for(fake, max_retries=1) as client, pytest.raises(Exception) as info:
        client.directory()
    assert type(info.value).__name__ == "InternalServerError"


def test_json_round_trip(directory: Directory, tmp_path: Path) -> None:
    again = Directory.from_json(directory.to_json())
    assert again == directory
    path = tmp_path / "directory.json"
    directory.save(path)
    assert Directory.load(path) == directory
    assert [p.name for p in tmp_path.iterdir()] == ["directory.json"]


@pytest.mark.parametrize(
    "text", ["[]", '{"format": 99}', '{"format": 1, "projects": [{"name": "x"}]}', "not json"]
)
def test_from_json_refuses_what_is_not_a_directory(text: str) -> None:
    with pytest.raises(ValueError, match="not a saved directory"):
        Directory.from_json(text)


def test_merge_keeps_deleted_keys_marked(fake: FakeAPI, directory: Directory) -> None:
    deleted = fake.directory.deleted_key
    assert deleted is not None
    old = Directory(
        api_keys={deleted["id"]: ApiKeyRecord(deleted["id"], deleted["name"], "sk-x", None)},
        projects={"proj_old": ProjectRecord("proj_old", "Renamed later")},
    )
    some = next(iter(directory.projects))
    old.projects[some] = ProjectRecord(some, "Stale name")
    merged = directory.merge(old)
    kept = merged.api_key(deleted["id"])
    assert kept is not None and kept.deleted and kept.name == "old notebooks"
    assert merged.project(some) == directory.project(some)  # the newer name wins
    assert merged.project("proj_old") == ProjectRecord("proj_old", "Renamed later", deleted=True)
    assert not any(r.deleted for r in directory.api_keys.values())


# --- names in rows ---------------------------------------------------------------------------


def test_names_joined_for_every_kind_of_id(fake: FakeAPI, directory: Directory) -> None:
    with client_for(fake) as client:
        stream = client.usage.completions(
            start_time=NOW - 2 * DAY, group_by=["project_id", "api_key_id", "user_id"]
        )
        named = list(add_names(rows(stream), directory))
    assert named
    for row in named:
        keys = list(row)
        for id_col, names in (
            ("project_id", ["project_name"]),
            ("api_key_id", ["api_key_name", "api_key_redacted_value", "api_key_owner"]),
            ("user_id", ["user_name", "user_email"]),
        ):
            i = keys.index(id_col)
            assert keys[i + 1 : i + 1 + len(names)] == names
        project = directory.project(row["project_id"])
        assert project is not None and row["project_name"] == project.name
        key = directory.api_key(row["api_key_id"])
        if key is None:  # the deleted key: unnamed, never misnamed
            assert row["api_key_id"] == fake.directory.deleted_key_id
            assert row["api_key_name"] is row["api_key_owner"] is None
        else:
            assert row["api_key_name"] == key.name
            assert row["api_key_redacted_value"] == key.redacted_value
            assert row["api_key_owner"] == key.owner
        if row["user_id"] is None:
            assert row["user_name"] is row["user_email"] is None
        else:
            user = directory.user(row["user_id"])
            assert user is not None and (row["user_name"], row["user_email"]) == (
                user.name,
                user.email,
            )


def test_unknown_ids_are_left_unnamed() -> None:
    d = Directory(
        projects={"proj_a": ProjectRecord("proj_a", "A")},
        users={"user-a": UserRecord("user-a", "Ann", "ann@example.com")},
    )
    row = {"project_id": "proj_b", "api_key_id": "key_x", "user_id": "user-a", "n": 1}
    (named,) = add_names([row], d)
    assert named == {
        "project_id": "proj_b",
        "project_name": None,
        "api_key_id": "key_x",
        "api_key_name": None,
        "api_key_redacted_value": None,
        "api_key_owner": None,
        "user_id": "user-a",
        "user_name": "Ann",
        "user_email": "ann@example.com",
        "n": 1,
    }


def test_name_columns_follow_the_id_columns_present() -> None:
    assert with_name_columns(["start_time", "project_id", "usage_bytes"]) == [
        "start_time",
        "project_id",
        "project_name",
        "usage_bytes",
    ]
    full = with_name_columns(["project_id", "user_id", "api_key_id"])
    assert [c for c in full if c.endswith(("_name", "_email", "_value", "_owner"))] == [
        "project_name",
        "user_name",
        "user_email",
        "api_key_name",
        "api_key_redacted_value",
        "api_key_owner",
    ]
    assert set(NAME_COLUMNS) == set(full) - {"project_id", "user_id", "api_key_id"}


# --- a key that may not read the directory ---------------------------------------------------


def test_403_on_the_directory_is_one_warning_and_usage_still_works(fake: FakeAPI) -> None:
    with client_for(fake, USAGE_ONLY_ADMIN_KEY) as client:
        found, warning = try_directory(client)
        assert found is None
        assert warning is not None and warning.startswith("names skipped:")
        assert "HTTP 403" in warning and USAGE_ONLY_ADMIN_KEY not in warning
        costs = list(rows(client.costs(start_time=NOW - 2 * DAY, group_by=["project_id"])))
    assert costs and all(r["amount_value"] is not None for r in costs)


def test_async_try_directory(fake: FakeAPI) -> None:
    async def run(key: str) -> tuple[Directory | None, str | None]:
        http = httpx.AsyncClient(transport=fake.transport())
        async with AsyncUsageClient(key, http_client=http) as client:
            return await atry_directory(client)

    found, warning = asyncio.run(run(USAGE_ONLY_ADMIN_KEY))
    assert found is None and warning is not None
    found, warning = asyncio.run(run(DEFAULT_ADMIN_KEY))
    assert found is not None and warning is None


def test_other_errors_are_not_swallowed() -> None:
    fake = FakeAPI(faults=Faults(rate_500=1.0))
    with client_for(fake, max_retries=0) as client, pytest.raises(Exception) as info:
        try_directory(client)
    assert type(info.value).__name__ == "InternalServerError"


def test_sized_directory() -> None:
    fake = FakeAPI()
    fake.directory = FakeDirectory.sized(7, 3)
    with client_for(fake) as client:
        d = client.directory()
    assert (len(d.projects), len(d.api_keys), len(d.users)) == (7, 21, 3)
    assert len(d.service_accounts) == 7


def test_async_directory_stays_within_the_concurrency() -> None:
    fake = FakeAPI()
    inner = fake.transport()
    state = {"now": 0, "peak": 0}

    class Counting(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
            try:
                await asyncio.sleep(0.01)
                return await inner.handle_async_request(request)
            finally:
                state["now"] -= 1

    async def run() -> Directory:
        http = httpx.AsyncClient(transport=Counting())
        async with AsyncUsageClient(DEFAULT_ADMIN_KEY, http_client=http, concurrency=3) as c:
            return await c.directory()

    d = asyncio.run(run())
    assert len(d.api_keys) == 10
    assert state["peak"] == 3
    assert len(fake.request_log) == 1 + 1 + 5 + 4


def test_async_directory_failure_cancels_the_rest() -> None:
    fake = FakeAPI(faults=Faults(rate_500=1.0))

    async def run() -> None:
        http = httpx.AsyncClient(transport=fake.transport())
        async with AsyncUsageClient(DEFAULT_ADMIN_KEY, http_client=http, max_retries=0) as c:
            await c.directory()

    with pytest.raises(Exception) as info:
        asyncio.run(run())
    assert type(info.value).__name__ == "InternalServerError"  # not an ExceptionGroup


def test_the_fakes_saved_directory_names_the_deleted_key(
    fake: FakeAPI, directory: Directory
) -> None:
    merged = directory.merge(fake.directory.saved_before_deletion())
    key = merged.api_key(fake.directory.deleted_key_id)
    assert key is not None and key.deleted
    assert (key.name, key.project_id) == ("old notebooks", fake.org.keys[9].project_id)
    assert key.owner == directory.users[fake.org.keys[9].user_id].email  # type: ignore[index]
    assert len(merged.api_keys) == len(directory.api_keys) + 1
