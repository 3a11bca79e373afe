"""Numbers from a server are bounded: one absurd value must not poison every later answer.

An amount of ``1e308`` or ``"1e999999"`` parses as an exact ``Decimal``, and a counter of
``2**70`` as a Python int; stored, either makes every later sum overflow SQLite's 64-bit
integers or ``decimal``'s context, so every report, check and scrape of that store fails for
good. So every number of every result is checked as its page arrives (``check_bucket``):

* an amount (any ``Decimal``): finite, below ``10**12`` in absolute value (a trillion dollars
  a day is no organization's bill), with at most 28 significant digits; negative amounts
  stay valid (credits and refunds);
* a counter (any ``int``): from 0 to ``2**48`` (so sums over years of buckets stay far inside
  64 bits);
* any other number (``float``, e.g. a quantity): finite, below ``2**48`` in absolute value.

A value outside is a ``MalformedResponseError`` (exit 6) naming the field and the bucket;
nothing of that page is delivered, so nothing of it is stored.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import pydantic

from ._exceptions import MalformedResponseError
from ._time import from_unix

if TYPE_CHECKING:
    from ._models import Bucket

__all__ = ["MAX_AMOUNT", "MAX_COUNTER", "MAX_DIGITS", "check_bucket"]

MAX_AMOUNT: Final = Decimal(10) ** 12
MAX_DIGITS: Final = 28
MAX_COUNTER: Final = 2**48


def _problem(value: Any) -> str | None:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return None
    if isinstance(value, Decimal):
        if not value.is_finite():
            return "not a finite amount"
        if abs(value) >= MAX_AMOUNT:
            return f"an amount of {MAX_AMOUNT:,} or more"
        digits = value.as_tuple().digits
        # Trailing zeros are not significant (normalize() would round to the context's 28).
        if len(digits) > MAX_DIGITS and len(bytes(digits).rstrip(b"\0")) > MAX_DIGITS:
            return f"more than {MAX_DIGITS} significant digits"
        return None
    if isinstance(value, int):
        if not 0 <= value <= MAX_COUNTER:
            return f"a count outside 0 to 2**48 ({MAX_COUNTER:,})"
        return None
    if isinstance(value, float) and (not math.isfinite(value) or abs(value) >= MAX_COUNTER):
        return "not a finite number below 2**48"
    return None


def _fields(model: Any, prefix: str = "") -> Any:
    """``(dotted name, value)`` of every field of a result, nested models walked."""
    items = model.items() if isinstance(model, dict) else iter(model)
    for name, value in items:
        path = f"{prefix}{name}"
        if isinstance(value, pydantic.BaseModel | dict):
            yield from _fields(value, path + ".")
        else:
            yield path, value


def check_bucket(bucket: Bucket, cursor: str | None = None) -> None:
    """Refuse a bucket with a number out of bounds (see the module docstring)."""
    for result in bucket.results:
        for name, value in _fields(result):
            why = _problem(value)
            if why is None:
                continue
            shown = str(value)
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            start = f"{from_unix(bucket.start_time):%Y-%m-%dT%H:%M:%SZ}"
            raise MalformedResponseError(
                f"The server sent {name} = {shown} in the bucket of {start}: {why}; stopping "
                "rather than storing or summing a number no bill holds.",
                bucket_start=bucket.start_time,
                reason=f"{name} = {shown}, {why}",
                cursor=cursor,
            )
