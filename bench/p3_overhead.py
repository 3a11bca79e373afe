"""P3 per-request overhead: one small page from the loopback fake, no injected latency.

Our client (``first_page()``, and iterating a one-page stream) against a bare
``httpx.Client.get`` + ``json.loads``, both on one kept-alive connection to the same server.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx

from bench._common import FAKE_NOW, Row, Section, fake_server, profile_text, rotated

GOAL = 1.3
REQUESTS = 300
BLOCKS = 6
DAY_START = FAKE_NOW - 7 * 86_400
PARAMS: dict[str, Any] = {
    "start_time": DAY_START,
    "end_time": DAY_START + 86_400,
    "bucket_width": "1d",
    "limit": 1,
}


def run(rounds: int) -> Section:
    from openai_usage_client import UsageClient
    from openai_usage_client.testing import DEFAULT_ADMIN_KEY

    section = Section(
        "P3",
        "per-request overhead",
        f"one page of 1 bucket (1d completions, no grouping) from the fake on 127.0.0.1 (child "
        f"process, no injected latency); {REQUESTS} sequential requests per round and client, "
        f"in {BLOCKS} interleaved blocks, on one kept-alive connection each; median "
        "per-request time over the rounds.",
        reproduce="python -m bench P3",
    )
    with fake_server(0.0) as base_url:
        bare = httpx.Client(headers={"Authorization": f"Bearer {DEFAULT_ADMIN_KEY}"})
        client = UsageClient(DEFAULT_ADMIN_KEY, base_url=base_url)
        url = f"{base_url}/organization/usage/completions"

        def bare_get() -> object:
            return json.loads(bare.get(url, params=PARAMS).content)

        def first_page() -> object:
            return client.usage.completions(**PARAMS).first_page()

        def stream() -> object:
            return list(client.usage.completions(**PARAMS))

        expected = bare_get()
        assert isinstance(expected, dict)
        want = expected["data"][0]["results"][0]["input_tokens"]
        if first_page().data[0].results[0].input_tokens != want:  # type: ignore[attr-defined]
            section.notes.append("VOID: first_page() returned other data than the bare GET")
        got = stream()
        assert isinstance(got, list)
        if len(got) != 1 or got[0].results[0].input_tokens != want:
            section.notes.append("VOID: the stream returned other data than the bare GET")

        fns: dict[str, Callable[[], object]] = {
            "bare": bare_get,
            "first_page": first_page,
            "stream": stream,
        }
        samples: dict[str, list[float]] = {name: [] for name in fns}
        for fn in fns.values():  # warm up connections and caches
            for _ in range(20):
                fn()
        block = REQUESTS // BLOCKS
        for r in range(rounds):
            spent = dict.fromkeys(fns, 0.0)
            for b in range(BLOCKS):  # interleaved blocks, first runner rotating
                for name in rotated(list(fns), r * BLOCKS + b):
                    fn = fns[name]
                    began = time.perf_counter()
                    for _ in range(block):
                        fn()
                    spent[name] += time.perf_counter() - began
            for name in fns:
                samples[name].append(spent[name] / (block * BLOCKS))
        t = {name: statistics.median(v) for name, v in samples.items()}
        base = t["bare"]
        void = any(n.startswith("VOID") for n in section.notes)
        section.rows = [
            Row("ours: first_page()", t["first_page"], "httpx.Client.get + json.loads", base,
                f"<= {GOAL}x", not void and t["first_page"] <= GOAL * base, unit="us"),
            Row("ours: iterate a 1-page stream", t["stream"], "httpx.Client.get + json.loads",
                base, f"<= {GOAL}x", not void and t["stream"] <= GOAL * base, unit="us"),
        ]  # fmt: skip
        section.notes.append(
            "overhead per request over the bare GET: first_page() "
            f"{(t['first_page'] - base) * 1e6:.0f} us, stream {(t['stream'] - base) * 1e6:.0f} us"
        )
        if not section.goals_met:
            section.profile = (
                f"cProfile of {REQUESTS} first_page() calls (sorted by own time):\n"
                + profile_text(lambda: [first_page() for _ in range(REQUESTS)], top=20)
                + f"\n\ncProfile of {REQUESTS} bare GETs, for comparison:\n"
                + profile_text(lambda: [bare_get() for _ in range(REQUESTS)], top=8)
            )
        client.close()
        bare.close()
    return section
