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
    # ``X as X``: an explicit re-export for type checkers (this file has no static __all__).
    from ._client import AsyncUsageClient as AsyncUsageClient
    from ._client import UsageClient as UsageClient
    from ._core._cursor_list import AsyncCursorList as AsyncCursorList
    from ._core._cursor_list import CursorList as CursorList
    from ._core._exceptions import APIConnectionError as APIConnectionError
    from ._core._exceptions import APIError as APIError
    from ._core._exceptions import APIResponseValidationError as APIResponseValidationError
    from ._core._exceptions import APIStatusError as APIStatusError
    from ._core._exceptions import APITimeoutError as APITimeoutError
    from ._core._exceptions import AuthenticationError as AuthenticationError
    from ._core._exceptions import BadRequestError as BadRequestError
    from ._core._exceptions import ConflictError as ConflictError
    from ._core._exceptions import InsecureBaseURLError as InsecureBaseURLError
    from ._core._exceptions import InternalServerError as InternalServerError
    from ._core._exceptions import InvalidParameterError as InvalidParameterError
    from ._core._exceptions import MalformedResponseError as MalformedResponseError
    from ._core._exceptions import MissingAdminKeyError as MissingAdminKeyError
    from ._core._exceptions import NotFoundError as NotFoundError
    from ._core._exceptions import OpenAIUsageError as OpenAIUsageError
    from ._core._exceptions import PaginationError as PaginationError
    from ._core._exceptions import PermissionDeniedError as PermissionDeniedError
    from ._core._exceptions import RateLimitError as RateLimitError
    from ._core._exceptions import UnprocessableEntityError as UnprocessableEntityError
    from ._core._exports import Row as Row
    from ._core._exports import columns as columns
    from ._core._exports import rows as rows
    from ._core._exports import to_csv as to_csv
    from ._core._exports import to_json as to_json
    from ._core._exports import to_jsonl as to_jsonl
    from ._core._exports import to_pandas as to_pandas
    from ._core._exports import to_parquet as to_parquet
    from ._core._exports import to_polars as to_polars
    from ._core._models import Bucket as Bucket
    from ._core._models import Page as Page
    from ._core._models import Result as Result
    from ._core._streams import AsyncBucketStream as AsyncBucketStream
    from ._core._streams import BucketStream as BucketStream
    from ._core._summarize import model_from_line_item as model_from_line_item
    from ._core._summarize import summarize as summarize
    from ._generated.models import CostsResult as CostsResult
    from ._generated.models import CostsResultAmount as CostsResultAmount
    from ._generated.models import UnknownResult as UnknownResult
    from ._generated.models import UsageAudioSpeechesResult as UsageAudioSpeechesResult
    from ._generated.models import UsageAudioTranscriptionsResult as UsageAudioTranscriptionsResult
    from ._generated.models import (
        UsageCodeInterpreterSessionsResult as UsageCodeInterpreterSessionsResult,
    )
    from ._generated.models import UsageCompletionsResult as UsageCompletionsResult
    from ._generated.models import UsageDecisionsResult as UsageDecisionsResult
    from ._generated.models import UsageEmbeddingsResult as UsageEmbeddingsResult
    from ._generated.models import UsageFileSearchCallsResult as UsageFileSearchCallsResult
    from ._generated.models import UsageImagesResult as UsageImagesResult
    from ._generated.models import UsageModerationsResult as UsageModerationsResult
    from ._generated.models import UsageVectorStoresResult as UsageVectorStoresResult
    from ._generated.models import UsageWebSearchCallsResult as UsageWebSearchCallsResult
    from ._version import __version__ as __version__
    from .directory import Directory as Directory

#: Every public name -> the module it is imported from on first use. The one list of the
#: package's names: ``__all__`` is derived from it, and a test checks that the
#: ``TYPE_CHECKING`` imports above name exactly these.
_LAZY = {
    "AsyncCursorList": "._core._cursor_list",
    "CursorList": "._core._cursor_list",
    "Directory": ".directory",
    "APIConnectionError": "._core._exceptions",
    "APIError": "._core._exceptions",
    "APIResponseValidationError": "._core._exceptions",
    "APIStatusError": "._core._exceptions",
    "APITimeoutError": "._core._exceptions",
    "AsyncBucketStream": "._core._streams",
    "AsyncUsageClient": "._client",
    "AuthenticationError": "._core._exceptions",
    "BadRequestError": "._core._exceptions",
    "Bucket": "._core._models",
    "BucketStream": "._core._streams",
    "ConflictError": "._core._exceptions",
    "CostsResult": "._generated.models",
    "CostsResultAmount": "._generated.models",
    "InsecureBaseURLError": "._core._exceptions",
    "InternalServerError": "._core._exceptions",
    "InvalidParameterError": "._core._exceptions",
    "MalformedResponseError": "._core._exceptions",
    "MissingAdminKeyError": "._core._exceptions",
    "NotFoundError": "._core._exceptions",
    "OpenAIUsageError": "._core._exceptions",
    "Page": "._core._models",
    "PaginationError": "._core._exceptions",
    "PermissionDeniedError": "._core._exceptions",
    "RateLimitError": "._core._exceptions",
    "Result": "._core._models",
    "Row": "._core._exports",
    "UnknownResult": "._generated.models",
    "UnprocessableEntityError": "._core._exceptions",
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
    "columns": "._core._exports",
    "model_from_line_item": "._core._summarize",
    "rows": "._core._exports",
    "summarize": "._core._summarize",
    "to_csv": "._core._exports",
    "to_json": "._core._exports",
    "to_jsonl": "._core._exports",
    "to_pandas": "._core._exports",
    "to_parquet": "._core._exports",
    "to_polars": "._core._exports",
}

__all__ = sorted(_LAZY)  # noqa: PLE0605 (derived from the one table; a test checks it)


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
