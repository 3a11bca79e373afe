"""Billing mistakes the fake makes on purpose (``FakeAPI(discrepancies=True)``), for rehearsing
``openai-usage reconcile``.

Without them the fake's costs are exactly usage x its price table, so a reconciliation finds
nothing. With them, every calendar month has four days on which the costs are wrong in one
known way each. The days depend on the seed (``first`` is 2 to 6): the month's day ``first``,
``first + 7``, ``first + 14`` and ``first + 21``; the targets are fixed rows of the
organization's table, so every seed has them every day:

* **billed twice** (day ``first``): the ``gpt-4o-mini-2024-07-18, output`` line of API key 2
  (the always-on agents key of the second project) is billed twice: quantity and amount x2;
* **price changed** (day ``first + 7``): every ``gpt-4o-mini-2024-07-18`` line that is not
  Batch (input, cached input, output) is billed at 6/5 of its price;
* **usage without cost** (day ``first + 14``): the ``gpt-4o-mini-2024-07-18`` lines of API key
  3 (the second project's service-account key) are not billed at all;
* **cost without usage** (day ``first + 21``): the idle project (which never has usage) is
  billed 250,000 ``gpt-4o-2024-08-06, output`` tokens ($2.50) on its key, at noon UTC.

``FakeAPI.discrepancies(start, end)`` lists what was injected into a period, one entry per
line (the ground truth a reconciliation must find).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Final, Literal

from ._org import DAY, TOKEN_PRICES, Dim, Organization, hash_int

__all__ = ["DISCREPANCY_KINDS", "Discrepancy", "Injector"]

DiscrepancyKind = Literal[
    "billed_twice", "price_changed", "usage_without_cost", "cost_without_usage"
]
#: The kinds, in the order their days come in a month.
DISCREPANCY_KINDS: Final[tuple[DiscrepancyKind, ...]] = (
    "billed_twice",
    "price_changed",
    "usage_without_cost",
    "cost_without_usage",
)
_MINI: Final = "gpt-4o-mini-2024-07-18"
#: Per cost stream ``[quantity, amount]`` (as in ``_data``, which imports this module).
NumSums = dict[int, list[int | Decimal]]
_PRICE_FACTOR: Final = Decimal(6) / Decimal(5)
_EXTRA_LINE: Final = "gpt-4o-2024-08-06, output"
_EXTRA_TOKENS: Final = 250_000
#: The extra line is billed at noon: a range holds it when it holds that minute.
_NOON_MINUTE: Final = 720


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """One cost line the fake got wrong on purpose."""

    kind: DiscrepancyKind
    day: date
    line_item: str
    #: ``None`` for a price change: it hits the line item in every project.
    project_id: str | None
    api_key_id: str | None


class Injector:
    """Applies the month's discrepancies to one day's cost sums (see the module docstring)."""

    def __init__(self, org: Organization, entities: list[tuple[Dim, ...]]) -> None:
        """``entities``: the cost streams (``CostModel.entities``); the cost-without-usage
        line is added to them."""
        self.first = 2 + hash_int(org.seed, "discrepancies") % 5
        key2, key3, idle_key = org.keys[2], org.keys[3], org.keys[10]
        assert idle_key.project_id == org.idle_project
        self.twice = [
            i
            for i, d in enumerate(entities)
            if d[1] == f"{_MINI}, output" and d[2] == key2.id and d[0] == key2.project_id
        ]
        self.repriced = [
            i
            for i, d in enumerate(entities)
            if d[1] in {f"{_MINI}, {k}" for k in ("input", "cached input", "output")}
        ]
        self.dropped = [
            i
            for i, d in enumerate(entities)
            if str(d[1]).startswith(f"{_MINI}, ") and d[2] == key3.id
        ]
        extra = (org.idle_project, _EXTRA_LINE, idle_key.id, idle_key.user_id, "unlabeled")
        self.extra = len(entities)
        entities.append(extra)
        self.extra_amount = _EXTRA_TOKENS * TOKEN_PRICES["gpt-4o-2024-08-06"][2]

    def kind_on(self, day: int) -> DiscrepancyKind | None:
        offset = datetime.fromtimestamp(day * DAY, UTC).day - self.first
        if offset < 0 or offset % 7 or offset // 7 >= len(DISCREPANCY_KINDS):
            return None
        return DISCREPANCY_KINDS[offset // 7]

    def apply(self, day: int, m_lo: int, m_hi: int, acc: NumSums) -> None:
        """Make ``acc`` (the cost sums of minutes ``[m_lo, m_hi)`` of ``day``) wrong."""
        kind = self.kind_on(day)
        if kind == "billed_twice":
            for e in self.twice:
                if e in acc:
                    acc[e] = [v * 2 for v in acc[e]]
        elif kind == "price_changed":
            for e in self.repriced:
                if e in acc:
                    acc[e] = [acc[e][0], acc[e][1] * _PRICE_FACTOR]
        elif kind == "usage_without_cost":
            for e in self.dropped:
                acc.pop(e, None)
        elif kind == "cost_without_usage" and m_lo <= _NOON_MINUTE < m_hi:
            acc[self.extra] = [_EXTRA_TOKENS, self.extra_amount]

    def listed(
        self, day: int, honest: NumSums, entities: list[tuple[Dim, ...]]
    ) -> list[Discrepancy]:
        """What ``apply`` changes on ``day``, given the day's honest sums."""
        kind = self.kind_on(day)
        when = datetime.fromtimestamp(day * DAY, UTC).date()
        if kind == "cost_without_usage":
            hit = [self.extra]
        else:
            chosen = {
                "billed_twice": self.twice,
                "price_changed": self.repriced,
                "usage_without_cost": self.dropped,
            }.get(str(kind), [])
            hit = [e for e in chosen if e in honest and honest[e][0]]
        out: set[Discrepancy] = set()
        for e in hit:
            project, line_item, key = entities[e][:3]
            if kind == "price_changed":
                project = key = None
            out.add(
                Discrepancy(kind or "billed_twice", when, str(line_item), _opt(project), _opt(key))
            )
        return sorted(
            out, key=lambda d: (d.day, d.kind, d.line_item, d.project_id or "", d.api_key_id or "")
        )


def _opt(value: object) -> str | None:
    return None if value is None else str(value)
