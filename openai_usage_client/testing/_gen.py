"""Minute-resolution activity, generated lazily one (endpoint, UTC day) at a time.

A day of one endpoint is a sparse list of records ``(minute of day, stream index, counters)``
drawn from a PRNG seeded with a hash of (seed, endpoint, day): the same day always comes out
the same, whatever was asked before, and a year costs nothing until it is asked for.

Every aggregate is a sum of records, so totals agree at every width by construction: a 1h
bucket is the sum of its 60 minutes, a 1d bucket the sum of its 24 hours. Hour sums are
accumulated while generating (they serve 1h and 1d buckets without touching records); the
records are only sorted and sliced for 1m buckets and unaligned bounds.

Counters are integers and each record is internally consistent, so sums are too:

* completions/decisions: ``input_tokens = input_cached_tokens + input_cache_write_tokens +
  input_uncached_tokens`` (the spec: input includes cached and cache-write tokens, uncached
  excludes cache writes); ``input_cache_write_tokens = 12h + 30m``; ``input_uncached_tokens =
  input_text + input_audio + input_image``; ``input_cached_tokens = cached text + cached audio +
  cached image``; ``output_tokens = output text + output audio + output image``.
* vector_stores: ``usage_bytes`` is a storage gauge. It is recorded once per project per day,
  as a snapshot in the first minute of the UTC day (00:00). So a 1d bucket holds that day's
  size, the 00:00 hour and minute hold the same value, every other minute and hour is empty,
  and the sum of finer buckets still equals the coarser one. A partial first bucket that
  starts after 00:00 therefore has no storage row.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from collections.abc import Callable, Sequence
from typing import Final

from ._org import ORG_START_DAY, PROFILES, WEEKEND, Organization, Stream, hash_int

MINUTES: Final = 1440
_MIB: Final = 1 << 20

_TOKENS17: Final = (
    "input_tokens",
    "output_tokens",
    "num_model_requests",
    "input_cached_tokens",
    "input_cache_write_tokens",
    "input_cache_write_12h_tokens",
    "input_cache_write_30m_tokens",
    "input_uncached_tokens",
    "input_text_tokens",
    "output_text_tokens",
    "input_cached_text_tokens",
    "input_audio_tokens",
    "input_cached_audio_tokens",
    "output_audio_tokens",
    "input_image_tokens",
    "input_cached_image_tokens",
    "output_image_tokens",
)

#: The counters of each usage endpoint, in the order results carry them.
COUNTERS: Final[dict[str, tuple[str, ...]]] = {
    "completions": _TOKENS17,
    "decisions": _TOKENS17,
    "embeddings": ("input_tokens", "num_model_requests"),
    "moderations": ("input_tokens", "num_model_requests"),
    "images": ("images", "num_model_requests"),
    "audio_speeches": ("characters", "num_model_requests"),
    "audio_transcriptions": ("seconds", "num_model_requests"),
    "vector_stores": ("usage_bytes",),
    "code_interpreter_sessions": ("num_sessions",),
    "file_search_calls": ("num_requests",),
    "web_search_calls": ("num_model_requests", "num_requests"),
}

Counters = tuple[int, ...]
Sums = dict[int, list[int]]
_Maker = Callable[[Callable[[], float], Stream], Counters]


def _tokens17(r: Callable[[], float], s: Stream) -> Counters:
    n = 1 + int(r() * r() * 6)
    inp = n * int(s.scale * (0.4 + 1.2 * r()))
    out = n * int(s.scale * 0.25 * (0.3 + 1.4 * r()))
    c, w, w12, ia, ii, oa, oi = s.params
    cached = inp * c // 100
    cw = inp * w // 100
    cw12 = cw * w12 // 100
    unc = inp - cached - cw
    in_a, in_i = unc * ia // 100, unc * ii // 100
    ca, ci = cached * ia // 100, cached * ii // 100
    o_a, o_i = out * oa // 100, out * oi // 100
    return (
        inp, out, n, cached, cw, cw12, cw - cw12, unc, unc - in_a - in_i, out - o_a - o_i,
        cached - ca - ci, in_a, ca, o_a, in_i, ci, o_i,
    )  # fmt: skip


def _tokens(r: Callable[[], float], s: Stream) -> Counters:
    n = 1 + int(r() * r() * 5)
    return (n * int(s.scale * (0.5 + r())), n)


def _images(r: Callable[[], float], s: Stream) -> Counters:
    n = 1 + int(r() * 2)
    return (n * s.scale, n)


def _amount(r: Callable[[], float], s: Stream) -> Counters:
    n = 1 + int(r() * r() * 3)
    return (n * int(s.scale * (0.3 + 1.4 * r())), n)


def _sessions(r: Callable[[], float], s: Stream) -> Counters:
    return (1 + int(r() * r() * 3),)


def _file_search(r: Callable[[], float], s: Stream) -> Counters:
    return (1 + int(r() * 4),)


def _web_search(r: Callable[[], float], s: Stream) -> Counters:
    n = 1 + int(r() * 2)
    return (n, n * (1 + int(r() * 2)))


_MAKERS: Final[dict[str, _Maker]] = {
    "completions": _tokens17,
    "decisions": _tokens17,
    "embeddings": _tokens,
    "moderations": _tokens,
    "images": _images,
    "audio_speeches": _amount,
    "audio_transcriptions": _amount,
    "code_interpreter_sessions": _sessions,
    "file_search_calls": _file_search,
    "web_search_calls": _web_search,
}

#: The traffic spike: these UTC hours of ``Organization.spike_day``, this many times busier.
SPIKE_HOURS: Final = range(13, 19)
SPIKE_FACTOR: Final = 6.0


def add_into(acc: Sums, src: Sums) -> None:
    """Add per-stream sums ``src`` into ``acc`` (lists in ``acc`` are owned by ``acc``)."""
    for e, v in src.items():
        a = acc.get(e)
        acc[e] = list(v) if a is None else [x + y for x, y in zip(a, v, strict=True)]


class DayData:
    """One endpoint's activity on one UTC day. Returned sums are shared: never mutate them."""

    __slots__ = ("_day_sums", "_minutes", "hours", "records")

    def __init__(self, hours: list[Sums], records: list[tuple[int, int, Counters]]) -> None:
        self.hours = hours
        self.records = records
        self._minutes: list[int] | None = None
        self._day_sums: Sums | None = None

    def _from_records(self, acc: Sums, m_lo: int, m_hi: int) -> None:
        if m_lo >= m_hi or not self.records:
            return
        minutes = self._minutes
        if minutes is None:
            self.records.sort(key=lambda rec: rec[0])
            minutes = self._minutes = [rec[0] for rec in self.records]
        records = self.records
        for i in range(bisect_left(minutes, m_lo), bisect_left(minutes, m_hi)):
            _, e, v = records[i]
            a = acc.get(e)
            acc[e] = list(v) if a is None else [x + y for x, y in zip(a, v, strict=True)]

    def sums(self, m_lo: int, m_hi: int) -> Sums:
        """Per-stream sums over minutes ``[m_lo, m_hi)`` of the day."""
        m_lo, m_hi = max(m_lo, 0), min(m_hi, MINUTES)
        if m_lo == 0 and m_hi == MINUTES:
            if self._day_sums is None:
                acc: Sums = {}
                for hour in self.hours:
                    add_into(acc, hour)
                self._day_sums = acc
            return self._day_sums
        h_lo, h_hi = -(-m_lo // 60), m_hi // 60
        if h_hi - h_lo == 1 and m_lo == h_lo * 60 and m_hi == h_hi * 60:
            return self.hours[h_lo]
        acc = {}
        if h_lo >= h_hi:
            self._from_records(acc, m_lo, m_hi)
            return acc
        for h in range(h_lo, h_hi):
            add_into(acc, self.hours[h])
        self._from_records(acc, m_lo, h_lo * 60)
        self._from_records(acc, h_hi * 60, m_hi)
        return acc


EMPTY_DAY: Final = DayData([{} for _ in range(24)], [])


def generate_day(org: Organization, name: str, day: int, now: int) -> DayData:
    """Generate endpoint ``name``'s activity on ``day`` (days since the epoch), up to ``now``."""
    day_start = day * 86_400
    if day < ORG_START_DAY or day_start >= now:
        return EMPTY_DAY
    # Minutes at or after ``now`` have not happened yet.
    limit = min(MINUTES, -(-(now - day_start) // 60))
    streams: Sequence[Stream] = org.streams[name]
    hours: list[Sums] = [{} for _ in range(24)]
    records: list[tuple[int, int, Counters]] = []
    if name == "vector_stores":
        for e, s in enumerate(streams):
            if s.first_day <= day < s.last_day:
                mib = s.scale + s.params[0] * (day - s.first_day)
                mib += hash_int(org.seed, name, day, e) % (1 + mib // 20)
                counters = (mib * _MIB,)
                records.append((0, e, counters))
                hours[0][e] = list(counters)
        return DayData(hours, records)
    r = random.Random(hash_int(org.seed, name, day)).random
    make = _MAKERS[name]
    weekend = (day + 3) % 7 >= 5  # day 0 (1970-01-01) was a Thursday
    trend = 0.6 + 0.8 * (day - ORG_START_DAY) / 730
    spike_day = day == org.spike_day
    for e, s in enumerate(streams):
        if not s.first_day <= day < s.last_day:
            continue
        base = s.rate * trend * (WEEKEND[s.profile] if weekend else 1.0)
        spiking = spike_day and s.spikes
        for h, weight in enumerate(PROFILES[s.profile]):
            lam = base * weight * (SPIKE_FACTOR if spiking and h in SPIKE_HOURS else 1.0)
            k = int(lam + r())
            acc: list[int] | None = None
            for _ in range(k):
                m = h * 60 + int(r() * 60)
                v = make(r, s)
                if m >= limit:
                    continue
                records.append((m, e, v))
                acc = list(v) if acc is None else [x + y for x, y in zip(acc, v, strict=True)]
            if acc is not None:
                hours[h][e] = acc
    return DayData(hours, records)
