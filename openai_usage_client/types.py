"""The types the clients return and take, for annotations (like ``openai.types``).

Import them from here, never from ``openai_usage_client._generated`` (generated code, whose
layout may change with the generator)::

    from openai_usage_client.types import Bucket, CostsResult, CompletionsGroupBy

    def spend(bucket: Bucket) -> list[CostsResult]:
        return [r for r in bucket.results if isinstance(r, CostsResult)]

    GROUPS: list[CompletionsGroupBy] = ["model", "project_id"]

What is here:

* pages and buckets: ``Page`` (one page as the API sent it), ``Bucket`` (one time bucket, with
  ``start_datetime``/``end_datetime``), ``Result`` (the union of every result type);
* one result type per endpoint (``UsageCompletionsResult`` ... ``CostsResult``), chosen by the
  result's ``object``; ``UnknownResult`` keeps a result whose ``object`` this version does not
  know yet, every field included; ``CostsResultAmount`` is money (an exact ``Decimal``);
* the directory (``client.projects``, ``client.users``, ...): ``Project``, ``ProjectApiKey``,
  ``ProjectServiceAccount``, ``ProjectUser``, ``User``, ``AdminApiKey``, and the spend
  settings ``OrganizationSpendLimit``, ``ProjectSpendLimit``, ``OrganizationSpendAlert``,
  ``ProjectSpendAlert`` (cents on the wire as ``threshold_amount``; exact dollars as
  ``threshold_usd``);
* per endpoint, the ``Literal`` of its ``group_by`` values (``CompletionsGroupBy`` ...
  ``CostsGroupBy``) and the ``TypedDict`` of its keyword arguments (``CompletionsParams`` ...),
  generated from ``openapi.yaml``.

The result models are pydantic models: ``model_dump()``, ``model_extra`` (fields the spec
does not name yet) and ``to_dict()`` (wire names) work on every one.
"""

from __future__ import annotations

from ._core._models import Bucket, Page, Result
from ._generated.models import (
    AdminApiKey,
    CostsResult,
    CostsResultAmount,
    Project,
    ProjectApiKey,
    ProjectServiceAccount,
    ProjectUser,
    UnknownResult,
    UsageAudioSpeechesResult,
    UsageAudioTranscriptionsResult,
    UsageCodeInterpreterSessionsResult,
    UsageCompletionsResult,
    UsageDecisionsResult,
    UsageEmbeddingsResult,
    UsageFileSearchCallsResult,
    UsageImagesResult,
    UsageModerationsResult,
    UsageVectorStoresResult,
    UsageWebSearchCallsResult,
    User,
)
from ._generated.params import (
    AudioSpeechesGroupBy,
    AudioSpeechesParams,
    AudioTranscriptionsGroupBy,
    AudioTranscriptionsParams,
    CodeInterpreterSessionsGroupBy,
    CodeInterpreterSessionsParams,
    CompletionsGroupBy,
    CompletionsParams,
    CostsGroupBy,
    CostsParams,
    DecisionsGroupBy,
    DecisionsParams,
    EmbeddingsGroupBy,
    EmbeddingsParams,
    FileSearchCallsGroupBy,
    FileSearchCallsParams,
    ImagesGroupBy,
    ImagesParams,
    ModerationsGroupBy,
    ModerationsParams,
    VectorStoresGroupBy,
    VectorStoresParams,
    WebSearchCallsGroupBy,
    WebSearchCallsParams,
)
from .directory import (
    OrganizationSpendAlert,
    OrganizationSpendLimit,
    ProjectSpendAlert,
    ProjectSpendLimit,
)

__all__ = [
    "AdminApiKey",
    "AudioSpeechesGroupBy",
    "AudioSpeechesParams",
    "AudioTranscriptionsGroupBy",
    "AudioTranscriptionsParams",
    "Bucket",
    "CodeInterpreterSessionsGroupBy",
    "CodeInterpreterSessionsParams",
    "CompletionsGroupBy",
    "CompletionsParams",
    "CostsGroupBy",
    "CostsParams",
    "CostsResult",
    "CostsResultAmount",
    "DecisionsGroupBy",
    "DecisionsParams",
    "EmbeddingsGroupBy",
    "EmbeddingsParams",
    "FileSearchCallsGroupBy",
    "FileSearchCallsParams",
    "ImagesGroupBy",
    "ImagesParams",
    "ModerationsGroupBy",
    "ModerationsParams",
    "OrganizationSpendAlert",
    "OrganizationSpendLimit",
    "Page",
    "Project",
    "ProjectApiKey",
    "ProjectServiceAccount",
    "ProjectSpendAlert",
    "ProjectSpendLimit",
    "ProjectUser",
    "Result",
    "UnknownResult",
    "UsageAudioSpeechesResult",
    "UsageAudioTranscriptionsResult",
    "UsageCodeInterpreterSessionsResult",
    "UsageCompletionsResult",
    "UsageDecisionsResult",
    "UsageEmbeddingsResult",
    "UsageFileSearchCallsResult",
    "UsageImagesResult",
    "UsageModerationsResult",
    "UsageVectorStoresResult",
    "UsageWebSearchCallsResult",
    "User",
    "VectorStoresGroupBy",
    "VectorStoresParams",
    "WebSearchCallsGroupBy",
    "WebSearchCallsParams",
]
