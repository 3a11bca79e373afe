"""The page and bucket types the clients return: the generated models plus time helpers.

They subclass the generated ``UsageResponse`` and ``UsageTimeBucket`` (no field is modelled
twice): a page parsed as ``Page`` holds ``Bucket``s, which add aware UTC datetimes next to
the wire's Unix seconds.
"""

from __future__ import annotations

from datetime import datetime

from .._generated.models.usage_response import UsageResponse
from .._generated.models.usage_time_bucket import UsageTimeBucket, UsageTimeBucketResultsItem
from ._time import from_unix

__all__ = ["Bucket", "Page", "Result"]

Result = UsageTimeBucketResultsItem
"""Any result type (a union discriminated by ``object``, with ``UnknownResult`` as fallback)."""


class Bucket(UsageTimeBucket):
    """One time bucket: ``start_time``/``end_time`` in Unix seconds and typed ``results``."""

    @property
    def start_datetime(self) -> datetime:
        """``start_time`` as an aware UTC datetime."""
        return from_unix(self.start_time)

    @property
    def end_datetime(self) -> datetime:
        """``end_time`` as an aware UTC datetime."""
        return from_unix(self.end_time)


class Page(UsageResponse):
    """One page of buckets, as the API sent it."""

    data: list[Bucket]  # type: ignore[assignment]  # a Bucket is a UsageTimeBucket
