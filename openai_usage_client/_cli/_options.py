"""The options several commands share, each declared once (as sqlite-utils shares its output
options): ``--db`` (``db_param``), ``--format`` (``format_param``, its choices per kind of
output), ``--quiet`` (``quiet_param``, its help per command) and the period's ``--start``
and ``--end`` (``start_param``, ``end_param``: what a command's period means is its own to
say). ``use(param)`` puts one on a command beside ``@click.option``; the data commands take
them as ``click.Option`` objects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = [
    "db_option",
    "db_param",
    "end_param",
    "format_param",
    "quiet_param",
    "start_param",
    "use",
]

F = TypeVar("F", bound=Callable[..., Any])


def use(param: click.Parameter) -> Callable[[F], F]:
    """``param`` as a decorator, in the place ``@click.option`` would put it."""

    def decorate(command: F) -> F:
        command.__dict__.setdefault("__click_params__", []).append(param)
        return command

    return decorate


def db_param(help: str, *, required: bool = False) -> click.Option:
    """``--db PATH``: every command that reads a store (``_db.open_store`` refuses a
    missing one, one message for all) or writes one (``sync``)."""
    return click.Option(
        ["--db"], type=click.Path(dir_okay=False, path_type=Path), required=required, help=help
    )


def db_option(help: str, *, required: bool = False) -> Callable[[F], F]:
    return use(db_param(help, required=required))


class _Formats(click.Choice):  # type: ignore[type-arg]
    """The choices, plus former names that still work (not shown)."""

    def __init__(self, choices: Sequence[str], former: Mapping[str, str]) -> None:
        super().__init__(list(choices))
        self.former = dict(former)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return super().convert(self.former.get(value, value), param, ctx)


def format_param(
    choices: Sequence[str],
    help: str,
    default: str | None = None,
    former: Mapping[str, str] | None = None,
) -> click.Option:
    """``--format``/``-f``: the choices of one kind of output: a document a person reads
    (``table``, ``json``, and ``markdown`` or ``csv``), or rows (the data commands').
    ``former`` maps a name a command used before to its choice (it still works)."""
    return click.Option(
        ["--format", "-f", "fmt"],
        type=_Formats(choices, former or {}),
        default=default,
        show_default=default is not None,
        help=help,
    )


def quiet_param(help: str) -> click.Option:
    """``--quiet``/``-q``: what a command leaves out is its own to say."""
    return click.Option(["--quiet", "-q"], is_flag=True, help=help)


def start_param(help: str, metavar: str = "WHEN") -> click.Option:
    """``--start``: the first instant of the command's period."""
    return click.Option(["--start"], metavar=metavar, help=help)


def end_param(help: str, metavar: str = "WHEN", default: str | None = None) -> click.Option:
    """``--end``: the end of the command's period (exclusive)."""
    return click.Option(
        ["--end"], metavar=metavar, default=default, show_default=default is not None, help=help
    )
