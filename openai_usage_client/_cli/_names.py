"""The names the CLI shows beside IDs: one directory look-up per command, shared by ``report``
and the data commands' ``--names``.

A key that may not read the directory (401/403) gets one warning on stderr and no names; any
other error is the command's. With ``--fake``, the directory saved before the fake's key
deletion is merged in, as a local store or a saved ``Directory`` would be, so the deleted key
keeps its name (marked deleted).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ..directory import Directory
    from ._state import State

__all__ = ["NAMES_HELP", "lookup_names", "warn"]

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
    if state.fake:
        directory = directory.merge(state.fake_api().directory.saved_before_deletion())
    return directory, None
