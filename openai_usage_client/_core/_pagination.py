"""Cursor bookkeeping, the fetch plan and adaptive concurrency (no I/O).

Shared by the sync and async streams in ``_streams.py``, which only add threads or tasks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ._bounds import check_bucket
from ._exceptions import (
    APIError,
    APIStatusError,
    InvalidParameterError,
    MalformedResponseError,
    OpenAIUsageError,
    PaginationError,
)
from ._params import Query
from ._time import align_down, from_unix, split_range

if TYPE_CHECKING:
    from ._models import Page

__all__ = ["AIMD", "CursorChain", "annotate", "is_transient", "plan_windows"]


@dataclass
class CursorChain:
    """One chain of pages: the cursors seen, and the buckets' order.

    A null ``next_page`` ends the chain even when ``has_more`` is true (the live API sends
    that); a cursor the server already returned would loop forever, so it is an error. Buckets
    must move forward in time: a page that repeats one would double-count it. And none may be
    left out: the live API sends every bucket of the asked window, an idle one with empty
    results, so a gap (between buckets, before the first, or after the last up to the end
    asked, or to the server's open bucket when the end is later) is a malformed answer, never
    a day without spend.
    """

    query: Query
    #: The server's clock (Unix seconds, from its ``Date``); ``None``: this machine's.
    clock: Callable[[], int | None] | None = None
    #: Where the next bucket must start (``None``: resumed from a cursor, not known yet).
    expected: int | None = None
    seen: set[str] = field(default_factory=set)
    last_cursor: str | None = None
    last_start: int | None = None
    pages: int = 0
    #: No honest server needs more pages than the range has buckets (every page but the
    #: last holds at least one): past that, new cursors over empty pages are a loop too.
    max_pages: int = 0

    def __post_init__(self) -> None:
        if self.query.page is not None:
            self.seen.add(self.query.page)
        else:
            self.expected = self.query.start_time
        end = self.query.end_time if self.query.end_time is not None else int(time.time())
        width = self.query.width_seconds
        self.max_pages = max(0, -(-(end - align_down(self.query.start_time, width)) // width)) + 1

    def accept(self, page: Page, cursor: str | None) -> str | None:
        """Check a page fetched with ``cursor``; return the cursor of the next page, if any."""
        for bucket in page.data:
            self._in_window(bucket.start_time, bucket.end_time, cursor)
            check_bucket(bucket, cursor)
            if self.last_start is not None and bucket.start_time <= self.last_start:
                raise PaginationError(
                    f"The server sent the bucket starting "
                    f"{from_unix(bucket.start_time):%Y-%m-%dT%H:%M:%SZ} again or out of order; "
                    "stopping rather than counting it twice.",
                    cursor=cursor,
                    last_cursor=self.last_cursor,
                )
            if self.expected is not None and bucket.start_time > self.expected:
                self._gap(self.expected, bucket.start_time, cursor)
            self.last_start = bucket.start_time
            self.expected = bucket.end_time
        if cursor is not None:
            self.last_cursor = cursor
        self.pages += 1
        nxt = page.next_page
        if not nxt:
            self._reached_end(cursor)
            return None
        if nxt in self.seen:
            raise PaginationError(
                f"The server returned cursor {nxt!r} a second time; following it would loop "
                "forever.",
                cursor=nxt,
                last_cursor=self.last_cursor,
            )
        if self.pages >= self.max_pages:
            raise PaginationError(
                f"The server sent {self.pages} pages for a range of at most "
                f"{self.max_pages - 1} buckets and still offers cursor {nxt!r}; stopping "
                "rather than following it forever.",
                cursor=nxt,
                last_cursor=self.last_cursor,
            )
        self.seen.add(nxt)
        return nxt

    def _reached_end(self, cursor: str | None) -> None:
        """The last page: the buckets must reach the end asked, or the server's open bucket
        (which may itself be left out: it may have begun after the answer was made)."""
        if self.expected is None:
            return
        query = self.query
        found = self.clock() if self.clock is not None else None
        if query.end_time is None and found is None:
            return  # "up to now" and no server clock to say where now is (no ``Date``)
        now = found if found is not None else int(time.time())
        due = align_down(now, query.width_seconds)
        if query.end_time is not None:
            due = min(due, query.end_time)
        if self.expected < due:
            self._gap(self.expected, due, cursor)

    def _gap(self, start: int, end: int, cursor: str | None) -> None:
        query = self.query
        raise MalformedResponseError(
            f"The server left out the buckets from {_iso(start)} to {_iso(end)} in answer to "
            f"{_iso(query.start_time)} to "
            f"{_iso(query.end_time) if query.end_time is not None else 'now'} (the API sends "
            "every bucket, an idle one with empty results); stopping rather than showing the "
            "gap as a period without usage.",
            bucket_start=start,
            reason=f"buckets from {_iso(start)} to {_iso(end)} left out",
            cursor=cursor,
            last_cursor=self.last_cursor,
        )

    def _in_window(self, start: int, end: int, cursor: str | None) -> None:
        """Refuse a bucket of another period: before the asked start (the first bucket may
        be partial, never earlier than the start's own bucket), after the asked end, or,
        without an end, after the open bucket of now (an hour allowed for the server's clock)."""
        query = self.query
        width = query.width_seconds
        first = align_down(query.start_time, width)
        why = ""
        if start < first:
            why = f"it starts before the asked start {_iso(query.start_time)}"
        elif query.end_time is not None and start >= query.end_time:
            why = f"it starts at or after the asked end {_iso(query.end_time)}"
        elif query.end_time is not None and end > align_down(query.end_time - 1, width) + width:
            why = f"it ends after the asked end {_iso(query.end_time)}"
        elif query.end_time is None and start > time.time() + _CLOCK_SKEW:
            why = "it starts after the open bucket of now"
        elif end <= start:
            why = "it ends before it starts"
        if why:
            raise MalformedResponseError(
                f"The server sent a bucket of {_iso(start)} to {_iso(end)} in answer to "
                f"{_iso(query.start_time)} to "
                f"{_iso(query.end_time) if query.end_time is not None else 'now'}: {why}; "
                "stopping rather than counting another period's data as this one's.",
                bucket_start=start,
                reason=why,
                cursor=cursor,
                last_cursor=self.last_cursor,
            )


#: How far ahead of this machine's clock the server's may be.
_CLOCK_SKEW = 3600


def _iso(seconds: int) -> str:
    return f"{from_unix(seconds):%Y-%m-%dT%H:%M:%SZ}"


def plan_windows(query: Query) -> list[Query]:
    """The windows to fetch concurrently, or ``[query]`` when the range is one page or open.

    Each window holds at most one page of buckets at the query's width and limit, so a window
    is usually one request; it still follows its own cursors if the server pages it further.
    """
    if query.concurrency <= 1 or query.end_time is None or query.page is not None:
        return [query]
    windows = split_range(query.start_time, query.end_time, query.width_seconds, query.limit)
    if len(windows) <= 1:
        return [query]
    return [query.window(lo, hi) for lo, hi in windows]


class AIMD:
    """How many requests may be in flight: halved on a 429, grown back by one on success.

    Additive increase, multiplicative decrease (TCP's congestion rule): the API publishes no
    rate limits, so the client finds the rate it is allowed instead of hammering at a fixed one.
    """

    def __init__(self, maximum: int) -> None:
        self.maximum = maximum
        self.capacity = maximum
        self.in_flight = 0
        self._streak = 0
        #: How many times the capacity was cut (reported by benchmarks and tests).
        self.throttles = 0

    def can_start(self) -> bool:
        return self.in_flight < self.capacity

    def start(self) -> None:
        self.in_flight += 1

    def finish(self, *, throttled: bool) -> None:
        self.in_flight -= 1
        if throttled:
            self.capacity = max(1, self.capacity // 2)
            self._streak = 0
            self.throttles += 1
        else:
            self._streak += 1
            if self._streak >= self.capacity and self.capacity < self.maximum:
                self.capacity += 1
                self._streak = 0


def is_transient(error: OpenAIUsageError) -> bool:
    """Whether trying again later, with the same arguments, may succeed.

    Not for a refused parameter nor a 4xx other than 408, 409 and 429 (400, 401, 403, 404,
    422, ...): the same request gets the same answer, so no message suggests retrying it.
    """
    if isinstance(error, InvalidParameterError):
        return False
    if isinstance(error, APIStatusError):
        return error.status_code in (408, 409, 429) or error.status_code >= 500
    return True


def annotate(error: OpenAIUsageError, query: Query, resume: int, last_cursor: str | None) -> None:
    """Tell an error that interrupted a stream where the stream stopped, and how to resume."""
    if error.resume_start_time is not None:
        return
    error.resume_start_time = resume
    if error.last_cursor is None:
        error.last_cursor = last_cursor
    when = f"{from_unix(resume):%Y-%m-%dT%H:%M:%SZ}"
    transient = is_transient(error)
    if resume == query.start_time:
        hint = " Nothing was delivered" + ("; retry with the same arguments." if transient else ".")
    else:
        hint = (
            f" The stream stopped after delivering everything before {when}; nothing after "
            "it was returned."
        )
        if transient:
            hint += (
                f" Resume with {query.endpoint.name}(start_time={resume}, ...) "
                "(error.resume_start_time) and the same other arguments."
            )
    message = str(error.args[0]) if error.args else ""
    if message and not message.endswith((".", "!", "?", ")", "]")):
        message += "."
    error.args = (message + hint, *error.args[1:])
    if isinstance(error, APIError):
        error.message = error.args[0]
