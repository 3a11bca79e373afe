"""Synthesized, realistic page bodies for the parse benchmark (deterministic per seed).

The shape of every result is the fake's (and the live API's): the same fields, in the same
order, with grouping values set. The fake's synthetic organization is too small to fill 500
groups per bucket, so the values are drawn here instead.
"""

from __future__ import annotations

import json
import random
from decimal import Decimal
from typing import Any

START = 1_790_812_800  # 2026-10-01T00:00Z
DAY = 86_400

_MODELS = (
    "gpt-4o-2024-08-06",
    "gpt-4o-mini-2024-07-18",
    "gpt-4.1-2025-04-14",
    "gpt-4.1-mini-2025-04-14",
    "o3-2025-04-16",
    "o4-mini-2025-04-16",
)


def _optional_counters() -> tuple[str, ...]:
    """The completions counters beyond the three required ones, read off the generated model
    (so the payload follows openapi.yaml instead of a second hand-written list)."""
    from openai_usage_client import UsageCompletionsResult

    return tuple(
        name
        for name, field in UsageCompletionsResult.model_fields.items()
        if name.endswith("_tokens") and not field.is_required()
    )


_COUNTERS = _optional_counters()
_LINE_ITEMS = (
    ("input", "tokens"),
    ("cached input", "tokens"),
    ("output", "tokens"),
    ("images", "images"),
)


def _ids(rng: random.Random, prefix: str, bits: int, n: int) -> list[str]:
    return [f"{prefix}{rng.getrandbits(bits):0{bits // 4}x}" for _ in range(n)]


def _completion(rng: random.Random, ids: dict[str, list[str]]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "object": "organization.usage.completions.result",
        "input_tokens": rng.randrange(10**7),
        "output_tokens": rng.randrange(10**6),
        "num_model_requests": rng.randrange(1, 5000),
    }
    for name in _COUNTERS:
        result[name] = rng.randrange(10**5) if rng.random() < 0.7 else 0
    result.update(
        project_id=rng.choice(ids["project"]),
        user_id=rng.choice(ids["user"]) if rng.random() < 0.9 else None,
        api_key_id=rng.choice(ids["key"]),
        model=rng.choice(_MODELS),
        batch=rng.random() < 0.2,
        service_tier=rng.choice(("default", "flex", "priority")),
        api_source=None,
    )
    return result


def _cost(rng: random.Random, ids: dict[str, list[str]]) -> str:
    """One costs result as JSON text: money exact, as a string about 30% of the time."""
    amount = Decimal(rng.randrange(1, 10**8)).scaleb(-rng.choice((2, 4, 6, 9)))
    text = format(amount, "f")
    value = f'"{text}"' if rng.random() < 0.3 else text
    item, unit = rng.choice(_LINE_ITEMS)
    fields = {
        "project_id": rng.choice(ids["project"]),
        "line_item": f"{rng.choice(_MODELS)}, {item}",
        "api_key_id": rng.choice(ids["key"]),
        "user_id": rng.choice(ids["user"]) if rng.random() < 0.9 else None,
        "api_source": None,
        "quantity": rng.randrange(1, 10**7),
        "quantity_unit": unit,
    }
    rest = json.dumps(fields, separators=(",", ":"))[1:]
    return (
        '{"object":"organization.costs.result","amount":{"value":' + value + ',"currency":"usd"},'
    ) + rest


def page_bytes(kind: str, buckets: int = 31, results: int = 500, seed: int = 0) -> bytes:
    """A page of ``buckets`` daily buckets of ``results`` results each (completions or costs)."""
    rng = random.Random(f"{kind}-{seed}")
    ids = {
        "project": _ids(rng, "proj_", 96, 40),
        "user": _ids(rng, "user-", 96, 120),
        "key": _ids(rng, "key_", 64, 200),
    }
    parts = []
    for b in range(buckets):
        if kind == "completions":
            texts = [
                json.dumps(_completion(rng, ids), separators=(",", ":")) for _ in range(results)
            ]
        else:
            texts = [_cost(rng, ids) for _ in range(results)]
        lo = START + b * DAY
        parts.append(
            f'{{"object":"bucket","start_time":{lo},"end_time":{lo + DAY},'
            f'"results":[{",".join(texts)}]}}'
        )
    body = '{"object":"page","data":[' + ",".join(parts) + '],"has_more":false,"next_page":null}'
    return body.encode()
