"""Time inputs, bucket alignment and range splitting (no I/O).

The API speaks Unix seconds and aligns buckets to UTC. Users speak ``date``, ``datetime``
and ISO-8601 strings. Everything is converted to Unix seconds here, at the edge.

Naive datetimes (and ISO strings without an offset) are taken as UTC, as the API's buckets
are: "2026-10-01" means midnight UTC, whatever the machine's time zone.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time
from typing import Final

from ._exceptions import InvalidParameterError
from ._generated.endpoints import WIDTH_SECONDS

__all__ = ["WIDTH_SECONDS", "TimeInput", "align_down", "from_unix", "split_range", "to_unix"]

TimeInput = int | float | datetime | date | str

_YEAR_10000: Final = 253402300800

_ALLOWED = (
    "Unix seconds (int), a datetime (naive is taken as UTC), a date (UTC midnight) "
    "or an ISO-8601 string such as '2026-10-01' or '2026-10-01T12:00:00Z'"
)


def to_unix(value: object, param: str) -> int:
    """Convert one time input to Unix seconds, or raise ``InvalidParameterError``."""
    if isinstance(value, bool):
        raise InvalidParameterError(param, value, _ALLOWED)
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidParameterError(param, value, _ALLOWED)
        seconds = math.floor(value)
    elif isinstance(value, datetime):
        seconds = _datetime_seconds(value)
    elif isinstance(value, date):
        seconds = _datetime_seconds(datetime.combine(value, time(0), tzinfo=UTC))
    elif isinstance(value, str):
        seconds = _parse_string(value, param)
    else:
        raise InvalidParameterError(param, value, _ALLOWED)
    if not 0 <= seconds < _YEAR_10000:
        raise InvalidParameterError(
            param, value, "a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z"
        )
    return seconds


def _datetime_seconds(value: datetime) -> int:
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=UTC)
    return math.floor(value.timestamp())


def _parse_string(value: str, param: str) -> int:
    text = value.strip()
    if text.isdigit():
        return int(text)
    try:
        if len(text) == 10:
            return _datetime_seconds(datetime.combine(date.fromisoformat(text), time(0)))
        return _datetime_seconds(datetime.fromisoformat(text))
    except ValueError:
        raise InvalidParameterError(param, value, _ALLOWED) from None


def from_unix(seconds: int) -> datetime:
    """The aware UTC datetime of a Unix time."""
    return datetime.fromtimestamp(seconds, UTC)


def align_down(seconds: int, width: int) -> int:
    """The start of the UTC-aligned bucket of ``width`` seconds that holds ``seconds``."""
    return seconds - seconds % width


def split_range(start: int, end: int, width: int, limit: int) -> list[tuple[int, int]]:
    """Split ``[start, end)`` into windows of at most ``limit`` buckets each.

    Windows follow the API's bucketing: the first bucket runs from ``start`` to the next
    aligned boundary (partial when ``start`` is not aligned) and every later window starts on a
    boundary, so fetching the windows one by one gives exactly the buckets, in order, that one
    request for the whole range would page through.
    """
    if end <= start:
        return []
    windows: list[tuple[int, int]] = []
    lo = start
    while lo < end:
        hi = min(end, align_down(lo, width) + limit * width)
        windows.append((lo, hi))
        lo = hi
    return windows
