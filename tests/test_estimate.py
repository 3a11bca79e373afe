"""Today's spend before it is billed: unsettled days estimated from usage at the
organization's own unit prices, kept by each sync and compared with the bill once settled."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from _cli_run import run
from _store_helpers import DAY, client_for, ts

from openai_usage_client._core._endpoints import ENDPOINTS
from openai_usage_client._core._exceptions import InvalidParameterError
from openai_usage_client.attribution import (
    estimate_record,
    estimate_spend,
    estimated_spend,
    keep_estimate,
)
from openai_usage_client.report import (
    dumps,
    render_report,
    report_document,
    report_from_store,
)
from openai_usage_client.store import Store, StoreEmptyError, default_group_by
from openai_usage_client.testing import FakeAPI

NOW = ts("2026-11-01T18:00:00")
#: The groupings that tell batch from interactive tokens and the web search context sizes.
VARIANTS = {
    "completions": [*default_group_by("completions"), "batch"],
    "decisions": [*default_group_by("decisions"), "batch"],
    "web_search_calls": [*default_group_by("web_search_calls"), "context_level"],
}


def _truth(fake: FakeAPI, day: date, now: int) -> Decimal:
    lo = ts(day.isoformat())
    found: Decimal = fake.totals("costs", start_time=lo, end_time=min(lo + DAY, now))[()]["amount"]
    return found


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with client_for(FakeAPI(0, now=NOW)) as client, Store(tmp_path / "s.db") as opened:
        opened.sync(client, start=NOW - 20 * DAY, endpoints=list(ENDPOINTS), group_by=VARIANTS,
                    now=NOW, settle_days=2)  # fmt: skip
        yield opened


def test_unsettled_days_are_estimated_exactly_where_usage_tells_every_variant(
    store: Store,
) -> None:
    fake = FakeAPI(0, now=NOW)
    found = estimate_spend(store, NOW - 10 * DAY, NOW + DAY, now=NOW)
    # The store's last two days and today are not settled; the days before are left alone.
    assert [(d.day, d.partial) for d in found.days] == [
        (date(2026, 10, 30), False), (date(2026, 10, 31), False), (date(2026, 11, 1), True),
    ]  # fmt: skip
    # The fake bills usage x its prices, and its prices did not change: the estimate is the
    # bill to the last digit, today's to 18:00 included.
    assert [d.estimated for d in found.days] == [_truth(fake, d.day, NOW) for d in found.days]
    assert [str(d.estimated) for d in found.days] == [
        "9.021083355000000000000000000", "4.195511340000000000000000000",
        "3.374629310000000000000000000",
    ]  # fmt: skip
    # Beside it, what the costs have reported so far (the sync stored them provisional).
    assert [d.billed_so_far for d in found.days[:2]] == [
        _truth(fake, d.day, NOW) for d in found.days[:2]
    ]
    assert found.notes == []
    price = found.prices[("default", ("gpt-4o-mini-2024-07-18", "output", "batch"))]
    assert (price.line_item, price.per_unit * 10**6, price.source, price.days) == (
        "gpt-4o-mini-2024-07-18, batch output", Decimal("0.3"), "billed",
        (date(2026, 10, 27), date(2026, 10, 28), date(2026, 10, 29)),
    )  # fmt: skip
    # Its rows add up to each day's estimate, marked as estimated.
    rows = list(found.rows())
    assert {r["basis"] for r in rows} == {"estimated from usage"}
    assert sum(r["amount_value"] for r in rows) == found.total
    assert {r["price_source"] for r in rows} == {"billed"}


def test_a_store_without_the_variants_or_every_endpoint_says_what_the_estimate_lacks(
    tmp_path: Path,
) -> None:
    fake = FakeAPI(0, now=NOW)
    with client_for(fake) as client, Store(tmp_path / "s.db") as store:
        store.sync(client, start=NOW - 20 * DAY, now=NOW, settle_days=2)
        found = estimate_spend(store, NOW - 2 * DAY, NOW, now=NOW)
    assert [d.day for d in found.days] == [date(2026, 10, 30), date(2026, 10, 31),
                                           date(2026, 11, 1)]  # fmt: skip
    assert found.notes == [
        "leaves out 81% of what 2026-10-29 billed: the usage of web_search_calls, images, "
        "code_interpreter_sessions, vector_stores, file_search_calls, audio_transcriptions, "
        "audio_speeches is not in the store (sync --endpoint all)",
    ]
    # A store synced before the default grouping told batch tokens apart prices them
    # together, and says so.
    old = [g for g in default_group_by("completions") if g != "batch"]
    with client_for(fake) as client, Store(tmp_path / "old.db") as store:
        store.sync(client, start=NOW - 20 * DAY, now=NOW, settle_days=2,
                   group_by={"completions": old})  # fmt: skip
        pooled = estimate_spend(store, NOW - 2 * DAY, NOW, now=NOW)
    assert pooled.notes[1:] == [
        "batch and interactive tokens priced together: the stored completions are not grouped "
        "by batch (sync --endpoint completions fetches them so grouped)",
    ]
    price = pooled.prices[("default", ("gpt-4o-mini-2024-07-18", "input", None))]
    assert price.line_item == "gpt-4o-mini-2024-07-18, input (batch and interactive)"


def test_a_kind_never_billed_takes_the_price_table_and_one_without_a_price_is_named(
    tmp_path: Path,
) -> None:
    fake = FakeAPI(0, now=NOW)
    with client_for(fake) as client, Store(tmp_path / "s.db") as store:
        # Costs of the last two days only: nothing settled to derive prices from.
        store.sync(client, start=NOW - 2 * DAY, endpoints=["costs", "completions",
                   "audio_speeches"], group_by={"completions": VARIANTS["completions"]},
                   now=NOW, settle_days=2)  # fmt: skip
        found = estimate_spend(store, NOW - 2 * DAY, NOW, now=NOW)
        bare = estimate_spend(store, NOW - 2 * DAY, NOW, now=NOW, prices=None)
    listed = found.prices[("default", ("gpt-4o-2024-08-06", "input", "batch"))]
    assert (listed.line_item, listed.per_unit * 10**6, listed.source) == (
        "gpt-4o-2024-08-06, batch input", Decimal("1.25"),
        "the built-in price table as of 2025-06-01",
    )  # fmt: skip
    assert found.days[0].unpriced == (
        "gpt-4o-audio-preview-2024-12-17, cached input", "gpt-4o-mini-tts, characters",
    )  # fmt: skip
    assert found.days[0].estimated > 0
    assert bare.days[0].estimated == 0 and "gpt-4.1-2025-04-14, input" in bare.days[0].unpriced


def test_the_estimate_at_six_pm_against_the_settled_bill(tmp_path: Path) -> None:
    """The fake settles costs late (usage is there within the hour); each sync keeps its
    estimate of the unsettled days, and once settled the record shows how far off it was."""
    path = tmp_path / "s.db"
    day = ts("2026-11-10")
    for clock in (day + 18 * 3600, day + DAY + 18 * 3600, day + 5 * DAY):
        fake = FakeAPI(0, now=clock, settle_days=2)
        with client_for(fake) as client, Store(path) as store:
            store.sync(client, start=day - 10 * DAY, endpoints=list(ENDPOINTS),
                       group_by=VARIANTS, now=clock, settle_days=2)  # fmt: skip
            kept = keep_estimate(store, now=clock)
            record = estimate_record(store, day - DAY, day + 2 * DAY, now=clock)
    # The last sync settled both days: the record compares each day's last estimate (made
    # at 18:00 the next day, its usage final) with its bill.
    assert kept == 2
    assert [(r.day, r.made_at.isoformat(), r.billed is not None) for r in record] == [
        (date(2026, 11, 9), "2026-11-11T18:00:00+00:00", True),
        (date(2026, 11, 10), "2026-11-11T18:00:00+00:00", True),
    ]
    truth = FakeAPI(0, now=day + 10 * DAY)
    for r in record:
        assert r.billed == _truth(truth, r.day, day + 10 * DAY)
        assert r.difference == r.estimated - r.billed
    assert [r.difference for r in record] == [0, 0]


def test_the_report_shows_today_so_far_and_the_unsettled_days_apart(store: Store) -> None:
    report = report_from_store(store, NOW - 5 * DAY, NOW + (DAY - NOW % DAY), now=NOW)
    made = estimated_spend(report, store, now=NOW)
    assert made is report.estimated and made is not None
    lines = render_report(report, width=80)
    at = lines.index("Not settled yet (estimated from usage):")
    assert lines[at - 1].startswith("Total spend: $")
    assert lines[at + 1 : at + 4] == [
        "  2026-10-30 Fri  estimated $9.02, billed $9.02 so far",
        "  2026-10-31 Sat  estimated $4.20, billed $4.20 so far",
        "Today so far (estimated): $3.37 from usage to 18:00 UTC (billed so far: $3.37)",
    ]
    # The billed total is not changed by the estimate.
    assert report.total == sum(report.day_totals().values())
    document = json.loads(dumps(report_document(report)))
    assert document["estimated"]["basis"] == "estimated from usage"
    assert document["estimated"]["days"][2] == {
        "day": "2026-11-01", "organization": "default", "currency": "usd",
        "estimated": "3.37", "billed_so_far": "3.37462931", "partial": True,
        "unpriced": [],
    }  # fmt: skip


def test_bad_input_and_an_empty_store(tmp_path: Path, store: Store) -> None:
    with pytest.raises(InvalidParameterError, match="bucket_width"):
        estimate_spend(store, NOW - DAY, NOW, bucket_width="1m")
    with Store(tmp_path / "empty.db") as empty:
        with pytest.raises(StoreEmptyError):
            estimate_spend(empty, NOW - DAY, NOW, now=NOW)
        assert keep_estimate(empty, now=NOW) == 0
        assert estimate_record(empty, NOW - DAY, NOW) == []


def test_check_gates_on_the_estimate_only_when_asked(tmp_path: Path) -> None:
    clock = ts("2026-11-20T18:00:00")
    path = tmp_path / "s.db"
    with client_for(FakeAPI(0, now=clock, settle_days=2)) as client, Store(path) as store:
        store.sync(client, start=clock - 60 * DAY, endpoints=list(ENDPOINTS), now=clock)
    args = ["--fake", "--fake-now", "2026-11-20T18:00Z", "check", "--db", str(path),
            "--monthly-budget", "250", "--format", "json"]  # fmt: skip
    code, plain, _ = run(*args)
    code2, estimated, err = run(*args, "--estimated")
    assert (code, code2) == (0, 0), err
    billed, guessed = json.loads(plain), json.loads(estimated)
    mtd = [Decimal(d["budgets"][0]["month_to_date"]) for d in (billed, guessed)]
    truth = FakeAPI(0, now=clock).totals("costs", start_time=ts("2026-11-01"), end_time=clock)
    final = truth[()]["amount"]
    # The bill so far lags the month's spend; the estimate brings it within 1% of it, and
    # never below the bill so far (line by line the larger of the two).
    assert mtd[0] < mtd[1] <= final * Decimal("1.01")
    assert (final - mtd[0]) / final > Decimal("0.04") and abs(final - mtd[1]) / final < 0.01
    assert (mtd[0], mtd[1], final) == (
        Decimal("149.5842426972"), Decimal("162.5613709759"), Decimal("161.33827295"),
    )  # fmt: skip
    said = [n for n in guessed["notes"] if "--estimated" in n]
    assert said == [
        "default: --estimated: month to date and the forecast count 2026-11-18 to 2026-11-20 "
        "(not settled) at the larger of the bill so far and the estimate from usage, line by "
        "line (estimated $26.02, billed so far $14.40)"
    ]
    assert not any("--estimated" in n for n in billed["notes"])
    code, out, err = run("--fake", "check", "--monthly-budget", "250", "--estimated")
    assert (code, out) == (2, "") and "--estimated needs --db" in err


def test_the_estimate_against_the_settled_bill_at_several_clocks_with_a_price_change(
    tmp_path: Path,
) -> None:
    """With the fake's late settling and its billing mistakes on (2026-10-13: gpt-4o-mini
    billed at 6/5 of its price), each evening's estimate of yesterday is the bill exactly but
    on the price change; today's so far lacks what of the last hour is still arriving."""
    fake = FakeAPI(0, now=ts("2026-10-12T18:00:00"), settle_days=2, discrepancies=True)
    seen = []
    with client_for(fake) as client, Store(tmp_path / "s.db") as store:
        for day in ("2026-10-12", "2026-10-13", "2026-10-14", "2026-10-15"):
            now = ts(day) + 18 * 3600
            fake.set_now(now)
            store.sync(client, start=ts("2026-09-20"), endpoints=list(ENDPOINTS), now=now)
            for found in estimate_spend(store, now - DAY - 18 * 3600, now, now=now).days:
                lo = ts(found.day.isoformat())
                settled = FakeAPI(0, now=now + 30 * DAY, discrepancies=True)
                bill = settled.totals("costs", start_time=lo, end_time=min(lo + DAY, now))
                off = (found.estimated - bill[()]["amount"]) / bill[()]["amount"]
                seen.append((day, f"{found.day:%d}", found.partial, f"{off:+.2%}"))
    assert seen == [
        ("2026-10-12", "11", False, "+0.00%"), ("2026-10-12", "12", True, "-3.36%"),
        ("2026-10-13", "12", False, "+0.00%"), ("2026-10-13", "13", True, "-3.34%"),
        ("2026-10-14", "13", False, "-0.25%"), ("2026-10-14", "14", True, "-2.29%"),
        ("2026-10-15", "14", False, "+0.00%"), ("2026-10-15", "15", True, "-2.36%"),
    ]  # fmt: skip
