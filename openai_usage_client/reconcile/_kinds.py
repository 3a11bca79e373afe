"""What a cost line item measures, and the same measure read out of usage rows.

A line item is ``"<model>, <kind>"`` (``"gpt-4o-2024-08-06, cached input"``) or a tool or
storage line (``"vector store storage"``, ``"web search tool calls (low context)"``). Both
sides are brought to a *measure*: the model (``None`` for tools and storage), the base kind
(``input``, ``cached input``, ``output``, ``audio input``, ``audio output``, ``images``,
``characters``, ``transcription``, or the tool line without its qualifier) and a quantity in
the usage's own unit (tokens, images, characters, seconds, GiB-hours, sessions, calls).

Variants of one kind that usage does not tell apart (``batch input`` next to ``input``; the
context sizes of web search) are one measure: their billed quantities add up against the
used quantity, while each line item keeps its own unit price.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, Final

from .._core._summarize import model_from_line_item

__all__ = [
    "FAMILIES",
    "JOINABLE",
    "PRICE_SCALE",
    "UNIT_FACTORS",
    "measure_of",
    "usage_measures",
]

#: The columns both sides may be grouped by: the finest the join can go.
JOINABLE: Final = ("project_id", "api_key_id", "user_id")

#: Billed ``quantity_unit`` -> how many usage units one billed unit is.
UNIT_FACTORS: Final[Mapping[str, Decimal]] = {
    "tokens": Decimal(1),
    "1000_tokens": Decimal(1000),
    "images": Decimal(1),
    "characters": Decimal(1),
    "duration_seconds": Decimal(1),
    "duration_minutes": Decimal(60),
    "duration_hours": Decimal(3600),
    "gibibyte_hours": Decimal(1),
    "sessions": Decimal(1),
    "calls": Decimal(1),
}
#: Unit prices are shown per this many usage units, and what that is called.
PRICE_SCALE: Final[Mapping[str, tuple[Decimal, str]]] = {
    "tokens": (Decimal(1_000_000), "1M tokens"),
    "characters": (Decimal(1_000_000), "1M characters"),
    "images": (Decimal(1), "image"),
    "seconds": (Decimal(60), "minute"),
    "GiB-hours": (Decimal(1), "GiB-hour"),
    "sessions": (Decimal(1), "session"),
    "calls": (Decimal(1000), "1K calls"),
}

#: Model kinds: the usage unit and the endpoints that report them.
_MODEL_KINDS: Final[Mapping[str, tuple[str, frozenset[str]]]] = {
    "input": ("tokens", frozenset({"completions", "decisions", "embeddings"})),
    "cached input": ("tokens", frozenset({"completions", "decisions"})),
    "output": ("tokens", frozenset({"completions", "decisions"})),
    "audio input": ("tokens", frozenset({"completions", "decisions"})),
    "audio output": ("tokens", frozenset({"completions", "decisions"})),
    "images": ("images", frozenset({"images"})),
    "characters": ("characters", frozenset({"audio_speeches"})),
    "transcription": ("seconds", frozenset({"audio_transcriptions"})),
}
#: Spellings of a model kind -> the kind.
_ALIASES: Final = {
    "input audio": "audio input",
    "cached input audio": "cached input",
    "output audio": "audio output",
    "image": "images",
    "speech": "characters",
    "audio seconds": "transcription",
}
#: Tool and storage lines: (usage endpoint, counter, usage unit).
_TOOLS: Final[Mapping[str, tuple[str, str, str]]] = {
    "vector store storage": ("vector_stores", "usage_bytes", "GiB-hours"),
    "code interpreter sessions": ("code_interpreter_sessions", "num_sessions", "sessions"),
    "file search tool calls": ("file_search_calls", "num_requests", "calls"),
    "web search tool calls": ("web_search_calls", "num_requests", "calls"),
}
#: Per-model endpoints with one billed counter: (counter, kind, usage unit).
_ONE_COUNTER: Final[Mapping[str, tuple[str, str, str]]] = {
    "embeddings": ("input_tokens", "input", "tokens"),
    "images": ("images", "images", "images"),
    "audio_speeches": ("characters", "characters", "characters"),
    "audio_transcriptions": ("seconds", "transcription", "seconds"),
}
#: Base kind -> the usage endpoints that report it (a line is checked against these).
FAMILIES: Final[Mapping[str, frozenset[str]]] = {
    **{kind: endpoints for kind, (_, endpoints) in _MODEL_KINDS.items()},
    **{tool: frozenset({endpoint}) for tool, (endpoint, _, _) in _TOOLS.items()},
}
#: A daily storage snapshot in bytes, billed for the 24 hours of its day, in GiB-hours.
_GIB_HOURS_PER_BYTE_DAY: Final = Decimal(24) / Decimal(1 << 30)
#: ``(low context)``, ``(priority)``: a qualifier the usage rows do not carry.
_QUALIFIER: Final = re.compile(r"\s*\([^)]*\)$")

Measure = tuple[str | None, str, str]


def measure_of(line_item: str | None) -> Measure | None:
    """``(model, base kind, usage unit)`` of a line item; ``None`` for a line no usage
    endpoint reports (fine-tuning, an unknown tool)."""
    if not line_item:
        return None
    model = model_from_line_item(line_item)
    if model is None:
        base = _QUALIFIER.sub("", line_item).strip().lower()
        tool = _TOOLS.get(base)
        return None if tool is None else (None, base, tool[2])
    kind = line_item.split(", ", 1)[1].strip().lower()
    kind = _QUALIFIER.sub("", kind)
    if kind.startswith("batch "):
        kind = kind[len("batch ") :]
    kind = _ALIASES.get(kind, kind)
    found = _MODEL_KINDS.get(kind)
    return None if found is None else (model, kind, found[0])


def _int(row: Mapping[str, Any], name: str) -> int:
    value = row.get(name)
    return int(value) if value else 0


def usage_measures(endpoint: str, row: Mapping[str, Any]) -> Iterator[tuple[Measure, Decimal]]:
    """The billable quantities of one usage row, as ``(measure, quantity)``.

    Completions: ``input`` is the tokens billed at the input price (uncached and cache
    writes: ``input_tokens - input_cached_tokens``), ``cached input`` the cached tokens,
    ``output`` the output tokens, and ``audio input``/``audio output`` the audio tokens (which
    the join takes out of input and output where audio is billed on a line of its own).
    """
    model = row.get("model")
    if endpoint in ("completions", "decisions"):
        cached = _int(row, "input_cached_tokens")
        parts = {
            "input": _int(row, "input_tokens") - cached,
            "cached input": cached,
            "output": _int(row, "output_tokens"),
            "audio input": _int(row, "input_audio_tokens"),
            "audio output": _int(row, "output_audio_tokens"),
        }
        for kind, quantity in parts.items():
            if quantity:
                yield (model, kind, "tokens"), Decimal(quantity)
    elif endpoint in _ONE_COUNTER:
        counter, kind, unit = _ONE_COUNTER[endpoint]
        if quantity := _int(row, counter):
            yield (model, kind, unit), Decimal(quantity)
    else:
        for tool, (source, counter, unit) in _TOOLS.items():
            if source == endpoint and (quantity := _int(row, counter)):
                scaled = Decimal(quantity)
                if unit == "GiB-hours":
                    scaled *= _GIB_HOURS_PER_BYTE_DAY
                yield (None, tool, unit), scaled
