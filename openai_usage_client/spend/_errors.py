"""The errors of the spend library.

::

    OpenAIUsageError
    ├── InvalidParameterError (also a ValueError)
    │   └── ConfigError          a spend config (TOML) that cannot be used; names file, table, value
    └── NotifyError              the webhook did not accept the notification

``ConfigError`` is bad input refused before any request, so it is an ``InvalidParameterError``
(the CLI maps that to exit code 2 with no extra wiring).
"""

from __future__ import annotations

from .._core._exceptions import InvalidParameterError, OpenAIUsageError

__all__ = ["ConfigError", "NotifyError"]


class ConfigError(InvalidParameterError):
    """A spend configuration that cannot be used.

    ``path`` is the file (or ``"<config>"`` for a config built in code), ``table`` the table it
    is about (``"[[budget]] #2"``, or ``""`` for the whole file), ``value`` the offending value.
    The message names all three; it never contains a secret (a key found in the file is
    described, not quoted).
    """

    def __init__(self, path: str, table: str, problem: str, value: object = None) -> None:
        self.path = path
        self.table = table
        self.problem = problem
        self.param = "config"
        self.value = value
        self.allowed = problem
        where = f"{path}: {table}: " if table else f"{path}: "
        # Skip InvalidParameterError's own message format ("invalid param=value: ...").
        super(InvalidParameterError, self).__init__(where + problem)


class NotifyError(OpenAIUsageError):
    """The notification webhook could not be reached or refused the message.

    The message names only the webhook's host: a webhook URL's path is often its secret.
    """
