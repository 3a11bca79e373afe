"""Fault injection: transport failures, error statuses and wire-format quirks.

Whether a request is faulted is decided from a hash of (seed, path + canonical query, attempt
number of that exact request), never from a shared sequential RNG: the same request gets the
same fate on its n-th attempt whatever else is in flight, so concurrent tests are repeatable.

There are two families:

* **Failures** (at most one per attempt): ``429`` (with ``Retry-After``), ``429`` without
  it, ``500``, ``502``, ``503``, connection ``reset``, ``timeout``, ``truncated`` body,
  ``html`` body. Their rates are stacked on one uniform draw, so their sum must be <= 1.
* **Quirks** (independent of each other, each with its own draw): ``repeat_cursor`` (the page's
  ``next_page`` is the cursor that fetched it), ``result_key`` (buckets carry ``result``),
  ``sessions_key`` (code interpreter results carry ``sessions``), ``unknown_result`` (an extra
  ``organization.usage.future_thing.result`` in every bucket), ``unknown_field`` (an extra
  field on every result), ``drop_bucket`` (the page silently leaves out every third bucket,
  a server fault the live API never commits: its answers hold every bucket of the window).

``Persistent`` faults never stop: every request it matches fails, on every attempt, so tests
can check a client gives up with an error and can resume later from where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from ._org import hash_int

FailureKind = Literal[
    "429", "429_no_retry_after", "500", "502", "503", "reset", "timeout", "truncated", "html"
]
QuirkKind = Literal[
    "repeat_cursor",
    "result_key",
    "sessions_key",
    "unknown_result",
    "unknown_field",
    "drop_bucket",
]
FAILURE_KINDS: Final[tuple[FailureKind, ...]] = (
    "429", "429_no_retry_after", "500", "502", "503", "reset", "timeout", "truncated", "html"
)  # fmt: skip
QUIRK_KINDS: Final[tuple[QuirkKind, ...]] = (
    "repeat_cursor", "result_key", "sessions_key", "unknown_result", "unknown_field",
    "drop_bucket",
)  # fmt: skip


@dataclass(frozen=True)
class RequestInfo:
    """What a ``Persistent.when`` predicate sees about a request."""

    path: str
    #: Query parameters, ``[]`` suffixes removed, values in order.
    params: Mapping[str, tuple[str, ...]]
    #: 1 for the first time this exact request (path + canonical query) arrives, then 2, ...
    attempt: int
    #: 1-based arrival number of the request among all requests this fake has served.
    sequence: int
    #: Start of the first bucket this request asks for (``start_time`` or the cursor's), or
    #: ``None`` when the request has no valid range.
    page_start: int | None


@dataclass(frozen=True)
class Persistent:
    """A failure that never stops, for the requests it matches.

    All given conditions must hold: ``after_requests`` (the request's arrival number is
    greater than this), ``from_time`` (the page starts at or after this Unix time), ``path``
    (the endpoint path, e.g. ``"/organization/usage/completions"``), ``when`` (any predicate).
    With no condition at all, every request fails.
    """

    kind: FailureKind = "500"
    after_requests: int | None = None
    from_time: int | None = None
    path: str | None = None
    when: Callable[[RequestInfo], bool] | None = None

    def matches(self, info: RequestInfo) -> bool:
        if self.after_requests is not None and info.sequence <= self.after_requests:
            return False
        if self.from_time is not None and (
            info.page_start is None or info.page_start < self.from_time
        ):
            return False
        if self.path is not None and info.path.removeprefix("/v1") != self.path:
            return False
        return self.when is None or self.when(info)


@dataclass(frozen=True)
class Faults:
    """Fault rates (probability per attempt, 0 to 1) and their settings.

    ``retry_after`` is the ``Retry-After`` value sent with ``429`` (seconds; small so tests
    stay fast). ``timeout_delay`` is how long the HTTP server sleeps before answering a
    ``timeout`` fault (the in-process transport raises ``httpx.ReadTimeout`` at once).
    ``html_status`` is the status sent with an HTML body (a proxy's page).
    """

    rate_429: float = 0.0
    rate_429_no_retry_after: float = 0.0
    rate_500: float = 0.0
    rate_502: float = 0.0
    rate_503: float = 0.0
    rate_reset: float = 0.0
    rate_timeout: float = 0.0
    rate_truncated: float = 0.0
    rate_html: float = 0.0
    rate_repeat_cursor: float = 0.0
    rate_result_key: float = 0.0
    rate_sessions_key: float = 0.0
    rate_unknown_result: float = 0.0
    rate_unknown_field: float = 0.0
    rate_drop_bucket: float = 0.0
    persistent: tuple[Persistent, ...] = field(default_factory=tuple)
    retry_after: int = 0
    timeout_delay: float = 0.2
    html_status: int = 200

    def __post_init__(self) -> None:
        total = sum(getattr(self, f"rate_{k}") for k in FAILURE_KINDS)
        if total > 1.0 + 1e-9:
            raise ValueError(f"failure rates add up to {total}, more than 1")
        for k in (*FAILURE_KINDS, *QUIRK_KINDS):
            if not 0.0 <= getattr(self, f"rate_{k}") <= 1.0:
                raise ValueError(f"rate_{k} must be between 0 and 1")

    @classmethod
    def none(cls) -> Faults:
        return cls()

    def failure(self, seed: int, request_key: str, info: RequestInfo) -> FailureKind | None:
        """The failure of this attempt, if any."""
        for p in self.persistent:
            if p.matches(info):
                return p.kind
        u = hash_int(seed, "failure", request_key, info.attempt) / 2.0**64
        for kind in FAILURE_KINDS:
            rate: float = getattr(self, f"rate_{kind}")
            if u < rate:
                return kind
            u -= rate
        return None

    def quirks(self, seed: int, request_key: str, attempt: int) -> frozenset[QuirkKind]:
        """The wire quirks of this attempt's response."""
        out: set[QuirkKind] = set()
        for kind in QUIRK_KINDS:
            rate: float = getattr(self, f"rate_{kind}")
            if rate and hash_int(seed, kind, request_key, attempt) / 2.0**64 < rate:
                out.add(kind)
        return frozenset(out)
