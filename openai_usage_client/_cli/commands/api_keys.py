"""``openai-usage api-keys``: every project's API keys, with the project's name."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import click

from .._help import COMMAND_EPILOG
from .._output import output_params
from .._records import client_of, emit_records, iso, output_format

__all__ = ["api_keys", "commands"]

COLUMNS: Final = (
    "project_id",
    "project_name",
    "id",
    "name",
    "redacted_value",
    "owner_type",
    "owner",
    "owner_id",
    "created_at",
    "last_used_at",
    "expires_at",
    "spend_limit_cents",
    "spend_limit_status",
)


@click.command("api-keys", epilog=COMMAND_EPILOG)
@click.option(
    "--project-id",
    "project_ids",
    multiple=True,
    metavar="ID",
    help="Only this project's keys (repeatable). Default: every project, archived ones too.",
)
@click.pass_context
def api_keys(
    ctx: click.Context,
    project_ids: tuple[str, ...],
    fmt: str | None,
    output: Path | None,
    quiet: bool,
) -> None:
    """List the API keys of every project: project name, owner, expiry and spend limit.

    The key's ID is what usage and costs report as api_key_id. Deleted keys are not listed
    (the API forgets them; their spend stays). The projects' lists are fetched concurrently.
    """
    fmt = output_format(fmt, output)  # refused before any request
    client = client_of(ctx)
    directory = client.directory()
    wanted = set(project_ids)
    records = [
        {
            "project_id": k.project_id,
            "project_name": p.name if (p := directory.project(k.project_id)) else None,
            "id": k.id,
            "name": k.name,
            "redacted_value": k.redacted_value,
            "owner_type": k.owner_type,
            "owner": k.owner,
            "owner_id": k.owner_id,
            "created_at": iso(k.created_at),
            "last_used_at": iso(k.last_used_at),
            "expires_at": iso(k.expires_at),
            # The key's own monthly hard limit, in the API's unit: US cents.
            "spend_limit_cents": k.spend_limit_cents,
            "spend_limit_status": None
            if k.spend_limit_enforcing is None
            else ("enforcing" if k.spend_limit_enforcing else "inactive"),
        }
        for k in directory.api_keys.values()
        if not wanted or k.project_id in wanted
    ]
    emit_records(records, COLUMNS, fmt, output)


def commands() -> list[click.Command]:
    command = api_keys
    # The shared --format/--output/--quiet, added once (build_cli may run more than once).
    if not any(p.name == "fmt" for p in command.params):
        command.params.extend(output_params())
    return [command]
