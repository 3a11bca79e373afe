"""openai-usage-client: your OpenAI organization's usage and costs, typed, paginated, exported.

::

    from openai_usage_client import UsageClient

    with UsageClient() as client:  # admin key from OPENAI_ADMIN_KEY
        for bucket in client.costs(start_time="2026-10-01", group_by=["project_id"]):
            for result in bucket.results:
                print(bucket.start_datetime, result.project_id, result.amount.value)
"""

# Names are imported on first use (PEP 562): `openai-usage --help` and `import
# openai_usage_client._cli` must not pay for building every pydantic model and httpx.
import typing as _typing

if _typing.TYPE_CHECKING:
    from ._client import (
        AsyncUsageClient,
        UsageClient,
    )
    from ._exceptions import (
        APIConnectionError,
        APIError,
        APIResponseValidationError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConflictError,
        InsecureBaseURLError,
        InternalServerError,
        InvalidParameterError,
        MissingAdminKeyError,
        NotFoundError,
        OpenAIUsageError,
        PaginationError,
        PermissionDeniedError,
        RateLimitError,
        UnprocessableEntityError,
    )
    from ._exports import (
        Row,
        columns,
        rows,
        to_csv,
        to_json,
        to_jsonl,
        to_pandas,
        to_parquet,
        to_polars,
    )
    from ._generated.models import (
        CostsResult,
        CostsResultAmount,
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
    )
    from ._models import (
        Bucket,
        Page,
        Result,
    )
    from ._streams import (
        AsyncBucketStream,
        BucketStream,
    )
    from ._summary import model_from_line_item, summarize
    from ._version import (
        __version__,
    )

_LAZY = {
    "Row": "._exports",
    "columns": "._exports",
    "rows": "._exports",
    "to_csv": "._exports",
    "to_json": "._exports",
    "to_jsonl": "._exports",
    "to_pandas": "._exports",
    "to_parquet": "._exports",
    "to_polars": "._exports",
    "model_from_line_item": "._summary",
    "summarize": "._summary",
    "APIConnectionError": "._exceptions",
    "APIError": "._exceptions",
    "APIResponseValidationError": "._exceptions",
    "APIStatusError": "._exceptions",
    "APITimeoutError": "._exceptions",
    "AsyncBucketStream": "._streams",
    "AsyncUsageClient": "._client",
    "AuthenticationError": "._exceptions",
    "BadRequestError": "._exceptions",
    "Bucket": "._models",
    "BucketStream": "._streams",
    "ConflictError": "._exceptions",
    "CostsResult": "._generated.models",
    "CostsResultAmount": "._generated.models",
    "InsecureBaseURLError": "._exceptions",
    "InternalServerError": "._exceptions",
    "InvalidParameterError": "._exceptions",
    "MissingAdminKeyError": "._exceptions",
    "NotFoundError": "._exceptions",
    "OpenAIUsageError": "._exceptions",
    "Page": "._models",
    "PaginationError": "._exceptions",
    "PermissionDeniedError": "._exceptions",
    "RateLimitError": "._exceptions",
    "Result": "._models",
    "UnknownResult": "._generated.models",
    "UnprocessableEntityError": "._exceptions",
    "UsageAudioSpeechesResult": "._generated.models",
    "UsageAudioTranscriptionsResult": "._generated.models",
    "UsageClient": "._client",
    "UsageCodeInterpreterSessionsResult": "._generated.models",
    "UsageCompletionsResult": "._generated.models",
    "UsageDecisionsResult": "._generated.models",
    "UsageEmbeddingsResult": "._generated.models",
    "UsageFileSearchCallsResult": "._generated.models",
    "UsageImagesResult": "._generated.models",
    "UsageModerationsResult": "._generated.models",
    "UsageVectorStoresResult": "._generated.models",
    "UsageWebSearchCallsResult": "._generated.models",
    "__version__": "._version",
}

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncBucketStream",
    "AsyncUsageClient",
    "AuthenticationError",
    "BadRequestError",
    "Bucket",
    "BucketStream",
    "ConflictError",
    "CostsResult",
    "CostsResultAmount",
    "InsecureBaseURLError",
    "InternalServerError",
    "InvalidParameterError",
    "MissingAdminKeyError",
    "NotFoundError",
    "OpenAIUsageError",
    "Page",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "Result",
    "Row",
    "UnknownResult",
    "UnprocessableEntityError",
    "UsageAudioSpeechesResult",
    "UsageAudioTranscriptionsResult",
    "UsageClient",
    "UsageCodeInterpreterSessionsResult",
    "UsageCompletionsResult",
    "UsageDecisionsResult",
    "UsageEmbeddingsResult",
    "UsageFileSearchCallsResult",
    "UsageImagesResult",
    "UsageModerationsResult",
    "UsageVectorStoresResult",
    "UsageWebSearchCallsResult",
    "__version__",
    "columns",
    "model_from_line_item",
    "rows",
    "summarize",
    "to_csv",
    "to_json",
    "to_jsonl",
    "to_pandas",
    "to_parquet",
    "to_polars",
]


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
