from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
)

from ..models.spend_alert_notification_channel import SpendAlertNotificationChannel
from ..models.spend_limit_enforcement import SpendLimitEnforcement


class OrganizationSpendLimit(BaseModel):
    """The organization's hard spend limit. Money is in cents."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        # Build the validator on first use, not at import: `import openai_usage_client` and
        # `openai-usage --help` must not pay for every model (see bench P5).
        defer_build=True,
    )

    object: str
    """ `organization.spend_limit`; a project's: `project.spend_limit` (the public spec)
    or `organization.project.spend_limit` (live-api-facts), so an open string. """
    threshold_amount: StrictInt
    """ The limit, in cents. """
    currency: str
    """ Only `USD` so far (an open set). """
    interval: str
    """ Only `month` so far (an open set). """
    enforcement: SpendLimitEnforcement
    notification_channel: None | SpendAlertNotificationChannel = Field(default=None)
    """ Who is told when the limit is reached besides the owners (official SDK 3.63);
    null or absent: the owners only. """

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """Validate a decoded JSON object (the generated endpoint functions call this)."""
        return cls.model_validate(src_dict)

    def to_dict(self) -> dict[str, Any]:
        """This model as a JSON object, under the wire names."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)
