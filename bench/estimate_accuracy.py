"""How far the spend estimated from usage is from the bill, on the fake (#37).

``python -m bench.estimate_accuracy [--month 2026-10] [--seed 0]``: the fake settles its costs
late (``settle_days=2``; usage is there within the hour) and bills four days a month wrong
on purpose (``discrepancies=True``: a line billed twice, a day's price change, usage without
cost, cost without usage). A store is synced every day of the month at 18:00 UTC, as a cron
job would, and two estimates are set against the fake's ground truth, per kind of line item:

* **today so far**: day D's spend up to 18:00 estimated at 18:00 (its costs not there yet),
  against what D's first 18 hours are billed once settled;
* **yesterday**: day D estimated at 18:00 on D+1 (its usage final, its costs still settling;
  the estimate ``sync`` keeps), against D's settled bill.

Prints a Markdown table (README "Today's spend before it is billed" and
``docs/attribution.md`` quote it) and, per estimate, on how many days without an injected
discrepancy the token-priced line items were within 1% of the bill; exits 1 when the estimate
of yesterday (its usage final: the pricing alone) misses that on any such day.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from openai_usage_client import UsageClient
from openai_usage_client._core._endpoints import ENDPOINTS
from openai_usage_client.attribution import estimate_spend
from openai_usage_client.reconcile import measure_of
from openai_usage_client.store import Store
from openai_usage_client.testing import BASE_URL, DEFAULT_ADMIN_KEY, FakeAPI

DAY = 86_400
SIX_PM = 18 * 3_600
GOAL = Decimal("0.01")
#: Kinds of line item, as the table names them.
_TOKENS = {"input", "cached input", "output", "audio input", "audio output"}
_KINDS = {"images": "images", "characters": "characters (speech)",
          "transcription": "seconds (transcription)", "web search tool calls": "tool calls",
          "file search tool calls": "tool calls", "code interpreter sessions": "sessions",
          "vector store storage": "storage"}  # fmt: skip
ORDER = ("tokens", "images", "characters (speech)", "seconds (transcription)", "tool calls",
         "sessions", "storage", "not measured by usage", "all")  # fmt: skip


def kind_of(line_item: str | None) -> str:
    measure = measure_of(line_item)
    if measure is None:
        return "not measured by usage"
    return "tokens" if measure[1] in _TOKENS else _KINDS.get(measure[1], measure[1])


def by_kind(rows: Iterable[Mapping[str, Any]], amount: str = "amount_value") -> dict[str, Decimal]:
    found: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        found[kind_of(row.get("line_item"))] += row[amount]
        found["all"] += row[amount]
    return dict(found)


def truth(seed: int, lo: int, hi: int) -> dict[str, Decimal]:
    final = FakeAPI(seed, now=hi + 30 * DAY, discrepancies=True)
    found = final.totals("costs", start_time=lo, end_time=hi, group_by=["line_item"])
    return by_kind({"line_item": k[0], "amount_value": v["amount"]} for k, v in found.items())


def client(fake: FakeAPI) -> UsageClient:
    http = httpx.Client(transport=fake.transport())
    return UsageClient(DEFAULT_ADMIN_KEY, base_url=BASE_URL, http_client=http)


def measure(seed: int, first: date) -> tuple[list[dict[str, Any]], set[date]]:
    """Per day of the month: the estimates of both kinds and their truths, per kind."""
    start = int(datetime(first.year, first.month, 1, tzinfo=UTC).timestamp())
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    end = int(datetime(following.year, following.month, 1, tzinfo=UTC).timestamp())
    fake = FakeAPI(seed, now=start - DAY + SIX_PM, settle_days=2, discrepancies=True)
    listed = FakeAPI(seed, now=end + DAY, discrepancies=True)
    wrong = {d.day for d in listed.discrepancies(start_time=start, end_time=end)}
    days: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder, client(fake) as api:
        store = Store(Path(folder) / "usage.db")
        for day in range(start - DAY, end, DAY):
            now = day + SIX_PM
            fake.set_now(now)
            store.sync(api, start=start - 40 * DAY, endpoints=list(ENDPOINTS), now=now)
            found = estimate_spend(store, day - DAY, now, now=now)
            rows = list(found.rows())
            today = by_kind(r for r in rows if r["start_time"].timestamp() == day)
            before = by_kind(r for r in rows if r["start_time"].timestamp() == day - DAY)
            if day >= start:
                days.append({"day": _date(day), "kind": "today so far", "estimate": today,
                             "truth": truth(seed, day, now)})  # fmt: skip
            if day - DAY >= start:
                days.append({"day": _date(day - DAY), "kind": "yesterday", "estimate": before,
                             "truth": truth(seed, day - DAY, day)})  # fmt: skip
        store.close()
    return days, wrong


def _date(seconds: int) -> date:
    return datetime.fromtimestamp(seconds, UTC).date()


def table(days: list[dict[str, Any]], wrong: set[date]) -> tuple[list[str], list[str], bool]:
    """The Markdown table, per estimate how many clean days its token-priced kinds were
    within the goal, and whether the estimate of yesterday (its usage final) met it."""
    lines = [
        "| estimate | kind of line item | days | share of the bill | mean error | worst day "
        "(clean days) | discrepancy days: each day's error |",
        "|---|---|---|---|---|---|---|",
    ]
    met, goals = True, []
    for which in ("today so far", "yesterday"):
        chosen = [d for d in days if d["kind"] == which]
        total = sum((d["truth"].get("all", Decimal(0)) for d in chosen), Decimal(0))
        for kind in ORDER:
            errors = {d["day"]: _error(d, kind) for d in chosen if d["truth"].get(kind)}
            if not errors:
                continue
            clean = {day: e for day, e in errors.items() if day not in wrong}
            worst = max(clean.items(), key=lambda item: abs(item[1]))
            mean = sum((abs(e) for e in clean.values()), Decimal(0)) / len(clean)
            share = sum((d["truth"].get(kind, Decimal(0)) for d in chosen), Decimal(0)) / total
            if kind == "tokens":
                within = sum(abs(e) <= GOAL for e in clean.values())
                goals.append(f"{which}: token-priced within {GOAL:.0%} on {within} of "
                             f"{len(clean)} days without an injected discrepancy")  # fmt: skip
                met = met and (which != "yesterday" or within == len(clean))
            odd = ", ".join(f"{day:%d}: {errors[day]:+.1%}" for day in sorted(wrong)
                            if day in errors)  # fmt: skip
            lines.append(f"| {which} | {kind} | {len(errors)} | {share:.1%} | {mean:.2%} | "
                         f"{worst[1]:+.2%} ({worst[0]:%d}) | {odd} |")  # fmt: skip
    return lines, goals, met


def _error(day: dict[str, Any], kind: str) -> Decimal:
    bill: Decimal = day["truth"][kind]
    return (day["estimate"].get(kind, Decimal(0)) - bill) / bill


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.estimate_accuracy", description=__doc__)
    parser.add_argument("--month", default="2026-10", help="YYYY-MM (default 2026-10)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    first = date.fromisoformat(f"{args.month}-01")
    days, wrong = measure(args.seed, first)
    lines, goals, met = table(days, wrong)
    print(f"Fake seed {args.seed}, {first:%B %Y}, store synced daily at 18:00 UTC; injected "
          f"discrepancies on {', '.join(f'{d:%d}' for d in sorted(wrong))}.\n")  # fmt: skip
    print("\n".join(lines))
    print("", *goals, sep="\n")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
