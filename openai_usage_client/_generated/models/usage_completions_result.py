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


class UsageCompletionsResult(BaseModel):
    """Completions usage in one bucket (for one group, when grouped)."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        # Build the validator on first use, not at import: `import openai_usage_client` and
        # `openai-usage --help` must not pay for every model (see bench P5).
        defer_build=True,
    )

    object: Literal["organization.usage.completions.result"]
    input_tokens: StrictInt
    """ Input tokens, including cached, text, audio and image tokens. """
    output_tokens: StrictInt
    """ Output tokens, including text, audio and image tokens. """
    num_model_requests: StrictInt
    """ Requests made to the model. """
    input_cached_tokens: StrictInt | None = Field(default=None)
    """ Input tokens read from the cache. """
    input_cache_write_tokens: StrictInt | None = Field(default=None)
    """ Input tokens written to the cache. """
    input_cache_write_12h_tokens: StrictInt | None = Field(default=None)
    """ Input tokens written to the 12-hour cache. """
    input_cache_write_30m_tokens: StrictInt | None = Field(default=None)
    """ Input tokens written to the 30-minute cache. """
    input_uncached_tokens: StrictInt | None = Field(default=None)
    """ Input tokens neither read from nor written to the cache. """
    input_text_tokens: StrictInt | None = Field(default=None)
    """ Uncached text input tokens, excluding cache writes. """
    output_text_tokens: StrictInt | None = Field(default=None)
    input_cached_text_tokens: StrictInt | None = Field(default=None)
    input_audio_tokens: StrictInt | None = Field(default=None)
    """ Uncached audio input tokens (older API versions counted cached ones too). """
    input_cached_audio_tokens: StrictInt | None = Field(default=None)
    output_audio_tokens: StrictInt | None = Field(default=None)
    input_image_tokens: StrictInt | None = Field(default=None)
    """ Uncached image input tokens. """
    input_cached_image_tokens: StrictInt | None = Field(default=None)
    output_image_tokens: StrictInt | None = Field(default=None)
    project_id: None | str = Field(default=None)
    user_id: None | str = Field(default=None)
    api_key_id: None | str = Field(default=None)
    model: None | str = Field(default=None)
    batch: StrictBool | None = Field(default=None)
    service_tier: None | str = Field(default=None)
    api_source: None | str = Field(default=None)

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """Validate a decoded JSON object (the generated endpoint functions call this)."""
        return cls.model_validate(src_dict)

    def to_dict(self) -> dict[str, Any]:
        """This model as a JSON object, under the wire names."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)
