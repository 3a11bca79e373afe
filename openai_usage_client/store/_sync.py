"""A sync's options and its job: check the options, plan per series, keep the run log, write
window by window, and turn a failure into ``SyncIncompleteError``. The sync and async
drivers (``_drivers``), which differ only in how they iterate pages and wait, run a job.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._core._endpoints import ENDPOINTS
from .._core._exceptions import (
    BadRequestError,
    InvalidParameterError,
    MalformedResponseError,
    OpenAIUsageError,
)
from .._core._exports import rows
from ._errors import SyncIncompleteError, SyncTerminated
from ._pages import concurrency_for, stored_per_bucket, window_for
from ._plan import Series, Window, plan
from ._refusal import Refusal, fallback, forget, remember, remembered
from ._refused import forget_window, remember_window
from ._schema import grouping_text, quote
from ._sync_options import SyncOptions
from ._sync_summary import SyncSummary
from ._write import Writer, update_directory

__all__ = ["SyncJob", "SyncOptions"]

_log = logging.getLogger("openai_usage_client.store")


def _iso(t: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def _day(t: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(t))


@dataclass
class SyncJob:
    """One sync in progress on an open connection (the caller holds the sync lock)."""

    conn: sqlite3.Connection
    path: str
    options: SyncOptions
    organization: str
    summary: SyncSummary = field(default_factory=SyncSummary)
    plans: list[tuple[Series, list[Window]]] = field(default_factory=list)
    done: set[Window] = field(default_factory=set)
    run_id: int = 0
    #: Buckets per window (= per request and per transaction), per series (its width's).
    sizes: dict[tuple[str, str, str, str], int] = field(default_factory=dict)
    #: Results per bucket, per series, once known (``_pages``: what sizes the windows).
    per_bucket: dict[tuple[str, str, str, str], int] = field(default_factory=dict)
    #: Buckets fetched alone to learn ``per_bucket``, per series (at most two).
    probes: dict[tuple[str, str, str, str], int] = field(default_factory=dict)
    #: Called with the endpoint and the summary so far after every page and every window.
    progress: Callable[[str, SyncSummary], None] | None = None
    #: Per endpoint, what the summary will say about the grouping used (a new series, a
    #: remembered refusal).
    notes: dict[str, list[str]] = field(default_factory=dict)
    #: ``last_run`` of each planned series before this run (``None``: a new series).
    previous: dict[tuple[str, str, str, str], int | None] = field(default_factory=dict)
    #: Malformed answers of windows refused so far (the sync went on without them).
    refusals: list[MalformedResponseError] = field(default_factory=list)
    #: The server's clock (``client.server_time``), when the client reads it.
    server_time: Callable[[], int | None] | None = None
    #: ``time.monotonic()`` when the run began (its length on any clock).
    began: float = field(default_factory=time.monotonic)

    def now(self) -> int:
        """What is settled, provisional or not yet happened is the server's call: its
        ``Date`` once it answered (a fake server's clock may be fixed in the past; the live
        API's may differ from this machine's by minutes), unless ``now`` was given."""
        if not self.options.clock_given and self.server_time is not None:
            found = self.server_time()
            if found is not None:
                return found
        return self.options.now

    def clock(self) -> int:
        """The time on the sync's clock, for the run log and ``fetched_at``: the given
        ``now`` (a fake's clock) plus the time the run has taken, else the server's ``Date``
        once it answered, else this machine's clock. A store synced from a fake whose clock
        is fixed in the past then says when, on that clock, it was synced."""
        elapsed = int(time.monotonic() - self.began)
        if self.options.clock_given:
            return self.options.now + elapsed
        if self.server_time is not None and (found := self.server_time()) is not None:
            return found
        return int(time.time())

    def prepare(self) -> None:
        """Plan every series and open the run's log row (marking crashed runs)."""
        o = self.options
        conn = self.conn
        if o.held:
            self._plan_held()
        for name in o.endpoints:
            if any(p.endpoint == name for p, _ in self.plans):
                continue  # already refreshed as a series the store holds
            group_by = o.group_by[name]
            refusal = remembered(conn, name, self.organization)
            if (
                name in o.defaulted
                and refusal is not None
                and refusal.refused == grouping_text(name, group_by)
                and not o.retry_refused
                and o.now < refusal.retry_at
            ):
                # Refused before: do not send the refused request every day.
                group_by = tuple(g for g in refusal.instead.split(",") if g)
                self.notes[name] = [refusal.note()]
            self.plans.append(self._plan(name, group_by))
        with conn:
            # A run still 'running' while we hold the lock was killed: say so in the log.
            conn.execute("UPDATE sync_runs SET outcome = 'interrupted' WHERE outcome = 'running'")
            cursor = conn.execute(
                "INSERT INTO sync_runs (started_at, outcome, endpoints) VALUES (?, 'running', ?)",
                (_iso(self.clock()), json.dumps(self.endpoints())),
            )
            self.run_id = int(cursor.lastrowid or 0)

    def run_for(self, series: Series) -> int:
        """The ``last_run`` a window of ``series`` records: this run's, except for a series a
        plain sync refreshes that is not the one its endpoint reads (synced last): it keeps
        its own, so refreshing it never makes it the one read."""
        before = self.previous.get(series.key())
        if not self.options.held or before is None:
            return self.run_id
        latest = max(
            (b or 0 for (e, o, _, _), b in self.previous.items()
             if e == series.endpoint and o == series.organization),
            default=0,
        )  # fmt: skip
        return self.run_id if before >= latest else before

    def endpoints(self) -> list[str]:
        """The endpoints this run syncs (those named, or every one the store holds)."""
        return list(dict.fromkeys([*self.options.endpoints, *(p.endpoint for p, _ in self.plans)]))

    def _plan_held(self) -> None:
        """A sync that names no endpoint refreshes every series the store holds of this
        organization (each endpoint, width and grouping), oldest first, so the series each
        endpoint reads (the one synced last) stays the one synced last. A grouping the API
        refused is left to the fallback logic of the endpoint's default plan."""
        held = self.conn.execute(
            "SELECT endpoint, bucket_width, grouping FROM series WHERE organization = ? "
            "ORDER BY last_run, endpoint",
            (self.organization,),
        ).fetchall()
        for name, width, grouping in held:
            if name not in ENDPOINTS:
                continue
            refusal = remembered(self.conn, name, self.organization)
            if refusal is not None and refusal.refused == grouping:
                continue
            self.plans.append(self._plan(name, [g for g in grouping.split(",") if g], width))

    def _plan(
        self, name: str, group_by: Sequence[str], width: str | None = None
    ) -> tuple[Series, list[Window]]:
        o = self.options
        width = width or ("1d" if ENDPOINTS[name].is_costs else o.bucket_width)
        series = Series(name, self.organization, width, grouping_text(name, group_by))
        covered = dict(
            self.conn.execute(
                "SELECT bucket_start, state FROM coverage WHERE endpoint = ? AND "
                "organization = ? AND bucket_width = ? AND grouping = ?",
                series.key(),
            )
        )
        if o.refetch is not None:  # fetched again whatever is stored of it
            lo, hi = o.refetch
            covered = {b: state for b, state in covered.items() if not lo <= b < hi}
        start = o.start if o.start is not None else self._default_start(series)
        maximum = ENDPOINTS[name].limits[width].maximum
        self.sizes[series.key()] = min(o.window or maximum, maximum)
        per_bucket = stored_per_bucket(self.conn, series)
        if per_bucket is not None and o.window is None:  # else probed (_pages), or given
            self.learned(series, per_bucket)
        row = self.conn.execute(
            "SELECT last_run FROM series WHERE endpoint = ? AND organization = ? AND "
            "bucket_width = ? AND grouping = ?",
            series.key(),
        ).fetchone()
        self.previous[series.key()] = None if row is None else int(row[0])
        if row is None:
            self._note_new_series(series, start)
        windows = plan(
            series, covered, start=start, now=o.now, settle_days=o.settle_days,
            window=self.sizes[series.key()],
        )  # fmt: skip
        return series, windows

    def _note_new_series(self, series: Series, start: int) -> None:
        # A grouping (or width) change: say that the stored range is fetched again as a new
        # series and that the old one is kept, never mixed with it.
        last = self.conn.execute(
            "SELECT bucket_width, grouping FROM series WHERE endpoint = ? AND organization = ? "
            "ORDER BY last_run DESC LIMIT 1",
            (series.endpoint, series.organization),
        ).fetchone()
        if last is None or series.endpoint in self.notes:
            return
        self.notes[series.endpoint] = [
            f"{series.endpoint}: now {series.bucket_width} by "
            f"{series.grouping.replace(',', ', ') or 'nothing'}, a new series fetched from "
            f"{_day(start)}; the series {last[0]} by {last[1].replace(',', ', ') or 'nothing'} "
            "is kept as it was (store.rows(..., group_by=...) reads it)"
        ]

    def refused(self, index: int, error: BadRequestError) -> tuple[Series, list[Window]] | None:
        """After a 400 for ``plans[index]``: the plan of the fallback grouping when the
        series uses a default grouping the API may refuse (the refusal is then remembered and
        warned about), else ``None`` (the error stands)."""
        series, _ = self.plans[index]
        o = self.options
        said = error.api_message or str(error)
        instead = fallback(series.endpoint, tuple(series.group_by), said)
        if series.endpoint not in o.defaulted or instead is None:
            return None
        self.count_request(series.endpoint)  # the refused request was sent
        # A fallback refused in turn (costs by user, then by key): the memory keeps the
        # default grouping as the refused one, so later syncs go straight to the last.
        before = remembered(self.conn, series.endpoint, self.organization)
        first = before.refused if before and before.instead == series.grouping else None
        refusal = Refusal(
            series.endpoint, self.organization, first or series.grouping,
            grouping_text(series.endpoint, instead), o.now, said,
        )  # fmt: skip
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._discard(series)
            remember(conn, refusal)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # an interruption may come before BEGIN took
                conn.execute("ROLLBACK")
            raise
        self.summary.warnings.append(
            f"{series.endpoint}: the API refused grouping by "
            f"{series.grouping.replace(',', ', ')} for organization {self.organization} "
            f"(HTTP 400: {refusal.message}); stored by {refusal.instead.replace(',', ', ')} "
            f"instead. Remembered: later syncs do not ask again until {_day(refusal.retry_at)} "
            "(--retry-refused, or retry_refused=True, asks now)"
        )
        self.notes.pop(series.endpoint, None)
        replacement = self._plan(series.endpoint, instead)
        self.plans[index] = replacement
        return replacement

    def _discard(self, series: Series) -> None:
        # Windows of the refused series written before the refusal (a refusal that depends on
        # the time range): a new series is removed whole, an older one read as before.
        before = self.previous.get(series.key())
        where = "organization = ? AND bucket_width = ? AND grouping = ?"
        key = series.key()
        if before is not None:
            self.conn.execute(
                f"UPDATE series SET last_run = ? WHERE endpoint = ? AND {where}", (before, *key)
            )
            return
        self.conn.execute(f"DELETE FROM {quote(series.endpoint)} WHERE {where}", key[1:])
        self.conn.execute(f"DELETE FROM coverage WHERE endpoint = ? AND {where}", key)
        self.conn.execute(f"DELETE FROM series WHERE endpoint = ? AND {where}", key)

    def completed(self, index: int) -> None:
        """``plans[index]`` was fetched whole: a refusal of its grouping is forgotten."""
        series, _ = self.plans[index]
        refusal = remembered(self.conn, series.endpoint, self.organization)
        if refusal is not None and refusal.refused == series.grouping:
            with self.conn:
                forget(self.conn, series.endpoint, self.organization)
            self.notes.setdefault(series.endpoint, []).append(
                f"{series.endpoint}: the API accepted grouping by "
                f"{series.grouping.replace(',', ', ')} this time; its refusal of "
                f"{_day(refusal.at)} is forgotten"
            )

    def _default_start(self, series: Series) -> int:
        # Later syncs continue where the store starts: this series' first bucket, else the
        # endpoint's other series (a grouping change refetches the same range), else any.
        for where, params in (
            ("endpoint = ? AND organization = ?", (series.endpoint, series.organization)),
            ("organization = ?", (series.organization,)),
        ):
            row = self.conn.execute(
                f"SELECT MIN(bucket_start) FROM coverage WHERE {where}", params
            ).fetchone()
            if row[0] is not None:
                return int(row[0])
        raise InvalidParameterError(
            "start",
            None,
            f"required for the first sync of {series.endpoint} into {self.path} "
            "(e.g. start='2026-01-01'; later syncs continue from what is stored)",
        )

    def replan(self, series: Series, before: list[Window], after: list[Window]) -> None:
        """``series``' windows ``before`` are now ``after`` (split into page-sized ones):
        what a failure says is missing follows the windows actually fetched."""
        for i, (planned, windows) in enumerate(self.plans):
            if planned == series:
                kept = [w for w in windows if w not in before]
                self.plans[i] = (planned, sorted([*kept, *after], key=lambda w: w.start))

    def learned(self, series: Series, per_bucket: int) -> None:
        """Results per bucket of ``series`` are known: windows hold about a page's worth."""
        key = series.key()
        self.per_bucket[key] = per_bucket
        self.sizes[key] = window_for(per_bucket, self.sizes[key])

    def stream_args(
        self, series: Series, lo: int, hi: int, concurrency: int | None = None
    ) -> dict[str, Any]:
        # limit = the window size: the client's pages then line up with the windows.
        key = series.key()
        args = {
            "start_time": lo,
            "end_time": hi,
            "bucket_width": series.bucket_width,
            "group_by": series.group_by or None,
            "limit": self.sizes[key],
        }
        if concurrency is not None and key in self.per_bucket:  # fewer large pages at once
            args["concurrency"] = concurrency_for(
                self.per_bucket[key], self.sizes[key], concurrency
            )
        return args

    def write(self, writer: Writer, window: Window, buckets: list[Any]) -> None:
        present = {b.start_time for b in buckets}
        result = writer.write(
            window,
            rows(buckets, window.series.endpoint),
            now=self.now(),
            settle_days=self.options.settle_days,
            fetched_at=self.clock(),
            run_id=self.run_for(window.series),
            present=present,
        )
        got = sum(1 for b in window.bucket_starts() if b in present)
        s = self.summary
        s.windows_written += 1
        s.buckets_fetched += got
        s.rows_inserted += result.inserted
        s.rows_revised += result.revised
        s.rows_removed += result.removed
        sent, fetched = s.endpoints.get(window.series.endpoint, (0, 0))
        s.endpoints[window.series.endpoint] = (sent, fetched + got)
        self.done.add(window)
        forget_window(self.conn, window.series.key(), window.start, window.end)
        if self.progress is not None:
            self.progress(window.series.endpoint, s)

    def count_request(self, endpoint: str) -> None:
        self.summary.requests += 1
        requests, buckets = self.summary.endpoints.get(endpoint, (0, 0))
        self.summary.endpoints[endpoint] = (requests + 1, buckets)
        if self.progress is not None:
            self.progress(endpoint, self.summary)

    def refuse(self, todo: list[Window], error: MalformedResponseError) -> list[Window]:
        """A malformed answer for one window (a number out of bounds, a bucket left out):
        nothing of it is stored, and the sync goes on with the other windows; it ends with
        the error (exit 6), the refused window among the missing ones, which a later sync
        fetches again. An error no window can be blamed for stops the sync at once."""
        at = error.bucket_start
        bad = next(
            (w for w in todo if w not in self.done and at is not None and w.start <= at < w.end),
            None,
        )
        if bad is None:
            raise error
        self.refusals.append(error)
        remember_window(self.conn, bad.series.key(), bad.start, bad.end, error.reason or str(error))
        _log.warning("%s: window %s..%s refused: %s", bad.series.endpoint, _day(bad.start),
                     _day(bad.end), error)  # fmt: skip
        return [w for w in todo if w not in self.done and w != bad]

    def raise_refused(self) -> None:
        """At the end of a sync that refused windows: their first error (exit 6)."""
        if self.refusals:
            raise self.refusals[0]

    def missing(self) -> list[Window]:
        return [w for _, windows in self.plans for w in windows if w not in self.done]

    def directory(self, found: Any) -> None:
        self.summary.directory_changes = update_directory(
            self.conn, found, self.organization, self.options.now
        )

    def finish(self, outcome: str, error: BaseException | None = None) -> None:
        s = self.summary
        s.notes = [text for name in self.endpoints() for text in self.notes.get(name, [])]
        missing = [
            {"endpoint": w.series.endpoint, "start": w.start, "end": w.end} for w in self.missing()
        ]
        finished = self.clock()
        with self.conn:
            self.conn.execute(
                "UPDATE sync_runs SET started_at = ?, finished_at = ?, outcome = ?, "
                "requests = ?, buckets = ?, rows_inserted = ?, rows_revised = ?, "
                "rows_removed = ?, directory_changes = ?, error = ?, missing = ? WHERE id = ?",
                (
                    _iso(finished - int(time.monotonic() - self.began)),
                    _iso(finished),
                    outcome,
                    s.requests,
                    s.buckets_fetched,
                    s.rows_inserted,
                    s.rows_revised,
                    s.rows_removed,
                    s.directory_changes or 0,
                    None if error is None else f"{type(error).__name__}: {error}",
                    json.dumps(missing) if missing else None,
                    self.run_id,
                ),
            )

    def fail(self, error: BaseException) -> BaseException:
        """Log the failure; the error to raise (``SyncIncompleteError`` for API errors)."""
        interrupted = isinstance(error, KeyboardInterrupt | asyncio.CancelledError)
        self.finish("interrupted" if interrupted else "failed", error)
        if isinstance(error, SyncTerminated):  # SIGTERM: say what was stored, how to resume
            return SyncIncompleteError(self.path, self.summary, self.missing(), error)
        if not isinstance(error, OpenAIUsageError | sqlite3.OperationalError):
            return error  # an interruption, or a defect: not something a rerun fixes
        # API errors after their retries, and SQLite's "database is locked" after its busy
        # timeout (another program writing the file): a rerun continues.
        return SyncIncompleteError(self.path, self.summary, self.missing(), error)
