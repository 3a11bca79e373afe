"""The errors the store raises, all under ``OpenAIUsageError``::

OpenAIUsageError
└── StoreError                    the store file cannot be used as asked
    ├── StoreLockedError          another sync holds the file's sync lock
    ├── StoreVersionError         the file was written by a newer version of this package
    │                             (or, for a read, an older one: sync upgrades it)
    ├── StoreDamagedError         SQLite cannot read the file (a page overwritten, cut short)
    ├── StoreForeignError         the file is another application's (or not a database)
    ├── StoreEmptyError           the store holds nothing of what was asked (never synced,
    │                             or a first sync that stopped before it stored anything)
    └── SyncIncompleteError       a sync stopped part-way; committed windows are kept

``SyncTerminated`` (a ``KeyboardInterrupt``, not an error) is what ``on_sigterm()`` raises in
a sync when the process is sent SIGTERM (``timeout``, cron wrappers, systemd): the sync stops
as on Ctrl-C, logs the run as interrupted with its missing ranges, and raises a
``SyncIncompleteError`` whose ``cause`` it is.
"""

from __future__ import annotations

import errno
import os
import signal
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from .._core._exceptions import APIStatusError, OpenAIUsageError

if TYPE_CHECKING:
    from ._plan import Window
    from ._sync_summary import SyncSummary

__all__ = [
    "StoreDamagedError",
    "StoreEmptyError",
    "StoreError",
    "StoreForeignError",
    "StoreLockedError",
    "StoreVersionError",
    "SyncIncompleteError",
    "SyncTerminated",
    "disk_full",
    "on_sigterm",
]


class StoreError(OpenAIUsageError):
    """The store file cannot be used as asked."""


class StoreLockedError(StoreError):
    """Another sync is running on the same store file and did not finish within the wait."""

    def __init__(self, path: str, waited: float) -> None:
        self.path = path
        self.waited = waited
        super().__init__(
            f"another sync is running on {path} (waited {waited:g} s for it): let it finish "
            "and run this sync again, or wait longer for it (sync --lock-timeout SECONDS; "
            "Store(path, lock_timeout=SECONDS))"
        )


class StoreVersionError(StoreError):
    """The file's schema is newer than this package understands (or, for a read, older:
    only ``sync`` upgrades a store)."""


#: The way out of a store that cannot be used, said with every such error.
REBUILD: Final = (
    "restore a copy, or move it aside and rebuild it from the API with 'openai-usage sync "
    "--db NEW.db --start YYYY-MM-DD' (the API keeps a year and more)"
)


class StoreDamagedError(StoreError):
    """SQLite cannot read the file: a page overwritten, a file cut short, garbage."""

    def __init__(self, path: str, detail: str) -> None:
        self.path = path
        super().__init__(f"the store {path} is damaged ({detail}): {REBUILD}")


class StoreForeignError(StoreError):
    """The file is not one of this package's stores (another application's SQLite file, a
    text file): a read never changes it, and a sync refuses to write into it."""

    def __init__(self, path: str, found: str) -> None:
        self.path = path
        super().__init__(
            f"{path} is not a store of openai-usage-client ({found}); nothing was changed: "
            "point --db at a store, or at a new file to create one with 'openai-usage sync'"
        )


class StoreEmptyError(StoreError):
    """The store holds nothing of an endpoint a read needs. ``unfinished`` is when a sync of
    it started that did not finish (killed before its first window was written), if any."""

    def __init__(self, path: str, what: str, unfinished: datetime | None = None) -> None:
        self.path = path
        self.unfinished = unfinished
        why = ""
        if unfinished is not None:
            why = (
                f": a sync started {unfinished:%Y-%m-%d %H:%M} UTC did not finish and left no data"
            )
        super().__init__(
            f"{path} holds no {what}{why}: run 'openai-usage sync --db {path} --start "
            "YYYY-MM-DD' (again)"
        )


class SyncTerminated(KeyboardInterrupt):
    """The process was sent SIGTERM during a sync (see ``on_sigterm``)."""

    def __init__(self) -> None:
        super().__init__("stopped by SIGTERM")


@contextmanager
def on_sigterm() -> Iterator[None]:
    """While inside, SIGTERM raises ``SyncTerminated`` in the main thread instead of ending
    the process at once, so a sync stops as it does on Ctrl-C: its run is logged as
    interrupted with the ranges it did not store. The previous handler is put back on exit;
    outside the main thread (where Python cannot set handlers) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SyncTerminated

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass(frozen=True)
class Missing:
    """A range a failed sync did not store: ``[start, end)`` in Unix seconds."""

    endpoint: str
    start: int
    end: int


class SyncIncompleteError(StoreError):
    """A sync stopped part-way (an API error after every retry, or an interruption).

    Every window written before the failure is kept (each is all-or-nothing); ``missing``
    lists what was not stored, ``summary`` what was done, and ``__cause__`` is the error that
    stopped it. Running the same sync again fetches exactly what is missing.
    """

    def __init__(
        self,
        path: str,
        summary: SyncSummary,
        missing: Sequence[Window],
        cause: BaseException,
    ) -> None:
        self.path = path
        self.summary = summary
        self.missing = [Missing(w.series.endpoint, w.start, w.end) for w in missing]
        self.cause = cause
        ranges = _describe(self.missing)
        why, then = f"{cause}".rstrip("."), "Run the same sync again"
        if isinstance(cause, APIStatusError) and cause.status_code in (400, 401, 403, 404):
            # A refusal fails the same way every time: what to fix first, never to retry.
            then = (
                "The API refused the request, so the same sync fails the same way: fix what "
                "the error names (a grouping, the key's permissions), then sync again"
            )
        elif disk_full(cause):
            folder = os.path.dirname(os.path.abspath(path))
            why = f"the disk is full ({folder} has no room left for the store)"
            then = (
                "Free some space there (or move the store to a larger disk), then run the same "
                "sync again"
            )
        super().__init__(
            f"sync of {path} stopped: {why}. {summary.windows_written} window(s) were "
            f"stored and are kept; not stored: {ranges}. {then} to fetch what is missing "
            "(only that is fetched)."
        )


def disk_full(error: BaseException) -> bool:
    """SQLite's ``SQLITE_FULL`` (``database or disk is full``), or the OS's ``ENOSPC``."""
    if isinstance(error, sqlite3.OperationalError):
        return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
    return isinstance(error, OSError) and error.errno == errno.ENOSPC


def _describe(missing: Sequence[Missing], most: int = 4) -> str:
    def day(t: int) -> str:
        return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%MZ").replace("T00:00Z", "")

    parts = [f"{m.endpoint} {day(m.start)}..{day(m.end)}" for m in missing[:most]]
    if len(missing) > most:
        parts.append(f"and {len(missing) - most} more window(s)")
    return ", ".join(parts) or "nothing"
