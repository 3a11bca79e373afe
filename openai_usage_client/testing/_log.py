"""What a fake has served: ``fake.request_log``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import NamedTuple

__all__ = ["LoggedRequest", "RequestLog"]


class LoggedRequest(NamedTuple):
    method: str
    path: str
    #: The raw query string.
    query: str


class RequestLog:
    """The requests a fake has served, in arrival order. Thread-safe."""

    def __init__(self) -> None:
        self._items: list[LoggedRequest] = []
        self._lock = threading.Lock()

    def append(self, item: LoggedRequest) -> int:
        with self._lock:
            self._items.append(item)
            return len(self._items)

    def snapshot(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[LoggedRequest]:
        return iter(self.snapshot())

    def __getitem__(self, i: int) -> LoggedRequest:
        return self._items[i]
