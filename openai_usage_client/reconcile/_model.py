"""What a reconciliation found: joined cells, unit prices, flags and the spend they cover."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Final, Literal

from .._core._format import decimal_text
from .._core._json_stream import Streamed, write_json

__all__ = ["FLAG_KINDS", "STATUSES", "Cell", "Flag", "Reconciliation", "UnitPrice"]

FlagKind = Literal["cost_without_usage", "usage_without_cost", "quantity_mismatch", "price_differs"]
#: Every kind of flag, in the order they are shown.
FLAG_KINDS: Final[tuple[FlagKind, ...]] = (
    "cost_without_usage",
    "usage_without_cost",
    "quantity_mismatch",
    "price_differs",
)
Status = Literal[
    "matched", "quantity_mismatch", "cost_without_usage", "usage_without_cost", "not_checked"
]
#: What a cell's spend counts as.
STATUSES: Final[tuple[Status, ...]] = (
    "matched",
    "quantity_mismatch",
    "cost_without_usage",
    "usage_without_cost",
    "not_checked",
)


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(value)


@dataclass(frozen=True, slots=True)
class Cell:
    """One day x project x API key x user x model x kind, billed and used.

    ``billed`` and ``used`` are in the usage's unit (``unit``: tokens, images, seconds,
    GiB-hours, ...); a column the join could not use (not grouped on both sides) is ``None``.
    """

    day: date
    organization: str
    project_id: str | None
    api_key_id: str | None
    user_id: str | None
    model: str | None
    kind: str
    unit: str
    #: From the store's directory (``None`` when it does not know the project).
    project_name: str | None
    line_items: tuple[str, ...]
    billed: Decimal | None
    used: Decimal | None
    amount: Decimal
    currency: str
    status: Status
    provisional: bool
    #: Why: the figures behind the status, or what was not checked.
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "organization": self.organization,
            "project_id": self.project_id,
            "project_name": self.project_name,
            "api_key_id": self.api_key_id,
            "user_id": self.user_id,
            "model": self.model,
            "kind": self.kind,
            "line_items": list(self.line_items),
            "billed_quantity": _plain(self.billed),
            "used_quantity": _plain(self.used),
            "unit": self.unit,
            "amount": decimal_text(self.amount),
            "currency": self.currency,
            "status": self.status,
            "provisional": self.provisional,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class UnitPrice:
    """A line item's derived unit price over the period (settled days only)."""

    line_item: str
    #: What the prices are per: ``1M tokens``, ``image``, ``minute``, ...
    per: str
    median: Decimal
    low: Decimal
    high: Decimal
    days: int
    #: The list price per the same ``per``, when the price table has the line item.
    list_price: Decimal | None
    #: Each settled day's price (per ``per``).
    daily: Mapping[date, Decimal] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "line_item": self.line_item,
            "per": self.per,
            "median": decimal_text(self.median),
            "low": decimal_text(self.low),
            "high": decimal_text(self.high),
            "days": self.days,
            "list_price": _plain(self.list_price),
        }


@dataclass(frozen=True)
class Flag:
    """Something that does not add up, with the reason in words."""

    kind: FlagKind
    day: date
    organization: str
    #: The line item (or ``model, kind`` for usage nobody billed).
    line_item: str
    project_id: str | None
    api_key_id: str | None
    user_id: str | None
    amount: Decimal
    detail: str
    provisional: bool = False
    project_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "date": self.day.isoformat(),
            "organization": self.organization,
            "line_item": self.line_item,
            "project_id": self.project_id,
            "project_name": self.project_name,
            "api_key_id": self.api_key_id,
            "user_id": self.user_id,
            "amount": decimal_text(self.amount),
            "detail": self.detail,
            "provisional": self.provisional,
        }


@dataclass(frozen=True)
class Reconciliation:
    """Usage and costs of ``[start, end)`` (UTC days) joined.

    ``spend`` sums the settled cells' amounts by status; ``provisional_spend`` is the spend of
    days that may still settle, which is not judged (late settling is not a mismatch), and
    ``provisional_flags`` what would be flagged there today. ``notes`` say what the answer
    does not cover (days missing from the store, endpoints not synced, lines not checked).
    """

    start: date
    end: date
    organizations: tuple[str, ...]
    currency: str
    cells: Sequence[Cell]
    prices: Sequence[UnitPrice]
    flags: Sequence[Flag]
    provisional_flags: Sequence[Flag]
    #: Where price flags come from: a price table's description, or the period's median.
    price_reference: str
    notes: Sequence[str] = ()
    #: Usage endpoints read (the rest were not in the store).
    endpoints: Sequence[str] = ()
    #: The settled cells' amounts by status (every status, zero where none).
    spend: Mapping[Status, Decimal] = field(
        default_factory=lambda: dict.fromkeys(STATUSES, Decimal(0))
    )
    #: The spend of days that may still settle (not judged).
    provisional_spend: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        """The settled spend: every status's together."""
        return sum(self.spend.values(), Decimal(0))

    @property
    def share_matched(self) -> Decimal | None:
        """The share (0 to 1) of settled spend whose usage matches its billed quantity."""
        total = self.total
        return None if not total else self.spend["matched"] / total

    def flag_counts(self) -> dict[FlagKind, int]:
        counts = Counter(f.kind for f in self.flags)
        return {kind: counts.get(kind, 0) for kind in FLAG_KINDS}

    def to_dict(self) -> dict[str, Any]:
        """The whole reconciliation as JSON-ready data, every joined cell included."""
        return self._document(lambda cells, _count: list(cells))

    def write_json(self, write: Callable[[str], object]) -> None:
        """``to_dict()`` as indented JSON text (control characters escaped), passed to
        ``write`` in pieces: the cells (one per day, project, key, user, model and kind:
        hundreds of thousands in a large organization) are never held as text all at once."""
        write_json(self._document(Streamed), write)

    def _document(self, cells_as: Callable[[Iterable[Any], int], list[Any]]) -> dict[str, Any]:
        share = self.share_matched
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "organizations": list(self.organizations),
            "currency": self.currency,
            "total": decimal_text(self.total),
            "spend": {status: decimal_text(v) for status, v in self.spend.items()},
            "share_matched": None if share is None else decimal_text(round(share, 6)),
            "provisional_spend": decimal_text(self.provisional_spend),
            "price_reference": self.price_reference,
            "flag_counts": self.flag_counts(),
            "flags": [f.to_dict() for f in self.flags],
            "provisional_flags": [f.to_dict() for f in self.provisional_flags],
            "prices": [p.to_dict() for p in self.prices],
            "endpoints": list(self.endpoints),
            "notes": list(self.notes),
            "cells": cells_as((c.to_dict() for c in self.cells), len(self.cells)),
        }
