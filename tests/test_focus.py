"""The FOCUS 1.2 export (issue 22): every mandatory column, the conditional ones OpenAI's
costs support, with FOCUS's types, formats, null rules and allowed values (the table of
``shared/reference/focus-1.2.md``), and sums equal to the store's costs to the cent."""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from _cli_run import run
from _store_helpers import DAY, client_for, ts

from openai_usage_client.focus import FOCUS_COLUMNS, focus_rows, write_focus
from openai_usage_client.spend import load_config
from openai_usage_client.store import Store
from openai_usage_client.testing import DEFAULT_NOW, FakeAPI

pytestmark = pytest.mark.usefixtures("no_ambient_key")

MANDATORY = (
    "BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "BillingAccountId",
    "BillingAccountName", "BillingCurrency", "BillingPeriodStart", "BillingPeriodEnd",
    "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodStart",
    "ChargePeriodEnd", "InvoiceIssuerName", "ProviderName", "PublisherName", "PricingQuantity",
    "PricingUnit", "ServiceCategory", "ServiceName",
)  # fmt: skip
NOT_NULL = tuple(c for c in MANDATORY if c != "ChargeClass")
DECIMALS = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "PricingQuantity",
            "ConsumedQuantity")  # fmt: skip
TIMES = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
START, END = ts("2026-10-01"), DEFAULT_NOW


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("focus") / "s.db"
    with client_for(FakeAPI(seed=0)) as client, Store(path) as store:
        store.sync(client, start=START, endpoints=["costs"], now=DEFAULT_NOW, directory=True)
    return path


def test_every_mandatory_column_with_its_nulls_types_and_values(store_path: Path) -> None:
    with Store(store_path) as store:
        rows = list(focus_rows(store, START, END))
    assert rows and set(MANDATORY) <= set(FOCUS_COLUMNS)
    for row in rows:
        assert all(row[c] is not None for c in NOT_NULL), row
        assert row["ChargeClass"] is None
        assert all(isinstance(row[c], Decimal) for c in DECIMALS)
        assert row["BillingCurrency"] == "USD"
        assert row["ChargeCategory"] == "Usage" and row["ChargeFrequency"] == "Usage-Based"
        assert (row["ServiceCategory"], row["ServiceSubcategory"]) == (
            "AI and Machine Learning",
            "Generative AI",
        )
        assert row["PricingCategory"] == "Standard"
        assert row["SkuId"]  # not null for Usage
        assert (row["ConsumedQuantity"], row["ConsumedUnit"]) == (
            row["PricingQuantity"],
            row["PricingUnit"],
        )
        assert row["BilledCost"] == row["EffectiveCost"] == row["ListCost"]
        assert row["ChargePeriodEnd"] - row["ChargePeriodStart"] == (
            row["ChargePeriodEnd"] - row["ChargePeriodStart"]
        )
        assert row["BillingPeriodStart"] <= row["ChargePeriodStart"]
        assert row["ChargePeriodEnd"] <= row["BillingPeriodEnd"]
        assert row["BillingPeriodStart"].day == 1
    units = {r["PricingUnit"] for r in rows}
    assert units <= {
        "Tokens",
        "1000 Tokens",
        "Images",
        "Characters",
        "Seconds",
        "Minutes",
        "Hours",
        "GiB-Hours",
        "Sessions",
        "Calls",
        "Requests",
        "Charges",
    }
    assert {"Tokens", "Images"} <= units  # fmt: skip
    # Names from the store: the project as the sub-account, the key and user as x_ columns.
    named = [r for r in rows if r["SubAccountId"]]
    assert named and all(r["SubAccountName"] and r["SubAccountType"] == "Project" for r in named)
    assert any(r["x_ApiKeyName"] for r in rows) and any(r["x_UserEmail"] for r in rows)
    # The last two days of the period may still change.
    flagged = {r["ChargePeriodStart"].date().isoformat() for r in rows if r["x_Provisional"]}
    assert flagged == {"2026-10-30", "2026-10-31"}


def test_sums_equal_the_store_to_the_cent_per_day_and_project(store_path: Path) -> None:
    with Store(store_path) as store:
        rows = list(focus_rows(store, START, END))
        want = store.summarize("costs", ["date", "project_id"], ["amount_value"],
                               start=START, end=END)  # fmt: skip
    got: dict[tuple[Any, Any], Decimal] = defaultdict(Decimal)
    for r in rows:
        got[(r["ChargePeriodStart"].date(), r["SubAccountId"])] += r["BilledCost"]
    assert dict(got) == {(w["date"], w["project_id"]): w["amount_value"] for w in want}


def test_teams_go_into_tags(store_path: Path) -> None:
    path = store_path.parent / "teams.toml"
    path.write_text('[[team]]\nname = "product"\nprojects = ["Web app"]\n')
    config = load_config(path)
    with Store(store_path) as store:
        rows = list(focus_rows(store, START, START + DAY, config=config))
    tags = {json.loads(r["Tags"])["team"] for r in rows}
    assert tags == {"product", "unallocated"}
    assert all(
        json.loads(r["Tags"])["team"] == ("product" if r["SubAccountName"] == "Web app"
                                          else "unallocated")
        for r in rows
    )  # fmt: skip


def test_csv_and_parquet_files_and_the_cli(store_path: Path, tmp_path: Path) -> None:
    csv_path = tmp_path / "focus.csv"
    code, out, err = run("--fake", "export", "--db", str(store_path), "--focus", str(csv_path),
                         "--start", "2026-10-01", "--end", "2026-11-01")  # fmt: skip
    assert code == 0, err
    assert out.startswith(f"{csv_path}: ") and out.rstrip().endswith("FOCUS rows")
    assert "Provisional: costs 2026-10-30, 2026-10-31 (may still change)" in err
    with open(csv_path, encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert list(table[0]) == list(FOCUS_COLUMNS)
    for row in table:
        assert all(ISO.fullmatch(row[c]) for c in TIMES)
        # Decimals read as decimals: never a bare integer.
        assert all(re.fullmatch(r"-?\d+\.\d+", row[c]) for c in DECIMALS)
    with Store(store_path) as store:
        total = sum(r["amount_value"] for r in store.rows("costs", START, END, names=False))
    assert sum(Decimal(r["BilledCost"]) for r in table) == total
    pq = pytest.importorskip("pyarrow.parquet")
    parquet_path = tmp_path / "focus.parquet"
    with Store(store_path) as store:
        count = write_focus(store, parquet_path, START, END)
    data = pq.read_table(parquet_path)
    assert data.num_rows == count == len(table)
    assert str(data.schema.field("BilledCost").type) == "decimal128(38, 24)"
    assert str(data.schema.field("ChargePeriodStart").type).startswith("timestamp")
    assert sum(data.column("BilledCost").to_pylist()) == total


def test_refusals(store_path: Path, tmp_path: Path) -> None:
    code, _, err = run("export", "--db", str(store_path))
    assert code == 2 and "--parquet-dir DIR, --focus FILE" in err
    code, _, err = run("export", "--db", str(store_path), "--focus", str(tmp_path / "f.txt"))
    assert code == 2 and "a file ending in .csv or .parquet" in err
    code, _, err = run("export", "--db", str(store_path), "--parquet-dir", str(tmp_path / "d"),
                       "--start", "2026-10-01")  # fmt: skip
    assert code == 2 and "--start" in err and "applies to --focus only" in err


def test_an_empty_period_and_a_store_without_costs_say_what_is_missing(
    store_path: Path, tmp_path: Path
) -> None:
    out_path = tmp_path / "f.csv"
    code, out, err = run("--fake", "export", "--db", str(store_path), "--focus", str(out_path),
                         "--start", "2026-09-01", "--end", "2026-09-03")  # fmt: skip
    assert (code, out) == (0, f"{out_path}: 0 FOCUS rows\n")
    assert err == (
        "openai-usage: warning: Missing: costs 2026-09-01 to 2026-09-02 (not in the store): "
        f"openai-usage sync --db {store_path} --endpoint costs --start 2026-09-01\n"
    )
    assert out_path.read_text(encoding="utf-8") == ",".join(FOCUS_COLUMNS) + "\n"
    usage_only = tmp_path / "u.db"
    with client_for(FakeAPI(seed=0)) as client, Store(usage_only) as store:
        store.sync(client, start=START, endpoints=["completions"], now=DEFAULT_NOW)
    code, out, err = run("--fake", "export", "--db", str(usage_only), "--focus", str(out_path),
                         "--start", "2026-10-01", "--end", "2026-10-03")  # fmt: skip
    assert (code, out) == (0, f"{out_path}: 0 FOCUS rows\n")
    assert "Missing: costs 2026-10-01 to 2026-10-02 (not in the store)" in err
