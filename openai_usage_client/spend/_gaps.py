"""What an organization's data lacks for a month's budgets: days a store does not hold, and a
store whose last finished costs sync is too old to trust (``check`` then says ``unknown``).

A month is *incomplete* when the costs coverage lacks a day of the month before today (the
open day and provisional days are held, so they are not missing), or when the last finished
costs sync ended more than ``max_age`` before ``now``: a nightly sync that stopped leaves a
store that looks complete up to its last day, and a gate that reads it must not pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

__all__ = ["DEFAULT_MAX_AGE", "Gaps", "age_text", "store_gaps"]

#: A daily cron at any hour keeps a healthy gate green: a day and two hours of slack.
DEFAULT_MAX_AGE: Final = timedelta(hours=26)
_DAY: Final = 86_400


def age_text(age: timedelta) -> str:
    """``14 days 3 hours``, ``5 hours``, ``12 minutes``."""
    seconds = int(age.total_seconds())
    days, rest = divmod(seconds, _DAY)
    hours, rest = divmod(rest, 3_600)
    if days:
        return f"{days} day{'s' * (days != 1)}" + (
            f" {hours} hour{'s' * (hours != 1)}" * bool(hours)
        )
    if hours:
        return f"{hours} hour{'s' * (hours != 1)}"
    minutes = rest // 60
    return f"{minutes} minute{'s' * (minutes != 1)}"


def _day_text(day: date) -> str:
    return day.isoformat()


@dataclass(frozen=True)
class Gaps:
    """What one organization's costs lack over a check's window (see the module docstring)."""

    organization: str
    #: Days before today that the data does not hold (history and month alike), oldest first.
    missing_days: tuple[date, ...] = ()
    #: The month's missing days as ``(first, last)`` runs.
    month_runs: tuple[tuple[date, date], ...] = ()
    #: When the last finished costs sync ended (``None``: none finished).
    last_sync: datetime | None = None
    #: How old that sync is (``None``: none finished).
    age: timedelta | None = None
    max_age: timedelta = DEFAULT_MAX_AGE
    #: The command that fills the gap (``None``: not a store).
    command: str | None = None
    #: The month's days whose stored rows no longer match their sync, as runs.
    lost_runs: tuple[tuple[date, date], ...] = ()
    #: The month's days a sync refused (the server's answer was malformed), as runs with
    #: the reason; not among ``month_runs``.
    refused_runs: tuple[tuple[date, date, str], ...] = ()

    @property
    def incomplete(self) -> bool:
        """The month cannot be judged from this data."""
        return bool(self.month_runs or self.lost_runs or self.refused_runs) or self.stale

    @property
    def stale(self) -> bool:
        """No costs sync finished, or the last one is older than ``max_age``."""
        return self.age is None or self.age > self.max_age

    def reasons(self) -> list[str]:
        """Why the month is incomplete, each with the command that fills it."""
        out = []
        for first, last in self.month_runs:
            span = _day_text(first) if first == last else f"{first} to {last}"
            out.append(f"{self.organization}: costs {span} not in the store")
        for first, last in self.lost_runs:
            span = _day_text(first) if first == last else f"{first} to {last}"
            out.append(f"{self.organization}: costs {span} no longer as synced (rows lost)")
        for first, last, why in self.refused_runs:
            span = _day_text(first) if first == last else f"{first} to {last}"
            out.append(
                f"{self.organization}: costs {span} refused by the sync, the server's answer "
                f"was malformed ({why})"
            )
        if self.stale:
            if self.last_sync is None or self.age is None:
                out.append(f"{self.organization}: no costs sync of the store ever finished")
            else:
                out.append(
                    f"{self.organization}: the last finished costs sync ended "
                    f"{self.last_sync:%Y-%m-%d %H:%M} UTC, {age_text(self.age)} ago "
                    f"(more than --max-age {age_text(self.max_age)})"
                )
        if out and self.command:
            out.append(f"{self.organization}: to fill it: {self.command}")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "organization": self.organization,
            "complete": not self.incomplete,
            "missing": [[a.isoformat(), b.isoformat()] for a, b in self.month_runs],
            "lost": [[a.isoformat(), b.isoformat()] for a, b in self.lost_runs],
            "refused": [
                {"first": a.isoformat(), "last": b.isoformat(), "reason": why}
                for a, b, why in self.refused_runs
            ],
            "last_sync": None
            if self.last_sync is None
            else self.last_sync.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "sync_age_seconds": None if self.age is None else int(self.age.total_seconds()),
            "max_age_seconds": int(self.max_age.total_seconds()),
            "sync_command": self.command if self.incomplete else None,
        }


def _runs(days: list[date]) -> tuple[tuple[date, date], ...]:
    return tuple((first, last) for first, last, _ in _reason_runs(dict.fromkeys(days, "")))


def store_gaps(
    coverage: Any,
    organization: str,
    now: datetime,
    *,
    path: str,
    max_age: timedelta = DEFAULT_MAX_AGE,
) -> Gaps:
    """The gaps of a store's costs ``coverage`` (``store.Coverage`` of ``[start, now)``)."""
    held = coverage.endpoints["costs"]
    now = now.astimezone(UTC)
    today = now.date()
    month = today.replace(day=1)
    missing = _days(held.missing, today)
    # Days whose rows no longer match their sync are as unknown as missing ones.
    lost = _days(getattr(held, "lost", ()), today) - missing
    days = sorted(missing | lost)
    refused = {
        day: why
        for a, b, why in getattr(held, "refused", ())
        for day in _days(((a, b),), today)
        if day >= month
    }
    month_days = [d for d in sorted(missing) if d >= month and d not in refused]
    month_lost = [d for d in sorted(lost) if d >= month]
    last = held.last_sync
    # A sync recorded after ``now`` (a check of an earlier moment, --as-of) is not old.
    age = None if last is None else max(timedelta(0), now - last.astimezone(UTC))
    command = f"openai-usage sync --db {path}"
    if month_lost:  # fetched again whatever is stored of them
        days_lost = sorted({*month_days, *month_lost})
        command += f" --endpoint costs --refetch {days_lost[0]}..{days_lost[-1]}"
    elif month_days or refused:
        # A plain sync fills holes after the store's first day; --start reaches before it.
        command += f" --endpoint costs --start {min([*month_days, *refused]).isoformat()}"
    return Gaps(
        organization, tuple(days), _runs(month_days), last, age, max_age, command,
        _runs(month_lost), _reason_runs(refused),
    )  # fmt: skip


def _reason_runs(days: dict[date, str]) -> tuple[tuple[date, date, str], ...]:
    runs: list[tuple[date, date, str]] = []
    for day in sorted(days):
        if runs and runs[-1][1] + timedelta(days=1) == day and runs[-1][2] == days[day]:
            runs[-1] = (runs[-1][0], day, days[day])
        else:
            runs.append((day, day, days[day]))
    return tuple(runs)


def _days(spans: Any, today: date) -> set[date]:
    """The UTC days of ``[start, end)`` spans before ``today`` (the open day is not missing)."""
    out = set()
    for lo, hi in spans:
        for t in range(lo - lo % _DAY, hi, _DAY):
            day = datetime.fromtimestamp(t, UTC).date()
            if day < today:
                out.add(day)
    return out
