"""Windows a sync refused: the server's answer for them was malformed (a number out of
bounds, a bucket left out), so nothing of them was stored.

Each is remembered per series in ``meta`` (``refused_window:<endpoint>:<organization>:
<bucket_width>:<grouping>``, a JSON list of ``[start, end, reason]``) until a later sync
stores the window. The coverage reads a missing bucket inside one as *refused*: still
missing (every answer and the budget gate count it so), and said with the reason, so a
reader learns that fetching it again may meet the same answer.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Final

__all__ = ["forget_window", "refused_windows", "remember_window"]

#: A reason is the server's doing: kept short in the store and in every answer.
_REASON_CHARS: Final = 200

SeriesKey = tuple[str, str, str, str]
Refused = tuple[int, int, str]


def _key(series: SeriesKey) -> str:
    return "refused_window:" + ":".join(series)


def refused_windows(conn: sqlite3.Connection, series: SeriesKey) -> list[Refused]:
    """The refused windows of ``series`` (endpoint, organization, bucket_width, grouping),
    oldest first."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (_key(series),)).fetchone()
    if row is None:
        return []
    return sorted((int(a), int(b), str(why)) for a, b, why in json.loads(row[0]))


def _store(conn: sqlite3.Connection, series: SeriesKey, found: list[Refused]) -> None:
    if not found:
        conn.execute("DELETE FROM meta WHERE key = ?", (_key(series),))
        return
    conn.execute(
        "INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (_key(series), json.dumps(sorted(found))),
    )


def _outside(found: list[Refused], start: int, end: int) -> list[Refused]:
    """The parts of ``found`` outside ``[start, end)``."""
    out = []
    for a, b, why in found:
        if a < start:
            out.append((a, min(b, start), why))
        if b > end:
            out.append((max(a, end), b, why))
    return out


def remember_window(
    conn: sqlite3.Connection, series: SeriesKey, start: int, end: int, reason: str
) -> None:
    """Remember ``[start, end)`` of ``series`` as refused, with why (replacing what an
    earlier sync said of the same buckets)."""
    kept = _outside(refused_windows(conn, series), start, end)
    text = " ".join(reason.split())
    if len(text) > _REASON_CHARS:
        text = text[: _REASON_CHARS - 3] + "..."
    with conn:
        _store(conn, series, [*kept, (start, end, text)])


def forget_window(conn: sqlite3.Connection, series: SeriesKey, start: int, end: int) -> None:
    """``[start, end)`` of ``series`` is stored now: it is no longer refused."""
    found = refused_windows(conn, series)
    kept = _outside(found, start, end)
    if kept != found:
        with conn:
            _store(conn, series, kept)
