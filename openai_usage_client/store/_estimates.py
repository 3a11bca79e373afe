"""Estimates kept for the record: what each unsettled day's spend was estimated at (from its
usage, by ``attribution``), so that once its bill settles the estimate can be compared with
it. One row per organization, day and currency: the last estimate made before it settled."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final

__all__ = ["keep", "kept"]

_DDL: Final = (
    "CREATE TABLE IF NOT EXISTS estimates (organization TEXT NOT NULL, day TEXT NOT NULL, "
    "currency TEXT NOT NULL, amount TEXT NOT NULL, made_at INTEGER NOT NULL, "
    "PRIMARY KEY (organization, day, currency))"
)


def keep(
    conn: sqlite3.Connection, days: Iterable[tuple[str, date, str, Decimal]], made_at: int
) -> int:
    """Keep ``(organization, day, currency, amount)`` estimates made at ``made_at``, each
    replacing an earlier one of its day (never a later one); one transaction."""
    rows = [(org, day.isoformat(), currency, str(amount), made_at)
            for org, day, currency, amount in days]  # fmt: skip
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(_DDL)
        conn.executemany(
            "INSERT INTO estimates VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
            "amount = excluded.amount, made_at = excluded.made_at "
            "WHERE excluded.made_at >= estimates.made_at",
            rows,
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return len(rows)


def kept(
    conn: sqlite3.Connection, start: date, end: date, organization: str | None
) -> list[dict[str, Any]]:
    """The kept estimates of the days of ``[start, end)``, in day order."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'estimates'"
    ).fetchone()
    if found is None:
        return []  # a store no estimate was kept in (or written before they were)
    return [
        {"organization": org, "day": date.fromisoformat(day), "currency": currency,
         "estimated": Decimal(amount), "made_at": datetime.fromtimestamp(made_at, UTC)}
        for org, day, currency, amount, made_at in conn.execute(
            "SELECT organization, day, currency, amount, made_at FROM estimates "
            "WHERE day >= ? AND day < ? AND (? IS NULL OR organization = ?) "
            "ORDER BY day, organization, currency",
            (start.isoformat(), end.isoformat(), organization, organization),
        )
    ]  # fmt: skip
