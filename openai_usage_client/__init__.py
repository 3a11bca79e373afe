"""openai-usage-client: your OpenAI organization's usage and costs, typed, paginated, exported.

::

    from openai_usage_client import UsageClient

    with UsageClient() as client:  # admin key from OPENAI_ADMIN_KEY
        for bucket in client.costs(start_time="2026-10-01", group_by=["project_id"]):
            for result in bucket.results:
                print(bucket.start_datetime, result.project_id, result.amount.value)
"""

from ._client import AsyncUsageClient, UsageClient
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
from ._models import Bucket, Page, Result
from ._streams import AsyncBucketStream, BucketStream
from ._version import __version__

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
]
