"""Turning grouped sums into wire JSON, quirks included.

Pages are assembled from per-bucket ``results`` texts (which ``_api`` caches), so serving a
page of cached buckets is string joins. Costs are written by hand rather than through
``json.dumps`` because money must go out as an exact decimal JSON number (``json`` would need
a float), or, depending on the ``money_as_string`` knob, as a JSON string such as ``"12.50"``.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Final, Literal

from ._data import GroupKey, Number
from ._faults import QuirkKind
from ._org import Dim, hash_int

MoneyMode = Literal["never", "sometimes", "always"]

#: The ``object`` of the extra result the ``unknown_result`` quirk inserts.
UNKNOWN_RESULT_OBJECT: Final = "organization.usage.future_thing.result"
#: The extra result itself (its fields are made up, as a future type's would be).
UNKNOWN_RESULT: Final = {
    "object": UNKNOWN_RESULT_OBJECT,
    "future_count": 7,
    "project_id": None,
}
#: The field the ``unknown_field`` quirk adds to every result, and its value.
UNKNOWN_FIELD: Final = "future_field"
UNKNOWN_FIELD_VALUE: Final = {"kind": "added-by-fake", "count": 3}
#: Share of cost results whose money is a JSON string in ``"sometimes"`` mode.
_STRING_SHARE: Final = 0.3
_UNKNOWN_RESULT_TEXT: Final = json.dumps(UNKNOWN_RESULT, separators=(",", ":"))
_UNKNOWN_FIELD_TEXT: Final = ',"{}":{}'.format(
    UNKNOWN_FIELD, json.dumps(UNKNOWN_FIELD_VALUE, separators=(",", ":"))
)


def _num(value: Number) -> str:
    return str(value) if isinstance(value, int) else format(value, "f")


def _str(value: object) -> str:
    return json.dumps(value)


def _template(
    result_object: str,
    counters: Sequence[str],
    dims: Sequence[str],
    group: tuple[int, ...],
    quirks: Collection[QuirkKind],
) -> str:
    """A %-format string for one result: counters as ``%d``, grouped values as ``%s``."""
    names = counters
    if "sessions_key" in quirks:
        names = ["sessions" if n == "num_sessions" else n for n in names]
    fields = [f'"object":{_str(result_object)}']
    fields += [f'"{n}":%d' for n in names]
    fields += [f'"{d}":%s' if i in group else f'"{d}":null' for i, d in enumerate(dims)]
    extra = _UNKNOWN_FIELD_TEXT if "unknown_field" in quirks else ""
    return "{" + ",".join(fields).replace("%%", "%%%%") + extra.replace("%", "%%") + "}"


def usage_results(
    result_object: str,
    counters: Sequence[str],
    dims: Sequence[str],
    group: tuple[int, ...],
    rows: Sequence[tuple[GroupKey, Sequence[Number]]],
    quirks: Collection[QuirkKind] = (),
) -> str:
    """The JSON array of one usage bucket's results.

    Written through a %-template rather than ``json.dumps`` of dicts: pages of hundreds of
    buckets are the fake's hot path, and this is several times faster.
    """
    if not rows:
        return "[]"
    template = _template(result_object, counters, dims, group, quirks)
    encoded: dict[Dim, str] = {}
    parts = []
    for key, vals in rows:
        keys = []
        for v in key:
            text = encoded.get(v)
            if text is None:
                text = encoded[v] = _str(v)
            keys.append(text)
        parts.append(template % (*vals, *keys))
    return "[" + ",".join(parts) + "]"


def cost_results(
    dims: Sequence[str],
    group: tuple[int, ...],
    rows: Sequence[tuple[GroupKey, Sequence[Number]]],
    units: dict[str, str],
    money: MoneyMode,
    seed: int,
    bucket_start: int,
    quirks: Collection[QuirkKind] = (),
) -> str:
    """The JSON array of one costs bucket's results.

    ``quantity`` and ``quantity_unit`` are only meaningful per line item, so they are null
    unless the request groups by ``line_item`` (as the spec describes).
    """
    if not rows:
        return "[]"
    line_at = dims.index("line_item")
    by_line = line_at in group
    parts = []
    for key, (qty, amount) in rows:
        values: list[object] = [None] * len(dims)
        for g, v in zip(group, key, strict=True):
            values[g] = v
        text = _num(amount)
        if money == "always" or (
            money == "sometimes"
            and hash_int(seed, "money", bucket_start, key) / 2.0**64 < _STRING_SHARE
        ):
            text = f'"{text}"'
        fields = "".join(f',"{d}":{_str(v)}' for d, v in zip(dims, values, strict=True))
        line = values[line_at]
        if by_line and isinstance(line, str):
            unit = units[line]
            quantity = f',"quantity":{_num(qty)},"quantity_unit":{_str(unit)}'
        else:
            quantity = ',"quantity":null,"quantity_unit":null'
        extra = _UNKNOWN_FIELD_TEXT if "unknown_field" in quirks else ""
        parts.append(
            '{"object":"organization.costs.result","amount":{"value":'
            f'{text},"currency":"usd"}}{fields}{quantity}{extra}}}'
        )
    return "[" + ",".join(parts) + "]"


def page(
    buckets: Sequence[tuple[int, int, str]],
    next_page: str | None,
    quirks: Collection[QuirkKind] = (),
) -> bytes:
    """A whole page; ``buckets`` are ``(start, end, results JSON array)``."""
    key = "result" if "result_key" in quirks else "results"
    extra = "unknown_result" in quirks
    parts = []
    for start, end, results in buckets:
        text = results
        if extra:
            sep = "" if results == "[]" else ","
            text = f"{results[:-1]}{sep}{_UNKNOWN_RESULT_TEXT}]"
        parts.append(f'{{"object":"bucket","start_time":{start},"end_time":{end},"{key}":{text}}}')
    has_more = "true" if next_page is not None else "false"
    cursor = "null" if next_page is None else _str(next_page)
    return (
        '{"object":"page","data":['
        + ",".join(parts)
        + f'],"has_more":{has_more},"next_page":{cursor}}}'
    ).encode()
