"""``openai-usage projects``: the organization's projects."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import click

from .._help import COMMAND_EPILOG
from .._output import output_params
from .._records import client_of, emit_records, iso, output_format

__all__ = ["commands", "projects"]

COLUMNS: Final = ("id", "name", "status", "created_at", "archived_at")


@click.command("projects", epilog=COMMAND_EPILOG)
@click.option(
    "--include-archived",
    is_flag=True,
    help="Also list archived projects (their past spend still shows in usage and costs).",
)
@click.pass_context
def projects(
    ctx: click.Context, include_archived: bool, fmt: str | None, output: Path | None, quiet: bool
) -> None:
    """List the organization's projects: ID, name, status.

    Archived projects are left out unless --include-archived is given. Needs an admin key
    that may read the organization's projects.
    """
    fmt = output_format(fmt, output)  # refused before any request
    client = client_of(ctx)
    records = [
        {
            "id": p.id,
            "name": p.name,
            "status": p.status,
            "created_at": iso(p.created_at),
            "archived_at": iso(p.archived_at),
        }
        for p in client.projects.list(include_archived=include_archived)
    ]
    emit_records(records, COLUMNS, fmt, output)


def commands() -> list[click.Command]:
    command = projects
    # The shared --format/--output/--quiet, added once (build_cli may run more than once).
    if not any(p.name == "fmt" for p in command.params):
        command.params.extend(output_params())
    return [command]
