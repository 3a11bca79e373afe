"""Late-settling costs and usage: what the fake's figures look like before they are final.

The live API reports a day's costs late and revises them for a day or two (``live-api-facts.md``
section 4: tools re-fetch T-1/T-2). With ``FakeAPI(settle_days=N)`` the costs of a daily bucket
that ended less than ``N`` days before the fake's ``now`` (and of the open bucket) may not be
final yet, each line on its own schedule:

* each line has a settle lag of 1 to ``N`` days (seeded per line: some line items settle
  later than others); it is final once ``age`` (whole days from the bucket's end to ``now``,
  ``-1`` for the open bucket) reaches its lag;
* before that, most lines report a growing fraction of their final amount,
  ``(age + 2) / (lag + 2)``, and a few (one in eight) report more than it and are revised
  downwards as they settle;
* some lines have not arrived at all: a line is missing while ``age`` is below its seeded
  arrival delay (0 or 1 day, never past its lag), so a re-fetch both revises and adds rows.

Usage does not wait for billing: as on the live API, it is there within the hour
(``settle_usage``). A usage bucket that ended an hour or more before ``now`` is final; in
the open bucket, and in one that ended less than an hour ago, each line reports all of its
activity up to an hour before ``now`` and only part (90% to 100%, seeded per line and
minute) of the last hour's: a day's figure is revised by a fraction of a percent at most.

A *line* is one stream of the fake's data at its finest grain (project, line item, key,
user, model...), settled before any grouping: every grouping of one moment adds up the same
lines, so a total and the sum of its parts agree while days are still settling, whatever
groupings were asked.

Everything is a pure function of (seed, bucket, line, now): the same request at the same
``now`` gets the same answer, and the values only move when ``now`` does. ``FakeAPI.totals``
and ``FakeAPI.buckets`` always give the final values (the ground truth a store converges to).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Final, TypeVar

from ._org import hash_int

__all__ = ["USAGE_LAG", "is_settling", "settle_costs", "settle_usage", "usage_settling"]

DAY: Final = 86_400
#: Usage is final this long after its activity (the live API: within the hour).
USAGE_LAG: Final = 3_600
K = TypeVar("K")


def _age(bucket_end: int, now: int) -> int:
    """Whole days from the bucket's end to ``now`` (-1 while the bucket is still open)."""
    return (now - bucket_end) // DAY


def is_settling(bucket_end: int, now: int, settle_days: int) -> bool:
    """Whether a costs bucket ending at ``bucket_end`` is not final yet at ``now``."""
    return settle_days > 0 and _age(bucket_end, now) < settle_days


def _share(seed: int, bucket_start: int, key: object, age: int, settle_days: int) -> Decimal | None:
    """What share of its final value a line of a settling bucket reports at ``age``: 1 once
    settled, ``None`` while it has not arrived, else a growing share (a few report high)."""
    lag = 1 + hash_int(seed, "lag", bucket_start, key) % settle_days
    if age >= lag:
        return Decimal(1)
    if age < min(hash_int(seed, "settle", bucket_start, key) % 2, lag - 1):
        return None  # this line has not arrived yet
    share = Decimal(age + 2) / Decimal(lag + 2)
    if hash_int(seed, "down", bucket_start, key) % 8 == 0:
        share = 2 - share  # reported high, revised downwards as it settles
    return share


def settle_costs(
    rows: Sequence[tuple[K, Sequence[Decimal | int]]],
    *,
    seed: int,
    bucket_start: int,
    bucket_end: int,
    now: int,
    settle_days: int,
) -> list[tuple[K, list[Decimal | int]]]:
    """The costs rows ``(key, (quantity, amount))`` of one bucket as reported at ``now``."""
    if not is_settling(bucket_end, now, settle_days):
        return [(key, list(values)) for key, values in rows]
    age = max(_age(bucket_end, now), -1)
    out: list[tuple[K, list[Decimal | int]]] = []
    for key, (quantity, amount) in rows:
        share = _share(seed, bucket_start, key, age, settle_days)
        if share is None:
            continue
        if share == 1:
            out.append((key, [quantity, amount]))
        else:
            # Quantize to a short, exact decimal.
            out.append((key, [quantity, (Decimal(amount) * share).quantize(Decimal("1e-10"))]))
    return out


def usage_settling(bucket_end: int, now: int, settle_days: int) -> bool:
    """Whether a usage bucket ending at ``bucket_end`` may still grow at ``now``."""
    return settle_days > 0 and now - bucket_end < USAGE_LAG


def settle_usage(
    rows: Sequence[tuple[K, Sequence[Decimal | int]]],
    recent: Mapping[K, Sequence[Decimal | int]],
    *,
    seed: int,
    bucket_start: int,
    now: int,
) -> list[tuple[K, list[Decimal | int]]]:
    """The usage rows ``(key, counters)`` of a bucket still settling at ``now``: each line
    whole up to an hour before ``now``; of ``recent`` (its counters over that last hour) a
    share of 90% to 100%, whole counts."""
    minute = now // 60
    out: list[tuple[K, list[Decimal | int]]] = []
    for key, values in rows:
        late = recent.get(key)
        if late is None:
            out.append((key, list(values)))
            continue
        share = Decimal(90 + hash_int(seed, "usage", bucket_start, key, minute) % 11) / 100
        kept = [
            v - late_v + int(Decimal(late_v) * share)
            for v, late_v in zip(values, late, strict=True)
        ]
        if any(kept):
            out.append((key, kept))
    return out
