"""A type checker sees each endpoint's parameters, and only those (mypy on a snippet)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SNIPPET = textwrap.dedent(
    """
    from datetime import date
    from openai_usage_client import AsyncBucketStream, AsyncUsageClient, BucketStream, UsageClient

    client = UsageClient("sk-admin-x")
    ok: BucketStream = client.usage.completions(
        start_time=date(2026, 10, 1), group_by=["model", "batch"], batch=True, models=["m"]
    )
    ok2: BucketStream = client.costs(start_time=0, group_by=["line_item"], line_items=["x"])
    client.usage.vector_stores(start_time=0, models=["gpt-4o"])  # E1: not a vector_stores filter
    client.usage.embeddings(start_time=0, group_by=["batch"])  # E2: not an embeddings group
    client.usage.images(start_time=0, bucket_width="1w")  # E3: not a width
    client.costs(start_time=0, bucket_width="1h")  # E4: costs are daily
    client.usage.completions(end_time=5)  # E5: start_time is required
    client.usage.completions(start_time=0, limt=5)  # E6: misspelt
    one: BucketStream = client.usage.completions(start_time="7d", group_by="model", models="m")
    client.usage.completions(start_time=0, group_by="size")  # E7: one value, still checked

    aclient = AsyncUsageClient("sk-admin-x")
    aok: AsyncBucketStream = aclient.usage.web_search_calls(start_time=0, context_levels=["low"])
    """
)


def test_endpoint_parameters_are_checked_statically(tmp_path: Path) -> None:
    path = tmp_path / "snippet.py"
    path.write_text(SNIPPET)
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--hide-error-context",
         "--no-error-summary", str(path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )  # fmt: skip
    lines = [line for line in proc.stdout.splitlines() if ": error:" in line]
    flagged = sorted({int(line.split(":")[1]) for line in lines})
    source = SNIPPET.splitlines()
    expected = sorted(i for i, text in enumerate(source, start=1) if "# E" in text)
    assert flagged == expected, proc.stdout
