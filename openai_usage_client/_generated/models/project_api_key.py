from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
)

from ..models.project_api_key_owner import ProjectApiKeyOwner
from ..models.project_api_key_spend_limit import ProjectApiKeySpendLimit


class ProjectApiKey(BaseModel):
    """An API key of a project. Its `id` (`key_...`) is what usage and costs report as
    `api_key_id`; deleted keys disappear from the lists while their spend stays."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        # Build the validator on first use, not at import: `import openai_usage_client` and
        # `openai-usage --help` must not pay for every model (see bench P5).
        defer_build=True,
    )

    object: Literal["organization.project.api_key"]
    redacted_value: str
    """ The key with its middle hidden, e.g. `sk-abc...def`. """
    name: str
    created_at: StrictInt
    """ Unix seconds. """
    last_used_at: StrictInt | None
    """ Unix seconds; null if never used. """
    id: str
    owner_project_access: str
    """ Whether the key's owner has access to the project (`active`, `inactive`). """
    owner: ProjectApiKeyOwner
    """ Who owns a project API key; `user` or `service_account` is set as `type` says. """
    expires_at: StrictInt | None = Field(default=None)
    """ Unix seconds when the key expires; null (or absent) if it does not. """
    spend_limit: None | ProjectApiKeySpendLimit = Field(default=None)
    """ The key's own monthly hard spend limit (official SDK 3.63); null (or absent)
    without one. """

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """Validate a decoded JSON object (the generated endpoint functions call this)."""
        return cls.model_validate(src_dict)

    def to_dict(self) -> dict[str, Any]:
        """This model as a JSON object, under the wire names."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)
