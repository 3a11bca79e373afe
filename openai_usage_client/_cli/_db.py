"""``--db PATH``: commands that read a local store (``openai-usage sync``) instead of the API."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import click

if TYPE_CHECKING:
    from ..store import Store

from ._help import COMMAND_EPILOG

__all__ = [
    "DB_HELP",
    "STORE_EXIT_HELP",
    "check_store",
    "open_store",
    "refuse",
]


#: The epilog of the commands that write a store (``sync``, ``export``).
STORE_EXIT_HELP: Final = (
    COMMAND_EPILOG + "\n\n"
    "A sync that stops part-way exits with the code of the error that stopped it; what it "
    "stored is kept, and running it again fetches only what is missing."
)

DB_HELP = (
    "Read from this local store (kept current by 'openai-usage sync --db PATH') instead of "
    "the API: no request is sent."
)


def check_store(db: Path) -> None:
    """Refuse (exit 2) a ``--db`` with no store: one message for every command that reads."""
    if not db.is_file():
        raise click.BadParameter(
            f"no store at {db}: create it with 'openai-usage sync --db {db} --start YYYY-MM-DD'",
            param_hint="--db",
        )


def open_store(db: Path) -> Store:
    """The store at ``db``, opened read-only; a missing file is refused (exit 2) rather than
    created empty."""
    check_store(db)
    from ..store import Store

    return Store(db, read_only=True)  # a read never changes the file


def refuse(option: str, why: str) -> Any:
    """Exit 2 for an option the store cannot honour."""
    raise click.BadParameter(f"cannot be used with --db: {why}", param_hint=option)
