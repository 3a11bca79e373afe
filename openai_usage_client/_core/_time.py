"""Time inputs, bucket alignment and range splitting (no I/O).

The API speaks Unix seconds and aligns buckets to UTC. Users speak ``date``, ``datetime``,
ISO-8601 strings and relative words (``"7d"``, ``"yesterday"``, ``"last-month"``).
Everything is converted to Unix seconds here, at the edge, by the one parser that the SDK
and the CLI share (``to_unix``).

Naive datetimes (and ISO strings without an offset) are taken as UTC, as the API's buckets
are: "2026-10-01" means midnight UTC, whatever the machine's time zone. Relative words count
back from "now", which callers pass in (a client's clock), so that tests can fix it.
"""

from __future__ import annotations

import math
import re
import time as _time
from collections.abc import Callable
from datetime import UTC, date, datetime, time, tzinfo
from typing import Final

from .._generated.endpoints import WIDTH_SECONDS, TimeInput
from ._exceptions import InvalidParameterError

__all__ = [
    "TIME_HELP",
    "TIME_HELP_TZ",
    "WIDTH_SECONDS",
    "Clock",
    "TimeInput",
    "align_down",
    "describe",
    "from_unix",
    "iso",
    "split_range",
    "start_of_day",
    "to_unix",
]

#: Unix seconds of "now"; ``time.time`` unless a test fixes it.
Clock = Callable[[], float]

_YEAR_10000: Final = 253402300800

_TIME_FORMS: Final = (
    "a date (2026-10-01), a datetime (2026-10-01T12:00Z), Unix seconds, or relative: "
    "now, today, yesterday, this-week, last-week (ISO weeks), this-month, last-month, "
    "this-quarter, last-quarter, this-year, last-year, or Nm/Nh/Nd/Nw ago (30m, 24h, 7d, 2w)."
)
#: The time forms, for an option of a command that has no --tz.
TIME_HELP: Final = _TIME_FORMS + " All times are UTC."
#: The same, for a command with --tz.
TIME_HELP_TZ: Final = _TIME_FORMS + " All times are UTC unless --tz says otherwise."
_ALLOWED: Final = (
    "Unix seconds (int), a datetime (naive is taken as UTC), a date (UTC midnight), "
    "an ISO-8601 string such as '2026-10-01' or '2026-10-01T12:00:00Z', or relative: "
    "'now', 'today', 'yesterday', 'this-week', 'last-week', 'this-month', 'last-month', "
    "'this-quarter', 'last-quarter', 'this-year', 'last-year', or 'Nm'/'Nh'/'Nd'/'Nw' ago "
    "('30m', '24h', '7d', '2w'). "
    "All times are UTC."
)

_AGO: Final = re.compile(r"^(\d+)\s*(m|min|h|d|w)$")
_UNITS: Final = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def iso(seconds: int) -> str:
    """``seconds`` as ISO-8601 UTC, e.g. ``2026-10-01T00:00:00Z``."""
    if not 0 <= seconds < _YEAR_10000:
        return f"{seconds} s"
    return f"{from_unix(seconds):%Y-%m-%dT%H:%M:%SZ}"


def describe(seconds: int) -> str:
    """An instant as people and the API both read it: ``2026-10-01T00:00:00Z (1790812800)``."""
    return f"{iso(seconds)} ({seconds})"


def _now_datetime(now: datetime | float | None) -> datetime:
    if now is None:
        return datetime.fromtimestamp(_time.time(), UTC)
    if isinstance(now, datetime):
        return now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    return datetime.fromtimestamp(now, UTC)


def to_unix(
    value: object,
    param: str,
    *,
    now: datetime | float | None = None,
    tz: tzinfo | None = None,
) -> int:
    """Convert one time input to Unix seconds, or raise ``InvalidParameterError``.

    ``now`` (an aware datetime or Unix seconds; the system clock when ``None``) is what
    relative words count back from. ``tz`` (a ``zoneinfo`` zone) reads strings in that zone:
    dates and datetimes without an offset, and period words (``today`` is local midnight);
    see ``_periods.parse_local``. Without it everything is UTC.
    """
    if tz is not None and isinstance(value, str):
        from ._periods import parse_local

        return parse_local(value, _now_datetime(now), tz, param)
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
        seconds = _parse_string(value, param, now)
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


def start_of_day(now: datetime) -> datetime:
    """UTC midnight of the day that holds ``now``."""
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _relative(text: str, now: datetime | float | None) -> int | None:
    """Unix seconds of a relative word, or ``None`` when ``text`` is not one.

    Keywords name the start of a period: ``today`` is today's UTC midnight, ``last-month``
    the first instant of last month (so ``last-month`` to ``this-month`` is last month).
    """
    from ._periods import PERIOD_WORDS, period_range

    value = text.lower().replace("_", "-")
    ago = _AGO.match(value)
    if value != "now" and value not in PERIOD_WORDS and not ago:
        return None
    current = _now_datetime(now)
    if ago:
        return int(current.timestamp()) - int(ago[1]) * _UNITS[ago[2]]
    if value == "now":
        return int(current.timestamp())
    # today, yesterday, this/last week (ISO), month and year: the period's first instant.
    return period_range(value, current, UTC)[0]


def _parse_string(value: str, param: str, now: datetime | float | None) -> int:
    text = value.strip()
    if text.isdigit():
        return int(text)
    relative = _relative(text, now)
    if relative is not None:
        return relative
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
