"""``--db PATH``: commands that read a local store (``openai-usage sync``) instead of the API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

import click

if TYPE_CHECKING:
    from ..store import Store

from ._help import COMMAND_EPILOG

__all__ = [
    "DB_HELP",
    "STORE_EXIT_HELP",
    "check_store",
    "db_option",
    "db_param",
    "open_store",
    "refuse",
]

F = TypeVar("F", bound=Callable[..., Any])

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


def db_param(help: str = DB_HELP, *, required: bool = False) -> click.Option:
    """``--db PATH``: the one declaration of the option, for every command that reads a store
    (``open_store`` refuses a missing one, one message for all) or writes one (``sync``)."""
    return click.Option(
        ["--db"], type=click.Path(dir_okay=False, path_type=Path), required=required, help=help
    )


def db_option(help: str = DB_HELP, *, required: bool = False) -> Callable[[F], F]:
    """``db_param`` as a decorator, beside ``@click.option``."""

    def decorate(command: F) -> F:
        params = command.__dict__.setdefault("__click_params__", [])
        params.append(db_param(help, required=required))
        return command

    return decorate


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
