"""The fake's responses conform to ``openapi.yaml`` (quirks included, via its extensions)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from openai_usage_client._core._endpoints import ENDPOINTS
from openai_usage_client.testing import DEFAULT_ADMIN_KEY, FakeAPI, Faults

yaml = pytest.importorskip("yaml")
jsonschema = pytest.importorskip("jsonschema")
referencing = pytest.importorskip("referencing")

SPEC_PATH = Path(__file__).resolve().parents[1] / "openapi.yaml"
if not SPEC_PATH.exists():  # pragma: no cover - the spec is part of the repository
    pytest.skip("openapi.yaml not present", allow_module_level=True)

NOW = 1_793_491_200
WED = NOW - 18 * 86_400
AUTH = {"Authorization": f"Bearer {DEFAULT_ADMIN_KEY}"}
URI = "urn:openapi"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return loaded


def validator(spec: dict[str, Any], schema_name: str) -> Any:
    resource = referencing.Resource.from_contents(
        spec, default_specification=referencing.jsonschema.DRAFT202012
    )
    registry = referencing.Registry().with_resource(URI, resource)
    schema = {"$ref": f"{URI}#/components/schemas/{schema_name}"}
    return jsonschema.Draft202012Validator(schema, registry=registry)


def from_json(body: bytes) -> Any:
    # Money as exact decimals; jsonschema treats Decimal as a number.
    return json.loads(body, parse_float=Decimal)


def get(fake: FakeAPI, path: str, params: dict[str, Any]) -> tuple[int, Any]:
    resp = fake.handle("GET", path, params, AUTH)
    return resp.status, from_json(resp.body)


def unalias(spec: dict[str, Any], page: dict[str, Any]) -> None:
    """Map quirk names back to the canonical ones, checking the spec lists each alias."""
    schemas = spec["components"]["schemas"]
    bucket_aliases = schemas["UsageTimeBucket"]["properties"]["results"]["x-aliases"]
    session_prop = schemas["UsageCodeInterpreterSessionsResult"]["properties"]["num_sessions"]
    for bucket in page["data"]:
        for alias in bucket_aliases:
            if alias in bucket:
                bucket["results"] = bucket.pop(alias)
        for r in bucket["results"]:
            if r["object"] == "organization.usage.code_interpreter_sessions.result":
                for alias in session_prop["x-aliases"]:
                    if alias in r:
                        r["num_sessions"] = r.pop(alias)


def check_results(spec: dict[str, Any], page: dict[str, Any], extra_ok: bool) -> None:
    """Each result matches the schema its discriminator names, with no unlisted field."""
    schemas = spec["components"]["schemas"]
    items = schemas["UsageTimeBucket"]["properties"]["results"]["items"]
    mapping = items["discriminator"]["mapping"]
    fallback = items["x-discriminator-fallback"]
    for bucket in page["data"]:
        for r in bucket["results"]:
            ref = mapping.get(r["object"], fallback)
            name = ref.rsplit("/", 1)[-1]
            errors = list(validator(spec, name).iter_errors(r))
            assert not errors, (name, r, errors[0].message)
            if ref != fallback and not extra_ok:
                props = schemas[name]["properties"]
                assert set(r) <= set(props), (name, set(r) - set(props))


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_every_endpoint_conforms(spec: dict[str, Any], endpoint: str) -> None:
    op = ENDPOINTS[endpoint]
    operation = spec["paths"][op.path]["get"]
    assert operation["x-result-object"] == op.result_object
    params: dict[str, Any] = {"start_time": WED, "group_by": list(op.group_by)}
    for money in ("never", "always"):  # both shapes of money must conform
        fake = FakeAPI(money_as_string=money)
        status, page = get(fake, op.path, params)
        assert status == 200
        assert not list(validator(spec, "UsageResponse").iter_errors(page))
        assert any(b["results"] for b in page["data"])
        check_results(spec, page, extra_ok=False)
        status, page = get(fake, op.path, {"start_time": WED})
        assert status == 200
        check_results(spec, page, extra_ok=False)


@pytest.mark.parametrize(
    "quirk", ["result_key", "sessions_key", "unknown_result", "unknown_field", "repeat_cursor"]
)
def test_quirk_variants_conform(spec: dict[str, Any], quirk: str) -> None:
    rates: dict[str, Any] = {f"rate_{quirk}": 1.0}
    fake = FakeAPI(faults=Faults(**rates))
    for endpoint in ("code_interpreter_sessions", "completions", "costs"):
        status, page = get(fake, ENDPOINTS[endpoint].path, {"start_time": WED})
        assert status == 200
        unalias(spec, page)
        assert not list(validator(spec, "UsageResponse").iter_errors(page))
        check_results(spec, page, extra_ok=quirk == "unknown_field")


@pytest.mark.parametrize(
    ("faults", "headers", "params", "status"),
    [
        (Faults(), AUTH, {}, 400),
        (Faults(), {}, {"start_time": WED}, 401),
        (Faults(), {"Authorization": "Bearer sk-proj-x"}, {"start_time": WED}, 403),
        (Faults(rate_429=1.0), AUTH, {"start_time": WED}, 429),
        (Faults(rate_500=1.0), AUTH, {"start_time": WED}, 500),
    ],
)
def test_errors_conform(
    spec: dict[str, Any],
    faults: Faults,
    headers: dict[str, str],
    params: dict[str, Any],
    status: int,
) -> None:
    resp = FakeAPI(faults=faults).handle("GET", "/v1/organization/costs", params, headers)
    assert resp.status == status
    assert not list(validator(spec, "ErrorResponse").iter_errors(from_json(resp.body)))
    declared = spec["paths"]["/organization/costs"]["get"]["responses"]
    if status < 500:
        assert str(status) in declared


def test_limits_match_the_spec(spec: dict[str, Any]) -> None:
    x_limits = spec["components"]["parameters"]["UsageLimit"]["x-limits"]
    for width, bounds in x_limits.items():
        fake = FakeAPI()
        path = ENDPOINTS["completions"].path
        ok, _ = get(
            fake, path, {"start_time": 0, "bucket_width": width, "limit": bounds["maximum"]}
        )
        too_many, _ = get(
            fake, path, {"start_time": 0, "bucket_width": width, "limit": bounds["maximum"] + 1}
        )
        assert (ok, too_many) == (200, 400)
        _, page = get(fake, path, {"start_time": 0, "bucket_width": width})
        assert len(page["data"]) == bounds["default"]
