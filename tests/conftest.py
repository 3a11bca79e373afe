"""Shared fixtures."""

from __future__ import annotations

import pytest
from _sleeps import Sleeps


@pytest.fixture
def no_sleep() -> Sleeps:
    """Records the delays a client asked to sleep, instead of sleeping.

    Only clients given ``_runtime=no_sleep.runtime`` use it: nothing global is patched.
    """
    return Sleeps()


@pytest.fixture
def no_ambient_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """No key or base URL from the environment the tests run in (``pytestmark =
    pytest.mark.usefixtures("no_ambient_key")`` for a whole module)."""
    monkeypatch.delenv("OPENAI_ADMIN_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


@pytest.fixture(autouse=True)
def _no_terminal_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables are laid out as for a pipe unless a test sets ``$COLUMNS`` itself: the size of
    the terminal the suite runs in is not the tests' business (pytest-xdist's workers, for
    one, inherit ``COLUMNS=80``)."""
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
