"""The part of the clients that does no I/O: settings, headers, retry decisions, error mapping.

``UsageClient`` and ``AsyncUsageClient`` (in ``_client.py``) are thin twins over this: each
only knows how to send a request and how to sleep.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import logging
import os
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Final, TypeVar
from urllib.parse import urlsplit

import httpx
import pydantic

from .._version import __version__
from . import _exceptions as exc
from ._params import check_concurrency

if TYPE_CHECKING:
    # The page models are built on first use: importing the client must not build them
    # (bench P5: every usage result type is a pydantic class).
    from ._models import Page

# The clients (``_client.py``) are thin I/O twins over everything listed here.
__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "HTTPX_ERRORS",
    "ClientSettings",
    "M",
    "Outcome",
    "Runtime",
    "build_request",
    "httpx_error",
    "judge",
    "log_response",
    "parse_model",
    "parse_page",
    "redact_headers",
    "server_offset",
]

logger = logging.getLogger("openai_usage_client")
M = TypeVar("M", bound=pydantic.BaseModel)

DEFAULT_BASE_URL: Final = "https://api.openai.com/v1"
#: Reading a page of a year of hourly buckets can take a while server-side; connecting should not.
DEFAULT_TIMEOUT: Final = httpx.Timeout(60.0, connect=10.0)
DEFAULT_MAX_RETRIES: Final = 2
#: See the README's "Concurrency" section for why 4.
DEFAULT_CONCURRENCY: Final = 4
INITIAL_RETRY_DELAY: Final = 0.5
MAX_RETRY_DELAY: Final = 8.0
#: The longest ``Retry-After`` waited for (as the official SDK 3.63): a server asking for
#: more is not retried; its error says how long it asked for.
MAX_RETRY_AFTER: Final = 120.0

_RETRY_STATUSES: Final = frozenset({408, 409, 429})
_STATUS_ERRORS: Final[Mapping[int, type[exc.APIStatusError]]] = {
    400: exc.BadRequestError,
    401: exc.AuthenticationError,
    403: exc.PermissionDeniedError,
    404: exc.NotFoundError,
    409: exc.ConflictError,
    422: exc.UnprocessableEntityError,
    429: exc.RateLimitError,
}
_EXCERPT: Final = 200


#: Everything httpx raises. ``StreamError`` (``ResponseNotRead``, ``StreamClosed``, ...) is a
#: ``RuntimeError``, not an ``httpx.HTTPError``, and ``InvalidURL``/``CookieConflict`` are
#: neither: listed so that none of them can escape the package's exception tree.
HTTPX_ERRORS: Final = (httpx.HTTPError, httpx.StreamError, httpx.InvalidURL, httpx.CookieConflict)


async def _async_sleep(seconds: float) -> None:
    # asyncio is imported here, not at the top: the sync client never needs it (bench P5).
    import asyncio

    await asyncio.sleep(seconds)


@dataclass(frozen=True)
class Runtime:
    """How a client waits and reads the time, injected rather than patched.

    A private constructor argument (``_runtime=``) of both clients, copied by
    ``with_options``: tests pass sleeps that only record the delays asked for and a fixed
    clock (what relative times such as ``"7d"`` count back from), without touching any
    module global.
    """

    sleep: Callable[[float], None] = time.sleep
    async_sleep: Callable[[float], Awaitable[None]] = _async_sleep
    clock: Callable[[], float] = time.time


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ClientSettings:
    """Everything a client is configured with. The key is kept out of ``repr``."""

    admin_key: str
    base_url: str
    organization: str | None
    timeout: httpx.Timeout
    max_retries: int
    concurrency: int

    def __repr__(self) -> str:
        return (
            f"ClientSettings(base_url={self.base_url!r}, organization={self.organization!r}, "
            f"timeout={self.timeout!r}, max_retries={self.max_retries}, "
            f"concurrency={self.concurrency}, admin_key='[redacted]')"
        )

    @classmethod
    def resolve(
        cls,
        admin_key: str | None,
        base_url: str | None,
        organization: str | None,
        timeout: float | httpx.Timeout | None,
        max_retries: int,
        concurrency: int,
    ) -> ClientSettings:
        key = admin_key if admin_key is not None else os.environ.get("OPENAI_ADMIN_KEY")
        if not key:
            raise exc.MissingAdminKeyError(
                "No admin key: pass admin_key=... or set the OPENAI_ADMIN_KEY environment "
                "variable (an admin key, sk-admin-..., from the organization's settings)."
            )
        url = (base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise exc.InvalidParameterError(
                "base_url", url, "an http(s) URL such as " + DEFAULT_BASE_URL
            )
        if parts.scheme != "https" and not _is_loopback(parts.hostname):
            raise exc.InsecureBaseURLError(
                f"Refusing base_url {url!r}: the admin key would travel in clear text. "
                "Use https://, or http:// only to a loopback host (127.0.0.1, ::1, localhost)."
            )
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise exc.InvalidParameterError("max_retries", max_retries, "an int >= 0")
        check_concurrency(concurrency)
        if timeout is None:
            resolved = DEFAULT_TIMEOUT
        elif isinstance(timeout, httpx.Timeout):
            resolved = timeout
        elif isinstance(timeout, int | float) and not isinstance(timeout, bool) and timeout > 0:
            resolved = httpx.Timeout(float(timeout))
        else:
            raise exc.InvalidParameterError("timeout", timeout, "seconds > 0 or an httpx.Timeout")
        org = organization if organization is not None else os.environ.get("OPENAI_ORG_ID")
        return cls(key, url, org or None, resolved, max_retries, concurrency)

    def headers(self) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self.admin_key}",
            "Accept": "application/json",
            "User-Agent": f"openai-usage-client/{__version__}",
        }
        if self.organization:
            headers["OpenAI-Organization"] = self.organization
        return headers

    def redact(self, text: str) -> str:
        """``text`` with the admin key, should a server echo it, replaced."""
        return text.replace(self.admin_key, "[redacted]") if self.admin_key else text


# --- retries -------------------------------------------------------------------------------


def retry_delay(attempt: int, headers: httpx.Headers | None, rng: random.Random) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based).

    The server's ``retry-after-ms`` / ``Retry-After`` (seconds or an HTTP date) wins when it
    is 0 to ``MAX_RETRY_AFTER`` (120 s; ``judge`` does not retry beyond); otherwise
    exponential backoff from 0.5 s, doubling, capped at 8 s, with up to 25% jitter taken off
    so that clients started together spread out.
    """
    if headers is not None:
        asked = _retry_after(headers)
        if asked is not None and 0 <= asked <= MAX_RETRY_AFTER:
            return asked
    delay = min(INITIAL_RETRY_DELAY * 2.0 ** (attempt - 1), MAX_RETRY_DELAY)
    return delay * (1 - 0.25 * rng.random())


def _retry_after(headers: httpx.Headers) -> float | None:
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return float(ms) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    seconds: float = (when - datetime.now(UTC)).total_seconds()
    return seconds


def should_retry_status(status: int) -> bool:
    return status in _RETRY_STATUSES or status >= 500


# --- responses -----------------------------------------------------------------------------


def _excerpt(content: bytes, settings: ClientSettings) -> str:
    text = content[:_EXCERPT].decode("utf-8", "replace")
    text = " ".join(text.split())
    return settings.redact(text) + ("..." if len(content) > _EXCERPT else "")


def status_error(
    response: httpx.Response, settings: ClientSettings, note: str = ""
) -> exc.APIStatusError:
    """The typed exception for a 4xx/5xx response (``note`` added after the server's words)."""
    # Redact before parsing, so no part of the error (message, body, param, ...) can carry
    # the key should a server echo it back.
    text = settings.redact(response.content.decode("utf-8", "replace"))
    body: object
    try:
        body = json.loads(text)
    except ValueError:
        body = _excerpt(response.content, settings)
    message = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        raw = body["error"].get("message")
        message = raw if isinstance(raw, str) else None
    if message is None:
        message = _excerpt(response.content, settings) or response.reason_phrase
    message = settings.redact(message)
    status = response.status_code
    cls = _STATUS_ERRORS.get(status) or (
        exc.InternalServerError if status >= 500 else exc.APIStatusError
    )
    text = f"Error code: {status} - {message}"
    path = response.request.url.path
    reads_usage = "/organization/usage/" in path or path.endswith("/organization/costs")
    if status in (401, 403) and not settings.admin_key.startswith("sk-admin-"):
        # The likeliest cause first: the server's own words ("Incorrect API key provided")
        # do not say that this API takes only admin keys.
        text = (
            f"Error code: {status} - this key is not an admin key: the Usage and Costs API "
            f"needs an admin key (sk-admin-...), not a project or user key. "
            f"The server said: {message}"
        )
    elif cls is exc.PermissionDeniedError and "scope" in message.lower():
        if reads_usage:
            text += (
                " (this key cannot read usage: the Usage and Costs API needs an admin key, "
                "sk-admin-..., not a project or user key)"
            )
        else:
            text += (
                " (this key cannot read the organization's projects, keys, users or spend "
                "settings: it needs an admin key, sk-admin-..., allowed to read them)"
            )
    text += note
    request_id = response.headers.get("x-request-id")
    if request_id:
        text += f" [request id: {request_id}]"
    return cls(text, response=response, body=body)


def parse_page(response: httpx.Response, settings: ClientSettings) -> Page:
    """Validate a 2xx body straight from bytes into the generated models."""
    from ._models import Page

    return parse_model(response, settings, Page)


def parse_model(response: httpx.Response, settings: ClientSettings, model: type[M]) -> M:
    """Validate a 2xx body straight from bytes into ``model`` (a page, a directory list...)."""
    try:
        return model.model_validate_json(response.content)
    except pydantic.ValidationError as error:
        first = error.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise exc.APIResponseValidationError(
            f"Malformed response (HTTP {response.status_code}) from "
            f"{response.request.url.path}: {first['msg']} at {where or 'the top level'}; "
            f"body starts: {_excerpt(response.content, settings)!r}",
            response=response,
            body=None,
            excerpt=_excerpt(response.content, settings),
        ) from None


def redact_headers(response: httpx.Response, settings: ClientSettings) -> None:
    """The admin key out of a response's headers, should a server (or a proxy) echo it: a
    header (``x-request-id``) reaches error messages, logs, ``doctor`` and the store's run
    log as the server sent it."""
    key = settings.admin_key
    if key and any(key in value for value in response.headers.values()):
        response.headers = httpx.Headers(
            [(name, settings.redact(value)) for name, value in response.headers.multi_items()]
        )


def server_offset(response: httpx.Response) -> float | None:
    """How far the server's clock is ahead of this machine's (seconds), from the response's
    ``Date`` header (RFC 9110, one-second resolution); ``None`` without a readable one."""
    text = response.headers.get("date")
    if not text:
        return None
    try:
        sent = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if sent.tzinfo is None:
        return None
    return sent.timestamp() - time.time()


def log_response(response: httpx.Response, elapsed: float, attempt: int) -> None:
    # The URL holds only query parameters (no key); headers are never logged.
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "GET %s -> %s in %.0f ms (attempt %d, request id %s)",
            response.request.url,
            response.status_code,
            elapsed * 1000,
            attempt,
            response.headers.get("x-request-id", "-"),
        )


def connection_error(
    error: Exception, request: httpx.Request, settings: ClientSettings
) -> exc.APIConnectionError:
    if isinstance(error, httpx.TimeoutException):
        return exc.APITimeoutError(request)
    detail = settings.redact(str(error)) or type(error).__name__
    if isinstance(error, httpx.DecodingError):
        detail = f"the response body could not be decoded as its headers say ({detail})"
    elif _was_reset(error):
        detail = f"connection reset by the server: {detail}"
    return exc.APIConnectionError(f"Connection error: {detail}", request=request)


def _was_reset(error: Exception) -> bool:
    """The server dropped the connection: a TCP reset, or a close before any response."""
    if isinstance(error, httpx.RemoteProtocolError):
        return "disconnected" in str(error).lower()
    if isinstance(error, httpx.ReadError | httpx.WriteError | httpx.ConnectError):
        cause = error.__cause__ or error.__context__
        if isinstance(cause, ConnectionResetError) or "reset" in str(error).lower():
            return True
    return False


def httpx_error(error: Exception, request: httpx.Request, settings: ClientSettings) -> exc.APIError:
    """Any other httpx exception (a transport failure past its retries, a stream misuse,
    ...) as a package error, so that ``except OpenAIUsageError`` catches it."""
    if isinstance(error, httpx.TransportError):
        return connection_error(error, request, settings)
    detail = settings.redact(str(error)) or "no detail"
    return exc.APIConnectionError(
        f"Request failed ({type(error).__name__}): {detail}", request=request
    )


@dataclass(frozen=True)
class Outcome:
    """What one attempt at a request came to: a body to parse, a retry after ``delay``, or an
    error."""

    #: A 2xx response whose body is read but not parsed yet: the client parses it after
    #: giving its concurrency slot back, so the next request is on the wire while this page
    #: is validated (parsing holds the GIL and, in the async client, the event loop).
    success: httpx.Response | None = None
    delay: float | None = None
    error: exc.OpenAIUsageError | None = None
    throttled: bool = False


def judge(
    response: httpx.Response | None,
    transport_error: Exception | None,
    request: httpx.Request,
    attempt: int,
    settings: ClientSettings,
    rng: random.Random,
) -> Outcome:
    """Decide what to do after attempt number ``attempt`` (1-based) of one request.

    Retried, up to ``max_retries`` times: connection errors, timeouts, bodies that cannot be
    decoded (a corrupt gzip stream: mangled in transit, like a reset), 408, 409, 429, 5xx.
    Not retried: other 4xx (the request itself is wrong) and malformed 2xx bodies.
    """
    retries_left = attempt <= settings.max_retries
    if response is None:
        assert transport_error is not None
        if retries_left:
            return Outcome(delay=retry_delay(attempt, None, rng))
        return Outcome(error=connection_error(transport_error, request, settings))
    if response.is_success:
        return Outcome(success=response)
    throttled = response.status_code == 429
    if should_retry_status(response.status_code) and retries_left:
        asked = _retry_after(response.headers)
        if asked is None or asked <= MAX_RETRY_AFTER:
            return Outcome(delay=retry_delay(attempt, response.headers, rng), throttled=throttled)
        # Longer than any sensible wait (the SDK gives up too): fail now, and say so.
        note = (
            f" (the server asked to retry after {asked:.0f} s, more than the "
            f"{MAX_RETRY_AFTER:.0f} s this client waits: not retried)"
        )
        return Outcome(error=status_error(response, settings, note), throttled=throttled)
    return Outcome(error=status_error(response, settings), throttled=throttled)


def build_request(
    http: httpx.Client | httpx.AsyncClient, settings: ClientSettings, kwargs: Mapping[str, Any]
) -> httpx.Request:
    return http.build_request(
        "GET",
        settings.base_url + kwargs["url"],
        params=kwargs.get("params"),
        headers=settings.headers(),
        timeout=settings.timeout,
    )
