"""A question put to the store as the API would take it: a width, a grouping, filters.

``Store.select`` answers what a data command asks (``openai-usage costs --db ...``) the way the
API answers it: it picks the stored series by the one rule (``_series``), refuses what the
store cannot honour before reading anything (a width or grouping no series has, a filter on a
field the series is not grouped by), then reads the rows lazily, keeps those the filters
match and sums them to the asked grouping (``_regroup``). The refusals are
``NotStoredError`` (an ``InvalidParameterError``) naming the keyword and what the store holds.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .._core._exceptions import InvalidParameterError
from .._core._rows import Row
from ._regroup import coarser
from ._schema import default_group_by

if TYPE_CHECKING:
    from ._series import StoredSeries


class _Readable(Protocol):
    """What a selection reads of ``Store`` (which calls it: ``Store.select``)."""

    path: str

    def series(
        self, endpoint: str, covering: Sequence[str] = (), *, bucket_width: str | None = None
    ) -> list[StoredSeries]: ...

    def rows(
        self, endpoint: str, start: Any = None, end: Any = None, names: bool = True, *,
        organization: str | None = None, bucket_width: str | None = None,
        group_by: Sequence[str] | None = None, provisional: bool = False,
    ) -> Iterator[Row]: ...  # fmt: skip


__all__ = ["NotStoredError", "Selection", "select"]


class NotStoredError(InvalidParameterError):
    """The store cannot answer as asked: ``param`` is the keyword (``bucket_width``,
    ``group_by``, a filtered column, or ``endpoint`` when nothing of it is stored) and
    ``allowed`` says what the store holds and which sync would hold it."""

    def __init__(self, param: str, value: object, why: str) -> None:
        super().__init__(param, value, why)


@dataclass
class Selection:
    """What ``Store.select`` chose, and its rows: ``series`` read, ``group_by`` the rows'
    grouping (the asked one), ``rows`` lazily (read once)."""

    series: StoredSeries
    group_by: list[str]
    rows: Iterator[Row]


def _described(held: Sequence[StoredSeries]) -> str:
    return "; ".join(f"{s.bucket_width} by {', '.join(s.group_by) or 'nothing'}" for s in held)


def pick(
    store: _Readable, endpoint: str, bucket_width: str | None, group_by: Sequence[str] | None
) -> StoredSeries:
    """The series that answers: of ``bucket_width`` if given, whose grouping covers
    ``group_by``, the first by the one rule; ``NotStoredError`` when none does."""
    held = store.series(endpoint)
    if not held:
        why = f"{store.path} holds no {endpoint}: sync it with --endpoint {endpoint}"
        raise NotStoredError("endpoint", endpoint, why)
    found = store.series(endpoint, group_by or (), bucket_width=bucket_width)
    if found:
        return found[0]
    if bucket_width is not None and not store.series(endpoint, bucket_width=bucket_width):
        why = f"the store holds {endpoint} as: {_described(held)}"
        raise NotStoredError("bucket_width", bucket_width, why)
    lacking = ", ".join(sorted(set(group_by or ()) - {g for s in held for g in s.group_by}))
    why = (
        f"the store holds {endpoint} as: {_described(held)}; it has no "
        f"{lacking or 'that combination'}: sync --endpoint {endpoint} keeps {endpoint} by "
        f"{', '.join(default_group_by(endpoint))}"
    )
    raise NotStoredError("group_by", list(group_by or ()), why)


def select(
    store: _Readable,
    endpoint: str,
    start: int,
    end: int,
    *,
    bucket_width: str | None = None,
    group_by: Sequence[str] | None = None,
    where: Mapping[str, Any] | None = None,
    provisional: bool = True,
) -> Selection:
    """See ``Store.select``."""
    series = pick(store, endpoint, bucket_width, group_by)
    stored = list(series.group_by)
    where = {k: v for k, v in (where or {}).items() if v not in (None, [], ())}
    for column in where:
        if column not in stored:
            why = (
                f"the stored {endpoint} are not grouped by {column} "
                f"(grouped by {', '.join(stored) or 'nothing'})"
            )
            raise NotStoredError(column, where[column], why)
    # None: as stored; a grouping (``[]`` too: none, as the API without group_by) is summed to.
    asked = [g for g in stored if g in set(stored if group_by is None else group_by)]
    read = store.rows(
        endpoint, start, end, names=False, bucket_width=series.bucket_width,
        group_by=stored, provisional=provisional,
    )  # fmt: skip
    kept = (r for r in read if all(_keep(r[c], v, c) for c, v in where.items()))
    rows = kept if asked == stored else coarser(kept, endpoint, asked)
    return Selection(series, asked, rows)


def _keep(value: Any, wanted: Any, column: str) -> bool:
    from .._core._summarize import model_matches

    if isinstance(wanted, bool):
        return value is wanted
    if isinstance(wanted, str):
        wanted = (wanted,)
    if column == "model":  # the name or a dated snapshot of it, as the API path matches
        return any(model_matches(value, w) for w in wanted)
    return value in wanted
