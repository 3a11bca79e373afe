from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
)

from ..models.admin_api_key_owner import AdminApiKeyOwner


class AdminApiKey(BaseModel):
    """An admin API key of the organization."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        # Build the validator on first use, not at import: `import openai_usage_client` and
        # `openai-usage --help` must not pay for every model (see bench P5).
        defer_build=True,
    )

    object: Literal["organization.admin_api_key"]
    id: str
    redacted_value: str
    created_at: StrictInt
    """ Unix seconds. """
    expires_at: StrictInt | None
    """ Unix seconds; null if the key does not expire. """
    owner: AdminApiKeyOwner
    """ Who owns an admin key (a user or a service account). """
    name: None | str = Field(default=None)
    last_used_at: StrictInt | None = Field(default=None)
    """ Unix seconds; null if never used. """

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """Validate a decoded JSON object (the generated endpoint functions call this)."""
        return cls.model_validate(src_dict)

    def to_dict(self) -> dict[str, Any]:
        """This model as a JSON object, under the wire names."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)
