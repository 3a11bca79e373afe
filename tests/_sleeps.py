"""Clients that never really wait in tests, without patching anything global.

Pass ``Sleeps().runtime`` (or the ``no_sleep`` fixture's ``.runtime``) to record the delays
a client asks for, or ``NO_WAIT`` when they do not matter, as a client's private
``_runtime=`` argument.
"""

from __future__ import annotations

import asyncio

from openai_usage_client._core._client_base import Runtime


class Sleeps(list[float]):
    """The delays a client asked to sleep, recorded instead of slept.

    The async sleep still yields to the event loop once, as a real sleep would.
    """

    def __init__(self) -> None:
        super().__init__()
        self.runtime = Runtime(sleep=self.append, async_sleep=self._nap)

    async def _nap(self, seconds: float) -> None:
        self.append(seconds)
        await asyncio.sleep(0)


def _skip(seconds: float) -> None:
    return None


async def _yield(seconds: float) -> None:
    await asyncio.sleep(0)


#: Sleeps that return at once (async: after one turn of the event loop), recording nothing.
NO_WAIT = Runtime(sleep=_skip, async_sleep=_yield)
