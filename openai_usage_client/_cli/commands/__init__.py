"""The commands of ``openai-usage``, registered here and nowhere else.

Each module makes its commands with a ``commands()`` function; importing a module registers
nothing. Adding a command is a new module here plus one line in ``COMMANDS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import click

from . import (
    api_keys,
    check,
    doctor,
    endpoints,
    export,
    fake_server,
    mcp,
    metrics,
    projects,
    reconcile,
    report,
    sync,
    users,
)

__all__ = ["COMMANDS", "CommandFactory"]

#: Returns a module's commands (build_cli adds the global options to each, once).
CommandFactory = Callable[[], list[click.Command]]

#: The command factories (``openai-usage --help`` lists the commands by name).
COMMANDS: Final[tuple[CommandFactory, ...]] = (
    endpoints.commands,
    report.commands,
    check.commands,
    projects.commands,
    api_keys.commands,
    users.commands,
    sync.commands,
    export.commands,
    reconcile.commands,
    metrics.commands,
    mcp.commands,
    doctor.commands,
    fake_server.commands,
)
