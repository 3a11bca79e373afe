"""JSON documents written in pieces, so that a long list in them is never held whole.

``write_json(document, write)`` passes ``write`` the same text as
``json_safe(json.dumps(document, indent=2, ensure_ascii=False)) + "\\n"``, in pieces of about
64 KB. A list in the document may be a ``Streamed``: its items are made by an iterator as
they are written (a report's daily spend per project, a reconciliation's cells: at a hundred
times the fake's organization, hundreds of thousands of items and a hundred MB of text).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final

from ._text import json_safe

__all__ = ["Streamed", "write_json"]

#: How much text is gathered before each ``write``.
PIECE: Final = 65_536


class Streamed(list[Any]):
    """A list that ``write_json`` writes item by item from ``items`` (``count`` of them).

    ``json``'s indenting encoder asks a list only its length and iterates it; nothing else
    should be handed one (it holds no items of its own)."""

    def __init__(self, items: Iterable[Any], count: int) -> None:
        super().__init__()
        self._items, self._count = items, count

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)


def write_json(document: Any, write: Callable[[str], object]) -> None:
    """Write ``document`` as indented JSON (control characters escaped: ``json_safe``) and a
    final newline, in pieces of about ``PIECE`` characters."""
    # indent= keeps json on its pure-Python encoder, which iterates lists (Streamed) lazily.
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False)
    buffer: list[str] = []
    size = 0
    for chunk in encoder.iterencode(document):
        buffer.append(chunk)
        size += len(chunk)
        if size >= PIECE:
            write(json_safe("".join(buffer)))  # per character: safe across pieces
            buffer, size = [], 0
    write(json_safe("".join(buffer)) + "\n")
