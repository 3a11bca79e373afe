"""The period a report reads, made to mean what it says.

* **The future has not happened.** A period that reaches past ``now`` (the server's clock
  where known) ends at ``now`` and says so; one that starts at or after ``now`` is refused
  (``InvalidParameterError``, exit 2 in the CLI), naming ``now``: the days after it would
  otherwise read as zero spend.
* **Costs come in UTC days.** In a zone other than UTC, a period of N local days is read as
  the N UTC days of the same dates (local midnights are within 14 hours of UTC ones), so a
  report of 3 days lists 3 days and averages over 3, and the header says which days and why.
  A local store holds whole UTC days too: a period read from it starts and ends at UTC
  midnights; a period ending at ``now`` (``--this-month``) takes today's costs so far.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Final

from .._core._exceptions import InvalidParameterError
from .._core._periods import zone_name

__all__ = ["ReportPeriod", "duration", "report_period"]

_DAY: Final = 86_400


@dataclass(frozen=True)
class ReportPeriod:
    """``[start, end)`` in Unix seconds as the report reads it, and what the header says."""

    start: int
    end: int
    #: Lines for the header: the period cut at now, UTC days read for a local zone.
    notices: tuple[str, ...] = ()
    #: The period was read as UTC days: the header shows UTC.
    utc_days: bool = False


def _date(seconds: int) -> str:
    return f"{datetime.fromtimestamp(seconds, UTC):%Y-%m-%d}"


def _when(seconds: int) -> str:
    return f"{datetime.fromtimestamp(seconds, UTC):%Y-%m-%d %H:%M} UTC"


def _nearest_midnight(seconds: int) -> int:
    return (seconds + _DAY // 2) // _DAY * _DAY


def _next_midnight(seconds: int) -> int:
    return -(-seconds // _DAY) * _DAY


def report_period(
    start: int,
    end: int,
    now: int,
    tz: tzinfo,
    *,
    whole_days: bool = False,
    clock: str = "now",
) -> ReportPeriod:
    """The period to read for ``[start, end)`` asked in zone ``tz`` at ``now`` (see the
    module docstring); ``whole_days``: the data is read in whole UTC days (a local store);
    ``clock`` names where ``now`` comes from in the error (``the fake's clock``)."""
    if start >= now:
        raise InvalidParameterError(
            "start",
            _when(start),
            f"a time before {clock} ({_when(now)}): the period has not happened yet",
        )
    notices: list[str] = []
    if end > now:
        notices.append(f"ends at {_when(now)}: later days have not happened")
        end = now
    partial = end == now and end % _DAY != 0
    local = zone_name(tz) != "UTC"
    if not local and not whole_days:
        return ReportPeriod(start, end, tuple(notices))
    if local:
        first = _nearest_midnight(start)
        last = _next_midnight(end) if partial else _nearest_midnight(end)
    else:
        first, last = start - start % _DAY, _next_midnight(end)
    last = max(last, first + _DAY)
    days = f"{_date(first)} to {_date(last - _DAY)}" if last - first > _DAY else _date(first)
    if local:
        notices.append(
            f"costs come in UTC days: the report covers the UTC days {days}, the dates of "
            f"the period in {zone_name(tz)}"
        )
    elif (first, last) != (start, end) and not partial:
        notices.append(f"the store holds whole UTC days: the report covers {days}")
    if partial:
        notices.append(f"today ({_date(end)}) counts as far as it went: its costs may still change")
    return ReportPeriod(first, last, tuple(notices), utc_days=True)


def duration(seconds: float) -> str:
    """A span as people write it: ``3 days``, ``19 days 13 h``, ``1 day``, ``5 h``, ``40 min``."""
    whole = round(seconds)
    days, rest = divmod(whole, _DAY)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} h")
    if minutes and not days:
        parts.append(f"{minutes} min")
    return " ".join(parts) or "0 min"
