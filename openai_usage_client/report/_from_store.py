"""The report from a local store: the four report queries answered by ``Store.summarize``.

A store holds each endpoint as series (one bucket width and grouping each). Every query of
``REPORT_QUERIES`` is answered from a stored series whose grouping covers the query's
(summing a finer grouping gives the same totals: the API's groups partition the same
results), the series synced last first (an older series is no longer kept current), then
daily ones. A query no series covers (costs by user, when the organization refused costs
grouped by user and project, so the sync fell back to project, line item and key) is left
empty and listed in ``Report.unavailable``.

The names come from the store's directory tables (``Store.directory``): a record that
the last directory update no longer listed is marked ``deleted``, so a deleted key keeps its
name. ``Report.notes`` says how fresh the data is; ``Report.provisional`` holds the period's
days whose costs may still change.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from .._core._summarize import summarize
from ..store import Coverage, StoreEmptyError, StoreError
from ._model import MONEY, REPORT_QUERIES, TOKENS, MixedCurrencyError, Report, ReportQuery
from ._views import top_by_model

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["MissingDataError", "StoredDaily", "report_from_store", "series_for"]

_DAY: Final = 86_400
#: The costs columns the report's views group by (with the currency).
_FINE: Final = ("project_id", "line_item", "api_key_id", "user_id")


class MissingDataError(StoreEmptyError):
    """The store holds no costs series: nothing to report (run a sync first)."""


def series_for(store: Store, query: ReportQuery) -> tuple[str, tuple[str, ...]] | None:
    """``(bucket_width, group_by)`` of the stored series that answers ``query``: the first of
    ``Store.series`` whose grouping covers the query's (the store's one series rule)."""
    found = store.series(query.endpoint, query.group_by)
    return (found[0].bucket_width, found[0].group_by) if found else None


def _day(seconds: int) -> date:
    return datetime.fromtimestamp(seconds, UTC).date()


def report_from_store(
    store: Store,
    start_time: int,
    end_time: int,
    *,
    names: bool = True,
    source: str | None = None,
    now: int | None = None,
) -> Report:
    """The report of ``[start_time, end_time)`` from a local ``Store``, without the API: the
    same totals as ``build_report`` over the same range (exact), computed in SQL, with the
    store's names (``names=True``), how fresh it is (``Report.notes``) and its provisional
    days (``Report.provisional``), and what the store holds of the period per endpoint
    (``Report.coverage``: missing and provisional spans; buckets from ``now`` on, default
    the current time, have not happened and are not missing)."""
    chosen = {q.key: series_for(store, q) for q in REPORT_QUERIES}
    costs_series = chosen["costs"]
    if costs_series is None:
        empty = store.empty("costs", "costs by project and line item")
        raise MissingDataError(store.path, "costs by project and line item", empty.unfinished)
    report = Report(
        datetime.fromtimestamp(start_time, UTC),
        datetime.fromtimestamp(end_time, UTC),
        source or f"local store {store.path} (no API call)",
    )

    totals = _Totals(store, chosen, start_time, end_time)
    total, costs = totals.total, totals.costs
    currencies = costs("costs", ["amount_currency"])
    found = {r["amount_currency"] for r in currencies if r["amount_currency"]}
    if len(found) > 1:
        raise MixedCurrencyError(found)
    report.currency = found.pop() if found else "usd"
    report.total = sum((r["amount_value"] or Decimal(0) for r in currencies), Decimal(0))
    report.by_project = costs("costs", ["project_id"])
    report.by_line_item = costs("costs", ["line_item"])
    report.by_model = costs("costs", ["model"])
    report.by_key = costs("costs_by_key", ["api_key_id"])
    report.by_user = costs("costs_by_user", ["user_id"])
    report.tokens = total("tokens", ["model"], TOKENS)
    # Per model, the keys and users that spent most: from their totals by line item.
    report.top_by_model = top_by_model(
        costs("costs_by_key", ["api_key_id", "line_item"]),
        costs("costs_by_user", ["user_id", "line_item"]),
    )
    report.daily = StoredDaily(totals, _days(report))
    for query in REPORT_QUERIES:
        if chosen[query.key] is None:
            report.unavailable[query.key] = (
                f"not in the store: no {query.endpoint} series grouped by "
                f"{', '.join(query.group_by)}"
            )
    _freshness(store, report, chosen, start_time, end_time, now)
    if names:
        directory = store.directory()
        report.names = directory if len(directory) else None
        if report.names is None:
            report.names_note = "names skipped: the store holds no names (sync with --names)"
    return report


class _Totals:
    """The report's sums from the store, each query in the series chosen for it."""

    def __init__(
        self,
        store: Store,
        chosen: dict[str, tuple[str, tuple[str, ...]] | None],
        start: int,
        end: int,
    ) -> None:
        self.store, self.chosen, self.start, self.end = store, chosen, start, end
        # The costs queries usually read one series: sum it once at the finest grouping any
        # of them needs (a few hundred groups in a year), and every view from those groups,
        # instead of one scan of the year's rows per view (bench P7).
        self.fine_by: list[str] = []
        self.fine: list[dict[str, Any]] = []
        costs_reads = {chosen[k] for k in ("costs", "costs_by_key", "costs_by_user")}
        if len(costs_reads) == 1 and chosen["costs"] is not None:
            _, group_by = chosen["costs"]
            self.fine_by = [*(g for g in _FINE if g in group_by), "amount_currency"]
            self.fine = self.total("costs", self.fine_by, MONEY)

    def total(
        self,
        query_key: str,
        by: list[str],
        fields: list[str],
        start: int | None = None,
        end: int | None = None,
    ) -> list[dict[str, Any]]:
        """``by``'s sums of ``fields`` over the period (or ``[start, end)`` within it)."""
        query = next(q for q in REPORT_QUERIES if q.key == query_key)
        series = self.chosen[query_key]
        if series is None:
            return []
        width, group_by = series
        out: list[dict[str, Any]] = self.store.summarize(
            query.endpoint, by, fields, start=start or self.start, end=end or self.end,
            bucket_width=width, group_by=group_by,
        )  # fmt: skip
        for row in out:
            row.pop("rows", None)  # counts of stored rows: another grouping than the API's
        return out

    def costs(self, query_key: str, by: list[str]) -> list[dict[str, Any]]:
        if not self.fine_by or not all(b in self.fine_by or b == "model" for b in by):
            return self.total(query_key, by, MONEY)
        out = summarize(self.fine, by, MONEY)
        for row in out:
            row.pop("rows", None)
        return out


def _days(report: Report) -> list[date]:
    """Every day of the report's period (a partial last day included)."""
    days, day = [], report.start.date()
    while day < report.end.date() or (day == report.end.date() and report.end.hour):
        days.append(day)
        day += timedelta(days=1)
    return days


def _project_order(row: dict[str, Any]) -> tuple[bool, str]:
    return row["project_id"] is None, row["project_id"] or ""


class StoredDaily(Mapping[date, Mapping[str | None, Decimal]]):
    """``Report.daily`` of a report from a store: every day of the period with its spend per
    project (projects in ID order; a day without spend maps to ``{}``), read from the store
    one day at a time when asked for, so that a year of a large organization's projects is
    never held in memory at once (bench P9). It reads the open store: use it before the
    store is closed (``dict(report.daily)`` keeps a copy)."""

    def __init__(self, totals: _Totals, days: list[date]) -> None:
        self._totals, self._days, self._known = totals, days, set(days)
        self._last: tuple[date, dict[str | None, Decimal]] | None = None
        self._sums: dict[date, Decimal] | None = None

    def __len__(self) -> int:
        return len(self._days)

    def __iter__(self) -> Iterator[date]:
        return iter(self._days)

    def __contains__(self, day: object) -> bool:
        return day in self._known

    def __getitem__(self, day: date) -> dict[str | None, Decimal]:
        if day not in self._known:
            raise KeyError(day)
        if self._last is None or self._last[0] != day:  # the views read day after day
            begin = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
            rows = self._read("project_id", begin, begin + _DAY)
            spent = {
                r["project_id"]: r["amount_value"]
                for r in sorted(rows, key=_project_order)
                if r["amount_value"] is not None
            }
            self._last = (day, spent)
        return self._last[1]

    def totals(self) -> dict[date, Decimal]:
        """Each day's spend (every project), in day order: one read for the whole period."""
        if self._sums is None:
            by_day = {r["date"]: r["amount_value"] for r in self._read("date")}
            self._sums = {d: by_day.get(d) or Decimal(0) for d in self._days}
        return self._sums

    def _read(self, column: str, start: int | None = None, end: int | None = None) -> list[Any]:
        if self._totals.store.closed:
            raise StoreError(
                "Report.daily reads the store day by day and the store is closed: use the "
                "report before closing the store, or keep a copy with dict(report.daily)"
            )
        return self._totals.total("costs", [column], MONEY, start, end)


def _freshness(
    store: Store,
    report: Report,
    chosen: dict[str, tuple[str, tuple[str, ...]] | None],
    start: int,
    end: int,
    now: int | None,
) -> None:
    """The report's coverage (costs in the series it reads, and completions), its "data as
    of" line, the missing and provisional lines, and the provisional days."""
    parts = []
    for key, endpoint in (("costs", "costs"), ("tokens", "completions")):
        series = chosen[key]
        if series is None:
            parts.append(store.coverage(endpoint, start, end, now=now))
        else:
            width, group_by = series
            parts.append(
                store.coverage(endpoint, start, end, now=now, bucket_width=width, group_by=group_by)
            )
    report.coverage = Coverage(store.path, {n: e for c in parts for n, e in c.endpoints.items()})
    report.provisional = {
        _day(t)
        for a, b in report.coverage.endpoints["costs"].provisional
        for t in range(a, b, _DAY)
    }
    report.notes.append(report.coverage.as_of())
    report.notes += report.coverage.lines()
