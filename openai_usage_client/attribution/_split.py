"""An amount split in proportion to weights, exactly: the parts add up to the amount."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from typing import Final

__all__ = ["PRECISION", "split"]

#: Money is kept to the atto (the store's exact columns: ``store._schema.SPLIT``).
PRECISION: Final = Decimal("1e-18")
#: Wide enough that no digit above ``PRECISION`` is ever rounded away.
_WIDE: Final = Context(prec=80, rounding=ROUND_HALF_EVEN)


def split(amount: Decimal, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """``amount`` in parts proportional to ``weights`` (each >= 0, some > 0), each rounded
    to ``PRECISION``; the remainder of rounding goes to the largest weight (the first of
    equals), so the parts add up to ``amount`` exactly: no money is created or lost."""
    with localcontext(_WIDE):
        total = sum(weights, Decimal(0))
        if not weights or total <= 0 or any(w < 0 for w in weights):
            raise ValueError("weights must be >= 0 with a positive sum")
        parts = [(amount * w / total).quantize(PRECISION) for w in weights]
        largest = max(range(len(weights)), key=lambda i: (weights[i], -i))
        parts[largest] += amount - sum(parts, Decimal(0))
    return parts
