"""``Store``: a SQLite file kept current by ``sync`` and read like the live API."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from .._core._exceptions import InvalidParameterError
from . import _estimates
from ._coverage import Coverage, coverage, last_syncs
from ._drivers import run_async, run_sync
from ._errors import StoreDamagedError, StoreEmptyError, StoreError, disk_full
from ._lock import SyncLock
from ._names import stored_directory
from ._read import Freshness, freshness, read_rows, to_unix
from ._schema import check_integrity, ensure_schema, grouping_text, readable, stored_version
from ._series import StoredSeries, counter_series, current_series, ranked
from ._sync import SyncJob, SyncOptions
from ._sync_summary import SyncSummary
from ._write import update_directory

if TYPE_CHECKING:
    from ..directory import Directory
    from ._parquet import ExportSummary
    from ._select import Selection

__all__ = ["Store"]

When = int | datetime | date | str


def _connect_read_only(path: str, busy_timeout: float) -> sqlite3.Connection:
    """A connection that cannot write the file. In a folder this user may not write (a
    mounted backup), SQLite cannot make the WAL's shared-memory file: the store is then read
    as an immutable file, as the last sync left it (a sync running at the same time is not
    seen: docs/store.md)."""
    from urllib.parse import quote

    uri = "file:" + quote(os.path.abspath(path))
    for mode in ("?mode=ro", "?mode=ro&immutable=1"):
        conn = sqlite3.connect(
            uri + mode, uri=True, timeout=busy_timeout, isolation_level=None,
            check_same_thread=False,
        )  # fmt: skip
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as error:
            conn.close()
            if "unable to open" in str(error) and mode == "?mode=ro":
                continue
            raise
        return conn
    raise AssertionError("unreachable")  # pragma: no cover


def _store_error(path: str, error: sqlite3.DatabaseError) -> Exception:
    """What SQLite's refusal to read a file means for a store (a busy file: itself)."""
    from ._errors import StoreForeignError

    if "locked" in str(error) or "busy" in str(error):
        return error
    if disk_full(error):
        folder = os.path.dirname(os.path.abspath(path))
        return StoreError(
            f"cannot write the store {path}: the disk is full ({folder} has no room left); "
            "free some space there (or put the store on a larger disk) and run the same "
            "command again"
        )
    if "not a database" in str(error):
        return StoreForeignError(path, "it is not an SQLite database")
    return StoreDamagedError(path, str(error))


def _checked(
    conn: sqlite3.Connection, path: str, check: Callable[[sqlite3.Connection, str], Any]
) -> int | None:
    """``check(conn, path)``; a file SQLite cannot read becomes ``StoreDamagedError`` (or, when
    it is no database at all, ``StoreForeignError``); the connection is closed on error."""
    try:
        found: int | None = check(conn, path)
    except sqlite3.DatabaseError as error:
        conn.close()
        raise _store_error(path, error) from None
    except BaseException:
        conn.close()
        raise
    return found


class Store:
    """A local copy of an organization's usage and costs in one SQLite file.

    ``Store(path)`` opens the file (creating it, or migrating an older schema). ``sync``
    (``await async_sync`` for ``AsyncUsageClient``) brings it up to date; ``rows`` reads it
    back as the live export's rows; ``freshness`` says how current it is;
    ``export_parquet`` hands it to a warehouse. ``busy_timeout`` bounds how long a write
    waits for another connection's write; ``lock_timeout`` how long a sync waits for another
    sync on the same file before raising ``StoreLockedError``.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        busy_timeout: float = 30.0,
        lock_timeout: float = 60.0,
        read_only: bool = False,
    ) -> None:
        self.path = os.fspath(path)
        self.lock_timeout = lock_timeout
        #: Opened for reading only (``read_only=True``): nothing in the file is ever changed.
        self.read_only = read_only
        self._closed = False
        #: The schema version the file had when opened (``None``: new file).
        self.migrated_from: int | None
        if read_only:
            try:
                self._conn = _connect_read_only(self.path, busy_timeout)
            except sqlite3.DatabaseError as error:
                raise _store_error(self.path, error) from None
            self.migrated_from = _checked(self._conn, self.path, readable)
            return
        # Autocommit mode: the store opens its own transactions (BEGIN IMMEDIATE), one per
        # window. check_same_thread=False: the async sync writes from worker threads, one at
        # a time.
        self._conn = sqlite3.connect(
            self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )

        def prepare(conn: sqlite3.Connection, path: str) -> int | None:
            stored_version(conn, path)  # another application's file is refused before any write
            # WAL: readers never wait for a sync, and a crash leaves every transaction whole.
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            return ensure_schema(conn, path)

        self.migrated_from = _checked(self._conn, self.path, prepare)

    def __repr__(self) -> str:
        return f"Store({self.path!r})"

    # --- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        self._conn.close()
        self._closed = True

    @property
    def closed(self) -> bool:
        """Whether ``close`` was called (a closed store reads nothing)."""
        return self._closed

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def connection(self) -> sqlite3.Connection:
        """The open SQLite connection (read the views, or run your own queries)."""
        return self._conn

    # --- sync ----------------------------------------------------------------------------

    def _writable(self) -> None:
        """A sync writes only into a store it opened for writing, and checks it first: a
        damaged store is refused (``StoreDamagedError``), never written into."""
        if self.read_only:
            raise StoreError(f"{self.path} was opened read-only: open Store(path) to sync it")
        _checked(self._conn, self.path, check_integrity)

    def _job(self, client: Any, **options: Any) -> SyncJob:
        self._writable()
        start = options.pop("start")
        progress = options.pop("progress")
        again = options.pop("refetch")
        if again is not None:
            lo, hi = to_unix(again[0]), to_unix(again[1])
            if lo is None or hi is None:
                raise InvalidParameterError("refetch", again, "(start, end), both times")
            options["refetch"] = (lo, hi)
        checked = SyncOptions.check(
            start=to_unix(start) if start is not None else None,
            now=to_unix(options.pop("now")),
            **options,
        )
        organization = getattr(client, "organization", None) or "default"
        clock = getattr(client, "server_time", None)
        return SyncJob(
            self._conn, self.path, checked, organization, progress=progress,
            server_time=clock if callable(clock) else None,
        )  # fmt: skip

    def sync(
        self,
        client: Any,
        *,
        start: When | None = None,
        endpoints: Iterable[str] | None = None,
        settle_days: int = 2,
        bucket_width: str = "1d",
        group_by: Mapping[str, Sequence[str]] | None = None,
        directory: bool = False,
        now: When | None = None,
        window: int | None = None,
        lock_timeout: float | None = None,
        progress: Callable[[str, SyncSummary], None] | None = None,
        retry_refused: bool = False,
        refetch: tuple[When, When] | None = None,
    ) -> SyncSummary:
        """Bring the store up to date with a ``UsageClient``; returns what was done.

        ``endpoints`` defaults to every series the store holds (each endpoint, bucket width
        and grouping, oldest first so the one each endpoint reads stays the one synced last),
        plus costs and completions; a first sync stores costs and completions.
        ``refetch=(start, end)`` fetches ``[start, end)`` again whatever the store holds of
        it (what a read's ``Lost:`` line asks for: rows deleted or edited behind the store's
        back). A bucket that came back empty is fetched again by every sync until
        ``CONFIRM_DAYS`` (35) days after it ended: an empty answer is no proof of no spend
        while the API's data catches up. Fetched: every bucket from ``start``
        (needed only the first time; later syncs continue from what is stored) up to the
        open bucket holding ``now`` (default: the clock) that is not stored yet or not
        settled: a bucket settles once it ended ``settle_days`` days before ``now``.
        ``bucket_width`` (``1d`` or ``1h``) applies to usage endpoints; costs are daily.
        ``group_by`` maps an endpoint to its group-bys (default: project, line item, key and
        user for costs; project, model, key and user, as supported, for usage); another
        grouping is stored as its own series, the old one kept. When the API refuses the
        default costs grouping (HTTP 400: some organizations may not group costs by user with
        projects), costs are stored without ``user_id``, ``summary.warnings`` says so and the
        store remembers it: later syncs do not send the refused request again for 30 days,
        unless ``retry_refused=True``. A grouping given in ``group_by`` is never replaced.
        ``window`` is the number of buckets per request and per transaction (default: the
        most one page holds). ``directory=True`` also stores the names ``client.directory()``
        returns, when the client has it. ``progress`` is called with the endpoint and the
        summary so far after every page and every window written.

        Each window is written in one transaction that replaces its rows. Raises
        ``StoreLockedError`` if another sync holds the file longer than ``lock_timeout``,
        and ``SyncIncompleteError`` (with ``missing`` and the cause) when a request fails
        after its retries: what was written is kept, and running the sync again finishes.
        """
        from .._client import AsyncUsageClient

        if isinstance(client, AsyncUsageClient):
            raise InvalidParameterError(
                "client", client, "a UsageClient (use `await store.async_sync(client)`)"
            )
        job = self._job(
            client, start=start, endpoints=endpoints, settle_days=settle_days,
            bucket_width=bucket_width, group_by=group_by, directory=directory, now=now,
            window=window, progress=progress, retry_refused=retry_refused, refetch=refetch,
        )  # fmt: skip
        with SyncLock(self.path, self.lock_timeout if lock_timeout is None else lock_timeout):
            job.prepare()
            return run_sync(job, client)

    async def async_sync(
        self,
        client: Any,
        *,
        start: When | None = None,
        endpoints: Iterable[str] | None = None,
        settle_days: int = 2,
        bucket_width: str = "1d",
        group_by: Mapping[str, Sequence[str]] | None = None,
        directory: bool = False,
        now: When | None = None,
        window: int | None = None,
        lock_timeout: float | None = None,
        progress: Callable[[str, SyncSummary], None] | None = None,
        retry_refused: bool = False,
        refetch: tuple[When, When] | None = None,
    ) -> SyncSummary:
        """``sync`` for an ``AsyncUsageClient``: the same options, semantics and errors.
        Waiting for the lock and writing happen in worker threads, off the event loop."""
        from .._client import UsageClient

        if isinstance(client, UsageClient):
            raise InvalidParameterError(
                "client", client, "an AsyncUsageClient (use store.sync(client))"
            )
        job = self._job(
            client, start=start, endpoints=endpoints, settle_days=settle_days,
            bucket_width=bucket_width, group_by=group_by, directory=directory, now=now,
            window=window, progress=progress, retry_refused=retry_refused, refetch=refetch,
        )  # fmt: skip
        lock = SyncLock(self.path, self.lock_timeout if lock_timeout is None else lock_timeout)
        await asyncio.to_thread(lock.acquire)
        try:
            await asyncio.to_thread(job.prepare)
            return await run_async(job, client)
        finally:
            lock.release()

    def update_directory(
        self, directory: Any, *, organization: str = "default", seen_at: When | None = None
    ) -> int:
        """Store a directory's records (projects, API keys, users, service accounts).

        ``directory`` is duck-typed: attributes (or mappings keys, or methods) ``projects``,
        ``api_keys``, ``users``, ``service_accounts``, each an iterable of records (objects or
        mappings) with ``id`` and ``name`` and, as they apply, ``email``, ``redacted_value``,
        ``project_id``, ``owner`` (or ``owner_name``), ``status``, ``created_at``. Records
        the directory no longer lists keep their names (``last_seen`` tells when they were
        last listed). Returns how many records were added or changed.
        """
        import time

        at = to_unix(seen_at)
        if at is None:
            at = int(time.time())
        return update_directory(self._conn, directory, organization, at)

    def keep_estimates(
        self, days: Iterable[tuple[str, date, str, Decimal]], *, made_at: When | None = None
    ) -> int:
        """Keep ``(organization, day, currency, amount)`` spend estimates of unsettled days
        for the record (``attribution.keep_estimate`` makes them), each replacing an earlier
        estimate of its day; ``kept_estimates`` reads them back beside the bill."""
        import time

        self._writable()
        at = to_unix(made_at)
        return _estimates.keep(self._conn, days, int(time.time()) if at is None else at)

    def kept_estimates(
        self, start: date, end: date, *, organization: str | None = None
    ) -> list[dict[str, Any]]:
        """The estimates kept of the days of ``[start, end)``: ``organization``, ``day``,
        ``currency``, ``estimated`` (a ``Decimal``) and ``made_at``, in day order."""
        return _estimates.kept(self._conn, start, end, organization)

    # --- reading -------------------------------------------------------------------------

    def rows(
        self,
        endpoint: str,
        start: When | None = None,
        end: When | None = None,
        names: bool = True,
        *,
        organization: str | None = None,
        bucket_width: str | None = None,
        group_by: Sequence[str] | None = None,
        provisional: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """The stored rows of ``endpoint`` with ``start <= start_time < end``, lazily.

        They equal ``openai_usage_client.rows`` of the same fetch: the same columns, values
        and order. With ``names`` and a stored directory, name columns follow the ID
        columns (``project_name``; ``api_key_name``, ``api_key_redacted_value``,
        ``api_key_owner``; ``user_name``, ``user_email``). The series read is, per
        organization, the one synced last, unless ``bucket_width``/``group_by`` pick another.
        ``provisional=True`` adds a last column, ``provisional``: whether the row's bucket may
        still change (what the store's CSV, JSON and Parquet exports carry).
        """
        series = self._series(endpoint, organization, bucket_width, group_by)
        return read_rows(
            self._conn, endpoint, series, to_unix(start), to_unix(end), names, provisional
        )

    def select(
        self,
        endpoint: str,
        start: When,
        end: When,
        *,
        bucket_width: str | None = None,
        group_by: Sequence[str] | None = None,
        where: Mapping[str, Any] | None = None,
    ) -> Selection:
        """Rows as the API would answer ``endpoint`` for ``[start, end)`` at ``bucket_width``,
        by ``group_by``, filtered by ``where`` (column -> wanted values, or a bool): the
        series the one rule picks among those that can answer, its rows kept by the filters
        and summed to ``group_by`` (``[]``: one row per bucket, as the API without a
        grouping; ``None``: as stored), with a ``provisional`` column. ``NotStoredError`` (before
        any read) when no series holds the width or grouping, or a filtered column."""
        from ._select import select

        span = (to_unix(start) or 0, to_unix(end) or 0)
        return select(self, endpoint, *span, bucket_width=bucket_width, group_by=group_by,
                      where=where)  # fmt: skip

    def summarize(
        self,
        endpoint: str,
        by: Sequence[str] = (),
        fields: Sequence[str] | None = None,
        *,
        start: When | None = None,
        end: When | None = None,
        organization: str | None = None,
        bucket_width: str | None = None,
        group_by: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """``openai_usage_client.summarize(store.rows(endpoint, start, end, names=False), by,
        fields)``, computed without building the rows: the same groups, exact sums, ``rows``
        counts and order, in a fraction of the time (what a report over the store uses).
        ``by`` may name row columns, ``model`` (from costs' line items) and ``date``."""
        from ._totals import totals

        series = self._series(endpoint, organization, bucket_width, group_by)
        return totals(self._conn, endpoint, series, to_unix(start), to_unix(end), by, fields)

    def _series(
        self,
        endpoint: str,
        organization: str | None,
        bucket_width: str | None,
        group_by: Sequence[str] | None,
    ) -> list[tuple[str, str, str]]:
        from .._core._endpoints import ENDPOINTS

        if endpoint not in ENDPOINTS:
            raise InvalidParameterError("endpoint", endpoint, f"one of {', '.join(ENDPOINTS)}")
        grouping = grouping_text(endpoint, group_by) if group_by is not None else None
        return current_series(self._conn, endpoint, organization, bucket_width, grouping)

    def series(
        self, endpoint: str, covering: Sequence[str] = (), *, bucket_width: str | None = None
    ) -> list[StoredSeries]:
        """The stored series of ``endpoint`` whose grouping covers ``covering`` (and of
        ``bucket_width``, if given), best first: the one synced last, then daily before
        hourly, then the coarsest grouping (``store._series``: the rule every read follows).
        Empty when the store holds none."""
        self._series(endpoint, None, None, None)  # the endpoint is checked
        return ranked(self._conn, endpoint, covering, bucket_width=bucket_width)

    def counter_series(self, endpoint: str, organization: str) -> dict[str, Any] | None:
        """The series a counter of ``endpoint`` reads for ``organization``: one a later sync
        cannot flip, with its settled ``end`` (keyword arguments of ``summarize``)."""
        return counter_series(self._conn, endpoint, organization)

    def directory(self, organization: str | None = None) -> Directory:
        """The names the store keeps (of one organization, or all): projects, users,
        service accounts, API keys; a record the last update no longer listed is marked
        ``deleted``. Empty (``len() == 0``) when no sync fetched names."""
        return stored_directory(self._conn, organization)

    def last_syncs(self, endpoint: str) -> tuple[datetime | None, tuple[datetime, ...]]:
        """When the last sync of ``endpoint`` that finished ended (``None``: none did), and
        when the later ones that did not finish started."""
        return last_syncs(self._conn, endpoint)

    def endpoints(self) -> list[str]:
        """The endpoints the store holds a series of."""
        return [r[0] for r in self._conn.execute("SELECT DISTINCT endpoint FROM series ORDER BY 1")]

    def coverage(
        self,
        endpoints: str | Iterable[str],
        start: When,
        end: When,
        *,
        now: When | None = None,
        organization: str | None = None,
        bucket_width: str | None = None,
        group_by: Sequence[str] | None = None,
    ) -> Coverage:
        """What the store holds of ``[start, end)`` for each endpoint, in the series ``rows``
        reads: the missing and provisional spans, whether it is complete, and the last sync
        that finished. ``coverage.lines()`` says it in words (with the sync that fills a
        gap); ``coverage.to_dict()`` is the ``coverage`` object of JSON output. Buckets that
        begin at or after ``now`` (default: the current time) have not happened: not missing.
        """
        names = [endpoints] if isinstance(endpoints, str) else list(endpoints)
        lo, hi, moment = to_unix(start), to_unix(end), to_unix(now)
        if lo is None or hi is None:
            raise InvalidParameterError("start/end", (start, end), "both times of the period")
        picked = [(n, self._series(n, organization, bucket_width, group_by)) for n in names]
        asked = bucket_width is not None or group_by is not None
        chosen = {n: (found[0][1], found[0][2]) for n, found in picked if found and asked}
        return coverage(self._conn, self.path, names, lo, hi, now=moment,
                        organization=organization, series=chosen)  # fmt: skip

    def holes(self, endpoints: Iterable[str] = ()) -> list[str]:
        """``Coverage.gap_lines`` (``Missing:``, ``Refused:``, ``Lost:``, each with the sync
        that fills it) for the buckets between each series' first and last stored one that
        are not in the store (a sync that failed part-way or refused a malformed answer) or
        whose rows no longer match their sync: what an export of the whole store lacks.
        ``endpoints``: those only (default: all)."""
        from ._coverage import holes

        return holes(self, set(endpoints))

    def empty(self, endpoint: str, what: str | None = None) -> StoreEmptyError:
        """The error for a read of ``endpoint`` the store holds nothing of: it names a first
        sync that started and left no data, if one did (exit 10 in the CLI)."""
        last, unfinished = last_syncs(self._conn, endpoint)
        started = unfinished[-1] if last is None and unfinished else None
        return StoreEmptyError(self.path, what or endpoint, started)

    def freshness(self) -> list[Freshness]:
        """How current each endpoint's series is: settled through, provisional buckets, last
        fetch, gaps."""
        return freshness(self._conn)

    # --- hand-off ------------------------------------------------------------------------

    def export_parquet(
        self, directory: str | os.PathLike[str], *, endpoints: Iterable[str] | None = None
    ) -> ExportSummary:
        """Write a Hive-partitioned Parquet dataset (``endpoint=<name>/date=YYYY-MM-DD/
        part-0.parquet``) of the current series, rewriting only partitions whose content
        changed since the last export to ``directory`` (extra ``[parquet]``)."""
        from ._parquet import export_parquet

        return export_parquet(self, directory, endpoints)
