"""Calendar periods in a time zone: named periods, local dates, period bounds (no I/O).

The API's buckets are UTC; people think in their own days, weeks and months. This module
reads ``--start``/``--end`` style text in a ``zoneinfo`` zone and computes the bounds of local
calendar periods, daylight-saving changes included (a local day is 23 or 25 hours long on the
days the clocks change, and a period boundary is always the first instant of the local day).

* ``zone("Europe/Berlin")``: the zone, or ``InvalidParameterError`` naming ``--tz``.
* ``parse_local(text, now, tz)``: Unix seconds for an absolute time, Unix seconds, a relative
  age (``30m``, ``24h``, ``7d``, ``2w``) or a period word (``today``, ``yesterday``,
  ``this-week``, ``last-week``, ``this-month``, ``last-month``, ``this-quarter``,
  ``last-quarter``, ``this-year``, ``last-year``; a word means the first instant of that
  period). Dates and datetimes without an offset are read in ``tz``; with an offset (``Z``,
  ``+02:00``) they mean what they say.
* ``period_range(word, now, tz)``: ``[start, end)`` of a named period (``last-month`` is the
  whole of last calendar month), for options such as ``report --last-month``.
* ``period_bounds(instant, by, tz)`` and ``period_label(start, by)``: the local day, ISO week
  (Monday to Monday) or month holding an instant, and its name (``2026-03-29``, ``2026-W13``,
  ``2026-03``).

Weeks are ISO weeks: they start on Monday, and week 1 is the week with the year's first
Thursday (so ``2026-W01`` starts on 2025-12-29).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ._exceptions import InvalidParameterError

__all__ = [
    "DEFAULT_DAYS",
    "PERIOD_WORDS",
    "TIME_FORMS",
    "By",
    "ChosenPeriod",
    "PeriodConflictError",
    "choose_period",
    "local_midnight",
    "parse_local",
    "period_bounds",
    "period_label",
    "period_range",
    "period_starts",
    "zone",
    "zone_name",
]

By = Literal["day", "week", "month"]

#: Words naming a calendar period, in the order the help lists them.
#: The report's default period: this many complete days (``openai_usage_client.report``).
DEFAULT_DAYS: Final = 30

PERIOD_WORDS: Final = (
    "today",
    "yesterday",
    "this-week",
    "last-week",
    "this-month",
    "last-month",
    "this-quarter",
    "last-quarter",
    "this-year",
    "last-year",
)

TIME_FORMS: Final = (
    "a date (2026-10-01), a datetime (2026-10-01T12:00, or with an offset: 2026-10-01T12:00Z), "
    "Unix seconds, now, Nm/Nh/Nd/Nw ago (30m, 24h, 7d, 2w), or the start of a period: "
    + ", ".join(PERIOD_WORDS)
    + ". Dates, datetimes without an offset and periods are read in the --tz zone."
)

_AGO: Final = re.compile(r"^(\d+)\s*(m|min|h|d|w)$")
_UNITS: Final = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_ZONE_HELP: Final = (
    "an IANA time zone such as UTC, Europe/Berlin or America/New_York "
    "(if none is found, install the time zone database: pip install tzdata)"
)
_BY_VALUES: Final = get_args(By)


def zone(name: str | tzinfo | None, param: str = "--tz") -> tzinfo:
    """The ``tzinfo`` for ``name`` (``None`` and ``"UTC"``: UTC), or ``InvalidParameterError``."""
    if name is None:
        return UTC
    if isinstance(name, tzinfo):
        return name
    text = name.strip()
    if text.upper() in ("UTC", "Z"):
        return UTC
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        # ValueError: a path-like or otherwise malformed key ("../etc", "").
        raise InvalidParameterError(param, name, _ZONE_HELP) from None


def zone_name(tz: tzinfo) -> str:
    """How headers name a zone: its IANA key (``Europe/Berlin``) or ``UTC``."""
    return "UTC" if tz is UTC else str(getattr(tz, "key", None) or tz)


def local_midnight(day: date, tz: tzinfo) -> datetime:
    """The first instant of the local ``day`` in ``tz``, as an aware datetime in ``tz``.

    Where the clocks jump forward at midnight (the local 00:00 does not exist), the day starts
    at the first instant that does: zoneinfo reads a missing time with the offset from before
    the jump, which lands exactly on the first valid instant after it.
    """
    naive = datetime.combine(day, time(0))
    instant = naive.replace(tzinfo=tz).astimezone(UTC)
    return instant.astimezone(tz)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def _first_day(day: date, by: By) -> date:
    if by == "day":
        return day
    if by == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _next_first_day(first: date, by: By) -> date:
    if by == "day":
        return first + timedelta(days=1)
    if by == "week":
        return first + timedelta(days=7)
    return _add_months(first, 1)


def _check_by(by: str) -> By:
    if by not in _BY_VALUES:
        raise InvalidParameterError("--by", by, "one of: " + ", ".join(_BY_VALUES))
    return by  # type: ignore[return-value]


def period_bounds(instant: datetime, by: By, tz: tzinfo) -> tuple[datetime, datetime]:
    """The local period (``day``, ISO ``week`` or ``month``) holding ``instant``: ``[start, end)``.

    Both bounds are aware datetimes in ``tz``. ``instant`` must be aware.
    """
    by = _check_by(by)
    first = _first_day(instant.astimezone(tz).date(), by)
    return local_midnight(first, tz), local_midnight(_next_first_day(first, by), tz)


def period_label(start: datetime, by: By) -> str:
    """``2026-03-29`` (day), ``2026-W13`` (ISO week), ``2026-03`` (month) for a period start."""
    day = start.date()
    if by == "day":
        return day.isoformat()
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day:%Y-%m}"


def period_starts(start: int, end: int, by: By, tz: tzinfo) -> list[int]:
    """The Unix seconds of every local period boundary strictly inside ``(start, end)``."""
    by = _check_by(by)
    out: list[int] = []
    _, upper = period_bounds(datetime.fromtimestamp(start, UTC), by, tz)
    while (seconds := int(upper.timestamp())) < end:
        out.append(seconds)
        upper = local_midnight(_next_first_day(upper.date(), by), tz)
    return out


def _named(word: str, now: datetime, tz: tzinfo) -> tuple[datetime, datetime] | None:
    today = now.astimezone(tz).date()
    quarter = (today.month - 1) // 3 * 3 + 1
    spans: dict[str, tuple[date, By, int]] = {
        "today": (today, "day", 0),
        "yesterday": (today, "day", -1),
        "this-week": (today, "week", 0),
        "last-week": (today, "week", -1),
        "this-month": (today, "month", 0),
        "last-month": (today, "month", -1),
        # Calendar quarters: January, April, July and October begin one.
        "this-quarter": (today.replace(month=quarter, day=1), "month", 0),
        "last-quarter": (today.replace(month=quarter, day=1), "month", -3),
        "this-year": (today.replace(month=1, day=1), "month", 0),
        "last-year": (today.replace(month=1, day=1), "month", -12),
    }
    found = spans.get(word)
    if found is None:
        return None
    day, by, shift = found
    first = _first_day(day, by)
    if by == "day":
        first += timedelta(days=shift)
    elif by == "week":
        first += timedelta(weeks=shift)
    else:
        first = _add_months(first, shift)
    months = 12 if word.endswith("-year") else 3 if word.endswith("-quarter") else 1
    following = _add_months(first, months) if by == "month" else _next_first_day(first, by)
    return local_midnight(first, tz), local_midnight(following, tz)


def _word(text: str) -> str:
    return text.strip().lower().replace("_", "-")


def period_range(word: str, now: datetime, tz: tzinfo, param: str = "--period") -> tuple[int, int]:
    """``[start, end)`` in Unix seconds of the calendar period ``word`` names, in ``tz``.

    ``last-month`` on 2026-11-01 is 2026-10-01 to 2026-11-01 (local midnights);
    ``this-month`` runs to the first instant of next month (so it may end after ``now``).
    """
    span = _named(_word(word), now, tz)
    if span is None:
        raise InvalidParameterError(param, word, "one of: " + ", ".join(PERIOD_WORDS))
    return int(span[0].timestamp()), int(span[1].timestamp())


def parse_local(text: str, now: datetime, tz: tzinfo, param: str = "--start") -> int:
    """Unix seconds for ``text`` (see the module docstring), reading local forms in ``tz``.

    Raises ``InvalidParameterError`` naming ``param`` and listing the accepted forms.
    """
    value = text.strip()
    word = _word(value)
    if word == "now":
        return int(now.timestamp())
    span = _named(word, now, tz)
    if span is not None:
        return int(span[0].timestamp())
    ago = _AGO.match(word)
    if ago:
        return int(now.timestamp()) - int(ago[1]) * _UNITS[ago[2]]
    if value.isdigit():
        return _checked(int(value), text, param)
    try:
        if len(value) == 10:
            parsed = local_midnight(date.fromisoformat(value), tz)
        else:
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=tz)
        seconds = math.floor(parsed.timestamp())
    except (ValueError, OverflowError):
        raise InvalidParameterError(param, text, TIME_FORMS) from None
    return _checked(seconds, text, param)


def _checked(seconds: int, text: str, param: str) -> int:
    if not 0 <= seconds < 253402300800:
        raise InvalidParameterError(
            param, text, "a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z"
        )
    return seconds


class PeriodConflictError(InvalidParameterError):
    """Two period options that cannot both hold (``--last-month`` with ``--start``)."""

    def __init__(self, param: str, value: object, message: str) -> None:
        super().__init__(param, value, message)
        self.args = (message,)


@dataclass(frozen=True)
class ChosenPeriod:
    """``[start, end)`` in Unix seconds, and how it was chosen, in words for a header."""

    start: int
    end: int
    how: str


def choose_period(
    now: datetime,
    tz: tzinfo = UTC,
    *,
    word: str | None = None,
    word_option: str = "--period",
    start: str | None = None,
    end: str | None = None,
    days: int | None = None,
    default_days: int = DEFAULT_DAYS,
    conflicts: tuple[str, ...] = (),
    parse: Callable[[str, str], int] | None = None,
) -> ChosenPeriod:
    """The one rule every command picks its period by (``report``, ``reconcile``, ...).

    ``word`` (``last-month``, ``this-week``, ...) names a calendar period in ``tz``: not with
    ``start``, ``end``, ``days`` or any option in ``conflicts``; a period still running ends
    at ``now``. Otherwise the period ends at ``end`` (default: today's local midnight) and
    starts at ``start`` or ``days`` (default ``default_days``) complete days before the end;
    ``days`` counts back from the end, so not with ``start``. ``parse(text, option)`` reads
    ``start``/``end`` (default: ``parse_local`` in ``tz``). Raises ``PeriodConflictError`` or
    ``InvalidParameterError`` naming the option.
    """

    def read(text: str, option: str) -> int:
        return parse(text, option) if parse else parse_local(text, now, tz, option)

    if word is not None:
        given = (("--start", start), ("--end", end), ("--days", days is not None))
        clash = [name for name, on in given if on] + list(conflicts)
        if clash:
            message = f"{word_option} names the period: not with {', '.join(clash)}"
            raise PeriodConflictError(word_option, word, message)
        return _named_period(word, word_option, now, tz)
    end_at = (
        read(end, "--end")
        if end
        else int(local_midnight(now.astimezone(tz).date(), tz).timestamp())
    )
    if start:
        if days is not None:
            raise PeriodConflictError(
                "--days", days, "--days counts back from --end: not with --start"
            )
        return ChosenPeriod(read(start, "--start"), end_at, "--start/--end")
    count = default_days if days is None else days
    first = local_midnight(datetime.fromtimestamp(end_at, tz).date() - timedelta(days=count), tz)
    how = f"{count} days before --end" if end else f"last {count} complete days"
    return ChosenPeriod(int(first.timestamp()), end_at, how)


def _named_period(word: str, option: str, now: datetime, tz: tzinfo) -> ChosenPeriod:
    lo, hi = period_range(word, now, tz, option)
    first = datetime.fromtimestamp(lo, tz)
    key = _word(word)
    if key == "last-month":
        return ChosenPeriod(lo, hi, f"calendar month {first:%B %Y}")
    moment = int(now.timestamp())
    if hi <= moment:  # over: the whole period
        return ChosenPeriod(lo, hi, key)
    # Still running: it ends now ("this-month" on the 7th is the month's first 6 days and some).
    how = f"{first:%B %Y} so far" if key == "this-month" else f"{key} so far"
    return ChosenPeriod(lo, max(lo, moment), how)
