"""Run the same scenario through the sync and the async client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx

from openai_usage_client import AsyncUsageClient, Bucket, UsageClient

KEY = "sk-admin-test-key-0123456789"
BASE = "https://api.openai.com/v1"


def make(kind: str, **kwargs: Any) -> UsageClient | AsyncUsageClient:
    kwargs.setdefault("admin_key", KEY)
    if kind == "sync":
        return UsageClient(**kwargs)
    return AsyncUsageClient(**kwargs)


def collect(kind: str, call: Callable[[Any], Any], **client_kwargs: Any) -> list[Bucket]:
    """Create a client of ``kind``, call ``call(client)`` and drain the stream."""
    if kind == "sync":
        with UsageClient(**{"admin_key": KEY, **client_kwargs}) as client:
            return list(call(client))

    async def run() -> list[Bucket]:
        async with AsyncUsageClient(**{"admin_key": KEY, **client_kwargs}) as client:
            return [b async for b in call(client)]

    return asyncio.run(run())


def page(
    buckets: list[dict[str, Any]], next_page: str | None = None, has_more: bool | None = None
) -> dict[str, Any]:
    return {
        "object": "page",
        "data": buckets,
        "has_more": bool(next_page) if has_more is None else has_more,
        "next_page": next_page,
    }


def bucket(
    start: int, width: int = 86400, results: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "object": "bucket",
        "start_time": start,
        "end_time": start + width,
        "results": results or [],
    }


def completions_result(tokens: int = 1, model: str | None = None) -> dict[str, Any]:
    return {
        "object": "organization.usage.completions.result",
        "input_tokens": tokens,
        "output_tokens": tokens,
        "num_model_requests": 1,
        "model": model,
    }


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


_WIDTHS = {"1m": 60, "1h": 3_600, "1d": 86_400}


def whole_page(request: httpx.Request, headers: dict[str, str] | None = None) -> httpx.Response:
    """The live API's answer to an idle window: every bucket from the asked start to the asked
    end (to now without one), each with empty results, ``limit`` of them a page (a cursor
    offers the rest)."""
    params = request.url.params
    cursor = params.get("page")
    start = int(cursor.removeprefix("after-")) if cursor else int(params["start_time"])
    width = _WIDTHS[params.get("bucket_width", "1d")]
    end = int(params["end_time"]) if "end_time" in params else int(time.time())
    limit = int(params.get("limit", 7))
    buckets = []
    t = start
    while t < end and len(buckets) < limit:
        nxt = min(end, (t // width + 1) * width)
        buckets.append({"object": "bucket", "start_time": t, "end_time": nxt, "results": []})
        t = nxt
    return json_response(page(buckets, f"after-{t}" if t < end else None), headers=headers)
