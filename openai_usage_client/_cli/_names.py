"""``--project NAME``: project names to the IDs the API filters by (read from the directory)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .._exceptions import InvalidParameterError

if TYPE_CHECKING:
    from ..directory import Directory

__all__ = ["project_ids_named"]


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
