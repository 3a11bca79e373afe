"""The directory resources: exact requests (respx), cursor paging, checks, errors, money."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from openai_usage_client import (
    AsyncUsageClient,
    AuthenticationError,
    InternalServerError,
    InvalidParameterError,
    PaginationError,
    PermissionDeniedError,
    UsageClient,
)

KEY = "sk-admin-test-key-0123456789"
BASE = "https://api.openai.com/v1"
PID = "proj_abc"


def project(i: int) -> dict[str, Any]:
    return {
        "id": f"proj_{i}",
        "object": "organization.project",
        "name": f"P{i}",
        "created_at": 1_700_000_000 + i,
        "archived_at": None,
        "status": "active",
    }


def page(items: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {
        "object": "list",
        "data": items,
        "first_id": items[0]["id"] if items else None,
        "last_id": items[-1]["id"] if items else None,
        "has_more": has_more,
    }


USER = {
    "object": "organization.user",
    "id": "user-1",
    "name": "Ada",
    "email": "ada@example.com",
    "role": "owner",
    "added_at": 1,
}
KEY_ITEM = {
    "object": "organization.project.api_key",
    "redacted_value": "sk-proj-abc...wxyz",
    "name": "prod",
    "created_at": 1,
    "last_used_at": None,
    "id": "key_1",
    "owner_project_access": "active",
    "owner": {"type": "user", "user": {**{k: USER[k] for k in ("id", "name", "email")},
                                       "created_at": 1, "role": "owner"}},
}  # fmt: skip
ACCOUNT = {
    "object": "organization.project.service_account",
    "id": "svc_acct_1",
    "name": "runner",
    "role": "member",
    "created_at": 1,
}
MEMBER = {**USER, "object": "organization.project.user", "role": "member"}
ADMIN_KEY = {
    "object": "organization.admin_api_key",
    "id": "key_admin",
    "name": "reporting",
    "redacted_value": "sk-admin...xyz",
    "created_at": 1,
    "expires_at": None,
    "last_used_at": None,
    "owner": {"type": "user", "id": "user-1", "name": "Ada", "role": "owner"},
}
LIMIT = {
    "object": "organization.spend_limit",
    "threshold_amount": 123_456,
    "currency": "USD",
    "interval": "month",
    "enforcement": {"status": "enforcing"},
}
ALERT = {
    "id": "alert_1",
    "object": "organization.spend_alert",
    "threshold_amount": 100_001,
    "currency": "USD",
    "interval": "month",
    "notification_channel": {"type": "email", "recipients": ["a@example.com"]},
}

#: (call, path, expected query, body): every operation, as the client sends it.
CASES: list[tuple[str, Callable[[Any], Any], str, dict[str, str], Any]] = [
    ("projects", lambda c: c.projects.list(), "/organization/projects",
     {"limit": "100", "include_archived": "false"}, page([project(1)], False)),
    ("projects archived", lambda c: c.projects.list(include_archived=True, limit=5),
     "/organization/projects", {"limit": "5", "include_archived": "true"},
     page([project(1)], False)),
    ("api keys", lambda c: c.projects.api_keys.list(PID, owner_project_access="any"),
     f"/organization/projects/{PID}/api_keys", {"limit": "100", "owner_project_access": "any"},
     page([KEY_ITEM], False)),
    ("service accounts", lambda c: c.projects.service_accounts.list(PID),
     f"/organization/projects/{PID}/service_accounts", {"limit": "100"},
     page([ACCOUNT], False)),
    ("project users", lambda c: c.projects.users.list(PID), f"/organization/projects/{PID}/users",
     {"limit": "100"}, page([MEMBER], False)),
    ("users", lambda c: c.users.list(emails=["ada@example.com"]), "/organization/users",
     {"limit": "100", "emails": "ada@example.com"}, page([USER], False)),
    ("admin keys", lambda c: c.admin_api_keys.list(order="desc"), "/organization/admin_api_keys",
     {"limit": "100", "order": "desc"}, page([ADMIN_KEY], False)),
    ("spend alerts", lambda c: c.spend_alerts.list(), "/organization/spend_alerts",
     {"limit": "100", "order": "asc"}, page([ALERT], False)),
    ("project spend alerts", lambda c: c.projects.spend_alerts.list(PID),
     f"/organization/projects/{PID}/spend_alerts", {"limit": "100", "order": "asc"},
     page([{**ALERT, "object": "project.spend_alert"}], False)),
]  # fmt: skip
RETRIEVES: list[tuple[str, Callable[[Any], Any], str, Any]] = [
    ("project", lambda c: c.projects.retrieve(PID), f"/organization/projects/{PID}", project(1)),
    ("user", lambda c: c.users.retrieve("user-1"), "/organization/users/user-1", USER),
    ("spend limit", lambda c: c.spend_limit.retrieve(), "/organization/spend_limit", LIMIT),
    ("project spend limit", lambda c: c.projects.spend_limit.retrieve(PID),
     f"/organization/projects/{PID}/spend_limit", {**LIMIT, "object": "project.spend_limit"}),
]  # fmt: skip


def drain(kind: str, call: Callable[[Any], Any]) -> Any:
    """Run ``call(client)`` on a client of ``kind``; lists are drained into a list."""
    if kind == "sync":
        with UsageClient(KEY) as client:
            out = call(client)
            return out if not hasattr(out, "pages") else list(out)

    async def run() -> Any:
        async with AsyncUsageClient(KEY) as client:
            out = call(client)
            if hasattr(out, "pages"):
                return [item async for item in out]
            return await out

    return asyncio.run(run())


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    ("name", "call", "path", "query", "body"), CASES, ids=[c[0] for c in CASES]
)
def test_every_list_sends_the_exact_request(
    kind: str, name: str, call: Any, path: str, query: dict[str, str], body: Any
) -> None:
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(BASE + path).respond(json=body)
        items = drain(kind, call)
    request = route.calls.last.request
    assert dict(request.url.params) == query
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert [i.id for i in items] == [i["id"] for i in body["data"]]


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(("name", "call", "path", "body"), RETRIEVES, ids=[r[0] for r in RETRIEVES])
def test_every_retrieve_sends_the_exact_request(
    kind: str, name: str, call: Any, path: str, body: Any
) -> None:
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(BASE + path).respond(json=body)
        got = drain(kind, call)
    assert route.calls.last.request.url.params.multi_items() == []
    assert got.to_dict() == body


def test_ids_are_escaped_in_the_path() -> None:
    with respx.mock() as mock:
        route = mock.get(url__regex=r".*/organization/projects/.*").respond(json=project(1))
        with UsageClient(KEY) as client:
            client.projects.retrieve("proj/../x")
    assert route.calls.last.request.url.raw_path == b"/v1/organization/projects/proj%2F..%2Fx"


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_pages_follow_after_across_three_pages(kind: str) -> None:
    pages = [page([project(1), project(2)], True), page([project(3), project(4)], True),
             page([project(5)], False)]  # fmt: skip
    with respx.mock() as mock:
        route = mock.get(BASE + "/organization/projects").mock(
            side_effect=[httpx.Response(200, json=p) for p in pages]
        )
        items = drain(kind, lambda c: c.projects.list(limit=2))
    assert [p.id for p in items] == [f"proj_{i}" for i in range(1, 6)]
    afters = [call.request.url.params.get("after") for call in route.calls]
    assert afters == [None, "proj_2", "proj_4"]
    assert {call.request.url.params["limit"] for call in route.calls} == {"2"}


def test_a_stream_is_lazy_and_starts_over() -> None:
    with respx.mock() as mock:
        route = mock.get(BASE + "/organization/users").respond(json=page([USER], False))
        with UsageClient(KEY) as client:
            stream = client.users.list()
            assert route.call_count == 0
            assert len(list(stream)) == len(list(stream)) == 1
    assert route.call_count == 2


@pytest.mark.parametrize("limit", [0, 101, -1, 2.5, "10", True])
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_limit_refused_before_any_request(kind: str, limit: object) -> None:
    with respx.mock(assert_all_called=False) as mock:
        route = mock.get(url__regex=r".*").respond(json=page([], False))
        with pytest.raises(InvalidParameterError) as info:
            drain(kind, lambda c: c.projects.api_keys.list(PID, limit=limit))
    assert route.call_count == 0
    assert info.value.param == "limit"
    assert str(info.value) == f"invalid limit={limit!r}: an int from 1 to 100"


@pytest.mark.parametrize(
    ("call", "param"),
    [
        (lambda c: c.projects.retrieve(""), "project_id"),
        (lambda c: c.projects.api_keys.list(None), "project_id"),
        (lambda c: c.projects.list(include_archived="yes"), "include_archived"),
        (lambda c: c.users.list(emails="ada@example.com"), "emails"),
        (lambda c: c.admin_api_keys.list(order="newest"), "order"),
        (
            lambda c: c.projects.api_keys.list(PID, owner_project_access="all"),
            "owner_project_access",
        ),
        (lambda c: c.users.list(after=""), "after"),
    ],
)
def test_bad_parameters_refused_before_any_request(call: Any, param: str) -> None:
    with respx.mock(assert_all_called=False) as mock:
        route = mock.get(url__regex=r".*").respond(json=page([], False))
        with pytest.raises(InvalidParameterError) as info:
            drain("sync", call)
    assert route.call_count == 0
    assert info.value.param == param


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_repeated_cursor_is_a_pagination_error(kind: str) -> None:
    same = page([project(1)], True)
    with respx.mock() as mock:
        route = mock.get(BASE + "/organization/projects").respond(json=same)
        with pytest.raises(PaginationError) as info:
            drain(kind, lambda c: c.projects.list())
    assert route.call_count == 2
    assert info.value.cursor == "proj_1"
    assert "a second time" in str(info.value)
    assert "stopped after 1 item; resume with after='proj_1'" in str(info.value)


def test_has_more_without_any_cursor_is_a_pagination_error() -> None:
    with respx.mock() as mock:
        mock.get(BASE + "/organization/users").respond(json=page([], True))
        with pytest.raises(PaginationError, match="gives no cursor"):
            drain("sync", lambda c: c.users.list())


def test_missing_last_id_falls_back_to_the_last_items_id() -> None:
    first = {**page([project(1)], True), "last_id": None}
    with respx.mock() as mock:
        route = mock.get(BASE + "/organization/projects").mock(
            side_effect=[
                httpx.Response(200, json=first),
                httpx.Response(200, json=page([project(2)], False)),
            ]
        )
        items = drain("sync", lambda c: c.projects.list())
    assert [p.id for p in items] == ["proj_1", "proj_2"]
    assert route.calls[1].request.url.params["after"] == "proj_1"


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_server_errors_are_retried_then_typed(kind: str, no_sleep: list[float]) -> None:
    with respx.mock() as mock:
        route = mock.get(BASE + "/organization/users").mock(
            side_effect=[
                httpx.Response(503, json={"error": {"message": "busy", "type": "x"}}),
                httpx.Response(200, json=page([USER], False)),
            ]
        )
        assert [u.id for u in drain(kind, lambda c: c.users.list())] == ["user-1"]
        assert route.call_count == 2
        route.mock(side_effect=None).respond(500, json={"error": {"message": "down", "type": "x"}})
        with pytest.raises(InternalServerError, match="Nothing was delivered"):
            drain(kind, lambda c: c.users.list())


def test_an_error_mid_list_says_where_to_resume() -> None:
    with respx.mock() as mock:
        mock.get(BASE + "/organization/projects").mock(
            side_effect=[httpx.Response(200, json=page([project(1), project(2)], True)),
                         *[httpx.Response(500, json={"error": {"message": "no", "type": "x"}})]
                         * 3]
        )  # fmt: skip
        with pytest.raises(InternalServerError) as info:
            drain("sync", lambda c: c.projects.list())
    assert info.value.last_cursor == "proj_2"
    assert "stopped after 2 items; resume with after='proj_2'" in str(info.value)


def test_the_key_is_redacted_from_directory_errors() -> None:
    echo = {"error": {"message": f"bad key {KEY}", "type": "invalid_request_error"}}
    with respx.mock() as mock:
        mock.get(BASE + "/organization/projects").respond(401, json=echo)
        with pytest.raises(AuthenticationError) as info:
            drain("sync", lambda c: c.projects.list())
    assert KEY not in str(info.value)
    assert KEY not in repr(info.value.body)


def test_spend_money_is_exact_dollars() -> None:
    with respx.mock() as mock:
        mock.get(BASE + "/organization/spend_limit").respond(json=LIMIT)
        mock.get(BASE + "/organization/spend_alerts").respond(json=page([ALERT], False))
        with UsageClient(KEY) as client:
            limit = client.spend_limit.retrieve()
            alert = next(iter(client.spend_alerts.list()))
    assert limit.threshold_amount == 123_456
    assert limit.threshold_usd == Decimal("1234.56")
    assert str(limit.threshold_usd) == "1234.56"
    assert alert.threshold_usd == Decimal("1000.01")


def test_unknown_fields_are_kept() -> None:
    body = page([{**project(1), "brand_new": {"x": 1}}], False)
    with respx.mock() as mock:
        mock.get(BASE + "/organization/projects").respond(json={**body, "page_note": "hi"})
        with UsageClient(KEY) as client:
            first = next(iter(client.projects.list().pages()))
    assert first.data[0].model_extra == {"brand_new": {"x": 1}}
    assert first.model_extra == {"page_note": "hi"}


def test_get_returns_the_raw_response_or_a_model() -> None:
    with respx.mock() as mock:
        mock.get(BASE + "/organization/spend_limit").respond(json=LIMIT, headers={"date": "x"})
        with UsageClient(KEY) as client:
            raw = client.get("/organization/spend_limit", cast_to=httpx.Response)
            with pytest.raises(InvalidParameterError, match="cast_to"):
                client.get("/organization/spend_limit", cast_to=dict)
    assert raw.headers["date"] == "x"
    assert raw.json() == LIMIT


def test_a_403_on_the_directory_names_the_directory_not_usage() -> None:
    denied = {"error": {"message": "Missing scopes: api.organization.read.", "type": "x"}}
    with respx.mock() as mock:
        mock.get(BASE + "/organization/projects").respond(403, json=denied)
        with pytest.raises(PermissionDeniedError) as info:
            drain("sync", lambda c: c.projects.list())
    assert "cannot read the organization's projects, keys, users" in str(info.value)
    assert "cannot read usage" not in str(info.value)
    # A refusal says what to fix (the missing scope), never to retry the same call (#39).
    assert "Missing scopes: api.organization.read." in str(info.value)
    assert str(info.value).endswith(" Nothing was delivered.")
    assert "retry" not in str(info.value)


def test_a_refusal_part_way_through_a_list_says_where_it_stopped_not_to_retry() -> None:
    denied = {"error": {"message": "Missing scopes: api.organization.read.", "type": "x"}}
    with respx.mock() as mock:
        mock.get(BASE + "/organization/projects").mock(side_effect=[
            httpx.Response(200, json=page([project(1)], True)),
            httpx.Response(403, json=denied),
        ])  # fmt: skip
        with pytest.raises(PermissionDeniedError) as info:
            drain("sync", lambda c: c.projects.list())
    assert str(info.value).endswith(" The list stopped after 1 item.")
    assert "retry" not in str(info.value) and "resume" not in str(info.value)


def test_directory_survives_an_archived_project_refusing_its_lists() -> None:
    archived = {**project(2), "archived_at": 5, "status": "archived"}
    refused = {"error": {"message": "Project proj_2 is archived.", "type": "invalid_request_error"}}
    with respx.mock(assert_all_called=False) as mock:
        mock.get(BASE + "/organization/projects").respond(json=page([project(1), archived], False))
        mock.get(BASE + "/organization/users").respond(json=page([USER], False))
        mock.get(BASE + "/organization/projects/proj_1/api_keys").respond(
            json=page([KEY_ITEM], False)
        )
        mock.get(BASE + "/organization/projects/proj_1/service_accounts").respond(
            json=page([ACCOUNT], False)
        )
        keys_2 = mock.get(BASE + "/organization/projects/proj_2/api_keys").respond(
            400, json=refused
        )
        accounts_2 = mock.get(BASE + "/organization/projects/proj_2/service_accounts")
        with UsageClient(KEY) as client:
            directory = client.directory()
    assert keys_2.call_count == 1  # asked, refused, treated as "no keys"
    assert accounts_2.call_count == 0  # not asked: the API refuses it for archived projects
    assert sorted(directory.projects) == ["proj_1", "proj_2"]
    assert list(directory.api_keys) == ["key_1"]
    assert directory.api_keys["key_1"].owner == "ada@example.com"
    assert list(directory.service_accounts) == ["svc_acct_1"]
