"""``--start``/``--end`` values, checked as a range and shown back in the user's terms.

Parsing is the SDK's (``_time.to_unix``: absolute times, Unix seconds, or relative to "now",
all UTC), so the CLI and ``client.costs(start_time="7d")`` read a time the same way. Kept free
of click so it can be tested with a fixed "now".
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from .._core._exceptions import InvalidParameterError
from .._core._time import TIME_HELP, TIME_HELP_TZ, iso, start_of_day, to_unix

__all__ = [
    "TIME_HELP",
    "TIME_HELP_TZ",
    "TimeRangeError",
    "check_range",
    "future_warning",
    "iso",
    "parse_time",
    "start_of_day",
]


def parse_time(text: str, now: datetime, param: str = "--start", tz: tzinfo | None = None) -> int:
    """Unix seconds for ``text``; relative values count back from ``now``; ``tz`` (``--tz``)
    reads dates, datetimes without an offset and period words in that zone.

    Keywords name the start of a period: ``today`` is today's UTC midnight, ``last-month`` the
    first instant of last month (so ``--start last-month --end this-month`` is last month).
    Raises ``InvalidParameterError`` naming ``param`` and listing the forms accepted.
    """
    try:
        return to_unix(text, param, now=now, tz=tz)
    except InvalidParameterError as error:
        # The CLI's list of forms, unless the time was read but is out of range.
        forms = TIME_HELP_TZ if tz is not None else TIME_HELP
        allowed = error.allowed if error.allowed.startswith("a time from") else forms
        raise InvalidParameterError(param, text, allowed) from None


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
