"""Usage-versus-costs reconciliation (issue 22): the fake's costs are its usage at its price
table, so reconciling it is exact; with ``discrepancies=True`` it bills four known kinds of
lines wrong, and reconcile finds exactly those, with the figures."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from _cli_run import run
from _store_helpers import client_for, ts

from openai_usage_client import InvalidParameterError
from openai_usage_client._core._endpoints import ENDPOINTS
from openai_usage_client.reconcile import (
    CSV_COLUMNS,
    PriceTable,
    Reconciliation,
    load_prices,
    reconcile,
    reconciliation_text,
    write_cells_csv,
)
from openai_usage_client.reconcile._kinds import measure_of, usage_measures
from openai_usage_client.store import Store, StoreError
from openai_usage_client.testing import DEFAULT_NOW, Discrepancy, FakeAPI

pytestmark = pytest.mark.usefixtures("no_ambient_key")

START, END = ts("2026-10-01"), DEFAULT_NOW
#: What reconcile calls each injected discrepancy.
FLAG_OF = {
    "billed_twice": "quantity_mismatch",
    "price_changed": "price_differs",
    "usage_without_cost": "usage_without_cost",
    "cost_without_usage": "cost_without_usage",
}


def synced(path: Path, fake: FakeAPI, endpoints: list[str] | None = None) -> Path:
    with Store(path) as store, client_for(fake) as client:
        store.sync(
            client, start=START, endpoints=endpoints or list(ENDPOINTS), now=fake.now,
            directory=True,
        )  # fmt: skip
    return path


@pytest.fixture(scope="module")
def honest_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synced(tmp_path_factory.mktemp("honest") / "s.db", FakeAPI())


@pytest.fixture(scope="module")
def faulty_fake() -> FakeAPI:
    return FakeAPI(discrepancies=True)


@pytest.fixture(scope="module")
def faulty_db(tmp_path_factory: pytest.TempPathFactory, faulty_fake: FakeAPI) -> Path:
    return synced(tmp_path_factory.mktemp("faulty") / "s.db", faulty_fake)


@pytest.fixture
def faulty(faulty_db: Path) -> Iterator[Reconciliation]:
    with Store(faulty_db) as store:
        yield reconcile(store, START, END, now=END)


def test_the_honest_fake_reconciles_exactly_at_its_own_prices(honest_db: Path) -> None:
    with Store(honest_db) as store:
        found = reconcile(store, START, END, now=END)
        stored = sum(
            (r["amount_value"] for r in store.rows("costs", START, END, False)), Decimal(0)
        )
    assert found.flags == [] and found.provisional_flags == []
    assert found.spend["matched"] == found.total
    assert found.share_matched == 1
    assert found.spend["not_checked"] == found.spend["quantity_mismatch"] == 0
    # Every dollar of the store is in the reconciliation, settled or provisional.
    assert found.total + found.provisional_spend == stored
    assert (found.start, found.end) == (date(2026, 10, 1), date(2026, 11, 1))
    # The fake's price table (testing/_org.py), derived exactly, the same every day.
    prices = {p.line_item: p for p in found.prices}
    expected = {
        "gpt-4o-mini-2024-07-18, input": ("0.15", "1M tokens"),
        "gpt-4o-mini-2024-07-18, cached input": ("0.075", "1M tokens"),
        "gpt-4o-mini-2024-07-18, batch output": ("0.3", "1M tokens"),
        "gpt-4o-2024-08-06, batch input": ("1.25", "1M tokens"),
        "o4-mini-2025-04-16, cached input": ("0.275", "1M tokens"),
        "text-embedding-3-large, input": ("0.13", "1M tokens"),
        "dall-e-3, images": ("0.04", "image"),
        "tts-1, characters": ("15", "1M characters"),
        "whisper-1, transcription": ("0.006", "minute"),
        "vector store storage": ("0.004", "GiB-hour"),
        "code interpreter sessions": ("0.03", "session"),
        "file search tool calls": ("2.5", "1K calls"),
        "web search tool calls (medium context)": ("27.5", "1K calls"),
    }
    for line_item, (price, per) in expected.items():
        p = prices[line_item]
        assert (p.median, p.low, p.high, p.per) == (Decimal(price),) * 3 + (per,), line_item
        assert p.list_price is None
    assert prices["gpt-4o-mini-2024-07-18, input"].days == 29  # 30 and 31 are provisional
    assert len(prices) == 36


def test_it_finds_exactly_the_injected_discrepancies(
    faulty: Reconciliation, faulty_fake: FakeAPI
) -> None:
    injected = faulty_fake.discrepancies(start_time=START, end_time=END)
    assert [d.day for d in injected if d.kind == "billed_twice"] == [date(2026, 10, 6)]
    wanted = {(FLAG_OF[d.kind], d.day, d.line_item, d.project_id, d.api_key_id) for d in injected}
    assert wanted == {
        (f.kind, f.day, f.line_item, f.project_id, f.api_key_id) for f in faulty.flags
    }
    assert faulty.flag_counts() == {
        "cost_without_usage": 1,
        "usage_without_cost": 3,
        "quantity_mismatch": 1,
        "price_differs": 3,
    }
    org = faulty_fake.org
    twice = next(f for f in faulty.flags if f.kind == "quantity_mismatch")
    assert twice.project_id == org.keys[2].project_id and twice.api_key_id == org.keys[2].id
    assert twice.detail == "billed 87,196 tokens, used 43,598 tokens (2.00x)"
    assert twice.project_name == "Agents platform"
    prices = [f.detail for f in faulty.flags if f.kind == "price_differs"]
    assert prices == [
        "$0.09 per 1M tokens, 20.0% above the period's median $0.075; the day before: $0.075",
        "$0.18 per 1M tokens, 20.0% above the period's median $0.15; the day before: $0.15",
        "$0.72 per 1M tokens, 20.0% above the period's median $0.6; the day before: $0.6",
    ]
    extra = next(f for f in faulty.flags if f.kind == "cost_without_usage")
    assert (extra.day, extra.project_id, extra.amount) == (
        date(2026, 10, 27),
        org.idle_project,
        Decimal("2.5"),
    )
    assert extra.detail == "billed 250,000 tokens, no usage"
    dropped = [f for f in faulty.flags if f.kind == "usage_without_cost"]
    assert {f.api_key_id for f in dropped} == {org.keys[3].id}
    assert all(f.amount == 0 and f.detail.endswith("nothing billed") for f in dropped)
    assert faulty.spend["cost_without_usage"] == Decimal("2.5")
    assert faulty.spend["quantity_mismatch"] == twice.amount
    assert round(faulty.share_matched or 0, 4) == Decimal("0.9890")


def test_list_prices_flag_the_same_lines_against_the_list(faulty_db: Path) -> None:
    with Store(faulty_db) as store:
        found = reconcile(store, START, END, now=END, prices="builtin")
    assert found.price_reference == "the built-in price table as of 2025-06-01"
    assert found.flag_counts()["price_differs"] == 3
    assert all("above the list price" in f.detail for f in found.flags if f.kind == "price_differs")
    listed = {p.line_item: p.list_price for p in found.prices}
    assert listed["gpt-4o-mini-2024-07-18, output"] == Decimal("0.6")
    assert listed["dall-e-3, images"] is None  # sizes mix prices: left out of the table


def test_late_settling_is_reported_apart(tmp_path: Path) -> None:
    # The clock the morning after the usage-without-cost day, costs still settling.
    fake = FakeAPI(discrepancies=True, now=ts("2026-10-21"), settle_days=2)
    db = synced(tmp_path / "s.db", fake, ["costs", "completions"])
    with Store(db) as store:
        found = reconcile(store, START, ts("2026-10-21"), now=fake.now)
    assert {f.day for f in found.flags} == {date(2026, 10, 6), date(2026, 10, 13)}
    assert all(f.day >= date(2026, 10, 19) for f in found.provisional_flags)
    assert found.provisional_spend > 0
    assert not any(p.daily.get(date(2026, 10, 20)) for p in found.prices)
    assert any(n.startswith("Provisional: 2026-10-19, 2026-10-20") for n in found.notes)


def test_usage_not_in_the_store_is_not_checked_and_says_which_sync(tmp_path: Path) -> None:
    db = synced(tmp_path / "s.db", FakeAPI(discrepancies=True), ["costs", "completions"])
    with Store(db) as store:
        found = reconcile(store, START, END, now=END)
        cells = list(found.cells)  # joined again from the open store as they are read
    # The completions lines are still checked: the cost without usage is found.
    assert found.flag_counts()["cost_without_usage"] == 1
    assert len(cells) == len(found.cells)
    with pytest.raises(StoreError, match="the store is closed: read them before closing it"):
        list(found.cells)
    embeddings = [c for c in cells if c.model == "text-embedding-3-small"]
    assert embeddings and {c.status for c in embeddings} == {"not_checked"}
    assert embeddings[0].reason.startswith("its usage is not in the store (not synced: ")
    assert "embeddings" in embeddings[0].reason
    tools = [c for c in cells if c.kind == "code interpreter sessions"]
    assert {c.reason for c in tools} == {
        "its usage is not in the store (not synced: code_interpreter_sessions)"
    }
    assert found.spend["not_checked"] > found.spend["matched"] / 10
    assert found.endpoints == ["completions"]
    assert found.notes[-1] == (
        f"Not checked (default): ${found.spend['not_checked']:.2f} of settled spend, line items "
        "whose usage is not in the store (audio_speeches, audio_transcriptions, "
        "code_interpreter_sessions, decisions, embeddings, file_search_calls, images, "
        f"vector_stores, web_search_calls): openai-usage sync --db {db} --endpoint all "
        "--start 2026-10-01"
    )


def test_an_empty_period_says_what_is_missing(honest_db: Path) -> None:
    with Store(honest_db) as store:
        found = reconcile(store, "2026-09-01", "2026-09-08", now=END)
    assert found.cells == [] and found.flags == [] and found.total == 0
    assert found.share_matched is None
    assert found.notes[0] == (
        f"Missing: costs 2026-09-01 to 2026-09-07 (not in the store): openai-usage sync --db "
        f"{honest_db} --endpoint costs --start 2026-09-01"
    )
    text = reconciliation_text(found)
    assert "Settled spend: $0.00" in text and "Flags: 0" in text


def test_a_store_without_costs_says_so(tmp_path: Path) -> None:
    db = synced(tmp_path / "s.db", FakeAPI(), ["completions"])
    with Store(db) as store:
        found = reconcile(store, START, END, now=END)
    assert found.cells == []
    assert found.notes == [f"costs: not in the store: openai-usage sync --db {db} --endpoint costs"]


def test_bad_parameters_fail_before_reading(honest_db: Path, tmp_path: Path) -> None:
    with Store(honest_db) as store:
        with pytest.raises(InvalidParameterError) as bad:
            reconcile(store, START, END, tolerance=1)
        assert "tolerance" in str(bad.value) and "0.01 is 1%" in str(bad.value)
        with pytest.raises(InvalidParameterError) as bad:
            reconcile(store, END, START, now=END)
        assert "a day after the start (2026-11-01)" in str(bad.value)
    table = tmp_path / "p.toml"
    table.write_text('[prices]\n"x, input" = { usd = "1", per = "token" }\n')
    with pytest.raises(InvalidParameterError) as bad:
        load_prices(table)
    assert "'x, input': per is one of 1M tokens, 1M characters, image" in str(bad.value)
    with pytest.raises(InvalidParameterError) as bad:
        load_prices(tmp_path / "absent.toml")
    assert "'builtin' or a readable TOML file" in str(bad.value)


def test_price_tables() -> None:
    table = load_prices("builtin")
    assert isinstance(table, PriceTable) and table.as_of == date(2025, 6, 1)
    assert table.price_of("gpt-4o-2024-08-06, output") == Decimal("0.00001")
    assert table.price_of("whisper-1, transcription") == Decimal("0.0001")  # per second
    assert table.price_of("file search tool calls") == Decimal("0.0025")
    assert table.price_of("gpt-4o-2099-01-01, output") is None
    own = PriceTable("mine", None, None, "usd", {"gpt-4o, input": Decimal("0.0000025")})
    assert own.price_of("gpt-4o-2024-08-06, input") == Decimal("0.0000025")
    assert own.price_of("gpt-4o-mini-2024-07-18, input") is None
    assert own.price_of("gpt-4o-2024-08-06, output") is None


def test_line_items_and_usage_rows_meet_in_one_measure() -> None:
    assert measure_of("gpt-4o-2024-08-06, batch cached input") == (
        "gpt-4o-2024-08-06",
        "cached input",
        "tokens",
    )
    assert measure_of("web search tool calls (low context)") == (
        None,
        "web search tool calls",
        "calls",
    )
    assert measure_of("gpt-4o-audio-preview, input audio") == (
        "gpt-4o-audio-preview",
        "audio input",
        "tokens",
    )
    assert measure_of("fine-tuning training") is None
    assert measure_of("gpt-4o, training") is None
    row = {
        "model": "m",
        "input_tokens": 100,
        "input_cached_tokens": 30,
        "output_tokens": 7,
        "input_audio_tokens": 5,
    }
    assert dict(usage_measures("completions", row)) == {
        ("m", "input", "tokens"): Decimal(70),
        ("m", "cached input", "tokens"): Decimal(30),
        ("m", "output", "tokens"): Decimal(7),
        ("m", "audio input", "tokens"): Decimal(5),
    }
    # A day's storage snapshot of 1 GiB is 24 GiB-hours.
    assert dict(usage_measures("vector_stores", {"usage_bytes": 1 << 30})) == {
        (None, "vector store storage", "GiB-hours"): Decimal(24)
    }


def test_csv_has_one_row_per_cell(faulty: Reconciliation) -> None:
    out = io.StringIO()
    count = write_cells_csv(faulty, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert count == len(rows) == len(faulty.cells)
    assert tuple(rows[0]) == CSV_COLUMNS
    billed_twice = [r for r in rows if r["status"] == "quantity_mismatch"]
    assert len(billed_twice) == 1
    assert (billed_twice[0]["billed_quantity"], billed_twice[0]["used_quantity"]) == (
        "87196",
        "43598",
    )


def test_the_command(faulty_db: Path, tmp_path: Path) -> None:
    code, out, err = run("--fake", "reconcile", "--db", str(faulty_db), "last-month")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Reconciliation of usage and costs, 2026-10-01 to 2026-10-31 (UTC days)"
    assert "  matched by usage    $229.63   98.9%" in lines
    assert "  no usage behind it    $2.50    1.1%" in lines
    assert lines[lines.index("  no usage behind it    $2.50    1.1%") + 4 :][:2] == [
        "Flags: 8 (cost without usage 1, usage without cost 3, quantity mismatch 1, price",
        "  differs 3)",
    ]
    assert "  2026-10-27  cost without usage  $2.50  gpt-4o-2024-08-06, output" in lines
    assert max(len(line) for line in lines if "openai-usage sync" not in line) <= 80
    # Unit prices: a model's line items under the model, a tool's variants under the tool.
    mini = lines.index("  gpt-4o-mini-2024-07-18")
    assert [line.split()[:4] for line in lines[mini + 1 : mini + 6]] == [
        ["batch", "input", "1M", "tok"],
        ["batch", "output", "1M", "tok"],
        ["cached", "input", "1M", "tok"],
        ["input", "1M", "tok", "0.15"],
        ["output", "1M", "tok", "0.6"],
    ]
    web = lines.index("  web search tool calls")
    assert lines[web + 1].split()[:5] == ["(high", "context)", "1K", "calls", "30"]
    code, out, err = run(
        "--fake", "reconcile", "--db", str(faulty_db), "--start", "2026-10-01", "-f", "json"
    )
    assert code == 0, err
    document = json.loads(out)
    assert document["flag_counts"]["price_differs"] == 3
    assert document["share_matched"] == "0.989007"
    assert err.startswith("Provisional: 2026-10-30, 2026-10-31")
    target = tmp_path / "cells.csv"
    code, out, err = run(
        "--fake", "reconcile", "--db", str(faulty_db), "last-month", "-f", "csv", "-o",
        str(target), "--prices", "builtin", "--tolerance", "25",
    )  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader(target.open()))
    # 25%: the 20% price change passes; the doubled quantity does not.
    assert {r["status"] for r in rows} >= {"matched", "quantity_mismatch"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["last-month", "--start", "2026-10-01"], "PERIOD names the period: not with --start"),
        (["next-decade"], "'next-decade': one of today, yesterday"),
        (["--prices", "nowhere.toml"], "'builtin' or a readable TOML file"),
        (["--start", "2026-10-01", "--days", "3"], "--days counts back from --end"),
    ],
)
def test_the_command_refuses_bad_input(faulty_db: Path, args: list[str], message: str) -> None:
    code, out, err = run("--fake", "reconcile", "--db", str(faulty_db), *args)
    assert code == 2 and out == ""
    assert message in " ".join(err.split())


def test_the_fake_lists_nothing_unless_asked() -> None:
    assert FakeAPI().discrepancies(start_time=START, end_time=END) == []
    listed = FakeAPI(seed=4, discrepancies=True).discrepancies(start_time=START, end_time=END)
    assert all(isinstance(d, Discrepancy) for d in listed)
    days = sorted({d.day.day for d in listed})
    assert len(days) == 4 and [b - a for a, b in itertools.pairwise(days)] == [7, 7, 7]


def test_the_readme_shows_what_reconcile_prints(faulty_db: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Reconcile usage and costs") :]
    block = section[section.index("```text\n") + 8 : section.index("```\n", 8)].splitlines()
    command = block[1]
    assert command == "$ openai-usage --fake reconcile --db usage.db last-month --prices builtin"
    shown = block[2:]
    assert shown[-1] == "  ..."
    words = [str(faulty_db) if w == "usage.db" else w for w in command.split()[2:]]
    code, out, err = run(*words)
    assert code == 0, err
    assert out.splitlines()[: len(shown) - 1] == shown[:-1]


def test_fake_discrepancies_needs_the_fake(tmp_path: Path) -> None:
    code, out, err = run("--fake-discrepancies", "reconcile", "--db", str(tmp_path / "x.db"))
    assert code == 2 and out == ""
    assert "--fake-discrepancies applies only with --fake" in err
