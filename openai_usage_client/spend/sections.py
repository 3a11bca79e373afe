"""The report's spend sections: teams, budgets and several organizations (no click).

``spend_sections(config, organizations, start, end, now=...)`` reads each organization's costs
over the report's period ``[start, end)`` once (through its ``RowSource``: the API or a local
store), gives every row a team (``allocate.py``) and totals them:

* **teams**: spend per team over the period, ``unallocated`` included, per currency, with its
  share of that currency's total (only when the config has ``[[team]]`` tables);
* **organizations**: each organization's total per currency and per team, and the combined
  total per currency (``totals.py``: amounts in different currencies are never added);
* **budgets**: the config's ``[[budget]]`` lines exactly as ``check`` computes them (month to
  date and forecast as of ``now``, whatever the report's period), or ``None`` without budgets.

``filters`` (``{column: values}``, as ``openai_usage_client.analysis.filter_rows`` takes them)
narrows the teams and organizations to the report's filters; budgets are about their own
scope and are never filtered. ``SpendSections.to_dict()`` is the ``spend`` object of the
report's JSON document (``docs/report-json.md``); ``markdown()`` and ``text()`` its sections
in Markdown and as the report's text.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from .._core._format import decimal_text, money
from .._core._text import visible
from .allocate import UNALLOCATED, Allocator
from .check import CheckResult, budget_lines, check
from .config import check_against_directory
from .totals import SpendTotals, organization_totals

if TYPE_CHECKING:
    from .._core._exports import Row
    from ._sources import OrgSource
    from .config import SpendConfig

__all__ = ["SpendSections", "TeamSpend", "spend_sections", "team_spend"]

#: The width of the longest bar (as the report's other sections).
_BAR: Final = 24


@dataclass(frozen=True)
class TeamSpend:
    """One team's spend in one currency over the period; ``share`` is its fraction of that
    currency's total (``None`` when the total is zero)."""

    team: str
    currency: str
    amount: Decimal
    share: Decimal | None


@dataclass
class SpendSections:
    """What a spend config adds to a report (see the module docstring)."""

    #: The config file the sections come from.
    config: str
    start: datetime
    end: datetime
    #: Spend per team, largest first within each currency; empty when no team is configured.
    teams: list[TeamSpend]
    #: Every organization over the period, and combined per currency.
    organizations: SpendTotals
    #: The budget lines as ``check`` gives them; ``None`` when the config has no budget.
    budgets: CheckResult | None = None
    #: Where the data came from, what could not be read.
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The ``spend`` object of the report's JSON document: money as exact decimal text."""
        budgets = None
        if self.budgets is not None:
            result = self.budgets
            budgets = {
                "as_of": _iso(result.as_of),
                "month": result.month.strftime("%Y-%m"),
                "status": result.status,
                "lines": [b.to_dict() for b in result.budgets],
            }
        return {
            "config": self.config,
            "teams": [
                {
                    "team": t.team,
                    "currency": t.currency,
                    "amount": _text(t.amount),
                    "share": None if t.share is None else _text(t.share),
                }
                for t in self.teams
            ],
            "organizations": {
                "organizations": [
                    {
                        "organization": o.organization,
                        "by_currency": _texts(o.by_currency),
                        "by_team": {t: _texts(cs) for t, cs in sorted(o.by_team.items())},
                    }
                    for o in self.organizations.organizations
                ],
                "combined": _texts(self.organizations.combined),
            },
            "budgets": budgets,
            "notes": list(self.notes),
        }

    def text(self, block: str = "█") -> list[str]:
        """The sections as lines of text (``report``'s table), each followed by a blank line;
        the budgets are ``check``'s own lines, word for word."""
        lines: list[str] = []
        if self.teams:
            lines.append(f"Spend by team ({self.config})")
            width = max(len(visible(t.team)) for t in self.teams)
            peak: dict[str, Decimal] = {}
            for t in self.teams:
                peak[t.currency] = max(peak.get(t.currency, Decimal(0)), t.amount)
            for t in self.teams:
                top = peak[t.currency]  # more than 0 whenever t.amount is
                bar = block * max(1, round(_BAR * float(t.amount / top))) if t.amount > 0 else ""
                share = "     -" if t.share is None else f"{100 * float(t.share):5.1f}%"
                lines.append(
                    f"  {visible(t.team):<{width}}  {money(t.amount, t.currency):>12}  {share}  "
                    f"{bar}".rstrip()
                )
            lines.append("")
        totals = self.organizations
        if len(totals.organizations) > 1:
            lines.append("Spend by organization")
            names = [o.organization for o in totals.organizations]
            width = max(len(n) for n in [*names, "all organizations"])
            lines += [
                f"  {o.organization:<{width}}  {_amounts(o.by_currency)}"
                for o in totals.organizations
            ]
            lines += [f"  {'all organizations':<{width}}  {_amounts(totals.combined)}", ""]
        if self.budgets is not None:
            lines += [*budget_lines(self.budgets), ""]
        lines += [f"Note: {note}" for note in self.notes]
        lines = [visible(line) for line in lines]  # team and organization names: text
        return [*lines, ""] if self.notes else lines

    def markdown(self) -> list[str]:
        """The sections as Markdown lines (each a heading and a table)."""
        lines: list[str] = []
        if self.teams:
            lines += ["## Spend by team", ""]
            lines += _md_table(
                ["team", "spend", "share"],
                [(t.team, money(t.amount, t.currency), _percent(t.share)) for t in self.teams],
                right=(1, 2),
            )
            lines.append("")
        if len(self.organizations.organizations) > 1:
            lines += ["## Spend by organization", ""]
            rows = [
                (o.organization, _amounts(o.by_currency)) for o in self.organizations.organizations
            ]
            rows.append(("**all organizations**", _amounts(self.organizations.combined)))
            lines += _md_table(["organization", "spend"], rows, right=(1,))
            lines.append("")
        if self.budgets is not None:
            result = self.budgets
            lines += [f"## Budgets for {result.month:%Y-%m} (as of {_iso(result.as_of)})", ""]
            lines += _md_table(
                ["scope", "month to date", "forecast (90% range)", "budget", "used", "status"],
                [
                    (
                        b.scope,
                        money(b.month_to_date, "usd"),
                        f"{money(b.forecast.forecast, 'usd')} ({money(b.forecast.low, 'usd')}"
                        f"-{money(b.forecast.high, 'usd')})",
                        money(b.budget_usd, "usd"),
                        f"{b.percent:.0f}%",
                        b.status,
                    )
                    for b in result.budgets
                ],
                right=(1, 2, 3, 4),
            )
            lines.append("")
        lines += [f"> {note}" for note in self.notes]
        return lines


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: Decimal) -> str:
    """Exact decimal text, as every JSON writer gives it (``decimal_text``)."""
    return decimal_text(value)


def _texts(by_currency: Mapping[str, Decimal]) -> dict[str, str]:
    return {c: _text(v) for c, v in sorted(by_currency.items())}


def _percent(share: Decimal | None) -> str:
    return "-" if share is None else f"{100 * float(share):.1f}%"


def _amounts(by_currency: Mapping[str, Decimal]) -> str:
    return ", ".join(money(v, c) for c, v in sorted(by_currency.items())) or money(
        Decimal(0), "usd"
    )


def _md_table(
    head: Sequence[str], rows: Iterable[Sequence[str]], right: Sequence[int]
) -> list[str]:
    align = ["---:" if i in right else "---" for i in range(len(head))]
    out = ["| " + " | ".join(head) + " |", "| " + " | ".join(align) + " |"]
    return out + ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]


def team_spend(totals: SpendTotals, teams: Iterable[str]) -> list[TeamSpend]:
    """Spend per team and currency over every organization of ``totals``: each configured team
    (even with nothing spent) and ``unallocated``, largest first within each currency."""
    by: dict[str, dict[str, Decimal]] = {}
    for org in totals.organizations:
        for team, amounts in org.by_team.items():
            for currency, amount in amounts.items():
                per = by.setdefault(currency, {})
                per[team] = per.get(team, Decimal(0)) + amount
    if not by:
        by["usd"] = {}
    out: list[TeamSpend] = []
    for currency in sorted(by):
        per = by[currency]
        for team in [*teams, UNALLOCATED]:
            per.setdefault(team, Decimal(0))
        total = sum(per.values(), Decimal(0))
        ranked = sorted(per.items(), key=lambda item: (-item[1], item[0]))
        out += [
            TeamSpend(
                team,
                currency,
                amount,
                (amount / total).quantize(Decimal("0.0001")) if total else None,
            )
            for team, amount in ranked
        ]
    return out


def spend_sections(
    config: SpendConfig,
    organizations: Sequence[OrgSource],
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
    filters: Mapping[str, Collection[Any]] | None = None,
) -> SpendSections:
    """The teams, organizations and budgets of ``config`` for a report over ``[start, end)``
    (see the module docstring). ``now`` (default: the clock) is when the budgets stand."""
    from ..analysis import filter_rows

    if not organizations:
        raise ValueError("spend_sections needs at least one organization")
    budgets = None
    if config.budgets:
        # check() reads its own window (the month and the history the forecast needs) and
        # checks the team rules against the directories first.
        budgets = check(config, organizations, now=now)
    else:
        directories = [o.directory for o in organizations if o.directory is not None]
        if directories:
            check_against_directory(config, directories)
    rows: dict[str, list[Row]] = {}
    for org in organizations:
        fetched: Iterable[Row] = org.source.rows("costs", start, end)
        if filters:
            fetched = filter_rows(fetched, filters)
        rows[org.name] = list(Allocator(config.teams, org.directory).allocate(fetched))
    totals = organization_totals(rows)
    teams = team_spend(totals, [t.name for t in config.teams]) if config.teams else []
    notes = (
        list(budgets.notes) if budgets is not None else [n for o in organizations for n in o.notes]
    )
    return SpendSections(config.path, start, end, teams, totals, budgets, notes)
