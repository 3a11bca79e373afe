"""Pause the cyclic garbage collector while a page is parsed.

A page of 31 buckets x 500 results allocates some 60,000 container objects (each result
is a model with its ``__dict__``, its extra-fields dict and its fields set). Every few
hundred allocations trigger a young-generation collection that walks them again: 88
collections for one completions page, about half of the parse time (BENCHMARKS.md, P1).
Parsed pages hold no reference cycles, so pausing the collector frees nothing later than it
would have been; it runs again as soon as the parse is done.

The collector is process-wide, which is why this one object is shared: with several threads
parsing at once, the pause is counted, and the last one out re-enables the collector, and
only if it was enabled when the first one came in.
"""

from __future__ import annotations

import gc
import threading
from types import TracebackType

__all__ = ["gc_paused"]


class _GCPause:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._was_enabled = False

    def __enter__(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._depth += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._was_enabled:
                gc.enable()


gc_paused = _GCPause()
