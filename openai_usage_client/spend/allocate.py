"""Allocation: which team each cost row belongs to.

Every row gets a ``team`` column, decided by the first rule that matches, in this order:

1. **API key**: the row's ``api_key_id`` (or the key's name in the directory) is in a team's
   ``api_keys``. A key rule wins over the others: a shared project's key can belong to a team.
2. **User**: the row's ``user_id`` (or that user's email) is in a team's ``users``; when the
   row has no ``user_id`` (costs grouped by key, not user), the owner of its API key in the
   directory (a user ID or email) is used.
3. **Project**: the row's ``project_id`` (or the project's name) is in a team's ``projects``.

A row no rule claims is ``unallocated``. Names are matched through a directory, or through the
name columns rows carry when they were read with names (``project_name``, ``api_key_name``,
``api_key_owner``, ``user_email``: the local store and ``rows(..., names=...)`` add them);
with neither, rules match IDs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final

from ._directory import DirectoryLike, directory_records

if TYPE_CHECKING:
    from .._core._exports import Row
    from .config import TeamConfig

__all__ = ["UNALLOCATED", "Allocator", "allocate"]

UNALLOCATED: Final = "unallocated"


def _labels(record: Any, *fields: str) -> list[str]:
    return [str(v) for f in fields if (v := getattr(record, f, None))]


def _owner_labels(key: Any) -> list[str]:
    """The user ID and email of an API key's owner, however the record spells it."""
    out = _labels(key, "owner_id", "owner_email")
    owner = getattr(key, "owner", None)
    if isinstance(owner, str):
        out.append(owner)
    elif owner is not None:
        out += _labels(owner, "id", "email", "name")
        user = getattr(owner, "user", None)
        if user is not None:
            out += _labels(user, "id", "email")
    return out


class Allocator:
    """Team rules resolved once against an optional directory; ``team_of(row)`` is a dict
    look-up per rule."""

    def __init__(self, teams: Sequence[TeamConfig], directory: DirectoryLike | None = None):
        self.directory = directory
        self._keys: dict[str, str] = {}
        self._users: dict[str, str] = {}
        self._projects: dict[str, str] = {}
        names: dict[str, dict[str, list[str]]] = {"projects": {}, "api_keys": {}, "users": {}}
        if directory is not None:
            for kind, fields in (
                ("projects", ("name",)),
                ("api_keys", ("name",)),
                ("users", ("email", "name")),
            ):
                for record in directory_records(directory, kind):
                    rid = getattr(record, "id", None)
                    for label in _labels(record, *fields):
                        if rid:
                            names[kind].setdefault(label, []).append(str(rid))
        for team in teams:
            for rule, target, kind in (
                (team.api_keys, self._keys, "api_keys"),
                (team.users, self._users, "users"),
                (team.projects, self._projects, "projects"),
            ):
                for value in rule:
                    target.setdefault(value, team.name)
                    for rid in names[kind].get(value, ()):
                        target.setdefault(rid, team.name)

    def _user_team(self, row: Row) -> str | None:
        for column in ("user_id", "user_email"):
            value = row.get(column)
            if value and value in self._users:
                return self._users[value]
        owner = row.get("api_key_owner")
        if not row.get("user_id") and owner and owner in self._users:
            return self._users[owner]
        key_id = row.get("api_key_id")
        if not row.get("user_id") and key_id and self.directory is not None:
            key = self.directory.api_key(key_id)
            for label in _owner_labels(key):
                if label in self._users:
                    return self._users[label]
                user = self.directory.user(label)
                for user_label in _labels(user, "id", "email"):
                    if user_label in self._users:
                        return self._users[user_label]
        return None

    def team_of(self, row: Row) -> str:
        """The team of one cost row (``unallocated`` when no rule claims it)."""
        for column in ("api_key_id", "api_key_name"):
            key = row.get(column)
            if key and key in self._keys:
                return self._keys[key]
        if self._users:
            team = self._user_team(row)
            if team is not None:
                return team
        for column in ("project_id", "project_name"):
            project = row.get(column)
            if project and project in self._projects:
                return self._projects[project]
        return UNALLOCATED

    def allocate(self, rows: Iterable[Row]) -> Iterator[Row]:
        """The rows, each a copy with a ``team`` column."""
        for row in rows:
            yield {**row, "team": self.team_of(row)}


def allocate(
    rows: Iterable[Row], teams: Sequence[TeamConfig], directory: DirectoryLike | None = None
) -> Iterator[Row]:
    """``rows`` with a ``team`` column each (see the module docstring for the rules)."""
    return Allocator(teams, directory).allocate(rows)
