"""List prices to compare derived unit prices with: the packaged table or a user's file.

The format (TOML, read with the standard library's ``tomllib``) is that of the packaged
``prices.toml``: ``as_of`` (a date), ``source``, ``currency``, and ``[prices]`` mapping each
line item to ``{ usd = "2.50", per = "1M tokens" }``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any, Final

from .._core._exceptions import InvalidParameterError
from .._core._summarize import model_from_line_item, model_matches
from ._kinds import PRICE_SCALE

__all__ = ["BUILTIN", "PriceTable", "load_prices"]

#: The name that picks the packaged table (``--prices builtin``).
BUILTIN: Final = "builtin"
#: ``per`` spelling -> usage units in it.
_PER: Final = {label: scale for scale, label in PRICE_SCALE.values()}


@dataclass(frozen=True)
class PriceTable:
    """Unit prices by line item, per usage unit (one token, one second, ...)."""

    #: ``built-in`` or the file's path.
    name: str
    as_of: date | None
    source: str | None
    currency: str
    prices: Mapping[str, Decimal] = field(default_factory=dict)

    def price_of(self, line_item: str) -> Decimal | None:
        """The list price per usage unit of ``line_item``: the exact line, else a line of
        the same kind whose model the line item's model is a dated snapshot of."""
        exact = self.prices.get(line_item)
        if exact is not None:
            return exact
        model = model_from_line_item(line_item)
        if model is None:
            return None
        kind = line_item.split(", ", 1)[1]
        for listed, price in self.prices.items():
            listed_model = model_from_line_item(listed)
            if (
                listed_model is not None
                and listed.split(", ", 1)[1] == kind
                and model_matches(model, listed_model)
            ):
                return price
        return None

    def describe(self) -> str:
        when = f" as of {self.as_of}" if self.as_of else ""
        return f"the {self.name} price table{when}"


#: No unit price is a trillion dollars: a larger one is a typo, refused before any work.
_MAX_PRICE: Final = Decimal(10) ** 12


def load_prices(source: str | Path) -> PriceTable:
    """The packaged table (``"builtin"``) or the TOML file at ``source``.

    Raises ``InvalidParameterError`` (naming ``prices``) for a missing or malformed file.
    """
    if str(source) == BUILTIN:
        text = resources.files(__package__).joinpath("prices.toml").read_text(encoding="utf-8")
        return _parse(text, "built-in")
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidParameterError(
            "prices", str(source), f"'{BUILTIN}' or a readable TOML file ({error.strerror})"
        ) from None
    except UnicodeDecodeError:
        raise InvalidParameterError("prices", str(source), "a TOML file in UTF-8") from None
    return _parse(text, str(path))


def _parse(text: str, name: str) -> PriceTable:
    def bad(why: str) -> InvalidParameterError:
        return InvalidParameterError("prices", name, why)

    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise bad(f"a TOML price table ({error})") from None
    table = data.get("prices")
    if not isinstance(table, dict):
        raise bad('a [prices] table of line item = { usd = "...", per = "..." }')
    prices = {}
    for line_item, entry in table.items():
        if not isinstance(entry, dict) or set(entry) != {"usd", "per"}:
            raise bad(f'{line_item!r} = {{ usd = "...", per = "..." }}')
        per = _PER.get(str(entry["per"]))
        if per is None:
            raise bad(f"{line_item!r}: per is one of {', '.join(_PER)}")
        try:
            usd = Decimal(str(entry["usd"]))
        except InvalidOperation:
            raise bad(f"{line_item!r}: usd is a decimal number") from None
        if not usd.is_finite() or usd < 0 or usd >= _MAX_PRICE:
            raise bad(f"{line_item!r}: usd is a decimal number from 0 to below 10^12, not {usd}")
        prices[line_item] = usd / per
    as_of = data.get("as_of")
    if isinstance(as_of, str):
        try:
            as_of = date.fromisoformat(as_of)
        except ValueError:
            raise bad("as_of is a date (YYYY-MM-DD)") from None
    if as_of is not None and not isinstance(as_of, date):
        raise bad("as_of is a date (YYYY-MM-DD)")
    currency = str(data.get("currency", "usd")).lower()
    source = data.get("source")
    return PriceTable(name, as_of, None if source is None else str(source), currency, prices)
