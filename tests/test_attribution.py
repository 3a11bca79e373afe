"""Billed spend allocated from usage (issue 37): exact per billed cell, equal to the native
per-key and per-user billing where the store's usage tells every variant apart, and what
cannot be allocated shown as such.

Expected values come from the store's own billed rows and the fake's native grouping, never
from the code under test.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from _store_helpers import DAY, client_for

from openai_usage_client._core._endpoints import ENDPOINTS
from openai_usage_client._core._exceptions import InvalidParameterError
from openai_usage_client.attribution import ALLOCATED, BILLED, allocate_costs, split
from openai_usage_client.store import Store, StoreEmptyError
from openai_usage_client.testing import DEFAULT_NOW, FakeAPI

NOW = DEFAULT_NOW  # 2026-11-01
START = NOW - 30 * DAY
#: Usage grouped so that every variant of a line item is told apart (batch, context size).
VARIANTS = {
    "completions": ["project_id", "user_id", "api_key_id", "model", "batch"],
    "decisions": ["project_id", "user_id", "api_key_id", "model", "batch"],
    "web_search_calls": ["project_id", "user_id", "api_key_id", "model", "context_level"],
}
#: The groupings of a store synced before the defaults told the variants apart.
OLD_DEFAULTS = {e: [g for g in groups if g not in ("batch", "context_level")]
                for e, groups in VARIANTS.items()}  # fmt: skip
POOLED = [
    "batch and interactive tokens pooled: the stored completions are not grouped by batch, "
    "so each is allocated by their usage together (sync --endpoint completions fetches them "
    "so grouped)",
    "batch and interactive tokens pooled: the stored decisions are not grouped by batch, so "
    "each is allocated by their usage together (sync --endpoint decisions fetches them so "
    "grouped)",
    "the web search context sizes pooled: the stored web_search_calls are not grouped by "
    "context_level, so each is allocated by their usage together (sync --endpoint "
    "web_search_calls fetches them so grouped)",
]


def cell(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["start_time"].date(), row["project_id"], row["line_item"])


def sums(rows: Iterable[dict[str, Any]], key: Any) -> dict[tuple[Any, ...], Decimal]:
    out: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
    for row in rows:
        out[key(row)] += row["amount_value"] or Decimal(0)
    return dict(out)


def who(row: dict[str, Any]) -> tuple[Any, ...]:
    return (*cell(row), row["api_key_id"], row["user_id"])


def synced(path: Path, fake: FakeAPI, group_by: dict[str, list[str]] | None = None) -> Path:
    with client_for(fake) as client, Store(path) as store:
        store.sync(client, start=START, now=NOW, endpoints=list(ENDPOINTS), group_by=group_by)
    return path


@pytest.fixture(scope="module")
def told(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synced(tmp_path_factory.mktemp("a") / "u.db", FakeAPI(seed=0), VARIANTS)


@pytest.fixture(scope="module")
def pooled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synced(tmp_path_factory.mktemp("b") / "u.db", FakeAPI(seed=0), OLD_DEFAULTS)


def test_split_is_exact_and_gives_the_remainder_to_the_largest_share() -> None:
    assert split(Decimal("1"), [Decimal(1), Decimal(1), Decimal(1)]) == [
        Decimal("0.333333333333333334"), Decimal("0.333333333333333333"),
        Decimal("0.333333333333333333"),
    ]  # fmt: skip
    parts = split(Decimal("-7.25"), [Decimal(3), Decimal(0), Decimal(9)])
    assert parts == [Decimal("-1.8125"), Decimal(0), Decimal("-5.4375")]
    assert sum(split(Decimal("0.1"), [Decimal(7)] * 7)) == Decimal("0.1")
    with pytest.raises(ValueError, match="weights must be >= 0 with a positive sum"):
        split(Decimal(1), [Decimal(0)])


def test_allocation_equals_the_native_billing_per_key_and_user(told: Path) -> None:
    with Store(told) as store:
        found = allocate_costs(store, START, NOW)
        rows = list(found.rows())
        billed = list(store.rows("costs", START, NOW, names=False))
    assert found.notes == []
    # Every billed cell adds up exactly, and per key and user equals what the API billed.
    assert sums(rows, cell) == sums(billed, cell)
    assert sums(rows, who) == sums(billed, who)
    assert Counter((r["basis"], r["unallocated"]) for r in rows) == {
        (ALLOCATED, None): 1705,
        (BILLED, "its usage knows only the project"): 149,
    }
    storage = [r for r in rows if r["line_item"] == "vector store storage"]
    assert storage and all(r["api_key_id"] is None and r["basis"] == BILLED for r in storage)


def test_pooled_variants_still_add_up_and_say_so(pooled: Path) -> None:
    with Store(pooled) as store:
        found = allocate_costs(store, START, NOW)
        rows = list(found.rows())
        billed = list(store.rows("costs", START, NOW, names=False))
    assert found.notes == POOLED
    assert sums(rows, cell) == sums(billed, cell)
    differ = {k for k, v in sums(rows, who).items() if sums(billed, who).get(k) != v}
    # Only lines with variants the usage does not tell apart land elsewhere than billed.
    kinds = {k[2].split(", ")[-1].removeprefix("batch ") for k in differ}
    assert differ and kinds <= {"input", "cached input", "output", "web search tool calls "
                                "(low context)", "web search tool calls (medium context)",
                                "web search tool calls (high context)"}  # fmt: skip


def test_costs_refused_by_key_and_user_are_attributed_from_usage(tmp_path: Path) -> None:
    refusing = FakeAPI(seed=0, refuse_costs_by_key=True, refuse_costs_user_with_project=True)
    path = synced(tmp_path / "u.db", refusing, VARIANTS)
    with Store(path) as store, Store(synced(tmp_path / "n.db", FakeAPI(seed=0), VARIANTS)) as n:
        rows = list(allocate_costs(store, START, NOW).rows())
        stored = list(store.rows("costs", START, NOW, names=False))
        native = list(n.rows("costs", START, NOW, names=False))
    assert {r["api_key_id"] for r in stored} == {None}  # billed by project and line item only
    assert sums(rows, who) == sums(native, who)


def test_a_billing_discrepancy_stays_in_its_cell(tmp_path: Path) -> None:
    fake = FakeAPI(seed=0, discrepancies=True)
    with Store(synced(tmp_path / "u.db", fake, VARIANTS)) as store:
        rows = list(allocate_costs(store, START, NOW).rows())
        billed = list(store.rows("costs", START, NOW, names=False))
    assert sums(rows, cell) == sums(billed, cell)
    # Cost without usage stays whole, billed, and says why.
    whole = [(r["start_time"].date().isoformat(), r["line_item"], r["amount_value"])
             for r in rows if r["unallocated"] == "no usage behind it"]  # fmt: skip
    assert whole == [("2026-10-27", "gpt-4o-2024-08-06, output", Decimal("2.50"))]
    days = {d.day.isoformat() for d in fake.discrepancies(start_time=START, end_time=NOW)}
    differ = {k[0].isoformat() for k, v in sums(rows, who).items() if sums(billed, who).get(k) != v}
    assert differ <= days


def test_hourly_usage_gives_hourly_spend_that_adds_up_to_the_day(tmp_path: Path) -> None:
    fake = FakeAPI(seed=0)
    day = NOW - 2 * DAY
    path = tmp_path / "u.db"
    with client_for(fake) as client, Store(path) as store:
        store.sync(client, start=day, now=NOW, endpoints=["costs"])
        store.sync(client, start=day, now=NOW, endpoints=["completions"], bucket_width="1h")
        found = allocate_costs(store, day, day + DAY, bucket_width="1h")
        rows = list(found.rows())
        billed = list(store.rows("costs", day, day + DAY, names=False))
    allocated = [r for r in rows if r["basis"] == ALLOCATED]
    hours = {r["start_time"] for r in allocated}
    assert len(hours) > 12 and all(h.minute == 0 for h in hours)
    assert all(r["end_time"] - r["start_time"] == (r["end_time"] - r["start_time"]).__class__(
        hours=1) for r in allocated)  # fmt: skip
    assert sums(rows, cell) == sums(billed, cell)
    assert found.notes == []  # the default grouping tells batch from interactive tokens
    kept = {r["unallocated"] for r in rows if r["basis"] == BILLED}
    assert "its usage is not in the store (sync --endpoint images)" in kept


def test_bad_input_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    with Store(tmp_path / "empty.db") as store:
        with pytest.raises(InvalidParameterError, match="1d or 1h"):
            allocate_costs(store, START, NOW, bucket_width="1m")
        with pytest.raises(StoreEmptyError):
            allocate_costs(store, START, NOW)


def _iter(rows: Iterator[dict[str, Any]]) -> list[datetime]:
    return [r["start_time"] for r in rows]


def test_rows_come_a_day_at_a_time(told: Path) -> None:
    with Store(told) as store:
        stream = allocate_costs(store, START, NOW).rows()
        first = next(stream)
        assert first["start_time"] == datetime.fromtimestamp(START, UTC)
        assert sorted(set(_iter(stream))) == [
            datetime.fromtimestamp(START + d * DAY, UTC) for d in range(30)
        ]


def test_report_db_shows_keys_and_users_allocated_where_costs_lack_them(tmp_path: Path) -> None:
    import json

    from _cli_run import run

    refusing = FakeAPI(seed=0, refuse_costs_by_key=True, refuse_costs_user_with_project=True)
    path = synced(tmp_path / "u.db", refusing, VARIANTS)
    native = synced(tmp_path / "n.db", FakeAPI(seed=0), VARIANTS)
    period = ("--start", "2026-10-02", "--end", "2026-11-01", "--no-names")
    code, out, err = run("report", "--db", str(path), *period, "-f", "json")
    assert code == 0, err
    code, billed, err = run("report", "--db", str(native), *period, "-f", "json")
    assert code == 0, err
    got, want = json.loads(out), json.loads(billed)
    assert got["basis"] == {"by_api_key": ALLOCATED, "by_user": ALLOCATED,
                            "top_by_model": ALLOCATED}  # fmt: skip
    assert "basis" not in want and got["unavailable"] == want["unavailable"] == {}
    amounts = [(r["api_key_id"], r["amount"]) for r in got["by_api_key"]]
    assert amounts == [(r["api_key_id"], r["amount"]) for r in want["by_api_key"]]
    assert [(r["user_id"], r["amount"]) for r in got["by_user"]] == [
        (r["user_id"], r["amount"]) for r in want["by_user"]
    ]
    assert got["total"] == want["total"]
    assert got["notes"][-1].startswith("API keys and users: allocated from usage")
    code, text, _ = run("report", "--db", str(path), *period)
    assert "Top API keys by spend (allocated from usage)" in text
    assert "Top users by spend (allocated from usage)" in text
    assert "Top keys and users by model (allocated from usage)" in text
    assert max(len(line) for line in text.splitlines()) <= 80


# --- costs --db by hour, model, key or user ----------------------------------------------------


@pytest.fixture(scope="module")
def hourly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("h") / "u.db"
    with client_for(FakeAPI(seed=0)) as client, Store(path) as store:
        store.sync(client, start=NOW - 3 * DAY, now=NOW, endpoints=["costs"])
        store.sync(client, start=NOW - 3 * DAY, now=NOW, endpoints=list(ENDPOINTS)[:-1],
                   bucket_width="1h", group_by=VARIANTS)  # fmt: skip
    return path


def csv_rows(text: str) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text)))


def test_costs_db_by_hour_and_model_and_key_adds_up_to_the_bill(hourly: Path) -> None:
    from _cli_run import run

    day = ("--start", "2026-10-29", "--end", "2026-10-30")
    code, out, err = run("costs", "--db", str(hourly), *day, "--bucket-width", "1h",
                         "--group-by", "model,api_key_id", "-f", "csv")  # fmt: skip
    assert code == 0, err
    rows = csv_rows(out)
    assert list(rows[0]) == ["start_time", "end_time", "model", "api_key_id", "amount_value",
                             "amount_currency", "basis", "unallocated", "provisional"]  # fmt: skip
    # A part kept whole says why, a share of usage says nothing.
    assert {r["unallocated"] for r in rows if r["basis"] == ALLOCATED} == {""}
    assert "its usage knows only the project" in {r["unallocated"] for r in rows}
    allocated = [r for r in rows if r["basis"] == ALLOCATED]
    assert len({r["start_time"] for r in allocated}) == 24
    assert {r["basis"] for r in rows} == {ALLOCATED, BILLED}
    with Store(hourly) as store:
        billed = list(store.rows("costs", NOW - 3 * DAY, NOW - 2 * DAY, names=False))
    assert sum(Decimal(r["amount_value"]) for r in rows) == sum(r["amount_value"] for r in billed)
    # Storage and sessions stay whole at the day, never split to keys.
    whole = [r for r in rows if r["basis"] == BILLED]
    assert all(r["end_time"] == "2026-10-30T00:00:00Z" and not r["api_key_id"] for r in whole)


def test_costs_db_by_model_per_day_is_billed(hourly: Path) -> None:
    from _cli_run import run

    from openai_usage_client._core._summarize import model_from_line_item

    day = ("--start", "2026-10-29", "--end", "2026-10-30")
    code, out, err = run("costs", "--db", str(hourly), *day, "--group-by", "model", "-f", "csv")
    assert code == 0, err
    rows = csv_rows(out)
    assert {r["basis"] for r in rows} == {BILLED}
    with Store(hourly) as store:
        billed = sums(store.rows("costs", NOW - 3 * DAY, NOW - 2 * DAY, names=False),
                      lambda r: (model_from_line_item(r["line_item"]) or "",))  # fmt: skip
    assert {(r["model"],): Decimal(r["amount_value"]) for r in rows} == billed


def test_costs_by_hour_or_model_is_refused_where_it_cannot_be_answered(hourly: Path) -> None:
    from _cli_run import run

    code, _, err = run("--fake", "costs", "--bucket-width", "1h")
    assert code == 2
    assert (
        "Invalid value for --bucket-width: '1h': the Costs API bills by day, project and "
        "line item: hours and models are allocated from usage in a store (add --db)" in err
    )
    code, _, err = run("costs", "--db", str(hourly), "--group-by", "model", "--totals")
    assert code == 2
    assert (
        "Invalid value for --totals: not with costs allocated from usage (by hour, by "
        "model, or by a key or user the store's costs lack): they come one row per bucket "
        "and group, as csv, json, jsonl or a table" in " ".join(err.split())
    )
    code, _, err = run("--fake", "costs", "--group-by", "modle")
    assert (
        code == 2
        and "'modle' is not one of: project_id, line_item, api_key_id, user_id, api_source, model"
        in err
    )


def test_costs_db_by_key_where_the_store_lacks_keys_is_allocated(tmp_path: Path) -> None:
    from _cli_run import run

    refusing = FakeAPI(seed=0, refuse_costs_by_key=True)
    path = synced(tmp_path / "u.db", refusing, VARIANTS)
    native = synced(tmp_path / "n.db", FakeAPI(seed=0), VARIANTS)
    period = ("--start", "2026-10-20", "--end", "2026-10-22", "--group-by", "api_key_id",
              "-f", "csv")  # fmt: skip
    code, out, err = run("costs", "--db", str(path), *period)
    assert code == 0, err
    code, billed, err = run("costs", "--db", str(native), *period)
    assert code == 0, err
    got = {(r["start_time"], r["api_key_id"]): Decimal(r["amount_value"]) for r in csv_rows(out)
           if Decimal(r["amount_value"])}  # fmt: skip
    want = {(r["start_time"], r["api_key_id"]): Decimal(r["amount_value"])
            for r in csv_rows(billed) if Decimal(r["amount_value"])}  # fmt: skip
    assert got == want


def test_hours_asked_of_daily_usage_come_as_whole_days_and_say_so(pooled: Path) -> None:
    with Store(pooled) as store:
        found = allocate_costs(store, NOW - 2 * DAY, NOW - DAY, bucket_width="1h")
        rows = list(found.rows())
    assert found.notes[-1].startswith("by day, not by hour: the store holds ")
    spans = {r["end_time"] - r["start_time"] for r in rows}
    assert {s.total_seconds() for s in spans} == {86_400.0}


def test_a_filter_by_key_makes_daily_sums_by_model_allocated(told: Path) -> None:
    with Store(told) as store:
        found = allocate_costs(store, NOW - 2 * DAY, NOW - DAY)
        key = next(r["api_key_id"] for r in found.rows() if r["api_key_id"])
        kept = list(found.grouped(["model"], {"api_key_id": [key]}))
        every = list(found.grouped(["model"]))
    assert kept and {r["basis"] for r in kept} == {ALLOCATED}
    assert {r["basis"] for r in every} == {BILLED}
    with pytest.raises(InvalidParameterError, match="any of organization, project_id"):
        list(found.grouped(["quantity"]))


def test_focus_rows_split_by_usage_add_up_to_each_billed_row(tmp_path: Path) -> None:
    from _cli_run import run

    from openai_usage_client.focus import FOCUS_COLUMNS, FOCUS_SPLIT_COLUMNS, focus_rows

    refusing = FakeAPI(seed=0, refuse_costs_by_key=True, refuse_costs_user_with_project=True)
    path = synced(tmp_path / "u.db", refusing)
    day = NOW - 3 * DAY
    with Store(path) as store:
        billed = list(focus_rows(store, day, NOW))
        parts = list(focus_rows(store, day, NOW, split=True))

    def cells(rows: Iterable[dict[str, Any]], column: str) -> dict[tuple[Any, ...], Decimal]:
        found: dict[tuple[Any, ...], Decimal] = defaultdict(Decimal)
        for r in rows:
            found[(r["ChargePeriodStart"], r["SubAccountId"], r["SkuId"])] += r[column]
        return dict(found)

    # Nothing allocated is presented as billed: the plain rows are the billed cells, the
    # split ones add up to them exactly, amount and quantity alike.
    assert all(tuple(r) == FOCUS_COLUMNS for r in billed)
    assert all(tuple(r) == FOCUS_SPLIT_COLUMNS for r in parts)
    assert {r["x_ApiKeyId"] for r in billed} == {None}
    assert cells(parts, "BilledCost") == cells(billed, "BilledCost")
    assert cells(parts, "PricingQuantity") == cells(billed, "PricingQuantity")
    assert Counter(r["x_Basis"] for r in parts) == {"allocated": 172, "billed": 15}
    assert {r["x_ApiKeyId"] for r in parts if r["x_Basis"] == "billed"} == {None}
    assert all(r["x_ApiKeyId"] for r in parts if r["x_Basis"] == "allocated")
    code, out, err = run("export", "--db", str(path), "--parquet-dir", str(tmp_path / "p"),
                         "--split-by-usage")  # fmt: skip
    assert (code, out) == (2, "") and "--split-by-usage" in err and "--focus only" in err
    target = str(tmp_path / "f.csv")
    code, out, err = run("--fake", "export", "--db", str(path), "--focus", target,
                         "--start", "2026-10-29", "--split-by-usage")  # fmt: skip
    assert code == 0, err
    header = (tmp_path / "f.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith(",x_Provisional,x_Basis") and out.endswith(" FOCUS rows\n")
