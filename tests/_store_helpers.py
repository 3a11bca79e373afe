"""Shared by the store tests: clients on the fake, and the fake's ground truth as rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from openai_usage_client import UsageClient
from openai_usage_client.store import Store, default_group_by
from openai_usage_client.testing import BASE_URL, DEFAULT_ADMIN_KEY, FakeAPI

DAY = 86_400


def ts(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def client_for(fake: FakeAPI, **options: Any) -> UsageClient:
    http = httpx.Client(transport=fake.transport())
    return UsageClient(DEFAULT_ADMIN_KEY, base_url=BASE_URL, http_client=http, **options)


Key = tuple[int, tuple[Any, ...]]


def truth(fake: FakeAPI, endpoint: str, start: int, end: int) -> dict[Key, dict[str, Any]]:
    """The fake's final values per (bucket start, grouping values), default groupings."""
    group_by = list(default_group_by(endpoint))
    out: dict[Key, dict[str, Any]] = {}
    for bucket in fake.buckets(endpoint, start_time=start, end_time=end, group_by=group_by):
        for key, counters in bucket.results.items():
            out[(bucket.start_time, key)] = dict(counters)
    return out


def stored(store: Store, endpoint: str, start: int, end: int) -> dict[Key, dict[str, Any]]:
    """The store's rows in the same shape as ``truth``; a duplicate row fails the test."""
    group_by = default_group_by(endpoint)
    out: dict[Key, dict[str, Any]] = {}
    for row in store.rows(endpoint, start, end, names=False):
        key = (int(row["start_time"].timestamp()), tuple(row[g] for g in group_by))
        assert key not in out, f"duplicate row {key}"
        if endpoint == "costs":
            counters = {"amount": row["amount_value"], "quantity": row["quantity"]}
        else:
            counters = {k: v for k, v in row.items() if isinstance(v, int) and k not in group_by}
        out[key] = counters
    return out


def assert_equal_truth(
    store: Store, fake: FakeAPI, endpoints: Iterable[str], start: int, end: int
) -> int:
    """Every row of [start, end) equals the fake's ground truth exactly; returns the rows."""
    count = 0
    for endpoint in endpoints:
        want = truth(fake, endpoint, start, end)
        got = stored(store, endpoint, start, end)
        assert got.keys() == want.keys(), endpoint
        for key, counters in want.items():
            for name, value in counters.items():
                have = got[key][name]
                if name == "quantity":  # a float in the rows (the model's type)
                    assert have == float(value), (endpoint, key, name)
                elif isinstance(value, Decimal):
                    assert isinstance(have, Decimal) and have == value, (endpoint, key, name)
                else:
                    assert have == value, (endpoint, key, name)
        count += len(want)
    assert count > 0
    return count


def no_duplicates(store: Store, endpoints: Iterable[str]) -> None:
    conn = store.connection
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for endpoint in endpoints:
        dupes = conn.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {endpoint} GROUP BY organization, "
            "bucket_width, grouping, start_unix, row_key HAVING COUNT(*) > 1)"
        ).fetchone()[0]
        assert dupes == 0
