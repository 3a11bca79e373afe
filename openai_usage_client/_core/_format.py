"""Numbers and money for people: ``1,234``, ``$2.70`` (display only; data stays exact)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

__all__ = ["cut", "cut_unique", "decimal_text", "money", "number"]


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def decimal_text(value: Decimal) -> str:
    """An exact decimal as every writer shows it: no exponent, no trailing zeros in the
    fraction (``83.307306625``, ``25.77771416``, ``100``), so the same value reads the same in
    CSV, JSON and tables whatever digits the API or a sum gave it."""
    return _plain(value)


def number(value: Any) -> str:
    """A counter for people: thousands separators, decimals without trailing zeros."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{int(value):,}" if value.is_integer() else f"{value:,}"
    if isinstance(value, Decimal):
        text = _plain(value)
        sign = "-" if text.startswith("-") else ""
        whole, _, frac = text.lstrip("-").partition(".")
        return f"{sign}{int(whole):,}" + (f".{frac}" if frac else "")
    return str(value)


def money(value: Decimal | None, currency: str | None) -> str:
    """``$1,234.56`` for usd, else ``1,234.56 EUR``: rounded to cents, for display only.

    ``-`` for ``None`` (no amount at all).
    """
    if value is None:
        return "-"
    cents = f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_EVEN):,}"
    if (currency or "usd").lower() == "usd":
        return f"-${cents[1:]}" if cents.startswith("-") else f"${cents}"
    return f"{cents} {(currency or '').upper()}".rstrip()


def cut(text: str, width: int, ellipsis: str = "…") -> str:
    """``text`` cut to ``width`` characters, ending with ``ellipsis`` when it was cut."""
    if len(text) <= width:
        return text
    if width <= len(ellipsis):
        return text[:width]
    return text[: width - len(ellipsis)] + ellipsis


def cut_unique(values: list[str], width: int, ellipsis: str = "…") -> list[str]:
    """Each text cut to ``width`` characters (an ellipsis marks the cut), kept apart: two
    values that the same cut would make look alike keep their ends instead
    (``proj_1e14…67294``), as IDs and names often differ only there."""
    shortened = [cut(v, width, ellipsis) for v in values]
    seen: dict[str, set[str]] = {}
    for value, shown in zip(values, shortened, strict=True):
        seen.setdefault(shown, set()).add(value)
    clashing = {shown for shown, originals in seen.items() if len(originals) > 1}
    if not clashing or width <= len(ellipsis) + 2:
        return shortened
    head = (width - len(ellipsis)) // 2
    tail = width - len(ellipsis) - head
    out = []
    for value, shown in zip(values, shortened, strict=True):
        kept = value[:head] + ellipsis + value[len(value) - tail :]
        out.append(kept if shown in clashing else shown)
    return out
