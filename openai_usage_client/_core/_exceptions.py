"""The exceptions this package raises.

Every exception derives from ``OpenAIUsageError``; catch that to catch them all::

    OpenAIUsageError
    ├── InvalidParameterError (also a ValueError)  bad input, refused before any request
    ├── MissingAdminKeyError                       no key argument and no OPENAI_ADMIN_KEY
    ├── InsecureBaseURLError (also a ValueError)   http:// to a host that is not loopback
    ├── MissingExtraError (also an ImportError)    an optional extra is not installed; the
    │                                              message is the pip line that installs it
    ├── MalformedResponseError                     a bucket outside the asked window, or one
    │   │                                          the same fetch already had
    │   └── PaginationError                        the server repeated a cursor or a bucket
    └── APIError                                   something went wrong talking to the API
        ├── APIConnectionError                     no usable response: DNS, refused, reset,
        │   │                                      a body that cannot be decoded (corrupt
        │   │                                      gzip), any other httpx error
        │   └── APITimeoutError                    no response in time
        ├── APIResponseValidationError             a response that is not what the spec says
        └── APIStatusError                         a 4xx/5xx response
            ├── BadRequestError             400
            ├── AuthenticationError         401
            ├── PermissionDeniedError       403
            ├── NotFoundError               404
            ├── ConflictError               409
            ├── UnprocessableEntityError    422
            ├── RateLimitError              429
            └── InternalServerError         >= 500

The names and the status mapping are those of the official ``openai`` SDK, so code that
handles its errors reads the same here. No ``httpx`` exception escapes: each becomes one of
these, its message redacted (the original is not chained: it could quote the key).

Errors raised in the middle of a stream of buckets carry ``resume_start_time`` (the first
instant not yet delivered) and ``last_cursor`` (the last cursor the server gave that was
fully read). When a retry may help (connection errors, 408, 409, 429, 5xx, malformed
responses) their message says how to resume; errors no retry can fix (400, 401, 403, 404,
422) only say what was delivered.
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InsecureBaseURLError",
    "InternalServerError",
    "InvalidParameterError",
    "MalformedResponseError",
    "MissingAdminKeyError",
    "MissingExtraError",
    "NotFoundError",
    "OpenAIUsageError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
]


class OpenAIUsageError(Exception):
    """Base class of every error this package raises."""

    #: The first instant (Unix seconds) of the range that was not delivered, when the error
    #: interrupted a stream; pass it as ``start_time`` to fetch the rest.
    resume_start_time: int | None = None
    #: The last cursor the server returned whose page was fully delivered, if any.
    last_cursor: str | None = None


class InvalidParameterError(OpenAIUsageError, ValueError):
    """A parameter was refused before any request was sent.

    ``param`` names it, ``value`` is what was given and ``allowed`` says what would do.
    """

    def __init__(self, param: str, value: object, allowed: str) -> None:
        self.param = param
        self.value = value
        self.allowed = allowed
        super().__init__(f"invalid {param}={value!r}: {allowed}")


class MissingAdminKeyError(OpenAIUsageError):
    """No admin key: neither the ``admin_key`` argument nor ``OPENAI_ADMIN_KEY`` is set."""


class InsecureBaseURLError(OpenAIUsageError, ValueError):
    """The base URL would send the admin key in clear text to a host that is not loopback."""


class MissingExtraError(OpenAIUsageError, ImportError):
    """An optional extra is not installed: ``extra`` names it, the message is how to get it
    (``pyarrow is not installed: pip install 'openai-usage-client[parquet]'``)."""

    def __init__(self, module: str, extra: str, why: str = "") -> None:
        super().__init__(
            f"{module} is not installed: pip install 'openai-usage-client[{extra}]'{why}"
        )
        self.module = module
        self.extra = extra


class MalformedResponseError(OpenAIUsageError):
    """The server answered, but not with the buckets asked for: one starts before the asked
    start, ends after the asked end (beyond the open bucket of now), or repeats a start the
    same fetch already had. Counting it would show data of another period as this one's, so
    the fetch stops; nothing of the page that held it is delivered.

    ``bucket_start`` is the offending bucket's start (Unix seconds), ``reason`` why it was
    refused.
    """

    def __init__(
        self,
        message: str,
        *,
        bucket_start: int | None = None,
        reason: str = "",
        cursor: str | None = None,
        last_cursor: str | None = None,
    ) -> None:
        super().__init__(message)
        self.bucket_start = bucket_start
        self.reason = reason
        self.cursor = cursor
        self.last_cursor = last_cursor


class PaginationError(MalformedResponseError):
    """The server sent a cursor (or buckets) it had already sent: following it would loop."""

    def __init__(self, message: str, *, cursor: str | None, last_cursor: str | None) -> None:
        super().__init__(message, cursor=cursor, last_cursor=last_cursor)


class APIError(OpenAIUsageError):
    """Something went wrong with a request to the API."""

    def __init__(self, message: str, request: httpx.Request) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


class APIConnectionError(APIError):
    """The request got no response (connection refused or reset, DNS failure, ...)."""

    def __init__(self, message: str = "Connection error.", *, request: httpx.Request) -> None:
        super().__init__(message, request)


class APITimeoutError(APIConnectionError):
    """The request got no response in time."""

    def __init__(self, request: httpx.Request, message: str = "Request timed out.") -> None:
        super().__init__(message, request=request)


class APIResponseValidationError(APIError):
    """A response whose body is not what the API's schema says (HTML, truncated JSON, ...).

    ``excerpt`` holds the start of the body, so the cause can be seen in a log line.
    """

    def __init__(
        self, message: str, *, response: httpx.Response, body: object, excerpt: str
    ) -> None:
        super().__init__(message, response.request)
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.excerpt = excerpt


class APIStatusError(APIError):
    """The API answered with a 4xx or 5xx status."""

    def __init__(self, message: str, *, response: httpx.Response, body: object) -> None:
        super().__init__(message, response.request)
        self.response = response
        self.status_code = response.status_code
        self.request_id: str | None = response.headers.get("x-request-id")
        self.body = body
        error: dict[str, Any] = {}
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            error = body["error"]
        self.type: str | None = _str_or_none(error.get("type"))
        self.code: str | None = _str_or_none(error.get("code"))
        self.param: str | None = _str_or_none(error.get("param"))
        #: The API's own words (``error.message`` of its body; the exception's message adds
        #: the status, hints and request ID), ``None`` when the body has none.
        self.api_message: str | None = _str_or_none(error.get("message")) or None


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


class BadRequestError(APIStatusError):
    """400: the API refused the request's parameters."""


class AuthenticationError(APIStatusError):
    """401: no key, or a key the API does not accept."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not read usage (typically a project key rather than an admin key)."""


class NotFoundError(APIStatusError):
    """404."""


class ConflictError(APIStatusError):
    """409."""


class UnprocessableEntityError(APIStatusError):
    """422."""


class RateLimitError(APIStatusError):
    """429: rate limited, and retries (if any) did not get through."""


class InternalServerError(APIStatusError):
    """A 5xx status."""
