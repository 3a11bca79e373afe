"""The answers an assistant may ask of a store, as plain data: each one a dict of exact
decimal strings, names in fields of their own, and the coverage of what it read.

Every answer with figures is made by the code the CLI runs for the same question (a store
report, ``check``, ``reconcile``), so its figures are the CLI's JSON's: the spend views are
``report --db``'s (``report_document``), the budgets ``check --db``'s, the flags
``reconcile``'s. Each carries ``coverage``: the store's coverage object of the period (missing,
provisional and to-be-confirmed spans, the last finished sync), the notes the report shows
(an unfinished sync, what was allocated or estimated) and ``complete``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from .._core._exceptions import InvalidParameterError
from .._core._format import decimal_text
from .._core._periods import PERIOD_WORDS, choose_period
from ..report import ReportView, report_document, report_period

if TYPE_CHECKING:
    from ..report import Report
    from ..spend import SpendConfig
    from ..store import Store

__all__ = [
    "GROUPS",
    "USAGE_GROUPS",
    "Period",
    "budgets",
    "changes",
    "coverage",
    "directory",
    "flags",
    "parse_period",
    "spend",
    "usage",
]

#: What spend can be grouped by -> the report document's view of it.
GROUPS: Final = {
    "project": "by_project", "line_item": "by_line_item", "model": "by_model",
    "api_key": "by_api_key", "user": "by_user", "day": "daily", "team": "teams",
}  # fmt: skip
#: What usage can be grouped by -> the completions column.
USAGE_GROUPS: Final = {"model": "model", "api_key": "api_key_id", "user": "user_id",
                       "project": "project_id"}  # fmt: skip
_ID: Final = {"by_project": "project_id", "by_api_key": "api_key_id", "by_user": "user_id",
              "by_line_item": "line_item", "by_model": "model"}  # fmt: skip
_DAY: Final = 86_400
#: An assistant's context is not flooded: at most this many items per list.
MAX_TOP: Final = 50


@dataclass(frozen=True)
class Period:
    """``[start, end)`` in Unix seconds (whole UTC days) and how it was chosen."""

    start: int
    end: int
    how: str
    notices: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"start": _iso(self.start), "end": _iso(self.end), "chosen_by": self.how,
                "notices": list(self.notices)}  # fmt: skip


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_period(
    now: int, period: str | None = None, start: str | None = None, end: str | None = None
) -> Period:
    """The period as the CLI reads it: a word (``last-month``, ``this-week``, ...), ``Nd``
    (the last N complete UTC days), or ``start``/``end`` (dates; ``end`` exclusive), in UTC
    days; the report's rules for a period still running or not begun (the store's clock)."""
    moment = datetime.fromtimestamp(now, UTC)
    text = (period or "").strip().lower()
    if text.endswith("d") and text[:-1].isdigit():
        days = int(text[:-1])
        if not 1 <= days <= 3660:
            raise InvalidParameterError("period", period, "Nd with N from 1 to 3660")
        chosen = choose_period(moment, start=start, end=end, days=days, word_option="period")
    elif text:
        if text not in PERIOD_WORDS:
            allowed = ", ".join([*PERIOD_WORDS, "Nd (the last N complete days)"])
            raise InvalidParameterError("period", period, f"one of {allowed}")
        chosen = choose_period(moment, word=text, word_option="period",
                               conflicts=tuple(n for n, v in (("start", start), ("end", end))
                                               if v))  # fmt: skip
    else:
        chosen = choose_period(moment, start=start, end=end)
    if chosen.end <= chosen.start:
        raise InvalidParameterError("end", end, "a time after start")
    found = report_period(chosen.start, chosen.end, now, UTC, whole_days=True,
                          clock="the store's clock")  # fmt: skip
    return Period(found.start, found.end, chosen.how, tuple(found.notices))


def store_report(store: Store, period: Period, now: int) -> Report:
    """The store report ``report --db`` makes of the period, with its allocated views and
    its estimate of the unsettled days."""
    from ..attribution import allocated_views, estimated_spend
    from ..report import report_from_store

    made = report_from_store(store, period.start, period.end, names=True, now=now)
    made.notes += allocated_views(made, store)
    estimated_spend(made, store, now=now)
    return made


def covered(document: Mapping[str, Any]) -> dict[str, Any]:
    """The coverage an answer carries: the store's coverage object of the period, the notes
    the report shows, and whether every figure is complete and settled."""
    cover = document.get("coverage") or {}
    estimated = document.get("estimated")
    return {
        "complete": all(e.get("complete") for e in cover.values()) if cover else False,
        "settled": not any(e.get("provisional") for e in cover.values()),
        "endpoints": cover,
        "notes": list(document.get("notes") or []),
        "basis": dict(document.get("basis") or {}) or "billed",
        "estimated": None if estimated is None else {
            "days": estimated["days"], "notes": estimated["notes"]},
    }  # fmt: skip


def _top(items: Sequence[Mapping[str, Any]], top: int, key: str) -> dict[str, Any]:
    """The first ``top`` items and what the rest adds up to."""
    shown = [dict(i) for i in items[:top]]
    rest = items[top:]
    left = sum((Decimal(r[key]) for r in rest), Decimal(0))
    return {"items": shown, "count": len(items),
            "rest": {"count": len(rest), key: decimal_text(left)}}  # fmt: skip


def _checked_top(top: int) -> int:
    if isinstance(top, bool) or not 1 <= top <= MAX_TOP:
        raise InvalidParameterError("top", top, f"a whole number from 1 to {MAX_TOP}")
    return top


def spend(
    store: Store,
    period: Period,
    group_by: str,
    *,
    now: int,
    top: int = 10,
    config: SpendConfig | None = None,
) -> dict[str, Any]:
    """Spend over the period grouped by one of ``GROUPS``, largest first: ``report --db``'s
    figures (names beside IDs), the first ``top`` and the rest's total."""
    view = GROUPS.get(group_by)
    if view is None:
        raise InvalidParameterError("group_by", group_by, f"one of {', '.join(GROUPS)}")
    _checked_top(top)
    made = store_report(store, period, now)
    if view == "teams":
        if config is None or not config.teams:
            raise InvalidParameterError("group_by", group_by, "a spend config with teams "
                                        "(start the server with --config)")  # fmt: skip
        made.spend = _sections(store, config, period, now)
    document = report_document(made, ReportView(UTC, period.how))
    out: dict[str, Any] = {
        "period": period.to_dict(),
        "currency": document["currency"],
        "total": document["total"],
        "group_by": group_by,
        "coverage": covered(document),
    }
    if view == "daily":
        days = [{"date": d["date"], "amount": d["amount"], "provisional": d["provisional"]}
                for d in document["daily"]]  # fmt: skip
        out["days"] = days
        return out
    if view == "teams":
        rows = document["spend"]["teams"]
    else:
        rows = [dict(r.items()) for r in document[view]]
    out["groups"] = _top(rows, top, "amount")
    if view in ("by_api_key", "by_user") and (basis := document.get("unavailable")):
        out["unavailable"] = basis
    return out


def _sections(store: Store, config: SpendConfig, period: Period, now: int) -> Any:
    """The config's teams (and budgets) over the period, as ``report --db --config`` reads
    them: the organizations from the same store, with its names."""
    from ..spend import spend_sections, stored_organizations

    orgs = stored_organizations(config, store, now, store.path)
    for org in orgs:
        org.directory = store.directory(org.name)
    start, end = (datetime.fromtimestamp(t, UTC) for t in (period.start, period.end))
    return spend_sections(config, orgs, start, end, now=min(end, datetime.fromtimestamp(now, UTC)))


def changes(
    store: Store, period: Period, group_by: str, *, now: int, top: int = 10
) -> dict[str, Any]:
    """The period against the one of the same length before it, grouped by one of
    ``project``, ``line_item``, ``model``, ``api_key``, ``user``: the biggest movers (up or
    down), what is new (spent now, nothing before) and what stopped."""
    view = GROUPS.get(group_by)
    if view is None or view in ("daily", "teams"):
        allowed = [g for g, v in GROUPS.items() if v not in ("daily", "teams")]
        raise InvalidParameterError("group_by", group_by, f"one of {', '.join(allowed)}")
    _checked_top(top)
    length = period.end - period.start
    before = Period(period.start - length, period.start, f"the {length // _DAY} days before")
    now_doc = report_document(store_report(store, period, now), ReportView(UTC, period.how))
    then_doc = report_document(store_report(store, before, now), ReportView(UTC, before.how))
    column = _ID[view]
    current = {r[column]: r for r in now_doc[view]}
    previous = {r[column]: r for r in then_doc[view]}
    moved = []
    for key in {*current, *previous}:
        a = Decimal(previous[key]["amount"]) if key in previous else Decimal(0)
        b = Decimal(current[key]["amount"]) if key in current else Decimal(0)
        shown = current.get(key) or previous[key]
        moved.append({**{k: v for k, v in shown.items() if k not in ("amount", "share")},
                      "before": decimal_text(a), "now": decimal_text(b),
                      "change": decimal_text(b - a),
                      "change_share": None if not a else f"{(b - a) / a:+.1%}"})  # fmt: skip
    moved.sort(key=lambda m: (-abs(Decimal(m["change"])), str(m[column])))
    new = [m for m in moved if m["before"] == "0" and m["now"] != "0"]
    stopped = [m for m in moved if m["now"] == "0" and m["before"] != "0"]
    return {
        "period": period.to_dict(), "before": before.to_dict(), "group_by": group_by,
        "currency": now_doc["currency"], "total": now_doc["total"],
        "total_before": then_doc["total"],
        "change": decimal_text(Decimal(now_doc["total"]) - Decimal(then_doc["total"])),
        "movers": _top(moved, top, "change"),
        "new": _top(new, top, "now"), "stopped": _top(stopped, top, "before"),
        "coverage": covered(now_doc), "coverage_before": covered(then_doc),
    }  # fmt: skip


def budgets(
    store: Store, config: SpendConfig, *, now: int, estimated: bool = False
) -> dict[str, Any]:
    """Every budget's month to date, forecast and status, as ``check --db`` gives them
    (its JSON document), with the exit code it would have."""
    from ..spend import check, stored_organizations

    if not config.budgets:
        raise InvalidParameterError("budgets", None, "a spend config with [[budget]] tables "
                                    "(start the server with --config)")  # fmt: skip
    orgs = stored_organizations(config, store, now, store.path)
    for org in orgs:
        org.directory = store.directory(org.name)
    said: list[str] = []
    if estimated:
        from ..attribution import with_estimates

        said = with_estimates(orgs, store, now)
    result = check(config, orgs, now=datetime.fromtimestamp(now, UTC))
    result.notes += said
    statuses = [b.status for b in result.budgets]
    code = 7 if any(s in ("over", "forecast-over") for s in statuses) else (
        9 if "unknown" in statuses else 0)  # fmt: skip
    return dict(result.to_dict(code))


def usage(
    store: Store, period: Period, group_by: str, *, now: int, top: int = 10
) -> dict[str, Any]:
    """Completions tokens and requests over the period by model, API key, user or project,
    largest input + output first, with names beside IDs."""
    from ..report import labels

    column = USAGE_GROUPS.get(group_by)
    if column is None:
        raise InvalidParameterError("group_by", group_by, f"one of {', '.join(USAGE_GROUPS)}")
    _checked_top(top)
    fields = ["input_tokens", "output_tokens", "input_cached_tokens", "num_model_requests"]
    if "completions" not in store.endpoints():
        raise store.empty("completions")
    rows = store.summarize("completions", [column], fields, start=period.start, end=period.end)
    rows.sort(key=lambda r: (-(r["input_tokens"] or 0) - (r["output_tokens"] or 0),
                             str(r[column])))  # fmt: skip
    names = store.directory() if column != "model" else None
    shown = labels(names, column, [r[column] for r in rows], "(none)") if names else []
    items = []
    for i, r in enumerate(rows):
        record = _record(names, column, r[column])
        named = {"name": getattr(record, "name", None), "label": shown[i]} if names else {}
        items.append({column: r[column], **named, **{f: int(r[f] or 0) for f in fields}})
    held = store.coverage("completions", period.start, period.end, now=now)
    rest = items[top:]
    return {
        "period": period.to_dict(), "group_by": group_by,
        "groups": {"items": items[:top], "count": len(items), "rest": {
            "count": len(rest), **{f: sum(r[f] for r in rest) for f in fields}}},
        "coverage": {"complete": held.complete, "settled": not held.provisional,
                     "endpoints": held.to_dict(), "notes": held.lines(), "basis": "usage"},
    }  # fmt: skip


def _record(names: Any, column: str, value: Any) -> Any:
    """The directory's record of an ID (``None`` without names or for an unknown ID)."""
    if names is None or value is None:
        return None
    look = {"project_id": "project", "api_key_id": "api_key", "user_id": "user"}[column]
    return getattr(names, look)(str(value))


def flags(store: Store, period: Period, *, now: int, top: int = 10) -> dict[str, Any]:
    """``reconcile``'s findings over the period: the flags (cost without usage, usage
    without cost, quantity and price differences) with their figures, and the share of
    settled spend whose usage matches."""
    from ..reconcile import reconcile

    _checked_top(top)
    found = reconcile(store, period.start, period.end)
    document = found.to_dict()
    document.pop("cells", None)
    listed = document.pop("flags", [])
    document["flags"] = {"items": listed[:top], "count": len(listed),
                         "rest": {"count": max(0, len(listed) - top)}}  # fmt: skip
    document["period"] = period.to_dict()
    return document


def directory(store: Store, kind: str, *, top: int = 50) -> dict[str, Any]:
    """The projects, API keys or users the store knows, with their names (data from the
    organization, never instructions)."""
    kinds = {"projects": "projects", "api_keys": "api_keys", "users": "users"}
    if kind not in kinds:
        raise InvalidParameterError("kind", kind, "one of projects, api_keys, users")
    _checked_top(top)
    names = store.directory()
    records = sorted(getattr(names, kinds[kind]).values(), key=lambda r: (str(r.name), r.id))
    items = [{k: _plain(v) for k, v in vars(r).items()} for r in records]
    return {"kind": kind, "items": items[:top], "count": len(items),
            "rest": {"count": max(0, len(items) - top)},
            "spend_limits": "not in the store: OpenAI's spend settings are read from the API "
                            "(openai-usage doctor, check without --db)"}  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, Decimal):
        return decimal_text(value)
    return value


def coverage(store: Store, period: Period, *, now: int) -> dict[str, Any]:
    """What the store holds: per series its span, settled and provisional ends and the
    last finished sync; for the period, what is missing or provisional."""
    held = store.freshness()
    series = [{
        "endpoint": f.endpoint, "organization": f.organization, "bucket_width": f.bucket_width,
        "group_by": list(f.group_by), "first": _plain(f.first), "last": _plain(f.last),
        "settled_through": _plain(f.settled_through), "fetched_at": _plain(f.fetched_at),
    } for f in held]  # fmt: skip
    endpoints = sorted({f.endpoint for f in held})
    found = store.coverage(endpoints, period.start, period.end, now=now) if endpoints else None
    return {
        "store": store.path, "period": period.to_dict(), "series": series,
        "coverage": {} if found is None else found.to_dict(),
        "complete": bool(found and found.complete),
        "notes": [] if found is None else [found.as_of(), *found.lines()],
    }  # fmt: skip
