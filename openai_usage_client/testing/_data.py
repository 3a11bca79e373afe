"""The fake's data: cached days, costs derived from usage, filtering and grouping.

Streams of an endpoint are fixed for the life of the organization, so a filter or a grouping
is turned once into a *projection*: for each stream index, the group key it adds into, or
``None`` when the filters exclude it. Aggregating a bucket is then a loop over the few streams
active in it.

Costs are not generated separately: a cost line is usage x a price from ``_org``, per stream,
so costs agree with usage exactly (amounts are Decimals; ``quantity`` is an int, or a Decimal
for storage in GiB-hours).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from decimal import Decimal
from typing import Final, Generic, TypeVar

from .._core._endpoints import ENDPOINTS
from ._discrepancies import Discrepancy, Injector
from ._gen import COUNTERS, DayData, generate_day
from ._org import (
    BATCH_DISCOUNT,
    CHARACTER_PRICES,
    DAY,
    FILE_SEARCH_PRICE,
    IMAGE_PRICES,
    SECOND_PRICES,
    SESSION_PRICE,
    STORAGE_PRICE,
    TOKEN_PRICES,
    WEB_SEARCH_PRICES,
    Dim,
    Organization,
)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
Number = int | Decimal
NumSums = dict[int, list[Number]]
GroupKey = tuple[Dim, ...]
#: ``(dimension index, allowed values)`` pairs, sorted: a hashable form of the filters.
FilterKey = tuple[tuple[int, frozenset[Dim]], ...]


class LRU(Generic[K, V]):
    """A small thread-safe LRU map (the server answers from many threads)."""

    def __init__(self, maxsize: int) -> None:
        self._data: OrderedDict[K, V] = OrderedDict()
        self._maxsize = maxsize
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def discard_where(self, doomed: Callable[[K], bool]) -> None:
        with self._lock:
            for key in [k for k in self._data if doomed(k)]:
                del self._data[key]

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put_if(self, key: K, value: V, valid: Callable[[], bool]) -> None:
        """``put`` unless ``valid()`` is false (checked under the lock)."""
        with self._lock:
            if not valid():
                return
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._maxsize:
                self._data.popitem(last=False)

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._maxsize:
                self._data.popitem(last=False)


#: Quantity unit of each cost line kind.
_UNITS: Final = {
    "input": "tokens",
    "cached input": "tokens",
    "output": "tokens",
    "images": "images",
    "characters": "characters",
    "transcription": "duration_seconds",
    "storage": "gibibyte_hours",
    "sessions": "sessions",
    "calls": "calls",
}
#: A daily storage snapshot in bytes -> GiB-hours for that day. Exact: 24 / 2**30.
_GIB_HOURS_PER_BYTE_DAY: Final = Decimal(24) / Decimal(1 << 30)
#: (cost stream, counter indices summed into the quantity, quantity multiplier, unit price).
_CostLink = tuple[int, tuple[int, ...], Number, Decimal]


class CostModel:
    """Cost streams (``project_id, line_item, api_key_id, user_id, api_source``) and how each
    usage stream feeds them."""

    def __init__(self, org: Organization) -> None:
        self.entities: list[GroupKey] = []
        self.units: dict[str, str] = {}
        self.links: dict[str, list[list[_CostLink]]] = {}
        index: dict[GroupKey, int] = {}

        def link(
            dims: GroupKey, kind: str, idx: tuple[int, ...], price: Decimal, mult: Number = 1
        ) -> _CostLink:
            line_item = dims[1]
            assert isinstance(line_item, str)
            self.units[line_item] = _UNITS[kind]
            if dims not in index:
                index[dims] = len(self.entities)
                self.entities.append(dims)
            return (index[dims], idx, mult, price)

        for name, streams in org.streams.items():
            per_stream: list[list[_CostLink]] = []
            for s in streams:
                d = s.dims
                lines: list[_CostLink] = []
                if name in ("completions", "decisions"):
                    project, user, key, model, batch, _tier, source = d
                    p_in, p_cached, p_out = TOKEN_PRICES[str(model)]
                    f = BATCH_DISCOUNT if batch else Decimal(1)
                    # Batch is billed on line items of its own, at its own price: one line
                    # item has one unit price (reconciliation derives it exactly).
                    prefix = "batch " if batch else ""
                    # Input is billed on uncached + cache-write tokens (indices in _gen order).
                    for kind, idx, price in (
                        ("input", (7, 4), p_in),
                        ("cached input", (3,), p_cached),
                        ("output", (1,), p_out),
                    ):
                        dims = (project, f"{model}, {prefix}{kind}", key, user, source)
                        lines.append(link(dims, kind, idx, price * f))
                elif name == "embeddings":
                    project, user, key, model = d
                    lines.append(
                        link((project, f"{model}, input", key, user, None), "input", (0,),
                             TOKEN_PRICES[str(model)][0])
                    )  # fmt: skip
                elif name in ("images", "audio_speeches", "audio_transcriptions"):
                    project, user, key, model = d[:4]
                    kind, table = {
                        "images": ("images", IMAGE_PRICES),
                        "audio_speeches": ("characters", CHARACTER_PRICES),
                        "audio_transcriptions": ("transcription", SECOND_PRICES),
                    }[name]
                    dims = (project, f"{model}, {kind}", key, user, None)
                    lines.append(link(dims, kind, (0,), table[str(model)]))
                elif name == "vector_stores":
                    dims = (d[0], "vector store storage", None, None, None)
                    lines.append(
                        link(dims, "storage", (0,), STORAGE_PRICE, _GIB_HOURS_PER_BYTE_DAY)
                    )
                elif name == "code_interpreter_sessions":
                    dims = (d[0], "code interpreter sessions", None, None, None)
                    lines.append(link(dims, "sessions", (0,), SESSION_PRICE))
                elif name == "file_search_calls":
                    project, user, key, _vs = d
                    dims = (project, "file search tool calls", key, user, None)
                    lines.append(link(dims, "calls", (0,), FILE_SEARCH_PRICE))
                elif name == "web_search_calls":
                    project, user, key, _model, level, source = d
                    # One line item per search context size, each at its own price.
                    dims = (project, f"web search tool calls ({level} context)", key, user, source)
                    lines.append(link(dims, "calls", (1,), WEB_SEARCH_PRICES[str(level)]))
                # Moderations are free: no cost line.
                per_stream.append(lines)
            self.links[name] = per_stream


class Store:
    """Cached per-day data of every endpoint of one organization, up to ``now``."""

    def __init__(
        self, org: Organization, now: int, max_days: int = 8192, *, discrepancies: bool = False
    ) -> None:
        self.org = org
        self.now = now
        #: Bumped when the clock moves by a minute or more: what was made before is suspect.
        self.epoch = 0
        self.costs = CostModel(org)
        #: Billing mistakes made on purpose (``_discrepancies``), or ``None``.
        self.injector = Injector(org, self.costs.entities) if discrepancies else None
        self._days: LRU[tuple[str, int], DayData] = LRU(max_days)
        self._cost_days: LRU[int, NumSums] = LRU(max_days // 4)
        self._projections: LRU[tuple[str, tuple[int, ...], FilterKey], list[GroupKey | None]] = LRU(
            1024
        )

    def move_now(self, now: int, *, since: int) -> None:
        """Set ``now``; forget the days from the one holding ``since`` on (they change).

        ``now`` is set before ``epoch`` moves, and readers read ``epoch`` before ``now``: so a
        day made from the old clock by another thread meanwhile is never cached after this.
        """
        self.now = now
        self.epoch += 1
        first = since // DAY
        self._days.discard_where(lambda key: key[1] >= first)
        self._cost_days.discard_where(lambda day: day >= first)

    def unchanged_since(self, epoch: int) -> Callable[[], bool]:
        """Whether the clock has not moved (by a minute or more) since ``epoch`` was read."""
        return lambda: self.epoch == epoch

    def entities(self, name: str) -> Sequence[GroupKey]:
        if name == "costs":
            return self.costs.entities
        return [s.dims for s in self.org.streams[name]]

    def day(self, name: str, day: int) -> DayData:
        data = self._days.get((name, day))
        if data is None:
            # Generated outside the lock: two threads may both build the same day, and get
            # identical results, which is cheaper than serialising every generation.
            epoch = self.epoch
            data = generate_day(self.org, name, day, self.now)
            self._days.put_if((name, day), data, self.unchanged_since(epoch))
        return data

    def _cost_sums(self, day: int, m_lo: int, m_hi: int) -> NumSums:
        full = m_lo <= 0 and m_hi >= 1440
        if full:
            cached = self._cost_days.get(day)
            if cached is not None:
                return cached
        epoch = self.epoch
        acc = self.honest_cost_sums(day, m_lo, m_hi)
        if self.injector is not None:
            self.injector.apply(day, m_lo, m_hi, acc)
        if full:
            self._cost_days.put_if(day, acc, self.unchanged_since(epoch))
        return acc

    def honest_cost_sums(self, day: int, m_lo: int = 0, m_hi: int = 1440) -> NumSums:
        """Per cost stream ``[quantity, amount]`` of minutes ``[m_lo, m_hi)`` of ``day``:
        usage x the price table, before any injected discrepancy."""
        acc: NumSums = {}
        for name, links in self.costs.links.items():
            for e, vals in self.day(name, day).sums(m_lo, m_hi).items():
                for ce, idx, mult, price in links[e]:
                    qty: Number = sum(vals[i] for i in idx)
                    if not qty:
                        continue
                    if mult != 1:
                        qty = qty * mult
                    a = acc.get(ce)
                    if a is None:
                        acc[ce] = [qty, qty * price]
                    else:
                        a[0] += qty
                        a[1] += qty * price
        return acc

    def day_sums(self, name: str, lo: int, hi: int) -> Mapping[int, Sequence[Number]]:
        """Per-stream sums over ``[lo, hi)`` (Unix seconds), which lie within one UTC day.

        Activity of minute ``m`` happens at the instant the minute starts; it is counted when
        ``lo <= that instant < hi``. The returned mapping is shared: never mutate it.
        """
        day = lo // DAY
        base = day * DAY
        m_lo, m_hi = -(-(lo - base) // 60), -(-(hi - base) // 60)
        if name == "costs":
            return self._cost_sums(day, m_lo, m_hi)
        return self.day(name, day).sums(m_lo, m_hi)

    def range_sums(self, name: str, lo: int, hi: int) -> NumSums:
        """Per-stream sums over any range ``[lo, hi)``."""
        acc: NumSums = {}
        t = lo
        while t < hi:
            end = min(hi, (t // DAY + 1) * DAY)
            for e, v in self.day_sums(name, t, end).items():
                a = acc.get(e)
                acc[e] = list(v) if a is None else [x + y for x, y in zip(a, v, strict=True)]
            t = end
        return acc

    def projection(
        self, name: str, group: tuple[int, ...], filters: FilterKey
    ) -> list[GroupKey | None]:
        key = (name, group, filters)
        proj = self._projections.get(key)
        if proj is None:
            # A grouping the synthetic organization does not model (new in openapi.yaml) is
            # null in every result, as the API sends a grouping field it cannot fill.
            proj = [
                tuple(dims[g] if g < len(dims) else None for g in group)
                if all(dims[i] in allowed for i, allowed in filters)
                else None
                for dims in self.entities(name)
            ]
            self._projections.put(key, proj)
        return proj

    def grouped(
        self,
        name: str,
        sums: Mapping[int, Sequence[Number]],
        group: tuple[int, ...],
        filters: FilterKey,
    ) -> list[tuple[GroupKey, list[Number]]]:
        """Group per-stream sums; sorted by group key so output order is stable."""
        proj = self.projection(name, group, filters)
        acc: dict[GroupKey, list[Number]] = {}
        for e, v in sums.items():
            k = proj[e]
            if k is None:
                continue
            a = acc.get(k)
            acc[k] = list(v) if a is None else [x + y for x, y in zip(a, v, strict=True)]
        return sorted(acc.items(), key=lambda kv: _sort_key(kv[0]))


def _sort_key(key: GroupKey) -> tuple[tuple[int, str], ...]:
    return tuple((0, "") if v is None else (1, str(v)) for v in key)


def injected(store: Store, start: int, end: int) -> list[Discrepancy]:
    """The discrepancies ``store`` injects into the UTC days of ``[start, end)``."""
    if store.injector is None:
        return []
    out = []
    for day in range(start // DAY, -(-end // DAY)):
        if store.injector.kind_on(day) is not None:
            honest = store.honest_cost_sums(day)
            out += store.injector.listed(day, honest, store.costs.entities)
    return out


def counter_names(name: str) -> tuple[str, ...]:
    if name == "costs":
        return ("quantity", "amount")
    return COUNTERS[name]


def dims_of(name: str) -> tuple[str, ...]:
    return ENDPOINTS[name].group_by
