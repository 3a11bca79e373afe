"""The sync lock: one sync per store file at a time, waited for a bounded time.

An advisory lock on a file next to the database (``<db>-sync.lock``), held for the whole
sync. The operating system drops it when the process dies (even ``kill -9``), so a crashed
sync never leaves a stale lock. Readers never take it: SQLite's WAL lets them read while a
sync writes.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from typing import IO

from ._errors import StoreError, StoreLockedError

__all__ = ["SyncLock"]

_POLL = 0.05


def _try_lock(handle: IO[bytes]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        # flock (not lockf): held per open file, so two stores in one process exclude too.
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        with contextlib.suppress(OSError):
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class SyncLock:
    """The sync lock of ``db_path``: ``acquire`` waits at most ``timeout`` seconds, then raises
    ``StoreLockedError``. (A class, not only a context manager, so the async sync can wait for
    it in a thread.)"""

    def __init__(self, db_path: str, timeout: float) -> None:
        self.db_path = db_path
        self.timeout = timeout
        self._handle: IO[bytes] | None = None

    def acquire(self) -> None:
        # Never through a link planted in the folder, never truncating: only our own file.
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(f"{self.db_path}-sync.lock", flags, 0o666)
        except OSError as error:
            raise StoreError(
                f"cannot open the sync lock {self.db_path}-sync.lock ({error.strerror}): if it "
                "is a symbolic link, remove it"
            ) from None
        handle = os.fdopen(fd, "r+b")
        try:
            deadline = time.monotonic() + self.timeout
            while not _try_lock(handle):
                if time.monotonic() >= deadline:
                    raise StoreLockedError(self.db_path, self.timeout)
                time.sleep(_POLL)
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n".encode())
            handle.flush()
        except BaseException:
            handle.close()
            raise
        self._handle = handle

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            try:
                _unlock(handle)
            finally:
                handle.close()

    def __enter__(self) -> SyncLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
