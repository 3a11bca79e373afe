"""``openai-usage users``: the organization's users."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import click

from .._help import COMMAND_EPILOG
from .._output import output_params
from .._records import client_of, emit_records, iso, output_format

__all__ = ["commands", "users"]

COLUMNS: Final = ("id", "name", "email", "role", "added_at")


@click.command("users", epilog=COMMAND_EPILOG)
@click.option(
    "--email", "emails", multiple=True, metavar="EMAIL", help="Only this user (repeatable)."
)
@click.pass_context
def users(
    ctx: click.Context, emails: tuple[str, ...], fmt: str | None, output: Path | None, quiet: bool
) -> None:
    """List the organization's users: ID (as usage reports it), name, email, role."""
    fmt = output_format(fmt, output)  # refused before any request
    client = client_of(ctx)
    records = [
        {"id": u.id, "name": u.name, "email": u.email, "role": u.role, "added_at": iso(u.added_at)}
        for u in client.users.list(emails=list(emails) or None)
    ]
    emit_records(records, COLUMNS, fmt, output)


def commands() -> list[click.Command]:
    command = users
    # The shared --format/--output/--quiet, added once (build_cli may run more than once).
    if not any(p.name == "fmt" for p in command.params):
        command.params.extend(output_params())
    return [command]
