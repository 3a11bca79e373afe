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
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Protocol

from .._core._exceptions import BadRequestError
from .._core._periods import DEFAULT_DAYS
from .._core._summarize import summarize
from ..analysis import client_side, filter_rows
from ._charts import ChartData
from ._model import MONEY, REPORT_QUERIES, TOKENS, MixedCurrencyError, Report, ReportQuery
from ._unmatched import Seen, unmatched
from ._views import ReportFilters, top_by_model

if TYPE_CHECKING:
    from .._core._exports import Row

__all__ = ["Fetch", "build_report", "chart_data", "default_period", "report_from_rows"]

#: Projects drawn one by one in the chart; the rest are stacked as "other".
_CHART_PROJECTS: Final = 7


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
        from ..directory import try_directory

        names, note = try_directory(client)  # type: ignore[arg-type]

    def rows_of(query: ReportQuery, params: dict[str, Any]) -> Iterable[Row]:
        stream = client.endpoint(query.endpoint)(**params)
        rows: Iterable[Row] = stream.rows()
        return rows

    get = fetch or rows_of
    span = {"start_time": start_time, "end_time": end_time}
    wanted = (filters or ReportFilters()).as_params()
    fetched: dict[str, list[Row]] = {}
    refused: dict[str, str] = {}
    seen = Seen()
    for q in REPORT_QUERIES:
        params, local = client_side(q.endpoint, {**span, "group_by": list(q.group_by), **wanted})
        try:
            got = list(get(q, params))
        except BadRequestError as error:
            why = _refused(q, params, error)
            if why is None:
                raise
            refused[q.key], got = why, []
        seen.add(got, kept=False)
        fetched[q.key] = list(filter_rows(got, local) if local else got)
        seen.add(fetched[q.key], kept=True)
    report = report_from_rows(
        fetched,
        start_time,
        end_time,
        str(client.base_url) if source is None else source,
        names=names or None,
    )
    report.names_note = note
    for key, why in refused.items():  # shown as unavailable, never as $0 by key or user
        report.unavailable[key] = why
        report.differences.pop(_REFUSED_COLUMN[key], None)
    report.unmatched = unmatched(wanted, seen, names or None)
    _mark_provisional(report, client)
    return report


#: The report's queries an organization may refuse (HTTP 400), and the column refused.
_REFUSED_COLUMN: Final = {"costs_by_key": "api_key_id", "costs_by_user": "user_id"}


def _refused(query: ReportQuery, params: Mapping[str, Any], error: BadRequestError) -> str | None:
    """Why a view is missing when the organization refuses its costs grouping (by key, or by
    user: ``live-api-facts.md`` section 3, item 7); ``None`` for any other 400, which stands.
    One refused request per view per run: nothing else asks for it."""
    column = _REFUSED_COLUMN.get(query.key)
    if column is None or column not in params.get("group_by", ()):
        return None
    return (
        f"the API refused costs grouped by {column} for this organization "
        f"(HTTP 400: {error.api_message or error})"
    )


#: Days before the server's today whose costs may still change (the store's default too).
SETTLE_DAYS: Final = 2


def _mark_provisional(report: Report, client: Any) -> None:
    """The days of a live report that may still change, as ``report --db`` marks them: the
    last ``SETTLE_DAYS`` days before the server's today (its ``Date``) and today itself."""
    clock = getattr(client, "server_time", None)
    found = clock() if callable(clock) else None
    if found is None:
        return
    today = datetime.fromtimestamp(found, UTC).date()
    first = today - timedelta(days=SETTLE_DAYS)
    report.provisional = {d for d in report.daily if first <= d <= today}
    if report.provisional:
        days = ", ".join(f"{d:%Y-%m-%d}" for d in sorted(report.provisional))
        report.notes.append(f"Provisional: costs {days} (may still change)")


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
    # Rows of several organizations (report --config) carry theirs: every line is per
    # organization, so the same line item or model in two of them is two lines.
    org = ["organization"] if len({r.get("organization") for r in costs}) > 1 else []
    report.by_project = summarize(costs, by=[*org, "project_id"], fields=MONEY)
    report.by_line_item = summarize(costs, by=[*org, "line_item"], fields=MONEY)
    report.by_model = summarize(costs, by=[*org, "model"], fields=MONEY)
    report.by_key = summarize(rows["costs_by_key"], by=[*org, "api_key_id"], fields=MONEY)
    report.by_user = summarize(rows["costs_by_user"], by=[*org, "user_id"], fields=MONEY)
    tokens = list(rows["tokens"])
    several = len({r.get("organization") for r in tokens}) > 1
    report.tokens = summarize(tokens, by=[*(["organization"] if several else []), "model"],
                              fields=TOKENS)  # fmt: skip
    report.top_by_model = top_by_model(rows["costs_by_key"], rows["costs_by_user"])
    for column, found in (("api_key_id", report.by_key), ("user_id", report.by_user)):
        parts = sum((r["amount_value"] or Decimal(0) for r in found), Decimal(0))
        if parts != report.total:
            report.differences[column] = report.total - parts
    daily: dict[date, dict[str | None, Decimal]] = {}
    day = report.start.date()
    while day < report.end.date() or (day == report.end.date() and report.end.hour):
        daily[day] = {}
        day += timedelta(days=1)
    for total in summarize(costs, by=["date", "project_id"], fields=MONEY):
        if total["amount_value"] is not None:
            daily.setdefault(total["date"], {})[total["project_id"]] = total["amount_value"]
    report.daily = daily
    return report


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
    columns: dict[str | None, list[float]] = {p: [] for p in [*shown, "other"]}
    for day in days:  # each day read once (a store's days are read when asked for)
        per = report.daily[day]
        for project, values in columns.items():
            if project == "other":
                value = sum((v for p, v in per.items() if p not in shown), Decimal(0))
            else:
                value = per.get(project, Decimal(0))
            values.append(float(value))
    spend: dict[str, list[float]] = {}
    for project, values in columns.items():
        if project != "other" or any(values):
            spend[named.get(project, "other")] = values
    tokens = [
        (_label(r["model"], "(unknown)"), r["input_tokens"] or 0, r["output_tokens"] or 0)
        for r in report.tokens[:12]
    ]
    title = f"OpenAI usage {report.start:%Y-%m-%d} to {report.end - timedelta(seconds=1):%Y-%m-%d}"
    return ChartData(title, report.currency, days, spend, tokens)
