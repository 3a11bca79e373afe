"""Lazy streams of buckets: what every endpoint method returns.

Iterating a stream yields buckets in time order across all pages, fetching a page only when
it is needed. A long range with an ``end_time`` is split into windows of one page each
(``_pagination.plan_windows``) fetched ``concurrency`` at a time, by threads for the sync
client and tasks for the async one; buckets still come out in order, each once, and at most
``concurrency`` pages are held in memory.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from ._exceptions import OpenAIUsageError
from ._models import Bucket, Page
from ._pagination import AIMD, CursorChain, annotate, plan_windows
from ._params import Query

if TYPE_CHECKING:
    import os
    from typing import IO

    import pandas as pd
    import polars as pl

    from ._exports import PathOrFile, Row

__all__ = ["AsyncBucketStream", "AsyncGate", "BucketStream", "ThreadGate"]


class ThreadGate:
    """Blocks a thread until ``AIMD`` lets one more request be in flight."""

    def __init__(self, maximum: int) -> None:
        self.aimd = AIMD(maximum)
        self._cond = threading.Condition()

    def acquire(self) -> None:
        with self._cond:
            self._cond.wait_for(self.aimd.can_start)
            self.aimd.start()

    def release(self, *, throttled: bool) -> None:
        with self._cond:
            self.aimd.finish(throttled=throttled)
            self._cond.notify_all()


class AsyncGate:
    """The asyncio twin of ``ThreadGate``."""

    def __init__(self, maximum: int) -> None:
        self.aimd = AIMD(maximum)
        self._cond = asyncio.Condition()

    async def acquire(self) -> None:
        async with self._cond:
            await self._cond.wait_for(self.aimd.can_start)
            self.aimd.start()

    async def release(self, *, throttled: bool) -> None:
        async with self._cond:
            self.aimd.finish(throttled=throttled)
            self._cond.notify_all()


SyncFetch = Callable[[Query, "str | None", "ThreadGate | None"], Page]
AsyncFetch = Callable[[Query, "str | None", "AsyncGate | None"], Awaitable[Page]]


class BucketStream:
    """The buckets of one call, fetched lazily. Iterate it, or use ``pages()``/``first_page()``."""

    def __init__(self, fetch: SyncFetch, query: Query) -> None:
        self._fetch = fetch
        self.query = query

    def __repr__(self) -> str:
        q = self.query
        return (
            f"<BucketStream {q.endpoint.name} start_time={q.start_time} "
            f"end_time={q.end_time} bucket_width={q.bucket_width!r}>"
        )

    def __iter__(self) -> Iterator[Bucket]:
        resume = self.query.start_time
        chain_cursor: list[str | None] = [None]
        try:
            for fetched in self._pages(chain_cursor):
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

    def pages(self) -> Iterator[Page]:
        """The pages themselves, in time order."""
        resume = self.query.start_time
        chain_cursor: list[str | None] = [None]
        try:
            for page in self._pages(chain_cursor):
                yield page
                if page.data:
                    resume = page.data[-1].end_time
        except OpenAIUsageError as error:
            annotate(error, self.query, resume, chain_cursor[0])
            raise

    def first_page(self) -> Page:
        """Only the first page (one request), as the official SDK returns it."""
        return self._fetch(self.query, self.query.page, None)

    def rows(self) -> Iterator[Row]:
        """Flat records, one per (bucket, result): see ``openai_usage_client.rows``."""
        from ._exports import rows

        return rows(self, self.query.endpoint.name)

    def to_csv(self, path_or_file: PathOrFile) -> int:
        """Write the rows as CSV, streaming; returns the number of rows written."""
        from ._exports import to_csv

        return to_csv(self, path_or_file)

    def to_jsonl(self, path_or_file: PathOrFile) -> int:
        """Write one JSON object per row, streaming."""
        from ._exports import to_jsonl

        return to_jsonl(self, path_or_file)

    def to_json(self, path_or_file: PathOrFile) -> int:
        """Write a JSON array of rows, streaming."""
        from ._exports import to_json

        return to_json(self, path_or_file)

    def to_pandas(self) -> pd.DataFrame:
        """A pandas DataFrame of the rows (extra ``[pandas]``)."""
        from ._exports import to_pandas

        return to_pandas(self)

    def to_polars(self) -> pl.DataFrame:
        """A polars DataFrame of the rows (extra ``[polars]``)."""
        from ._exports import to_polars

        return to_polars(self)

    def to_parquet(self, path: str | os.PathLike[str] | IO[bytes]) -> int:
        """Write a Parquet file of the rows (extra ``[parquet]``)."""
        from ._exports import to_parquet

        return to_parquet(self, path)

    def _chain(
        self, query: Query, gate: ThreadGate | None, last: list[str | None]
    ) -> Iterator[Page]:
        chain = CursorChain(query)
        cursor = query.page
        while True:
            page = self._fetch(query, cursor, gate)
            nxt = chain.accept(page, cursor)
            last[0] = chain.last_cursor
            yield page
            del page  # not kept alive while the next page is fetched
            if nxt is None:
                return
            cursor = nxt

    def _pages(self, last: list[str | None]) -> Iterator[Page]:
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
            for future in pending:
                future.cancel()
            pool.shutdown(wait=False, cancel_futures=True)


class AsyncBucketStream:
    """The async twin of ``BucketStream``: ``async for bucket in stream``."""

    def __init__(self, fetch: AsyncFetch, query: Query) -> None:
        self._fetch = fetch
        self.query = query

    def __repr__(self) -> str:
        q = self.query
        return (
            f"<AsyncBucketStream {q.endpoint.name} start_time={q.start_time} "
            f"end_time={q.end_time} bucket_width={q.bucket_width!r}>"
        )

    async def __aiter__(self) -> AsyncIterator[Bucket]:
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

    async def pages(self) -> AsyncIterator[Page]:
        """The pages themselves, in time order."""
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

    async def rows(self) -> AsyncIterator[Row]:
        """Flat records, one per (bucket, result): see ``openai_usage_client.rows``."""
        from ._exports import rows

        async for bucket in self:
            for row in rows([bucket], self.query.endpoint.name):
                yield row

    async def collect(self) -> list[Bucket]:
        """Every bucket, in a list."""
        return [bucket async for bucket in self]

    async def _chain(
        self, query: Query, gate: AsyncGate | None, last: list[str | None]
    ) -> AsyncGenerator[Page]:
        chain = CursorChain(query)
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
