"""``--start``/``--end`` values: absolute times, Unix seconds, or relative to "now" (UTC).

Kept free of click so it can be tested with a fixed "now".
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Final

from .._exceptions import InvalidParameterError
from .._time import to_unix

__all__ = ["TIME_HELP", "parse_time", "start_of_day"]

TIME_HELP: Final = (
    "a date (2026-10-01), a datetime (2026-10-01T12:00Z), Unix seconds, or relative: "
    "now, today, yesterday, this-month, last-month, or Nm/Nh/Nd/Nw ago (30m, 24h, 7d, 2w). "
    "All times are UTC."
)

_AGO: Final = re.compile(r"^(\d+)\s*(m|min|h|d|w)$")
_UNITS: Final = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def start_of_day(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _month_start(day: datetime, back: int) -> datetime:
    year, month = day.year, day.month - back
    while month < 1:
        year, month = year - 1, month + 12
    return day.replace(year=year, month=month, day=1)


def parse_time(text: str, now: datetime, param: str = "--start") -> int:
    """Unix seconds for ``text``; relative values count back from ``now``.

    Keywords name the start of a period: ``today`` is today's UTC midnight, ``last-month`` the
    first instant of last month (so ``--start last-month --end this-month`` is last month).
    Raises ``InvalidParameterError`` naming ``param``.
    """
    value = text.strip().lower()
    today = start_of_day(now)
    keywords = {
        "now": now,
        "today": today,
        "yesterday": today - timedelta(days=1),
        "this-month": _month_start(today, 0),
        "last-month": _month_start(today, 1),
    }
    keyword = keywords.get(value.replace("_", "-"))
    if keyword is not None:
        return int(keyword.timestamp())
    ago = _AGO.match(value)
    if ago:
        return int(now.timestamp()) - int(ago[1]) * _UNITS[ago[2]]
    try:
        return to_unix(text.strip(), param)
    except InvalidParameterError:
        raise InvalidParameterError(param, text, TIME_HELP) from None
