"""The report as text, fitted to a width (80 columns when the output is not a terminal),
bars drawn with ``block`` (``#`` where the terminal cannot show the block character).
Markdown and JSON are in ``_views``.
"""

from __future__ import annotations

import textwrap
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from .._core._format import cut, cut_unique, money, number
from .._core._periods import DEFAULT_DAYS, zone_name
from .._core._text import visible
from ._estimated import estimated_lines
from ._labels import UNLISTED_KEY, labels_by_organization
from ._period import duration
from ._unmatched import describe_unmatched
from ._views import ReportView

if TYPE_CHECKING:
    from .._core._exports import Row
    from ._model import Report

__all__ = ["render_report"]

_BAR: Final = 24
#: A money row without its label and bar: indent, gaps, amount (12), share (6).
_ROW: Final = 2 + 2 + 12 + 2 + 6 + 2
#: Narrowest bar and label a row is cut down to.
_MIN_BAR: Final = 8
_MIN_LABEL: Final = 12
#: Labels of archived projects and deleted keys (``_labels``).
_FLAGS: Final = ("(archived)", "(deleted)", f"({UNLISTED_KEY})")
#: The line of a grouping whose rows do not add up to the total (costs settling between the
#: API's answers to the report's groupings).
_DIFFERS: Final = "(differs: settling)"
#: The report query whose data each named section shows (``Report.unavailable`` keys).
_QUERY_OF: Final = {"api_key_id": "costs_by_key", "user_id": "costs_by_user"}


def _bar(value: Decimal | None, peak: Decimal, block: str, length: int = _BAR) -> str:
    if not value or not peak or value <= 0:
        return ""
    return block * max(1, round(length * float(value / peak)))


def _share(value: Decimal | None, total: Decimal) -> str:
    return f"{100 * float(value / total):5.1f}%" if value and total else "     -"


def _org(row: Row) -> str:
    """``prod: `` before a line of a report over several organizations."""
    return f"{row['organization']}: " if row.get("organization") else ""


def _label(value: object, missing: str) -> str:
    return missing if value is None else visible(str(value))


def _money_section(
    report: Report,
    title: str,
    items: list[Row],
    column: str,
    missing: str,
    top: int,
    block: str,
    room: int | None,
) -> list[str]:
    # Names (archived and deleted marked) where the report has them; labels of the whole
    # list, so a name that repeats anywhere in it gets its ID beside it.
    every = labels_by_organization(report.names, column, items, missing)
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
        # Wrapped to the room there is (80 columns by default): the reason can be long.
        wrapped = textwrap.wrap(f"({why})", max(40, (room or 80) - 2), break_long_words=False)
        return [*lines, *(f"  {line}" for line in wrapped), ""]
    if not shown:
        return [*lines, "  (nothing)", ""]
    gap = report.differences.get(column)
    width = max(len(text) for text in [*labels, *([_DIFFERS] if gap is not None else [])])
    length = _BAR
    if room is not None:  # labels cut (kept apart) and bars shortened to fit ``room``
        width = min(width, max(_MIN_LABEL, room - _ROW - _MIN_BAR))
        labels = cut_unique(labels, width)
        length = max(1, min(_BAR, room - _ROW - width))
    peak = max((r["amount_value"] or Decimal(0) for r in shown), default=Decimal(0))
    for r, text in zip(shown, labels, strict=True):
        value = r["amount_value"]
        lines.append(
            f"  {text:<{width}}  {money(value, report.currency):>12}"
            f"  {_share(value, report.total)}  {_bar(value, peak, block, length)}".rstrip()
        )
    if gap is not None:
        # Its own line: the rows above do not add up to the total.
        lines.append(
            f"  {cut(_DIFFERS, width):<{width}}  {money(gap, report.currency):>12}"
            f"  {_share(gap, report.total)}"
        )
    return [*lines, ""]


def render_report(
    report: Report,
    top: int = 10,
    block: str = "█",
    view: ReportView | None = None,
    width: int | None = None,
) -> list[str]:
    """The report as lines of text, each at most ``width`` characters (``None``: as wide as
    the content, about 100): labels are cut (kept apart), bars shortened, long lines wrapped.
    """
    view = view or ReportView(period=f"last {DEFAULT_DAYS} complete days")
    start, end = report.start.astimezone(view.tz), report.end.astimezone(view.tz)
    last = end - timedelta(seconds=1)
    span = f"{duration((report.end - report.start).total_seconds())}, last day {last:%Y-%m-%d}"
    what = f"{view.period}: {span}"
    if view.period.endswith(" complete days"):
        what = f"{view.period}, last day {last:%Y-%m-%d}"
    lines = [
        f"OpenAI usage report: {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} {zone_name(view.tz)}",
        f"Period: {what}",
        f"Source: {report.source}",
        *([f"Filters: {view.filters.describe()}"] if view.filters.as_params() else []),
        *(
            [f"Filters matched nothing: {'; '.join(describe_unmatched(report.unmatched))}"]
            if report.unmatched
            else []
        ),
        *(f"Note: {notice}" for notice in view.notices),
        *report.notes,
        *([f"Names: {report.names_note}"] if report.names_note else []),
        "",
    ]
    per_day = report.total / Decimal(max(1, len(report.daily)))
    lines += [
        f"Total spend: {money(report.total, report.currency)}  "
        f"(average {money(per_day, report.currency)} a day)",
        *(estimated_lines(report.estimated) if report.estimated is not None else []),
        "",
    ]
    spend = report.spend.text(block) if report.spend is not None else []
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
        basis = report.basis.get(_QUERY_OF.get(column, ""))
        shown = f"{title} ({basis})" if basis else title  # never presented as billed
        lines += _money_section(report, shown, items, column, missing, top, block, width)
    if why := report.unavailable.get("tokens"):
        lines += ["Tokens by model (completions)", f"  ({why})", ""]
    else:
        lines += _tokens_section(report.tokens[:top])
    lines += _top_by_model_section(report, top)
    lines += _daily_section(report, block)
    if width is not None:
        lines = [part for line in lines for part in _wrap(line, width)]
    # The spend sections (report --config) come before the spend by project, unwrapped:
    # their budget lines are check's own, word for word.
    at = next(i for i, line in enumerate(lines) if line.startswith("Spend by project"))
    return [*lines[:at], *spend, *lines[at:]]


def _wrap(line: str, width: int) -> list[str]:
    """A line longer than ``width`` as several, the rest indented under its start. A line
    that carries a command to run (``Missing: ... openai-usage sync ...``) stays whole: a
    command broken over lines cannot be pasted."""
    if len(line) <= width or "openai-usage " in line:
        return [line]
    indent = " " * (len(line) - len(line.lstrip()))
    return textwrap.wrap(
        line,
        width,
        subsequent_indent=indent + "  ",
        break_long_words=False,
        break_on_hyphens=False,
    ) or [line]


def _top_by_model_section(report: Report, top: int) -> list[str]:
    lines = ["Top keys and users by model"]
    if basis := report.basis.get("top_by_model"):
        lines = [f"Top keys and users by model ({basis})"]
    if not report.top_by_model:
        return [*lines, "  (nothing)", ""]
    width = max(len(visible(str(t.model))) for t in report.top_by_model[:top])
    for t in report.top_by_model[:top]:
        model = visible(str(t.model))
        lines.append(f"  {model:<{width}}  {money(t.amount, report.currency):>12}")
        for name, spent, column, missing in (
            ("keys: ", t.api_keys, "api_key_id", "(no key)"),
            ("users:", t.users, "user_id", "(no user)"),
        ):
            labels = report.labels(column, [k for k, _ in spent], missing)
            who = ", ".join(
                f"{text} {money(a, report.currency)}"
                for text, (_, a) in zip(labels, spent, strict=True)
            )
            if _QUERY_OF[column] in report.unavailable:
                who = "(not available: see above)"
            lines.append(f"    {name} {who}")
    return [*lines, ""]


def _tokens_section(tokens: list[Row]) -> list[str]:
    lines = ["Tokens by model (completions)"]
    if not tokens:
        return [*lines, "  (nothing)", ""]
    heads = ("model", "input", "cached input", "output", "requests")
    table = [
        (
            _org(r) + _label(r["model"], "(unknown)"),
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
    totals = report.day_totals()
    peak = max(totals.values(), default=Decimal(0))
    for day, value in totals.items():
        mark = "  (provisional)" if day in report.provisional else ""

        lines.append(
            f"  {day:%Y-%m-%d %a}  {money(value, report.currency):>12}  "
            f"{_bar(value, peak, block)}{mark}".rstrip()
        )
    return lines
