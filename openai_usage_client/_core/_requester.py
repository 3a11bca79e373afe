"""What a resource needs of a client: ``get`` with the client's retries, errors and
redaction, and how many requests it may have in flight.

The directory's resources are typed against these protocols, not against ``UsageClient``:
the clients are assembled above the directory (``_client.py`` mixes its resources in), so
naming them here would tie the two layers in a circle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TypeVar

import pydantic

__all__ = ["AsyncRequester", "Params", "Requester"]

#: Query parameters for ``get``: a mapping or ``(name, value)`` pairs (repeat a name for arrays).
Params = Mapping[str, Any] | Sequence[tuple[str, Any]] | None

_M = TypeVar("_M", bound=pydantic.BaseModel)


class Requester(Protocol):
    """``UsageClient`` as its resources see it."""

    @property
    def concurrency(self) -> int: ...

    def get(self, path: str, *, cast_to: type[_M], params: Params = None) -> _M: ...


class AsyncRequester(Protocol):
    """``AsyncUsageClient`` as its resources see it."""

    @property
    def concurrency(self) -> int: ...

    async def get(self, path: str, *, cast_to: type[_M], params: Params = None) -> _M: ...
