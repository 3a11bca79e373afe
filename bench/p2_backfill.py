"""P2 backfill: one year of ``1h`` completions buckets grouped by model, 50 ms per request.

Our client (default concurrency and 8, sync; the async client at 8) against the cookbook's
sequential cursor loop (plain httpx + json at ``limit=168``, following ``next_page``) and the
ideal ``ceil(pages / concurrency) x latency``. Every run must return the same 8760 buckets with
the fake's exact totals, or the figure is void.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx

from bench._common import (
    FAKE_NOW,
    YEAR_START,
    Row,
    Section,
    checksum_buckets,
    fake_server,
    profile_text,
    rotated,
)

LATENCY = 0.05
LIMIT = 168
BUCKETS = 365 * 24
PARAMS: dict[str, Any] = {
    "start_time": YEAR_START,
    "end_time": FAKE_NOW,
    "bucket_width": "1h",
    "group_by": ["model"],
}
Checksum = tuple[int, int, int, int]


def sequential(base_url: str) -> Checksum:
    """The cookbook loop: one request after another, following ``next_page``."""
    from openai_usage_client.testing import DEFAULT_ADMIN_KEY

    headers = {"Authorization": f"Bearer {DEFAULT_ADMIN_KEY}"}
    buckets: list[dict[str, Any]] = []
    params: dict[str, Any] = {**PARAMS, "limit": LIMIT}
    with httpx.Client(headers=headers, timeout=60) as http:
        while True:
            response = http.get(f"{base_url}/organization/usage/completions", params=params)
            response.raise_for_status()
            page = response.json()
            buckets.extend(page["data"])
            if not page.get("next_page"):
                break
            params["page"] = page["next_page"]
    return checksum_buckets(buckets)


def ours_sync(base_url: str, concurrency: int | None) -> Checksum:
    from openai_usage_client import UsageClient
    from openai_usage_client.testing import DEFAULT_ADMIN_KEY

    with UsageClient(DEFAULT_ADMIN_KEY, base_url=base_url) as client:
        return checksum_buckets(client.usage.completions(**PARAMS, concurrency=concurrency))


def ours_async(base_url: str, concurrency: int) -> Checksum:
    from openai_usage_client import AsyncUsageClient
    from openai_usage_client.testing import DEFAULT_ADMIN_KEY

    async def go() -> Checksum:
        async with AsyncUsageClient(DEFAULT_ADMIN_KEY, base_url=base_url) as client:
            stream = client.usage.completions(**PARAMS, concurrency=concurrency)
            return checksum_buckets([bucket async for bucket in stream])

    return asyncio.run(go())


def truth() -> Checksum:
    """What the fake's data says the year holds (computed directly, not over HTTP)."""
    from openai_usage_client.testing import FakeAPI

    totals = FakeAPI(seed=0).totals(
        "completions", start_time=YEAR_START, end_time=FAKE_NOW, group_by=["model"]
    )
    inp = sum(int(c["input_tokens"]) for c in totals.values())
    out = sum(int(c["output_tokens"]) for c in totals.values())
    req = sum(int(c["num_model_requests"]) for c in totals.values())
    return BUCKETS, inp, out, req


def run(rounds: int) -> Section:
    from openai_usage_client._core._client_base import DEFAULT_CONCURRENCY

    pages = math.ceil(BUCKETS / LIMIT)
    default = DEFAULT_CONCURRENCY

    def ideal(c: int) -> float:
        return math.ceil(pages / c) * LATENCY

    section = Section(
        "P2",
        "one-year backfill",
        f"1h completions buckets grouped by model, 2025-11-01 to 2026-11-01 ({BUCKETS} buckets, "
        f"{pages} pages of <= {LIMIT}), fake HTTP server on 127.0.0.1 in a child process with "
        f"{LATENCY * 1000:.0f} ms injected latency per request; median of interleaved rounds, "
        "client creation included.",
        reproduce="python -m bench P2",
    )
    expected = truth()
    runs: dict[str, Callable[[str], Checksum]] = {
        "sequential": sequential,
        f"ours sync c{default} (default)": lambda u: ours_sync(u, None),
        "ours sync c8": lambda u: ours_sync(u, 8),
        "ours async c8": lambda u: ours_async(u, 8),
    }
    samples: dict[str, list[float]] = {name: [] for name in runs}
    void: list[str] = []
    with fake_server(LATENCY) as base_url:
        sequential(base_url)  # warm the fake's caches; not timed
        for i in range(rounds):
            for name in rotated(list(runs), i):
                fn = runs[name]
                began = time.perf_counter()
                got = fn(base_url)
                samples[name].append(time.perf_counter() - began)
                if got != expected:
                    void.append(f"{name} returned {got}, expected {expected}")
        t = {name: statistics.median(v) for name, v in samples.items()}
        seq = t["sequential"]
        for name, c in ((f"ours sync c{default} (default)", default), ("ours sync c8", 8),
                        ("ours async c8", 8)):  # fmt: skip
            goal_speedup = c == 8
            section.rows.append(
                Row(name, t[name], "sequential cursor loop", seq,
                    ">= 6x faster" if goal_speedup else "-",
                    (seq / t[name] >= 6) if goal_speedup else None, unit="s", kind="speedup")
            )  # fmt: skip
            section.rows.append(
                Row(name, t[name], f"ideal ceil({pages}/{c}) x {LATENCY * 1000:.0f} ms", ideal(c),
                    "<= 1.3x", t[name] <= 1.3 * ideal(c), unit="s")
            )  # fmt: skip
        section.rows.append(
            Row("sequential cursor loop", seq, f"ideal {pages} x {LATENCY * 1000:.0f} ms",
                pages * LATENCY, "-", None, unit="s")
        )  # fmt: skip
        if void:
            section.notes += [f"VOID: {v}" for v in void]
            for row in section.rows:
                row.met = False if row.met is not None else None
        else:
            section.notes.append(
                f"every run returned {expected[0]} buckets, input/output tokens and requests "
                f"{expected[1]}/{expected[2]}/{expected[3]}, equal to the fake's own totals"
            )
        if not section.goals_met:
            section.profile = _diagnose(base_url, t["ours sync c8"], ideal(8), rounds)
    return section


def _bodies(base_url: str) -> tuple[list[bytes], list[str]]:
    """Every page body of the year, and the query string that fetched it."""
    from openai_usage_client.testing import DEFAULT_ADMIN_KEY

    out: list[bytes] = []
    queries: list[str] = []
    params: dict[str, Any] = {**PARAMS, "limit": LIMIT}
    with httpx.Client(headers={"Authorization": f"Bearer {DEFAULT_ADMIN_KEY}"}) as http:
        while True:
            response = http.get(f"{base_url}/organization/usage/completions", params=params)
            out.append(response.content)
            queries.append(response.request.url.query.decode())
            cursor = response.json().get("next_page")
            if not cursor:
                return out, queries
            params["page"] = cursor


def _unvalidated(base_url: str, run: Callable[[str, int], Checksum]) -> None:
    """``run`` with the client's page parse replaced by json.loads + the envelope alone."""
    import json

    import openai_usage_client._client as client_module
    from openai_usage_client._core._models import Page

    def envelope(response: httpx.Response, settings: Any) -> Page:
        body = json.loads(response.content)
        for bucket in body["data"]:
            bucket["results"] = []
        return Page.model_validate(body)

    real = client_module.parse_page
    client_module.parse_page = envelope  # type: ignore[assignment]
    try:
        run(base_url, 8)
    finally:
        client_module.parse_page = real


def _server_cpu(queries: list[str]) -> float:
    """Seconds the fake itself spends answering the year's pages (warm caches, in-process)."""
    from openai_usage_client.testing import DEFAULT_ADMIN_KEY, FakeAPI

    fake = FakeAPI(seed=0)
    headers = {"Authorization": f"Bearer {DEFAULT_ADMIN_KEY}"}
    path = "/v1/organization/usage/completions"

    def answer_all() -> None:
        for query in queries:
            fake.handle("GET", path, query, headers)

    answer_all()
    return statistics.median(_timed(answer_all) for _ in range(3))


def _diagnose(base_url: str, measured: float, ideal8: float, rounds: int) -> str:
    """Where the time beyond the ideal goes: parsing (GIL-bound) and the no-latency floor."""
    import json

    from openai_usage_client._core._models import Page

    bodies, queries = _bodies(base_url)
    server = _server_cpu(queries)

    def parse_all() -> None:
        for body in bodies:
            Page.model_validate_json(body)

    def loads_all() -> None:
        for body in bodies:
            json.loads(body)

    parse = statistics.median(_timed(parse_all) for _ in range(max(rounds, 3)))
    loads = statistics.median(_timed(loads_all) for _ in range(max(rounds, 3)))
    with fake_server(0.0) as fast_url:
        ours_sync(fast_url, 8)  # warm
        floor = statistics.median(_timed(lambda: ours_sync(fast_url, 8)) for _ in range(3))
        seq0 = statistics.median(_timed(lambda: sequential(fast_url)) for _ in range(3))
    # The same backfill at the same latency with the results not validated (the body
    # decoded by json.loads, then only the page envelope built): what is left is HTTP and
    # JSON decoding, the floor any parse of ours sits on.
    bare = {name: statistics.median(_timed(lambda f=f: _unvalidated(base_url, f))
                                    for _ in range(3))
            for name, f in (("sync", ours_sync), ("async", ours_async))}  # fmt: skip
    size = sum(len(b) for b in bodies) / 2**20
    per_page = parse / len(bodies)
    model = math.ceil(len(bodies) / 8) * (LATENCY + 8 * per_page)
    lines = [
        f"Parsing the {len(bodies)} page bodies ({size:.1f} MiB) with Page.model_validate_json "
        f"takes {parse:.3f} s of CPU (json.loads: {loads:.3f} s). It holds the GIL, so it "
        f"cannot overlap across the worker threads, and it is {parse / ideal8:.0%} of the ideal "
        f"{ideal8:.3f} s on its own.",
        f"The same backfill with no injected latency (the client's and the fake's CPU floor): "
        f"ours sync c8 {floor:.3f} s, sequential loop {seq0:.3f} s.",
        f"The fake itself spends only {server:.3f} s of CPU on those {len(bodies)} pages "
        f"({server / len(bodies) * 1000:.1f} ms each, in its own process): not the bound.",
        f"Model: the 8 worker threads get their pages at about the same time and parse them "
        f"sharing the GIL, so a wave costs latency + 8 x parse = {LATENCY * 1000:.0f} + 8 x "
        f"{per_page * 1000:.1f} ms; ceil({len(bodies)}/8) waves = {model:.3f} s against "
        f"{measured:.3f} s measured (ideal {ideal8:.3f} s). Bounded by our parse CPU per page "
        "(see P1), not by the fetch plan; the ideal counts no CPU at all.",
        f"With the results not validated (json.loads, then the page envelope only), at the "
        f"same {LATENCY * 1000:.0f} ms: ours sync c8 {bare['sync']:.3f} s "
        f"({bare['sync'] / ideal8:.2f}x the ideal), async c8 {bare['async']:.3f} s "
        f"({bare['async'] / ideal8:.2f}x). That is the floor of moving {size:.0f} MiB over HTTP "
        "and decoding it as JSON on 2 cores shared with the server: a parse of no cost at all "
        "would still leave c8 near or above 1.3x the ideal. The async client's extra time over "
        "sync is its validation on the event loop: while one page is validated the loop cannot "
        "read the other responses (the sync client's threads read while another parses). "
        "Validating in a worker thread measured no better (the validation holds the GIL). "
        "What it would take: fewer bytes (the live API compresses; the fake does not), or "
        "validation outside the GIL (a free-threaded Python).",
        "cProfile of one async run at concurrency 8 (one thread, so every cost shows):",
        profile_text(lambda: ours_async(base_url, 8), top=12),
    ]
    return "\n".join(lines)


def _timed(fn: Callable[[], object]) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began
