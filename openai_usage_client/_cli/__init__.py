"""``openai-usage``: the command-line tool (extra ``[cli]``: click). It may import every
layer: options in, one library call, print what the library renders.

``main(argv) -> int`` runs one command in-process and returns its exit code; it is the one
place where errors become messages and exit codes (see ``EXIT_CODES``). ``run()`` is the
console script. click (and everything heavy) is imported only inside them, so a missing
``[cli]`` extra gives an install hint rather than a traceback.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from .._core import _exceptions as exc
from ._errors import EXIT_CODES, exit_code_for

if TYPE_CHECKING:
    import click

__all__ = ["EXIT_CODES", "exit_code_for", "main", "run"]

CLI_HINT: Final = (
    "openai-usage needs click, which is not installed: pip install 'openai-usage-client[cli]'"
)

_NO_KEY: Final = (
    "no admin key: set the OPENAI_ADMIN_KEY environment variable to an admin key "
    "(sk-admin-..., from the organization's settings), or add --fake to try the offline "
    "demo organization"
)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _message(error: BaseException) -> str:
    if isinstance(error, exc.MissingAdminKeyError):
        return _NO_KEY
    return _one_line(str(error)) or type(error).__name__


def _click_message(error: click.ClickException) -> str:
    """A click error in one line, with where to read more for a usage error."""
    message = _one_line(error.format_message()).rstrip(".")
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    return message


def _db_argument(args: Sequence[str]) -> str:
    """The ``--db`` path of a command line (what a damaged-store message names)."""
    for i, arg in enumerate(args):
        if arg == "--db" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--db="):
            return arg.removeprefix("--db=")
    return "(the --db file)"


def _no_args_is_help(module: Any) -> type[click.UsageError] | tuple[()]:
    # click >= 8.2 raises it for a bare `openai-usage`; 8.1 prints the help and exits 0.
    found: type[click.UsageError] | tuple[()] = getattr(module.exceptions, "NoArgsIsHelpError", ())
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``openai-usage`` with ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    try:
        import click  # noqa: F401  (is the [cli] extra installed?)
    except ImportError:
        print(CLI_HINT, file=sys.stderr)
        return 2
    from ._app import cli
    from ._state import State

    state = State()
    args = list(sys.argv[1:] if argv is None else argv)
    # Everything printed passes through terminal_safe: a name someone else chose (a project,
    # a key, a line item) can never reach the terminal as an escape sequence.
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Visible(out), _Visible(err)
    try:
        return _main(cli, state, args)
    finally:
        sys.stdout, sys.stderr = out, err


class _Visible:
    """A text stream that writes ``terminal_safe`` text to the one it wraps (everything else
    is the wrapped stream's: its encoding, ``isatty``, ``fileno``...)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        from .._core._text import terminal_safe

        self._inner.write(terminal_safe(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _main(cli: click.Group, state: Any, args: list[str]) -> int:
    import click

    try:
        result = cli.main(args=args, prog_name="openai-usage", standalone_mode=False, obj=state)
    except click.exceptions.Abort:
        print("openai-usage: interrupted", file=sys.stderr)
        return 130
    except _no_args_is_help(click) as error:
        error.show()  # no arguments at all: the help itself is the answer
        return error.exit_code
    except click.ClickException as error:
        print(f"openai-usage: error: {_click_message(error)}", file=sys.stderr)
        return error.exit_code
    except exc.OpenAIUsageError as error:
        if state.debug:
            traceback.print_exc()
        print(f"openai-usage: error: {_message(error)}", file=sys.stderr)
        return exit_code_for(error)
    except Exception as error:
        if state.debug:
            traceback.print_exc()
        code = exit_code_for(error)
        if code != 1:  # a store SQLite cannot read (exit 10): the file, not a defect
            from ..store import REBUILD

            where = _db_argument(args)
            print(
                f"openai-usage: error: the store {where} is damaged ({_message(error)}): {REBUILD}",
                file=sys.stderr,
            )
            return code
        hint = "" if state.debug else " (run with --debug for the traceback)"
        print(f"openai-usage: unexpected error: {_message(error)}{hint}", file=sys.stderr)
        return 1
    return result if isinstance(result, int) else 0


def run() -> None:
    """The ``openai-usage`` console script."""
    sys.exit(main(sys.argv[1:]))
