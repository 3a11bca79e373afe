"""What ``check`` keeps of an organization's cost rows: sums, never the rows.

A large organization's costs over ``check``'s window (five weeks) are hundreds of thousands
of rows (bench P9: 229,000 at a hundred times the fake's organization). The checks read
three things of them, and each is kept as sums, read row by row as the rows stream past:

* per day, currency, project and team: what budgets, their forecasts and the per-currency
  totals add up (``rows()``: one row per such group, in the rows' own shape);
* per day and value of each anomaly dimension (project, model, API key): the series the
  anomalies are found in (``anomaly.add_daily``).

So memory grows with projects and keys times days, not with the rows (line items and users
are summed away).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from .anomaly import Series, add_daily

if TYPE_CHECKING:
    from .._core._exports import Row

__all__ = ["Spent"]

#: What budgets and totals read of a cost row once it has a team.
_KEPT: Final = ("project_id", "project_name", "team")


class Spent:
    """One organization's costs as ``check`` reads them (see the module docstring)."""

    def __init__(self, organization: str, rows: Iterable[Row]) -> None:
        self.organization = organization
        self._sums: dict[tuple[Any, ...], Decimal] = {}
        #: The anomaly dimensions' daily spend.
        self.series: Series = {}
        for row in rows:
            key = (row.get("start_time"), row.get("amount_currency"), *(row.get(k) for k in _KEPT))
            value = row.get("amount_value")
            self._sums[key] = self._sums.get(key, Decimal(0)) + (
                Decimal(value) if value is not None else 0
            )
            add_daily(self.series, row)

    def rows(self) -> list[Row]:
        """One row per day, currency, project and team: ``start_time``, ``amount_value``,
        ``amount_currency``, ``project_id``, ``project_name``, ``team``, ``organization``."""
        return [
            {"start_time": k[0], "amount_value": v, "amount_currency": k[1],
             **dict(zip(_KEPT, k[2:], strict=True)), "organization": self.organization}
            for k, v in self._sums.items()
        ]  # fmt: skip
