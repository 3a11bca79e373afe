"""Running the CLI in-process (with the ``no_ambient_key`` fixture of ``conftest.py``)."""

from __future__ import annotations

import contextlib
import io

from openai_usage_client._cli import main


class _Pipe(io.StringIO):
    """What a command's output goes to when piped: UTF-8 text, not a terminal."""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"


def run(*args: str) -> tuple[int, str, str]:
    """``openai-usage ARGS`` in this process: ``(exit code, stdout, stderr)``, written as to
    a UTF-8 pipe. Every test of the CLI runs it through this one runner."""
    out, err = _Pipe(), _Pipe()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()
