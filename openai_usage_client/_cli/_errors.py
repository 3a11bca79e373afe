"""Exit codes: one per kind of failure, the same for every command (see ``_help``)."""

from __future__ import annotations

import sys
from typing import Final

from .._core import _exceptions as exc

__all__ = ["EXIT_BUDGET", "EXIT_CODES", "EXIT_LOCKED", "exit_code_for"]

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


def exit_code_for(error: BaseException) -> int:
    """The exit code for a library error (1 for anything unexpected).

    An error that wraps another (``SyncIncompleteError.cause``) exits as the cause would.
    """
    locked = sys.modules.get("openai_usage_client.store._errors")
    # Checked only once the store is loaded: importing it here would slow every command.
    if locked is not None and isinstance(error, locked.StoreLockedError):
        return EXIT_LOCKED
    cause = getattr(error, "cause", None)
    if isinstance(cause, BaseException) and cause is not error:
        return exit_code_for(cause)
    for cls, code in EXIT_CODES:
        if isinstance(error, cls):
            return code
    return 1
