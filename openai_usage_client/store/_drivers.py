"""The sync and async drivers: each planned series fetched range by range, its windows
written as their last bucket arrives; a window whose answer is malformed is refused and the
others go on (``SyncJob.refuse``). Everything else of a sync (options, plans, the run log,
errors) is ``_sync``'s, shared by both drivers.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any

from .._core._exceptions import BadRequestError, MalformedResponseError, PermissionDeniedError
from ._pages import probe_bucket, rechunk, without
from ._plan import Series, Window, ranges
from ._sync import SyncJob
from ._sync_summary import SyncSummary
from ._write import Writer

__all__ = ["run_async", "run_sync"]

_log = logging.getLogger("openai_usage_client.store")


def _buffered(job: SyncJob, writer: Writer, pending: list[Window], buckets: list[Any]) -> list[Any]:
    """Write every pending window whose last bucket has arrived; the rest stay buffered."""
    while pending and buckets and buckets[-1].end_time >= pending[0].end:
        window = pending.pop(0)
        inside = [b for b in buckets if b.start_time < window.end]
        job.write(writer, window, inside)
        buckets = buckets[len(inside) :]
    return buckets


def _probe(job: SyncJob, series: Series, windows: list[Window]) -> Window | None:
    """The next bucket to fetch alone while results per bucket are not known (``_pages``):
    the plan's oldest bucket, then, if it was empty, its newest complete one (by the
    server's clock, known after the first answer); ``None`` once known or tried twice, or
    when the caller gave ``window``."""
    key = series.key()
    tried = job.probes.get(key, 0)
    if job.options.window is not None:  # the caller sized the windows
        return None
    if job.per_bucket.get(key) or tried >= 2 or not windows:
        return None
    job.probes[key] = tried + 1
    if tried == 0:
        first = windows[0]
        found: Window | None = Window(series, first.start, first.start + series.width)
    else:
        found = probe_bucket(windows, job.now())
    if found is None or series.bucket_width == "1d":
        return found
    # Hours and minutes: the groups of the whole day are an upper bound for any of its
    # buckets (a night hour alone would size the day's windows three times too large).
    day = found.start - found.start % 86_400
    return Window(series, day, day + 86_400)


def _day_args(job: SyncJob, series: Series, day: Window) -> dict[str, Any]:
    """The probe of a sub-daily series: its grouping for one day, not stored."""
    args = job.stream_args(series, day.start, day.end)
    return {**args, "bucket_width": "1d", "limit": 1}


def _learn(
    job: SyncJob, series: Series, before: list[Window], todo: list[Window], probes: list[Window]
) -> list[Window]:
    """After the probes: the rest of the plan (``before`` less the stored ``probes``) in
    windows of about a page's worth, which is what a failure then says is missing."""
    job.learned(series, job.per_bucket.get(series.key(), 0))
    todo = rechunk(todo, job.sizes[series.key()])
    if probes:
        job.replan(series, before, [*probes, *todo])
    return todo


def _probed(job: SyncJob, series: Series, buckets: list[Any]) -> None:
    """One page of a probe answered: counted as a request and for results per bucket."""
    job.count_request(series.endpoint)
    _count(job, series, buckets)


def _fetch(job: SyncJob, client: Any, series: Series, windows: list[Window]) -> None:
    writer = Writer(job.conn, series.endpoint)
    fetch = client.endpoint(series.endpoint)
    todo = list(windows)
    parallel = getattr(client, "concurrency", None)
    while todo:
        try:
            before, probes = list(todo), []
            while (probe := _probe(job, series, todo)) is not None:
                if series.bucket_width != "1d":
                    for page in fetch(**_day_args(job, series, probe)).pages():
                        _probed(job, series, page.data)
                    continue
                stream = fetch(**job.stream_args(series, probe.start, probe.end))
                _fetch_range(job, writer, stream, [probe], series)
                todo = without(todo, probe)
                probes.append(probe)
            todo = _learn(job, series, before, todo, probes)
            for lo, hi, group in ranges(todo):
                stream = fetch(**job.stream_args(series, lo, hi, parallel))
                _fetch_range(job, writer, stream, group)
            return
        except MalformedResponseError as error:
            todo = job.refuse(todo, error)


def _fetch_range(
    job: SyncJob, writer: Writer, stream: Any, group: list[Window], probe: Series | None = None
) -> None:
    pending = list(group)
    buckets: list[Any] = []
    for page in stream.pages():
        job.count_request(group[0].series.endpoint)
        if probe is not None:
            _count(job, probe, page.data)
        buckets = _buffered(job, writer, pending, [*buckets, *page.data])
    for window in pending:  # the stream ended: everything left is complete
        inside = [b for b in buckets if b.start_time < window.end]
        job.write(writer, window, inside)
        buckets = buckets[len(inside) :]


def run_sync(job: SyncJob, client: Any) -> SyncSummary:
    try:
        for index in range(len(job.plans)):
            while True:  # a refused default grouping: its fallback, until one is accepted
                try:
                    _fetch(job, client, *job.plans[index])
                    break
                except BadRequestError as error:
                    if job.refused(index, error) is None:  # else plans[index] replaced
                        raise
            job.completed(index)
        if job.options.directory and hasattr(client, "directory"):
            _directory(job, client.directory)
        job.raise_refused()
    except BaseException as error:
        raise job.fail(error) from error
    job.finish("ok")
    return job.summary


async def _fetch_async(job: SyncJob, client: Any, series: Series, windows: list[Window]) -> None:
    writer = Writer(job.conn, series.endpoint)
    fetch = client.endpoint(series.endpoint)
    todo = list(windows)
    parallel = getattr(client, "concurrency", None)
    while todo:
        try:
            before, probes = list(todo), []
            while (probe := _probe(job, series, todo)) is not None:
                if series.bucket_width != "1d":
                    async for page in fetch(**_day_args(job, series, probe)).pages():
                        _probed(job, series, page.data)
                    continue
                stream = fetch(**job.stream_args(series, probe.start, probe.end))
                await _fetch_range_async(job, writer, stream, [probe], series)
                todo = without(todo, probe)
                probes.append(probe)
            todo = _learn(job, series, before, todo, probes)
            for lo, hi, group in ranges(todo):
                stream = fetch(**job.stream_args(series, lo, hi, parallel))
                await _fetch_range_async(job, writer, stream, group)
            return
        except MalformedResponseError as error:
            todo = job.refuse(todo, error)


def _count(job: SyncJob, series: Series, buckets: list[Any]) -> None:
    """The probe's answer: the most results one bucket held."""
    most = max((len(b.results) for b in buckets), default=0)
    job.per_bucket[series.key()] = max(most, job.per_bucket.get(series.key(), 0))


async def _fetch_range_async(
    job: SyncJob, writer: Writer, stream: Any, group: list[Window], probe: Series | None = None
) -> None:
    pending = list(group)
    buckets: list[Any] = []
    async for page in stream.pages():
        job.count_request(group[0].series.endpoint)
        if probe is not None:
            _count(job, probe, page.data)
        # Writing is short and local; a thread keeps the event loop responsive.
        buckets = await asyncio.to_thread(_buffered, job, writer, pending, [*buckets, *page.data])
    for window in pending:
        inside = [b for b in buckets if b.start_time < window.end]
        await asyncio.to_thread(job.write, writer, window, inside)
        buckets = buckets[len(inside) :]


async def run_async(job: SyncJob, client: Any) -> SyncSummary:
    try:
        for index in range(len(job.plans)):
            while True:  # as in run: the fallbacks of a refused default grouping
                try:
                    await _fetch_async(job, client, *job.plans[index])
                    break
                except BadRequestError as error:
                    if await asyncio.to_thread(job.refused, index, error) is None:
                        raise
            await asyncio.to_thread(job.completed, index)
        if job.options.directory and hasattr(client, "directory"):
            found = client.directory()
            if inspect.isawaitable(found):
                try:
                    found = await found
                except PermissionDeniedError as error:
                    _log.warning("directory not synced (names skipped): %s", error)
                    found = None
            if found is not None:
                await asyncio.to_thread(job.directory, found)
        job.raise_refused()
    except BaseException as error:
        raise job.fail(error) from error
    job.finish("ok")
    return job.summary


def _directory(job: SyncJob, directory: Any) -> None:
    try:
        found = directory()
    except PermissionDeniedError as error:
        # A key with only the usage scope: usage syncs fine, names are skipped.
        _log.warning("directory not synced (names skipped): %s", error)
        return
    job.directory(found)
