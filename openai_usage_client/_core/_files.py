"""Files written whole, on a shared machine: one writer for every file the package writes.

``replacing(path)`` yields a temporary path beside ``path``: a unique name created exclusively
(``O_EXCL``, never following a symlink someone planted, mode 0666 minus the umask as a shell
redirection would), renamed over ``path`` when the block ends without error. A reader, or a
second writer, sees the old file or a new whole one: two concurrent writers each publish a
whole file, never one interleaved with the other. On any error (a full disk included) the
temporary file is removed and the previous file is left as it was; ``OutputError`` names the
path and the cause.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ._exceptions import InvalidParameterError, OpenAIUsageError

__all__ = ["OutputError", "check_folder", "replacing"]


class OutputError(OpenAIUsageError):
    """A file could not be written (a full disk, no permission); nothing was left behind and
    the previous file, if any, is whole."""


def check_folder(path: str | os.PathLike[str], param: str = "path") -> Path:
    """``path`` as a ``Path`` whose folder exists (else ``InvalidParameterError``, before any
    work is done)."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidParameterError(
            param, str(target), f"a file in an existing folder ({folder} does not exist)"
        )
    return target


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def replacing(path: str | os.PathLike[str], param: str = "path") -> Iterator[Path]:
    """Yield a fresh temporary path beside ``path``; rename it over ``path`` on success."""
    target = check_folder(path, param)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    tmp = Path(name)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        os.close(fd)
        yield tmp
        os.replace(tmp, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(error, OSError) and not isinstance(error, FileNotFoundError):
            why = "the disk is full" if error.errno == errno.ENOSPC else error.strerror
            raise OutputError(
                f"could not write {target}: {why or error}; nothing was left behind and the "
                "previous file, if any, is as it was"
            ) from error
        raise
