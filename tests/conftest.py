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
