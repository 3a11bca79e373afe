"""The in-process way to run the fake: an httpx transport (sync and async in one object)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

import httpx

if TYPE_CHECKING:
    from ._wire import FakeResponse


class Answering(Protocol):
    """What the transport serves: ``FakeAPI`` (which hands out transports over itself)."""

    latency: float

    def handle(
        self, method: str, path: str, query: str, headers: Mapping[str, str]
    ) -> FakeResponse: ...


class FakeTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Serves a ``FakeAPI`` to ``httpx.Client(transport=...)`` or ``httpx.AsyncClient(...)``.

    Latency is slept (``time.sleep`` / ``asyncio.sleep``) before answering. A ``reset`` fault
    raises ``httpx.RemoteProtocolError`` (what httpx raises when a server closes the
    connection without answering); a ``timeout`` fault raises ``httpx.ReadTimeout`` at once.
    """

    def __init__(self, fake: Answering) -> None:
        self.fake = fake

    def _answer(self, request: httpx.Request) -> FakeResponse:
        return self.fake.handle(
            request.method,
            request.url.path,
            request.url.query.decode("ascii", "replace"),
            dict(request.headers),
        )

    @staticmethod
    def _to_httpx(request: httpx.Request, answer: FakeResponse) -> httpx.Response:
        if answer.fault == "reset":
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        if answer.fault == "timeout":
            raise httpx.ReadTimeout("The read operation timed out", request=request)
        return httpx.Response(
            answer.status, headers=answer.headers, content=answer.body, request=request
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.fake.latency:
            time.sleep(self.fake.latency)
        return self._to_httpx(request, self._answer(request))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.fake.latency:
            await asyncio.sleep(self.fake.latency)
        return self._to_httpx(request, self._answer(request))
