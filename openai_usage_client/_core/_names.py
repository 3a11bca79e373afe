"""Names next to the IDs in rows: ``project_name`` beside ``project_id``, and so on.

``add_names(rows, directory)`` takes the rows of ``rows()`` (any endpoint) and a
``Directory`` and yields the same rows with name columns inserted right after the ID column
they describe; ``with_name_columns(columns)`` gives the matching column list. An ID the
directory does not know (or no ID: the row was not grouped by it) gets ``None``, never a
guess: a wrong name is worse than none.

===========================  ===============  ==============================================
column                       after            value
===========================  ===============  ==============================================
``project_name``             ``project_id``   the project's name
``api_key_name``             ``api_key_id``   the key's name
``api_key_redacted_value``   ``api_key_id``   e.g. ``sk-proj-abc...wxyz``
``api_key_owner``            ``api_key_id``   the owning user's email, or the service account's name
``user_name``                ``user_id``      the user's name
``user_email``               ``user_id``      the user's email
===========================  ===============  ==============================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, Protocol

__all__ = [
    "NAME_COLUMNS",
    "Names",
    "Row",
    "add_names",
    "name_columns_for",
    "names_of",
    "with_name_columns",
]


class Names(Protocol):
    """What the row layer needs to name IDs: ``openai_usage_client.directory.Directory`` is one.

    A protocol rather than the class, so that the row schema (below every product) does not
    depend on the directory product, and a store or a test can name rows from its own records.
    """

    def project(self, project_id: str, /) -> Any: ...
    def api_key(self, api_key_id: str, /) -> Any: ...
    def user(self, user_id: str, /) -> Any: ...


#: A row of an export: column name -> value (``_rows`` hands it on; the one definition).
Row = dict[str, Any]

#: ID column -> the name columns that follow it, in order.
_AFTER: Final[Mapping[str, tuple[str, ...]]] = {
    "project_id": ("project_name",),
    "api_key_id": ("api_key_name", "api_key_redacted_value", "api_key_owner"),
    "user_id": ("user_name", "user_email"),
}
#: Every name column, in the order they appear when every ID column is present.
NAME_COLUMNS: Final = tuple(c for group in _AFTER.values() for c in group)


def with_name_columns(columns: Sequence[str]) -> list[str]:
    """``columns`` with the name columns inserted after the ID columns present."""
    out: list[str] = []
    for column in columns:
        out.append(column)
        out.extend(_AFTER.get(column, ()))
    return out


def name_columns_for(columns: Sequence[str]) -> list[str]:
    """Only the name columns ``with_name_columns(columns)`` adds."""
    return [c for column in columns for c in _AFTER.get(column, ())]


def _project(d: Names, pid: Any) -> dict[str, Any]:
    p = d.project(pid) if isinstance(pid, str) else None
    return {"project_name": p.name if p else None}


def _api_key(d: Names, kid: Any) -> dict[str, Any]:
    k = d.api_key(kid) if isinstance(kid, str) else None
    if k is None:
        return dict.fromkeys(_AFTER["api_key_id"])
    return {
        "api_key_name": k.name,
        "api_key_redacted_value": k.redacted_value,
        "api_key_owner": k.owner,
    }


def _user(d: Names, uid: Any) -> dict[str, Any]:
    u = d.user(uid) if isinstance(uid, str) else None
    return {"user_name": u.name if u else None, "user_email": u.email if u else None}


_LOOKUPS: Final[Mapping[str, Callable[[Names, Any], dict[str, Any]]]] = {
    "project_id": _project,
    "api_key_id": _api_key,
    "user_id": _user,
}


def names_of(row: Mapping[str, Any], directory: Names) -> dict[str, Any]:
    """The name columns for one row's ID columns (only those the row has)."""
    out: dict[str, Any] = {}
    for id_column, lookup in _LOOKUPS.items():
        if id_column in row:
            out.update(lookup(directory, row[id_column]))
    return out


def add_names(rows: Iterable[Row], directory: Names) -> Iterator[Row]:
    """``rows`` with name columns after their ID columns, lazily (see the module docstring)."""
    for row in rows:
        names = names_of(row, directory)
        out: Row = {}
        for column, value in row.items():
            out[column] = value
            for name in _AFTER.get(column, ()):
                out[name] = names[name]
        yield out
