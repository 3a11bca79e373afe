"""The fake's data: determinism, cross-width consistency, filters, groupings, costs."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from openai_usage_client._core._endpoints import ENDPOINTS
from openai_usage_client.testing import DEFAULT_ADMIN_KEY, FakeAPI

AUTH = {"Authorization": f"Bearer {DEFAULT_ADMIN_KEY}"}
NOW = 1_793_491_200  # the fake's default now, 2026-11-01T00:00Z
DAY = 86_400
# A Wednesday a few weeks before now (2026-10-14), busy on every endpoint.
WED = NOW - 18 * DAY
COUNTER_FIELDS = {
    "completions": 17,
    "decisions": 17,
    "embeddings": 2,
    "moderations": 2,
    "images": 2,
    "audio_speeches": 2,
    "audio_transcriptions": 2,
    "vector_stores": 1,
    "code_interpreter_sessions": 1,
    "file_search_calls": 1,
    "web_search_calls": 2,
}


def get(fake: FakeAPI, endpoint: str, **params: Any) -> dict[str, Any]:
    resp = fake.handle("GET", ENDPOINTS[endpoint].path, params, AUTH)
    assert resp.status == 200, resp.body
    data: dict[str, Any] = json.loads(resp.body, parse_float=Decimal)
    return data


def all_buckets(fake: FakeAPI, endpoint: str, **params: Any) -> list[dict[str, Any]]:
    buckets: list[dict[str, Any]] = []
    page = get(fake, endpoint, **params)
    buckets += page["data"]
    while page["next_page"] is not None:
        page = get(fake, endpoint, **params, page=page["next_page"])
        buckets += page["data"]
    return buckets


def money(value: Any) -> Decimal:
    # Money arrives as a JSON number (parsed to Decimal) or a JSON string.
    return Decimal(value)


def wire_sums(
    buckets: list[dict[str, Any]], endpoint: str, group_by: list[str]
) -> dict[tuple[Any, ...], Counter[str]]:
    """Sum results over buckets, keyed by grouping values, as a client would."""
    out: dict[tuple[Any, ...], Counter[str]] = {}
    dims = ENDPOINTS[endpoint].group_by
    for bucket in buckets:
        for r in bucket["results"]:
            for d in dims:
                if d not in group_by:
                    assert r[d] is None, (d, r)
            key = tuple(r[g] for g in group_by)
            acc = out.setdefault(key, Counter())
            for k, v in r.items():
                if k == "amount":
                    acc["amount"] += money(v["value"])  # type: ignore[assignment]
                elif k == "quantity" and v is not None:
                    acc["quantity"] += v
                elif isinstance(v, int) and not isinstance(v, bool):
                    acc[k] += v
    return out


def as_plain(totals: dict[tuple[Any, ...], dict[str, Any]]) -> dict[tuple[Any, ...], Counter[str]]:
    return {k: Counter({n: v for n, v in c.items() if v}) for k, c in totals.items()}


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    a, b, c = FakeAPI(seed=1), FakeAPI(seed=1), FakeAPI(seed=2)
    # b is asked about other days first: caches and order must not change anything.
    b.handle("GET", ENDPOINTS["completions"].path, {"start_time": WED - 90 * DAY}, AUTH)
    for endpoint in ENDPOINTS:
        width = "1d" if endpoint == "costs" else "1h"
        p: dict[str, Any] = {
            "start_time": WED - 3 * DAY,
            "bucket_width": width,
            "group_by": ["project_id"],
        }
        body_a = a.handle("GET", ENDPOINTS[endpoint].path, p, AUTH).body
        assert body_a == b.handle("GET", ENDPOINTS[endpoint].path, p, AUTH).body
        assert body_a != c.handle("GET", ENDPOINTS[endpoint].path, p, AUTH).body


def test_every_endpoint_has_activity_and_integer_counters() -> None:
    fake = FakeAPI()
    for endpoint, n in COUNTER_FIELDS.items():
        totals = fake.totals(endpoint, start_time=WED - 7 * DAY, end_time=WED)
        assert list(totals) == [()]
        assert len(totals[()]) == n
        assert all(type(v) is int for v in totals[()].values()), endpoint
        # Decisions are text-only; everything else has every counter in use.
        zero = {k for k, v in totals[()].items() if v == 0}
        assert not zero or (
            endpoint == "decisions" and all("audio" in k or "image" in k for k in zero)
        )


@pytest.mark.parametrize(
    ("endpoint", "hour"),
    [("completions", 15), ("images", 15), ("web_search_calls", 9), ("vector_stores", 0)],
)
def test_sixty_minutes_sum_to_the_hour_and_24_hours_to_the_day(endpoint: str, hour: int) -> None:
    fake = FakeAPI(seed=3)
    dims = list(ENDPOINTS[endpoint].group_by)
    start = WED + hour * 3600
    for group_by in ([], dims[:1], dims):
        minutes = all_buckets(
            fake, endpoint, start_time=start, end_time=start + 3600, bucket_width="1m",
            group_by=group_by,
        )  # fmt: skip
        assert len(minutes) == 60
        hour_bucket = all_buckets(
            fake, endpoint, start_time=start, end_time=start + 3600, bucket_width="1h",
            group_by=group_by,
        )  # fmt: skip
        assert len(hour_bucket) == 1
        expected = wire_sums(hour_bucket, endpoint, group_by)
        assert expected  # the hour chosen has activity
        assert wire_sums(minutes, endpoint, group_by) == expected
        hours = all_buckets(
            fake, endpoint, start_time=WED, end_time=WED + DAY, bucket_width="1h", limit=24,
            group_by=group_by,
        )  # fmt: skip
        day = all_buckets(
            fake, endpoint, start_time=WED, end_time=WED + DAY, bucket_width="1d",
            group_by=group_by,
        )  # fmt: skip
        assert len(hours) == 24
        assert len(day) == 1
        assert wire_sums(hours, endpoint, group_by) == wire_sums(day, endpoint, group_by)
        truth = fake.totals(endpoint, start_time=WED, end_time=WED + DAY, group_by=group_by)
        assert wire_sums(day, endpoint, group_by) == as_plain(truth)


def test_vector_store_storage_is_a_daily_snapshot_at_midnight() -> None:
    fake = FakeAPI()
    hours = all_buckets(
        fake, "vector_stores", start_time=WED, end_time=WED + DAY, bucket_width="1h", limit=24
    )
    assert [bool(b["results"]) for b in hours] == [True] + [False] * 23
    day = get(fake, "vector_stores", start_time=WED, end_time=WED + DAY)["data"][0]
    assert hours[0]["results"] == day["results"]
    assert day["results"][0]["usage_bytes"] % (1 << 20) == 0


def test_costs_days_sum_to_range_totals_and_follow_usage() -> None:
    fake = FakeAPI(seed=5)
    start, end = WED - 6 * DAY, WED + DAY
    group_by = ["project_id", "line_item", "api_key_id", "user_id", "api_source"]
    days = all_buckets(fake, "costs", start_time=start, end_time=end, group_by=group_by)
    assert len(days) == 7
    truth = fake.totals("costs", start_time=start, end_time=end, group_by=group_by)
    assert wire_sums(days, "costs", group_by) == as_plain(truth)
    # Costs come from usage: output tokens billed per model equal the completions' output
    # tokens, and each amount is quantity x price.
    usage = fake.totals("completions", start_time=start, end_time=end, group_by=["model"])
    by_line = fake.totals("costs", start_time=start, end_time=end, group_by=["line_item"])
    decisions = fake.totals("decisions", start_time=start, end_time=end, group_by=["model"])
    for (model,), counters in usage.items():
        extra = decisions.get((model,), {}).get("output_tokens", 0)
        billed = sum(
            by_line.get((f"{model}, {kind}",), {}).get("quantity", 0)
            for kind in ("output", "batch output")
        )
        assert billed == counters["output_tokens"] + extra
    mini_out = by_line[("gpt-4o-mini-2024-07-18, output",)]
    assert isinstance(mini_out["amount"], Decimal)
    assert Decimal("0.0000003") * mini_out["quantity"] <= mini_out["amount"]
    assert mini_out["amount"] <= Decimal("0.0000006") * mini_out["quantity"]
    units = {r["line_item"]: r["quantity_unit"] for b in days for r in b["results"]}
    assert units["vector store storage"] == "gibibyte_hours"
    assert units["gpt-4o-mini-2024-07-18, input"] == "tokens"
    assert units["dall-e-3, images"] == "images"
    assert units["tts-1, characters"] == "characters"
    assert units["whisper-1, transcription"] == "duration_seconds"
    assert units["gpt-4o-mini-2024-07-18, batch input"] == "tokens"
    web = {f"web search tool calls ({level} context)" for level in ("low", "medium", "high")}
    assert {"code interpreter sessions", "file search tool calls", *web} <= set(units)
    # Batch is billed on its own line items at half price.
    batch = by_line[("gpt-4o-mini-2024-07-18, batch output",)]
    assert batch["amount"] == Decimal("0.0000003") * batch["quantity"]


def test_money_as_string_knob() -> None:
    params: dict[str, Any] = {"start_time": WED - 20 * DAY, "limit": 20, "group_by": ["line_item"]}
    kinds: dict[str, set[type]] = {}
    for mode in ("never", "sometimes", "always"):
        page = get(FakeAPI(money_as_string=mode), "costs", **params)
        kinds[mode] = {type(r["amount"]["value"]) for b in page["data"] for r in b["results"]}
        assert {r["amount"]["currency"] for b in page["data"] for r in b["results"]} == {"usd"}
    assert kinds == {"never": {Decimal}, "sometimes": {Decimal, str}, "always": {str}}
    with pytest.raises(ValueError, match="money_as_string"):
        FakeAPI(money_as_string="often")  # type: ignore[arg-type]


def test_costs_quantity_only_when_grouped_by_line_item() -> None:
    page = get(FakeAPI(), "costs", start_time=WED, end_time=WED + DAY, group_by=["project_id"])
    results = page["data"][0]["results"]
    assert results
    assert {(r["quantity"], r["quantity_unit"]) for r in results} == {(None, None)}


def test_token_splits_are_consistent() -> None:
    fake = FakeAPI(seed=9)
    totals = fake.totals(
        "completions", start_time=WED - 30 * DAY, end_time=WED, group_by=["model", "batch"]
    )
    assert len(totals) >= 5
    for c in totals.values():
        assert c["input_tokens"] == (
            c["input_cached_tokens"] + c["input_cache_write_tokens"] + c["input_uncached_tokens"]
        )
        assert c["input_cache_write_tokens"] == (
            c["input_cache_write_12h_tokens"] + c["input_cache_write_30m_tokens"]
        )
        assert c["input_uncached_tokens"] == (
            c["input_text_tokens"] + c["input_audio_tokens"] + c["input_image_tokens"]
        )
        assert c["input_cached_tokens"] == (
            c["input_cached_text_tokens"]
            + c["input_cached_audio_tokens"]
            + c["input_cached_image_tokens"]
        )
        assert c["output_tokens"] == (
            c["output_text_tokens"] + c["output_audio_tokens"] + c["output_image_tokens"]
        )
    assert any(c["input_audio_tokens"] > 0 for c in totals.values())
    assert any(c["input_image_tokens"] > 0 for c in totals.values())


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_every_group_by_combination(endpoint: str) -> None:
    fake = FakeAPI(seed=11)
    dims = ENDPOINTS[endpoint].group_by
    start, end = WED - 2 * DAY, WED + DAY
    grand = fake.totals(endpoint, start_time=start, end_time=end)[()]
    for n in range(len(dims) + 1):
        for combo in itertools.combinations(dims, n):
            group_by = list(combo)
            buckets = all_buckets(fake, endpoint, start_time=start, end_time=end, group_by=group_by)
            assert len(buckets) == 3
            sums = wire_sums(buckets, endpoint, group_by)
            truth = fake.totals(endpoint, start_time=start, end_time=end, group_by=group_by)
            assert sums == as_plain(truth), group_by
            total: Counter[str] = Counter()
            for c in sums.values():
                total.update({k: v for k, v in c.items() if k != "quantity"})
            assert total == as_plain({(): grand})[()], group_by


def _filter_cases() -> list[tuple[str, str]]:
    return [(e, f) for e, spec in ENDPOINTS.items() for f in spec.filters]


@pytest.mark.parametrize(("endpoint", "filter_name"), _filter_cases())
def test_every_filter(endpoint: str, filter_name: str) -> None:
    fake = FakeAPI(seed=13)
    start, end = WED - 2 * DAY, WED + DAY
    dim = filter_name if filter_name == "batch" else filter_name[:-1]
    by_dim = fake.totals(endpoint, start_time=start, end_time=end, group_by=[dim])
    values = sorted((k[0] for k in by_dim if k[0] is not None), key=str)
    assert values, (endpoint, dim)
    chosen = values[:1] if filter_name != "batch" else [True]
    query_value: Any = "true" if filter_name == "batch" else chosen
    buckets = all_buckets(
        fake, endpoint, start_time=start, end_time=end, group_by=[dim],
        **{filter_name: query_value},
    )  # fmt: skip
    sums = wire_sums(buckets, endpoint, [dim])
    assert set(sums) == {(v,) for v in chosen}
    filt: Any = True if filter_name == "batch" else chosen
    expected = fake.totals(
        endpoint, start_time=start, end_time=end, group_by=[dim], **{filter_name: filt}
    )
    assert sums == as_plain(expected)
    assert as_plain(expected)[(chosen[0],)] == as_plain(by_dim)[(chosen[0],)]
    # A value nothing has: empty buckets, not an error.
    if ENDPOINTS[endpoint].filters[filter_name].choices is None and filter_name != "batch":
        empty = all_buckets(fake, endpoint, start_time=start, end_time=end, **{filter_name: "x"})
        assert [b["results"] for b in empty] == [[], [], []]


def test_array_params_accept_both_spellings() -> None:
    fake = FakeAPI()
    path = ENDPOINTS["completions"].path
    plain = f"start_time={WED}&group_by=model&group_by=project_id&limit=2"
    brackets = f"start_time={WED}&group_by[]=model&group_by[]=project_id&limit=2"
    encoded = f"start_time={WED}&group_by%5B%5D=model&group_by%5B%5D=project_id&limit=2"
    bodies = {fake.handle("GET", path, q, AUTH).body for q in (plain, brackets, encoded)}
    assert len(bodies) == 1


def test_organization_story() -> None:
    fake = FakeAPI(seed=21)
    org = fake.org
    year = fake.totals("completions", start_time=NOW - 365 * DAY, group_by=["project_id"])
    assert org.idle_project in org.projects
    assert (org.idle_project,) not in year
    assert len(year) == 4
    # The new model is absent the day before it appears and present from then on.
    first = org.new_model_day * DAY
    before = fake.totals("completions", start_time=first - DAY, end_time=first, group_by=["model"])
    after = fake.totals("completions", start_time=first, end_time=first + DAY, group_by=["model"])
    assert (org.new_model,) not in before
    assert (org.new_model,) in after
    # Weekends are quieter than weekdays; the spike day is busier than its neighbours.
    sat = WED + 3 * DAY
    wed_reqs = fake.totals("completions", start_time=WED, end_time=WED + DAY)[()]
    sat_reqs = fake.totals("completions", start_time=sat, end_time=sat + DAY)[()]
    assert sat_reqs["num_model_requests"] < wed_reqs["num_model_requests"]
    spike = org.spike_day * DAY
    proj = [org.keys[2].project_id]
    spike_hours = fake.totals(
        "completions", start_time=spike + 13 * 3600, end_time=spike + 19 * 3600, project_ids=proj
    )[()]
    week_before = fake.totals(
        "completions",
        start_time=spike - 7 * DAY + 13 * 3600,
        end_time=spike - 7 * DAY + 19 * 3600,
        project_ids=proj,
    )[()]
    assert spike_hours["num_model_requests"] > 2 * week_before["num_model_requests"]
    # Service-account keys have no user.
    users = fake.totals("completions", start_time=WED, end_time=WED + DAY, group_by=["user_id"])
    assert (None,) in users


def test_nothing_after_now_and_nothing_before_the_org() -> None:
    fake = FakeAPI(now=NOW - 12 * 3600)
    after = all_buckets(
        fake, "completions", start_time=NOW - 12 * 3600, end_time=NOW, bucket_width="1h"
    )
    assert len(after) == 12
    assert all(b["results"] == [] for b in after)
    before = get(fake, "completions", start_time=1_700_000_000, end_time=1_700_000_000 + DAY)
    assert before["data"][0]["results"] == []
    # now= shifts nothing about the past: the day before is the same as with the default now.
    other = FakeAPI()
    kwargs: dict[str, Any] = {"start_time": WED, "end_time": WED + DAY}
    assert fake.totals("completions", **kwargs) == other.totals("completions", **kwargs)


def test_buckets_ground_truth_matches_the_wire() -> None:
    fake = FakeAPI(seed=4)
    start = WED + 5 * 3600 + 1800  # not aligned
    expected = fake.buckets(
        "images", start_time=start, end_time=start + 2 * DAY, bucket_width="1h",
        group_by=["model", "size"],
    )  # fmt: skip
    wire = all_buckets(
        fake, "images", start_time=start, end_time=start + 2 * DAY, bucket_width="1h",
        group_by=["model", "size"],
    )  # fmt: skip
    assert [(b.start_time, b.end_time) for b in expected] == [
        (b["start_time"], b["end_time"]) for b in wire
    ]
    for e, w in zip(expected, wire, strict=True):
        assert wire_sums([w], "images", ["model", "size"]) == as_plain(e.results)


def test_totals_rejects_bad_arguments() -> None:
    fake = FakeAPI()
    with pytest.raises(ValueError, match="group_by"):
        fake.totals("completions", start_time=WED, group_by=["size"])
    with pytest.raises(ValueError, match="unknown endpoint"):
        fake.totals("nope", start_time=WED)
    assert fake.totals("/organization/usage/images", start_time=WED, end_time=WED + DAY)
