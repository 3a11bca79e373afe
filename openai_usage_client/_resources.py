"""The endpoint methods, written once for both clients.

``Usage[StreamT]`` holds one method per usage endpoint; ``StreamT`` is ``BucketStream`` for
``UsageClient`` and ``AsyncBucketStream`` for ``AsyncUsageClient``. Each method's keyword
arguments are a ``TypedDict`` of that endpoint's parameters (and only those), so a type
checker flags a misspelt or foreign one; at run time ``_params.build_query`` checks every
argument, unknown names included, before any request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, Literal, Required, TypedDict, TypeVar, Unpack

from ._time import TimeInput

__all__ = ["Costs", "CostsParams", "Usage"]

StreamT = TypeVar("StreamT")
Call = Callable[[str, Mapping[str, Any]], StreamT]

UsageBucketWidth = Literal["1m", "1h", "1d"]
ModelGroupBy = Literal["project_id", "user_id", "api_key_id", "model"]
CompletionsGroupBy = Literal[
    "project_id", "user_id", "api_key_id", "model", "batch", "service_tier", "api_source"
]
ImagesGroupBy = Literal["project_id", "user_id", "api_key_id", "model", "size", "source"]
FileSearchGroupBy = Literal["project_id", "user_id", "api_key_id", "vector_store_id"]
WebSearchGroupBy = Literal[
    "project_id", "user_id", "api_key_id", "model", "context_level", "api_source"
]
CostsGroupBy = Literal["project_id", "line_item", "api_key_id", "user_id", "api_source"]
ImageSource = Literal["image.generation", "image.edit", "image.variation"]
ContextLevel = Literal["low", "medium", "high"]


class _Range(TypedDict, total=False):
    start_time: Required[TimeInput]
    end_time: TimeInput | None
    limit: int | None
    page: str | None
    concurrency: int | None


class _UsageRange(_Range, total=False):
    bucket_width: UsageBucketWidth | None
    project_ids: Sequence[str] | None


class _PeopleFilters(_UsageRange, total=False):
    user_ids: Sequence[str] | None
    api_key_ids: Sequence[str] | None


class _ModelFilters(_PeopleFilters, total=False):
    models: Sequence[str] | None


class CompletionsParams(_ModelFilters, total=False):
    group_by: Sequence[CompletionsGroupBy] | None
    batch: bool | None


class ModelUsageParams(_ModelFilters, total=False):
    group_by: Sequence[ModelGroupBy] | None


class ImagesParams(_ModelFilters, total=False):
    group_by: Sequence[ImagesGroupBy] | None
    sources: Sequence[ImageSource] | None
    sizes: Sequence[str] | None


class ProjectUsageParams(_UsageRange, total=False):
    group_by: Sequence[Literal["project_id"]] | None


class FileSearchParams(_PeopleFilters, total=False):
    group_by: Sequence[FileSearchGroupBy] | None
    vector_store_ids: Sequence[str] | None


class WebSearchParams(_ModelFilters, total=False):
    group_by: Sequence[WebSearchGroupBy] | None
    context_levels: Sequence[ContextLevel] | None


class CostsParams(_Range, total=False):
    bucket_width: Literal["1d"] | None
    group_by: Sequence[CostsGroupBy] | None
    project_ids: Sequence[str] | None
    api_key_ids: Sequence[str] | None
    line_items: Sequence[str] | None


class Usage(Generic[StreamT]):
    """``client.usage``: one method per usage endpoint, each returning a lazy stream."""

    def __init__(self, call: Call[StreamT]) -> None:
        self._call = call

    def completions(self, **params: Unpack[CompletionsParams]) -> StreamT:
        """Completions usage (tokens, requests) per bucket."""
        return self._call("completions", params)

    def embeddings(self, **params: Unpack[ModelUsageParams]) -> StreamT:
        """Embeddings usage per bucket."""
        return self._call("embeddings", params)

    def moderations(self, **params: Unpack[ModelUsageParams]) -> StreamT:
        """Moderations usage per bucket."""
        return self._call("moderations", params)

    def images(self, **params: Unpack[ImagesParams]) -> StreamT:
        """Images usage per bucket."""
        return self._call("images", params)

    def audio_speeches(self, **params: Unpack[ModelUsageParams]) -> StreamT:
        """Text-to-speech usage (characters) per bucket."""
        return self._call("audio_speeches", params)

    def audio_transcriptions(self, **params: Unpack[ModelUsageParams]) -> StreamT:
        """Transcription usage (seconds) per bucket."""
        return self._call("audio_transcriptions", params)

    def vector_stores(self, **params: Unpack[ProjectUsageParams]) -> StreamT:
        """Vector store usage (bytes) per bucket."""
        return self._call("vector_stores", params)

    def code_interpreter_sessions(self, **params: Unpack[ProjectUsageParams]) -> StreamT:
        """Code interpreter sessions per bucket."""
        return self._call("code_interpreter_sessions", params)

    def file_search_calls(self, **params: Unpack[FileSearchParams]) -> StreamT:
        """File search tool calls per bucket."""
        return self._call("file_search_calls", params)

    def web_search_calls(self, **params: Unpack[WebSearchParams]) -> StreamT:
        """Web search tool calls per bucket."""
        return self._call("web_search_calls", params)

    def decisions(self, **params: Unpack[CompletionsParams]) -> StreamT:
        """Decisions usage per bucket (same fields as completions)."""
        return self._call("decisions", params)


class Costs(Generic[StreamT]):
    """``client.costs(...)``: daily costs, a lazy stream like the usage methods."""

    def __init__(self, call: Call[StreamT]) -> None:
        self._call = call

    def __call__(self, **params: Unpack[CostsParams]) -> StreamT:
        """Costs per day; money is exact ``Decimal`` (``result.amount.value``)."""
        return self._call("costs", params)
