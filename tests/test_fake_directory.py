"""The fake's directory: conformance to ``openapi.yaml``, paging, limits, errors, faults."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from openai_usage_client.testing import DEFAULT_ADMIN_KEY, FakeAPI, Faults

yaml = pytest.importorskip("yaml")
jsonschema = pytest.importorskip("jsonschema")
referencing = pytest.importorskip("referencing")

SPEC_PATH = Path(__file__).resolve().parents[1] / "openapi.yaml"
AUTH = {"Authorization": f"Bearer {DEFAULT_ADMIN_KEY}"}
URI = "urn:openapi"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return loaded


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    return FakeAPI()


def validator(spec: dict[str, Any], schema: dict[str, Any]) -> Any:
    resource = referencing.Resource.from_contents(
        spec, default_specification=referencing.jsonschema.DRAFT202012
    )
    registry = referencing.Registry().with_resource(URI, resource)
    return jsonschema.Draft202012Validator(schema, registry=registry)


def rebase(node: Any) -> Any:
    """The schema with its local ``$ref``s pointing into the registered spec."""
    if isinstance(node, dict):
        return {k: (URI + v if k == "$ref" else rebase(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [rebase(v) for v in node]
    return node


def get(fake: FakeAPI, path: str, params: Any = None) -> tuple[int, Any]:
    resp = fake.handle("GET", path, params or {}, AUTH)
    return resp.status, json.loads(resp.body)


def directory_operations(spec: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (path, item["get"]["operationId"])
        for path, item in spec["paths"].items()
        if item["get"]["tags"] == ["directory"]
    ]


def concrete(fake: FakeAPI, path: str) -> str:
    org, d = fake.org, fake.directory
    # The first project has the spend limit and alert; the second a service account.
    project = org.projects[1 if "/service_accounts" in path else 0]
    members = d.project_users.get(project) or [{"id": org.users[0]}]
    user = members[0]["id"] if "/projects/" in path else org.users[0]
    ids = {
        "{project_id}": project,
        "{user_id}": user,
        "{key_id}": d.admin_api_keys[0]["id"],
        "{api_key_id}": d.api_keys.get(project, [{"id": "-"}])[0]["id"],
        "{service_account_id}": (d.service_accounts.get(project) or [{"id": "-"}])[0]["id"],
        "{alert_id}": (
            (d.project_spend_alerts.get(project) or [{"id": "-"}])[0]["id"]
            if "/projects/" in path
            else d.spend_alerts[0]["id"]
        ),
    }
    for name, value in ids.items():
        path = path.replace(name, value)
    return path


def test_eighteen_directory_operations(spec: dict[str, Any]) -> None:
    ops = {op: path for path, op in directory_operations(spec)}
    assert len(ops) == 18  # 12, and the six single-object reads of the official SDK 3.63
    lists = [op for op in ops if op.startswith("list_")]
    for op in lists:
        schema = spec["paths"][ops[op]]["get"]["responses"]["200"]["content"]
        name = schema["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        parts = spec["components"]["schemas"][name]["allOf"]
        # Every list is the one cursor-page shape plus its own item type.
        assert parts[0] == {"$ref": "#/components/schemas/CursorListPage"}
        params = {
            p.get("$ref", "").rsplit("/", 1)[-1]
            for p in spec["paths"][ops[op]]["get"]["parameters"]
        }
        assert {"CursorLimit", "After"} <= params, op


@pytest.mark.parametrize("index", range(18))
def test_every_directory_operation_conforms(
    spec: dict[str, Any], fake: FakeAPI, index: int
) -> None:
    path, op = directory_operations(spec)[index]
    status, body = get(fake, concrete(fake, path))
    assert status == 200, (op, body)
    schema = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    errors = list(validator(spec, rebase(schema["schema"])).iter_errors(body))
    assert not errors, (op, errors[0].message)
    if op.startswith("list_"):
        assert body["data"], op  # something to check the item schema against
        assert body["object"] == "list" and body["has_more"] is False


def test_errors_conform(spec: dict[str, Any], fake: FakeAPI) -> None:
    schema = {"$ref": URI + "#/components/schemas/ErrorResponse"}
    archived = fake.org.projects[3]
    for path, params, status in [
        ("/v1/organization/projects", {"limit": 0}, 400),
        ("/v1/organization/projects/proj_nope", {}, 404),
        ("/v1/organization/users/user-nope", {}, 404),
        (f"/v1/organization/projects/{archived}/service_accounts", {}, 400),
        (f"/v1/organization/projects/{archived}/users", {}, 400),
    ]:
        got, body = get(fake, path, params)
        assert got == status, path
        assert not list(validator(spec, schema).iter_errors(body))


@pytest.mark.parametrize("limit", ["0", "101", "-3", "x"])
def test_bad_limit_is_a_400(fake: FakeAPI, limit: str) -> None:
    status, body = get(fake, "/v1/organization/users", {"limit": limit})
    assert status == 400
    assert body["error"]["param"] == "limit"


def test_spend_alerts_take_limit_0_as_upstream(fake: FakeAPI) -> None:
    status, body = get(fake, "/v1/organization/spend_alerts", {"limit": 0})
    assert (status, body["data"]) == (200, [])


def test_paging_by_after(fake: FakeAPI) -> None:
    seen: list[str] = []
    after = None
    for expected_more in (True, True, False):
        params: dict[str, Any] = {"limit": 2, "include_archived": "true"}
        if after:
            params["after"] = after
        status, body = get(fake, "/v1/organization/projects", params)
        assert status == 200 and body["has_more"] is expected_more
        assert body["first_id"] == body["data"][0]["id"]
        seen += [p["id"] for p in body["data"]]
        after = body["last_id"]
    assert seen == fake.org.projects
    status, _ = get(fake, "/v1/organization/projects", {"after": "proj_unknown"})
    assert status == 400


def test_archived_projects_only_on_request(fake: FakeAPI) -> None:
    _, hidden = get(fake, "/v1/organization/projects")
    _, shown = get(fake, "/v1/organization/projects", {"include_archived": "true"})
    assert len(hidden["data"]) == 4 and len(shown["data"]) == 5
    archived = [p for p in shown["data"] if p["status"] == "archived"]
    assert [p["id"] for p in archived] == [fake.org.projects[3]]
    assert archived[0]["archived_at"] is not None
    status, one = get(fake, f"/v1/organization/projects/{fake.org.projects[3]}")
    assert status == 200 and one["status"] == "archived"


def test_key_visibility_follows_owner_project_access(fake: FakeAPI) -> None:
    path = f"/v1/organization/projects/{fake.org.projects[0]}/api_keys"
    counts = {
        access: len(get(fake, path, {"owner_project_access": access} if access else {})[1]["data"])
        for access in (None, "active", "inactive", "any")
    }
    assert counts == {None: 2, "active": 2, "inactive": 1, "any": 3}
    status, _ = get(fake, path, {"owner_project_access": "all"})
    assert status == 400


def test_the_deleted_key_is_in_no_list(fake: FakeAPI) -> None:
    deleted = fake.directory.deleted_key_id
    for project in fake.org.projects:
        _, body = get(
            fake, f"/v1/organization/projects/{project}/api_keys", {"owner_project_access": "any"}
        )
        assert deleted not in [k["id"] for k in body["data"]]


def test_users_filtered_by_email(fake: FakeAPI) -> None:
    _, body = get(
        fake,
        "/v1/organization/users",
        [("emails", "ada@example.com"), ("emails", "alan@example.com")],
    )
    assert [u["email"] for u in body["data"]] == ["ada@example.com", "alan@example.com"]


def test_auth_and_faults_apply(fake: FakeAPI) -> None:
    assert fake.handle("GET", "/v1/organization/projects", {}, {}).status == 401
    denied = fake.handle(
        "GET", "/v1/organization/projects", {}, {"Authorization": "Bearer sk-proj-x"}
    )
    assert denied.status == 403
    flaky = FakeAPI(faults=Faults(rate_429=1.0))
    answer = flaky.handle("GET", "/v1/organization/users", {}, AUTH)
    assert answer.status == 429 and answer.headers["retry-after"]
    assert (
        FakeAPI(faults=Faults(rate_reset=1.0))
        .handle("GET", "/v1/organization/users", {}, AUTH)
        .fault
        == "reset"
    )


def test_unknown_directory_paths_are_404(fake: FakeAPI) -> None:
    for path in ("/v1/organization/projects/p/secrets", "/v1/organization/nothing"):
        assert fake.handle("GET", path, {}, AUTH).status == 404
