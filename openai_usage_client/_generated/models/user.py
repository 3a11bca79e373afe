from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
)

from ..models.user_account import UserAccount
from ..models.user_projects import UserProjects


class User(BaseModel):
    """A user of the organization. Its `id` is what usage and costs report as `user_id`."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        # Build the validator on first use, not at import: `import openai_usage_client` and
        # `openai-usage --help` must not pay for every model (see bench P5).
        defer_build=True,
    )

    object: Literal["organization.user"]
    id: str
    added_at: StrictInt
    """ When the user was added (Unix seconds). """
    name: None | str = Field(default=None)
    email: None | str = Field(default=None)
    role: None | str = Field(default=None)
    """ `owner` or `reader`. """
    is_default: StrictBool | None = Field(default=None)
    """ Whether this is the organization's default user. """
    created: StrictInt | None = Field(default=None)
    """ When the user was created (Unix seconds). """
    user: UserAccount | None = Field(default=None)
    """ The account behind an organization user. """
    is_service_account: StrictBool | None = Field(default=None)
    is_scale_tier_authorized_purchaser: StrictBool | None = Field(default=None)
    is_scim_managed: StrictBool | None = Field(default=None)
    api_key_last_used_at: StrictInt | None = Field(default=None)
    """ When one of the user's API keys was last used (Unix seconds). """
    technical_level: None | str = Field(default=None)
    developer_persona: None | str = Field(default=None)
    projects: None | UserProjects = Field(default=None)
    """ The user's projects, when included. """

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """Validate a decoded JSON object (the generated endpoint functions call this)."""
        return cls.model_validate(src_dict)

    def to_dict(self) -> dict[str, Any]:
        """This model as a JSON object, under the wire names."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)
