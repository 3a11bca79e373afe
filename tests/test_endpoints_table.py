"""The endpoint table, generated from ``openapi.yaml``, against what the live API accepts.

``_generated/endpoints.py`` is written from the spec (``make check-generated`` keeps the two
equal), so re-reading the spec here would prove nothing. What is checked instead:

* the table against ``tests/data/live_api_endpoints.json``, our own statement of section 1 of
  the live-API facts (every group-by value, filter and closed choice, per path), so a spec
  edit that drifts from the live API fails;
* that JSON against the original facts table, when ``../shared/`` is beside the clone;
* that the generated request builder of every operation exists and builds its path, and that
  the help text reaches ``EndpointSpec``.
"""

from __future__ import annotations

import importlib
import json
import re
from typing import Any

import pytest
from _shared import DATA, shared_file

from openai_usage_client._core._endpoints import ENDPOINTS, USAGE_KINDS

FACTS = "reference/live-api-facts.md"
LIVE: dict[str, dict[str, Any]] = json.loads((DATA / "live_api_endpoints.json").read_text())[
    "endpoints"
]

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


def test_endpoint_names_are_the_operation_ids() -> None:
    assert tuple(ENDPOINTS) == OPERATION_IDS
    for name, endpoint in ENDPOINTS.items():
        assert endpoint.name == name
    assert OPERATION_IDS[:-1] == USAGE_KINDS
    assert [e.is_costs for e in ENDPOINTS.values()] == [False] * 11 + [True]


@pytest.mark.parametrize("op_id", OPERATION_IDS)
def test_table_agrees_with_the_live_api(op_id: str) -> None:
    endpoint = ENDPOINTS[op_id]
    live = LIVE[endpoint.path]
    assert endpoint.result_object == live["result_object"]
    assert sorted(endpoint.group_by) == live["group_by"]
    assert len(set(endpoint.group_by)) == len(endpoint.group_by)
    assert sorted(endpoint.filters) == sorted(live["filters"])
    for name, choices in live["filters"].items():
        got = endpoint.filters[name].choices
        assert (None if got is None else sorted(got)) == choices, name
    bools = sorted(name for name, f in endpoint.filters.items() if f.kind == "bool")
    assert bools == live["bool_filters"]


def test_the_live_api_table_covers_every_endpoint() -> None:
    assert sorted(LIVE) == sorted(e.path for e in ENDPOINTS.values())


def test_limits_and_widths() -> None:
    usage = {"1m": (60, 1440), "1h": (24, 168), "1d": (7, 31)}
    for name in USAGE_KINDS:
        endpoint = ENDPOINTS[name]
        assert endpoint.bucket_widths == ("1m", "1h", "1d")
        assert endpoint.default_bucket_width == "1d"
        got = {w: (b.default, b.maximum) for w, b in endpoint.limits.items()}
        assert got == usage, name
        assert {b.minimum for b in endpoint.limits.values()} == {1}
    costs = ENDPOINTS["costs"]
    assert costs.bucket_widths == ("1d",)
    assert (costs.limits["1d"].default, costs.limits["1d"].maximum) == (7, 180)


def test_help_text_comes_from_the_spec() -> None:
    assert ENDPOINTS["completions"].summary == (
        "Get completions usage details for the organization."
    )
    assert ENDPOINTS["costs"].summary == "Get costs details for the organization."
    assert all(e.summary for e in ENDPOINTS.values())


@pytest.mark.parametrize("op_id", OPERATION_IDS)
def test_generated_request_builder_holds_the_operation(op_id: str) -> None:
    """The facade imports ``_generated.api.<usage|costs>.<name>`` (``_params._get_kwargs``):
    that module must exist and build requests for this path; nothing else is generated."""
    endpoint = ENDPOINTS[op_id]
    tag = "costs" if endpoint.is_costs else "usage"
    name = f"openai_usage_client._generated.api.{tag}.{op_id}"
    module = importlib.import_module(name)
    for function in ("sync_detailed", "asyncio_detailed", "_parse_response"):
        assert not hasattr(module, function), f"{name} ships {function}, which nothing uses"
    kwargs = module._get_kwargs(start_time=0, group_by=list(endpoint.group_by[:1]))
    assert kwargs["url"] == endpoint.path
    assert kwargs["method"] == "get"
    assert kwargs["params"]["start_time"] == 0
    assert kwargs["params"]["group_by"] == list(endpoint.group_by[:1])


# -- the original facts table in ../shared/ (an extra layer; skipped on a lone clone) -------


def _facts_rows() -> dict[str, dict[str, str]]:
    """path -> the row's cells, from the endpoint table in section 1 of the facts."""
    text = shared_file(FACTS).read_text()
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
    assert len(rows) == 12, f"expected 12 endpoint rows in {FACTS}, found {len(rows)}"
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


def test_live_api_data_matches_the_original_facts() -> None:
    rows = _facts_rows()
    assert sorted(rows) == sorted(LIVE)
    for path, live in LIVE.items():
        row = rows[path]
        assert live["result_object"] == row["result"], path
        assert live["group_by"] == sorted(_facts_group_by(rows, path)), path
        choices: dict[str, list[str] | None] = {"project_ids": None}  # "all take project_ids"
        for part in _split_top_level(row["array_filters"]):
            if part.startswith("("):  # "(project_ids only)"
                continue
            name = part.split()[0].rstrip("*")
            inside = re.search(r"\((.*)\)", part)
            closed = inside is not None and "wider" not in inside.group(1)
            choices[name] = sorted(re.findall(r"`([^`]+)`", inside.group(1))) if closed else None
        for part in _split_top_level(row["other_filters"]):
            choices[part.split()[0]] = None
        assert live["filters"] == dict(sorted(choices.items())), path
        bools = sorted(
            p.split()[0] for p in _split_top_level(row["other_filters"]) if "(bool)" in p
        )
        assert live["bool_filters"] == bools, path
