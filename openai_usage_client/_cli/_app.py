"""The ``openai-usage`` click group: global options, and the commands of ``commands.COMMANDS``.

``build_cli()`` makes the group; ``cli`` is the one the console script runs. The global options
are attached to every command too (hidden from its help), so they may come after it.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from .._version import __version__
from ._help import EXIT_CODES_HELP
from ._state import global_params, state_of
from .commands import COMMANDS, CommandFactory

__all__ = ["EXIT_CODES_HELP", "build_cli", "cli"]

_HELP = """Pull your OpenAI organization's usage and costs: tables, CSV/JSON/Parquet exports,
a report.

The admin key is read from the OPENAI_ADMIN_KEY environment variable only (never from an
option: command lines are visible to other users). Add --fake to try every command
against an offline synthetic organization. Global options may come before or after the
command.

\b
Examples:
  openai-usage --fake report --chart report.png
  openai-usage costs --start last-month --end this-month --group-by project_id -f csv
  openai-usage completions --start 7d --bucket-width 1h --group-by model
  openai-usage costs --fake --fake-now 2026-12-15 --start this-month
"""


class _Group(click.Group):
    """Accepts ``audio_speeches`` for ``audio-speeches`` (endpoint names as the API spells them)."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name.replace("_", "-"))

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        return (command.name if command else name), command, rest


@click.pass_context
def _root(ctx: click.Context) -> None:
    ctx.call_on_close(state_of(ctx).close)


def build_cli(factories: Sequence[CommandFactory] = COMMANDS) -> click.Group:
    """The group with the commands of ``factories`` (default: every registered command),
    each also taking the global options."""
    group = _Group(
        name="openai-usage",
        callback=_root,
        params=global_params(),
        help=_HELP,
        epilog=EXIT_CODES_HELP,
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    )
    click.version_option(__version__, "--version", prog_name="openai-usage")(group)
    for command in (command for factory in factories for command in factory()):
        taken = {p.name for p in command.params}
        command.params.extend(p for p in global_params(hidden=True) if p.name not in taken)
        command.context_settings.setdefault("help_option_names", ["-h", "--help"])
        command.context_settings.setdefault("max_content_width", 100)
        group.add_command(command)
    return group


cli = build_cli()
