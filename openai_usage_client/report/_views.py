"""Report additions: filters, top keys and users by model, and the report as a JSON
document (schema in ``docs/report-json.md``) or Markdown (no click).

The report itself (spend by project, line item, model, key and user; tokens by model; daily
spend) is built by ``openai_usage_client.report``; this module works on any object with its
attributes (``ReportLike``) plus a ``ReportView``: the zone, how the period was chosen, the
filters and notices.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Protocol

from .._core._format import money
from .._core._json_stream import Streamed, write_json
from .._core._periods import zone_name
from .._core._summarize import model_from_line_item, summarize
from .._core._text import json_safe, visible
from ._estimated import estimated_lines
from ._labels import UNLISTED_KEY, label_fields, labels, labels_by_organization
from ._unmatched import describe_unmatched

if TYPE_CHECKING:
    from .._core._rows import Row

__all__ = [
    "SCHEMA",
    "ModelTop",
    "ReportFilters",
    "ReportLike",
    "ReportView",
    "render_markdown",
    "report_document",
    "top_by_model",
    "write_document",
]

#: The ``schema`` value of the JSON document; bumped on any incompatible change.
SCHEMA: Final = "openai-usage-report/1"
#: How a missing ID reads (as in the text report).
_MISSING: Final = {"project_id": "(no project)", "api_key_id": "(no key)", "user_id": "(no user)"}
#: Labels of archived projects and deleted keys, shown beyond the top (as in the text report).
_FLAGS: Final = ("(archived)", "(deleted)", f"({UNLISTED_KEY})")
#: Markdown column heads of the ID columns when the report has names.
_NAMED_HEAD: Final = {"project_id": "project", "api_key_id": "API key", "user_id": "user"}
_TOKEN_FIELDS: Final = (
    "input_tokens",
    "input_cached_tokens",
    "output_tokens",
    "num_model_requests",
)


class ReportLike(Protocol):
    """What the report module's ``Report`` holds (see its docstring)."""

    start: datetime
    end: datetime
    source: str
    currency: str
    total: Decimal
    by_project: list[Row]
    by_line_item: list[Row]
    by_model: list[Row]
    by_key: list[Row]
    by_user: list[Row]
    tokens: list[Row]
    daily: Mapping[date, Mapping[str | None, Decimal]]
    top_by_model: list[ModelTop]


@dataclass(frozen=True)
class ReportFilters:
    """Only this activity: each field is a tuple of allowed values (empty: no filter)."""

    project_ids: tuple[str, ...] = ()
    api_key_ids: tuple[str, ...] = ()
    user_ids: tuple[str, ...] = ()
    models: tuple[str, ...] = ()

    def as_params(self) -> dict[str, list[str]]:
        """The non-empty filters as API parameter names and lists."""
        return {k: list(v) for k, v in vars(self).items() if v}

    def describe(self) -> str:
        """``project proj_a; model gpt-4o`` for headers (empty: no filter)."""
        names = {"project_ids": "project", "api_key_ids": "API key", "user_ids": "user"}
        return "; ".join(
            f"{names.get(k, 'model')} {', '.join(v)}" for k, v in self.as_params().items()
        )


@dataclass
class ModelTop:
    """A model's spend and the API keys and users that spent most on it."""

    model: str | None
    amount: Decimal
    api_keys: list[tuple[str | None, Decimal]]
    users: list[tuple[str | None, Decimal]]


def _ranked(rows: Iterable[Row], who: str) -> dict[str | None, list[tuple[str | None, Decimal]]]:
    totals = summarize(
        ({**r, "model": model_from_line_item(r.get("line_item"))} for r in rows),
        by=["model", who],
        fields=["amount_value"],
    )
    out: dict[str | None, list[tuple[str | None, Decimal]]] = {}
    for t in totals:  # largest first, then by key
        if t["amount_value"] is not None:
            out.setdefault(t["model"], []).append((t[who], t["amount_value"]))
    return out


def top_by_model(
    key_rows: Iterable[Row], user_rows: Iterable[Row], *, models: int = 10, per_model: int = 3
) -> list[ModelTop]:
    """Per model (largest spend first; line items that are not a model left out), the
    ``per_model`` API keys and users with the most spend on it.

    ``key_rows``/``user_rows`` are costs rows grouped by ``api_key_id``/``user_id`` and
    ``line_item``.
    """
    keys = _ranked(key_rows, "api_key_id")
    users = _ranked(user_rows, "user_id")
    # A model's spend from its keys' rows; from its users' when there are none (an
    # organization that refuses costs by key: the users still say who spent).
    spent_on = keys or users
    ranked = sorted(
        (
            (m, sum((a for _, a in spent), Decimal(0)))
            for m, spent in spent_on.items()
            if m is not None
        ),
        key=lambda item: (-item[1], item[0] or ""),
    )
    return [
        ModelTop(m, amount, keys.get(m, [])[:per_model], users.get(m, [])[:per_model])
        for m, amount in ranked[:models]
    ]


@dataclass
class ReportView:
    """What a report says besides its numbers: zone, period, filters, extra section, notices."""

    tz: tzinfo = UTC
    #: How the period was chosen: ``last 30 complete days``, ``calendar month October 2026``,
    #: ``--start/--end``.
    period: str = "--start/--end"
    filters: ReportFilters = field(default_factory=ReportFilters)
    notices: list[str] = field(default_factory=list)


# --- JSON ------------------------------------------------------------------------------------


def _money(value: Decimal | None) -> str | None:
    """Exact decimal text; trailing zeros of the fraction dropped (text, so nothing rounds)."""
    if value is None:
        return None
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _share(value: Decimal | None, total: Decimal) -> str | None:
    if value is None or not total:
        return None
    return format((value / total).quantize(Decimal("0.0001")), "f")


def _iso(value: datetime, tz: tzinfo) -> str:
    local = value.astimezone(tz)
    if local.utcoffset() == UTC.utcoffset(None):
        return local.strftime("%Y-%m-%dT%H:%M:%SZ")
    return local.isoformat(timespec="seconds")


def _named(names: Any, column: str, ids: Sequence[Any]) -> list[dict[str, Any]]:
    """``{column: id, "name", "label", ("archived",) "deleted"}`` per ID (``label_fields``);
    ``{column: value}`` for columns that are not IDs."""
    if column not in _MISSING:
        return [{column: v} for v in ids]
    fields = label_fields(names, column, ids, _MISSING[column])
    return [{column: v, **f} for v, f in zip(ids, fields, strict=True)]


def _spend(
    items: Sequence[Row], column: str, total: Decimal, names: Any = None
) -> list[dict[str, Any]]:
    return [
        {
            **({"organization": r["organization"]} if r.get("organization") else {}),
            **who,
            "amount": _money(r["amount_value"]),
            "share": _share(r["amount_value"], total),
        }
        for r, who in zip(items, _named(names, column, [r[column] for r in items]), strict=True)
    ]


def _spenders(names: Any, column: str, spent: Sequence[tuple[Any, Decimal]]) -> list[Any]:
    who = _named(names, column, [k for k, _ in spent])
    return [{**w, "amount": _money(a)} for w, (_, a) in zip(who, spent, strict=True)]


def day_totals(daily: Mapping[date, Mapping[str | None, Decimal]]) -> dict[date, Decimal]:
    """Each day's spend over every project, in day order: one read of a store's days
    (``StoredDaily.totals``) instead of one per day."""
    totals = getattr(daily, "totals", None)
    if callable(totals):
        return dict(totals())
    return {d: sum(v.values(), Decimal(0)) for d, v in sorted(daily.items())}


def report_document(report: ReportLike, view: ReportView | None = None) -> dict[str, Any]:
    """The whole report as JSON-ready data; money and shares as exact decimal strings.

    Every list is complete (no top-N cut). See ``docs/report-json.md`` for each field.
    ``write_document`` writes the same JSON text without holding the daily list.
    """
    return _document(report, view or ReportView(), lambda items, _count: list(items))


def write_document(
    report: ReportLike, view: ReportView | None, write: Callable[[str], object]
) -> None:
    """``dumps(report_document(report, view))`` passed to ``write`` in pieces of about
    64 KB: the daily entries (days times projects: a large organization's year) are made
    as they are written, never held all at once."""
    write_json(_document(report, view or ReportView(), Streamed), write)


def _basis(basis: Mapping[str, str]) -> dict[str, str]:
    """``Report.basis`` with the document's names of the views."""
    names = {"costs_by_key": "by_api_key", "costs_by_user": "by_user"}
    return {names.get(k, k): v for k, v in sorted(basis.items())}


def _daily_entries(report: ReportLike, provisional: set[date]) -> Iterator[dict[str, Any]]:
    for day in sorted(report.daily):
        per = report.daily[day]
        yield {
            "date": day.isoformat(),
            "amount": _money(sum(per.values(), Decimal(0))),
            "provisional": day in provisional,
            "by_project": {str(p) if p is not None else "": _money(a) for p, a in per.items()},
        }


def _document(
    report: ReportLike, view: ReportView, daily_as: Callable[[Iterable[Any], int], list[Any]]
) -> dict[str, Any]:
    days = len(report.daily) or 1
    spend = getattr(report, "spend", None)  # a spend config's sections (report --config)
    names = getattr(report, "names", None)  # a Directory when the report has names
    coverage = getattr(report, "coverage", None)  # what a store holds of the period
    provisional = getattr(report, "provisional", None) or set()
    return {
        "schema": SCHEMA,
        "period": {
            "start": _iso(report.start, view.tz),
            "end": _iso(report.end, view.tz),
            "time_zone": zone_name(view.tz),
            "chosen_by": view.period,
            "days": round((report.end - report.start).total_seconds() / 86400, 4),
        },
        "source": report.source,
        "notes": list(getattr(report, "notes", None) or []),
        "coverage": None if coverage is None else coverage.to_dict(),
        "filters": view.filters.as_params(),
        "filters_matched_nothing": dict(getattr(report, "unmatched", None) or {}),
        "notices": list(view.notices),
        "currency": report.currency,
        "total": _money(report.total),
        "average_per_day": _money((report.total / Decimal(days)).quantize(Decimal("0.000001"))),
        "by_project": _spend(report.by_project, "project_id", report.total, names),
        "by_line_item": _spend(report.by_line_item, "line_item", report.total),
        "by_model": _spend(report.by_model, "model", report.total),
        "by_api_key": _spend(report.by_key, "api_key_id", report.total, names),
        "by_user": _spend(report.by_user, "user_id", report.total, names),
        # The total minus what a grouping adds up to, where they differ (costs settling
        # between the API's answers): shown, never hidden.
        "grouping_differences": {
            {"api_key_id": "by_api_key", "user_id": "by_user"}[column]: _money(gap)
            for column, gap in sorted((getattr(report, "differences", None) or {}).items())
        },
        "tokens_by_model": [
            {
                **({"organization": r["organization"]} if r.get("organization") else {}),
                "model": r["model"],
                **{f: r.get(f) for f in _TOKEN_FIELDS},
            }
            for r in report.tokens
        ],
        "top_by_model": [
            {
                "model": t.model,
                "amount": _money(t.amount),
                "api_keys": _spenders(names, "api_key_id", t.api_keys),
                "users": _spenders(names, "user_id", t.users),
            }
            for t in report.top_by_model
        ],
        "daily": daily_as(_daily_entries(report, provisional), len(report.daily)),
        "unavailable": dict(getattr(report, "unavailable", None) or {}),
        # Views not billed as shown (spend by key or user allocated from usage): said here.
        **({"basis": _basis(basis)} if (basis := getattr(report, "basis", None)) else {}),
        **({"spend": spend.to_dict()} if spend is not None else {}),
        # Unsettled days estimated from usage (report --db): never added to the billed total.
        **(
            {"estimated": found.to_dict()}
            if (found := getattr(report, "estimated", None)) is not None
            else {}
        ),
    }


def dumps(document: Mapping[str, Any]) -> str:
    """The document as indented JSON text, ending with a newline."""
    # C1, bidi and invisible controls as \u escapes: the same parsed value, never raw.
    return json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


# --- Markdown --------------------------------------------------------------------------------


def _md(text: object) -> str:
    """A Markdown cell: HTML escaped (a name is never markup: ``<img onerror=...>``), one
    line (``visible``), and its pipes escaped."""
    return html.escape(visible(str(text)), quote=False).replace("|", "\\|")


def _table(
    head: Sequence[str], rows: Iterable[Sequence[object]], right: Sequence[int] = (1, 2)
) -> list[str]:
    """A Markdown table; the columns at the indices ``right`` are right-aligned (numbers)."""
    align = ["---:" if i in right else "---" for i in range(len(head))]
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(_md(c) for c in r) + " |" for r in rows]
    return lines


def _cash(value: Decimal | None, currency: str) -> str:
    return money(value, currency) or "-"


def _percent(value: Decimal | None, total: Decimal) -> str:
    return f"{100 * float(value / total):.1f}%" if value and total else "-"


def _who(names: Any, column: str, spent: Sequence[tuple[Any, Decimal]], currency: str) -> str:
    shown = labels(names, column, [k for k, _ in spent], _MISSING[column])
    return ", ".join(
        f"{text} {_cash(a, currency)}" for text, (_, a) in zip(shown, spent, strict=True)
    )


def render_markdown(report: ReportLike, view: ReportView | None = None, top: int = 10) -> list[str]:
    """The report as Markdown lines (headings and tables), for tickets and wikis."""
    view = view or ReportView()
    cur = report.currency
    start, end = report.start.astimezone(view.tz), report.end.astimezone(view.tz)
    span = f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} {zone_name(view.tz)}"
    lines = [
        f"# OpenAI usage report: {span}",
        "",
        f"Period: {view.period}. Source: {report.source}."
        + (f" Filters: {view.filters.describe()}." if view.filters.as_params() else ""),
        "",
        *(f"> {notice}" for notice in view.notices),
        *([""] if view.notices else []),
        *(
            [f"> Filters matched nothing: {_md('; '.join(describe_unmatched(unmatched_)))}", ""]
            if (unmatched_ := getattr(report, "unmatched", None))
            else []
        ),
        *(f"> {_md(note)}" for note in getattr(report, "notes", None) or []),
        *([""] if getattr(report, "notes", None) else []),
        f"**Total spend: {_cash(report.total, cur)}**",
        "",
    ]
    if (found := getattr(report, "estimated", None)) is not None and (
        said := estimated_lines(found)
    ):
        lines += [*(f"> {_md(line)}" for line in said), ""]
    spend = getattr(report, "spend", None)  # a spend config's sections (report --config)
    if spend is not None:
        lines += spend.markdown()
    names = getattr(report, "names", None)  # labels as in the text report (_report_labels)
    lines += _spend_sections(report, names, top)
    lines += ["## Tokens by model (completions)", ""]
    lines += _table(
        ["model", "input", "cached input", "output", "requests"],
        ([r["model"], *(f"{r.get(f) or 0:,}" for f in _TOKEN_FIELDS)] for r in report.tokens[:top]),
        right=(1, 2, 3, 4),
    )
    lines += ["", "## Top keys and users by model", ""]
    lines += _table(
        ["model", "spend", "top API keys", "top users"],
        (
            (
                t.model,
                _cash(t.amount, cur),
                _who(names, "api_key_id", t.api_keys, cur),
                _who(names, "user_id", t.users, cur),
            )
            for t in report.top_by_model[:top]
        ),
        right=(1,),
    )
    lines += ["", "## Daily spend", ""]
    lines += _table(
        ["day", "spend"],
        ((f"{d:%Y-%m-%d %a}", _cash(v, cur)) for d, v in day_totals(report.daily).items()),
        right=(1,),
    )
    return lines


def _spend_sections(report: ReportLike, names: Any, top: int) -> list[str]:
    """The Markdown tables of spend by project, line item, model, API key and user."""
    lines: list[str] = []
    sections = (
        ("Spend by project", report.by_project, "project_id", "(no project)"),
        ("Spend by line item", report.by_line_item, "line_item", "(none)"),
        ("Spend by model", report.by_model, "model", "(not a model)"),
        ("Top API keys", report.by_key, "api_key_id", "(no key)"),
        ("Top users", report.by_user, "user_id", "(no user)"),
    )
    unavailable = getattr(report, "unavailable", None) or {}
    for title, items, column, missing in sections:
        lines += [f"## {title}", ""]
        why = unavailable.get(
            {"api_key_id": "costs_by_key", "user_id": "costs_by_user"}.get(column)
        )
        if why:  # a store without this grouping
            lines += [f"_({_md(why)})_", ""]
            continue
        basis = (getattr(report, "basis", None) or {}).get(
            {"api_key_id": "costs_by_key", "user_id": "costs_by_user"}.get(column)
        )
        if basis:  # never presented as billed
            lines[-2] = f"## {title} ({basis})"
        # As the text report: labels of the whole list, and archived projects and deleted
        # keys shown beyond the top too.
        every = labels_by_organization(names, column, items, missing)
        picked = [i for i, text in enumerate(every) if i < top or text.endswith(_FLAGS)]
        lines += _table(
            [_NAMED_HEAD.get(column, column) if names is not None else column, "spend", "share"],
            (
                (
                    every[i],
                    _cash(items[i]["amount_value"], report.currency),
                    _percent(items[i]["amount_value"], report.total),
                )
                for i in picked
            ),
        )
        lines.append("")
    return lines
