"""The output options every data command shares, the progress line, and file writing.

Tables are drawn by ``_table`` (fitted to the terminal); ``money`` and ``number`` are the
package's display formats (``_format``), re-exported for the commands.

``--output FILE`` is written whole or not at all: rows go to a hidden temporary file beside
it, renamed over ``FILE`` once complete. The temporary file is created with mode 0666 minus
the umask, like any file a shell redirection makes (``mkstemp`` would make it 0600).
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

import click

from .._core._format import money, number

if TYPE_CHECKING:
    from .._core._exports import Row

__all__ = [
    "FORMATS",
    "LOTS_OF_REQUESTS",
    "Progress",
    "check_output",
    "choose_format",
    "emit",
    "fetch_rows",
    "money",
    "number",
    "output_params",
    "reader_may_leave",
    "requests_needed",
    "write_atomically",
]

FORMATS: Final = ("table", "csv", "json", "jsonl", "parquet")
_SUFFIXES: Final = {
    ".csv": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
}
#: Above this many requests a command says how many before it starts.
LOTS_OF_REQUESTS: Final = 100


def output_params() -> list[click.Parameter]:
    """``--format``, ``--output`` and ``--quiet``: the same on every data command."""
    from ._options import format_param, quiet_param

    return [
        format_param(
            FORMATS,
            "Output format. Default: table on a terminal; with --output, from the file's "
            "extension (.csv, .json, .jsonl, .ndjson, .parquet; any other needs --format); "
            "otherwise jsonl. CSV, JSON and Parquet hold every column, money as exact decimals "
            "and times as UTC (--by periods: with their --tz offset). parquet needs --output "
            "and the [parquet] extra.",
        ),
        click.Option(
            ["--output", "-o"],
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write to FILE instead of stdout. The file is written whole or not at all: "
            "a fetch that fails leaves no partial file.",
        ),
        quiet_param("No progress line on stderr (shown only when stderr is a terminal)."),
    ]


def choose_format(fmt: str | None, output: Path | None, stdout: IO[str]) -> str:
    """The format to write; ``click.UsageError`` (exit 2) when it cannot be told or made."""
    if fmt is None and output is not None:
        fmt = _SUFFIXES.get(output.suffix.lower())
        if fmt is None:
            known = ", ".join(_SUFFIXES)
            raise click.BadParameter(
                f"cannot tell the format of {output.name!r} from its extension (known: "
                f"{known}): add --format",
                param_hint="--output",
            )
    if fmt is None:
        return "table" if stdout.isatty() else "jsonl"
    if fmt == "parquet":
        if output is None:
            raise click.BadParameter("parquet is written to a file: add --output FILE.parquet")
        from .._core._exports import require

        require("parquet")  # MissingExtraError (exit 2) before any request
    return fmt


def check_output(output: Path | None) -> None:
    """Refuse, before any request, an ``--output`` whose folder does not exist."""
    if output is None:
        return
    folder = output.parent
    if not folder.is_dir():
        raise click.BadParameter(f"folder {folder} does not exist", param_hint="--output")


def requests_needed(start: int, end: int, width_seconds: int, limit: int) -> int:
    """Requests (pages) a range needs at best: its buckets, ``limit`` to a request."""
    if end <= start:
        return 1
    buckets = math.ceil((end - (start - start % width_seconds)) / width_seconds)
    return max(1, math.ceil(buckets / limit))


class Progress:
    """``<label>: N buckets, N pages, 1.2s`` rewritten in place on stderr while fetching.

    With ``total`` (the requests the range needs) it counts them down: ``..., 95 left``.
    """

    def __init__(
        self, label: str, stream: IO[str], *, enabled: bool, total: int | None = None
    ) -> None:
        self.label = label
        self.stream = stream
        self.enabled = enabled
        self.total = total
        self.pages = 0
        self.buckets = 0
        self._began = time.monotonic()
        self._width = 0

    @classmethod
    def for_terminal(cls, label: str, *, quiet: bool, total: int | None = None) -> Progress:
        return cls(label, sys.stderr, enabled=not quiet and sys.stderr.isatty(), total=total)

    def page(self, buckets: int) -> None:
        self.pages += 1
        self.buckets += buckets
        if self.enabled:
            elapsed = time.monotonic() - self._began
            text = (
                f"{self.label}: {self.buckets} buckets, {self.pages} "
                f"page{'s' if self.pages != 1 else ''}"
            )
            if self.total is not None:
                text += f", {max(0, self.total - self.pages)} left"
            text += f", {elapsed:.1f}s"
            self.stream.write("\r" + text.ljust(self._width))
            self.stream.flush()
            self._width = len(text)

    def close(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0


def fetch_rows(stream: Any, endpoint: str, progress: Progress) -> Iterator[Row]:
    """The rows of a ``BucketStream``, page by page, reporting each page to ``progress``."""
    from .._core._exports import rows

    try:
        for page in stream.pages():
            progress.page(len(page.data))
            yield from rows(page.data, endpoint)
    finally:
        progress.close()


# --- writing ---------------------------------------------------------------------------------


def _writer(fmt: str) -> Callable[..., int]:
    # Imported here: the exports pull in pydantic and the generated models, which
    # ``openai-usage --help`` should not pay for.
    from .._core._exports import to_csv, to_json, to_jsonl, to_parquet

    writers: dict[str, Callable[..., int]] = {
        "csv": to_csv,
        "json": to_json,
        "jsonl": to_jsonl,
        "parquet": to_parquet,
    }
    return writers[fmt]


@contextlib.contextmanager
def reader_may_leave() -> Iterator[None]:
    """Treat a closed pipe on stdout (``openai-usage costs | head``) as a normal end.

    Fetching stops (the row generator is closed), nothing more is written, and stdout is
    pointed at devnull so the interpreter's last flush does not fail again. Handled here
    because click would otherwise turn it into exit status 1.
    """
    try:
        yield
    except BrokenPipeError:
        with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())


def emit(
    items: Iterable[Row], endpoint: str, fmt: str, output: Path | None, *, names: Any = None
) -> int:
    """Write rows to ``output`` (atomically) or stdout in ``fmt``; returns the row count.

    ``names`` (a ``Directory``): add the name columns after the ID columns (``--names``)."""
    writer = _writer(fmt)
    if names is not None:
        writer = functools.partial(writer, names=names)
    if fmt == "csv":
        from ._state import state_of

        writer = functools.partial(writer, raw=state_of(click.get_current_context()).raw_csv)
    return write_atomically(
        output, lambda handle: writer(items, handle, endpoint=endpoint), binary=fmt == "parquet"
    )


def write_atomically(
    output: Path | None, write: Callable[[Any], int], *, binary: bool = False
) -> int:
    """``write(handle)`` into ``output`` whole or not at all (stdout when ``None``)."""
    if output is None:
        with reader_may_leave():
            count = write(sys.stdout)
            sys.stdout.flush()
            return count
        return 0
    check_output(output)
    from .._core._files import replacing

    # The package's one writer: a unique temporary file beside it, renamed into place.
    with replacing(output, "--output") as tmp:
        if binary:
            with open(tmp, "wb") as raw:
                count = write(raw)
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                count = write(handle)
    return count
