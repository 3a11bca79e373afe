"""What every benchmark shares: results, timing, profiles and the out-of-process fake server."""

from __future__ import annotations

import contextlib
import cProfile
import io
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

#: The fake's "now" (2026-11-01T00:00Z) and the ranges the benchmarks read.
FAKE_NOW = 1_793_491_200
DAY = 86_400
YEAR_START = FAKE_NOW - 365 * DAY  # 2025-11-01T00:00Z


@dataclass
class Row:
    """One figure: a measurement against its baseline, both from the same run."""

    figure: str
    value: float
    baseline_name: str
    baseline: float
    goal: str
    #: ``None`` when the figure is informative only (no goal).
    met: bool | None
    unit: str = "ms"
    #: How the ratio is written: ``"x"`` (value / baseline) or ``"speedup"`` (baseline / value).
    kind: str = "x"

    @property
    def ratio(self) -> float:
        if self.kind == "speedup":
            return self.baseline / self.value if self.value else float("inf")
        return self.value / self.baseline if self.baseline else float("inf")

    def ratio_text(self) -> str:
        suffix = "x faster" if self.kind == "speedup" else "x"
        return f"{self.ratio:.2f}{suffix}"

    def status(self) -> str:
        if self.met is None:
            return "info"
        return "met" if self.met else "NOT met"


@dataclass
class Section:
    """The outcome of one benchmark (P1 ... P5)."""

    key: str
    title: str
    setup: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    profile: str = ""
    reproduce: str = ""
    skipped: str = ""

    @property
    def goals_met(self) -> bool:
        return all(r.met is not False for r in self.rows)


def fmt_value(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value * 1000:.2f} ms"
    if unit == "us":
        return f"{value * 1e6:.1f} us"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    return f"{value:g} {unit}"


def print_section(section: Section) -> None:
    print(f"\n== {section.key} {section.title}")
    print(f"   {section.setup}")
    if section.skipped:
        print(f"   SKIPPED: {section.skipped}")
    for r in section.rows:
        print(
            f"   {r.figure:<44} {fmt_value(r.value, r.unit):>12}  vs {r.baseline_name:<30} "
            f"{fmt_value(r.baseline, r.unit):>12}  = {r.ratio_text():>14}  goal {r.goal:<14} "
            f"{r.status()}"
        )
    for note in section.notes:
        print(f"   - {note}")
    if section.profile:
        print("   profile:")
        print("     " + section.profile.replace("\n", "\n     "))
    sys.stdout.flush()


# --- timing --------------------------------------------------------------------------------


def time_once(fn: Callable[[], object]) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def interleaved(
    fns: dict[str, Callable[[], object]], rounds: int, warmup: int = 1
) -> dict[str, float]:
    """Median seconds per call of each function, rounds interleaved so drift hits all alike."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for i in range(rounds):
        for name in rotated(list(fns), i):
            samples[name].append(time_once(fns[name]))
    return {name: statistics.median(values) for name, values in samples.items()}


def rotated(names: list[str], i: int) -> list[str]:
    """``names`` starting at ``i`` (mod len): who runs first changes from round to round."""
    k = i % len(names)
    return names[k:] + names[:k]


def profile_text(fn: Callable[[], object], top: int = 12, sort: str = "tottime") -> str:
    """The top entries of a cProfile run of ``fn`` (by own time), as text."""
    prof = cProfile.Profile()
    prof.enable()
    try:
        fn()
    finally:
        prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.strip_dirs().sort_stats(sort).print_stats(top)
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    # Keep the summary line and the table, not pstats' preamble.
    keep = [line for line in lines if line.strip() and not line.startswith("Ordered by")]
    return "\n".join(keep)


# --- the fake, out of process ---------------------------------------------------------------


@contextlib.contextmanager
def fake_server(latency: float = 0.0, seed: int = 0, *extra: str) -> Iterator[str]:
    """Run ``FakeServer`` in a child process on 127.0.0.1; yield its base URL.

    Out of process so that the fake's CPU time and memory are not the client's, and its
    threads do not compete with the client's for the GIL.
    """
    proc = subprocess.Popen(
        [PYTHON, "-m", "bench._server", "--latency", str(latency), "--seed", str(seed), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"the fake server did not start: {line!r}")
        yield line
    finally:
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()  # the server exits when its stdin closes
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_python(args: list[str], env: dict[str, str] | None = None) -> str:
    """Run ``python args...`` from the repository root; its stdout (raises on failure)."""
    proc = subprocess.run(
        [PYTHON, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{args} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return proc.stdout


def checksum_buckets(buckets: Any) -> tuple[int, int, int, int]:
    """(buckets, input_tokens, output_tokens, requests) over model objects or JSON dicts."""
    count = inp = out = req = 0
    for bucket in buckets:
        count += 1
        results = bucket["results"] if isinstance(bucket, dict) else bucket.results
        for r in results:
            if isinstance(r, dict):
                inp += r["input_tokens"]
                out += r["output_tokens"]
                req += r["num_model_requests"]
            else:
                inp += r.input_tokens
                out += r.output_tokens
                req += r.num_model_requests
    return count, inp, out, req
