"""Exit codes: one per kind of failure, the same for every command (see ``_help``)."""

from __future__ import annotations

import sys
from typing import Final

from .._core import _exceptions as exc

__all__ = [
    "EXIT_BUDGET",
    "EXIT_CODES",
    "EXIT_INCOMPLETE",
    "EXIT_LOCKED",
    "EXIT_STORE",
    "EXIT_TERMINATED",
    "exit_code_for",
]

#: Exit code per error class; the first match in this order wins (subclasses first).
EXIT_CODES: Final[tuple[tuple[type[BaseException], int], ...]] = (
    (exc.InvalidParameterError, 2),
    (exc.InsecureBaseURLError, 2),
    (exc.BadRequestError, 2),
    (exc.UnprocessableEntityError, 2),
    (exc.MissingAdminKeyError, 3),
    (exc.AuthenticationError, 3),
    (exc.PermissionDeniedError, 3),
    (exc.RateLimitError, 4),
    (exc.APIResponseValidationError, 6),
    (exc.MalformedResponseError, 6),  # PaginationError among them
    (exc.InternalServerError, 5),
    (exc.APIConnectionError, 5),
    (exc.APIStatusError, 5),
    (exc.APIError, 5),
)

#: ``check``: a budget is over, or forecast to be over, by the end of the month.
EXIT_BUDGET: Final = 7
#: ``sync``/``export``: another sync held the store for longer than ``--lock-timeout``.
EXIT_LOCKED: Final = 8
#: ``sync``: stopped by SIGTERM (128 + 15, what a shell reports for it); what it stored is kept.
EXIT_TERMINATED: Final = 143
#: ``check``: a budget's month is not held whole by the data (status ``unknown``).
EXIT_INCOMPLETE: Final = 9
#: A store that cannot be read: damaged, not ours, a newer schema, a first sync that left
#: nothing.
EXIT_STORE: Final = 10


def exit_code_for(error: BaseException) -> int:
    """The exit code for a library error (1 for anything unexpected).

    An error that wraps another (``SyncIncompleteError.cause``) exits as the cause would.
    """
    store = sys.modules.get("openai_usage_client.store._errors")
    # Checked only once the store is loaded: importing it here would slow every command.
    if store is not None and isinstance(error, store.StoreLockedError):
        return EXIT_LOCKED
    if store is not None and isinstance(error, store.SyncTerminated):
        return EXIT_TERMINATED
    cause = getattr(error, "cause", None)
    if isinstance(cause, BaseException) and cause is not error:
        return exit_code_for(cause)
    if store is not None and isinstance(error, store.StoreError):
        return EXIT_STORE
    sqlite = sys.modules.get("sqlite3")
    # "file is not a database", "database disk image is malformed"; not "database is locked"
    # (a busy file is fine, and a rerun finishes).
    if (
        sqlite is not None
        and isinstance(error, sqlite.DatabaseError)
        and "locked" not in str(error)
    ):
        return EXIT_STORE
    for cls, code in EXIT_CODES:
        if isinstance(error, cls):
            return code
    return 1
