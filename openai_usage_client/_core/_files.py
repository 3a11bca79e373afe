"""Files written whole, on a shared machine: one writer for every file the package writes.

``replacing(path)`` yields a temporary path beside ``path``: a unique name created exclusively
(``O_EXCL``, never following a symlink someone planted, mode 0666 minus the umask as a shell
redirection would), renamed over ``path`` when the block ends without error. A reader, or a
second writer, sees the old file or a new whole one: two concurrent writers each publish a
whole file, never one interleaved with the other. On any error (a full disk included) the
temporary file is removed and the previous file is left as it was; ``OutputError`` names the
path and the cause.

``Staged`` does the same for a set of files that belong together (a Parquet dataset): every
file is written to its temporary name first, and only when all are written are they renamed
into place; an error on the way (a full disk) removes every temporary file and every folder
it made, so the previous set is left whole, never half old and half new.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from ._exceptions import InvalidParameterError, OpenAIUsageError

__all__ = ["OutputError", "Staged", "check_folder", "replacing"]


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
    tmp = _temporary(target)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(error, OSError) and not isinstance(error, FileNotFoundError):
            raise _failed(target, error, "the previous file, if any, is as it was") from error
        raise


def _temporary(target: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.fchmod(fd, 0o666 & ~_umask())
    os.close(fd)
    return Path(name)


def _failed(target: Path, error: OSError, kept: str) -> OutputError:
    why = "the disk is full" if error.errno == errno.ENOSPC else error.strerror
    return OutputError(
        f"could not write {target}: {why or error}; nothing was left behind and {kept}"
    )


class Staged:
    """A set of files published together (see the module docstring)::

    with Staged(root) as staged:
        staged.write(root / "a/part-0.parquet", lambda tmp: ...)
        staged.write(root / "b/part-0.parquet", lambda tmp: ...)
    # all renamed into place here; on any error none is, and no debris is left
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self._pending: list[tuple[Path, Path]] = []
        self._made: list[Path] = []

    def __enter__(self) -> Staged:
        return self

    def write(self, path: str | os.PathLike[str], write: Callable[[Path], object]) -> None:
        """Write ``path``'s new content to a temporary file beside it (folders made as
        needed), published when the block ends."""
        target = Path(path)
        try:
            self._folders(target.parent)
            tmp = _temporary(target)
            self._pending.append((tmp, target))
            write(tmp)
        except OSError as error:
            if isinstance(error, FileNotFoundError):
                raise
            raise _failed(target, error, f"{self.root} is as it was") from error

    def _folders(self, folder: Path) -> None:
        new = []
        while not folder.exists():
            new.append(folder)
            folder = folder.parent
        for one in reversed(new):
            one.mkdir()
            self._made.append(one)

    def __exit__(self, kind: object, error: object, tb: object) -> None:
        if error is None:
            # Renames need no space: once every file is written, publishing cannot fail on a
            # full disk.
            for tmp, target in self._pending:
                os.replace(tmp, target)
            return
        for tmp, _ in self._pending:
            with contextlib.suppress(OSError):
                tmp.unlink()
        for folder in reversed(self._made):
            with contextlib.suppress(OSError):
                folder.rmdir()
