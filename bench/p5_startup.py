"""P5 start-up: ``openai-usage --help`` against ``import httpx``; the library against its deps.

Each command runs in a fresh process, rounds interleaved; medians. The CLI falls back to
``python -m openai_usage_client --help``; if neither works yet, the figure is "not measured
yet" and only the library's import time is reported.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench._common import ROOT, Row, Section, rotated

GOAL = 1.5
#: The library's own import (a client and a result model) against its two dependencies.
IMPORT_GOAL = 1.3
LIBRARY = "from openai_usage_client import UsageClient, CostsResult"
DEPENDENCIES = "import httpx, pydantic"
#: What any pydantic model costs on top: ``import pydantic`` alone defers BaseModel's
#: machinery (pydantic.main, schema generation) to the first model class.
MODEL_FLOOR = "import httpx; from pydantic import BaseModel"
BIN = Path(sys.executable).parent


def _cli_command() -> tuple[list[str] | None, str]:
    """The CLI's ``--help`` command, if one works, and what was tried."""
    candidates = [
        ([str(BIN / "openai-usage"), "--help"], "openai-usage --help"),
        ([sys.executable, "-m", "openai_usage_client", "--help"],
         "python -m openai_usage_client --help"),
    ]  # fmt: skip
    tried = []
    for cmd, label in candidates:
        if not Path(cmd[0]).exists():
            tried.append(f"{label}: no such file")
            continue
        proc = subprocess.run(
            cmd, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False, env=ENV
        )
        if proc.returncode == 0 and proc.stdout.strip():
            return cmd, label
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        tried.append(f"{label}: exit {proc.returncode} ({last[:120]})")
    return None, "; ".join(tried)


#: The processes read bytecode as an installed package does (pip compiles it at install, as it
#: did httpx's and pydantic's): an environment that sets PYTHONDONTWRITEBYTECODE would make
#: only our modules, installed editable, compile from source on every run.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _time(cmd: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True, timeout=60, env=ENV)
    return time.perf_counter() - began


def _import_profile(cmd: list[str], top: int = 15) -> str:
    """The slowest imports (cumulative) of ``cmd`` under ``-X importtime``."""
    env = {**ENV, "PYTHONPROFILEIMPORTTIME": "1"}
    proc = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=60, check=False
    )
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        own, cumulative, name = line.split("|", 2)
        rows.append((int(cumulative), int(own.split(":")[1]), name.strip()))
    rows.sort(reverse=True)
    lines = ["cumulative us | own us | module (-X importtime)"]
    lines += [f"{c:>13} | {o:>6} | {n}" for c, o, n in rows[:top]]
    return "\n".join(lines)


def run(rounds: int) -> Section:
    section = Section(
        "P5",
        "start-up",
        "wall time of a fresh process, rounds interleaved; median. Bytecode is written by "
        "the warm-up run and read after, as for an installed package.",
        reproduce="python -m bench P5",
    )
    cli, label = _cli_command()
    commands: dict[str, list[str]] = {
        "import httpx": [sys.executable, "-c", "import httpx"],
        "import openai_usage_client": [sys.executable, "-c", "import openai_usage_client"],
        DEPENDENCIES: [sys.executable, "-c", DEPENDENCIES],
        MODEL_FLOOR: [sys.executable, "-c", MODEL_FLOOR],
        LIBRARY: [sys.executable, "-c", LIBRARY],
    }
    if cli is not None:
        commands[label] = cli
    else:
        section.skipped = f"the CLI does not run yet ({label}); import time reported instead"
    for cmd in commands.values():  # warm the OS file cache and .pyc files
        _time(cmd)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for i in range(rounds):
        for name in rotated(list(commands), i):
            samples[name].append(_time(commands[name]))
    t = {name: statistics.median(v) for name, v in samples.items()}
    base = t["import httpx"]
    if cli is not None:
        section.rows.append(
            Row(label, t[label], 'python -c "import httpx"', base, f"<= {GOAL}x",
                t[label] <= GOAL * base)
        )  # fmt: skip
    section.rows.append(
        Row('python -c "import openai_usage_client"', t["import openai_usage_client"],
            'python -c "import httpx"', base, "-", None)
    )  # fmt: skip
    section.rows.append(
        Row(f'python -c "{LIBRARY}"', t[LIBRARY], f'python -c "{DEPENDENCIES}"',
            t[DEPENDENCIES], f"<= {IMPORT_GOAL}x", t[LIBRARY] <= IMPORT_GOAL * t[DEPENDENCIES])
    )  # fmt: skip
    section.rows.append(
        Row(f'python -c "{LIBRARY}"', t[LIBRARY], f'python -c "{MODEL_FLOOR}"',
            t[MODEL_FLOOR], "-", None)
    )  # fmt: skip
    # A profile for each goal missed (the CLI's and the library import's).
    profiles = []
    if t[LIBRARY] > IMPORT_GOAL * t[DEPENDENCIES]:
        profiles.append(f"{LIBRARY}:\n" + _import_profile([sys.executable, "-c", LIBRARY]))
        profiles.append(
            f"Floor: '{MODEL_FLOOR}' takes {t[MODEL_FLOOR] / t[DEPENDENCIES]:.2f}x "
            f"'{DEPENDENCIES}': importing any model class pays for pydantic's model machinery, "
            "which 'import pydantic' alone defers; the goal leaves "
            f"{(IMPORT_GOAL * t[DEPENDENCIES] - t[MODEL_FLOOR]) * 1000:.0f} ms for our own "
            f"modules, which take {(t[LIBRARY] - t[MODEL_FLOOR]) * 1000:.0f} ms. The page "
            "models (every usage result class) and the streams are no longer loaded at import; "
            "what remains is pydantic.types with annotated_types (the strict number types "
            "CostsResult uses: about 11 ms), the client with its settings, parameters and time "
            "handling, and the directory resources. Meeting the goal would take result models "
            "without pydantic's strict types (about 11 ms of the gap)."
        )
    if cli is not None and t[label] > GOAL * base:
        profiles.append(f"{label}:\n" + _import_profile(cli))
    if profiles:
        section.profile = "\n".join(profiles)
    return section
