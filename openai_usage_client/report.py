"""Where the money and the tokens went over a period: the report as data, no I/O of its own.

``build_report(client, start_time, end_time)`` makes four calls through the public client API
(costs grouped by project and line item, costs by API key and line item, costs by user and
line item, and completions usage by model) and totals them into a ``Report``, including the
API keys and users that spent most on each model. ``filters=ReportFilters(...)`` narrows it
to projects, API keys, users or models: sent to the API where it has the filter, applied to
the rows here where it has not (costs have no user or model filter: those calls also group
by ``user_id``, and the model is read from the line item). ``report_from_rows`` is the pure
part: the same totals from rows already fetched (``rows()``, a store, a test). Money comes
from costs, never from usage times a price list: costs is what is billed.

``chart_data(report)`` turns a report into the ``ChartData`` that ``write_chart`` draws (a
PNG with the ``[charts]`` extra, or self-contained HTML/SVG with nothing installed).

Errors are the package's own: ``MixedCurrencyError`` (an ``OpenAIUsageError``) when the costs
are in several currencies; whatever the client raises while fetching passes through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Protocol

from ._charts import ChartData, write_chart
from ._core._exceptions import OpenAIUsageError
from ._core._periods import DEFAULT_DAYS
from ._core._summary import summarize
from ._report_views import ModelTop, ReportFilters, top_by_model
from .analysis._analysis import client_side, filter_rows

if TYPE_CHECKING:
    from ._core._exports import Row
    from .spend.report import SpendSections

__all__ = [
    "DEFAULT_DAYS",
    "REPORT_QUERIES",
    "ChartData",
    "MixedCurrencyError",
    "ModelTop",
    "Report",
    "ReportFilters",
    "ReportQuery",
    "build_report",
    "chart_data",
    "default_period",
    "report_from_rows",
    "report_from_store",
    "write_chart",
]

#: Projects drawn one by one in the chart; the rest are stacked as "other".
_CHART_PROJECTS: Final = 7
_MONEY: Final = ["amount_value"]
_TOKENS: Final = ["input_tokens", "output_tokens", "input_cached_tokens", "num_model_requests"]


class MixedCurrencyError(OpenAIUsageError, ValueError):
    """The costs of the period are in several currencies; a report totals one."""

    def __init__(self, currencies: Iterable[str]) -> None:
        self.currencies = sorted(currencies)
        super().__init__(
            f"costs are in several currencies ({', '.join(self.currencies)}); the report "
            "totals one: export the costs (to_csv, or 'openai-usage costs -f csv') instead"
        )


@dataclass(frozen=True)
class ReportQuery:
    """One of the calls a report needs: what to call it, the endpoint, and its group-by."""

    key: str
    label: str
    endpoint: str
    group_by: tuple[str, ...]


#: The four calls, in the order ``build_report`` makes them.
REPORT_QUERIES: Final = (
    ReportQuery("costs", "costs by project and line item", "costs", ("project_id", "line_item")),
    ReportQuery("costs_by_key", "costs by API key", "costs", ("api_key_id", "line_item")),
    ReportQuery("costs_by_user", "costs by user", "costs", ("user_id", "line_item")),
    ReportQuery("tokens", "completions by model", "completions", ("model",)),
)


@dataclass
class Report:
    """Totals over ``[start, end)``. Every list is largest first (see ``summarize``)."""

    start: datetime
    end: datetime
    #: Where the data came from (a base URL, "offline fake organization", ...).
    source: str
    currency: str = "usd"
    total: Decimal = Decimal(0)
    by_project: list[Row] = field(default_factory=list)
    by_line_item: list[Row] = field(default_factory=list)
    by_model: list[Row] = field(default_factory=list)
    by_key: list[Row] = field(default_factory=list)
    by_user: list[Row] = field(default_factory=list)
    tokens: list[Row] = field(default_factory=list)
    #: Every day of the period, with its spend per project (absent: nothing spent).
    daily: dict[date, dict[str | None, Decimal]] = field(default_factory=dict)
    #: Per model (top 10 by spend), the three API keys and users that spent most on it.
    top_by_model: list[ModelTop] = field(default_factory=list)
    #: The names of projects, keys and users (a ``Directory``), or ``None``: IDs are shown.
    names: Any = None
    #: Why names were not looked up when they were asked for (a key without permission).
    names_note: str | None = None
    #: Days of the period whose costs may still change (a store's provisional buckets).
    provisional: set[date] = field(default_factory=set)
    #: Lines about the data itself (a store's freshness), shown under the source.
    notes: list[str] = field(default_factory=list)
    #: ``REPORT_QUERIES`` keys whose data the source does not hold, with the reason.
    unavailable: dict[str, str] = field(default_factory=dict)
    #: A spend config's teams, organizations and budget lines (``spend.spend_sections``).
    spend: SpendSections | None = None

    def labels(self, column: str, values: list[Any], missing: str) -> list[str]:
        """Display labels of ``values`` of an ID column: names when the report has them
        (archived projects and deleted keys marked), else the IDs (``_report_labels``)."""
        from ._report_labels import labels

        return labels(self.names, column, values, missing)


class _Client(Protocol):
    """What ``build_report`` needs of a client: ``UsageClient`` has it."""

    @property
    def base_url(self) -> Any: ...

    def endpoint(self, name: Any) -> Callable[..., Any]: ...


#: ``fetch(query, params) -> rows``: how ``build_report`` gets the rows of one query.
Fetch = Callable[[ReportQuery, dict[str, Any]], Iterable["Row"]]


def default_period(now: datetime, days: int = DEFAULT_DAYS) -> tuple[int, int]:
    """The last ``days`` complete UTC days before ``now``, as Unix seconds ``(start, end)``."""
    end = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return int((end - timedelta(days=days)).timestamp()), int(end.timestamp())


def build_report(
    client: _Client,
    start_time: int,
    end_time: int,
    *,
    source: str | None = None,
    fetch: Fetch | None = None,
    filters: ReportFilters | None = None,
    names: Any = None,
) -> Report:
    """Fetch the four ``REPORT_QUERIES`` over ``[start_time, end_time)`` and total them.

    ``fetch(query, params)`` replaces the default (``client.endpoint(...)(**params).rows()``),
    e.g. to show progress; ``source`` defaults to the client's base URL. ``filters`` keeps
    only the activity of some projects, API keys, users or models (see the module docstring).
    ``names``: a ``Directory`` to name projects, keys and users with, or ``True`` to read it
    with ``try_directory(client)`` (a key that may not read it leaves ``report.names_note``
    set and the IDs shown); default: IDs only.
    """
    note = None
    if names is True:
        from .directory import try_directory

        names, note = try_directory(client)  # type: ignore[arg-type]

    def rows_of(query: ReportQuery, params: dict[str, Any]) -> Iterable[Row]:
        stream = client.endpoint(query.endpoint)(**params)
        rows: Iterable[Row] = stream.rows()
        return rows

    get = fetch or rows_of
    span = {"start_time": start_time, "end_time": end_time}
    wanted = (filters or ReportFilters()).as_params()
    fetched: dict[str, list[Row]] = {}
    for q in REPORT_QUERIES:
        params, local = client_side(q.endpoint, {**span, "group_by": list(q.group_by), **wanted})
        got = get(q, params)
        fetched[q.key] = list(filter_rows(got, local) if local else got)
    report = report_from_rows(
        fetched,
        start_time,
        end_time,
        str(client.base_url) if source is None else source,
        names=names or None,
    )
    report.names_note = note
    return report


def report_from_rows(
    rows: Mapping[str, Iterable[Row]],
    start_time: int,
    end_time: int,
    source: str,
    *,
    names: Any = None,
) -> Report:
    """The report of rows already fetched: ``rows[query.key]`` for each of ``REPORT_QUERIES``.

    ``names`` (a ``Directory``) names projects, keys and users in ``Report.labels``."""
    costs = list(rows["costs"])
    report = Report(
        datetime.fromtimestamp(start_time, UTC),
        datetime.fromtimestamp(end_time, UTC),
        source,
        _currency(costs),
        names=names,
    )
    report.total = sum((r["amount_value"] or Decimal(0) for r in costs), Decimal(0))
    report.by_project = summarize(costs, by=["project_id"], fields=_MONEY)
    report.by_line_item = summarize(costs, by=["line_item"], fields=_MONEY)
    report.by_model = summarize(costs, by=["model"], fields=_MONEY)
    report.by_key = summarize(rows["costs_by_key"], by=["api_key_id"], fields=_MONEY)
    report.by_user = summarize(rows["costs_by_user"], by=["user_id"], fields=_MONEY)
    report.tokens = summarize(rows["tokens"], by=["model"], fields=_TOKENS)
    report.top_by_model = top_by_model(rows["costs_by_key"], rows["costs_by_user"])
    day = report.start.date()
    while day < report.end.date() or (day == report.end.date() and report.end.hour):
        report.daily[day] = {}
        day += timedelta(days=1)
    for total in summarize(costs, by=["date", "project_id"], fields=_MONEY):
        if total["amount_value"] is not None:
            report.daily.setdefault(total["date"], {})[total["project_id"]] = total["amount_value"]
    return report


def report_from_store(
    store: Any, start_time: int, end_time: int, *, names: bool = True, source: str | None = None
) -> Report:
    """The report of ``[start_time, end_time)`` from a local ``Store``, without the API: the
    same totals as ``build_report`` over the same range (exact), computed in SQL, with the
    store's names (``names=True``), how fresh it is (``Report.notes``) and its provisional
    days (``Report.provisional``). See ``_store_report``."""
    from ._store_report import report_from_store as from_store

    return from_store(store, start_time, end_time, names=names, source=source)


def _currency(costs: list[Row]) -> str:
    currencies = {r["amount_currency"] for r in costs if r.get("amount_currency")}
    if len(currencies) > 1:
        raise MixedCurrencyError(currencies)
    return currencies.pop() if currencies else "usd"


def _label(value: object, missing: str) -> str:
    return missing if value is None else str(value)


def chart_data(report: Report) -> ChartData:
    """The report's chart: daily spend of the top projects (the rest as "other"), and tokens
    by model (input and output, the 12 largest)."""
    days = sorted(report.daily)
    shown = [r["project_id"] for r in report.by_project][:_CHART_PROJECTS]
    named = dict(zip(shown, report.labels("project_id", shown, "(no project)"), strict=True))
    spend: dict[str, list[float]] = {}
    for project in [*shown, "other"]:
        values = []
        for day in days:
            per = report.daily[day]
            if project == "other":
                value = sum((v for p, v in per.items() if p not in shown), Decimal(0))
            else:
                value = per.get(project, Decimal(0))
            values.append(float(value))
        if project != "other" or any(values):
            spend[named.get(project, "other")] = values
    tokens = [
        (_label(r["model"], "(unknown)"), r["input_tokens"] or 0, r["output_tokens"] or 0)
        for r in report.tokens[:12]
    ]
    title = f"OpenAI usage {report.start:%Y-%m-%d} to {report.end - timedelta(seconds=1):%Y-%m-%d}"
    return ChartData(title, report.currency, days, spend, tokens)
