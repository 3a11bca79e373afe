"""The optional layer of checks against ``../shared/`` (the seeds and upstream references).

A clone on its own has no ``shared/`` folder beside it. The facts the project must keep (seed
field names, the upstream example payloads) live in ``tests/data/``, written by us, and are
always checked; the checks here only confirm that our copies still match the originals, and
skip, with the reason, when the originals are not there.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
SHARED = ROOT.parent / "shared"
DATA = Path(__file__).parent / "data"


def shared_file(relative: str) -> Path:
    """``../shared/<relative>``, or skip the calling test saying why."""
    path = SHARED / relative
    if not path.is_file():
        pytest.skip(
            f"../shared/{relative} is not beside this clone (expected at {path}): the check "
            "against the original reference is skipped; tests/data/ still covers the facts"
        )
    return path
