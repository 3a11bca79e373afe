"""What ``openai-usage report`` does: fetch (or read the store), then render the report as
text, JSON or markdown (and a chart). ``commands/report.py`` holds only the options, so that
building every command for ``openai-usage --help`` does not import this (bench P5).

The numbers are the library's (``build_report``); this module only fetches with a progress
line, lays the report out in about 100 columns, and writes the chart the user asked for.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import click

from .._core._periods import local_midnight, period_range, zone, zone_name
from .._report_labels import UNLISTED_KEY
from .._report_views import ReportView, dumps, render_markdown, report_document
from ..report import DEFAULT_DAYS, Report, ReportFilters, ReportQuery, build_report, chart_data
from ._db import open_store, refuse
from ._names import lookup_names, project_ids_named, warn
from ._output import Progress, fetch_rows, money, number, reader_may_leave
from ._state import state_of
from ._times import check_range, future_warning, parse_time

if TYPE_CHECKING:
    from .._core._exports import Row

__all__ = ["render_report", "run_report"]

_BAR: Final = 24
_CHART_SUFFIXES: Final = (".png", ".html", ".htm", ".svg")
#: Labels of archived projects and deleted keys (``_report_labels``).
_FLAGS: Final = ("(archived)", "(deleted)", f"({UNLISTED_KEY})")
#: The report query whose data each named section shows (``Report.unavailable`` keys).
_QUERY_OF: Final = {"api_key_id": "costs_by_key", "user_id": "costs_by_user"}


def _bar(value: Decimal | None, peak: Decimal, block: str) -> str:
    if not value or not peak or value <= 0:
        return ""
    return block * max(1, round(_BAR * float(value / peak)))


def _share(value: Decimal | None, total: Decimal) -> str:
    return f"{100 * float(value / total):5.1f}%" if value and total else "     -"


def _label(value: object, missing: str) -> str:
    return missing if value is None else str(value)


def _money_section(
    report: Report, title: str, items: list[Row], column: str, missing: str, top: int, block: str
) -> list[str]:
    # Names (archived and deleted marked) where the report has them; labels of the whole
    # list, so a name that repeats anywhere in it gets its ID beside it.
    every = report.labels(column, [r[column] for r in items], missing)
    # Beyond the top, archived projects and deleted keys are still shown: what is gone is
    # what a reader looks for.
    picked = [i for i, text in enumerate(every) if i < top or text.endswith(_FLAGS)]
    shown = [items[i] for i in picked]
    labels = [every[i] for i in picked]
    more = f" (top {top} of {len(items)})" if len(items) > top else ""
    if len(picked) > top:
        more = f" (top {top} of {len(items)}, and {len(picked) - top} archived or deleted)"
    lines = [f"{title}{more}"]
    if why := report.unavailable.get(_QUERY_OF.get(column, "")):
        return [*lines, f"  ({why})", ""]
    if not shown:
        return [*lines, "  (nothing)", ""]
    width = max(len(text) for text in labels)
    peak = max((r["amount_value"] or Decimal(0) for r in shown), default=Decimal(0))
    for r, text in zip(shown, labels, strict=True):
        value = r["amount_value"]
        lines.append(
            f"  {text:<{width}}  {money(value, report.currency):>12}"
            f"  {_share(value, report.total)}  {_bar(value, peak, block)}".rstrip()
        )
    return [*lines, ""]


def render_report(
    report: Report, top: int = 10, block: str = "█", view: ReportView | None = None
) -> list[str]:
    """The report as lines of text (about 100 columns wide)."""
    view = view or ReportView(period=f"last {DEFAULT_DAYS} complete days")
    start, end = report.start.astimezone(view.tz), report.end.astimezone(view.tz)
    last = end - timedelta(seconds=1)
    days = (report.end - report.start).total_seconds() / 86400
    span = f"{days:g} days, last day {last:%Y-%m-%d}"
    what = span if view.period.endswith(f" {days:g} complete days") else f"{view.period}: {span}"
    if view.period.endswith(" complete days"):
        what = f"{view.period}, last day {last:%Y-%m-%d}"
    lines = [
        f"OpenAI usage report: {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} "
        f"{zone_name(view.tz)} ({what})",
        f"Source: {report.source}",
        *([f"Filters: {view.filters.describe()}"] if view.filters.as_params() else []),
        *(f"Note: {notice}" for notice in view.notices),
        *report.notes,
        *([f"Names: {report.names_note}"] if report.names_note else []),
        "",
    ]
    per_day = report.total / Decimal(max(1, len(report.daily)))
    lines += [
        f"Total spend: {money(report.total, report.currency)}  "
        f"(average {money(per_day, report.currency)} a day)",
        "",
    ]
    if report.spend is not None:  # report --config: teams, organizations, budgets
        from ._report_spend import spend_text

        lines += spend_text(report.spend, block)
    sections = (
        ("Spend by project", report.by_project, "project_id", "(no project)"),
        ("Spend by line item", report.by_line_item, "line_item", "(none)"),
        (
            "Spend by model (read from line items)",
            report.by_model,
            "model",
            "(not a model: storage, tools)",
        ),
        ("Top API keys by spend", report.by_key, "api_key_id", "(no key)"),
        ("Top users by spend", report.by_user, "user_id", "(no user)"),
    )
    for title, items, column, missing in sections:
        lines += _money_section(report, title, items, column, missing, top, block)
    if why := report.unavailable.get("tokens"):
        lines += ["Tokens by model (completions)", f"  ({why})", ""]
    else:
        lines += _tokens_section(report.tokens[:top])
    lines += _top_by_model_section(report, top)
    lines += _daily_section(report, block)
    return lines


def _top_by_model_section(report: Report, top: int) -> list[str]:
    lines = ["Top keys and users by model"]
    if not report.top_by_model:
        return [*lines, "  (nothing)", ""]
    width = max(len(str(t.model)) for t in report.top_by_model[:top])
    for t in report.top_by_model[:top]:
        lines.append(f"  {t.model!s:<{width}}  {money(t.amount, report.currency):>12}")
        for name, spent, column, missing in (
            ("keys: ", t.api_keys, "api_key_id", "(no key)"),
            ("users:", t.users, "user_id", "(no user)"),
        ):
            labels = report.labels(column, [k for k, _ in spent], missing)
            who = ", ".join(
                f"{text} {money(a, report.currency)}"
                for text, (_, a) in zip(labels, spent, strict=True)
            )
            lines.append(f"    {name} {who}")
    return [*lines, ""]


def _tokens_section(tokens: list[Row]) -> list[str]:
    lines = ["Tokens by model (completions)"]
    if not tokens:
        return [*lines, "  (nothing)", ""]
    heads = ("model", "input", "cached input", "output", "requests")
    table = [
        (
            _label(r["model"], "(unknown)"),
            number(r["input_tokens"]),
            number(r["input_cached_tokens"]),
            number(r["output_tokens"]),
            number(r["num_model_requests"]),
        )
        for r in tokens
    ]
    widths = [max(len(h), *(len(t[i]) for t in table)) for i, h in enumerate(heads)]
    for cells in (heads, *table):
        first = f"  {cells[0]:<{widths[0]}}"
        rest = "".join(f"  {c:>{w}}" for c, w in zip(cells[1:], widths[1:], strict=True))
        lines.append(first + rest)
    return [*lines, ""]


def _daily_section(report: Report, block: str) -> list[str]:
    lines = ["Daily spend"]
    totals = {d: sum(v.values(), Decimal(0)) for d, v in sorted(report.daily.items())}
    peak = max(totals.values(), default=Decimal(0))
    for day, value in totals.items():
        mark = "  (provisional)" if day in report.provisional else ""
        lines.append(
            f"  {day:%Y-%m-%d %a}  {money(value, report.currency):>12}  "
            f"{_bar(value, peak, block)}{mark}".rstrip()
        )
    return lines


def _block_for(stream: Any) -> str:
    # A terminal or pipe that cannot encode the block character gets ASCII bars.
    try:
        "█".encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "#"
    return "█"


def run_report(
    ctx: click.Context,
    start: str | None,
    end: str | None,
    days: int,
    last_month: bool,
    this_month: bool,
    tz: str,
    project_ids: tuple[str, ...],
    project_names: tuple[str, ...],
    api_key_ids: tuple[str, ...],
    user_ids: tuple[str, ...],
    models: tuple[str, ...],
    fmt: str,
    top: int,
    chart: Path | None,
    quiet: bool,
    names: bool = True,
    db: Path | None = None,
    config_path: Path | None = None,
) -> None:
    """The body of ``openai-usage report`` (see ``commands/report.py`` for the options)."""
    state = state_of(ctx)
    now = state.now()
    zone_ = zone(tz)
    given_days = ctx.get_parameter_source("days") is not click.core.ParameterSource.DEFAULT
    start_at, end_at, period = _period(
        now, zone_, start, end, days, given_days, last_month, this_month
    )
    check_range(
        (start, start_at),
        (end, end_at),
        now,
        defaults=(
            (f"{period} starts", f"{period} ends")
            if last_month or this_month
            else (f"default: {days} days before --end", "default: today's midnight")
        ),
        note=state.range_note(),
    )
    if chart is not None:
        if chart.suffix.lower() not in _CHART_SUFFIXES:
            raise click.BadParameter("must end in .png, .html or .svg", param_hint="--chart")
        if not chart.parent.is_dir():
            raise click.BadParameter(f"folder {chart.parent} does not exist", param_hint="--chart")
    warning = future_warning(start_at, end_at, now, state.clock_name())
    if warning:
        click.echo(f"openai-usage: warning: {warning}", err=True)
    from ._report_spend import open_spend

    if db is not None:
        view = ReportView(zone_, period)
        _refuse_filters(project_ids, project_names, api_key_ids, user_ids, models)
        data = _from_store(db, start_at, end_at, names)
        spend = open_spend(ctx, state, config_path, db)
        if spend is not None:  # teams and budgets from the same store
            data.spend = spend.sections(start_at, end_at, now, ReportFilters())
        _write(data, view, fmt, top, chart)
        return
    spend = open_spend(ctx, state, config_path, user_ids=user_ids)
    several = spend if spend is not None and spend.configured else None  # the config's orgs
    client = several.clients()[0] if several else state.client()

    def fetch(query: ReportQuery, params: dict[str, Any]) -> list[Row]:
        if several:
            return several.fetch(query, params, quiet)
        progress = Progress.for_terminal(query.label, quiet=quiet)
        stream = client.endpoint(query.endpoint)(**params)
        return list(fetch_rows(stream, query.endpoint, progress))

    if project_names:
        project_ids += tuple(project_ids_named(client.directory(), project_names))
    filters = ReportFilters(
        *(
            tuple(p.strip() for v in given for p in v.split(",") if p.strip())
            for given in (project_ids, api_key_ids, user_ids, models)
        )
    )
    notices = []
    if zone_name(zone_) != "UTC":
        notices.append("costs come in UTC days: the daily spend lists UTC days")
    if filters.user_ids or filters.models:
        notices.append("costs filtered by user or model here: the costs API has no such filter")
    view = ReportView(zone_, period, filters, notices)
    names_of = several.names if several else lookup_names
    directory, note = names_of(state) if names else (None, None)
    data = build_report(
        client,
        start_at,
        end_at,
        source=several.source() if several else state.source(),
        fetch=fetch,
        filters=filters,
        names=directory,
    )
    data.names_note = note
    if spend is not None:
        data.spend = spend.sections(start_at, end_at, now, filters)
    _write(data, view, fmt, top, chart)


def _refuse_filters(*given: tuple[str, ...]) -> None:
    options = ("--project-id", "--project", "--api-key-id", "--user-id", "--model")
    for option, values in zip(options, given, strict=True):
        if values:
            refuse(option, "the report from a store is not filtered; use the API or export")


def _from_store(db: Path, start_at: int, end_at: int, names: bool) -> Report:
    from ..report import report_from_store

    for moment, option in ((start_at, "--start"), (end_at, "--end")):
        if moment % 86400:
            refuse(option, "the store holds daily costs: give a UTC midnight (a date)")
    with open_store(db) as store:
        data = report_from_store(store, start_at, end_at, names=names)
    if data.names_note:
        warn(data.names_note)
    return data


def _write(data: Report, view: ReportView, fmt: str, top: int, chart: Path | None) -> None:
    if fmt == "json":
        _echo([dumps(report_document(data, view)).rstrip("\n")])
    elif fmt == "markdown":
        _echo(render_markdown(data, view, top))
    else:
        _echo(render_report(data, top, _block_for(sys.stdout), view))
    if chart is not None:
        from ..report import write_chart

        try:
            write_chart(chart_data(data), chart)
        except ImportError as error:  # a missing extra: the user asked for a PNG without it
            raise click.UsageError(str(error)) from None
        if fmt == "table":
            _echo(["", f"Chart written to {chart}"])
        else:  # stdout holds a document: say it on stderr
            click.echo(f"Chart written to {chart}", err=True)


def _period(
    now: datetime,
    tz: tzinfo,
    start: str | None,
    end: str | None,
    days: int,
    given_days: bool,
    last_month: bool,
    this_month: bool,
) -> tuple[int, int, str]:
    """``(start, end, how it was chosen)`` from the period options."""
    if last_month or this_month:
        clash = [
            n
            for n, on in (
                ("--start", start),
                ("--end", end),
                ("--days", given_days),
                ("--this-month", last_month and this_month),
            )
            if on
        ]
        if clash:
            name = "--last-month" if last_month else "--this-month"
            raise click.UsageError(f"{name} names the period: not with {', '.join(clash)}")
        word = "last-month" if last_month else "this-month"
        lo, hi = period_range(word, now, tz)
        month = datetime.fromtimestamp(lo, tz)
        if last_month:
            return lo, hi, f"calendar month {month:%B %Y}"
        return lo, min(hi, int(now.timestamp())), f"{month:%B %Y} so far"
    if end:
        end_at = parse_time(end, now, "--end", tz)
    else:
        end_at = int(local_midnight(now.astimezone(tz).date(), tz).timestamp())
    if start:
        return parse_time(start, now, "--start", tz), end_at, "--start/--end"
    first = datetime.fromtimestamp(end_at, tz).date() - timedelta(days=days)
    if end:
        return int(local_midnight(first, tz).timestamp()), end_at, f"{days} days before --end"
    return int(local_midnight(first, tz).timestamp()), end_at, f"last {days} complete days"


def _echo(lines: Iterable[str]) -> None:
    with reader_may_leave():
        click.echo("\n".join(lines))
