from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
)


class Project(BaseModel):
    """A project. Its `id` is what usage and costs report as `project_id`."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        # Build the validator on first use, not at import: `import openai_usage_client` and
        # `openai-usage --help` must not pay for every model (see bench P5).
        defer_build=True,
    )

    id: str
    object: Literal["organization.project"]
    created_at: StrictInt
    """ When the project was created (Unix seconds). """
    name: None | str = Field(default=None)
    """ The project's name, as shown in reporting. """
    archived_at: StrictInt | None = Field(default=None)
    """ When the project was archived (Unix seconds); null while active. """
    status: None | str = Field(default=None)
    """ `active` or `archived`. """
    external_key_id: None | str = Field(default=None)
    """ The external key associated with the project. """
    residency: str | None = Field(default=None)
    """ Where the project's data is stored and processed: an open set (GLOBAL,
    US_STORAGE_PROCESSING, EU_STORAGE_PROCESSING, JP_STORAGE, KR_STORAGE, CA_STORAGE,
    SG_STORAGE, IN_STORAGE, AU_STORAGE, GB_STORAGE, AE_STORAGE, AE_STORAGE_PROCESSING
    so far). """

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """Validate a decoded JSON object (the generated endpoint functions call this)."""
        return cls.model_validate(src_dict)

    def to_dict(self) -> dict[str, Any]:
        """This model as a JSON object, under the wire names."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)
