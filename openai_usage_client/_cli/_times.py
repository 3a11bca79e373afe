"""``--start``/``--end`` values: absolute times, Unix seconds, or relative to "now" (UTC).

Kept free of click so it can be tested with a fixed "now".
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Final

from .._exceptions import InvalidParameterError
from .._time import to_unix

__all__ = [
    "TIME_HELP",
    "TimeRangeError",
    "check_range",
    "future_warning",
    "iso",
    "parse_time",
    "start_of_day",
]

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


def iso(seconds: int) -> str:
    """``2026-11-01T00:00:00Z``: how times are shown back to the user."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class TimeRangeError(InvalidParameterError):
    """A ``--start``/``--end`` pair that cannot make a range, said in the user's terms."""

    def __init__(self, param: str, value: str, message: str) -> None:
        super().__init__(param, value, message)
        self.args = (message,)


def _shown(option: str, text: str | None, seconds: int, now: int, default: str) -> str:
    future = ", in the future" if seconds > now else ""
    given = f"{option} {text!r}" if text is not None else f"{option} ({default})"
    return f"{given} ({iso(seconds)}{future})"


def check_range(
    start: tuple[str | None, int],
    end: tuple[str | None, int],
    now: datetime,
    *,
    defaults: tuple[str, str] = ("default", "default: now"),
    note: str = "",
) -> None:
    """Refuse ``--start`` at or after ``--end``, naming the options and the user's values.

    ``start``/``end`` are ``(the text given or None, Unix seconds)``; ``defaults`` say what
    each was when not given; ``note`` ends the message (where "now" came from). The option
    blamed is the one the user gave (``--start`` when both were given, or neither).
    """
    (start_text, start_at), (end_text, end_at) = start, end
    if start_at < end_at:
        return
    moment = int(now.timestamp())
    first = _shown("--start", start_text, start_at, moment, defaults[0])
    second = _shown("--end", end_text, end_at, moment, defaults[1])
    if start_text is None and end_text is not None:
        message = f"invalid {second}: it must be after {first}{note}"
        raise TimeRangeError("--end", end_text, message)
    value = start_text if start_text is not None else str(start_at)
    raise TimeRangeError("--start", value, f"invalid {first}: it must be before {second}{note}")


def future_warning(start_at: int, end_at: int, now: datetime, clock: str) -> str | None:
    """A warning when all of ``[start_at, end_at)`` is after ``now``: nothing can be there."""
    moment = int(now.timestamp())
    if start_at < moment:
        return None
    return (
        f"the range {iso(start_at)} to {iso(end_at)} is wholly in the future "
        f"({clock} is {iso(moment)}): there is no usage in it yet"
        if clock == "now"
        else f"the range {iso(start_at)} to {iso(end_at)} is wholly after {clock}: "
        "there is no usage in it"
    )
