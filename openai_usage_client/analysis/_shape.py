"""What the analysis options of a data command do, as a library: ``Shape`` (usable from
Python without click; the CLI's options fill it in).

``Shape`` holds ``--totals``, ``--by``, ``--pivot``, ``--value``, ``--columns``, ``--wide``,
``--tz`` and ``--money-decimals``. ``Shape.request`` adjusts the request (bucket width for
local periods, the grouping a pivot or a client-side filter needs) and ``Shape.apply`` turns
the fetched rows into what is printed: ``Shaped`` rows, their columns, which are money, a
title naming the zone, and notices (costs in UTC days, filters done on our side).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from .._core._endpoints import ENDPOINTS
from .._core._exceptions import InvalidParameterError
from .._core._periods import By, zone_name
from .._core._table import all_columns, default_columns, pick_columns
from ._rollup import (
    TIME_DIMENSIONS,
    client_side,
    filter_rows,
    measure,
    parse_pivot,
    pivot,
    pivot_group_by,
    plan,
    rollup,
    totals,
)

if TYPE_CHECKING:
    from .._core._rows import Row

__all__ = ["Shape", "Shaped"]


@dataclass
class Shaped:
    """Rows ready to print or write, and how to show them."""

    rows: list[Row]
    columns: list[str]
    money: list[str]
    title: str
    notices: list[str] = field(default_factory=list)
    #: Every column the rows have (what ``--columns`` may pick from).
    available: list[str] = field(default_factory=list)
    #: The currency money columns are in (costs say it; ``usd`` otherwise).
    currency: str = "usd"


@dataclass
class Shape:
    """The analysis options of one data command (all off: rows as the API sends them)."""

    totals: bool = False
    by: By | None = None
    pivot: str | None = None
    value: str | None = None
    columns: str | None = None
    wide: bool = False
    tz: tzinfo = UTC
    money_decimals: int | None = None
    _notices: list[str] = field(default_factory=list, repr=False)
    _local: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _period_tz: tzinfo = field(default=UTC, repr=False)
    #: The range actually fetched, when it differs from the one asked for (costs in UTC days).
    _span: tuple[int, int] | None = field(default=None, repr=False)

    def reshapes(self) -> bool:
        """Whether the rows are changed (summed, filtered, cut to columns) before writing.

        Call after ``request``: a filter done here (costs by user) counts too.
        """
        options = (self.totals, self.by, self.pivot, self.columns, self.wide)
        return any(options) or self.money_decimals is not None or bool(self._local)

    def check(self, endpoint: str) -> None:
        """Refuse combinations that mean nothing, before any request."""
        given = [
            n
            for n, on in (("--totals", self.totals), ("--by", self.by), ("--pivot", self.pivot))
            if on
        ]
        if len(given) > 1:
            raise InvalidParameterError(
                given[1],
                True,
                f"use one of --totals, --by and --pivot at a time (got {', '.join(given)})",
            )
        if self.value is not None:
            if self.pivot is None:
                raise InvalidParameterError("--value", self.value, "only with --pivot")
            measure(endpoint, self.value)
        if self.pivot is not None:
            parse_pivot(self.pivot, endpoint)
        if self.money_decimals is not None and not 0 <= self.money_decimals <= 12:
            raise InvalidParameterError("--money-decimals", self.money_decimals, "0 to 12")

    def request(self, endpoint: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """The request to send for ``params`` (``start_time``, ``end_time``, filters, ...).

        ``bucket_width`` absent or ``None`` means "not chosen": local periods then pick the
        widest width that fits them (``plan``).
        """
        self.check(endpoint)
        self._notices = []
        self._span = None
        api, self._local = client_side(endpoint, params)
        if self._local and ENDPOINTS[endpoint].is_costs:
            names = ", ".join(self._local)
            self._notices.append(f"filtered by {names} here: the API has no such filter for costs")
        elif self._local:
            self._notices.append(
                "filtered by model here: a model matches its name and dated snapshots "
                "(gpt-4.1: gpt-4.1-2025-04-14, not gpt-4.1-mini)"
            )
        by = self._period()
        start, end = api["start_time"], api.get("end_time") or api["start_time"]
        chosen = plan(endpoint, by, self.tz, start, end)
        self._period_tz = chosen.tz
        if chosen.notice:
            # The same calendar days in UTC: local midnights are within 14 hours of UTC ones.
            day = 86400
            api["start_time"] = (start + day // 2) // day * day
            api["end_time"] = max(api["start_time"] + day, (end + day // 2) // day * day)
            self._span = (api["start_time"], api["end_time"])
            self._notices.append(chosen.notice)
        if api.get("bucket_width") is None:
            api.pop("bucket_width", None)
            if by is not None:
                api["bucket_width"] = chosen.bucket_width
        if self.pivot is not None:
            group_by = list(api.get("group_by") or [])
            for g in pivot_group_by(parse_pivot(self.pivot, endpoint), endpoint):
                if g not in group_by:
                    group_by.append(g)
            if group_by:
                api["group_by"] = group_by
        return api

    def _period(self) -> By | None:
        if self.by is not None:
            return self.by
        if self.pivot is not None:
            dims = [d for d in self.pivot.split(":") if d in TIME_DIMENSIONS and d != "start_time"]
            return dims[0] if dims else None  # type: ignore[return-value]
        return None

    def apply(
        self,
        endpoint: str,
        rows: Iterable[Row],
        start: datetime,
        end: datetime,
        group_by: list[str],
    ) -> Shaped:
        """The rows as printed: totals, periods, a pivot, or the rows themselves."""
        from .._core._rows import EXTRA_COLUMNS
        from .._core._rows import columns as endpoint_columns

        items: Iterable[Row] = filter_rows(rows, self._local) if self._local else rows
        if self._span is not None:
            start, end = (datetime.fromtimestamp(t, UTC) for t in self._span)
        tz = self._period_tz if self._period() else self.tz
        span = f"{start.astimezone(tz):%Y-%m-%d %H:%M} to {end.astimezone(tz):%Y-%m-%d %H:%M}"
        title = f"{endpoint}: {span} {zone_name(tz)}"
        grouping = [g for g in ENDPOINTS[endpoint].group_by if g in group_by]
        counters = _counters(endpoint)
        if self.pivot is not None:
            table = pivot(items, self.pivot, endpoint, self.value, tz)
            shaped = table.to_rows()
            cols = table.columns()
            money = cols[1:] if table.measure.money else []
            name = table.measure.name
            title += f", {name} by {table.row} and {table.column}"
            result = self._finish(shaped, cols, money, title, cols, fixed=True)
            result.currency = table.currency or "usd"
            return result
        if self.totals:
            shaped = totals(items, grouping, counters, start=start, end=end)
            available = ["start_time", "end_time", *grouping, *_with_currency(counters), "rows"]
            title += ", totals"
            # Every row covers the whole range (the title says which): no time column.
            default = default_columns(endpoint, shaped, leading=[])
            return self._finish(shaped, default, ["amount_value"], title, available)
        if self.by is not None:
            shaped = rollup(items, self.by, tz, grouping, counters, start=start, end=end)
            available = [
                "period", "start_time", "end_time", *grouping, *_with_currency(counters), "rows",
            ]  # fmt: skip
            title += f", by {self.by}"
            return self._finish(
                shaped,
                default_columns(endpoint, shaped, ["period"]),
                ["amount_value"],
                title,
                available,
            )
        shaped = list(items)
        # Rows from a store carry ``provisional``: kept, last, as the unshaped writers do.
        extra = [c for c in EXTRA_COLUMNS if shaped and c in shaped[0]]
        available = endpoint_columns(endpoint, extra=extra)
        return self._finish(
            shaped, default_columns(endpoint, shaped), ["amount_value"], title, available
        )

    def _finish(
        self,
        rows: list[Row],
        default: list[str],
        money: list[str],
        title: str,
        available: list[str],
        *,
        fixed: bool = False,
    ) -> Shaped:
        if self.columns is not None:
            chosen = pick_columns(self.columns, available)
        elif self.wide or fixed:
            chosen = default if fixed else all_columns(rows, available)
        else:
            chosen = default
        currency = next((r["amount_currency"] for r in rows if r.get("amount_currency")), "usd")
        return Shaped(rows, chosen, money, title, list(self._notices), available, currency)


def _with_currency(counters: list[str]) -> list[str]:
    """Money totals carry their currency, right after the amount (CSV and JSON readers
    cannot see it in a ``$``)."""
    out = []
    for column in counters:
        out.append(column)
        if column == "amount_value":
            out.append("amount_currency")
    return out


def _counters(endpoint: str) -> list[str]:
    from .._core._rows import column_types

    return [c for c, k in column_types(endpoint).items() if k in ("int", "decimal")]
