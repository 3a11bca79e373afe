"""The directory a store keeps (``projects``, ``users``, ``service_accounts``, ``api_keys``)
as a ``directory.Directory``: the names every reader of a store shows beside the IDs.

A record that the last directory update of its table (per organization) no longer listed is
marked ``deleted``, so a deleted key keeps its name.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..directory import Directory

__all__ = ["stored_directory"]


def _int(value: Any) -> int | None:
    try:
        return None if value in (None, "") else int(value)
    except (TypeError, ValueError):
        return None


def stored_directory(conn: sqlite3.Connection, organization: str | None = None) -> Directory:
    """The directory of every organization the store holds, or of ``organization``."""
    from ..directory import (
        ApiKeyRecord,
        Directory,
        ProjectRecord,
        ServiceAccountRecord,
        UserRecord,
    )

    where, params = ("WHERE organization = ?", (organization,)) if organization else ("", ())

    def rows(table: str, fields: str) -> list[tuple[Any, ...]]:
        latest = dict(
            conn.execute(
                f"SELECT organization, MAX(last_seen) FROM {table} {where} GROUP BY organization",
                params,
            ).fetchall()
        )
        return [
            (*r[:-2], r[-1] < latest[r[-2]])
            for r in conn.execute(
                f"SELECT {fields}, organization, last_seen FROM {table} {where}", params
            )
        ]

    d = Directory()
    for pid, name, status, archived_at, created, gone in rows(
        "projects", "id, name, status, archived_at, created_at"
    ):
        d.projects[pid] = ProjectRecord(pid, name, status, _int(created), _int(archived_at), gone)
    for uid, name, email, role, gone in rows("users", "id, name, email, role"):
        d.users[uid] = UserRecord(uid, name, email, role, gone)
    for sid, name, pid, role, gone in rows("service_accounts", "id, name, project_id, role"):
        d.service_accounts[sid] = ServiceAccountRecord(sid, name, pid, role, gone)
    for kid, name, redacted, pid, otype, oid, oname, created, gone in rows(
        "api_keys",
        "id, name, redacted_value, project_id, owner_type, owner_id, owner_name, created_at",
    ):
        user = d.users.get(oid) if oid else None
        d.api_keys[kid] = ApiKeyRecord(
            kid, name, redacted, pid, otype, oid,
            user.name if user and otype == "user" else oname,
            user.email if user and otype == "user" else None,
            _int(created), None, gone,
        )  # fmt: skip
    return d
