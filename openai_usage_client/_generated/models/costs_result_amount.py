from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Self

from pydantic import BaseModel, ConfigDict


class CostsResultAmount(BaseModel):
    """Money. `value` arrives as a JSON number or a decimal string, and is read exactly."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )

    value: Decimal
    currency: str
    """ Lowercase ISO 4217 code, e.g. `usd`. """

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """Validate a decoded JSON object (the generated endpoint functions call this)."""
        return cls.model_validate(src_dict)

    def to_dict(self) -> dict[str, Any]:
        """This model as a JSON object, under the wire names."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)
