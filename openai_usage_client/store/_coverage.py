"""What a store holds of a period, per endpoint: the buckets missing, the ones still
provisional, and the last sync that finished for it.

Every read of a store states its coverage beside its figures (``report --db``, the data
commands with ``--db``, ``export``, ``check --db``, ``Store.coverage`` in Python): a figure
over a period the store only partly holds is never shown as if it were complete. A bucket
that has not begun yet (its start is at or after ``now``) is not missing: it has not happened.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Protocol

from ._plan import CONFIRM_DAYS
from ._refused import refused_windows
from ._schema import quote, table_columns
from ._series import current_series

if TYPE_CHECKING:
    from ._read import Freshness

__all__ = [
    "Coverage",
    "EndpointCoverage",
    "Span",
    "coverage",
    "describe",
    "holes",
    "last_syncs",
]

_WIDTH: Final = {"1d": 86_400, "1h": 3_600, "1m": 60}
_DAY: Final = 86_400

#: ``[start, end)`` in Unix seconds.
Span = tuple[int, int]


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _when(seconds: int) -> str:
    moment = datetime.fromtimestamp(seconds, UTC)
    return f"{moment:%Y-%m-%d}" if seconds % _DAY == 0 else f"{moment:%Y-%m-%d %H:%M}"


def _date(seconds: int) -> str:
    return f"{datetime.fromtimestamp(seconds, UTC):%Y-%m-%d}"


def describe(span: Span) -> str:
    """``2026-10-01 to 2026-10-31`` (days, the last one included), ``2026-10-30`` (one day),
    or with hours where a span does not start or end at a UTC midnight."""
    start, end = span
    if start % _DAY == 0 and end % _DAY == 0:
        last = end - _DAY
        return _when(start) if last == start else f"{_when(start)} to {_when(last)}"
    return f"{_when(start)} to {_when(end)}"


def _days(spans: Sequence[Span]) -> str:
    """Provisional spans as people read them: single days listed, longer runs as ranges."""
    parts = []
    for start, end in spans:
        if start % _DAY == 0 and end % _DAY == 0 and (end - start) // _DAY <= 2:
            parts += [_when(day) for day in range(start, end, _DAY)]
        else:
            parts.append(describe((start, end)))
    return ", ".join(parts)


def _merge(starts: Iterable[int], width: int) -> list[Span]:
    spans: list[Span] = []
    for start in sorted(starts):
        if spans and spans[-1][1] == start:
            spans[-1] = (spans[-1][0], start + width)
        else:
            spans.append((start, start + width))
    return spans


@dataclass(frozen=True)
class EndpointCoverage:
    """One endpoint over ``[start, end)``: what is missing and what may still change.

    ``missing`` and ``provisional`` are ``[start, end)`` spans in Unix seconds, merged and
    oldest first; ``bucket_width`` is the stored series' (``None`` when the store holds none).
    """

    endpoint: str
    start: int
    end: int
    bucket_width: str | None
    missing: tuple[Span, ...]
    provisional: tuple[Span, ...]
    #: When the last sync that finished (outcome ``ok``) and included this endpoint ended.
    last_sync: datetime | None = None
    #: Syncs of this endpoint that started after ``last_sync`` and did not finish.
    unfinished: tuple[datetime, ...] = ()
    #: Buckets that came back empty and are fetched again until ``CONFIRM_DAYS`` old (an
    #: empty answer is no proof of no spend while the API's data catches up).
    unconfirmed: tuple[Span, ...] = ()
    #: Buckets whose stored rows no longer match what their sync stored (rows deleted or
    #: changed behind the store's back): their figures are wrong until fetched again.
    lost: tuple[Span, ...] = ()
    #: The missing spans a sync refused, each with why: the server's answer for them was
    #: malformed, so nothing of them was stored (``[start, end, reason]``; within ``missing``).
    refused: tuple[tuple[int, int, str], ...] = ()

    @property
    def complete(self) -> bool:
        """Every bucket of the period that has begun is in the store, as it was synced."""
        return not self.missing and not self.lost

    def provisional_days(self) -> str:
        """The provisional spans as people read them (``2026-10-30, 2026-10-31``)."""
        return _days(self.provisional)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ISO-8601 UTC times, each span ``[start, end)``."""
        return {
            "complete": self.complete,
            "missing": [[_iso(a), _iso(b)] for a, b in self.missing],
            "provisional": [[_iso(a), _iso(b)] for a, b in self.provisional],
            "unconfirmed": [[_iso(a), _iso(b)] for a, b in self.unconfirmed],
            "lost": [[_iso(a), _iso(b)] for a, b in self.lost],
            "refused": [
                {"start": _iso(a), "end": _iso(b), "reason": why} for a, b, why in self.refused
            ],
            "last_sync": None if self.last_sync is None else _iso(int(self.last_sync.timestamp())),
        }


@dataclass(frozen=True)
class Coverage:
    """What a store holds of one period, per endpoint read (see the module docstring)."""

    path: str
    endpoints: Mapping[str, EndpointCoverage] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return all(e.complete for e in self.endpoints.values())

    @property
    def provisional(self) -> bool:
        return any(e.provisional for e in self.endpoints.values())

    def to_dict(self) -> dict[str, Any]:
        return {name: e.to_dict() for name, e in self.endpoints.items()}

    def lines(self) -> list[str]:
        """``Missing:`` lines (each with the sync that fills the gap) and ``Provisional:``
        lines, for text and markdown; none when the period is complete and settled."""
        out = self.gap_lines()
        for name, e in self.endpoints.items():
            if e.provisional:
                out.append(f"Provisional: {name} {e.provisional_days()} (may still change)")
        for name, e in self.endpoints.items():
            if e.unconfirmed:
                out.append(
                    f"Empty, to be confirmed: {name} {_days(e.unconfirmed)} (came back empty; "
                    f"fetched again by each sync until {CONFIRM_DAYS} days old)"
                )
        return out

    def gap_lines(self) -> list[str]:
        """What the period lacks, each with the sync that fills it: ``Missing:``,
        ``Refused:`` (a window whose answer was malformed) and ``Lost:`` lines; the part of
        ``lines()`` that makes a figure incomplete (not what may still change)."""
        out = []
        for name, e in self.endpoints.items():
            width = f" --bucket-width {e.bucket_width}" if e.bucket_width == "1h" else ""
            fill = f"openai-usage sync --db {self.path} --endpoint {name}{width} --start"
            for start, end, why in _split(e.missing, e.refused):
                if why is None:
                    text = f"Missing: {name} {describe((start, end))} (not in the store)"
                else:
                    text = (
                        f"Refused: {name} {describe((start, end))} (not stored, the server's "
                        f"answer was malformed: {why}; the next sync asks again)"
                    )
                out.append(f"{text}: {fill} {_when(start)}")
        for name, e in self.endpoints.items():
            for start, end in e.lost:
                out.append(
                    f"Lost: {name} {describe((start, end))} (its rows no longer match what "
                    f"was synced): openai-usage sync --db {self.path} --endpoint {name} "
                    f"--refetch {_date(start)}..{_date(end - 1)}"
                )
        return out

    def as_of(self) -> str:
        """``Data as of the last finished sync: ...``: one time, or one per endpoint where
        they differ. An endpoint no sync finished for says what it holds instead (an
        unfinished sync's start, or ``not in the store``), never ``never``; a later sync that
        did not finish is named."""
        shown = {name: _as_of(e) for name, e in self.endpoints.items()}
        grouped: dict[str, list[str]] = {}
        for name, when in shown.items():
            grouped.setdefault(when, []).append(name)
        if len(grouped) == 1:
            text = f"Data as of the last finished sync: {next(iter(grouped))}"
        else:
            text = "Data as of the last finished sync: " + "; ".join(
                f"{', '.join(names)}: {when}" for when, names in grouped.items()
            )
        later = sorted(
            {t for e in self.endpoints.values() if e.last_sync is not None for t in e.unfinished}
        )
        if later:
            text += (
                f"; a later sync started {later[-1]:%Y-%m-%d %H:%M} UTC did not finish "
                "(what it fetched is kept)"
            )
        return text


def _split(
    missing: Sequence[Span], refused: Sequence[tuple[int, int, str]]
) -> list[tuple[int, int, str | None]]:
    """The missing spans cut where a refused one begins or ends, each with its reason
    (``None``: not refused)."""
    out: list[tuple[int, int, str | None]] = []
    for start, end in missing:
        at = start
        for first, last, why in sorted(refused):
            a, b = max(first, at), min(last, end)
            if a >= b:
                continue
            if at < a:
                out.append((at, a, None))
            out.append((a, b, why))
            at = b
        if at < end:
            out.append((at, end, None))
    return out


def _as_of(held: EndpointCoverage) -> str:
    if held.last_sync is not None:
        return f"{held.last_sync:%Y-%m-%d %H:%M} UTC"
    if held.unfinished:
        return (
            f"none finished (a sync started {held.unfinished[-1]:%Y-%m-%d %H:%M} UTC stopped "
            "part-way; what it fetched is kept)"
        )
    return "not in the store"


def last_syncs(
    conn: sqlite3.Connection, endpoint: str
) -> tuple[datetime | None, tuple[datetime, ...]]:
    """When the last sync of ``endpoint`` that finished ended, and when the syncs of it that
    started later and did not finish (killed, interrupted, failed) started.

    A run logged before the store recorded endpoints (schema 2) counts for every endpoint."""
    finished: datetime | None = None
    unfinished: list[datetime] = []
    for started, ended, outcome, endpoints in conn.execute(
        "SELECT started_at, finished_at, outcome, endpoints FROM sync_runs ORDER BY id"
    ):
        if endpoints is not None and endpoint not in json.loads(endpoints):
            continue
        if outcome == "ok" and ended:
            finished = datetime.fromisoformat(ended)
            unfinished = []
        else:
            unfinished.append(datetime.fromisoformat(started))
    return finished, tuple(unfinished)


def coverage(
    conn: sqlite3.Connection,
    path: str,
    endpoints: Iterable[str],
    start: int,
    end: int,
    *,
    now: int | None = None,
    organization: str | None = None,
    series: Mapping[str, tuple[str, str]] | None = None,
) -> Coverage:
    """The coverage of ``[start, end)`` for each endpoint, in the series a read uses: per
    organization the one synced last, or ``series[endpoint] = (bucket_width, grouping)``.
    A bucket is missing when any organization read lacks it."""
    moment = int(time.time()) if now is None else now
    out: dict[str, EndpointCoverage] = {}
    for name in dict.fromkeys(endpoints):
        width, grouping = series[name] if series and name in series else (None, None)
        chosen = current_series(conn, name, organization, width, grouping)
        last, unfinished = last_syncs(conn, name)
        if not chosen:
            # Nothing stored: every day of the period that has begun is missing.
            begun = -(-moment // _DAY) * _DAY
            span = (start, min(end, max(start, begun)))
            gone = (span,) if span[1] > span[0] else ()
            out[name] = EndpointCoverage(name, start, end, None, gone, (), last, unfinished)
            continue
        # A store synced before sums were recorded (read, never upgraded, by a read).
        amount = "amount" if "amount" in table_columns(conn, "coverage") else "NULL"
        spans: dict[str, set[int]] = {k: set() for k in ("missing", "provisional", "empty")}
        lost: set[int] = set()
        refused: dict[str, set[int]] = {}
        step = _WIDTH[chosen[0][1]]
        for org, bucket_width, group in chosen:
            step = _WIDTH[bucket_width]
            lo = start - start % step
            stored = {
                b: (state, rows, amount)
                for b, state, rows, amount in conn.execute(
                    f"SELECT bucket_start, state, rows, {amount} FROM coverage WHERE endpoint = ? "
                    "AND organization = ? AND bucket_width = ? AND grouping = ? AND "
                    "bucket_start >= ? AND bucket_start < ?",
                    (name, org, bucket_width, group, lo, end),
                )
            }
            windows = refused_windows(conn, (name, org, bucket_width, group))
            for bucket in range(lo, end, step):
                if bucket >= moment:
                    break
                held = stored.get(bucket)
                if held is None:
                    spans["missing"].add(bucket)
                    for a, b, why in windows:
                        if a <= bucket < b:
                            refused.setdefault(why, set()).add(bucket)
                elif held[0] == "provisional":
                    # An empty bucket that has ended: to be confirmed; the open one: begun.
                    empty = held[1] == 0 and bucket + step <= moment
                    spans["empty" if empty else "provisional"].add(bucket)
            lost |= lost_buckets(conn, name, (org, bucket_width, group), stored, lo, end)
        merged = {k: tuple(_clip(_merge(v, step), start, end)) for k, v in spans.items()}
        out[name] = EndpointCoverage(
            name, start, end, chosen[0][1], merged["missing"], merged["provisional"], last,
            unfinished, merged["empty"], tuple(_clip(_merge(lost, step), start, end)),
            tuple(sorted((a, b, why) for why, held in refused.items()
                         for a, b in _clip(_merge(held, step), start, end))),
        )  # fmt: skip
    return Coverage(path, out)


def lost_buckets(
    conn: sqlite3.Connection,
    endpoint: str,
    series: tuple[str, str, str],
    stored: Mapping[int, tuple[str, int, str | None]],
    lo: int,
    hi: int,
) -> set[int]:
    """The buckets of ``[lo, hi)`` whose rows no longer match what their sync recorded:
    the row count, and for costs the exact sum of ``amount_value`` (a stale ``-wal``
    restored, a table emptied or edited by hand)."""
    table = quote(endpoint)
    money = endpoint == "costs" and "amount_value__units" in table_columns(conn, endpoint)
    sums = (
        ", SUM(amount_value__units), SUM(amount_value__nano), SUM(amount_value__atto), "
        "MAX(amount_value__inexact)"
        if money
        else ""
    )
    found = {
        r[0]: r[1:]
        for r in conn.execute(
            f"SELECT start_unix, COUNT(*){sums} FROM {table} WHERE organization = ? AND "
            "bucket_width = ? AND grouping = ? AND start_unix >= ? AND start_unix < ? "
            "GROUP BY start_unix",
            (*series, lo, hi),
        )
    }
    out = set()
    for bucket, (_, rows, amount) in stored.items():
        have = found.get(bucket)
        if (have[0] if have else 0) != rows:
            out.add(bucket)
        elif money and amount is not None and have and not have[4]:
            whole, nano, atto = have[1:4]
            total = Decimal(whole or 0) + Decimal(nano or 0).scaleb(-9)
            if total + Decimal(atto or 0).scaleb(-18) != Decimal(amount):
                out.add(bucket)
    return out


def _clip(spans: list[Span], start: int, end: int) -> list[Span]:
    return [(max(a, start), min(b, end)) for a, b in spans]


class _Covered(Protocol):
    """What ``holes`` reads of ``Store`` (which calls it: ``Store.holes``)."""

    def freshness(self) -> list[Freshness]: ...
    def coverage(self, endpoints: str, start: int, end: int, *, now: int,
                 organization: str) -> Coverage: ...  # fmt: skip


def holes(store: _Covered, wanted: set[str]) -> list[str]:
    """``Store.holes``: the gap lines between each series' first and last stored bucket."""
    lines = []
    for held in store.freshness():
        if wanted and held.endpoint not in wanted:
            continue
        first, last = (int(t.timestamp()) for t in (held.first, held.last))
        found = store.coverage(held.endpoint, first, last, now=last,
                               organization=held.organization)  # fmt: skip
        lines += found.gap_lines()
    return lines
