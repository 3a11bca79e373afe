from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
)

_VALUE_PATTERN = re.compile("^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$")


def _value_matches(value: Any) -> Any:
    # Decimal() alone would also take "1_000", " 12 " or non-ASCII digits: hold strings to
    # the spec's pattern so only what the API documents is read as money.
    if isinstance(value, str) and _VALUE_PATTERN.fullmatch(value) is None:
        raise ValueError("not a decimal number")
    return value


class CostsResultAmount(BaseModel):
    """Money. `value` arrives as a JSON number or a decimal string, and is read exactly."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        # Build the validator on first use, not at import: `import openai_usage_client` and
        # `openai-usage --help` must not pay for every model (see bench P5).
        defer_build=True,
    )

    value: Annotated[Decimal, BeforeValidator(_value_matches)]
    currency: str
    """ Lowercase ISO 4217 code, e.g. `usd`. """

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """Validate a decoded JSON object (the generated endpoint functions call this)."""
        return cls.model_validate(src_dict)

    def to_dict(self) -> dict[str, Any]:
        """This model as a JSON object, under the wire names."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)
