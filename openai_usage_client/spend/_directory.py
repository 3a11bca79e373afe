"""What the spend library needs of a directory: name look-ups, and its records by kind.

Apart from ``_sources`` so that ``config`` (which checks team IDs against the names) and
``_sources`` (which opens the configured organizations) need not import each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

__all__ = ["DirectoryLike", "directory_records"]


@runtime_checkable
class DirectoryLike(Protocol):
    """Name look-ups of one organization (``client.directory()`` returns one)."""

    def project(self, id: str, /) -> Any: ...
    def api_key(self, id: str, /) -> Any: ...
    def user(self, id: str, /) -> Any: ...


def directory_records(directory: object, kind: str) -> list[Any]:
    """Every record of ``kind`` (``projects``, ``api_keys``, ``users``) a directory lists.

    Accepts the collection as an attribute or a method, a sequence or a mapping by ID: the
    directory's iteration is read through this one function.
    """
    member = getattr(directory, kind, None)
    if member is None:
        return []
    items = member() if callable(member) else member
    if isinstance(items, Mapping):
        items = items.values()
    return list(items)
