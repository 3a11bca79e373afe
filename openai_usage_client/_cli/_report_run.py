"""What ``openai-usage report`` does: fetch (or read the store), then print the report as
text, JSON or markdown (and write a chart). ``commands/report.py`` holds only the options,
so that building every command for ``openai-usage --help`` does not import this (bench P5).

The numbers and every format are the library's (``openai_usage_client.report``); this module
fetches with a progress line, chooses the format and prints what the library renders.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import click

from .._core._periods import choose_period, zone
from ..report import (
    Report,
    ReportFilters,
    ReportQuery,
    ReportView,
    build_report,
    chart_data,
    check_chart,
    describe_unmatched,
    render_markdown,
    render_report,
    report_period,
    write_document,
)
from ._analysis_options import table_width
from ._db import open_store, refuse
from ._name_lookup import lookup_names, project_ids_named, warn
from ._output import Progress, fetch_rows, reader_may_leave
from ._state import state_of
from ._times import check_range, parse_time

if TYPE_CHECKING:
    from .._core._exports import Row
    from ..store import Store

__all__ = ["run_report"]

_CHART_SUFFIXES: Final = (".png", ".html", ".htm", ".svg")


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
    now = state.now(api=db is None)
    zone_ = zone(tz)
    start_at, end_at, period = _chosen(ctx, now, zone_, start, end, days, last_month, this_month)
    if chart is not None:
        _check_chart(chart)
    # The future has not happened; costs come in UTC days (report/_period.py).
    clock = "now" if not state.fake else "the fake's clock (set it with --fake-now)"
    chosen = report_period(
        start_at, end_at, int(now.timestamp()), zone_, whole_days=bool(db), clock=clock
    )
    start_at, end_at = chosen.start, chosen.end
    shown = UTC if chosen.utc_days else zone_
    as_of = _budgets_as_of(now, end_at)
    from ._report_spend import open_spend

    if db is not None:
        _refuse_filters(project_ids, project_names, api_key_ids, user_ids, models)
        store = ctx.with_resource(open_store(db))  # one open for the report and its budgets
        data = _from_store(store, start_at, end_at, names, int(now.timestamp()))
        spend = open_spend(ctx, state, config_path, db, store=store)
        if spend is not None:  # teams and budgets from the same store
            data.spend = spend.sections(start_at, end_at, as_of, ReportFilters())
        _write(data, ReportView(shown, period, notices=list(chosen.notices)), fmt, top, chart)
        return
    spend = open_spend(ctx, state, config_path, user_ids=user_ids)
    several = spend if spend is not None and spend.configured else None  # the config's orgs
    client = several.clients()[0] if several else state.client()

    if project_names:  # every configured organization's projects, not only the first one's
        known = several.names(state)[0] if several else None
        known = known if known is not None else client.directory()
        project_ids += tuple(project_ids_named(known, project_names))
    filters = _filters(project_ids, api_key_ids, user_ids, models)
    notices = list(chosen.notices)
    if filters.user_ids or filters.models:
        notices.append("costs filtered by user or model here: the costs API has no such filter")
    names_of = several.names if several else lookup_names
    directory, note = names_of(state) if names else (None, None)
    data = build_report(
        client, start_at, end_at, source=several.source() if several else state.source(),
        fetch=_fetcher(several, client, quiet), filters=filters, names=directory,
    )  # fmt: skip
    data.names_note = note
    for text in describe_unmatched(data.unmatched):
        warn(f"filter {text} matched nothing in the period")
    if spend is not None:
        data.spend = spend.sections(start_at, end_at, as_of, filters)
    _write(data, ReportView(shown, period, filters, notices), fmt, top, chart)


def _fetcher(several: Any, client: Any, quiet: bool) -> Callable[..., list[Row]]:
    """How the report fetches a query: through the configured organizations, or the one
    client with a progress line."""

    def fetch(query: ReportQuery, params: dict[str, Any]) -> list[Row]:
        if several:
            return list(several.fetch(query, params, quiet))
        progress = Progress.for_terminal(query.label, quiet=quiet)
        stream = client.endpoint(query.endpoint)(**params)
        return list(fetch_rows(stream, query.endpoint, progress))

    return fetch


def _check_chart(chart: Path) -> None:
    """A chart path is refused before any request: its format, its folder, its extra."""
    if chart.suffix.lower() not in _CHART_SUFFIXES:
        raise click.BadParameter("must end in .png, .html or .svg", param_hint="--chart")
    if not chart.parent.is_dir():
        raise click.BadParameter(f"folder {chart.parent} does not exist", param_hint="--chart")
    check_chart(chart)  # a PNG without matplotlib


def _budgets_as_of(now: datetime, end_at: int) -> datetime:
    """Budgets are monthly: as of now, unless the period ended before this month began
    (--last-month): then as of its last moment, last month's budgets against its spend."""
    month_start = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if end_at <= month_start.timestamp():
        return datetime.fromtimestamp(end_at - 1, UTC)
    return now


def _filters(*given: tuple[str, ...]) -> ReportFilters:
    """``--project-id``, ``--api-key-id``, ``--user-id``, ``--model``: each repeatable and
    comma-separated."""
    return ReportFilters(
        *(tuple(p.strip() for v in values for p in v.split(",") if p.strip()) for values in given)
    )


def _refuse_filters(*given: tuple[str, ...]) -> None:
    options = ("--project-id", "--project", "--api-key-id", "--user-id", "--model")
    for option, values in zip(options, given, strict=True):
        if values:
            refuse(option, "the report from a store is not filtered; use the API or export")


def _from_store(store: Store, start_at: int, end_at: int, names: bool, now: int) -> Report:
    from ..attribution import allocated_views, estimated_spend
    from ..report import report_from_store

    for moment, option in ((start_at, "--start"), (end_at, "--end")):
        if moment % 86400:
            refuse(option, "the store holds daily costs: give a UTC midnight (a date)")
    data = report_from_store(store, start_at, end_at, names=names, now=now)
    # Costs the organization would not group by key or user: those views from usage.
    data.notes += allocated_views(data, store)
    # Days whose costs have not settled: their spend estimated from usage, shown apart.
    estimated_spend(data, store, now=now)
    if data.names_note:
        warn(data.names_note)
    return data


def _write(data: Report, view: ReportView, fmt: str, top: int, chart: Path | None) -> None:
    if fmt == "json":
        with reader_may_leave():  # written in pieces: a large daily list is never held
            write_document(data, view, lambda text: click.echo(text, nl=False))
    elif fmt == "markdown":
        _echo(render_markdown(data, view, top))
    else:
        # The terminal's width, else 80: a file or a pipe gets lines that print anywhere.
        width = table_width(sys.stdout) or 80
        _echo(render_report(data, top, _block_for(sys.stdout), view, width))
    if chart is not None:
        from ..report import write_chart

        write_chart(chart_data(data), chart)  # a missing extra: MissingExtraError, exit 2
        if fmt == "table":
            _echo(["", f"Chart written to {chart}"])
        else:  # stdout holds a document: say it on stderr
            click.echo(f"Chart written to {chart}", err=True)


def _chosen(
    ctx: click.Context,
    now: datetime,
    tz: tzinfo,
    start: str | None,
    end: str | None,
    days: int,
    last_month: bool,
    this_month: bool,
) -> tuple[int, int, str]:
    """The period the options name (``choose_period``), checked as a range."""
    given_days = ctx.get_parameter_source("days") is not click.core.ParameterSource.DEFAULT
    word = "last-month" if last_month else "this-month" if this_month else None
    picked = choose_period(
        now,
        tz,
        word=word,
        word_option=f"--{word}",
        start=start,
        end=end,
        days=days if given_days else None,
        default_days=days,
        conflicts=("--this-month",) if last_month and this_month else (),
        parse=lambda text, option: parse_time(text, now, option, tz),
    )
    how = picked.how
    defaults = (
        (f"{how} starts", f"{how} ends")
        if word
        else (f"default: {days} days before --end", "default: today's midnight")
    )
    note = state_of(ctx).range_note()
    check_range((start, picked.start), (end, picked.end), now, defaults=defaults, note=note)
    return picked.start, picked.end, how


def _echo(lines: Iterable[str]) -> None:
    with reader_may_leave():
        click.echo("\n".join(lines))
