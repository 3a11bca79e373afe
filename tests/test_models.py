"""The generated pydantic models and request builders, against the wire format.

Inputs: the two seed documents' field names and the upstream spec's example payloads, restated
in ``tests/data/`` (checked against the originals in ``../shared/`` when it is beside the
clone, skipped with the reason otherwise), and the live API's quirks
(``../shared/reference/live-api-facts.md``, section 3).
"""

from __future__ import annotations

import asyncio
import json
import re
from decimal import Decimal
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import respx
import yaml
from _shared import DATA, shared_file
from pydantic import AliasChoices, BaseModel, ValidationError

from openai_usage_client._generated import models
from openai_usage_client._generated.api.usage import completions
from openai_usage_client._generated.models import (
    CostsResult,
    CostsResultAmount,
    ErrorResponse,
    UnknownResult,
    UsageAudioSpeechesResult,
    UsageAudioTranscriptionsResult,
    UsageCodeInterpreterSessionsResult,
    UsageCompletionsResult,
    UsageDecisionsResult,
    UsageEmbeddingsResult,
    UsageFileSearchCallsResult,
    UsageImagesResult,
    UsageModerationsResult,
    UsageResponse,
    UsageTimeBucket,
    UsageVectorStoresResult,
    UsageWebSearchCallsResult,
)

UPSTREAM = "reference/upstream-usage-costs-extract.yaml"
SEED_DATA: dict[str, list[str]] = json.loads((DATA / "seed_fields.json").read_text())["seeds"]
EXAMPLES: dict[str, dict[str, Any]] = json.loads((DATA / "upstream_examples.json").read_text())

RESULT_MODELS: tuple[type[BaseModel], ...] = (
    UsageCompletionsResult,
    UsageEmbeddingsResult,
    UsageModerationsResult,
    UsageImagesResult,
    UsageAudioSpeechesResult,
    UsageAudioTranscriptionsResult,
    UsageVectorStoresResult,
    UsageCodeInterpreterSessionsResult,
    UsageFileSearchCallsResult,
    UsageWebSearchCallsResult,
    UsageDecisionsResult,
    CostsResult,
)


def _wire_names(model: type[BaseModel]) -> dict[str, str]:
    """Every name a field is read from on the wire -> the model's field name."""
    names: dict[str, str] = {}
    for field_name, info in model.model_fields.items():
        names[field_name] = field_name
        if info.alias:
            names[info.alias] = field_name
        if isinstance(info.validation_alias, str):
            names[info.validation_alias] = field_name
        elif isinstance(info.validation_alias, AliasChoices):
            for choice in info.validation_alias.choices:
                if isinstance(choice, str):
                    names[choice] = field_name
    return names


def _counts(**counters: int) -> dict[str, int]:
    return counters


def _completions(**extra: Any) -> dict[str, Any]:
    return {
        "object": "organization.usage.completions.result",
        "input_tokens": 10,
        "output_tokens": 20,
        "num_model_requests": 3,
        **extra,
    }


def _bucket(results: list[dict[str, Any]], key: str = "results", **extra: Any) -> dict[str, Any]:
    return {
        "object": "bucket",
        "start_time": 1730419200,
        "end_time": 1730505600,
        key: results,
        **extra,
    }


def _page(buckets: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    body = {"object": "page", "data": buckets, "has_more": False, "next_page": None}
    body.update(extra)
    return body


# -- the seeds ------------------------------------------------------------------------------

SEED_FILES = ("000_9b4c1efe8891d9d6.txt", "001_308162d9740dd782.txt")

#: Where each field the seeds describe must land (it may land elsewhere too).
SEED_FIELD_HOMES: dict[str, tuple[type[BaseModel], ...]] = {
    "object": RESULT_MODELS,
    "input_tokens": (
        UsageCompletionsResult,
        UsageDecisionsResult,
        UsageEmbeddingsResult,
        UsageModerationsResult,
    ),
    "input_cached_tokens": (UsageCompletionsResult, UsageDecisionsResult),
    "output_tokens": (UsageCompletionsResult, UsageDecisionsResult),
    "input_audio_tokens": (UsageCompletionsResult, UsageDecisionsResult),
    "output_audio_tokens": (UsageCompletionsResult, UsageDecisionsResult),
    "num_model_requests": (
        UsageCompletionsResult,
        UsageDecisionsResult,
        UsageEmbeddingsResult,
        UsageModerationsResult,
        UsageImagesResult,
        UsageAudioSpeechesResult,
        UsageAudioTranscriptionsResult,
        UsageWebSearchCallsResult,
    ),
    "project_id": RESULT_MODELS,
    "user_id": (
        UsageCompletionsResult,
        UsageDecisionsResult,
        UsageEmbeddingsResult,
        UsageModerationsResult,
        UsageImagesResult,
        UsageAudioSpeechesResult,
        UsageAudioTranscriptionsResult,
        UsageFileSearchCallsResult,
        UsageWebSearchCallsResult,
        CostsResult,
    ),
    "api_key_id": (
        UsageCompletionsResult,
        UsageDecisionsResult,
        UsageEmbeddingsResult,
        UsageModerationsResult,
        UsageImagesResult,
        UsageAudioSpeechesResult,
        UsageAudioTranscriptionsResult,
        UsageFileSearchCallsResult,
        UsageWebSearchCallsResult,
        CostsResult,
    ),
    "model": (
        UsageCompletionsResult,
        UsageDecisionsResult,
        UsageEmbeddingsResult,
        UsageModerationsResult,
        UsageImagesResult,
        UsageAudioSpeechesResult,
        UsageAudioTranscriptionsResult,
        UsageWebSearchCallsResult,
    ),
    "batch": (UsageCompletionsResult, UsageDecisionsResult),
    "images": (UsageImagesResult,),
    "source": (UsageImagesResult,),
    "size": (UsageImagesResult,),
    "characters": (UsageAudioSpeechesResult,),
    "seconds": (UsageAudioTranscriptionsResult,),
    "usage_bytes": (UsageVectorStoresResult,),
    "num_sessions": (UsageCodeInterpreterSessionsResult,),
    "sessions": (UsageCodeInterpreterSessionsResult,),
    "amount": (CostsResult,),
    "line_item": (CostsResult,),
}


def _snake(name: str) -> str:
    name = name.rstrip("_")  # Dart escapes reserved words: ``source_``
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _seed_names(text: str) -> list[str]:
    """The property names of a seed document's table, as written there."""
    return re.findall(r"^\*\*([A-Za-z_][A-Za-z0-9_]*)\*\* \|", text, flags=re.MULTILINE)


def _seed_fields(seed: str) -> list[str]:
    return [_snake(name) for name in SEED_DATA[seed]]


@pytest.mark.parametrize("seed", SEED_FILES)
def test_seed_data_matches_the_seed_documents(seed: str) -> None:
    """``tests/data/seed_fields.json`` against ``../shared/seeds/`` (skipped without it)."""
    text = shared_file(f"seeds/{seed}").read_text()
    assert _seed_names(text) == SEED_DATA[seed]


def test_seed_data_covers_both_seeds() -> None:
    assert sorted(SEED_DATA) == sorted(SEED_FILES)


def test_snake_case_conversion() -> None:
    assert _snake("inputTokens") == "input_tokens"
    assert _snake("source_") == "source"
    assert _snake("numSessions") == "num_sessions"
    assert _snake("usage_bytes") == "usage_bytes"
    assert _snake("object") == "object"


@pytest.mark.parametrize("seed", SEED_FILES)
def test_seed_fields_exist_in_models(seed: str) -> None:
    fields = _seed_fields(seed)
    assert len(fields) == 21, f"expected the 21 rows of the seed's property table, got {fields}"
    assert len(set(fields)) == 21
    everywhere = set().union(*(_wire_names(m) for m in RESULT_MODELS))
    missing = [f for f in fields if f not in everywhere]
    assert missing == [], f"seed fields missing from every result model: {missing}"
    for field in fields:
        assert field in SEED_FIELD_HOMES, f"no expected home stated for seed field {field!r}"
        for model in SEED_FIELD_HOMES[field]:
            assert field in _wire_names(model), f"{field!r} is not a field of {model.__name__}"


def test_seeds_name_the_code_interpreter_count_differently() -> None:
    dart, perl = (set(_seed_fields(seed)) for seed in SEED_FILES)
    assert dart - perl == {"num_sessions"}
    assert perl - dart == {"sessions"}
    names = _wire_names(UsageCodeInterpreterSessionsResult)
    assert names["num_sessions"] == names["sessions"] == "num_sessions"


def test_seed_typed_fields_land_on_the_right_models() -> None:
    assert _wire_names(UsageVectorStoresResult)["usage_bytes"] == "usage_bytes"
    assert "usage_bytes" not in _wire_names(UsageCompletionsResult)
    assert CostsResult.model_fields["amount"].annotation in (CostsResultAmount, "CostsResultAmount")
    assert "line_item" in CostsResult.model_fields
    assert "amount" not in _wire_names(UsageCompletionsResult)
    costs = CostsResult.model_validate(
        {
            "object": "organization.costs.result",
            "amount": {"value": "1.25", "currency": "usd"},
            "line_item": "gpt-4o-2024-08-06, input",
        }
    )
    assert isinstance(costs.amount, CostsResultAmount)
    assert costs.amount.value == Decimal("1.25")
    assert costs.line_item == "gpt-4o-2024-08-06, input"
    images = UsageImagesResult.model_validate(
        {
            "object": "organization.usage.images.result",
            "images": 4,
            "num_model_requests": 2,
            "source": "image.edit",
            "size": "1024x1024",
        }
    )
    assert (images.images, images.source, images.size) == (4, "image.edit", "1024x1024")


# -- the upstream examples -------------------------------------------------------------------


def _upstream() -> dict[str, Any]:
    with shared_file(UPSTREAM).open() as fh:
        loaded: dict[str, Any] = yaml.safe_load(fh)
    return loaded


def _example_response(path: str) -> str:
    """The upstream example response of ``path`` (from ``tests/data``), as JSON text."""
    return json.dumps(EXAMPLES["responses"][path])


def test_example_data_matches_the_upstream_extract() -> None:
    """``tests/data/upstream_examples.json`` against the extract (skipped without it)."""
    upstream = _upstream()
    responses = {
        path: json.loads(item["get"]["x-oaiMeta"]["examples"]["response"])
        for path, item in upstream["paths"].items()
    }
    schemas = {
        name: json.loads(schema["x-oaiMeta"]["example"])
        for name, schema in upstream["components"]["schemas"].items()
        if "example" in (schema.get("x-oaiMeta") or {})
    }
    assert EXAMPLES["responses"] == responses
    assert EXAMPLES["schemas"] == schemas


def test_example_data_has_every_path_and_schema() -> None:
    assert set(EXAMPLES["responses"]) == set(EXAMPLE_TYPES)
    assert set(EXAMPLES["schemas"]) == set(SCHEMA_EXAMPLES)


#: Upstream path -> the concrete type every result of its example must have.
EXAMPLE_TYPES: dict[str, type[BaseModel]] = {
    "/organization/costs": CostsResult,
    "/organization/usage/audio_speeches": UsageAudioSpeechesResult,
    "/organization/usage/audio_transcriptions": UsageAudioTranscriptionsResult,
    "/organization/usage/code_interpreter_sessions": UsageCodeInterpreterSessionsResult,
    "/organization/usage/completions": UsageCompletionsResult,
    "/organization/usage/embeddings": UsageEmbeddingsResult,
    "/organization/usage/file_search_calls": UsageFileSearchCallsResult,
    "/organization/usage/images": UsageImagesResult,
    "/organization/usage/moderations": UsageModerationsResult,
    "/organization/usage/vector_stores": UsageVectorStoresResult,
    "/organization/usage/web_search_calls": UsageWebSearchCallsResult,
}

#: The counters of each example, stated here so a misread value cannot pass.
EXAMPLE_COUNTERS: dict[str, dict[str, int]] = {
    "/organization/usage/audio_speeches": _counts(characters=45, num_model_requests=1),
    "/organization/usage/audio_transcriptions": _counts(seconds=20, num_model_requests=1),
    "/organization/usage/code_interpreter_sessions": _counts(num_sessions=1),
    "/organization/usage/completions": _counts(
        input_tokens=1000,
        input_cached_tokens=400,
        input_cache_write_tokens=100,
        input_uncached_tokens=500,
        output_tokens=500,
        input_text_tokens=400,
        output_text_tokens=400,
        input_cached_text_tokens=300,
        input_audio_tokens=50,
        input_cached_audio_tokens=50,
        output_audio_tokens=50,
        input_image_tokens=50,
        input_cached_image_tokens=50,
        output_image_tokens=50,
        num_model_requests=5,
    ),
    "/organization/usage/embeddings": _counts(input_tokens=16, num_model_requests=2),
    "/organization/usage/file_search_calls": _counts(num_requests=2),
    "/organization/usage/images": _counts(images=2, num_model_requests=2),
    "/organization/usage/moderations": _counts(input_tokens=16, num_model_requests=2),
    "/organization/usage/vector_stores": _counts(usage_bytes=1024),
    "/organization/usage/web_search_calls": _counts(num_model_requests=2, num_requests=2),
}


def _assert_matches_raw(model: BaseModel, raw: dict[str, Any]) -> None:
    """Every key of the raw JSON object is read, exactly, into the model."""
    names = _wire_names(type(model))
    for key, value in raw.items():
        if key == "amount":
            amount = model.amount  # type: ignore[attr-defined]
            assert amount.value == Decimal(str(value["value"]))
            assert amount.currency == value["currency"]
            continue
        assert key in names, f"{type(model).__name__} has no field for {key!r}"
        got = getattr(model, names[key])
        assert got == value, key
        if isinstance(value, int) and not isinstance(value, bool) and key != "quantity":
            assert type(got) is int, key


def test_upstream_has_an_example_for_every_path() -> None:
    paths = _upstream()["paths"]
    assert set(paths) == set(EXAMPLE_TYPES)
    for path, item in paths.items():
        assert "response" in item["get"]["x-oaiMeta"]["examples"], path


@pytest.mark.parametrize("path", sorted(EXAMPLE_TYPES))
def test_upstream_example_response_parses(path: str) -> None:
    raw_text = _example_response(path)
    raw = json.loads(raw_text)
    page = UsageResponse.model_validate_json(raw_text)
    assert page.object == "page"
    assert page.has_more is raw["has_more"]
    assert page.next_page == raw["next_page"]
    assert len(page.data) == len(raw["data"]) >= 1
    seen = 0
    for bucket, raw_bucket in zip(page.data, raw["data"], strict=True):
        assert (bucket.start_time, bucket.end_time) == (
            raw_bucket["start_time"],
            raw_bucket["end_time"],
        )
        assert len(bucket.results) == len(raw_bucket["results"])
        for result, raw_result in zip(bucket.results, raw_bucket["results"], strict=True):
            assert type(result) is EXAMPLE_TYPES[path]
            _assert_matches_raw(result, raw_result)
            for counter, value in EXAMPLE_COUNTERS.get(path, {}).items():
                assert getattr(result, counter) == value, counter
            seen += 1
    assert seen >= 1


def test_upstream_costs_example_money_is_exact() -> None:
    raw_text = _example_response("/organization/costs")
    result = UsageResponse.model_validate_json(raw_text).data[0].results[0]
    assert isinstance(result, CostsResult)
    assert result.amount.value == Decimal("0.06")
    assert str(result.amount.value) == "0.06"
    assert result.amount.currency == "usd"
    assert result.quantity is None
    assert result.line_item is None


def test_upstream_completions_example_has_a_cursor() -> None:
    raw_text = _example_response("/organization/usage/completions")
    page = UsageResponse.model_validate_json(raw_text)
    assert page.has_more is True
    assert page.next_page == "page_AAAAAGdGxdEiJdKOAAAAAGcqsYA="


SCHEMA_EXAMPLES = (
    "CostsResult",
    "UsageAudioSpeechesResult",
    "UsageAudioTranscriptionsResult",
    "UsageCodeInterpreterSessionsResult",
    "UsageCompletionsResult",
    "UsageEmbeddingsResult",
    "UsageFileSearchCallsResult",
    "UsageImagesResult",
    "UsageModerationsResult",
    "UsageVectorStoresResult",
    "UsageWebSearchCallsResult",
)


def test_upstream_schema_examples_are_all_covered() -> None:
    schemas = _upstream()["components"]["schemas"]
    with_example = {name for name, s in schemas.items() if "example" in (s.get("x-oaiMeta") or {})}
    assert with_example == set(SCHEMA_EXAMPLES)


@pytest.mark.parametrize("name", SCHEMA_EXAMPLES)
def test_upstream_schema_example_parses(name: str) -> None:
    raw_text = json.dumps(EXAMPLES["schemas"][name])
    raw = json.loads(raw_text)
    model_cls: type[BaseModel] = getattr(models, name)
    parsed = model_cls.model_validate_json(raw_text)
    _assert_matches_raw(parsed, raw)
    assert parsed.model_extra == {}
    # ...and the bucket's discriminator picks the same model for it.
    bucket = UsageTimeBucket.model_validate(_bucket([raw]))
    assert type(bucket.results[0]) is model_cls
    assert bucket.results[0] == parsed


# -- quirks of the live API ------------------------------------------------------------------


def test_result_and_results_give_the_same_bucket() -> None:
    results = [_completions(model="gpt-4o"), _completions(model="gpt-4o-mini", input_tokens=7)]
    new = UsageTimeBucket.model_validate(_bucket(results, "results"))
    old = UsageTimeBucket.model_validate(_bucket(results, "result"))
    assert new == old
    assert [r.model for r in old.results] == ["gpt-4o", "gpt-4o-mini"]  # type: ignore[union-attr]
    assert [r.input_tokens for r in old.results] == [10, 7]  # type: ignore[union-attr]
    assert old.model_extra == {}
    assert old.to_dict()["results"] == new.to_dict()["results"]
    assert "result" not in old.to_dict()


def test_bucket_without_results_is_refused() -> None:
    with pytest.raises(ValidationError):
        UsageTimeBucket.model_validate({"object": "bucket", "start_time": 1, "end_time": 2})


def test_empty_bucket() -> None:
    bucket = UsageTimeBucket.model_validate(_bucket([]))
    assert bucket.results == []


@pytest.mark.parametrize("key", ["num_sessions", "sessions"])
def test_code_interpreter_sessions_either_name(key: str) -> None:
    raw = {"object": "organization.usage.code_interpreter_sessions.result", key: 42}
    bucket = UsageTimeBucket.model_validate(_bucket([raw]))
    result = bucket.results[0]
    assert type(result) is UsageCodeInterpreterSessionsResult
    assert result.num_sessions == 42
    assert result.model_extra == {}
    assert result.to_dict() == {
        "object": "organization.usage.code_interpreter_sessions.result",
        "num_sessions": 42,
    }


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("12.50", Decimal("12.50")),
        (0.06, Decimal("0.06")),
        ("0.06", Decimal("0.06")),
        ("0.1000000000000000000001", Decimal("0.1000000000000000000001")),
        (12, Decimal("12")),
        ("-3.20", Decimal("-3.20")),
        ("0", Decimal("0")),
    ],
)
def test_money_as_number_or_string(wire: Any, expected: Decimal) -> None:
    body = json.dumps({"value": wire, "currency": "usd"})
    amount = CostsResultAmount.model_validate_json(body)
    assert isinstance(amount.value, Decimal)
    assert amount.value == expected
    assert amount.value.as_tuple() == expected.as_tuple()  # same digits, same exponent
    assert amount.currency == "usd"
    # The same through the python (dict) path.
    assert CostsResultAmount.model_validate(json.loads(body)).value.as_tuple() == (
        expected.as_tuple()
    )


def test_money_float_is_read_from_its_json_text() -> None:
    # 0.1 + 0.2 style float noise must not appear: 0.07 is not 0.07000000000000000666...
    amount = CostsResultAmount.model_validate_json('{"value": 0.07, "currency": "usd"}')
    assert str(amount.value) == "0.07"


@pytest.mark.parametrize("wire", [True, False, "abc", None, {}, [], "", "1.2.3", "NaN"])
def test_money_that_is_neither_number_nor_decimal_string_is_refused(wire: Any) -> None:
    body = json.dumps({"value": wire, "currency": "usd"})
    with pytest.raises(ValidationError):
        CostsResultAmount.model_validate_json(body)
    with pytest.raises(ValidationError):
        CostsResultAmount.model_validate(json.loads(body))


@pytest.mark.parametrize("wire", ["1_000", " 12.50", "12.50 ", "\u0661\u0662"])
def test_money_string_must_match_the_spec_pattern(wire: str) -> None:
    """openapi.yaml gives money strings the pattern ``^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$``;
    Python's ``Decimal`` is laxer (underscores, padding, non-ASCII digits)."""
    body = json.dumps({"value": wire, "currency": "usd"})
    with pytest.raises(ValidationError):
        CostsResultAmount.model_validate_json(body)


def test_amount_without_currency_is_refused() -> None:
    with pytest.raises(ValidationError):
        CostsResultAmount.model_validate_json('{"value": "1.00"}')


def test_money_round_trips_as_exact_text() -> None:
    amount = CostsResultAmount.model_validate_json(
        '{"value": "0.1000000000000000000001", "currency": "usd"}'
    )
    assert amount.to_dict() == {"value": "0.1000000000000000000001", "currency": "usd"}


@pytest.mark.parametrize("has_more", [True, False])
def test_null_next_page(has_more: bool) -> None:
    page = UsageResponse.model_validate_json(
        json.dumps(_page([_bucket([_completions()])], has_more=has_more, next_page=None))
    )
    assert page.has_more is has_more
    assert page.next_page is None


def test_missing_next_page_is_none() -> None:
    page = UsageResponse.model_validate({"object": "page", "data": [], "has_more": False})
    assert page.next_page is None


def test_string_next_page() -> None:
    page = UsageResponse.model_validate(_page([], has_more=True, next_page="page_abc"))
    assert page.next_page == "page_abc"


@pytest.mark.parametrize("value", [None, "proj_abc"])
def test_nullable_groupings(value: str | None) -> None:
    grouping = {
        "project_id": value,
        "user_id": value,
        "api_key_id": value,
        "model": value,
        "service_tier": value,
        "api_source": value,
    }
    result = UsageCompletionsResult.model_validate(_completions(batch=None, **grouping))
    for key, expected in grouping.items():
        assert getattr(result, key) == expected, key
    assert result.batch is None
    images = UsageImagesResult.model_validate(
        {
            "object": "organization.usage.images.result",
            "images": 1,
            "num_model_requests": 1,
            "source": value,
            "size": value,
        }
    )
    assert (images.source, images.size) == (value, value)
    costs = CostsResult.model_validate(
        {
            "object": "organization.costs.result",
            "amount": {"value": 1, "currency": "usd"},
            "line_item": value,
            "project_id": value,
            "quantity": None,
            "quantity_unit": value,
        }
    )
    assert (costs.line_item, costs.project_id, costs.quantity_unit) == (value, value, value)
    web = UsageWebSearchCallsResult.model_validate(
        {
            "object": "organization.usage.web_searches.result",
            "num_model_requests": 1,
            "num_requests": 1,
            "context_level": value,
        }
    )
    assert web.context_level == value
    files = UsageFileSearchCallsResult.model_validate(
        {
            "object": "organization.usage.file_searches.result",
            "num_requests": 1,
            "vector_store_id": value,
        }
    )
    assert files.vector_store_id == value


def test_batch_grouping_is_a_nullable_bool() -> None:
    assert UsageCompletionsResult.model_validate(_completions(batch=True)).batch is True
    assert UsageCompletionsResult.model_validate(_completions(batch=False)).batch is False


def test_unknown_fields_are_kept_at_every_level() -> None:
    body = _page(
        [
            _bucket(
                [_completions(brand_new_counter=5, nested={"a": [1, 2]})],
                bucket_extra="b",
            )
        ],
        page_extra={"x": 1},
    )
    page = UsageResponse.model_validate_json(json.dumps(body))
    assert page.model_extra == {"page_extra": {"x": 1}}
    bucket = page.data[0]
    assert bucket.model_extra == {"bucket_extra": "b"}
    result = bucket.results[0]
    assert type(result) is UsageCompletionsResult
    assert result.model_extra == {"brand_new_counter": 5, "nested": {"a": [1, 2]}}
    assert result.input_tokens == 10
    # ...and written back out.
    assert page.to_dict() == body


def test_unknown_money_fields_are_kept() -> None:
    amount = CostsResultAmount.model_validate({"value": "1", "currency": "usd", "tax": "0.2"})
    assert amount.model_extra == {"tax": "0.2"}


def test_unknown_result_object_is_kept_and_neighbours_stay_typed() -> None:
    future = {
        "object": "organization.usage.future.result",
        "num_model_requests": 9,
        "input_tokens": 4,
        "output_tokens": 5,
        "widgets": 3,
        "project_id": "proj_x",
    }
    vector = {"object": "organization.usage.vector_stores.result", "usage_bytes": 2048}
    body = _page([_bucket([_completions(), future, vector])])
    page = UsageResponse.model_validate_json(json.dumps(body))
    results = page.data[0].results
    assert [type(r) for r in results] == [
        UsageCompletionsResult,
        UnknownResult,
        UsageVectorStoresResult,
    ]
    unknown = results[1]
    assert isinstance(unknown, UnknownResult)
    assert unknown.object == "organization.usage.future.result"
    assert unknown.model_extra == {k: v for k, v in future.items() if k != "object"}
    assert unknown.to_dict() == future
    assert results[2].usage_bytes == 2048  # type: ignore[union-attr]
    assert page.to_dict() == body


def test_unknown_result_even_when_it_looks_like_a_known_one() -> None:
    # Same fields as completions, unknown ``object``: never mistaken for completions.
    raw = _completions(object="organization.usage.completions_v2.result")
    result = UsageTimeBucket.model_validate(_bucket([raw])).results[0]
    assert type(result) is UnknownResult
    assert result.model_extra == {
        "input_tokens": 10,
        "output_tokens": 20,
        "num_model_requests": 3,
    }


@pytest.mark.parametrize("bad", [{"input_tokens": 1}, {"object": 5}, {"object": None}])
def test_result_without_a_string_object_is_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        UsageTimeBucket.model_validate(_bucket([bad]))


@pytest.mark.parametrize(
    "raw",
    [
        {
            "object": "organization.usage.completions.result",
            "output_tokens": 1,
            "num_model_requests": 1,
        },
        {
            "object": "organization.usage.completions.result",
            "input_tokens": "lots",
            "output_tokens": 1,
            "num_model_requests": 1,
        },
        {"object": "organization.usage.vector_stores.result"},
        {"object": "organization.usage.file_searches.result", "num_model_requests": 1},
        {"object": "organization.costs.result", "line_item": "x"},
        {"object": "organization.costs.result", "amount": {"value": "abc", "currency": "usd"}},
        {"object": "organization.usage.images.result", "num_model_requests": 1},
    ],
)
def test_known_object_with_wrong_fields_is_refused(raw: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as info:
        UsageResponse.model_validate_json(json.dumps(_page([_bucket([raw])])))
    # The error names the known model, so it was not silently made an UnknownResult.
    expected = {
        "organization.usage.completions.result": "UsageCompletionsResult",
        "organization.usage.vector_stores.result": "UsageVectorStoresResult",
        "organization.usage.file_searches.result": "UsageFileSearchCallsResult",
        "organization.costs.result": "CostsResult",
        "organization.usage.images.result": "UsageImagesResult",
    }[raw["object"]]
    errors = info.value.errors()
    typed = [e for e in errors if raw["object"] in map(str, e["loc"])]
    assert typed, errors
    assert all(expected in str(e["loc"]) for e in typed)  # validated as the known model
    # The only other error is the fallback refusing a known tag.
    others = [e for e in errors if e not in typed]
    assert len(others) == 1
    assert "UnknownResult" in str(others[0]["loc"])
    assert f"malformed {raw['object']!r} item" in others[0]["msg"]


@pytest.mark.parametrize(
    ("raw", "model"),
    [
        (
            {"object": "organization.usage.file_searches.result", "num_requests": 3},
            UsageFileSearchCallsResult,
        ),
        (
            {
                "object": "organization.usage.web_searches.result",
                "num_requests": 3,
                "num_model_requests": 2,
            },
            UsageWebSearchCallsResult,
        ),
        (_completions(object="organization.usage.decisions.result"), UsageDecisionsResult),
        (
            {
                "object": "organization.usage.embeddings.result",
                "input_tokens": 3,
                "num_model_requests": 1,
            },
            UsageEmbeddingsResult,
        ),
        (
            {
                "object": "organization.usage.moderations.result",
                "input_tokens": 3,
                "num_model_requests": 1,
            },
            UsageModerationsResult,
        ),
        (
            {
                "object": "organization.usage.audio_speeches.result",
                "characters": 3,
                "num_model_requests": 1,
            },
            UsageAudioSpeechesResult,
        ),
        (
            {
                "object": "organization.usage.audio_transcriptions.result",
                "seconds": 3,
                "num_model_requests": 1,
            },
            UsageAudioTranscriptionsResult,
        ),
    ],
)
def test_object_names_map_to_models(raw: dict[str, Any], model: type[BaseModel]) -> None:
    result = UsageTimeBucket.model_validate(_bucket([raw])).results[0]
    assert type(result) is model
    assert result.to_dict() == raw


@pytest.mark.parametrize(
    "wrong",
    [
        "organization.usage.file_search_calls.result",
        "organization.usage.web_search_calls.result",
    ],
)
def test_path_names_are_not_result_objects(wrong: str) -> None:
    result = UsageTimeBucket.model_validate(_bucket([{"object": wrong, "num_requests": 1}]))
    assert type(result.results[0]) is UnknownResult


def test_to_dict_uses_wire_names() -> None:
    raw = {"object": "organization.usage.code_interpreter_sessions.result", "sessions": 7}
    bucket = UsageTimeBucket.model_validate(_bucket([raw], "result"))
    assert bucket.to_dict() == {
        "object": "bucket",
        "start_time": 1730419200,
        "end_time": 1730505600,
        "results": [
            {"object": "organization.usage.code_interpreter_sessions.result", "num_sessions": 7}
        ],
    }
    # ...and what to_dict writes parses back to the same model.
    assert UsageTimeBucket.model_validate(bucket.to_dict()) == bucket
    assert UsageTimeBucket.from_dict(bucket.to_dict()) == bucket


def test_costs_to_dict_round_trip() -> None:
    raw = {
        "object": "organization.costs.result",
        "amount": {"value": "12.50", "currency": "usd"},
        "line_item": "gpt-4o-2024-08-06, input",
        "project_id": "proj_abc",
        "quantity": 1000.5,
        "quantity_unit": "1000_tokens",
    }
    result = CostsResult.model_validate_json(json.dumps(raw))
    assert result.to_dict() == raw
    assert CostsResult.from_dict(result.to_dict()) == result


def test_error_response() -> None:
    body = {
        "error": {
            "message": "Rate limit reached",
            "type": "rate_limit_error",
            "param": None,
            "code": "rate_limit_exceeded",
            "extra": 1,
        }
    }
    parsed = ErrorResponse.model_validate_json(json.dumps(body))
    assert parsed.error.message == "Rate limit reached"
    assert parsed.error.type == "rate_limit_error"
    assert parsed.error.param is None
    assert parsed.error.code == "rate_limit_exceeded"
    assert parsed.error.model_extra == {"extra": 1}


# -- the generated request builders, as the facade uses them ----------------------------------
# Only ``_get_kwargs`` is generated per operation (templates/README.md): the facade sends the
# request it builds and validates the body with the models, exactly as below.

BASE_URL = "https://api.openai.com/v1"
EXPECTED_URL = (
    "https://api.openai.com/v1/organization/usage/completions"
    "?start_time=1730419200&bucket_width=1d&group_by=model&group_by=project_id&limit=2"
)
PAGE_BODY = _page(
    [
        _bucket(
            [
                _completions(model="gpt-4o", project_id="proj_a"),
                _completions(model="gpt-4o-mini", project_id="proj_b", input_tokens=99),
            ]
        )
    ],
    has_more=True,
    next_page="page_next",
)
HEADERS = {"Authorization": "Bearer sk-admin-x"}


def _request_kwargs(**params: Any) -> dict[str, Any]:
    return completions._get_kwargs(**params)


def _check_request(request: httpx.Request) -> None:
    assert request.method == "GET"
    assert str(request.url) == EXPECTED_URL
    assert parse_qsl(request.url.query.decode()) == [
        ("start_time", "1730419200"),
        ("bucket_width", "1d"),
        ("group_by", "model"),
        ("group_by", "project_id"),
        ("limit", "2"),
    ]
    assert request.headers["Authorization"] == "Bearer sk-admin-x"


def _check_page(response: httpx.Response) -> None:
    assert response.status_code == HTTPStatus.OK
    parsed = UsageResponse.model_validate_json(response.content)
    assert isinstance(parsed, UsageResponse)
    assert parsed.has_more is True
    assert parsed.next_page == "page_next"
    results = parsed.data[0].results
    assert [type(r) for r in results] == [UsageCompletionsResult, UsageCompletionsResult]
    assert [(r.model, r.project_id, r.input_tokens) for r in results] == [
        ("gpt-4o", "proj_a", 10),
        ("gpt-4o-mini", "proj_b", 99),
    ]


def test_request_builder_sends_the_request_and_the_model_parses() -> None:
    with respx.mock(assert_all_called=True, assert_all_mocked=True) as router:
        route = router.get(f"{BASE_URL}/organization/usage/completions").mock(
            return_value=httpx.Response(200, json=PAGE_BODY)
        )
        with httpx.Client(base_url=BASE_URL, headers=HEADERS) as http:
            response = http.request(
                **_request_kwargs(start_time=1730419200, group_by=["model", "project_id"], limit=2)
            )
    assert route.call_count == 1
    _check_request(route.calls.last.request)
    _check_page(response)


def test_request_builder_async_sends_the_request_and_the_model_parses() -> None:
    async def call() -> httpx.Response:
        async with httpx.AsyncClient(base_url=BASE_URL, headers=HEADERS) as http:
            return await http.request(
                **_request_kwargs(start_time=1730419200, group_by=["model", "project_id"], limit=2)
            )

    with respx.mock(assert_all_called=True, assert_all_mocked=True) as router:
        route = router.get(f"{BASE_URL}/organization/usage/completions").mock(
            return_value=httpx.Response(200, json=PAGE_BODY)
        )
        response = asyncio.run(call())
    assert route.call_count == 1
    _check_request(route.calls.last.request)
    _check_page(response)


def test_429_parses_to_error_response() -> None:
    body = {
        "error": {
            "message": "Rate limit reached for requests",
            "type": "requests",
            "param": None,
            "code": "rate_limit_exceeded",
        }
    }
    with respx.mock(assert_all_called=True, assert_all_mocked=True) as router:
        router.get(f"{BASE_URL}/organization/usage/completions").mock(
            return_value=httpx.Response(429, json=body, headers={"Retry-After": "20"})
        )
        with httpx.Client(base_url=BASE_URL, headers=HEADERS) as http:
            response = http.request(**_request_kwargs(start_time=1730419200))
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert response.headers["Retry-After"] == "20"
    parsed = ErrorResponse.model_validate_json(response.content)
    assert parsed.error.message == "Rate limit reached for requests"
    assert parsed.error.code == "rate_limit_exceeded"
    assert parsed.error.param is None
