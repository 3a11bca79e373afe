"""Spend of several organizations side by side, and combined per currency.

``organization_totals({"prod": rows, "staging": rows})`` sums ``amount_value`` per organization
and currency, per team when the rows carry one, and combines the organizations into one total
per currency (amounts in different currencies are never added together).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .._core._format import decimal_text

if TYPE_CHECKING:
    from .._core._exports import Row

__all__ = ["OrganizationTotals", "SpendTotals", "organization_totals"]


@dataclass
class OrganizationTotals:
    """One organization's spend: per currency, and per team and currency."""

    organization: str
    by_currency: dict[str, Decimal] = field(default_factory=dict)
    by_team: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "organization": self.organization,
            "by_currency": {c: decimal_text(v) for c, v in sorted(self.by_currency.items())},
            "by_team": {
                t: {c: decimal_text(v) for c, v in sorted(cs.items())}
                for t, cs in sorted(self.by_team.items())
            },
        }


@dataclass
class SpendTotals:
    """Every organization's totals (in the order given) and the combined total per currency."""

    organizations: list[OrganizationTotals]
    combined: dict[str, Decimal]

    def to_dict(self) -> dict[str, Any]:
        return {
            "organizations": [o.to_dict() for o in self.organizations],
            "combined": {c: decimal_text(v) for c, v in sorted(self.combined.items())},
        }


def organization_totals(rows_by_org: Mapping[str, Iterable[Row]]) -> SpendTotals:
    """Totals per organization and currency, and combined per currency."""
    orgs: list[OrganizationTotals] = []
    combined: dict[str, Decimal] = {}
    for name, rows in rows_by_org.items():
        totals = OrganizationTotals(name)
        for row in rows:
            value = row.get("amount_value")
            if value is None:
                continue
            currency = str(row.get("amount_currency") or "usd").lower()
            amount = Decimal(value)
            totals.by_currency[currency] = totals.by_currency.get(currency, Decimal(0)) + amount
            team = row.get("team")
            if team is not None:
                per = totals.by_team.setdefault(str(team), {})
                per[currency] = per.get(currency, Decimal(0)) + amount
        for currency, amount in totals.by_currency.items():
            combined[currency] = combined.get(currency, Decimal(0)) + amount
        orgs.append(totals)
    return SpendTotals(orgs, combined)
