"""P7 store: a first sync of a year into the local store, the next day's sync, and reading a
year for a report from the store instead of the API.

* First sync: costs and completions, ``1d``, default groupings, a year, against the fake HTTP
  server at 50 ms per request; baseline: the same requests and rows without the store (the
  client's streams turned into rows and kept in a list).
* Next day: requests sent per endpoint by the sync one day later (in-process fake, counted
  in its request log).
* Report: a year of costs by project and line item, and completions tokens by model, summed
  from ``store.rows`` against the same from the API at 50 ms.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._common import DAY, FAKE_NOW, YEAR_START, Row, Section, fake_server, rotated

LATENCY = 0.05
ENDPOINTS = ("costs", "completions")


def _client(base_url: str) -> Any:
    from openai_usage_client import UsageClient
    from openai_usage_client.testing import DEFAULT_ADMIN_KEY

    return UsageClient(DEFAULT_ADMIN_KEY, base_url=base_url)


def without_store(base_url: str) -> int:
    """The same fetch the store makes, rows kept in memory: the baseline."""
    from openai_usage_client import rows
    from openai_usage_client._core._endpoints import ENDPOINTS as SPECS
    from openai_usage_client.store import default_group_by

    kept: list[Any] = []
    with _client(base_url) as client:
        for endpoint in ENDPOINTS:
            stream = client.endpoint(endpoint)(
                start_time=YEAR_START,
                end_time=FAKE_NOW + DAY,
                bucket_width="1d",
                group_by=list(default_group_by(endpoint)),
                limit=SPECS[endpoint].limits["1d"].maximum,
            )
            for page in stream.pages():
                kept.extend(rows(page.data, endpoint))
    return len(kept)


def with_store(base_url: str, path: Path) -> int:
    from openai_usage_client.store import Store

    with _client(base_url) as client, Store(path) as store:
        summary = store.sync(client, start=YEAR_START, now=FAKE_NOW)
    return summary.rows_inserted


def _report(total: Any) -> tuple[Any, ...]:
    """The figures of a report: spend by project and line item, tokens by model."""
    spend = total("costs", ["project_id", "line_item"], ["amount_value"])
    tokens = total("completions", ["model"], ["input_tokens", "output_tokens"])
    return (
        sum(r["amount_value"] for r in spend),
        len(spend),
        sum(r["input_tokens"] for r in tokens),
    )


def report_from_api(base_url: str) -> tuple[Any, ...]:
    from openai_usage_client import rows, summarize
    from openai_usage_client.store import default_group_by

    with _client(base_url) as client:

        def total(endpoint: str, by: list[str], fields: list[str]) -> Any:
            stream = client.endpoint(endpoint)(
                start_time=YEAR_START,
                end_time=FAKE_NOW,
                bucket_width="1d",
                group_by=list(default_group_by(endpoint)),
            )
            return summarize(rows(stream), by=by, fields=fields)

        return _report(total)


def report_from_store(path: Path) -> tuple[Any, ...]:
    """``store.summarize``: what a report over the store calls."""
    from openai_usage_client.store import Store

    with Store(path) as store:
        return _report(
            lambda endpoint, by, fields: store.summarize(
                endpoint, by, fields, start=YEAR_START, end=FAKE_NOW
            )
        )


def report_from_store_rows(path: Path) -> tuple[Any, ...]:
    """``summarize(store.rows(...))``: the rows built, then summed."""
    from openai_usage_client import summarize
    from openai_usage_client.store import Store

    with Store(path) as store:
        return _report(
            lambda endpoint, by, fields: summarize(
                store.rows(endpoint, YEAR_START, FAKE_NOW, names=False), by=by, fields=fields
            )
        )


def whole_report_from_store(path: Path) -> Any:
    """What ``openai-usage report --db`` builds: ``report_from_store`` (names off on both
    sides, so the API side makes only the report's own requests)."""
    from openai_usage_client.report import report_from_store
    from openai_usage_client.store import Store

    with Store(path) as store:
        return report_from_store(store, YEAR_START, FAKE_NOW, names=False).total


def whole_report_from_api(base_url: str) -> Any:
    """What ``openai-usage report`` builds: ``build_report`` over the API."""
    from openai_usage_client.report import build_report

    with _client(base_url) as client:
        return build_report(client, YEAR_START, FAKE_NOW, names=False).total


def next_day_requests(path: Path) -> dict[str, int]:
    import httpx

    from openai_usage_client import UsageClient
    from openai_usage_client.store import Store
    from openai_usage_client.testing import BASE_URL, DEFAULT_ADMIN_KEY, FakeAPI

    fake = FakeAPI(0, now=FAKE_NOW + DAY)
    http = httpx.Client(transport=fake.transport())
    client = UsageClient(DEFAULT_ADMIN_KEY, base_url=BASE_URL, http_client=http)
    with client, Store(path) as store:
        store.sync(client, now=FAKE_NOW + DAY)
    counts = dict.fromkeys(ENDPOINTS, 0)
    for request in fake.request_log:
        counts[request.path.rsplit("/", 1)[1]] += 1
    return counts


def write_only(root: Path) -> tuple[float, int]:
    """Seconds to write the year's rows (already fetched and turned into rows) into a new
    store: the store's own cost, without any fetching."""
    import httpx

    from openai_usage_client import UsageClient, rows
    from openai_usage_client.store import Store, default_group_by
    from openai_usage_client.store._plan import Series, Window
    from openai_usage_client.store._write import Writer
    from openai_usage_client.testing import BASE_URL, DEFAULT_ADMIN_KEY, FakeAPI

    fake = FakeAPI(0)
    http = httpx.Client(transport=fake.transport())
    fetched = {}
    with UsageClient(DEFAULT_ADMIN_KEY, base_url=BASE_URL, http_client=http) as client:
        for endpoint in ENDPOINTS:
            group_by = list(default_group_by(endpoint))
            stream = client.endpoint(endpoint)(
                start_time=YEAR_START, end_time=FAKE_NOW + DAY, group_by=group_by
            )
            fetched[endpoint] = (",".join(group_by), list(rows(stream)))
    with Store(root / "write-only.db") as store:
        began = time.perf_counter()
        for endpoint, (grouping, items) in fetched.items():
            series = Series(endpoint, "default", "1d", grouping)
            Writer(store.connection, endpoint).write(
                Window(series, YEAR_START, FAKE_NOW + DAY),
                items,
                now=FAKE_NOW,
                settle_days=2,
                fetched_at=FAKE_NOW,
                run_id=1,
            )
        took = time.perf_counter() - began
    return took, sum(len(items) for _, items in fetched.values())


def run(rounds: int) -> Section:
    section = Section(
        "P7",
        "local store",
        "costs + completions, 1d, default groupings (costs by project, line item, key, user; "
        "completions by project, user, key, model), 2025-11-01 to 2026-11-01; fake HTTP "
        f"server in a child process at {LATENCY * 1000:.0f} ms per request; median of "
        "interleaved rounds, client creation included; a new store file per round.",
        reproduce="python -m bench P7",
    )
    with tempfile.TemporaryDirectory() as tmp, fake_server(LATENCY) as base_url:
        root = Path(tmp)
        without_store(base_url)  # warm the fake's caches; not timed
        samples: dict[str, list[float]] = {"store": [], "plain": []}
        counts: set[tuple[int, int]] = set()
        last = root / "warm.db"
        for i in range(rounds):
            for name in rotated(["store", "plain"], i):
                began = time.perf_counter()
                if name == "store":
                    last = root / f"year-{i}.db"
                    stored = with_store(base_url, last)
                else:
                    fetched = without_store(base_url)
                samples[name].append(time.perf_counter() - began)
            counts.add((stored, fetched))
        t = {k: statistics.median(v) for k, v in samples.items()}
        section.rows.append(
            Row("first sync of a year into the store", t["store"],
                "the same fetch without the store", t["plain"], "<= 1.2x",
                t["store"] <= 1.2 * t["plain"], unit="s")
        )  # fmt: skip
        if len(counts) != 1 or len({*next(iter(counts))}) != 1:
            section.notes.append(f"VOID: rows stored vs fetched differ: {sorted(counts)}")
            section.rows[-1].met = False
        else:
            section.notes.append(f"every round stored and fetched {next(iter(counts))[0]} rows")

        readers: dict[str, Any] = {
            "store": lambda: report_from_store(last),
            "rows": lambda: report_from_store_rows(last),
            "api": lambda: report_from_api(base_url),
        }
        reads: dict[str, list[float]] = {name: [] for name in readers}
        answers = set()
        for i in range(rounds):
            for name in rotated(list(readers), i):
                began = time.perf_counter()
                answers.add(readers[name]())
                reads[name].append(time.perf_counter() - began)
        r = {k: statistics.median(v) for k, v in reads.items()}
        section.rows.append(
            Row("a year's report figures from the store (store.summarize)", r["store"],
                "the same from the API", r["api"], ">= 20x faster",
                r["api"] / r["store"] >= 20, unit="s", kind="speedup")
        )  # fmt: skip
        section.rows.append(
            Row("the same via summarize(store.rows(...))", r["rows"],
                "the same from the API", r["api"], "-", None, unit="s", kind="speedup")
        )  # fmt: skip
        if len(answers) != 1:
            section.notes.append(f"VOID: store and API figures differ: {answers}")
            section.rows[-2].met = False
        else:
            total, lines, tokens = next(iter(answers))
            section.notes.append(
                f"all three give ${total} over {lines} project/line-item groups and {tokens} "
                "completions input tokens"
            )

        whole = {
            "store": lambda: whole_report_from_store(last),
            "api": lambda: whole_report_from_api(base_url),
        }
        spans: dict[str, list[float]] = {name: [] for name in whole}
        totals = set()
        for i in range(rounds):
            for name in rotated(list(whole), i):
                began = time.perf_counter()
                totals.add(whole[name]())
                spans[name].append(time.perf_counter() - began)
        w = {k: statistics.median(v) for k, v in spans.items()}
        section.rows.append(
            Row("the whole report of a year from the store (report --db)", w["store"],
                "the same report from the API (report)", w["api"], ">= 20x faster",
                w["api"] / w["store"] >= 20 and len(totals) == 1, unit="s", kind="speedup")
        )  # fmt: skip
        section.notes.append(
            f"both reports total {next(iter(totals))}"
            if len(totals) == 1
            else f"VOID: the two reports' totals differ: {sorted(totals)}"
        )

        per_endpoint = next_day_requests(last)
        worst = max(per_endpoint.values())
        section.rows.append(
            Row("next day's sync: requests per endpoint (most)", worst,
                "a year's first sync (costs + completions pages)", 15, "<= 3",
                worst <= 3, unit="requests")
        )  # fmt: skip
        section.notes.append(f"next day's requests: {per_endpoint}")
        took, count = write_only(root)
        section.notes.append(
            f"what bounds the first sync: the store's own work is CPU under the GIL, not "
            f"waiting: writing the year's {count} rows (already fetched) takes {took:.2f} s "
            f"({took / count * 1e6:.0f} us per row: SQLite inserts with the unique index, "
            "the row key, money split for exact SQL sums), which the fetch's own CPU "
            "(parsing, rows) cannot hide"
        )
    return section
