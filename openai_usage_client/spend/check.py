"""``check``: every budget's month to date, forecast and status; recent anomalies; a webhook.

``check(config, organizations, now=...)`` reads each organization's costs once (from the API
or a local store, through its ``RowSource``), gives every row a team, and for each budget of
the config works out month to date and the forecast (``forecast.py``) of its scope:

* ``organization``: every organization together; ``organization:NAME``: one of them;
* ``team:NAME``: the rows allocated to the team (``allocate.py``), in every organization;
* ``project:NAME_OR_ID``: one project (a name is looked up in the organizations' directories).

Budgets are in US dollars; rows in another currency are left out of them (and still counted
in the per-currency totals). A budget's status, first match wins:

* ``over``: month to date is above the budget;
* ``forecast-over``: the forecast to month end is above the budget;
* ``warn``: the forecast reaches ``warn_at`` x the budget;
* ``ok``: otherwise.

A budget is never judged on missing data. When an organization's data does not hold the
whole month (a local store lacking a day before today, or whose last finished costs sync is
older than ``max_age``: see ``_gaps``), each budget that reads it is ``over`` if the days
present already exceed it, else ``unknown``, with the missing days or the sync's age and the
sync command that fills them. The forecast never counts a missing day as zero.
``allow_missing=True`` judges such a month anyway (missing days count as $0) and says so.

OpenAI's own spend limits and alerts (``SpendSetting``, when the organization's source has
them) are shown next to the budgets of their scope; a budget above a hard spend limit (one
OpenAI enforces) is flagged ``above_hard_limit``, as is a forecast that reaches it.

``CheckResult.to_dict(exit_code=...)`` is the JSON result (schema in ``docs/spend.md``); the
exit code in it is the command's (``openai-usage check`` maps the statuses through its one
exit-code table: 7 when any budget is ``over`` or ``forecast-over``, else 9 when any is
``unknown``, else 0), ``None`` when no command gave one.
``notify(url, result)`` POSTs the JSON with a Slack-compatible ``text`` field, only when
something is not ``ok``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Literal
from urllib.parse import urlsplit

from .._core._format import decimal_text, money
from .._core._text import json_safe, visible
from ._compact import Spent
from ._directory import directory_records
from ._gaps import DEFAULT_MAX_AGE, Gaps
from ._sources import SettingsSource, SpendSetting
from .allocate import Allocator
from .anomaly import Anomaly, Series, anomalies_in
from .config import BudgetConfig, SpendConfig, check_against_directory
from .forecast import HISTORY, SETTLE_DAYS, WINDOW, Forecast, daily_totals, forecast_month
from .totals import SpendTotals, organization_totals

if TYPE_CHECKING:
    import httpx

    from .._core._exports import Row
    from ._sources import OrgSource

__all__ = [
    "NOTIFY_TEST_HINT",
    "STATUSES",
    "BudgetResult",
    "CheckResult",
    "Status",
    "budget_lines",
    "budget_status",
    "check",
    "notify",
    "notify_host",
]

Status = Literal["ok", "warn", "unknown", "over", "forecast-over"]
#: From best to worst (``unknown``: the data does not hold the month; see the docstring).
STATUSES: Final[tuple[Status, ...]] = ("ok", "warn", "unknown", "forecast-over", "over")
SCHEMA_VERSION: Final = 1
#: How to try a webhook by hand, said when a notification fails (the URL is a secret).
NOTIFY_TEST_HINT: Final = (
    "test the webhook with: curl -X POST -H 'Content-Type: application/json' "
    '-d \'{"text": "test"}\' "$NOTIFY_URL" (your --notify-url)'
)
ANOMALY_DAYS: Final = 7


def budget_status(
    month_to_date: Decimal, forecast: Decimal, budget: Decimal, warn_at: float
) -> Status:
    """The status of one budget (see the module docstring)."""
    if month_to_date > budget:
        return "over"
    if forecast > budget:
        return "forecast-over"
    if forecast >= budget * Decimal(str(warn_at)):
        return "warn"
    return "ok"


@dataclass
class BudgetResult:
    """One budget's line: its scope, figures, status and OpenAI's settings for the scope."""

    scope: str
    budget_usd: Decimal
    warn_at: float
    forecast: Forecast
    status: Status
    settings: list[SpendSetting] = field(default_factory=list)
    above_hard_limit: bool = False
    notes: list[str] = field(default_factory=list)
    #: What the budget's organizations lack of the month (empty: complete).
    gaps: list[Gaps] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not any(g.incomplete for g in self.gaps)

    @property
    def month_to_date(self) -> Decimal:
        return self.forecast.month_to_date

    @property
    def percent(self) -> float:
        """Month to date as a percentage of the budget."""
        return float(self.month_to_date / self.budget_usd * 100)

    @property
    def forecast_percent(self) -> float:
        return float(self.forecast.forecast / self.budget_usd * 100)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "status": self.status,
            "currency": "usd",
            "budget": decimal_text(self.budget_usd),
            "warn_at": self.warn_at,
            "percent": round(self.percent, 1),
            "forecast_percent": round(self.forecast_percent, 1),
            **self.forecast.to_dict(),
            "above_hard_limit": self.above_hard_limit,
            "openai_settings": [
                {
                    **({"organization": s.organization} if s.organization else {}),
                    "scope": s.scope,
                    "kind": s.kind,
                    "amount": decimal_text(s.amount_usd),
                    "enforcing": s.enforcing,
                    "interval": s.interval,
                }
                for s in self.settings
            ],
            "notes": list(self.notes),
            "complete": self.complete,
            "incomplete": [g.to_dict() for g in self.gaps if g.incomplete],
        }


@dataclass
class CheckResult:
    """Everything ``check`` found (``to_dict()`` is the documented JSON result)."""

    as_of: datetime
    month: date
    budgets: list[BudgetResult]
    anomalies: list[Anomaly]
    totals: SpendTotals
    #: Where the data came from and what could not be read (names, OpenAI's spend settings).
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> Status:
        """The worst budget status (``ok`` without budgets)."""
        return max((b.status for b in self.budgets), key=STATUSES.index, default="ok")

    @property
    def complete(self) -> bool:
        """Every budget's month is held whole by its data."""
        return all(b.complete for b in self.budgets)

    @property
    def all_ok(self) -> bool:
        """No budget other than ``ok`` and no anomaly: nothing to notify."""
        return self.status == "ok" and not self.anomalies

    def text(self) -> str:
        """A short plain-text summary (the ``text`` field a Slack webhook shows)."""
        counts = {s: sum(b.status == s for b in self.budgets) for s in reversed(STATUSES)}
        head = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no budgets"
        lines = [f"openai-usage check {self.month:%Y-%m} (as of {_iso(self.as_of)}): {head}"]
        for b in self.budgets:
            f = b.forecast
            lines.append(
                f"- {b.scope}: {b.status}: ${f.month_to_date:,.2f} of ${b.budget_usd:,.2f} "
                f"({b.percent:.0f}%), forecast ${f.forecast:,.2f} (${f.low:,.2f}-${f.high:,.2f})"
            )
            lines += [f"  {note}" for note in b.notes]
        lines += [line.strip() for line in gap_lines(self.budgets)]
        if self.anomalies:
            lines.append(
                f"{len(self.anomalies)} anomal{'y' if len(self.anomalies) == 1 else 'ies'}:"
            )
            lines += [f"- {a.describe()}" for a in self.anomalies[:10]]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(visible(line) for line in lines)  # names: one line of text each

    def table(self) -> list[str]:
        """What ``openai-usage check`` prints: the budget lines, the anomalies of the last 7
        days, each organization's month to date (when there are several) and the notes."""
        lines = budget_lines(self)
        lines.append("")
        lines.append("Anomalies (last 7 days)")
        if not self.anomalies:
            lines.append("  none")
        for a in self.anomalies:
            org = f"{a.organization}: " if len(self.totals.organizations) > 1 else ""
            lines.append(f"  {org}{a.describe()}")
        if len(self.totals.organizations) > 1:
            lines += ["", "Month to date by organization"]
            for totals in self.totals.organizations:
                spent = ", ".join(money(v, c) for c, v in sorted(totals.by_currency.items()))
                lines.append(f"  {totals.organization}: {spent or money(Decimal(0), 'usd')}")
            total = ", ".join(money(v, c) for c, v in sorted(self.totals.combined.items()))
            lines.append(f"  all organizations: {total or money(Decimal(0), 'usd')}")
        if self.notes:
            lines += ["", *_wrapped([f"note: {n}" for n in self.notes], indent="")]
        return [visible(line) for line in lines]

    def to_dict(self, exit_code: int | None = None) -> dict[str, Any]:
        """The JSON result; ``exit_code`` is the command's, when a command gives it."""
        return {
            "schema_version": SCHEMA_VERSION,
            "as_of": _iso(self.as_of),
            "month": self.month.strftime("%Y-%m"),
            "status": self.status,
            "exit_code": exit_code,
            "complete": self.complete,
            "budgets": [b.to_dict() for b in self.budgets],
            "anomalies": [a.to_dict() for a in self.anomalies],
            "totals": self.totals.to_dict(),
            "notes": list(self.notes),
        }


def budget_lines(result: CheckResult) -> list[str]:
    """The budget lines of a check: a heading, one line per budget, the notes and OpenAI's
    settings of each scope (also the 'Budgets' section of ``report --config``)."""
    first = result.budgets[0].forecast if result.budgets else None
    head = f"Budgets for {result.month:%Y-%m}, as of {result.as_of:%Y-%m-%d %H:%M} UTC"
    if first is not None:
        head += f" ({first.days_elapsed} of {first.days_in_month} days complete)"
    lines = [head]
    cells = [["scope", "month to date", "forecast (90% range)", "budget", "used", "status"]]
    for b in result.budgets:
        f = b.forecast
        cells.append(
            [
                visible(b.scope),
                money(f.month_to_date, "usd"),
                f"{money(f.forecast, 'usd')} ({money(f.low, 'usd')}-{money(f.high, 'usd')})",
                money(b.budget_usd, "usd"),
                f"{b.percent:.0f}%",
                b.status,
            ]
        )
    if not result.budgets:
        lines.append("  no budgets: give --monthly-budget USD or [[budget]] tables in a config")
    else:
        widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
        right = {1, 2, 3, 4}
        for row in cells:
            lines.append(
                "  "
                + "  ".join(
                    c.rjust(w) if i in right else c.ljust(w)
                    for i, (c, w) in enumerate(zip(row, widths, strict=True))
                ).rstrip()
            )
    notes = [(b.scope, n) for b in result.budgets for n in b.notes]
    provisional = {n for _, n in notes if n.startswith("provisional")}
    lines += [f"  {n}" for n in sorted(provisional)]
    lines += _wrapped(gap_lines(result.budgets))
    lines += [f"  {scope}: {n}" for scope, n in notes if n not in provisional]
    for b in result.budgets:
        for s in b.settings:
            how = "hard limit" if s.hard else ("limit" if s.kind == "limit" else "alert")
            whose = f"{s.organization}: {s.scope}" if s.organization else s.scope
            lines.append(f"  {b.scope}: OpenAI {how} {money(s.amount_usd, 'usd')} ({whose})")
    return lines


def gap_lines(budgets: Sequence[BudgetResult]) -> list[str]:
    """Why budgets are ``unknown`` (once per organization) and the command that fills it."""
    reasons = [r for b in budgets for g in b.gaps if g.incomplete for r in g.reasons()]
    if not reasons:
        return []
    unknown = [b.scope for b in budgets if b.status == "unknown"]
    head = (
        f"unknown ({', '.join(unknown)}): the data does not hold the whole month, so no "
        "budget is judged on it (exit 9)"
        if unknown
        else "incomplete data: the days present already exceed the budget"
    )
    return [head, *dict.fromkeys(reasons)]


def _wrapped(lines: Sequence[str], width: int = 80, indent: str = "  ") -> list[str]:
    """Lines wrapped at ``width`` (a path or command is never cut: it may stand alone)."""
    import textwrap

    out = []
    for line in lines:
        out += textwrap.wrap(
            line, width, initial_indent=indent, subsequent_indent=indent + "  ",
            break_long_words=False, break_on_hyphens=False,
        )  # fmt: skip
    return out


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _usd(rows: Sequence[Row]) -> list[Row]:
    return [r for r in rows if str(r.get("amount_currency") or "usd").lower() == "usd"]


def _project_ids(target: str, rows: dict[str, list[Row]], orgs: Sequence[OrgSource]) -> set[str]:
    ids = {
        str(r["project_id"])
        for rs in rows.values()
        for r in rs
        if r.get("project_id") and target in (r["project_id"], r.get("project_name"))
    }
    if target.startswith("proj_"):
        ids.add(target)
    for org in orgs:
        if org.directory is None:
            continue
        record = org.directory.project(target)
        if record is not None:
            ids.add(target)
        for record in directory_records(org.directory, "projects"):
            if getattr(record, "name", None) == target and getattr(record, "id", None):
                ids.add(str(record.id))
    return ids


def _scope_rows(
    config: SpendConfig,
    index: int,
    budget: BudgetConfig,
    rows: dict[str, list[Row]],
    orgs: Sequence[OrgSource],
) -> tuple[list[Row], Sequence[OrgSource], set[str]]:
    kind, target = budget.kind, budget.target
    if kind == "organization":
        chosen = [o for o in orgs if not target or o.name == target]
        if not chosen:
            raise config.error("budget", index, f"scope {budget.scope!r}: no such organization")
        return [r for o in chosen for r in rows[o.name]], chosen, set()
    if kind == "team":
        return [r for rs in rows.values() for r in rs if r.get("team") == target], [], set()
    ids = _project_ids(target, rows, orgs)
    if not ids:
        hint = (
            "" if any(o.directory is not None for o in orgs)
            else "; names need the organization's directory: use the project's ID (proj_...)"
        )  # fmt: skip
        raise config.error(
            "budget", index, f"scope {budget.scope!r}: matches no project{hint}", budget.scope
        )
    return [r for rs in rows.values() for r in rs if r.get("project_id") in ids], orgs, ids


def _settings_for(
    kind: str, chosen: Sequence[OrgSource], project_ids: set[str], several: bool
) -> list[SpendSetting]:
    """OpenAI's settings for a budget's scope; with ``several`` organizations each says
    whose it is (two organizations' hard limits are not one)."""
    wanted = {"organization"} if kind == "organization" else {f"project:{p}" for p in project_ids}
    if kind == "team":
        return []
    return [
        replace(s, organization=o.name) if several else s
        for o in chosen
        for s in [*o.spend_settings(project_ids), *_key_limits(o, project_ids)]
        if s.scope in wanted or (kind == "project" and s.scope.startswith("key:"))
    ]


def _key_limits(org: OrgSource, project_ids: set[str]) -> list[SpendSetting]:
    """The API keys' own monthly hard limits (SDK 3.63) of the budget's projects, where the
    organization's names were read: a key stops at its limit whatever the budget says."""
    out = []
    for key in directory_records(org.directory, "api_keys"):
        cents = getattr(key, "spend_limit_cents", None)
        if cents is None or getattr(key, "project_id", None) not in project_ids:
            continue
        out.append(
            SpendSetting(
                f"key:{key.id}",
                "limit",
                Decimal(cents) / 100,
                enforcing=bool(getattr(key, "spend_limit_enforcing", False)),
            )
        )
    return out


def _compare(result: BudgetResult) -> None:
    # A key's own limit stops that key only: the budget of its project may be above it.
    for s in (s for s in result.settings if not s.scope.startswith("key:")):
        money = f"${s.amount_usd:,.2f}"
        if s.hard and result.budget_usd > s.amount_usd:
            result.above_hard_limit = True
            result.notes.append(
                f"budget ${result.budget_usd:,.2f} is above OpenAI's hard spend limit {money} "
                f"({s.scope}): requests stop at {money}"
            )
        if s.hard and result.forecast.forecast >= s.amount_usd:
            result.notes.append(f"forecast reaches OpenAI's hard spend limit {money} ({s.scope})")


def fetch_window(now: datetime) -> tuple[datetime, datetime]:
    """The range of costs ``check`` reads: enough history before the month for the forecast
    and before the last days for the anomalies, up to ``now``."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    month = today.replace(day=1)
    start = min(
        month - timedelta(days=HISTORY + SETTLE_DAYS + WINDOW),
        today - timedelta(days=ANOMALY_DAYS + HISTORY),
    )
    return start, now.astimezone(UTC)


def check(
    config: SpendConfig,
    organizations: Sequence[OrgSource],
    *,
    now: datetime | None = None,
    settle_days: int = SETTLE_DAYS,
    anomaly_days: int = ANOMALY_DAYS,
    max_age: timedelta = DEFAULT_MAX_AGE,
    allow_missing: bool = False,
) -> CheckResult:
    """Check every budget of ``config`` against the organizations' costs (see the module
    docstring). ``now`` defaults to the clock; organizations are labelled by their name.
    ``max_age`` is how old a store's last finished costs sync may be before its month is
    incomplete; ``allow_missing`` judges incomplete months anyway (missing days as $0).

    When organizations come with a directory, the team rules are checked against it first
    (``check_against_directory``): a rule matching nothing is a ``ConfigError``."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    if not organizations:
        raise ValueError("check needs at least one organization")
    directories = [o.directory for o in organizations if o.directory is not None]
    if directories:
        check_against_directory(config, directories)
    start, end = fetch_window(now)
    rows: dict[str, list[Row]] = {}
    series: dict[str, Series] = {}
    gaps: dict[str, Gaps] = {}
    for org in organizations:
        allocator = Allocator(config.teams, org.directory)
        fetched = org.source.rows("costs", start, end)
        spent = Spent(org.name, allocator.allocate(fetched))  # sums, never the rows
        rows[org.name], series[org.name] = spent.rows(), spent.series
        found = org.gaps(start, now, max_age)
        if found is not None:
            gaps[org.name] = found
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    budgets = [
        _budget(config, i, budget, rows, organizations, gaps, now, settle_days, allow_missing)
        for i, budget in enumerate(config.budgets)
    ]
    anomalies = [
        a
        for org in organizations
        for a in anomalies_in(series[org.name], now=now, days=anomaly_days, organization=org.name)
    ]
    anomalies.sort(key=lambda a: -a.excess)
    month_rows = {
        name: [r for r in rs if r["start_time"] >= month_start] for name, rs in rows.items()
    }
    # The organizations' notes, and what their sources found while reading (a refusal).
    notes = [n for o in organizations for n in [*o.notes, *getattr(o.source, "notes", ())]]
    for org in organizations:
        if isinstance(org.settings, SettingsSource):
            notes += [f"{org.name}: {w}" for w in org.settings.warnings]
    if allow_missing and any(g.incomplete for g in gaps.values()):
        notes.append(
            "incomplete data judged anyway (--allow-missing): days not in the store count "
            "as $0 and the statuses may be wrong"
        )
    return CheckResult(
        now,
        month_start.date(),
        budgets,
        anomalies,
        organization_totals(month_rows),
        list(dict.fromkeys(notes)),
    )


def _budget(
    config: SpendConfig,
    index: int,
    budget: BudgetConfig,
    rows: dict[str, list[Row]],
    organizations: Sequence[OrgSource],
    gaps: dict[str, Gaps],
    now: datetime,
    settle_days: int,
    allow_missing: bool,
) -> BudgetResult:
    scoped, chosen, ids = _scope_rows(config, index, budget, rows, organizations)
    # Team and project budgets read every organization; an organization budget its own.
    readers = chosen if budget.kind == "organization" else organizations
    found = [gaps[o.name] for o in readers if o.name in gaps]
    missing = set() if allow_missing else {d for g in found for d in g.missing_days}
    forecast = forecast_month(
        daily_totals(_usd(scoped)), now, settle_days=settle_days, missing=missing
    )
    status = budget_status(
        forecast.month_to_date, forecast.forecast, budget.monthly_usd, budget.warn_at
    )
    if not allow_missing and any(g.incomplete for g in found) and status != "over":
        status = "unknown"
    result = BudgetResult(
        budget.scope,
        budget.monthly_usd,
        budget.warn_at,
        forecast,
        status,
        _settings_for(budget.kind, chosen, ids, len(organizations) > 1),
        gaps=found,
    )
    _compare(result)
    if forecast.provisional_days:
        days = ", ".join(d.isoformat() for d in forecast.provisional_days)
        result.notes.append(f"provisional (costs may still settle): {days}")
    return result


def notify_host(url: str) -> str:
    """The webhook's host; an ``InvalidParameterError`` (before any request) when ``url`` is
    not an http(s) URL. The message never shows the URL: its path is often its secret."""
    from .._core._exceptions import InvalidParameterError

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidParameterError(
            "--notify-url", "(hidden)", "an http(s) URL, e.g. https://hooks.slack.com/..."
        )
    return parts.hostname


def notify(
    url: str,
    result: CheckResult,
    *,
    http_client: httpx.Client | None = None,
    timeout: float = 10.0,
    exit_code: int | None = None,
) -> bool:
    """POST the JSON result (plus a Slack-compatible ``text``) to ``url`` when something is
    not ``ok``; returns whether it was sent. Raises ``NotifyError`` (naming only the host:
    a webhook's path is its secret) when the webhook fails."""
    import httpx

    from ._errors import NotifyError

    host = notify_host(url)
    if result.all_ok:
        return False
    payload = {"text": result.text(), **result.to_dict(exit_code)}
    # C1, bidi and invisible controls in names as \u escapes: the same parsed value.
    body = json_safe(json.dumps(payload, ensure_ascii=False))
    client = http_client or httpx.Client(timeout=timeout)
    try:
        response = client.post(url, content=body, headers={"content-type": "application/json"})
    except httpx.HTTPError as error:
        raise NotifyError(f"notification to {host} failed: {type(error).__name__}") from None
    finally:
        if http_client is None:
            client.close()
    if response.status_code >= 300:
        raise NotifyError(f"notification to {host} refused: HTTP {response.status_code}")
    return True
