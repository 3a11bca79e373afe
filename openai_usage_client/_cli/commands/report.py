"""``openai-usage report``: renders ``openai_usage_client.report`` as text (and a chart).

The numbers are the library's (``build_report``); this module only fetches with a progress
line, lays the report out in about 100 columns, and writes the chart the user asked for.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import click

from ...report import DEFAULT_DAYS, Report, ReportQuery, build_report, chart_data, default_period
from .._help import COMMAND_EPILOG
from .._output import Progress, fetch_rows, money, number, reader_may_leave
from .._state import state_of
from .._times import TIME_HELP, check_range, future_warning, parse_time

if TYPE_CHECKING:
    from ..._exports import Row

__all__ = ["commands", "render_report", "report"]

_BAR: Final = 24
_CHART_SUFFIXES: Final = (".png", ".html", ".htm", ".svg")


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
    shown = items[:top]
    more = f" (top {top} of {len(items)})" if len(items) > top else ""
    lines = [f"{title}{more}"]
    if not shown:
        return [*lines, "  (nothing)", ""]
    width = max(len(_label(r[column], missing)) for r in shown)
    peak = max((r["amount_value"] or Decimal(0) for r in shown), default=Decimal(0))
    for r in shown:
        value = r["amount_value"]
        lines.append(
            f"  {_label(r[column], missing):<{width}}  {money(value, report.currency):>12}"
            f"  {_share(value, report.total)}  {_bar(value, peak, block)}".rstrip()
        )
    return [*lines, ""]


def render_report(report: Report, top: int = 10, block: str = "█") -> list[str]:
    """The report as lines of text (about 100 columns wide)."""
    last = report.end - timedelta(seconds=1)
    days = (report.end - report.start).total_seconds() / 86400
    lines = [
        f"OpenAI usage report: {report.start:%Y-%m-%d %H:%M} to {report.end:%Y-%m-%d %H:%M} UTC "
        f"({days:g} days, last day {last:%Y-%m-%d})",
        f"Source: {report.source}",
        "",
    ]
    per_day = report.total / Decimal(max(1, len(report.daily)))
    lines += [
        f"Total spend: {money(report.total, report.currency)}  "
        f"(average {money(per_day, report.currency)} a day)",
        "",
    ]
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
    lines += _tokens_section(report.tokens[:top])
    lines += _daily_section(report, block)
    return lines


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
        lines.append(
            f"  {day:%Y-%m-%d %a}  {money(value, report.currency):>12}  "
            f"{_bar(value, peak, block)}".rstrip()
        )
    return lines


def _block_for(stream: Any) -> str:
    # A terminal or pipe that cannot encode the block character gets ASCII bars.
    try:
        "█".encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "#"
    return "█"


@click.command("report", epilog=COMMAND_EPILOG)
@click.option("--start", metavar="TIME", help=f"Start of the period. {TIME_HELP}")
@click.option("--end", metavar="TIME", help="End of the period (exclusive).")
@click.option(
    "--days",
    type=click.IntRange(1, 366),
    default=DEFAULT_DAYS,
    show_default=True,
    help="Without --start: how many complete UTC days before --end (default: today's "
    "UTC midnight, so the last 30 complete days).",
)
@click.option("--top", type=click.IntRange(1), default=10, show_default=True, help="Rows per list.")
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a chart of daily spend by project and tokens by model: FILE.png "
    "(needs the [charts] extra) or FILE.html (self-contained SVG, needs nothing).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress line on stderr.")
@click.pass_context
def report(
    ctx: click.Context,
    start: str | None,
    end: str | None,
    days: int,
    top: int,
    chart: Path | None,
    quiet: bool,
) -> None:
    """Spend by project, line item, model, API key and user; tokens by model; daily trend.

    Money comes from the costs endpoint (what is billed). The default period is the last 30
    complete UTC days; with --fake, "now" is the fake's 2026-11-01T00:00Z (see --fake-now).
    """
    state = state_of(ctx)
    now = state.now()
    end_at = parse_time(end, now, "--end") if end else default_period(now, days)[1]
    start_at = parse_time(start, now, "--start") if start else end_at - days * 86400
    check_range(
        (start, start_at),
        (end, end_at),
        now,
        defaults=(f"default: {days} days before --end", "default: today's UTC midnight"),
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
    client = state.client()

    def fetch(query: ReportQuery, params: dict[str, Any]) -> list[Row]:
        progress = Progress.for_terminal(query.label, quiet=quiet)
        stream = client.endpoint(query.endpoint)(**params)
        return list(fetch_rows(stream, query.endpoint, progress))

    data = build_report(client, start_at, end_at, source=state.source(), fetch=fetch)
    _echo(render_report(data, top, _block_for(sys.stdout)))
    if chart is not None:
        from ...report import write_chart

        try:
            write_chart(chart_data(data), chart)
        except ImportError as error:  # a missing extra: the user asked for a PNG without it
            raise click.UsageError(str(error)) from None
        _echo(["", f"Chart written to {chart}"])


def _echo(lines: Iterable[str]) -> None:
    with reader_may_leave():
        click.echo("\n".join(lines))


def commands() -> list[click.Command]:
    return [report]
