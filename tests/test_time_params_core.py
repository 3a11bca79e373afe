"""Issue 10 items 7 and 10, issue 11 (process-wide state, row module, dead code): time errors
in the user's terms, bare strings and relative times through one parser with an injectable
clock, no GC switch, no module-level sleep hooks, rows in their own module."""

from __future__ import annotations

import dataclasses
import importlib.util
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from _client_helpers import BASE, KEY, bucket, collect, json_response, page, whole_page

import openai_usage_client as ouc
from openai_usage_client import InvalidParameterError, _client
from openai_usage_client._cli._times import parse_time as cli_parse_time
from openai_usage_client._core import _rows
from openai_usage_client._core._client_base import Runtime
from openai_usage_client._core._params import Query
from openai_usage_client._core._time import describe, to_unix

KINDS = ["sync", "async"]
#: 2026-11-29T22:30:00Z: what "now" is in these tests.
NOW = 1_795_991_400
FIXED = Runtime(clock=lambda: float(NOW))
TODAY = 1_795_910_400  # 2026-11-29T00:00:00Z
COMPLETIONS = f"{BASE}/organization/usage/completions"


def _refusal(**params: Any) -> InvalidParameterError:
    client = ouc.UsageClient(KEY, _runtime=FIXED)
    with respx.mock(assert_all_called=False) as mock:
        route = mock.get(url__startswith=BASE)
        with pytest.raises(InvalidParameterError) as info:
            client.usage.completions(**params)
    assert route.call_count == 0
    return info.value


# --- item 7: time errors --------------------------------------------------------------------


def test_a_start_in_the_future_says_so_in_iso_and_unix_seconds() -> None:
    error = _refusal(start_time="2027-01-01")
    assert error.param == "start_time"
    assert str(error) == (
        "invalid start_time='2027-01-01': 2027-01-01T00:00:00Z (1798761600) is in the future "
        "(now is 2026-11-29T22:30:00Z (1795991400)); pass a start in the past"
    )


def test_a_future_start_with_the_end_defaulted_to_now_blames_the_start() -> None:
    # The CLI passes end_time=now when the user gave only --start.
    error = _refusal(start_time="2027-01-01", end_time=NOW)
    assert error.param == "start_time"
    assert "is in the future" in str(error)
    assert "end_time" not in str(error)


def test_an_end_before_the_start_shows_both_instants() -> None:
    error = _refusal(start_time="2026-10-02", end_time="2026-10-01")
    assert error.param == "end_time"
    assert str(error) == (
        "invalid end_time='2026-10-01': 2026-10-01T00:00:00Z (1790812800) must be a time after "
        "start_time='2026-10-02' (2026-10-02T00:00:00Z (1790899200))"
    )


def test_describe() -> None:
    assert describe(0) == "1970-01-01T00:00:00Z (0)"


# --- item 10: one value for a list, relative times -------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_bare_string_is_one_value_of_a_list(kind: str) -> None:
    with respx.mock() as mock:
        route = mock.get(COMPLETIONS).mock(return_value=json_response(page([bucket(TODAY)])))
        collect(
            kind,
            lambda c: c.usage.completions(
                start_time=TODAY, group_by="project_id", project_ids="proj_x", models="gpt-4o"
            ),
            _runtime=FIXED,
        )
    params = route.calls[0].request.url.params
    assert params.get_list("group_by") == ["project_id"]
    assert params.get_list("project_ids") == ["proj_x"]
    assert params.get_list("models") == ["gpt-4o"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7d", NOW - 7 * 86_400),
        ("24h", NOW - 86_400),
        ("30m", NOW - 1_800),
        ("2w", NOW - 14 * 86_400),
        ("today", TODAY),
        ("yesterday", TODAY - 86_400),
        ("this-month", 1_793_491_200),  # 2026-11-01
        ("last-month", 1_790_812_800),  # 2026-10-01
        ("last_month", 1_790_812_800),
        ("2026-10-01", 1_790_812_800),
        ("2026-10-01T12:00:00Z", 1_790_812_800 + 43_200),
        ("1790812800", 1_790_812_800),
    ],
)
@pytest.mark.parametrize("kind", KINDS)
def test_relative_and_absolute_start_times_against_the_clients_clock(
    kind: str, value: str, expected: int
) -> None:
    with respx.mock() as mock:
        route = mock.get(COMPLETIONS).mock(side_effect=whole_page)
        collect(kind, lambda c: c.usage.completions(start_time=value), _runtime=FIXED)
    assert route.calls[0].request.url.params["start_time"] == str(expected)


def test_relative_end_time() -> None:
    with respx.mock() as mock:
        route = mock.get(COMPLETIONS).mock(side_effect=whole_page)
        collect(
            "sync",
            lambda c: c.usage.completions(start_time="last-month", end_time="this-month"),
            _runtime=FIXED,
        )
    params = route.calls[0].request.url.params
    assert (params["start_time"], params["end_time"]) == ("1790812800", "1793491200")


def test_the_core_parser_agrees_with_the_clis() -> None:
    now = datetime.fromtimestamp(NOW, UTC)
    for text in ("now", "today", "yesterday", "this-month", "last-month", "7d", "90min", "1w",
                 "2026-10-01", "2026-10-01T12:00Z", "1790812800", " TODAY "):  # fmt: skip
        assert to_unix(text, "start_time", now=now) == cli_parse_time(text, now), text
        assert to_unix(text, "start_time", now=NOW) == cli_parse_time(text, now), text


def test_a_word_that_is_not_a_time_lists_the_relative_forms() -> None:
    with pytest.raises(InvalidParameterError) as info:
        to_unix("fortnight", "start_time", now=NOW)
    assert info.value.param == "start_time"
    assert "'7d'" in str(info.value) and "'last-month'" in str(info.value)


# --- issue 11: no process-wide state, rows in their own module, dead code gone ---------------


def test_the_library_never_switches_the_garbage_collector() -> None:
    assert importlib.util.find_spec("openai_usage_client._gcpause") is None
    package = Path(ouc.__file__).parent
    for source in package.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "gc.disable" not in text and "gc.enable" not in text, source


def test_sleeps_are_injected_not_module_globals() -> None:
    assert not hasattr(_client, "_sleep") and not hasattr(_client, "_async_sleep")
    slept: list[float] = []
    runtime = Runtime(sleep=slept.append)
    with respx.mock() as mock:
        mock.get(COMPLETIONS).mock(
            side_effect=[httpx.ConnectError("x"), json_response(page([bucket(1_790_812_800)]))]
        )
        client = ouc.UsageClient(KEY, _runtime=runtime)
        assert len(list(client.usage.completions(start_time=1_790_812_800))) == 1
    assert len(slept) == 1 and 0 < slept[0] <= 0.5


def test_rows_live_in_their_own_module_apart_from_the_writers() -> None:
    assert ouc.rows is _rows.rows and ouc.columns is _rows.columns
    assert ouc.Row is _rows.Row
    assert not any(name.startswith("to_") for name in vars(_rows))
    assert "csv" not in vars(_rows)


def test_query_has_no_dead_filters_field() -> None:
    assert "filters" not in {f.name for f in dataclasses.fields(Query)}
