"""The machine, the versions, and ``BENCHMARKS.md``."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from bench._common import Section, fmt_value


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return None


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return f"{line.split('=', 1)[1].strip(chr(34))} ({platform.system()} " + (
                    f"{platform.release()})"
                )
    except OSError:
        pass
    return platform.platform()


def machine() -> dict[str, str]:
    ram = _ram_gib()
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return {
        "CPU": _cpu_model(),
        "cores": f"{usable} usable ({cores} logical)",
        "RAM": f"{ram:.1f} GiB" if ram else "unknown",
        "OS": _os_name(),
        "load average when written (1, 5, 15 min)": load,
    }


def versions() -> dict[str, str]:
    out = {"python": f"{platform.python_implementation()} {platform.python_version()}"}
    for dist in ("openai-usage-client", "httpx", "pydantic", "pydantic-core", "openai",
                 "openapi-python-client", "attrs"):  # fmt: skip
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "not installed"
    return out


def _table(section: Section) -> list[str]:
    lines = [
        "| figure | measured | baseline | baseline measured | ratio | goal | status |",
        "| --- | ---: | --- | ---: | ---: | --- | --- |",
    ]
    for r in section.rows:
        lines.append(
            f"| {r.figure} | {fmt_value(r.value, r.unit)} | {r.baseline_name} | "
            f"{fmt_value(r.baseline, r.unit)} | {r.ratio_text()} | {r.goal} | "
            f"{'**NOT met**' if r.met is False else r.status()} |"
        )
    return lines


def _kept(path: Path, run: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """From the file as it is: the summary line and the text of each section not run now (a
    subset run, ``python -m bench P9``, keeps the others' last figures)."""
    if not path.exists():
        return {}, {}
    text = path.read_text()
    summary: dict[str, str] = {}
    for line in text.split("\n## Summary\n", 1)[-1].split("\n## ", 1)[0].splitlines():
        key = line.removeprefix("| ").split(" ", 1)[0]
        if line.startswith("| P") and key not in run:
            summary[key] = line
    blocks: dict[str, str] = {}
    for block in text.split("\n## ")[1:]:
        key = block.split(":", 1)[0]
        if key.startswith("P") and key not in run and key in summary:
            blocks[key] = "## " + block.split("\n## How to reproduce", 1)[0].rstrip("\n")
    return summary, blocks


def write(path: Path, sections: list[Section], argv: list[str], quick: bool, took: float) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    kept_summary, kept_blocks = _kept(path, {s.key for s in sections})
    lines = [
        "# Benchmarks",
        "",
        "Written by `python -m bench` (`make bench`); do not edit by hand. Every figure is a "
        "ratio against a baseline measured in the same run, on the same machine (medians of "
        "several rounds); absolute times are shown next to the ratios only for context. All "
        "traffic goes to the offline fake on 127.0.0.1.",
        "",
        f"Run: {now}, `{' '.join(['python -m bench', *argv])}`, "
        f"{'quick (fewer rounds)' if quick else 'full'} mode, {took:.0f} s in all.",
        "",
        "## Machine",
        "",
    ]
    lines += [f"- {k}: {v}" for k, v in machine().items()]
    lines += ["", "## Versions", ""]
    lines += [f"- {k}: {v}" for k, v in versions().items()]
    lines += ["", "## Summary", "", "| benchmark | goals |", "| --- | --- |"]
    order = sorted({*kept_summary, *(s.key for s in sections)}, key=lambda k: int(k[1:]))
    new = {s.key: s for s in sections}
    for k in (k for k in order if k not in new):
        line = kept_summary[k]
        earlier = line if "(earlier run)" in line else line.rstrip(" |") + " (earlier run) |"
        lines.append(earlier)
    for s in sections:
        if s.skipped:
            status = f"not measured: {s.skipped}"
            if s.rows:
                status = ("all met so far" if s.goals_met else "**not all met**") + (f"; {status}")
        else:
            status = "all met" if s.goals_met else "**not all met**"
            measured = [r for r in s.rows if r.met is not None]
            if not measured:
                status = "no goal measured"
        lines.append(f"| {s.key} {s.title} | {status} |")
    for key in sorted(kept_blocks, key=lambda k: int(k[1:])):
        lines += ["", kept_blocks[key]]
    for s in sections:
        lines += ["", f"## {s.key}: {s.title}", "", s.setup, ""]
        if s.skipped:
            lines += [f"Not measured: {s.skipped}", ""]
        if s.rows:
            lines += [*_table(s), ""]
        for note in s.notes:
            lines.append(f"- {note}")
        if s.notes:
            lines.append("")
        if s.profile:
            lines += ["Why the goal is not met (profile):", "", "```", s.profile, "```", ""]
        lines += [f"Reproduce: `{s.reproduce}` (add `--quick` for fewer rounds)."]
    lines += [
        "",
        "## How to reproduce",
        "",
        "```",
        "make bench                      # installs .[all,dev,bench], runs everything",
        ".venv/bin/python -m bench       # the same, without installing",
        ".venv/bin/python -m bench P1 P3 # a subset",
        ".venv/bin/python -m bench --quick",
        "```",
        "",
        f"Python executable used: `{Path(sys.executable).name}` from the project's virtual "
        "environment.",
        "",
    ]
    path.write_text("\n".join(lines))
