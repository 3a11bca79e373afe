from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self, Union

from pydantic import AliasChoices, BaseModel, ConfigDict, Discriminator, Field, Tag

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

_RESULTS_TAGS: dict[str, str] = {
    "organization.usage.completions.result": "UsageCompletionsResult",
    "organization.usage.embeddings.result": "UsageEmbeddingsResult",
    "organization.usage.moderations.result": "UsageModerationsResult",
    "organization.usage.images.result": "UsageImagesResult",
    "organization.usage.audio_speeches.result": "UsageAudioSpeechesResult",
    "organization.usage.audio_transcriptions.result": "UsageAudioTranscriptionsResult",
    "organization.usage.vector_stores.result": "UsageVectorStoresResult",
    "organization.usage.code_interpreter_sessions.result": "UsageCodeInterpreterSessionsResult",
    "organization.usage.file_searches.result": "UsageFileSearchCallsResult",
    "organization.usage.web_searches.result": "UsageWebSearchCallsResult",
    "organization.usage.decisions.result": "UsageDecisionsResult",
    "organization.costs.result": "CostsResult",
}


def _results_tag(value: Any) -> str:
    # Runs once per item: a dict lookup, so parsing costs one discriminator, not a try of
    # every member of the union. A tag this version does not know selects UnknownResult.
    tag = value.get("object") if isinstance(value, dict) else getattr(value, "object", None)
    if isinstance(tag, str):
        return _RESULTS_TAGS.get(tag, "UnknownResult")
    return "UnknownResult"


UsageTimeBucketResultsItem = Annotated[
    Union[
        Annotated[UsageCompletionsResult, Tag("UsageCompletionsResult")],
        Annotated[UsageEmbeddingsResult, Tag("UsageEmbeddingsResult")],
        Annotated[UsageModerationsResult, Tag("UsageModerationsResult")],
        Annotated[UsageImagesResult, Tag("UsageImagesResult")],
        Annotated[UsageAudioSpeechesResult, Tag("UsageAudioSpeechesResult")],
        Annotated[UsageAudioTranscriptionsResult, Tag("UsageAudioTranscriptionsResult")],
        Annotated[UsageVectorStoresResult, Tag("UsageVectorStoresResult")],
        Annotated[UsageCodeInterpreterSessionsResult, Tag("UsageCodeInterpreterSessionsResult")],
        Annotated[UsageFileSearchCallsResult, Tag("UsageFileSearchCallsResult")],
        Annotated[UsageWebSearchCallsResult, Tag("UsageWebSearchCallsResult")],
        Annotated[UsageDecisionsResult, Tag("UsageDecisionsResult")],
        Annotated[CostsResult, Tag("CostsResult")],
        Annotated[UnknownResult, Tag("UnknownResult")],
    ],
    Discriminator(_results_tag),
]
"""One item of ``UsageTimeBucket.results``, typed by its ``object`` field."""


class UsageTimeBucket(BaseModel):
    """One UTC-aligned time bucket (the first may be partial when `start_time` is not aligned)."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
    )

    object: Literal["bucket"]
    start_time: int
    end_time: int
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
