"""R8: data outside the asked window is never shown or stored (issue 25).

A bucket that starts before the asked start, ends after the asked end (beyond the open bucket
of now), or repeats a start already seen in the same fetch is a malformed response:
``MalformedResponseError`` in the SDK (sync and async, concurrent windows included), exit 6
in the CLI, and ``sync`` stores nothing of that window. Checked with respx and against a real
socket server on loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import respx
from _cli_run import run

from openai_usage_client import (
    AsyncUsageClient,
    MalformedResponseError,
    PaginationError,
    UsageClient,
)
from openai_usage_client.store import Store, SyncIncompleteError

KEY = "sk-admin-window-0000"
BASE = "https://api.openai.com/v1"
COSTS = BASE + "/organization/costs"
COMPLETIONS = BASE + "/organization/usage/completions"
S = 1_790_812_800  # 2026-10-01T00:00:00Z
DAY = 86_400
HOUR = 3_600
OLD = 1_787_788_800  # 2026-08-27T00:00:00Z


def bucket(start: int, width: int = DAY) -> dict[str, Any]:
    return {"object": "bucket", "start_time": start, "end_time": start + width, "results": []}


def page(*buckets: dict[str, Any]) -> dict[str, Any]:
    return {"object": "page", "data": list(buckets), "has_more": False, "next_page": None}


def fetch(kind: str, method: str, **params: Any) -> list[Any]:
    if kind == "sync":
        with UsageClient(KEY, max_retries=0) as client:
            return list(_call(client, method)(**params))

    async def run() -> list[Any]:
        async with AsyncUsageClient(KEY, max_retries=0) as client:
            return [b async for b in _call(client, method)(**params)]

    return asyncio.run(run())


def _call(client: Any, method: str) -> Callable[..., Any]:
    return client.costs if method == "costs" else client.usage.completions


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    ("buckets", "bad", "why"),
    [
        pytest.param(
            [bucket(OLD)],
            OLD,
            "it starts before the asked start 2026-10-01T00:00:00Z",
            id="a bucket of another year",
        ),
        pytest.param(
            [bucket(S), bucket(S + DAY), bucket(S + 4 * DAY)],
            S + 4 * DAY,
            "it starts at or after the asked end 2026-10-03T00:00:00Z",
            id="a bucket after the end",
        ),
        pytest.param(
            [bucket(S), {**bucket(S + DAY), "end_time": S + 5 * DAY}],
            S + DAY,
            "it ends after the asked end 2026-10-03T00:00:00Z",
            id="a bucket running past the end",
        ),
    ],
)
def test_a_bucket_outside_the_window_is_refused(
    kind: str, buckets: list[dict[str, Any]], bad: int, why: str
) -> None:
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(COSTS).respond(json=page(*buckets))
        with pytest.raises(MalformedResponseError) as caught:
            fetch(kind, "costs", start_time=S, end_time=S + 2 * DAY)
    assert route.call_count == 1
    error = caught.value
    assert not isinstance(error, PaginationError)
    assert (error.bucket_start, error.reason) == (bad, why)
    assert str(error).startswith(
        f"The server sent a bucket of {_iso(bad)} to "
        f"{_iso(next(b['end_time'] for b in buckets if b['start_time'] == bad))} in answer to "
        f"2026-10-01T00:00:00Z to 2026-10-03T00:00:00Z: {why}; stopping rather than counting "
        "another period's data as this one's. Nothing was delivered; retry with the same "
        "arguments."
    )
    assert error.resume_start_time == S


def _iso(seconds: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_repeated_start_in_one_fetch_is_refused(kind: str) -> None:
    with respx.mock(assert_all_called=True) as mock:
        mock.get(COSTS).respond(json=page(bucket(S), bucket(S)))
        with pytest.raises(PaginationError) as caught:
            fetch(kind, "costs", start_time=S, end_time=S + 2 * DAY)
    assert isinstance(caught.value, MalformedResponseError)
    assert "again or out of order" in str(caught.value)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_concurrent_windows_each_check_their_own_window(kind: str) -> None:
    """Three days of hourly buckets, one page a day, fetched as three concurrent windows;
    the server answers every request with the first day: the other windows refuse it."""
    first_day = page(*(bucket(S + h * HOUR, HOUR) for h in range(24)))
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(COMPLETIONS).respond(json=first_day)
        with pytest.raises(MalformedResponseError) as caught:
            fetch(kind, "completions", start_time=S, end_time=S + 3 * DAY, bucket_width="1h",
                  limit=24, concurrency=3)  # fmt: skip
    windows = sorted(int(parse_qs(urlsplit(str(c.request.url)).query)["start_time"][0])
                     for c in route.calls)  # fmt: skip
    assert windows[:1] == [S] and len(windows) >= 2
    assert caught.value.bucket_start == S
    assert caught.value.reason.startswith("it starts before the asked start 2026-10-0")


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_an_open_range_refuses_a_bucket_after_the_open_bucket_of_now(kind: str) -> None:
    far = S + 400 * 365 * DAY
    with respx.mock(assert_all_called=True) as mock:
        mock.get(COSTS).respond(json=page(bucket(far)))
        with pytest.raises(MalformedResponseError) as caught:
            fetch(kind, "costs", start_time=S)
    assert caught.value.reason == "it starts after the open bucket of now"


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_partial_first_bucket_and_the_last_bucket_are_accepted(kind: str) -> None:
    """The live API's first bucket is partial when the start is not aligned: still this
    window's. The contrast to the refusals above."""
    first = {"object": "bucket", "start_time": S + 6 * HOUR, "end_time": S + DAY, "results": []}
    with respx.mock(assert_all_called=True) as mock:
        mock.get(COSTS).respond(json=page(first, bucket(S + DAY)))
        got = fetch(kind, "costs", start_time=S + 6 * HOUR, end_time=S + 2 * DAY)
    assert [b.start_time for b in got] == [S + 6 * HOUR, S + DAY]


# --- a real socket server ----------------------------------------------------------------


class _Hostile(BaseHTTPRequestHandler):
    """Answers every costs request with ``server.answer(start, end)``."""

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        start = int(query["start_time"][0])
        end = int(query["end_time"][0]) if "end_time" in query else None
        body = json.dumps(self.server.answer(start, end)).encode()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@contextlib.contextmanager
def hostile(answer: Callable[[int, int | None], dict[str, Any]]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    server.answer = answer  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", KEY)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


def test_the_cli_exits_6_on_a_bucket_of_another_year() -> None:
    with hostile(lambda start, end: page(bucket(OLD))) as url:
        code, out, err = run("--base-url", url, "--max-retries", "0", "costs", "--start",
                             "2026-10-01", "--end", "2026-10-03", "-f", "csv")  # fmt: skip
    assert (code, out) == (6, "")
    assert "The server sent a bucket of 2026-08-27T00:00:00Z to 2026-08-28T00:00:00Z" in err
    assert "it starts before the asked start 2026-10-01T00:00:00Z" in err
    assert KEY not in err


def test_the_cli_exits_6_on_a_repeated_bucket() -> None:
    with hostile(lambda start, end: page(bucket(start), bucket(start))) as url:
        code, out, err = run("--base-url", url, "--max-retries", "0", "costs", "--start",
                             "2026-10-01", "--end", "2026-10-03", "-f", "csv")  # fmt: skip
    assert (code, out) == (6, "")
    assert "again or out of order" in err


def _honest(start: int, end: int | None, *, stop: int | None = None) -> list[dict[str, Any]]:
    last = min(end if end is not None else start + DAY, stop or 2**40)
    return [bucket(t) for t in range(start, last, DAY)]


def _covered(db: Path) -> list[int]:
    with Store(db) as store:
        return [
            r[0]
            for r in store.connection.execute(
                "SELECT bucket_start FROM coverage WHERE endpoint = 'costs' ORDER BY 1"
            )
        ]


def test_sync_stores_nothing_of_a_window_with_a_bucket_of_another_period(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    # Every asked bucket, and one of August 2026 after them.
    with hostile(lambda start, end: page(*_honest(start, end), bucket(OLD))) as url:
        code, _, err = run("--base-url", url, "--max-retries", "0", "sync", "--db", str(db),
                           "--start", "2026-10-01", "--endpoint", "costs",
                           "--no-names")  # fmt: skip
    assert code == 6, err
    assert "it starts before the asked start 2026-10-01T00:00:00Z" in err
    assert _covered(db) == []
    with Store(db) as store:
        assert store.connection.execute("SELECT COUNT(*) FROM costs").fetchone() == (0,)


def test_sync_keeps_the_honest_windows_and_nothing_of_the_bad_one(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    bad = S + 7 * DAY  # the second window of seven days answers with August's bucket

    def answer(start: int, end: int | None) -> dict[str, Any]:
        return page(bucket(OLD)) if start >= bad else page(*_honest(start, end))

    with (
        hostile(answer) as url,
        UsageClient(KEY, base_url=url, max_retries=0) as client,
        Store(db) as store,
        pytest.raises(SyncIncompleteError) as caught,
    ):
        store.sync(client, start=S, endpoints=["costs"], now=S + 14 * DAY, window=7,
                   directory=False)  # fmt: skip
    assert isinstance(caught.value.cause, MalformedResponseError)
    covered = _covered(db)
    assert all(S <= t < bad for t in covered)  # the first week at most: never August's
    assert OLD not in covered


def test_a_bucket_the_server_leaves_out_is_not_counted_as_stored(tmp_path: Path) -> None:
    """The live API sends a bucket for every day, empty ones included: a day left out is
    missing, not a day without spend."""
    db = tmp_path / "gap.db"
    skipped = S + 3 * DAY
    with hostile(
        lambda start, end: page(*(b for b in _honest(start, end) if b["start_time"] != skipped))
    ) as url:
        code, _, err = run("--base-url", url, "--max-retries", "0", "sync", "--db", str(db),
                           "--start", "2026-10-01", "--endpoint", "costs",
                           "--no-names")  # fmt: skip
    # A malformed answer (exit 6) naming the gap, never a day stored as without spend.
    assert code == 6, err
    assert (
        "The server left out the buckets from 2026-10-04T00:00:00Z to 2026-10-05T00:00:00Z" in err
    )
    assert skipped not in _covered(db)
    with Store(db) as store:
        found = store.coverage("costs", S, S + 7 * DAY, now=S + 30 * DAY)
    # The window that held the gap is not stored at all: the rest of the week is missing
    # (the first day was fetched alone first, to size the windows: it is kept).
    assert found.endpoints["costs"].missing == ((S + DAY, S + 7 * DAY),)


@pytest.mark.parametrize(
    ("linger", "detail"),
    [
        (True, "[Errno 104] Connection reset by peer"),
        (False, "Server disconnected without sending a response."),
    ],
    ids=["tcp reset", "closed before answering"],
)
def test_a_connection_reset_by_the_server_is_called_that(linger: bool, detail: str) -> None:
    import socket
    import struct

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def drop() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = listener.accept()
                conn.recv(65536)
                if linger:  # close with RST
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()

    threading.Thread(target=drop, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    try:
        code, out, err = run("--base-url", url, "--max-retries", "0", "costs", "--start",
                             "2026-10-01", "--end", "2026-10-03")  # fmt: skip
    finally:
        listener.close()
    assert (code, out) == (5, "")
    assert err == (
        f"openai-usage: error: Connection error: connection reset by the server: {detail} "
        "Nothing was delivered; retry with the same arguments.\n"
    ).replace(f"{detail} Nothing", f"{detail}{'' if detail.endswith('.') else '.'} Nothing")
