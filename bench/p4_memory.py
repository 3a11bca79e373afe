"""P4 memory: peak RSS while streaming 30 days of ``1m`` buckets against 3 days.

Each measurement is a fresh ``python -m bench.p4_memory child ...`` process that streams the
range from the fake (served by another process, so the fake's memory does not count),
drops every bucket once counted, and reports ``ru_maxrss`` at the end. The baseline is the
same process doing only the imports and creating the client.
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
from typing import Any

from bench._common import DAY, FAKE_NOW, Row, Section, fake_server, run_python

GROUP_BY = ["model"]
#: Within noise: the long range may exceed the short one by this factor, plus a small slack.
FACTOR = 1.25
SLACK_MIB = 4.0


def child(base_url: str, days: int, concurrency: int | None) -> None:
    """Stream ``days`` days of 1m buckets (0: import only) and print the peak RSS as JSON."""
    from openai_usage_client import UsageClient
    from openai_usage_client.testing import DEFAULT_ADMIN_KEY

    buckets = tokens = 0
    with UsageClient(DEFAULT_ADMIN_KEY, base_url=base_url) as client:
        if days:
            stream = client.usage.completions(
                start_time=FAKE_NOW - days * DAY,
                end_time=FAKE_NOW,
                bucket_width="1m",
                group_by=["model"],
                concurrency=concurrency,
            )
            for bucket in stream:
                buckets += 1
                for result in bucket.results:
                    tokens += result.input_tokens  # type: ignore[union-attr]
    print(json.dumps({"peak_mib": _peak_mib(), "buckets": buckets, "tokens": tokens}))


def _peak_mib() -> float:
    """This process's peak RSS. ``VmHWM`` where there is /proc: ``ru_maxrss`` would include
    the parent's RSS at fork time (Linux keeps the high-water mark of the forked copy across
    exec), which made every child look as big as the benchmark suite itself."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _measure(base_url: str, days: int, concurrency: int | None = None) -> dict[str, float]:
    args = ["-m", "bench.p4_memory", "child", base_url, str(days), str(concurrency or 0)]
    out: dict[str, float] = json.loads(run_python(args).strip().splitlines()[-1])
    return out


def run(rounds: int) -> Section:
    from openai_usage_client._core._client_base import DEFAULT_CONCURRENCY
    from openai_usage_client.testing import FakeAPI

    section = Section(
        "P4",
        "memory while streaming",
        f"peak RSS (VmHWM) of a fresh process streaming 1m completions buckets grouped by "
        f"model (one page = 1440 buckets) from the fake in another process, default "
        f"concurrency ({DEFAULT_CONCURRENCY}); delta over an import-only process; median of "
        "fresh processes.",
        reproduce="python -m bench P4",
    )
    fake = FakeAPI(seed=0)
    cases = {
        "import only": 0,
        "3 days (3 pages)": 3,
        "10 days (10 pages)": 10,
        "30 days (30 pages)": 30,
    }
    peaks: dict[str, list[float]] = {name: [] for name in cases}
    with fake_server(0.0) as base_url:
        _measure(base_url, 30)  # warm the fake's caches
        for _ in range(rounds):
            for name, days in cases.items():
                got = _measure(base_url, days)
                peaks[name].append(got["peak_mib"])
                if days:
                    want = _truth(fake, days)
                    if (got["buckets"], got["tokens"]) != want:
                        section.notes.append(f"VOID: {name} streamed {got}, expected {want}")
        one = statistics.median(_measure(base_url, 30, 1)["peak_mib"] for _ in range(rounds))
        one3 = statistics.median(_measure(base_url, 3, 1)["peak_mib"] for _ in range(rounds))
        wire, parsed = _page_size(base_url)
    peak = {name: statistics.median(v) for name, v in peaks.items()}
    base = peak["import only"]
    d3 = peak["3 days (3 pages)"] - base
    d30 = peak["30 days (30 pages)"] - base
    d10 = peak["10 days (10 pages)"] - base
    void = any(n.startswith("VOID") for n in section.notes)
    limit = FACTOR * d3 + SLACK_MIB
    section.rows = [
        Row("30 days: peak RSS over import-only", d30, "3 days: peak RSS over import-only", d3,
            f"<= {FACTOR}x + {SLACK_MIB:.0f} MiB", not void and d30 <= limit, unit="MiB"),
        Row("30 days: peak RSS", peak["30 days (30 pages)"], "import-only peak RSS", base, "-",
            None, unit="MiB"),
        Row("3 days: peak RSS", peak["3 days (3 pages)"], "import-only peak RSS", base, "-",
            None, unit="MiB"),
        Row("30 days: peak RSS over import-only", d30, "10 days: peak RSS over import-only",
            d10, "-", None, unit="MiB"),
        Row("30 days at concurrency=1: over import-only", one - base,
            "3 days (default concurrency)", d3, "-", None, unit="MiB"),
        Row("30 days at concurrency=1: over import-only", one - base,
            "3 days at concurrency=1", one3 - base, "-", None, unit="MiB"),
    ]  # fmt: skip
    section.notes.append(
        f"one page of 1440 buckets is {wire:.1f} MiB on the wire and {parsed:.1f} MiB once "
        "parsed (tracemalloc, retained)"
    )
    if not void:
        section.notes.append("every stream returned the fake's exact bucket count and tokens")
    if not section.goals_met:
        section.notes.append(
            f"what bounds it: the 30-day stream holds up to concurrency ({DEFAULT_CONCURRENCY}) "
            "fetched pages (their raw bodies too while parsing) plus the page being consumed; "
            "the 3-day stream has only 3 pages in all. Memory is bounded by concurrency, not by "
            f"the range: from 10 to 30 pages it grows {d30 - d10:.1f} MiB (one parsed page is "
            f"{parsed:.1f} MiB), and at concurrency=1 30 days take {one - base:.1f} MiB"
        )
    return section


def _page_size(base_url: str) -> tuple[float, float]:
    """(MiB on the wire, MiB retained once parsed) of one 1440-bucket page."""
    import tracemalloc

    import httpx

    from openai_usage_client._core._models import Page
    from openai_usage_client.testing import DEFAULT_ADMIN_KEY

    params: dict[str, Any] = {
        "start_time": FAKE_NOW - DAY,
        "end_time": FAKE_NOW,
        "bucket_width": "1m",
        "group_by": GROUP_BY,
        "limit": 1440,
    }
    headers = {"Authorization": f"Bearer {DEFAULT_ADMIN_KEY}"}
    with httpx.Client(headers=headers) as http:
        body = http.get(f"{base_url}/organization/usage/completions", params=params).content
    Page.model_validate_json(body)  # build lazily-built schemas outside the trace
    tracemalloc.start()
    try:
        page = Page.model_validate_json(body)
        retained, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del page
    return len(body) / 2**20, retained / 2**20


def _truth(fake: object, days: int) -> tuple[int, int]:
    from openai_usage_client.testing import FakeAPI

    assert isinstance(fake, FakeAPI)
    totals = fake.totals(
        "completions", start_time=FAKE_NOW - days * DAY, end_time=FAKE_NOW, group_by=GROUP_BY
    )
    return days * 1440, sum(int(c["input_tokens"]) for c in totals.values())


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "child":
        child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) or None)
    else:
        sys.exit("usage: python -m bench.p4_memory child BASE_URL DAYS CONCURRENCY")
