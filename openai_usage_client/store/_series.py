"""Which stored series answers a question: the one rule every read of a store follows.

A store holds each endpoint as series (one bucket width and grouping each; ``series`` table).
The series that answers a question (a grouping to report, a width asked for) is, among those
whose grouping covers the question's, **the one synced last** (the others are no longer kept
current: a grouping or width change), **then daily before hourly before by-minute, then the
coarsest grouping** (fewest rows to sum). ``rows``, ``summarize`` and ``coverage`` read, per
organization, the first series of that order; the report, the data commands and the exporter
ask ``Store.series`` for the same order over the whole store.

The exporter's counters are the one reader that needs another property than "best now":
a series a later sync cannot flip, so a counter never goes down (``counter_series``: the
default grouping at the daily width when held, else the first series synced).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from ._schema import default_group_by

__all__ = ["StoredSeries", "counter_series", "current_series", "ranked"]

_WIDTH_ORDER: Final = {"1d": 0, "1h": 1, "1m": 2}


@dataclass(frozen=True)
class StoredSeries:
    """One stored series of an endpoint: its bucket width and grouping, and ``last_run``,
    the sync run that used it last (across organizations when read for the whole store)."""

    bucket_width: str
    group_by: tuple[str, ...]
    last_run: int

    @property
    def grouping(self) -> str:
        """The grouping as the store writes it: the group-bys joined by commas."""
        return ",".join(self.group_by)


def _key(width: str, grouping: str, last_run: int) -> tuple[int, int, int]:
    return (-last_run, _WIDTH_ORDER.get(width, 9), len([g for g in grouping.split(",") if g]))


def ranked(
    conn: sqlite3.Connection,
    endpoint: str,
    covering: Iterable[str] = (),
    *,
    bucket_width: str | None = None,
) -> list[StoredSeries]:
    """The store's series of ``endpoint`` whose grouping covers ``covering``, best first (the
    module's rule), each with its latest run over every organization."""
    wanted = set(covering)
    found = []
    for width, grouping, last_run in conn.execute(
        "SELECT bucket_width, grouping, MAX(last_run) FROM series WHERE endpoint = ? "
        "GROUP BY bucket_width, grouping",
        (endpoint,),
    ):
        group_by = tuple(g for g in grouping.split(",") if g)
        if wanted <= set(group_by) and bucket_width in (None, width):
            found.append((_key(width, grouping, last_run), StoredSeries(width, group_by, last_run)))
    return [series for _, series in sorted(found, key=lambda f: f[0])]


def current_series(
    conn: sqlite3.Connection,
    endpoint: str,
    organization: str | None = None,
    bucket_width: str | None = None,
    grouping: str | None = None,
) -> list[tuple[str, str, str]]:
    """(organization, bucket_width, grouping) of the series to read: per organization, the
    first by the module's rule, unless a width or grouping is asked for."""
    query = "SELECT organization, bucket_width, grouping, last_run FROM series WHERE endpoint = ?"
    params: list[Any] = [endpoint]
    for column, value in (
        ("organization", organization),
        ("bucket_width", bucket_width),
        ("grouping", grouping),
    ):
        if value is not None:
            query += f" AND {column} = ?"
            params.append(value)
    best: dict[str, tuple[tuple[int, int, int], str, str]] = {}
    for org, width, group, last_run in conn.execute(query + " ORDER BY organization", params):
        key = _key(width, group, last_run)
        if org not in best or key < best[org][0]:
            best[org] = (key, width, group)
    return [(org, width, group) for org, (_, width, group) in best.items()]


def counter_series(
    conn: sqlite3.Connection, endpoint: str, organization: str
) -> dict[str, Any] | None:
    """The one series of ``endpoint`` the exporter's counters read, by a rule a later sync
    cannot flip (the module docstring), with ``end`` its settled end, as keyword arguments of
    ``Store.summarize``; ``None`` when it has nothing settled."""
    default = ",".join(default_group_by(endpoint))
    held = conn.execute(
        "SELECT bucket_width, grouping FROM series WHERE endpoint = ? AND organization = ? "
        "ORDER BY rowid",
        (endpoint, organization),
    ).fetchall()
    if not held:
        return None
    width, grouping = next(((w, g) for w, g in held if (w, g) == ("1d", default)), held[0])
    (end,) = conn.execute(
        "SELECT MAX(bucket_end) FROM coverage WHERE endpoint = ? AND organization = ? AND "
        "bucket_width = ? AND grouping = ? AND state = 'settled'",
        (endpoint, organization, width, grouping),
    ).fetchone()
    if end is None:
        return None
    group_by = [g for g in grouping.split(",") if g]
    return {"end": int(end), "bucket_width": width, "group_by": group_by}
