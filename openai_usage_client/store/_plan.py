"""What a sync must fetch: series, buckets, their state, and the windows to request.

A *series* is one endpoint fetched one way: (endpoint, organization, bucket width, grouping).
A grouping change makes a new series; it never mixes with the old one.

A bucket is *settled* once it ended at least ``settle_days`` days before ``now``: it is not
fetched again. Every other bucket from ``start`` up to the open bucket (the one holding
``now``) is fetched when it is missing or still *provisional*. Consecutive buckets to fetch
form *windows* of at most ``window`` buckets: each is one request (one page) and one
transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

__all__ = ["CONFIRM_DAYS", "DAY", "WIDTHS", "Series", "Window", "plan", "state_of"]

DAY: Final = 86_400
WIDTHS: Final = {"1d": DAY, "1h": 3_600}
#: How long after its end a bucket that came back empty is fetched again: an empty answer is
#: no proof of no spend while the API's data may still be catching up (a server whose
#: ``Date`` runs ahead of its data). Past it, an empty bucket settles like any other.
CONFIRM_DAYS: Final = 35


@dataclass(frozen=True)
class Series:
    """One endpoint fetched one way; ``grouping`` is the comma-joined group-bys."""

    endpoint: str
    organization: str
    bucket_width: str
    grouping: str

    @property
    def group_by(self) -> list[str]:
        return [g for g in self.grouping.split(",") if g]

    @property
    def width(self) -> int:
        return WIDTHS[self.bucket_width]

    def key(self) -> tuple[str, str, str, str]:
        return (self.endpoint, self.organization, self.bucket_width, self.grouping)


@dataclass(frozen=True)
class Window:
    """``[start, end)`` of one series: whole buckets, fetched and written together."""

    series: Series
    start: int
    end: int

    def bucket_starts(self) -> range:
        return range(self.start, self.end, self.series.width)


def state_of(bucket_end: int, now: int, settle_days: int, rows: int = 1) -> str:
    """``settled`` once the bucket ended ``settle_days`` days before ``now``; a bucket that
    came back empty (``rows == 0``) only once it ended ``CONFIRM_DAYS`` days before."""
    days = settle_days if rows else max(settle_days, CONFIRM_DAYS)
    return "settled" if bucket_end <= now - days * DAY else "provisional"


def align_down(t: int, width: int) -> int:
    return t - t % width


def plan(
    series: Series,
    covered: Mapping[int, str],
    *,
    start: int,
    now: int,
    settle_days: int,
    window: int,
) -> list[Window]:
    """The windows to fetch, oldest first. ``covered`` maps a stored bucket's start to its
    state."""
    width = series.width
    first = align_down(start, width)
    open_start = align_down(now, width)
    windows: list[Window] = []
    run_start: int | None = None
    run_len = 0
    for bucket in range(first, open_start + width, width):
        needed = covered.get(bucket) != "settled"
        if needed and run_start is None:
            run_start, run_len = bucket, 0
        if needed:
            run_len += 1
        if run_start is not None and (not needed or run_len == window):
            end = bucket + width if needed else bucket
            windows.append(Window(series, run_start, end))
            run_start = None
    if run_start is not None:
        windows.append(Window(series, run_start, open_start + width))
    return windows


def ranges(windows: list[Window]) -> list[tuple[int, int, list[Window]]]:
    """Adjacent windows merged into ranges, each fetched with one stream (whose pages the
    client fetches concurrently)."""
    out: list[tuple[int, int, list[Window]]] = []
    for w in windows:
        if out and out[-1][1] == w.start:
            lo, _, group = out[-1]
            out[-1] = (lo, w.end, [*group, w])
        else:
            out.append((w.start, w.end, [w]))
    return out
