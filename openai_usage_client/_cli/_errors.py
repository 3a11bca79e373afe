"""Exit codes: the one table of them, the same for every command (see ``_help``).

``EXIT_CODES`` maps what happened to a code: an error, by the qualified name of its class
or of a class it derives from (so the table names the store's errors without importing the
store, which would slow every command), and a result that carries a verdict (``check``'s
budget statuses). The first entry that matches wins, so subclasses come first. ``main()`` is
the one boundary that turns an error into its message and code; commands raise, and return
``exit_code_for_check`` of a check's result.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

__all__ = [
    "EXIT_CODES",
    "EXIT_LOCKED",
    "EXIT_STORE",
    "EXIT_TERMINATED",
    "code_of",
    "exit_code_for",
    "exit_code_for_check",
]

_CORE: Final = "openai_usage_client._core._exceptions"
_STORE: Final = "openai_usage_client.store._errors"

#: ``sync``/``export``: another sync held the store for longer than ``--lock-timeout``.
EXIT_LOCKED: Final = 8
#: ``sync``: stopped by SIGTERM (128 + 15, what a shell reports for it); what it stored is kept.
EXIT_TERMINATED: Final = 143
#: A store that cannot be used: damaged, not ours, a newer schema, a full disk, a first sync
#: that left nothing.
EXIT_STORE: Final = 10

#: What happened -> exit code; first match wins (subclasses first).
EXIT_CODES: Final[tuple[tuple[str, int], ...]] = (
    # check's verdicts: a budget over or forecast over; else one its data cannot judge.
    ("check: over", 7),
    ("check: forecast-over", 7),
    ("check: unknown", 9),
    # The store's errors.
    (f"{_STORE}.StoreLockedError", EXIT_LOCKED),
    (f"{_STORE}.SyncTerminated", EXIT_TERMINATED),
    (f"{_STORE}.StoreError", EXIT_STORE),
    # "file is not a database", "database disk image is malformed" (not "database is
    # locked": a busy file is fine, and a rerun finishes).
    ("sqlite3.DatabaseError", EXIT_STORE),
    # Bad input, before any request.
    (f"{_CORE}.InvalidParameterError", 2),
    (f"{_CORE}.InsecureBaseURLError", 2),
    (f"{_CORE}.MissingExtraError", 2),
    (f"{_CORE}.BadRequestError", 2),
    (f"{_CORE}.UnprocessableEntityError", 2),
    # The key.
    (f"{_CORE}.MissingAdminKeyError", 3),
    (f"{_CORE}.AuthenticationError", 3),
    (f"{_CORE}.PermissionDeniedError", 3),
    (f"{_CORE}.RateLimitError", 4),
    # What the server sent.
    (f"{_CORE}.APIResponseValidationError", 6),
    (f"{_CORE}.MalformedResponseError", 6),  # PaginationError among them
    # The network and the server.
    (f"{_CORE}.InternalServerError", 5),
    (f"{_CORE}.APIConnectionError", 5),
    (f"{_CORE}.APIStatusError", 5),
    (f"{_CORE}.APIError", 5),
)
_CODES: Final = dict(EXIT_CODES)
_ORDER: Final = {key: i for i, (key, _) in enumerate(EXIT_CODES)}


def _names(error: BaseException) -> set[str]:
    return {f"{cls.__module__}.{cls.__qualname__}" for cls in type(error).__mro__}


def exit_code_for(error: BaseException) -> int:
    """The exit code for an error (1 for anything unexpected).

    An error that wraps another (``SyncIncompleteError.cause``) exits as the cause would,
    unless it says why itself (a lock held, SIGTERM).
    """
    names = _names(error)
    found = next((code for key, code in EXIT_CODES if key in names), 1)
    if found in (EXIT_LOCKED, EXIT_TERMINATED):
        return found
    cause = getattr(error, "cause", None)
    if isinstance(cause, BaseException) and cause is not error:
        return exit_code_for(cause)
    if found == EXIT_STORE and "sqlite3.DatabaseError" in names and "locked" in str(error):
        return 1
    return found


def exit_code_for_check(statuses: Iterable[str]) -> int:
    """The exit code of ``check`` for its budgets' statuses: the first entry of the table
    any of them matches (0 when every budget is ``ok`` or ``warn``)."""
    keys = [f"check: {status}" for status in statuses if f"check: {status}" in _CODES]
    return _CODES[min(keys, key=_ORDER.__getitem__)] if keys else 0


def code_of(error_class: str) -> int:
    """The table's code for one of the core's errors by name (``"AuthenticationError"``):
    what a command that diagnoses rather than fails (``doctor``) exits with."""
    return _CODES[f"{_CORE}.{error_class}"]
