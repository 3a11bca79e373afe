"""The endpoint methods, written once for both clients.

``Usage[StreamT]`` holds one method per usage endpoint with that endpoint's parameters
(and only those); ``StreamT`` is ``BucketStream`` for ``UsageClient`` and
``AsyncBucketStream`` for ``AsyncUsageClient``. Each method only collects its arguments:
checking them is ``_params.build_query``'s job, done before any request.

``**unknown: Never`` makes a type checker flag a misspelt keyword; at run time it is
refused with the list of accepted ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, Literal, Never, TypeVar

from ._time import TimeInput

__all__ = ["CostsGroupBy", "Usage", "UsageBucketWidth"]

StreamT = TypeVar("StreamT")
Call = Callable[[str, dict[str, Any], dict[str, Any]], StreamT]

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


def _args(local: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in local.items() if k not in ("self", "unknown")}


class Usage(Generic[StreamT]):
    """``client.usage``: one method per usage endpoint, each returning a lazy stream."""

    def __init__(self, call: Call[StreamT]) -> None:
        self._call = call

    def completions(
        self,
        *,
        start_time: TimeInput,
        end_time: TimeInput | None = None,
        bucket_width: UsageBucketWidth | None = None,
        group_by: Sequence[CompletionsGroupBy] | None = None,
        limit: int | None = None,
        project_ids: Sequence[str] | None = None,
        user_ids: Sequence[str] | None = None,
        api_key_ids: Sequence[str] | None = None,
        models: Sequence[str] | None = None,
        batch: bool | None = None,
        page: str | None = None,
        concurrency: int | None = None,
        **unknown: Never,
    ) -> StreamT:
        """Completions usage (tokens, requests) per bucket."""
        return self._call("completions", _args(locals()), unknown)

    def embeddings(
        self,
        *,
        start_time: TimeInput,
        end_time: TimeInput | None = None,
        bucket_width: UsageBucketWidth | None = None,
        group_by: Sequence[ModelGroupBy] | None = None,
        limit: int | None = None,
        project_ids: Sequence[str] | None = None,
        user_ids: Sequence[str] | None = None,
        api_key_ids: Sequence[str] | None = None,
        models: Sequence[str] | None = None,
        page: str | None = None,
        concurrency: int | None = None,
        **unknown: Never,
    ) -> StreamT:
        """Embeddings usage per bucket."""
        return self._call("embeddings", _args(locals()), unknown)

    def moderations(
        self,
        *,
        start_time: TimeInput,
        end_time: TimeInput | None = None,
        bucket_width: UsageBucketWidth | None = None,
        group_by: Sequence[ModelGroupBy] | None = None,
        limit: int | None = None,
        project_ids: Sequence[str] | None = None,
        user_ids: Sequence[str] | None = None,
        api_key_ids: Sequence[str] | None = None,
        models: Sequence[str] | None = None,
        page: str | None = None,
        concurrency: int | None = None,
        **unknown: Never,
    ) -> StreamT:
        """Moderations usage per bucket."""
        return self._call("moderations", _args(locals()), unknown)

    def images(
        self,
        *,
        start_time: TimeInput,
        end_time: TimeInput | None = None,
        bucket_width: UsageBucketWidth | None = None,
        group_by: Sequence[ImagesGroupBy] | None = None,
        limit: int | None = None,
        project_ids: Sequence[str] | None = None,
        user_ids: Sequence[str] | None = None,
        api_key_ids: Sequence[str] | None = None,
        models: Sequence[str] | None = None,
        sources: Sequence[ImageSource] | None = None,
        sizes: Sequence[str] | None = None,
        page: str | None = None,
        concurrency: int | None = None,
        **unknown: Never,
    ) -> StreamT:
        """Images usage per bucket."""
        return self._call("images", _args(locals()), unknown)

    def audio_speeches(
        self,
        *,
        start_time: TimeInput,
        end_time: TimeInput | None = None,
        bucket_width: UsageBucketWidth | None = None,
        group_by: Sequence[ModelGroupBy] | None = None,
        limit: int | None = None,
        project_ids: Sequence[str] | None = None,
        user_ids: Sequence[str] | None = None,
        api_key_ids: Sequence[str] | None = None,
        models: Sequence[str] | None = None,
        page: str | None = None,
        concurrency: int | None = None,
        **unknown: Never,
    ) -> StreamT:
        """Text-to-speech usage (characters) per bucket."""
        return self._call("audio_speeches", _args(locals()), unknown)

    def audio_transcriptions(
        self,
        *,
        start_time: TimeInput,
        end_time: TimeInput | None = None,
        bucket_width: UsageBucketWidth | None = None,
        group_by: Sequence[ModelGroupBy] | None = None,
        limit: int | None = None,
        project_ids: Sequence[str] | None = None,
        user_ids: Sequence[str] | None = None,
        api_key_ids: Sequence[str] | None = None,
        models: Sequence[str] | None = None,
        page: str | None = None,
        concurrency: int | None = None,
        **unknown: Never,
    ) -> StreamT:
        """Transcription usage (seconds) per bucket."""
        return self._call("audio_transcriptions", _args(locals()), unknown)

    def vector_stores(
        self,
        *,
        start_time: TimeInput,
        end_time: TimeInput | None = None,
        bucket_width: UsageBucketWidth | None = None,
        group_by: Sequence[Literal["project_id"]] | None = None,
        limit: int | None = None,
        project_ids: Sequence[str] | None = None,
        page: str | None = None,
        concurrency: int | None = None,
        **unknown: Never,
    ) -> StreamT:
        """Vector store usage (bytes) per bucket."""
        return self._call("vector_stores", _args(locals()), unknown)

    def code_interpreter_sessions(
        self,
        *,
        start_time: TimeInput,
        end_time: TimeInput | None = None,
        bucket_width: UsageBucketWidth | None = None,
        group_by: Sequence[Literal["project_id"]] | None = None,
        limit: int | None = None,
        project_ids: Sequence[str] | None = None,
        page: str | None = None,
        concurrency: int | None = None,
        **unknown: Never,
    ) -> StreamT:
        """Code interpreter sessions per bucket."""
        return self._call("code_interpreter_sessions", _args(locals()), unknown)

    def file_search_calls(
        self,
        *,
        start_time: TimeInput,
        end_time: TimeInput | None = None,
        bucket_width: UsageBucketWidth | None = None,
        group_by: Sequence[FileSearchGroupBy] | None = None,
        limit: int | None = None,
        project_ids: Sequence[str] | None = None,
        user_ids: Sequence[str] | None = None,
        api_key_ids: Sequence[str] | None = None,
        vector_store_ids: Sequence[str] | None = None,
        page: str | None = None,
        concurrency: int | None = None,
        **unknown: Never,
    ) -> StreamT:
        """File search tool calls per bucket."""
        return self._call("file_search_calls", _args(locals()), unknown)

    def web_search_calls(
        self,
        *,
        start_time: TimeInput,
        end_time: TimeInput | None = None,
        bucket_width: UsageBucketWidth | None = None,
        group_by: Sequence[WebSearchGroupBy] | None = None,
        limit: int | None = None,
        project_ids: Sequence[str] | None = None,
        user_ids: Sequence[str] | None = None,
        api_key_ids: Sequence[str] | None = None,
        models: Sequence[str] | None = None,
        context_levels: Sequence[ContextLevel] | None = None,
        page: str | None = None,
        concurrency: int | None = None,
        **unknown: Never,
    ) -> StreamT:
        """Web search tool calls per bucket."""
        return self._call("web_search_calls", _args(locals()), unknown)

    def decisions(
        self,
        *,
        start_time: TimeInput,
        end_time: TimeInput | None = None,
        bucket_width: UsageBucketWidth | None = None,
        group_by: Sequence[CompletionsGroupBy] | None = None,
        limit: int | None = None,
        project_ids: Sequence[str] | None = None,
        user_ids: Sequence[str] | None = None,
        api_key_ids: Sequence[str] | None = None,
        models: Sequence[str] | None = None,
        batch: bool | None = None,
        page: str | None = None,
        concurrency: int | None = None,
        **unknown: Never,
    ) -> StreamT:
        """Decisions usage per bucket (same fields as completions)."""
        return self._call("decisions", _args(locals()), unknown)


class Costs(Generic[StreamT]):
    """``client.costs(...)``: daily costs, a lazy stream like the usage methods."""

    def __init__(self, call: Call[StreamT]) -> None:
        self._call = call

    def __call__(
        self,
        *,
        start_time: TimeInput,
        end_time: TimeInput | None = None,
        bucket_width: Literal["1d"] | None = None,
        group_by: Sequence[CostsGroupBy] | None = None,
        limit: int | None = None,
        project_ids: Sequence[str] | None = None,
        api_key_ids: Sequence[str] | None = None,
        line_items: Sequence[str] | None = None,
        page: str | None = None,
        concurrency: int | None = None,
        **unknown: Never,
    ) -> StreamT:
        """Costs per day; money is exact ``Decimal`` (``result.amount.value``)."""
        return self._call("costs", _args(locals()), unknown)
