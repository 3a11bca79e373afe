from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
)

from ..models.costs_result_amount import CostsResultAmount


class CostsResult(BaseModel):
    """Costs in one daily bucket (for one group, when grouped)."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        # Build the validator on first use, not at import: `import openai_usage_client` and
        # `openai-usage --help` must not pay for every model (see bench P5).
        defer_build=True,
    )

    object: Literal["organization.costs.result"]
    amount: CostsResultAmount
    """ Money. `value` arrives as a JSON number or a decimal string, and is read exactly. """
    line_item: None | str = Field(default=None)
    """ A text such as `gpt-4o-2024-08-06, input`; the model is read out of it. """
    project_id: None | str = Field(default=None)
    api_key_id: None | str = Field(default=None)
    user_id: None | str = Field(default=None)
    api_source: None | str = Field(default=None)
    quantity: StrictFloat | None = Field(default=None)
    quantity_unit: None | str = Field(default=None)
    """ An open set: tokens, 1000_tokens, duration_seconds, duration_minutes, duration_hours,
    gibibyte_hours, images, characters, or null. """

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """Validate a decoded JSON object (the generated endpoint functions call this)."""
        return cls.model_validate(src_dict)

    def to_dict(self) -> dict[str, Any]:
        """This model as a JSON object, under the wire names."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)
