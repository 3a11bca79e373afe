"""Running the CLI in-process (with the ``no_ambient_key`` fixture of ``conftest.py``)."""

from __future__ import annotations

import contextlib
import io

from openai_usage_client._cli import main


def run(*args: str) -> tuple[int, str, str]:
    """``openai-usage ARGS`` in this process: ``(exit code, stdout, stderr)``."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()
