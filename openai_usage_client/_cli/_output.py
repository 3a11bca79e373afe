"""The output options every data command shares, the progress line, and the table format.

``--output FILE`` is written whole or not at all: rows go to a hidden temporary file beside
it, renamed over ``FILE`` once complete. The temporary file is created with mode 0666 minus
the umask, like any file a shell redirection makes (``mkstemp`` would make it 0600).
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

import click

if TYPE_CHECKING:
    from .._exports import Row

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
    "render_table",
    "requests_needed",
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


#: The shared output options, stated once, as ``click.Option`` objects (``output_params``).
_OUTPUT_OPTIONS: Final[tuple[tuple[tuple[str, ...], dict[str, Any]], ...]] = (
    (
        ("--format", "-f", "fmt"),
        {
            "type": click.Choice(FORMATS),
            "help": "Output format. Default: table on a terminal; with --output, from the file's "
            "extension (.csv, .json, .jsonl, .ndjson, .parquet; any other needs --format); "
            "otherwise jsonl. CSV, JSON and Parquet hold every column, money as exact decimals "
            "and times as UTC. parquet needs --output and the [parquet] extra.",
        },
    ),
    (
        ("--output", "-o"),
        {
            "type": click.Path(dir_okay=False, path_type=Path),
            "help": "Write to FILE instead of stdout. The file is written whole or not at all: "
            "a fetch that fails leaves no partial file.",
        },
    ),
    (
        ("--quiet", "-q"),
        {
            "is_flag": True,
            "help": "No progress line on stderr (shown only when stderr is a terminal).",
        },
    ),
)


def output_params() -> list[click.Parameter]:
    """``--format``, ``--output`` and ``--quiet``: the same on every data command."""
    return [click.Option(list(decls), **attrs) for decls, attrs in _OUTPUT_OPTIONS]


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
        import importlib.util

        if importlib.util.find_spec("pyarrow") is None:
            raise click.UsageError(
                "--format parquet needs pyarrow: pip install 'openai-usage-client[parquet]'"
            )
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
    from .._exports import rows

    try:
        for page in stream.pages():
            progress.page(len(page.data))
            yield from rows(page.data, endpoint)
    finally:
        progress.close()


# --- writing ---------------------------------------------------------------------------------


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def number(value: Any) -> str:
    """A counter for people: thousands separators, decimals without trailing zeros."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal):
        text = _plain(value)
        sign = "-" if text.startswith("-") else ""
        whole, _, frac = text.lstrip("-").partition(".")
        return f"{sign}{int(whole):,}" + (f".{frac}" if frac else "")
    return str(value)


def money(value: Decimal | None, currency: str | None) -> str:
    """``$1,234.56`` for usd, else ``1,234.56 EUR``; rounded to cents for display only."""
    if value is None:
        return "-"
    cents = f"{value.quantize(Decimal('0.01')):,}"
    if (currency or "usd").lower() == "usd":
        return f"-${cents[1:]}" if cents.startswith("-") else f"${cents}"
    return f"{cents} {currency.upper() if currency else ''}".rstrip()


def _cell(value: Any, daily: bool) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d" if daily else "%Y-%m-%d %H:%M")
    return number(value)


def render_table(items: Iterable[Row], endpoint: str) -> list[str]:
    """Rows as an aligned text table: only columns with a value somewhere, and a total line."""
    from .._exports import columns

    buffered = list(items)
    if not buffered:
        return ["(no activity in this range)"]
    shown = [
        c
        for c in columns(endpoint)
        if c not in ("endpoint", "end_time") and any(r.get(c) is not None for r in buffered)
    ]
    if all(r["object"] == buffered[0]["object"] for r in buffered):
        shown.remove("object")
    daily = all(
        r["start_time"].hour == r["start_time"].minute == 0
        and (r["end_time"] - r["start_time"]).total_seconds() >= 86400
        for r in buffered
    )
    numeric = [
        c for c in shown if all(isinstance(r.get(c), int | Decimal | None) for r in buffered)
    ]
    numeric = [c for c in numeric if not any(isinstance(r.get(c), bool) for r in buffered)]
    table = [[_cell(r.get(c), daily) for c in shown] for r in buffered]
    totals = {c: sum((r[c] for r in buffered if r.get(c) is not None), 0) for c in numeric}
    table.append([number(totals[c]) if c in totals else "" for c in shown])
    table[-1][0] = f"total ({len(buffered)} rows)"
    header = list(shown)
    widths = [max(len(header[i]), *(len(t[i]) for t in table)) for i in range(len(shown))]

    def line(cells: list[str]) -> str:
        parts = [
            cell.rjust(w) if shown[i] in numeric else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return [line(header), rule, *(line(t) for t in table[:-1]), rule, line(table[-1])]


def _write_table(items: Iterable[Row], handle: IO[str], *, endpoint: str) -> int:
    buffered = list(items)
    handle.write("\n".join(render_table(buffered, endpoint)) + "\n")
    return len(buffered)


def _writer(fmt: str) -> Callable[..., int]:
    # Imported here: the exports pull in pydantic and the generated models, which
    # ``openai-usage --help`` should not pay for.
    from .._exports import to_csv, to_json, to_jsonl, to_parquet

    writers: dict[str, Callable[..., int]] = {
        "csv": to_csv,
        "json": to_json,
        "jsonl": to_jsonl,
        "parquet": to_parquet,
        "table": _write_table,
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


def emit(items: Iterable[Row], endpoint: str, fmt: str, output: Path | None) -> int:
    """Write rows to ``output`` (atomically) or stdout in ``fmt``; returns the row count."""
    writer = _writer(fmt)
    if output is None:
        with reader_may_leave():
            count = writer(items, sys.stdout, endpoint=endpoint)
            sys.stdout.flush()
            return count
        return 0
    check_output(output)
    tmp = output.resolve().parent / f".{output.name}.{secrets.token_hex(6)}.partial"
    # 0o666: the kernel takes the umask off, as for any file a shell redirection creates.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        if fmt == "parquet":
            with os.fdopen(fd, "wb") as binary:
                count = writer(items, binary, endpoint=endpoint)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                count = writer(items, handle, endpoint=endpoint)
        os.replace(tmp, output)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return count
