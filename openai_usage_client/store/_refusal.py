"""Default groupings the API may refuse, and the store's memory of a refusal.

The default costs grouping includes ``api_key_id`` and ``user_id`` (who spent), but the live
API may refuse either with HTTP 400, depending on the organization (``live-api-facts.md``
section 3, item 7): costs grouped by ``api_key_id`` at all, or by ``user_id`` together with
``project_id``. A sync using the default grouping then falls back to the finest grouping the
organization accepts, one refused request per grouping: it drops the field the 400 names,
else ``user_id``, then ``api_key_id``. It remembers the refusal per (endpoint,
organization) in the ``meta`` table (the default grouping refused, and the one in use), so
the next syncs use the fallback without sending the refused request again. The refused
grouping is tried again ``RETRY_AFTER_DAYS`` days after the refusal (the organization's
settings may change), or at once with ``retry_refused=True`` (``--retry-refused``). A
grouping the caller asked for (``group_by=``) is never replaced: its 400 is an error.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

__all__ = ["RETRY_AFTER_DAYS", "Refusal", "fallback", "forget", "remember", "remembered"]

#: Days after a refusal when the refused default grouping is tried again.
RETRY_AFTER_DAYS: Final = 30
#: endpoint -> the group-bys the API may refuse, in the order a fallback drops them.
_REFUSABLE: Final[dict[str, tuple[str, ...]]] = {
    "costs": ("user_id", "api_key_id"),
}


def fallback(endpoint: str, group_by: tuple[str, ...], message: str = "") -> tuple[str, ...] | None:
    """The grouping to use when the API refuses ``group_by`` for ``endpoint`` with
    ``message``: without the refusable field the message names, else the first refusable
    one grouped by (``None``: no refusable field left, the refusal stands)."""
    present = [g for g in _REFUSABLE.get(endpoint, ()) if g in group_by]
    if not present:
        return None
    named = [g for g in present if g in message]
    dropped = (named or present)[0]
    return tuple(g for g in group_by if g != dropped)


@dataclass(frozen=True)
class Refusal:
    """A remembered refusal: the grouping refused, the one used instead, when and why."""

    endpoint: str
    organization: str
    refused: str
    instead: str
    at: int
    message: str

    @property
    def retry_at(self) -> int:
        return self.at + RETRY_AFTER_DAYS * 86_400

    def note(self) -> str:
        """What a later sync says about the grouping it uses."""
        return (
            f"{self.endpoint}: grouped by {self.instead.replace(',', ', ')} "
            f"without {_dropped(self)}: the API refused it for organization "
            f"{self.organization} on {_day(self.at)}; tried again from {_day(self.retry_at)} "
            "(or now with --retry-refused)"
        )


def _day(t: int) -> str:
    return f"{datetime.fromtimestamp(t, UTC):%Y-%m-%d}"


def _dropped(refusal: Refusal) -> str:
    kept = set(refusal.instead.split(","))
    return ", ".join(g for g in refusal.refused.split(",") if g not in kept)


def _key(endpoint: str, organization: str) -> str:
    return f"refused_grouping:{endpoint}:{organization}"


def remembered(conn: sqlite3.Connection, endpoint: str, organization: str) -> Refusal | None:
    row = conn.execute(
        "SELECT value FROM meta WHERE key = ?", (_key(endpoint, organization),)
    ).fetchone()
    if row is None:
        return None
    found = json.loads(row[0])
    return Refusal(
        endpoint, organization, found["refused"], found["instead"], found["at"], found["message"]
    )


def remember(conn: sqlite3.Connection, refusal: Refusal) -> None:
    value = {
        "refused": refusal.refused,
        "instead": refusal.instead,
        "at": refusal.at,
        "message": refusal.message,
    }
    conn.execute(
        "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (_key(refusal.endpoint, refusal.organization), json.dumps(value)),
    )


def forget(conn: sqlite3.Connection, endpoint: str, organization: str) -> None:
    conn.execute("DELETE FROM meta WHERE key = ?", (_key(endpoint, organization),))
