"""Lazy streams of buckets: what every endpoint method returns.

Iterating a stream yields buckets in time order across all pages, fetching a page only when
it is needed. A long range with an ``end_time`` is split into windows of one page each
(``_pagination.plan_windows``) fetched ``concurrency`` at a time, by threads for the sync
client and tasks for the async one; buckets still come out in order, each once, and at most
``concurrency`` pages are held in memory.

Closing a stream (``close()``/``aclose()``, leaving its ``with`` block, or dropping an
iteration part-way: ``break`` then garbage collection) stops scheduling windows, lets the
requests already in flight finish (each within its timeout; a retry pending on them is not
started) and joins the threads or cancels the tasks: nothing outlives the stream.
"""

from __future__ import annotations

import threading
import weakref
from collections import deque
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterator,
)
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from ._exceptions import OpenAIUsageError
from ._pagination import AIMD, CursorChain, annotate, plan_windows
from ._params import Query

if TYPE_CHECKING:
    import asyncio
    import os
    from typing import IO

    import pandas as pd
    import polars as pl

    from ._exports import PathOrFile
    from ._models import Bucket, Page
    from ._names import Names
    from ._rows import Row

__all__ = ["AsyncBucketStream", "AsyncGate", "BucketStream", "StreamClosed", "ThreadGate"]


class StreamClosed(Exception):  # an internal signal: the stream never lets it out
    """Raised in a worker thread asking for a slot after its stream was closed."""


class ThreadGate:
    """Blocks a thread until ``AIMD`` lets one more request be in flight."""

    def __init__(self, maximum: int) -> None:
        self.aimd = AIMD(maximum)
        self._cond = threading.Condition()
        self.closed = False

    def acquire(self) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self.closed or self.aimd.can_start())
            if self.closed:
                raise StreamClosed
            self.aimd.start()

    def close(self) -> None:
        """Refuse every later ``acquire`` and wake the threads waiting in one."""
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def release(self, *, throttled: bool) -> None:
        with self._cond:
            self.aimd.finish(throttled=throttled)
            self._cond.notify_all()


class AsyncGate:
    """The asyncio twin of ``ThreadGate``."""

    def __init__(self, maximum: int) -> None:
        self.aimd = AIMD(maximum)
        import asyncio  # here: the sync client never needs asyncio (bench P5)

        self._cond = asyncio.Condition()

    async def acquire(self) -> None:
        async with self._cond:
            await self._cond.wait_for(self.aimd.can_start)
            self.aimd.start()

    async def release(self, *, throttled: bool) -> None:
        async with self._cond:
            self.aimd.finish(throttled=throttled)
            self._cond.notify_all()


SyncFetch = Callable[[Query, "str | None", "ThreadGate | None"], "Page"]
AsyncFetch = Callable[[Query, "str | None", "AsyncGate | None"], Awaitable["Page"]]


class BucketStream:
    """The buckets of one call, fetched lazily. Iterate it, or use ``pages()``/``first_page()``."""

    def __init__(
        self, fetch: SyncFetch, query: Query, clock: Callable[[], int | None] | None = None
    ) -> None:
        self._fetch = fetch
        self.query = query
        #: The server's clock (``UsageClient.server_time``): which buckets must have come.
        self._clock = clock
        # The iterations under way, weakly: a dropped one is closed by garbage collection.
        self._running: weakref.WeakSet[Generator[Any]] = weakref.WeakSet()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop every iteration of this stream: no new request, worker threads joined."""
        for running in list(self._running):
            running.close()

    def __repr__(self) -> str:
        q = self.query
        return (
            f"<BucketStream {q.endpoint.name} start_time={q.start_time} "
            f"end_time={q.end_time} bucket_width={q.bucket_width!r}>"
        )

    def __iter__(self) -> Iterator[Bucket]:
        running = self._buckets()
        self._running.add(running)
        return running

    def _buckets(self) -> Generator[Bucket]:
        resume = self.query.start_time
        chain_cursor: list[str | None] = [None]
        pages = self._pages(chain_cursor)
        try:
            for fetched in pages:
                # Hold a page only while its buckets are read: the next one is being fetched
                # and parsed by then, and two parsed pages at once would double the peak.
                buckets = fetched.data
                del fetched
                for bucket in buckets:
                    yield bucket
                    resume = bucket.end_time
                del buckets
        except OpenAIUsageError as error:
            annotate(error, self.query, resume, chain_cursor[0])
            raise
        finally:
            pages.close()

    def pages(self) -> Iterator[Page]:
        """The pages themselves, in time order."""
        running = self._page_list()
        self._running.add(running)
        return running

    def _page_list(self) -> Generator[Page]:
        resume = self.query.start_time
        chain_cursor: list[str | None] = [None]
        pages = self._pages(chain_cursor)
        try:
            for page in pages:
                yield page
                if page.data:
                    resume = page.data[-1].end_time
        except OpenAIUsageError as error:
            annotate(error, self.query, resume, chain_cursor[0])
            raise
        finally:
            pages.close()

    def first_page(self) -> Page:
        """Only the first page (one request), as the official SDK returns it."""
        return self._fetch(self.query, self.query.page, None)

    def rows(self, *, names: Names | None = None) -> Iterator[Row]:
        """Flat records, one per (bucket, result): see ``openai_usage_client.rows``."""
        from ._rows import rows

        return rows(self, self.query.endpoint.name, names=names)

    def to_csv(self, path_or_file: PathOrFile, *, names: Names | None = None) -> int:
        """Write the rows as CSV, streaming; returns the number of rows written."""
        from ._exports import to_csv

        return to_csv(self, path_or_file, names=names)

    def to_jsonl(self, path_or_file: PathOrFile, *, names: Names | None = None) -> int:
        """Write one JSON object per row, streaming."""
        from ._exports import to_jsonl

        return to_jsonl(self, path_or_file, names=names)

    def to_json(self, path_or_file: PathOrFile, *, names: Names | None = None) -> int:
        """Write a JSON array of rows, streaming."""
        from ._exports import to_json

        return to_json(self, path_or_file, names=names)

    def to_pandas(self, *, names: Names | None = None) -> pd.DataFrame:
        """A pandas DataFrame of the rows (extra ``[pandas]``)."""
        from ._exports import to_pandas

        return to_pandas(self, names=names)

    def to_polars(self, *, names: Names | None = None) -> pl.DataFrame:
        """A polars DataFrame of the rows (extra ``[polars]``)."""
        from ._exports import to_polars

        return to_polars(self, names=names)

    def to_parquet(
        self, path: str | os.PathLike[str] | IO[bytes], *, names: Names | None = None
    ) -> int:
        """Write a Parquet file of the rows (extra ``[parquet]``)."""
        from ._exports import to_parquet

        return to_parquet(self, path, names=names)

    def _chain(
        self, query: Query, gate: ThreadGate | None, last: list[str | None]
    ) -> Iterator[Page]:
        chain = CursorChain(query, self._clock)
        cursor = query.page
        while True:
            if gate is not None and gate.closed:
                return  # the stream was closed: the rest of this window is not wanted
            page = self._fetch(query, cursor, gate)
            nxt = chain.accept(page, cursor)
            last[0] = chain.last_cursor
            yield page
            del page  # not kept alive while the next page is fetched
            if nxt is None:
                return
            cursor = nxt

    def _pages(self, last: list[str | None]) -> Generator[Page]:
        windows = plan_windows(self.query)
        if len(windows) == 1:
            yield from self._chain(windows[0], None, last)
            return
        gate = ThreadGate(self.query.concurrency)
        pool = ThreadPoolExecutor(self.query.concurrency, thread_name_prefix="openai-usage")
        pending: deque[Future[list[Page]]] = deque()
        todo = iter(windows)

        def submit() -> None:
            window = next(todo, None)
            if window is not None:
                pending.append(pool.submit(lambda: list(self._chain(window, gate, [None]))))

        try:
            for _ in range(self.query.concurrency):
                submit()
            while pending:
                pages = pending.popleft().result()
                submit()
                yield from pages
        finally:
            # Finished, failed or closed part-way: no new window, no new request (the gate
            # refuses them), queued windows dropped, and the threads joined once the requests
            # in flight are done, so none outlives the stream.
            gate.close()
            for future in pending:
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)


class AsyncBucketStream:
    """The async twin of ``BucketStream``: ``async for bucket in stream``."""

    def __init__(
        self, fetch: AsyncFetch, query: Query, clock: Callable[[], int | None] | None = None
    ) -> None:
        self._fetch = fetch
        self.query = query
        self._clock = clock
        self._running: weakref.WeakSet[AsyncGenerator[Any]] = weakref.WeakSet()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop every iteration of this stream: no new request, its tasks cancelled."""
        for running in list(self._running):
            await running.aclose()

    def __repr__(self) -> str:
        q = self.query
        return (
            f"<AsyncBucketStream {q.endpoint.name} start_time={q.start_time} "
            f"end_time={q.end_time} bucket_width={q.bucket_width!r}>"
        )

    def __aiter__(self) -> AsyncIterator[Bucket]:
        running = self._buckets()
        self._running.add(running)
        return running

    async def _buckets(self) -> AsyncGenerator[Bucket]:
        resume = self.query.start_time
        last: list[str | None] = [None]
        pages = self._pages(last)
        try:
            async for fetched in pages:
                buckets = fetched.data  # as in BucketStream.__iter__
                del fetched
                for bucket in buckets:
                    yield bucket
                    resume = bucket.end_time
                del buckets
        except OpenAIUsageError as error:
            annotate(error, self.query, resume, last[0])
            raise
        finally:
            await pages.aclose()

    def pages(self) -> AsyncIterator[Page]:
        """The pages themselves, in time order."""
        running = self._page_list()
        self._running.add(running)
        return running

    async def _page_list(self) -> AsyncGenerator[Page]:
        resume = self.query.start_time
        last: list[str | None] = [None]
        pages = self._pages(last)
        try:
            async for page in pages:
                yield page
                if page.data:
                    resume = page.data[-1].end_time
        except OpenAIUsageError as error:
            annotate(error, self.query, resume, last[0])
            raise
        finally:
            await pages.aclose()

    async def first_page(self) -> Page:
        """Only the first page (one request)."""
        return await self._fetch(self.query, self.query.page, None)

    async def rows(self, *, names: Names | None = None) -> AsyncIterator[Row]:
        """Flat records, one per (bucket, result): see ``openai_usage_client.rows``."""
        from ._rows import rows

        async for bucket in self:
            for row in rows([bucket], self.query.endpoint.name, names=names):
                yield row

    async def collect(self) -> list[Bucket]:
        """Every bucket, in a list."""
        return [bucket async for bucket in self]

    # The exports of ``BucketStream``, awaited: the rows arrive from the network and go to
    # the same writers (``_exports``), streaming for the files.

    async def to_csv(self, path_or_file: PathOrFile, *, names: Names | None = None) -> int:
        """Write the rows as CSV, streaming; returns the number of rows written."""
        from ._exports import write_async

        return await write_async(
            "csv", self.rows(names=names), self.query.endpoint.name, path_or_file, names is not None
        )

    async def to_jsonl(self, path_or_file: PathOrFile, *, names: Names | None = None) -> int:
        """Write one JSON object per row, streaming."""
        from ._exports import write_async

        return await write_async(
            "jsonl",
            self.rows(names=names),
            self.query.endpoint.name,
            path_or_file,
            names is not None,
        )

    async def to_json(self, path_or_file: PathOrFile, *, names: Names | None = None) -> int:
        """Write a JSON array of rows, streaming."""
        from ._exports import write_async

        return await write_async(
            "json",
            self.rows(names=names),
            self.query.endpoint.name,
            path_or_file,
            names is not None,
        )

    async def to_parquet(
        self, path: str | os.PathLike[str] | IO[bytes], *, names: Names | None = None
    ) -> int:
        """Write a Parquet file of the rows (extra ``[parquet]``), streaming."""
        from ._exports import write_async

        return await write_async(
            "parquet", self.rows(names=names), self.query.endpoint.name, path, names is not None
        )

    async def to_pandas(self, *, names: Names | None = None) -> pd.DataFrame:
        """A pandas DataFrame of the rows (extra ``[pandas]``)."""
        from ._exports import require, to_pandas

        require("pandas")
        return to_pandas(await self._all_rows(names), endpoint=self.query.endpoint.name)

    async def to_polars(self, *, names: Names | None = None) -> pl.DataFrame:
        """A polars DataFrame of the rows (extra ``[polars]``)."""
        from ._exports import require, to_polars

        require("polars")
        return to_polars(await self._all_rows(names), endpoint=self.query.endpoint.name)

    async def _all_rows(self, names: Names | None) -> list[Row]:
        # A DataFrame holds every row anyway; fetch them all, then build it as the sync twin.
        return [row async for row in self.rows(names=names)]

    async def _chain(
        self, query: Query, gate: AsyncGate | None, last: list[str | None]
    ) -> AsyncGenerator[Page]:
        chain = CursorChain(query, self._clock)
        cursor = query.page
        while True:
            page = await self._fetch(query, cursor, gate)
            nxt = chain.accept(page, cursor)
            last[0] = chain.last_cursor
            yield page
            del page
            if nxt is None:
                return
            cursor = nxt

    async def _collect(self, window: Query, gate: AsyncGate) -> list[Page]:
        return [page async for page in self._chain(window, gate, [None])]

    async def _pages(self, last: list[str | None]) -> AsyncGenerator[Page]:
        windows = plan_windows(self.query)
        if len(windows) == 1:
            chain = self._chain(windows[0], None, last)
            try:
                async for page in chain:
                    yield page
            finally:
                await chain.aclose()
            return
        import asyncio

        gate = AsyncGate(self.query.concurrency)
        pending: deque[asyncio.Task[list[Page]]] = deque()
        todo = iter(windows)

        def submit() -> None:
            window = next(todo, None)
            if window is not None:
                pending.append(asyncio.ensure_future(self._collect(window, gate)))

        try:
            for _ in range(self.query.concurrency):
                submit()
            while pending:
                pages = await pending.popleft()
                submit()
                for page in pages:
                    yield page
        finally:
            # Cancelled or failed part-way: no task may outlive the stream.
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
