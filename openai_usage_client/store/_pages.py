"""How large a sync's pages are: bounded by results, not buckets (#36).

A page holds ``limit`` buckets of every group, so its size grows with the organization: 180
days of costs of an organization with 6,400 cost lines a day is 1.15 million results, gigabytes
once parsed. The sync therefore sizes its windows (one window = one request = one
transaction) by **results per bucket**: learned from the store (``coverage.rows`` of the
series) or, on a first sync, from one bucket fetched first (the plan's oldest, else its
newest complete one), which is written as its own window (hours and minutes: the groups of
the whole day at ``1d``, an upper bound, not stored). A window then holds about
``PAGE_RESULTS`` results (a few MB of JSON) and no more than ``IN_FLIGHT`` results are held
across the pages fetched at once (fewer pages in parallel when a single bucket is already
large). Memory is thus bounded by a constant plus a
small multiple of the largest page, whatever the range or the organization's size.
"""

from __future__ import annotations

import sqlite3
from typing import Final

from ._plan import Series, Window, align_down

__all__ = [
    "IN_FLIGHT",
    "PAGE_RESULTS",
    "concurrency_for",
    "probe_bucket",
    "rechunk",
    "stored_per_bucket",
    "window_for",
    "without",
]

#: Results a page aims at: about 1.5 MB of JSON, 40 MB parsed at most.
PAGE_RESULTS: Final = 5_000
#: Results held at once across the pages fetched in parallel.
IN_FLIGHT: Final = 10_000


def window_for(per_bucket: int, maximum: int) -> int:
    """Buckets per window for ``per_bucket`` results a bucket (1 to ``maximum``)."""
    return max(1, min(maximum, PAGE_RESULTS // max(per_bucket, 1)))


def concurrency_for(per_bucket: int, window: int, default: int) -> int:
    """Pages fetched at once: ``default``, fewer when pages are large."""
    return max(1, min(default, IN_FLIGHT // max(per_bucket * window, 1)))


def stored_per_bucket(conn: sqlite3.Connection, series: Series) -> int | None:
    """The most results one stored bucket of ``series`` held (``None``: none stored)."""
    (found,) = conn.execute(
        "SELECT MAX(rows) FROM coverage WHERE endpoint = ? AND organization = ? AND "
        "bucket_width = ? AND grouping = ?",
        series.key(),
    ).fetchone()
    return None if found is None else int(found)


def probe_bucket(windows: list[Window], now: int) -> Window | None:
    """The newest complete bucket the plan fetches (the open one has only part of a day's
    results), as a window of its own; ``None`` when the plan has none."""
    for window in reversed(windows):
        width = window.series.width
        last = min(window.end, align_down(now, width)) - width
        if last >= window.start:
            return Window(window.series, last, last + width)
    return None


def without(windows: list[Window], taken: Window) -> list[Window]:
    """``windows`` less the buckets of ``taken`` (a window split around it)."""
    out = []
    for w in windows:
        if taken.end <= w.start or w.end <= taken.start:
            out.append(w)
            continue
        if w.start < taken.start:
            out.append(Window(w.series, w.start, taken.start))
        if taken.end < w.end:
            out.append(Window(w.series, taken.end, w.end))
    return out


def rechunk(windows: list[Window], size: int) -> list[Window]:
    """``windows`` split so that none has more than ``size`` buckets."""
    out = []
    for w in windows:
        step = size * w.series.width
        out += [Window(w.series, s, min(s + step, w.end)) for s in range(w.start, w.end, step)]
    return out
