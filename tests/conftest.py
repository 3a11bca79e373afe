"""Shared fixtures."""

from __future__ import annotations

import asyncio

import pytest

from openai_usage_client import _client


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retries never wait in tests: the client's sleeps only record the delays asked for.

    The async one still yields to the event loop once, as a real sleep would.
    (test_reliability_faults.py patches over it with a recorder of its own, `sleeps`.)
    """
    slept: list[float] = []

    async def nap(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(0)

    monkeypatch.setattr(_client, "_sleep", slept.append)
    monkeypatch.setattr(_client, "_async_sleep", nap)
    return slept
