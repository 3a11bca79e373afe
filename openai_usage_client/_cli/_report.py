"""``openai-usage report``: where the money and the tokens went over a period.

Four requests: costs grouped by project and line item (spend by project, line item, model and
day), costs by API key, costs by user, and completions usage by model (tokens). Money comes
from costs, never from usage times a price list: costs is what is billed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import click

from .._summary import summarize
from ._output import Progress, fetch_rows, money, number, reader_may_leave
from ._times import TIME_HELP, parse_time, start_of_day

if TYPE_CHECKING:
    from .._exports import Row

__all__ = ["Report", "build_report", "render_report", "report"]

DEFAULT_DAYS: Final = 30
_BAR: Final = 24
_CHART_PROJECTS: Final = 7


@dataclass
class Report:
    start: datetime
    end: datetime
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


def default_period(now: datetime, days: int = DEFAULT_DAYS) -> tuple[int, int]:
    """The last ``days`` complete UTC days before ``now``."""
    end = start_of_day(now)
    return int((end - timedelta(days=days)).timestamp()), int(end.timestamp())


def _currency(costs: list[Row]) -> str:
    currencies = {r["amount_currency"] for r in costs if r.get("amount_currency")}
    if len(currencies) > 1:
        raise click.ClickException(
            f"costs are in several currencies ({', '.join(sorted(currencies))}); the report "
            "shows one: export with 'openai-usage costs -f csv' instead"
        )
    return currencies.pop() if currencies else "usd"


def build_report(
    fetch: Callable[[str, str, dict[str, Any]], list[Row]],
    start: int,
    end: int,
    source: str,
) -> Report:
    """Fetch and total everything. ``fetch(label, endpoint, params)`` returns rows."""
    span = {"start_time": start, "end_time": end}
    costs = fetch(
        "costs by project and line item", "costs", {**span, "group_by": ["project_id", "line_item"]}
    )
    keys = fetch("costs by API key", "costs", {**span, "group_by": ["api_key_id"]})
    users = fetch("costs by user", "costs", {**span, "group_by": ["user_id"]})
    tokens = fetch("completions by model", "completions", {**span, "group_by": ["model"]})
    report = Report(from_unix_utc(start), from_unix_utc(end), source, _currency(costs))
    money_field = ["amount_value"]
    report.total = sum((r["amount_value"] or Decimal(0) for r in costs), Decimal(0))
    report.by_project = summarize(costs, by=["project_id"], fields=money_field)
    report.by_line_item = summarize(costs, by=["line_item"], fields=money_field)
    report.by_model = summarize(costs, by=["model"], fields=money_field)
    report.by_key = summarize(keys, by=["api_key_id"], fields=money_field)
    report.by_user = summarize(users, by=["user_id"], fields=money_field)
    report.tokens = summarize(
        tokens,
        by=["model"],
        fields=["input_tokens", "output_tokens", "input_cached_tokens", "num_model_requests"],
    )
    day = report.start.date()
    while day < report.end.date() or (day == report.end.date() and report.end.hour):
        report.daily[day] = {}
        day += timedelta(days=1)
    for total in summarize(costs, by=["date", "project_id"], fields=money_field):
        if total["amount_value"] is not None:
            report.daily.setdefault(total["date"], {})[total["project_id"]] = total["amount_value"]
    return report


def from_unix_utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


# --- text ------------------------------------------------------------------------------------


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
    lines += _money_section(
        report, "Spend by project", report.by_project, "project_id", "(no project)", top, block
    )
    lines += _money_section(
        report, "Spend by line item", report.by_line_item, "line_item", "(none)", top, block
    )
    lines += _money_section(
        report,
        "Spend by model (read from line items)",
        report.by_model,
        "model",
        "(not a model: storage, tools)",
        top,
        block,
    )
    lines += _money_section(
        report, "Top API keys by spend", report.by_key, "api_key_id", "(no key)", top, block
    )
    lines += _money_section(
        report,
        "Top users by spend",
        report.by_user,
        "user_id",
        "(no user)",
        top,
        block,
    )
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


def chart_data(report: Report) -> Any:
    """The report's ``ChartData``: spend of the top projects (the rest as "other")."""
    from .._charts import ChartData

    days = sorted(report.daily)
    ranked = [r["project_id"] for r in report.by_project]
    shown = ranked[:_CHART_PROJECTS]
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
            spend[_label(project, "(no project)")] = values
    tokens = [
        (_label(r["model"], "(unknown)"), r["input_tokens"] or 0, r["output_tokens"] or 0)
        for r in report.tokens[:12]
    ]
    title = f"OpenAI usage {report.start:%Y-%m-%d} to {report.end - timedelta(seconds=1):%Y-%m-%d}"
    return ChartData(title, report.currency, days, spend, tokens)


def _block_for(stream: Any) -> str:
    # A terminal or pipe that cannot encode the block character gets ASCII bars.
    try:
        "█".encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "#"
    return "█"


@click.command("report")
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
    complete UTC days; with --fake, "now" is the fake's 2026-11-01T00:00Z.
    """
    from ._app import State

    state = ctx.find_object(State)
    assert state is not None
    now = state.now()
    end_at = parse_time(end, now, "--end") if end else default_period(now, days)[1]
    start_at = parse_time(start, now, "--start") if start else end_at - days * 86400
    if chart is not None and chart.suffix.lower() not in (".png", ".html", ".htm", ".svg"):
        raise click.BadParameter("must end in .png, .html or .svg", param_hint="--chart")
    client = state.client()

    def fetch(label: str, endpoint: str, params: dict[str, Any]) -> list[Row]:
        method = client.endpoint(endpoint)
        progress = Progress.for_terminal(label, quiet=quiet)
        return list(fetch_rows(method(**params), endpoint, progress))

    source = "offline fake organization (--fake, seed 0)" if state.fake else client.base_url
    data = build_report(fetch, start_at, end_at, source)
    _echo(render_report(data, top, _block_for(sys.stdout)))
    if chart is not None:
        from .._charts import write_chart

        try:
            write_chart(chart_data(data), chart)
        except ImportError as error:  # a missing extra: the user asked for a PNG without it
            raise click.UsageError(str(error)) from None
        _echo(["", f"Chart written to {chart}"])


def _echo(lines: Iterable[str]) -> None:
    with reader_may_leave():
        click.echo("\n".join(lines))
