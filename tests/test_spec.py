"""``openapi.yaml`` itself: valid OpenAPI 3.1, and stating exactly the API we model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

ROOT = Path(__file__).parents[1]
SPEC_PATH = ROOT / "openapi.yaml"

USAGE_KINDS = (
    "completions",
    "embeddings",
    "moderations",
    "images",
    "audio_speeches",
    "audio_transcriptions",
    "vector_stores",
    "code_interpreter_sessions",
    "file_search_calls",
    "web_search_calls",
    "decisions",
)
ALL_KINDS = (*USAGE_KINDS, "costs")

#: The discriminator mapping we expect: result ``object`` -> schema name.
EXPECTED_MAPPING = {
    "organization.usage.completions.result": "UsageCompletionsResult",
    "organization.usage.embeddings.result": "UsageEmbeddingsResult",
    "organization.usage.moderations.result": "UsageModerationsResult",
    "organization.usage.images.result": "UsageImagesResult",
    "organization.usage.audio_speeches.result": "UsageAudioSpeechesResult",
    "organization.usage.audio_transcriptions.result": "UsageAudioTranscriptionsResult",
    "organization.usage.vector_stores.result": "UsageVectorStoresResult",
    "organization.usage.code_interpreter_sessions.result": "UsageCodeInterpreterSessionsResult",
    "organization.usage.file_searches.result": "UsageFileSearchCallsResult",
    "organization.usage.web_searches.result": "UsageWebSearchCallsResult",
    "organization.usage.decisions.result": "UsageDecisionsResult",
    "organization.costs.result": "CostsResult",
}

USAGE_LIMITS = {
    "1m": {"default": 60, "maximum": 1440},
    "1h": {"default": 24, "maximum": 168},
    "1d": {"default": 7, "maximum": 31},
}
COSTS_LIMITS = {"1d": {"default": 7, "maximum": 180}}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    with SPEC_PATH.open() as fh:
        loaded: dict[str, Any] = yaml.safe_load(fh)
    return loaded


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        target: Any = spec
        for part in ref[2:].split("/"):
            target = target[part]
        node = target
    return node


def _operations(spec: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId -> (path, method, operation)."""
    ops: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in {"get", "put", "post", "delete", "patch", "head", "options", "trace"}:
                assert op["operationId"] not in ops, f"duplicate operationId {op['operationId']}"
                ops[op["operationId"]] = (path, method, op)
    return ops


def _params(spec: dict[str, Any], op: dict[str, Any]) -> dict[str, dict[str, Any]]:
    params = [_resolve(spec, p) for p in op.get("parameters", [])]
    by_name = {p["name"]: p for p in params}
    assert len(by_name) == len(params), "duplicate parameter names"
    return by_name


def test_spec_validates() -> None:
    spec_dict, base_uri = read_from_filename(str(SPEC_PATH))
    validate(spec_dict, base_uri=base_uri)  # raises on any error
    assert spec_dict["openapi"] == "3.1.0"


def test_exactly_twelve_operations_named_by_kind(spec: dict[str, Any]) -> None:
    # The directory operations (tag `directory`) are checked in tests/test_directory_spec.py.
    ops = {k: v for k, v in _operations(spec).items() if v[2]["tags"] != ["directory"]}
    assert len(ops) == 12
    assert set(ops) == set(ALL_KINDS)
    for kind, (path, method, op) in ops.items():
        assert method == "get", kind
        if kind == "costs":
            assert path == "/organization/costs"
            assert op["tags"] == ["costs"]
        else:
            assert path == f"/organization/usage/{kind}"
            assert op["tags"] == ["usage"]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_start_time_required(spec: dict[str, Any], kind: str) -> None:
    _, _, op = _operations(spec)[kind]
    params = _params(spec, op)
    start = params["start_time"]
    assert start["in"] == "query"
    assert start["required"] is True
    assert start["schema"]["type"] == "integer"
    # ...and it is the only required parameter.
    required = sorted(name for name, p in params.items() if p.get("required"))
    assert required == ["start_time"]


def test_discriminator_mapping(spec: dict[str, Any]) -> None:
    items = spec["components"]["schemas"]["UsageTimeBucket"]["properties"]["results"]["items"]
    mapping = items["discriminator"]["mapping"]
    assert items["discriminator"]["propertyName"] == "object"
    assert {key: ref.rsplit("/", 1)[-1] for key, ref in mapping.items()} == EXPECTED_MAPPING
    assert items["x-discriminator-fallback"] == "#/components/schemas/UnknownResult"
    members = {m["$ref"].rsplit("/", 1)[-1] for m in items["anyOf"]}
    assert members == {*EXPECTED_MAPPING.values(), "UnknownResult"}


@pytest.mark.parametrize(("tag", "schema_name"), sorted(EXPECTED_MAPPING.items()))
def test_result_object_const_equals_mapping_key(
    spec: dict[str, Any], tag: str, schema_name: str
) -> None:
    items = spec["components"]["schemas"]["UsageTimeBucket"]["properties"]["results"]["items"]
    ref = items["discriminator"]["mapping"][tag]
    schema = _resolve(spec, {"$ref": ref})
    assert ref == f"#/components/schemas/{schema_name}"
    obj = schema["properties"]["object"]
    assert obj["type"] == "string"
    assert obj["const"] == tag
    assert "object" in schema["required"]
    assert schema["additionalProperties"] is True


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_result_object_of_operation(spec: dict[str, Any], kind: str) -> None:
    _, _, op = _operations(spec)[kind]
    expected = {
        "costs": "organization.costs.result",
        "file_search_calls": "organization.usage.file_searches.result",
        "web_search_calls": "organization.usage.web_searches.result",
    }.get(kind, f"organization.usage.{kind}.result")
    assert op["x-result-object"] == expected
    assert expected in EXPECTED_MAPPING


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_limit_x_limits(spec: dict[str, Any], kind: str) -> None:
    _, _, op = _operations(spec)[kind]
    limit = _params(spec, op)["limit"]
    expected = COSTS_LIMITS if kind == "costs" else USAGE_LIMITS
    assert limit["x-limits"] == expected
    schema = limit["schema"]
    assert schema["type"] == "integer"
    assert schema["minimum"] == 1
    assert schema["maximum"] == max(v["maximum"] for v in expected.values())
    if kind == "costs":
        assert schema["default"] == 7
    # The widths with limits are exactly the widths the operation accepts.
    widths = _params(spec, op)["bucket_width"]["schema"]
    assert set(widths["enum"]) == set(expected)
    assert widths["default"] == "1d"


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_429_declares_retry_after(spec: dict[str, Any], kind: str) -> None:
    _, _, op = _operations(spec)[kind]
    response = _resolve(spec, op["responses"]["429"])
    header = _resolve(spec, response["headers"]["Retry-After"])
    assert header["schema"]["type"] == "integer"
    assert header["schema"]["minimum"] == 0
    body = response["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ErrorResponse"}


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_200_is_usage_response(spec: dict[str, Any], kind: str) -> None:
    _, _, op = _operations(spec)[kind]
    ok = _resolve(spec, op["responses"]["200"])
    assert ok["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/UsageResponse"
    }
    assert set(op["responses"]) == {"200", "400", "401", "403", "429"}


def test_money_is_decimal_number_or_string(spec: dict[str, Any]) -> None:
    value = spec["components"]["schemas"]["CostsResultAmount"]["properties"]["value"]
    assert value["type"] == ["number", "string"]
    assert value["format"] == "decimal"


def test_aliases(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert schemas["UsageTimeBucket"]["properties"]["results"]["x-aliases"] == ["result"]
    sessions = schemas["UsageCodeInterpreterSessionsResult"]["properties"]["num_sessions"]
    assert sessions["x-aliases"] == ["sessions"]
    assert schemas["UsageResponse"]["properties"]["next_page"]["type"] == ["string", "null"]
    assert "next_page" not in schemas["UsageResponse"]["required"]
