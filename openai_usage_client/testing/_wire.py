"""The fake's small wire-level pieces: its answer, an expected bucket, headers and params."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NamedTuple

from ._data import Number
from ._faults import FailureKind
from ._org import Dim

__all__ = ["ExpectedBucket", "FakeResponse"]


@dataclass
class FakeResponse:
    """What ``FakeAPI.handle`` decided. Unpacks as ``status, headers, body``.

    ``fault`` is ``"reset"`` (close the connection without answering; ``status`` is 0) or
    ``"timeout"`` (answer only after ``delay`` seconds; the transport raises at once), else
    ``None``.
    """

    status: int
    headers: dict[str, str]
    body: bytes
    fault: FailureKind | None = None
    delay: float = 0.0

    def __iter__(self) -> Iterator[object]:
        return iter((self.status, self.headers, self.body))

    def json(self) -> object:
        return json.loads(self.body)


class ExpectedBucket(NamedTuple):
    """A bucket as ``FakeAPI.buckets`` predicts it: totals keyed by grouping values."""

    start_time: int
    end_time: int
    results: dict[tuple[Dim, ...], dict[str, Number]]


@dataclass
class _Attempts:
    counts: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next(self, key: str) -> int:
        with self.lock:
            n = self.counts.get(key, 0) + 1
            self.counts[key] = n
            return n


def _unix(when: float | datetime) -> int:
    if isinstance(when, datetime):
        # Naive is UTC, as everywhere in the package (and as the API's buckets are).
        aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
        return int(aware.timestamp())
    return int(when)


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    for k, v in headers.items():
        if k.lower() == name:
            return v
    return None


def _params_view(pairs: Sequence[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for k, v in pairs:
        out[k] = (*out.get(k, ()), v)
    return out
