"""Names in the CLI: the directory look-up a command shares (``report`` and the data commands'
``--names``), and ``--project NAME`` turned into the IDs the API filters by.

A key that may not read the directory (401/403) gets one warning on stderr and no names; any
other error is the command's. With ``--fake``, the directory saved before the fake's key
deletion is merged in, as a local store or a saved ``Directory`` would be, so the deleted key
keeps its name (marked deleted).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from .._core._exceptions import InvalidParameterError

if TYPE_CHECKING:
    from ..directory import Directory
    from ._state import State

__all__ = ["NAMES_HELP", "lookup_names", "project_ids_named", "warn"]

NAMES_HELP = (
    "Add project, API key and user names (project_name, api_key_name, api_key_redacted_value, "
    "api_key_owner, user_name, user_email) after the ID columns; one extra look-up of the "
    "organization's directory. Off by default, so the columns stay the same from run to run."
)


def warn(message: str) -> None:
    click.echo(f"openai-usage: warning: {message}", err=True)


def lookup_names(state: State) -> tuple[Directory | None, str | None]:
    """``(directory, None)``, or ``(None, note)`` after warning once that names were skipped."""
    from ..directory import try_directory

    directory, note = try_directory(state.client())
    if directory is None:
        warn(note or "names skipped")
        return None, note
    return state.with_saved_names(directory), None


def project_ids_named(
    directory: Directory, names: Sequence[str], param: str = "--project"
) -> list[str]:
    """The IDs of the projects called ``names`` (case-insensitive; a name two projects share
    gives both), or ``InvalidParameterError`` naming ``param`` and the names there are."""
    by_name: dict[str, list[str]] = {}
    for project in directory.projects.values():
        if project.name and not project.deleted:
            by_name.setdefault(project.name.casefold(), []).append(project.id)
    ids: list[str] = []
    for name in names:
        found = by_name.get(name.strip().casefold())
        if not found:
            known = sorted(p.name for p in directory.projects.values() if p.name and not p.deleted)
            raise InvalidParameterError(
                param, name, "a project name: " + (", ".join(known) or "(no projects)")
            )
        ids += [i for i in found if i not in ids]
    return ids
