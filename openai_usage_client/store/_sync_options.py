"""A sync's options, checked before anything is planned or fetched (``Store.sync``)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .._core._endpoints import ENDPOINTS
from .._core._exceptions import InvalidParameterError
from ._schema import default_group_by

__all__ = ["SyncOptions"]


@dataclass(frozen=True)
class SyncOptions:
    """A sync's checked options (``check`` refuses bad ones before any request)."""

    endpoints: tuple[str, ...]
    start: int | None
    now: int
    settle_days: int
    bucket_width: str
    group_by: Mapping[str, tuple[str, ...]]
    window: int | None
    directory: bool
    #: The endpoints synced with their default grouping (only those may fall back).
    defaulted: frozenset[str] = frozenset()
    #: Try a default grouping the API refused before, without waiting ``RETRY_AFTER_DAYS``.
    retry_refused: bool = False
    #: ``now`` was given: it decides what is settled, not the server's clock.
    clock_given: bool = False
    #: ``[start, end)`` fetched again whatever the store holds of it (rows lost or edited).
    refetch: tuple[int, int] | None = None
    #: No endpoint was named: every series the store holds is refreshed.
    held: bool = False

    @staticmethod
    def check(
        *,
        endpoints: Iterable[str] | None,
        start: int | None,
        now: int | None,
        settle_days: int,
        bucket_width: str,
        group_by: Mapping[str, Sequence[str]] | None,
        window: int | None,
        directory: bool,
        retry_refused: bool = False,
        refetch: tuple[int, int] | None = None,
    ) -> SyncOptions:
        names = tuple(dict.fromkeys(endpoints or ("costs", "completions")))
        if refetch is not None and not refetch[0] < refetch[1]:
            raise InvalidParameterError("refetch", refetch, "(start, end) with start < end")
        for name in names:
            if name not in ENDPOINTS:
                raise InvalidParameterError("endpoints", name, f"one of {', '.join(ENDPOINTS)}")
        if isinstance(settle_days, bool) or not isinstance(settle_days, int) or settle_days < 0:
            raise InvalidParameterError("settle_days", settle_days, "an int >= 0 (days)")
        if bucket_width not in ("1d", "1h"):
            raise InvalidParameterError(
                "bucket_width", bucket_width, "1d or 1h (usage endpoints; costs are always 1d)"
            )
        if window is not None and (isinstance(window, bool) or not 1 <= window <= 31):
            raise InvalidParameterError("window", window, "an int from 1 to 31 (buckets)")
        groups: dict[str, tuple[str, ...]] = {}
        for name in names:
            wanted = tuple((group_by or {}).get(name, default_group_by(name)))
            allowed = ENDPOINTS[name].group_by
            for g in wanted:
                if g not in allowed:
                    raise InvalidParameterError(
                        f"group_by[{name!r}]", g, f"one of {', '.join(allowed)}"
                    )
            groups[name] = wanted
        for name in group_by or {}:
            if name not in names:
                raise InvalidParameterError("group_by", name, "a key among the endpoints synced")
        moment = int(time.time()) if now is None else now
        if start is not None and start > moment:
            raise InvalidParameterError("start", start, f"a time up to now ({moment})")
        return SyncOptions(
            endpoints=names,
            start=start,
            now=moment,
            settle_days=settle_days,
            bucket_width=bucket_width,
            group_by=groups,
            window=window,
            directory=directory,
            defaulted=frozenset(n for n in names if n not in (group_by or {})),
            retry_refused=bool(retry_refused),
            clock_given=now is not None,
            refetch=refetch,
            # A plain sync (no endpoint, grouping or width named) keeps the store current.
            held=not endpoints and not group_by and bucket_width == "1d",
        )
