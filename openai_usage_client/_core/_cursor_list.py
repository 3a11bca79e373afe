"""Lazy streams over the directory's cursor lists (``after=<last_id>``), sync and async.

Every directory list (projects, API keys, users, spend alerts, ...) has one page shape,
``CursorListPage`` in ``openapi.yaml``: ``data``, ``first_id``, ``last_id``, ``has_more``.
The cursor bookkeeping (``CursorState``) is written once, without I/O; the two streams only
add the requests, each in its own way. A stream is lazy: nothing is sent until it is iterated,
and it may be iterated again (each iteration starts over from the first page).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Generic, Protocol, TypeVar

from ._exceptions import (
    APIError,
    InvalidParameterError,
    OpenAIUsageError,
    PaginationError,
)
from ._pagination import is_transient

__all__ = [
    "DEFAULT_LIST_LIMIT",
    "MAX_LIST_LIMIT",
    "AsyncCursorList",
    "CursorList",
    "CursorPage",
    "CursorState",
    "check_limit",
]

#: Items per page when the caller gives no ``limit``: the API's maximum, so an organization's
#: directory takes as few requests as possible (the API's own default is 20).
DEFAULT_LIST_LIMIT: Final = 100
MAX_LIST_LIMIT: Final = 100

ItemT_co = TypeVar("ItemT_co", covariant=True)


class CursorPage(Protocol[ItemT_co]):
    """What the paging needs of a page: every generated ``...List`` model has these."""

    @property
    def data(self) -> Sequence[ItemT_co]: ...  # pragma: no cover - a protocol
    @property
    def has_more(self) -> bool: ...  # pragma: no cover
    @property
    def last_id(self) -> str | None: ...  # pragma: no cover


T = TypeVar("T")
Item = TypeVar("Item")


def check_limit(limit: object) -> int:
    """``limit`` if it is a valid page size of a cursor list (1 to 100), else refuse it."""
    if limit is None:
        return DEFAULT_LIST_LIMIT
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIST_LIMIT:
        raise InvalidParameterError("limit", limit, f"an int from 1 to {MAX_LIST_LIMIT}")
    return limit


@dataclass
class CursorState:
    """The cursors of one walk through a list: which page comes next, and loop protection.

    The next page's cursor is ``last_id`` (the API's documented cursor), else the last item's
    ``id``. A cursor already followed would loop forever, and so would ``has_more`` on a page
    that offers no cursor at all: both are a ``PaginationError``.
    """

    path: str
    after: str | None = None
    seen: set[str] = field(default_factory=set)
    pages: int = 0
    items: int = 0
    done: bool = False

    def __post_init__(self) -> None:
        if self.after is not None:
            self.seen.add(self.after)

    def accept(self, page: CursorPage[Any]) -> None:
        """Take in the page just fetched with ``self.after``; move to the next one.

        Raises before counting the page as delivered: a page that fails here is not yielded.
        """
        if not page.has_more:
            self._count(page)
            self.done = True
            return
        nxt = page.last_id
        if not nxt and page.data:
            last = page.data[-1]
            nxt = getattr(last, "id", None)
        if not nxt:
            raise PaginationError(
                f"{self.path}: the server says more items follow (has_more) but gives no "
                "cursor (no last_id and no items); stopping rather than asking for the same "
                "page forever.",
                cursor=None,
                last_cursor=self.after,
            )
        if nxt in self.seen:
            raise PaginationError(
                f"{self.path}: the server returned cursor {nxt!r} a second time; following "
                "it would loop forever.",
                cursor=nxt,
                last_cursor=self.after,
            )
        self._count(page)
        self.seen.add(nxt)
        self.after = nxt

    def _count(self, page: CursorPage[Any]) -> None:
        self.pages += 1
        self.items += len(page.data)

    def annotate(self, error: OpenAIUsageError) -> None:
        """Tell an error that interrupted the walk how far it got and how to resume."""
        if error.last_cursor is None:
            error.last_cursor = self.after
        message = str(error.args[0]) if error.args else ""
        if message and not message.endswith((".", "!", "?", ")", "]")):
            message += "."
        # A refusal (400, 401, 403, 404, ...) gets the same answer again: its message says
        # what to fix, never to retry (the usage streams' rule, _pagination.annotate).
        transient = is_transient(error)
        if self.items == 0:
            hint = " Nothing was delivered" + ("; retry with the same arguments." if transient
                                               else ".")  # fmt: skip
        else:
            hint = f" The list stopped after {self.items} item{'s' if self.items != 1 else ''}"
            hint += (f"; resume with after={self.after!r} and the same other arguments."
                     if transient else ".")  # fmt: skip
        error.args = (message + hint, *error.args[1:])
        if isinstance(error, APIError):
            error.message = error.args[0]


#: Fetches one page: (path, query parameters) -> the parsed page.
Fetch = Callable[[str, Mapping[str, Any]], T]


class CursorList(Generic[Item]):
    """A lazy, re-iterable stream of a cursor list's items (``for item in stream``)."""

    def __init__(
        self,
        fetch: Fetch[CursorPage[Item]],
        path: str,
        params: Mapping[str, Any],
        after: str | None = None,
    ) -> None:
        self._fetch = fetch
        self.path = path
        self.params = dict(params)
        self.after = after

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.path} {self.params}>"

    def pages(self) -> Iterator[CursorPage[Item]]:
        """The pages, as the API sent them, fetched one after the other."""
        state = CursorState(self.path, self.after)
        while not state.done:
            params = dict(self.params)
            if state.after is not None:
                params["after"] = state.after
            try:
                page = self._fetch(self.path, params)
                state.accept(page)
            except OpenAIUsageError as error:
                state.annotate(error)
                raise
            yield page

    def __iter__(self) -> Iterator[Item]:
        for page in self.pages():
            yield from page.data

    def to_list(self) -> list[Item]:
        """Every item of every page."""
        return list(self)


class AsyncCursorList(Generic[Item]):
    """The asynchronous twin of ``CursorList`` (``async for item in stream``)."""

    def __init__(
        self,
        fetch: Fetch[Awaitable[CursorPage[Item]]],
        path: str,
        params: Mapping[str, Any],
        after: str | None = None,
    ) -> None:
        self._fetch = fetch
        self.path = path
        self.params = dict(params)
        self.after = after

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.path} {self.params}>"

    async def pages(self) -> AsyncIterator[CursorPage[Item]]:
        """The pages, as the API sent them, fetched one after the other."""
        state = CursorState(self.path, self.after)
        while not state.done:
            params = dict(self.params)
            if state.after is not None:
                params["after"] = state.after
            try:
                page = await self._fetch(self.path, params)
                state.accept(page)
            except OpenAIUsageError as error:
                state.annotate(error)
                raise
            yield page

    async def __aiter__(self) -> AsyncIterator[Item]:
        async for page in self.pages():
            for item in page.data:
                yield item

    async def to_list(self) -> list[Item]:
        """Every item of every page."""
        return [item async for item in self]
