"""The commands of ``openai-usage``, registered here and nowhere else.

Each module makes its commands with a ``commands()`` function; importing a module registers
nothing. Adding a command is a new module here plus one line in ``COMMANDS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import click

from . import endpoints, fake_server, report

__all__ = ["COMMANDS", "all_commands"]

#: The command factories (``openai-usage --help`` lists the commands by name).
COMMANDS: Final[tuple[Callable[[], list[click.Command]], ...]] = (
    endpoints.commands,
    report.commands,
    fake_server.commands,
)


def all_commands() -> list[click.Command]:
    return [command for factory in COMMANDS for command in factory()]
