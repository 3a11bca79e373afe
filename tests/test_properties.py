"""R6: properties, checked by hypothesis on generated inputs (seeded, bounded).

* ``split_range``: windows cover the range exactly, never overlap, start aligned after the
  first, hold at most ``limit`` buckets each, and are as few as possible.
* Time inputs round-trip: int <-> datetime <-> ISO string <-> date.
* Any result that is valid under ``openapi.yaml``'s schemas parses, into the type its
  ``object`` names, with every number and every unknown field kept; any JSON at all either
  parses or raises ``APIResponseValidationError`` (``pydantic.ValidationError`` on the
  dict path), never anything else.
* Money: decimal strings of any length are read exactly; JSON numbers with up to 15
  significant digits are read exactly; longer JSON numbers come out as the nearest double
  (the limit of pydantic's float path; documented in RELIABILITY.md).

The result strategies are derived from the schemas at run time (``openapi.yaml`` components)
by a small JSON-schema-to-hypothesis translator below, so a field added to the spec is
generated without touching this file.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pydantic
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openai_usage_client import APIResponseValidationError, CostsResultAmount, UnknownResult
from openai_usage_client._core._client_base import ClientSettings, parse_page
from openai_usage_client._core._models import Page
from openai_usage_client._core._time import align_down, from_unix, split_range, to_unix

SETTINGS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MAX_UNIX = 253_402_300_799  # 9999-12-31T23:59:59Z
WIDTHS = {"1m": (60, 1440), "1h": (3600, 168), "1d": (86400, 31)}


# --- split_range ----------------------------------------------------------------------------


@st.composite
def ranges(draw: st.DrawFn) -> tuple[int, int, int, int]:
    width, maximum = WIDTHS[draw(st.sampled_from(sorted(WIDTHS)))]
    limit = draw(st.integers(1, maximum))
    start = draw(st.integers(0, 2_000_000_000))
    aligned = draw(st.booleans())
    if aligned:
        start = align_down(start, width)
    length = draw(st.integers(1, width * limit * draw(st.sampled_from([1, 3, 40]))))
    end = start + length
    if draw(st.booleans()):
        end = align_down(end, width) if align_down(end, width) > start else end
    return start, end, width, limit


def buckets_in(lo: int, hi: int, width: int) -> int:
    """How many API buckets ``[lo, hi)`` holds (the first and last may be partial)."""
    return -(-(hi - align_down(lo, width)) // width)


@SETTINGS
@given(ranges())
def test_split_range_covers_exactly_without_overlap_and_within_limit(
    case: tuple[int, int, int, int],
) -> None:
    start, end, width, limit = case
    windows = split_range(start, end, width, limit)
    assert windows[0][0] == start
    assert windows[-1][1] == end
    for (_, hi), (lo, _) in itertools.pairwise(windows):
        assert hi == lo  # contiguous: no gap, no overlap
    for i, (lo, hi) in enumerate(windows):
        assert lo < hi
        if i:
            assert lo % width == 0, "a window after the first starts off a bucket boundary"
        assert buckets_in(lo, hi, width) <= limit
    # As few windows as the limit allows.
    assert len(windows) == -(-buckets_in(start, end, width) // limit)
    # Every bucket boundary inside the range is in exactly one window.
    total = sum(buckets_in(lo, hi, width) for lo, hi in windows)
    assert total == buckets_in(start, end, width)


@SETTINGS
@given(st.integers(0, 2**40), st.integers(-(2**40), 0), st.sampled_from([60, 3600, 86400]))
def test_split_range_of_an_empty_range_is_empty(start: int, back: int, width: int) -> None:
    assert split_range(start, start + back, width, 7) == []


# --- time inputs ----------------------------------------------------------------------------

offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


@SETTINGS
@given(st.integers(0, MAX_UNIX - 86_400))
def test_unix_seconds_round_trip_through_datetime_iso_and_digits(seconds: int) -> None:
    dt = from_unix(seconds)
    assert dt.tzinfo is not None and dt.utcoffset() == timedelta(0)
    assert to_unix(seconds, "t") == seconds
    assert to_unix(dt, "t") == seconds
    assert to_unix(dt.isoformat(), "t") == seconds
    assert to_unix(dt.strftime("%Y-%m-%dT%H:%M:%SZ"), "t") == seconds
    assert to_unix(dt.replace(tzinfo=None), "t") == seconds  # naive is UTC
    assert to_unix(dt.replace(tzinfo=None).isoformat(), "t") == seconds
    assert to_unix(str(seconds), "t") == seconds
    assert to_unix(float(seconds) + 0.75, "t") == seconds
    day = dt.date()
    assert to_unix(day, "t") == align_down(seconds, 86_400)
    assert to_unix(day.isoformat(), "t") == align_down(seconds, 86_400)
    assert from_unix(to_unix(day, "t")).date() == day


@SETTINGS
@given(
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9999, 12, 30)),
    offsets,
)
def test_aware_datetimes_round_trip_in_any_offset(naive: datetime, tz: timezone) -> None:
    dt = naive.replace(tzinfo=tz)
    expected = math.floor(dt.timestamp())
    assert to_unix(dt, "t") == expected
    assert to_unix(dt.isoformat(), "t") == expected
    assert to_unix(dt.astimezone(UTC), "t") == expected
    assert from_unix(expected) <= dt < from_unix(expected + 1)


@SETTINGS
@given(st.dates(min_value=date(1970, 1, 1), max_value=date(9999, 12, 31)))
def test_dates_are_utc_midnight(day: date) -> None:
    seconds = to_unix(day, "t")
    assert seconds % 86_400 == 0
    assert from_unix(seconds).date() == day
    assert to_unix(day.isoformat(), "t") == seconds
    assert to_unix(datetime(day.year, day.month, day.day), "t") == seconds


# --- schema-valid results -------------------------------------------------------------------

SPEC = Path(__file__).resolve().parent.parent / "openapi.yaml"
TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**64), 2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=8,
)


@cache
def schemas() -> dict[str, Any]:
    spec = yaml.safe_load(SPEC.read_text())
    found: dict[str, Any] = spec["components"]["schemas"]
    return found


def discriminator() -> dict[str, str]:
    """``object`` value -> schema name, from the spec's discriminator mapping."""
    items = schemas()["UsageTimeBucket"]["properties"]["results"]["items"]
    mapping: dict[str, str] = items["discriminator"]["mapping"]
    return {obj: ref.rsplit("/", 1)[1] for obj, ref in mapping.items()}


@cache
def reserved_names() -> frozenset[str]:
    """Every property name and alias in the spec: extra fields must not collide with them."""
    names: set[str] = {"result", "results"}
    for schema in schemas().values():
        for name, prop in (schema.get("properties") or {}).items():
            names.add(name)
            names.update(prop.get("x-aliases", []) if isinstance(prop, dict) else [])
    return frozenset(names)


def from_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A hypothesis strategy for the JSON values valid under ``schema`` (the subset the spec
    uses: $ref, const, anyOf, type lists, object/array/integer/number/string/boolean/null,
    required, additionalProperties, pattern)."""
    if "$ref" in schema:
        return from_schema(schemas()[schema["$ref"].rsplit("/", 1)[1]])
    if "const" in schema:
        return st.just(schema["const"])
    if "anyOf" in schema:
        return st.one_of([from_schema(s) for s in schema["anyOf"]])
    types = schema.get("type", "object")
    if isinstance(types, list):
        return st.one_of([from_schema({**schema, "type": t}) for t in types])
    if types == "null":
        return st.none()
    if types == "boolean":
        return st.booleans()
    if types == "integer":
        return st.integers(-(2**70), 2**70)
    if types == "number":
        return st.one_of(
            st.integers(-(2**53), 2**53),
            st.floats(allow_nan=False, allow_infinity=False, width=64),
        )
    if types == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        return TEXT
    if types == "array":
        return st.lists(from_schema(schema.get("items", {})), max_size=3)
    assert types == "object", schema
    return objects(schema)


def objects(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    props = {name: from_schema(prop) for name, prop in (schema.get("properties") or {}).items()}
    required = set(schema.get("required", []))
    reserved = reserved_names()
    extra_keys = TEXT.filter(lambda k: k not in reserved)

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, strategy in props.items():
            if name in required or draw(st.booleans()):
                out[name] = draw(strategy)
        if schema.get("additionalProperties", True) is not False:
            out.update(draw(st.dictionaries(extra_keys, JSON, max_size=2)))
        return out

    return build()


RESULT_SCHEMAS = sorted(set(discriminator().values()))
TLS_FREE_SETTINGS = ClientSettings.resolve("sk-admin-properties", None, None, None, 2, 4)


def page_of(results: list[Any]) -> bytes:
    body = {
        "object": "page",
        "data": [{"object": "bucket", "start_time": 0, "end_time": 60, "results": results}],
        "has_more": False,
        "next_page": None,
    }
    return json.dumps(body).encode()


def parse(content: bytes) -> Page:
    request = httpx.Request("GET", "https://api.openai.com/v1/organization/usage/completions")
    return parse_page(httpx.Response(200, content=content, request=request), TLS_FREE_SETTINGS)


def check_result(raw: dict[str, Any], parsed: Any) -> None:
    """``parsed`` is ``raw`` read exactly: right type, same numbers, extras kept."""
    schema_name = discriminator().get(raw["object"])
    expected_type = schema_name or "UnknownResult"
    assert type(parsed).__name__ == expected_type
    fields = type(parsed).model_fields
    for key, value in raw.items():
        if key in fields or any(
            key in (f.validation_alias.choices if f.validation_alias else ())
            for f in fields.values()
        ):
            continue
        assert (parsed.model_extra or {}).get(key) == value, f"extra field {key!r} lost"
    for name in fields:
        if name in raw and isinstance(raw[name], bool | int | str) and name != "amount":
            got = getattr(parsed, name)
            assert got == raw[name], name
            if not isinstance(got, float):  # a JSON ``number`` may be written as an int
                assert type(got) is type(raw[name]), name
    if "amount" in raw:
        value = raw["amount"]["value"]
        got = parsed.amount.value
        assert isinstance(got, Decimal)
        if isinstance(value, str):
            assert got.as_tuple() == Decimal(value).as_tuple()
        elif isinstance(value, int):
            assert got == value
        else:
            assert got == Decimal(repr(value))


@cache
def any_result() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of([from_schema(schemas()[name]) for name in RESULT_SCHEMAS])


@settings(SETTINGS, max_examples=200)
@given(data=st.data())
def test_every_schema_valid_result_parses_exactly(data: st.DataObject) -> None:
    raws = data.draw(st.lists(any_result(), min_size=1, max_size=4))
    page = parse(page_of(raws))
    for raw, parsed in zip(raws, page.data[0].results, strict=True):
        check_result(raw, parsed)


@SETTINGS
@given(
    st.from_regex(r"organization\.[a-z_.]{1,20}\.result", fullmatch=True).filter(
        lambda o: o not in discriminator()
    ),
    st.dictionaries(TEXT.filter(lambda k: k != "object"), JSON, max_size=4),
)
def test_unknown_result_types_are_kept_whole(obj: str, fields: dict[str, Any]) -> None:
    raw = {"object": obj, **fields}
    (parsed,) = parse(page_of([raw])).data[0].results
    assert isinstance(parsed, UnknownResult)
    assert {"object": parsed.object, **(parsed.model_extra or {})} == raw


def mutations() -> st.SearchStrategy[Any]:
    """Schema-valid pages with one value somewhere replaced by arbitrary JSON."""
    result = any_result()

    @st.composite
    def build(draw: st.DrawFn) -> Any:
        raw = draw(result)
        page: dict[str, Any] = {
            "object": "page",
            "data": [{"object": "bucket", "start_time": 0, "end_time": 60, "results": [raw]}],
            "has_more": False,
            "next_page": None,
        }
        targets: list[tuple[Any, Any]] = [(page, k) for k in page]
        targets += [(page["data"][0], k) for k in page["data"][0]]
        targets += [(raw, k) for k in raw]
        if isinstance(raw.get("amount"), dict):
            targets += [(raw["amount"], k) for k in raw["amount"]]
        where, key = draw(st.sampled_from(targets))
        if draw(st.booleans()):
            where[key] = draw(JSON)
        else:
            del where[key]
        return page

    return build()


@SETTINGS
@given(st.one_of(mutations(), JSON))
def test_any_json_parses_or_raises_a_validation_error_only(body: Any) -> None:
    content = json.dumps(body).encode()
    try:
        parse(content)
    except APIResponseValidationError as error:
        assert error.status_code == 200
        assert error.excerpt == error.excerpt.strip()
    with contextlib.suppress(pydantic.ValidationError):
        Page.model_validate(json.loads(content))


@SETTINGS
@given(st.binary(max_size=200))
def test_any_bytes_parse_or_raise_a_validation_error_only(content: bytes) -> None:
    with contextlib.suppress(APIResponseValidationError):
        parse(content)


# --- money ----------------------------------------------------------------------------------

DECIMAL_STRINGS = st.from_regex(
    r"-?[0-9]{1,80}(\.[0-9]{1,80})?([eE][-+]?[0-9]{1,3})?", fullmatch=True
)


def amount(value_json: str) -> Decimal:
    """The money read from ``value_json`` (raw JSON text), alone and inside a whole page."""
    text = '{"value": VALUE, "currency": "usd"}'.replace("VALUE", value_json)
    via_json = CostsResultAmount.model_validate_json(text).value
    result = '{"object":"organization.costs.result","amount":AMOUNT}'.replace("AMOUNT", text)
    body = (
        '{"object":"page","has_more":false,"data":[{"object":"bucket",'
        '"start_time":0,"end_time":86400,"results":[RESULT]}]}'
    ).replace("RESULT", result)
    (parsed,) = parse(body.encode()).data[0].results
    assert parsed.amount.value.as_tuple() == via_json.as_tuple()  # type: ignore[union-attr]
    return via_json


@SETTINGS
@given(DECIMAL_STRINGS)
def test_decimal_strings_of_any_length_are_read_exactly(text: str) -> None:
    got = amount(json.dumps(text))
    assert got.as_tuple() == Decimal(text).as_tuple()  # digits, exponent and sign all kept


@st.composite
def json_numbers(draw: st.DrawFn, max_digits: int) -> str:
    digits = draw(st.integers(1, max_digits))
    mantissa = draw(st.integers(10 ** (digits - 1) if digits > 1 else 0, 10**digits - 1))
    sign = draw(st.sampled_from(["", "-"]))
    form = draw(st.sampled_from(["int", "point", "exp"]))
    text = str(mantissa)
    if form == "point":
        point = draw(st.integers(1, len(text)))
        text = text[:-point] + "." + text[-point:] if point < len(text) else "0." + text
    elif form == "exp":
        text += "e" + str(draw(st.integers(-280, 280)))
    return sign + text


@SETTINGS
@given(json_numbers(15))
def test_json_numbers_with_up_to_15_significant_digits_are_read_exactly(text: str) -> None:
    assert amount(text) == Decimal(text)


@SETTINGS
@given(json_numbers(40))
def test_longer_json_numbers_are_read_exactly_or_as_the_nearest_double(text: str) -> None:
    got = amount(text)
    nearest = Decimal(repr(float(text)))
    assert got == Decimal(text) or got == nearest


def test_the_15_digit_limit_is_real() -> None:
    """What RELIABILITY.md documents: past 15-17 digits a JSON number loses digits (send
    money as a string to keep them), while the same digits as a string are kept."""
    long = "0.1234567890123456789"
    assert amount(long) == Decimal("0.12345678901234568")
    assert amount(json.dumps(long)) == Decimal(long)
