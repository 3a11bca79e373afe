"""The endpoint methods, written once for both clients.

``Usage[StreamT]`` holds one method per usage endpoint; ``StreamT`` is ``BucketStream`` for
``UsageClient`` and ``AsyncBucketStream`` for ``AsyncUsageClient``. Each method's keyword
arguments are a ``TypedDict`` of that endpoint's parameters (and only those), generated from
``openapi.yaml`` into ``_generated/params.py``, so a type checker flags a misspelt or foreign
one; at run time ``_params.build_query`` checks every argument, unknown names included,
before any request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar, Unpack

if TYPE_CHECKING:
    # For type checkers only: at run time ``build_query`` checks the arguments, and loading
    # every endpoint's literal types would slow down ``import openai_usage_client`` (P5).
    from .._generated.params import (
        AudioSpeechesParams,
        AudioTranscriptionsParams,
        CodeInterpreterSessionsParams,
        CompletionsParams,
        CostsParams,
        DecisionsParams,
        EmbeddingsParams,
        FileSearchCallsParams,
        ImagesParams,
        ModerationsParams,
        VectorStoresParams,
        WebSearchCallsParams,
    )

__all__ = ["Costs", "Usage"]

StreamT = TypeVar("StreamT")
Call = Callable[[str, Mapping[str, Any]], StreamT]


class Usage(Generic[StreamT]):
    """``client.usage``: one method per usage endpoint, each returning a lazy stream."""

    def __init__(self, call: Call[StreamT]) -> None:
        self._call = call

    def completions(self, **params: Unpack[CompletionsParams]) -> StreamT:
        """Completions usage (tokens, requests) per bucket."""
        return self._call("completions", params)

    def embeddings(self, **params: Unpack[EmbeddingsParams]) -> StreamT:
        """Embeddings usage per bucket."""
        return self._call("embeddings", params)

    def moderations(self, **params: Unpack[ModerationsParams]) -> StreamT:
        """Moderations usage per bucket."""
        return self._call("moderations", params)

    def images(self, **params: Unpack[ImagesParams]) -> StreamT:
        """Images usage per bucket."""
        return self._call("images", params)

    def audio_speeches(self, **params: Unpack[AudioSpeechesParams]) -> StreamT:
        """Text-to-speech usage (characters) per bucket."""
        return self._call("audio_speeches", params)

    def audio_transcriptions(self, **params: Unpack[AudioTranscriptionsParams]) -> StreamT:
        """Transcription usage (seconds) per bucket."""
        return self._call("audio_transcriptions", params)

    def vector_stores(self, **params: Unpack[VectorStoresParams]) -> StreamT:
        """Vector store usage (bytes) per bucket."""
        return self._call("vector_stores", params)

    def code_interpreter_sessions(self, **params: Unpack[CodeInterpreterSessionsParams]) -> StreamT:
        """Code interpreter sessions per bucket."""
        return self._call("code_interpreter_sessions", params)

    def file_search_calls(self, **params: Unpack[FileSearchCallsParams]) -> StreamT:
        """File search tool calls per bucket."""
        return self._call("file_search_calls", params)

    def web_search_calls(self, **params: Unpack[WebSearchCallsParams]) -> StreamT:
        """Web search tool calls per bucket."""
        return self._call("web_search_calls", params)

    def decisions(self, **params: Unpack[DecisionsParams]) -> StreamT:
        """Decisions usage per bucket (same fields as completions)."""
        return self._call("decisions", params)


class Costs(Generic[StreamT]):
    """``client.costs(...)``: daily costs, a lazy stream like the usage methods."""

    def __init__(self, call: Call[StreamT]) -> None:
        self._call = call

    def __call__(self, **params: Unpack[CostsParams]) -> StreamT:
        """Costs per day; money is exact ``Decimal`` (``result.amount.value``)."""
        return self._call("costs", params)
