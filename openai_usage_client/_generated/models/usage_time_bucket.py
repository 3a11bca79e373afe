from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self, Union

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
)

from ..models.costs_result import CostsResult
from ..models.unknown_result import UnknownResult
from ..models.usage_audio_speeches_result import UsageAudioSpeechesResult
from ..models.usage_audio_transcriptions_result import UsageAudioTranscriptionsResult
from ..models.usage_code_interpreter_sessions_result import UsageCodeInterpreterSessionsResult
from ..models.usage_completions_result import UsageCompletionsResult
from ..models.usage_decisions_result import UsageDecisionsResult
from ..models.usage_embeddings_result import UsageEmbeddingsResult
from ..models.usage_file_search_calls_result import UsageFileSearchCallsResult
from ..models.usage_images_result import UsageImagesResult
from ..models.usage_moderations_result import UsageModerationsResult
from ..models.usage_vector_stores_result import UsageVectorStoresResult
from ..models.usage_web_search_calls_result import UsageWebSearchCallsResult

_RESULTS_KNOWN = frozenset(
    {
        "organization.usage.completions.result",
        "organization.usage.embeddings.result",
        "organization.usage.moderations.result",
        "organization.usage.images.result",
        "organization.usage.audio_speeches.result",
        "organization.usage.audio_transcriptions.result",
        "organization.usage.vector_stores.result",
        "organization.usage.code_interpreter_sessions.result",
        "organization.usage.file_searches.result",
        "organization.usage.web_searches.result",
        "organization.usage.decisions.result",
        "organization.costs.result",
    }
)


def _results_is_unknown(value: UnknownResult) -> UnknownResult:
    # The fallback is tried only when the discriminated union failed. A known tag got here
    # because its fields are wrong: that must fail, not pass as an unknown type (it would
    # silently drop the item from every total).
    if value.object in _RESULTS_KNOWN:
        raise ValueError(f"malformed {value.object!r} item")
    return value


# Pydantic-core picks the member from the tag in one lookup (no Python call per item, no try
# of every member); only a tag this version does not know falls through to UnknownResult.
UsageTimeBucketResultsItem = Annotated[
    Union[
        Annotated[
            Union[
                UsageCompletionsResult,
                UsageEmbeddingsResult,
                UsageModerationsResult,
                UsageImagesResult,
                UsageAudioSpeechesResult,
                UsageAudioTranscriptionsResult,
                UsageVectorStoresResult,
                UsageCodeInterpreterSessionsResult,
                UsageFileSearchCallsResult,
                UsageWebSearchCallsResult,
                UsageDecisionsResult,
                CostsResult,
            ],
            Field(discriminator="object"),
        ],
        Annotated[UnknownResult, AfterValidator(_results_is_unknown)],
    ],
    Field(union_mode="left_to_right"),
]
"""One item of ``UsageTimeBucket.results``, typed by its ``object`` field."""


class UsageTimeBucket(BaseModel):
    """One UTC-aligned time bucket (the first may be partial when `start_time` is not aligned)."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        # Build the validator on first use, not at import: `import openai_usage_client` and
        # `openai-usage --help` must not pay for every model (see bench P5).
        defer_build=True,
    )

    object: Literal["bucket"]
    start_time: StrictInt
    end_time: StrictInt
    results: list[UsageTimeBucketResultsItem] = Field(
        validation_alias=AliasChoices("results", "result"), serialization_alias="results"
    )
    """ The bucket's results; empty when there was no activity. Sent as `result` by older API versions. """

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        """Validate a decoded JSON object (the generated endpoint functions call this)."""
        return cls.model_validate(src_dict)

    def to_dict(self) -> dict[str, Any]:
        """This model as a JSON object, under the wire names."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)
