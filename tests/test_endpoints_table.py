"""``openai_usage_client._endpoints.ENDPOINTS`` against ``openapi.yaml`` and the facts table."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from openai_usage_client._endpoints import ENDPOINTS, USAGE_KINDS, FilterSpec

ROOT = Path(__file__).parents[1]
SHARED = ROOT.parent / "shared"
SPEC_PATH = ROOT / "openapi.yaml"
FACTS_PATH = SHARED / "reference" / "live-api-facts.md"

#: Query parameters that are not filters.
NOT_FILTERS = {"start_time", "end_time", "bucket_width", "group_by", "limit", "page"}

OPERATION_IDS = (
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
    "costs",
)


def _shared_file(path: Path) -> Path:
    if not path.is_file():
        pytest.fail(
            f"{path} is missing: these tests need the shared/ folder beside the clone "
            f"(expected at {SHARED})"
        )
    return path


def _load_spec() -> dict[str, Any]:
    with SPEC_PATH.open() as fh:
        loaded: dict[str, Any] = yaml.safe_load(fh)
    return loaded


SPEC = _load_spec()


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = SPEC
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _operation(op_id: str) -> tuple[str, dict[str, Any]]:
    found = [
        (path, op)
        for path, item in SPEC["paths"].items()
        for op in item.values()
        if isinstance(op, dict) and op.get("operationId") == op_id
    ]
    assert len(found) == 1, f"operationId {op_id!r} found {len(found)} times in openapi.yaml"
    return found[0]


def _query_params(op: dict[str, Any]) -> dict[str, dict[str, Any]]:
    params = [_resolve(p) for p in op["parameters"]]
    return {p["name"]: p for p in params if p["in"] == "query"}


def test_endpoint_names_are_the_operation_ids() -> None:
    spec_ids = {
        op["operationId"]
        for item in SPEC["paths"].values()
        for op in item.values()
        # The directory operations are cursor lists, not bucket endpoints (own tests).
        if isinstance(op, dict) and "operationId" in op and op.get("tags") != ["directory"]
    }
    assert set(ENDPOINTS) == spec_ids == set(OPERATION_IDS)
    for name, endpoint in ENDPOINTS.items():
        assert endpoint.name == name
    assert set(USAGE_KINDS) == set(OPERATION_IDS) - {"costs"}
    assert len(USAGE_KINDS) == 11


@pytest.mark.parametrize("op_id", OPERATION_IDS)
def test_path_and_result_object(op_id: str) -> None:
    path, op = _operation(op_id)
    endpoint = ENDPOINTS[op_id]
    assert endpoint.path == path
    assert endpoint.result_object == op["x-result-object"]
    assert endpoint.is_costs is (op["tags"] == ["costs"])


@pytest.mark.parametrize("op_id", OPERATION_IDS)
def test_group_by(op_id: str) -> None:
    _, op = _operation(op_id)
    enum = _query_params(op)["group_by"]["schema"]["items"]["enum"]
    group_by = ENDPOINTS[op_id].group_by
    assert len(group_by) == len(set(group_by)), f"duplicates in {group_by}"
    assert set(group_by) == set(enum)


@pytest.mark.parametrize("op_id", OPERATION_IDS)
def test_filters(op_id: str) -> None:
    _, op = _operation(op_id)
    params = _query_params(op)
    spec_filters = {name: p for name, p in params.items() if name not in NOT_FILTERS}
    filters = ENDPOINTS[op_id].filters
    assert set(filters) == set(spec_filters)
    for name, param in spec_filters.items():
        schema = param["schema"]
        spec_kind = {"array": "list", "boolean": "bool"}[schema["type"]]
        enum = schema.get("items", {}).get("enum")
        expected = FilterSpec(spec_kind, None if enum is None else tuple(enum))
        got = filters[name]
        assert got.kind == expected.kind, name
        if expected.choices is None:
            assert got.choices is None, name
        else:
            assert got.choices is not None, name
            assert set(got.choices) == set(expected.choices), name
            assert len(got.choices) == len(set(got.choices)), name


@pytest.mark.parametrize("op_id", OPERATION_IDS)
def test_bucket_widths_and_limits(op_id: str) -> None:
    _, op = _operation(op_id)
    params = _query_params(op)
    widths = params["bucket_width"]["schema"]
    endpoint = ENDPOINTS[op_id]
    assert set(endpoint.bucket_widths) == set(widths["enum"])
    assert len(endpoint.bucket_widths) == len(widths["enum"])
    assert endpoint.default_bucket_width == widths["default"]
    limit = params["limit"]
    x_limits = limit["x-limits"]
    assert set(endpoint.limits) == set(x_limits)
    for width, bounds in x_limits.items():
        got = endpoint.limits[width]
        assert (got.default, got.maximum) == (bounds["default"], bounds["maximum"]), width
        assert got.minimum == limit["schema"]["minimum"], width
        assert got.maximum <= limit["schema"]["maximum"], width


@pytest.mark.parametrize("op_id", OPERATION_IDS)
def test_generated_module_holds_the_operation(op_id: str) -> None:
    """The facade imports ``_generated.api.<usage|costs>.<generated_module>`` (see
    ``_params._get_kwargs``): that module must exist and build requests for this path."""
    path, op = _operation(op_id)
    endpoint = ENDPOINTS[op_id]
    (tag,) = op["tags"]
    assert ("costs" if endpoint.is_costs else "usage") == tag
    # The generator names an operation's module after its operationId, in its tag's package.
    assert endpoint.generated_module == op_id
    name = f"openai_usage_client._generated.api.{tag}.{endpoint.generated_module}"
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        pytest.fail(f"ENDPOINTS[{op_id!r}].generated_module: cannot import {name} ({exc})")
    for function in ("sync_detailed", "asyncio_detailed", "_get_kwargs"):
        assert hasattr(module, function), f"{name} has no {function}"
    kwargs = module._get_kwargs(start_time=0)
    assert kwargs["url"] == path
    assert kwargs["method"] == "get"
    assert kwargs["params"]["start_time"] == 0


# -- the facts table in live-api-facts.md ---------------------------------------------------


def _facts_rows() -> dict[str, dict[str, str]]:
    """path -> the row's cells, from the endpoint table in section 1 of the facts."""
    text = _shared_file(FACTS_PATH).read_text()
    rows: dict[str, dict[str, str]] = {}
    for line in text.splitlines():
        if not line.startswith("| `/organization/"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert len(cells) == 5, line
        path = re.findall(r"`([^`]+)`", cells[0])[0]
        rows[path] = {
            "array_filters": cells[1],
            "other_filters": cells[2],
            "group_by": cells[3],
            "result": re.findall(r"`([^`]+)`", cells[4])[0],
        }
    assert len(rows) == 12, f"expected 12 endpoint rows in {FACTS_PATH}, found {len(rows)}"
    return rows


def _split_top_level(cell: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in cell:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def _facts_group_by(rows: dict[str, dict[str, str]], path: str) -> set[str]:
    cell = rows[path]["group_by"]
    if cell == "as completions":
        cell = rows["/organization/usage/completions"]["group_by"]
    return {value.strip().rstrip("*") for value in cell.split(",")}


@pytest.mark.parametrize("op_id", OPERATION_IDS)
def test_group_by_agrees_with_facts(op_id: str) -> None:
    rows = _facts_rows()
    endpoint = ENDPOINTS[op_id]
    assert endpoint.path in rows
    assert set(endpoint.group_by) == _facts_group_by(rows, endpoint.path)
    assert endpoint.result_object == rows[endpoint.path]["result"]


@pytest.mark.parametrize("op_id", OPERATION_IDS)
def test_filters_agree_with_facts(op_id: str) -> None:
    rows = _facts_rows()
    endpoint = ENDPOINTS[op_id]
    row = rows[endpoint.path]
    names = {"project_ids"}  # "all take project_ids"
    choices: dict[str, set[str] | None] = {"project_ids": None}
    for part in _split_top_level(row["array_filters"]):
        if part.startswith("("):  # "(project_ids only)"
            continue
        name = part.split()[0].rstrip("*")
        names.add(name)
        inside = re.search(r"\((.*)\)", part)
        closed = inside is not None and "wider" not in inside.group(1)
        choices[name] = set(re.findall(r"`([^`]+)`", inside.group(1))) if closed else None
    for part in _split_top_level(row["other_filters"]):
        name = part.split()[0]
        names.add(name)
        choices[name] = None
    assert set(endpoint.filters) == names
    for name, expected in choices.items():
        got = endpoint.filters[name].choices
        assert (None if got is None else set(got)) == expected, name
    bools = {name for name, f in endpoint.filters.items() if f.kind == "bool"}
    assert bools == {p.split()[0] for p in _split_top_level(row["other_filters"]) if "(bool)" in p}
