"""P6 directory: ``client.directory()`` for 50 projects of 20 API keys each, 50 ms per request.

Our client (sync at the default concurrency and at 8, async at the default) against a
sequential loop making the same requests one after the other (the same SDK lists: projects
with archived ones, users, then each project's API keys and service accounts) and against the
ideal: the project list first (the other lists need its IDs; the users list runs beside it),
then the per-project lists ``concurrency`` at a time. Every run must name every project, key
and user of the synthetic organization, or the figure is void.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections.abc import Callable

from bench._common import Row, Section, fake_server, rotated

LATENCY = 0.05
PROJECTS = 50
KEYS = 20
Counts = tuple[int, int, int, int]


def _counts(d: object) -> Counts:
    from openai_usage_client.directory import Directory

    assert isinstance(d, Directory)
    named = sum(1 for k in d.api_keys.values() if k.name and k.owner)
    return len(d.projects), len(d.api_keys), len(d.users), named


def sequential(base_url: str) -> Counts:
    """The same lists, one request after another (what a plain loop over the SDK does)."""
    from openai_usage_client import UsageClient
    from openai_usage_client.testing import DEFAULT_ADMIN_KEY

    with UsageClient(DEFAULT_ADMIN_KEY, base_url=base_url) as client:
        projects = list(client.projects.list(include_archived=True))
        users = list(client.users.list())
        keys = []
        for p in projects:
            keys += list(client.projects.api_keys.list(p.id, owner_project_access="any"))
            list(client.projects.service_accounts.list(p.id))
        named = sum(1 for k in keys if k.name and k.owner.user and k.owner.user.email)
        return len(projects), len(keys), len(users), named


def ours_sync(base_url: str, concurrency: int | None) -> Counts:
    from openai_usage_client import UsageClient
    from openai_usage_client.testing import DEFAULT_ADMIN_KEY

    options = {} if concurrency is None else {"concurrency": concurrency}
    with UsageClient(DEFAULT_ADMIN_KEY, base_url=base_url, **options) as client:
        return _counts(client.directory())


def ours_async(base_url: str) -> Counts:
    from openai_usage_client import AsyncUsageClient
    from openai_usage_client.testing import DEFAULT_ADMIN_KEY

    async def go() -> Counts:
        async with AsyncUsageClient(DEFAULT_ADMIN_KEY, base_url=base_url) as client:
            return _counts(await client.directory())

    return asyncio.run(go())


def run(rounds: int) -> Section:
    from openai_usage_client._core._client_base import DEFAULT_CONCURRENCY

    default = DEFAULT_CONCURRENCY
    per_project = 2 * PROJECTS  # one API key list and one service account list each
    requests = 2 + per_project  # + the project list and the user list (one page each)

    def ideal(c: int) -> float:
        # The project list first (the user list beside it), then the per-project lists.
        return (1 + math.ceil(per_project / c)) * LATENCY

    section = Section(
        "P6",
        "directory",
        f"client.directory() for {PROJECTS} projects of {KEYS} API keys each ({requests} "
        f"requests of one page: projects, users, and per project its keys and service "
        f"accounts), fake HTTP server on 127.0.0.1 in a child process with "
        f"{LATENCY * 1000:.0f} ms injected latency per request; median of interleaved rounds, "
        "client creation included.",
        reproduce="python -m bench P6",
    )
    expected: Counts = (PROJECTS, PROJECTS * KEYS, KEYS, PROJECTS * KEYS)
    runs: dict[str, Callable[[str], Counts]] = {
        "sequential": sequential,
        f"ours sync c{default} (default)": lambda u: ours_sync(u, None),
        "ours sync c8": lambda u: ours_sync(u, 8),
        f"ours async c{default}": ours_async,
    }
    samples: dict[str, list[float]] = {name: [] for name in runs}
    void: list[str] = []
    with fake_server(LATENCY, 0, "--directory", f"{PROJECTS}x{KEYS}") as base_url:
        sequential(base_url)  # warm up; not timed
        for i in range(rounds):
            for name in rotated(list(runs), i):
                began = time.perf_counter()
                got = runs[name](base_url)
                samples[name].append(time.perf_counter() - began)
                if got != expected:
                    void.append(f"{name} returned {got}, expected {expected}")
    t = {name: statistics.median(v) for name, v in samples.items()}
    seq = t["sequential"]
    for name, c, goal in (
        (f"ours sync c{default} (default)", default, True),
        ("ours sync c8", 8, False),
        (f"ours async c{default}", default, False),
    ):
        section.rows.append(
            Row(name, t[name], "sequential loop, same requests", seq,
                ">= 4x faster" if goal else "-", (seq / t[name] >= 4) if goal else None,
                unit="s", kind="speedup")
        )  # fmt: skip
        section.rows.append(
            Row(name, t[name], f"ideal (1 + ceil({per_project}/{c})) x {LATENCY * 1000:.0f} ms",
                ideal(c), "<= 1.3x", t[name] <= 1.3 * ideal(c), unit="s")
        )  # fmt: skip
    section.rows.append(
        Row("sequential loop", seq, f"ideal {requests} x {LATENCY * 1000:.0f} ms",
            requests * LATENCY, "-", None, unit="s")
    )  # fmt: skip
    ceiling = requests / (1 + math.ceil(per_project / default))
    section.notes.append(
        f"at concurrency {default} no client can beat the sequential loop by more than "
        f"{requests}/{1 + math.ceil(per_project / default)} = {ceiling:.2f}x here: the "
        "per-project lists need the project list's IDs first"
    )
    if void:
        section.notes += [f"VOID: {v}" for v in void]
        for row in section.rows:
            row.met = False if row.met is not None else None
    else:
        section.notes.append(
            f"every run named {expected[0]} projects, {expected[1]} API keys (each with its "
            f"name and owner) and {expected[2]} users"
        )
    return section
