"""The synthetic organization: its projects, users, keys, models and activity streams.

Everything here is derived from the seed alone, so two fakes with the same seed describe the
same organization. The *shape* of the organization (which key calls which model, which
project is idle) is a fixed table: tests can rely on it (e.g. "one project never has usage").
The seed varies IDs, volumes, the day a new model appears and the day of the traffic spike.

A *stream* is one combination of grouping values of one endpoint (for completions: project,
user, key, model, batch, service tier, API source) together with how busy it is over the day
and the week. Streams are the entities usage is generated for; their ``dims`` tuple follows the
endpoint's ``group_by`` order in ``_endpoints.ENDPOINTS``, so filters and groupings are plain
tuple look-ups.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from .._core._endpoints import ENDPOINTS

Dim = str | bool | None

DAY: Final = 86_400
#: The organization's first day of activity (2024-11-01, as a day number since the epoch).
ORG_START_DAY: Final = 20_028
#: The fake's default "now": 2026-11-01T00:00:00Z.
DEFAULT_NOW: Final = 1_793_491_200


def hash_int(*parts: object) -> int:
    """A stable 64-bit hash of ``parts`` (``hash()`` is salted per process, so not usable)."""
    text = "|".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def hash_hex(n: int, *parts: object) -> str:
    text = "|".join(str(p) for p in parts).encode()
    return hashlib.blake2b(text, digest_size=16).hexdigest()[:n]


def unit_float(*parts: object) -> float:
    """A stable uniform number in [0, 1) from ``parts``."""
    return hash_int(*parts) / 2.0**64


# Daily shapes, 24 UTC hours each, peak 1.0. Office hours in the Americas, office hours in
# Europe, a nightly batch window and an always-on service: together they give buckets that
# look different at 1h and 1d, and weekends that differ from weekdays.
_AMERICAS = (
    0.25, 0.15, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.1, 0.15, 0.2, 0.3,
    0.45, 0.7, 0.9, 1.0, 1.0, 0.95, 0.9, 1.0, 0.95, 0.8, 0.6, 0.4,
)  # fmt: skip
_EUROPE = (
    0.05, 0.05, 0.05, 0.05, 0.1, 0.2, 0.45, 0.8, 1.0, 1.0, 0.95, 0.9,
    0.85, 0.95, 1.0, 0.9, 0.7, 0.45, 0.25, 0.15, 0.1, 0.05, 0.05, 0.05,
)  # fmt: skip
_NIGHTLY = (
    0.05, 0.6, 1.0, 1.0, 0.9, 0.5, 0.05, 0.0, 0.0, 0.0, 0.0, 0.0,
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
)  # fmt: skip
_ALWAYS = (
    0.5, 0.45, 0.4, 0.4, 0.4, 0.45, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85,
    0.9, 0.95, 1.0, 1.0, 1.0, 0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.55,
)  # fmt: skip
PROFILES: Final = {"americas": _AMERICAS, "europe": _EUROPE, "nightly": _NIGHTLY, "always": _ALWAYS}
#: How busy a profile is on Saturdays and Sundays, relative to weekdays.
WEEKEND: Final = {"americas": 0.2, "europe": 0.25, "nightly": 1.0, "always": 0.85}

_NEW_MODEL: Final = "gpt-4.1-2025-04-14"
_OLD_MODEL: Final = "gpt-4o-2024-08-06"
_MINI: Final = "gpt-4o-mini-2024-07-18"


@dataclass(frozen=True, slots=True)
class Stream:
    """One entity of one endpoint and how it behaves over time."""

    dims: tuple[Dim, ...]
    #: Expected activity records per hour at the profile's peak, before trend and weekend.
    rate: float
    profile: str
    #: Typical size of the main counter of one request (tokens, characters, seconds, ...).
    scale: int
    #: Kind-specific integer percentages (token splits); see ``_gen``.
    params: tuple[int, ...] = ()
    first_day: int = ORG_START_DAY
    last_day: int = 1 << 30
    #: Whether the traffic spike (one afternoon, several times the usual volume) hits it.
    spikes: bool = False


@dataclass(frozen=True, slots=True)
class Key:
    id: str
    project_id: str
    #: ``None`` for service-account keys, whose usage has no user.
    user_id: str | None


# Token split percentages for completions-like streams:
# (cached, cache write, 12h share of cache writes, input audio, input image, output audio,
#  output image). The rest of each split is text.
_TEXT: Final = (30, 6, 40, 0, 0, 0, 0)
_VISION: Final = (20, 4, 50, 0, 12, 0, 6)
_AUDIO: Final = (10, 2, 30, 45, 0, 55, 0)
_BATCH: Final = (0, 0, 0, 0, 0, 0, 0)


class Organization:
    """The synthetic organization of one seed.

    Attributes are plain data: ``projects`` (the last one is idle: it has a key but never any
    usage), ``users``, ``keys``, ``vector_stores``, ``streams`` (per endpoint name, except
    costs, which are derived from usage), ``new_model`` and ``new_model_day`` (the day number
    since the epoch a model first shows up), ``spike_day`` (the day of the traffic spike).
    """

    def __init__(self, seed: int, size: int = 1) -> None:
        if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 10_000:
            from .._core._exceptions import InvalidParameterError

            raise InvalidParameterError("size", size, "an integer from 1 to 10000")
        self.seed = seed
        #: How many times the base organization: ``size`` replicas of its projects, users,
        #: keys, vector stores and streams (replica 0 is the ``size=1`` organization itself).
        self.size = size
        self.projects: list[str] = []
        self.users: list[str] = []
        self.keys: list[Key] = []
        self.vector_stores: list[str] = []
        #: Each replica's idle project (``idle_project``: the first replica's).
        self.idle_projects: list[str] = []
        # A month-wide window, so the new model shows up mid-range for typical test ranges.
        self.new_model = _NEW_MODEL
        self.new_model_day = 20_513 + hash_int(seed, "new-model") % 120  # 2026-03-01 + <120 d
        self.spike_day = 20_454 + hash_int(seed, "spike") % 240  # 2026-01-01 + < 240 d
        self.streams: dict[str, list[Stream]] = {}
        for replica in range(size):
            self._replica = replica
            self._add_people()
            self._build_streams()
        self.idle_project = self.idle_projects[0]
        for name, streams in self.streams.items():
            dims = [s.dims for s in streams]
            if len(set(dims)) != len(dims):  # pragma: no cover - a table edit mistake
                raise AssertionError(f"duplicate stream in {name}")

    def _id(self, n: int, kind: str, i: int) -> str:
        """Replica 0 keeps the ``size=1`` organization's IDs; the others get their own."""
        if self._replica == 0:
            return hash_hex(n, self.seed, kind, i)
        return hash_hex(n, self.seed, kind, self._replica, i)

    def _add_people(self) -> None:
        """The current replica's five projects, seven users, eleven keys, three vector stores."""
        p = [f"proj_{self._id(24, 'project', i)}" for i in range(5)]
        u = [f"user-{self._id(24, 'user', i)}" for i in range(7)]
        owners: list[tuple[str, str | None]] = [
            (p[0], u[0]), (p[0], u[1]), (p[1], u[2]), (p[1], None), (p[2], u[3]),
            (p[2], u[4]), (p[3], None), (p[3], u[5]), (p[0], u[6]), (p[2], u[0]),
            (p[4], u[1]),
        ]  # fmt: skip
        keys = [
            Key(f"key_{self._id(16, 'key', i)}", proj, user)
            for i, (proj, user) in enumerate(owners)
        ]
        self._p, self._k = p, keys
        self._vs = [f"vs_{self._id(24, 'vs', i)}" for i in range(3)]
        self.projects += p
        self.users += u
        self.keys += keys
        self.vector_stores += self._vs
        self.idle_projects.append(p[4])

    def _vary(self, *parts: object) -> float:
        """A factor in [0.7, 1.3) so volumes differ between seeds (and replicas)."""
        if self._replica:
            parts = (self._replica, *parts)
        return 0.7 + 0.6 * unit_float(self.seed, "vary", *parts)

    def _people(self, k: int) -> tuple[Dim, Dim, Dim]:
        key = self._k[k]
        return key.project_id, key.user_id, key.id

    def _add(self, endpoint: str, streams: list[Stream]) -> None:
        self.streams.setdefault(endpoint, []).extend(streams)

    def _build_streams(self) -> None:
        self._text_streams()
        self._other_streams()
        missing = set(ENDPOINTS) - set(self.streams) - {"costs"}
        if missing:  # pragma: no cover - a table edit mistake
            raise AssertionError(f"no streams for {sorted(missing)}")

    def _text_streams(self) -> None:
        """Completions and decisions: who calls which model, how, and how much."""
        new, old, nd = self.new_model, _OLD_MODEL, self.new_model_day
        mini = _MINI
        # Completions: (key, model, batch, tier, source, profile, rate, scale, params, first, last)
        table: list[tuple[int, str, bool, str, str, str, float, int, tuple[int, ...], int, int]] = [
            (0, old, False, "default", "unlabeled", "americas", 3.0, 1800, _TEXT, 0, nd + 21),
            (0, new, False, "default", "unlabeled", "americas", 3.0, 2000, _TEXT, nd, 0),
            (1, mini, False, "default", "unlabeled", "americas", 2.0, 900, _VISION, 0, 0),
            (8, "o3-mini-2025-01-31", False, "default", "unlabeled", "europe", 1.0, 1200, _TEXT,
             20_120, 0),
            (2, mini, False, "default", "agents_api", "always", 4.0, 700, _TEXT, 0, 0),
            (2, "gpt-4o-audio-preview-2024-12-17", False, "default", "agents_api", "americas",
             0.8, 600, _AUDIO, 20_075, 0),
            (3, mini, False, "priority", "agents_api", "always", 2.5, 650, _TEXT, 0, 0),
            (4, old, False, "default", "unlabeled", "europe", 1.5, 2500, _VISION, 0, nd + 45),
            (4, new, False, "default", "unlabeled", "europe", 1.5, 2600, _VISION, nd + 3, 0),
            (5, "o3-mini-2025-01-31", False, "flex", "unlabeled", "americas", 1.0, 1500, _TEXT,
             20_120, 0),
            (9, mini, False, "default", "unlabeled", "americas", 0.5, 800, _TEXT, 0, 0),
            (6, mini, True, "default", "unlabeled", "nightly", 5.0, 3000, _BATCH, 0, 0),
            (6, old, True, "default", "unlabeled", "nightly", 2.0, 4000, _BATCH, 0, 0),
            (7, mini, False, "flex", "unlabeled", "always", 1.0, 1000, _TEXT, 0, 0),
        ]  # fmt: skip
        self._add(
            "completions",
            [
                Stream(
                    (*self._people(k), model, batch, tier, source),
                    rate * self._vary("completions", i),
                    profile,
                    scale,
                    params,
                    first or ORG_START_DAY,
                    last or 1 << 30,
                    spikes=k in (2, 3),
                )
                for i, (
                    k,
                    model,
                    batch,
                    tier,
                    source,
                    profile,
                    rate,
                    scale,
                    params,
                    first,
                    last,
                ) in (enumerate(table))
            ],
        )
        self._add("decisions", [
            Stream((*self._people(2), "o4-mini-2025-04-16", False, "default", "agents_api"),
                   1.5 * self._vary("decisions", 0), "always", 400, _TEXT, 20_200, spikes=True),
            Stream((*self._people(3), "o4-mini-2025-04-16", True, "default", "unlabeled"),
                   1.0 * self._vary("decisions", 1), "nightly", 900, _BATCH, 20_200),
        ])  # fmt: skip

    def _other_streams(self) -> None:
        """Embeddings, moderations, audio, images, storage and the tools."""
        new, mini, nd, p = self.new_model, _MINI, self.new_model_day, self._p
        simple: dict[str, list[tuple[int, str, str, float, int]]] = {
            "embeddings": [
                (4, "text-embedding-3-small", "europe", 1.5, 600),
                (6, "text-embedding-3-large", "nightly", 2.0, 5000),
                (2, "text-embedding-3-small", "always", 1.0, 300),
            ],
            "moderations": [
                (2, "omni-moderation-latest", "always", 2.0, 250),
                (3, "omni-moderation-latest", "always", 1.0, 200),
            ],
            "audio_speeches": [
                (2, "tts-1", "americas", 0.8, 400),
                (2, "gpt-4o-mini-tts", "americas", 0.6, 500),
            ],
            "audio_transcriptions": [
                (3, "whisper-1", "always", 0.8, 90),
                (2, "gpt-4o-transcribe", "americas", 0.5, 60),
            ],
        }
        for name, rows in simple.items():
            self._add(name, [
                Stream((*self._people(k), model), rate * self._vary(name, i), prof, scale,
                       spikes=k in (2, 3))
                for i, (k, model, prof, rate, scale) in enumerate(rows)
            ])  # fmt: skip
        images = [
            (1, "dall-e-3", "1024x1024", "image.generation", "americas", 0.6, 1),
            (1, "gpt-image-1", "1536x1024", "image.edit", "americas", 0.3, 1),
            (8, "dall-e-2", "512x512", "image.variation", "europe", 0.3, 3),
            (4, "dall-e-3", "1024x1792", "image.generation", "europe", 0.4, 2),
            (4, "gpt-image-1", "1024x1024", "image.generation", "europe", 0.3, 1),
        ]
        self._add("images", [
            Stream((*self._people(k), model, size, source), rate * self._vary("images", i),
                   prof, per_request, first_day=20_180 if model == "gpt-image-1" else 0)
            for i, (k, model, size, source, prof, rate, per_request) in enumerate(images)
        ])  # fmt: skip
        # Storage is a daily snapshot (see _gen); ``scale`` is the starting size in MiB and
        # ``params[0]`` the growth in MiB per day.
        self._add(
            "vector_stores",
            [
                Stream((p[1],), 1.0, "always", 300, (3,)),
                Stream((p[2],), 1.0, "always", 1200, (5,)),
                Stream((p[0],), 1.0, "always", 40, (1,), first_day=20_300),
            ],
        )
        self._add(
            "code_interpreter_sessions",
            [
                Stream((p[0],), 0.8 * self._vary("ci", 0), "americas", 1),
                Stream((p[3],), 0.5 * self._vary("ci", 1), "always", 1),
            ],
        )
        vs = self._vs
        self._add("file_search_calls", [
            Stream((*self._people(k), vs[v]), rate * self._vary("fs", i), prof, 2,
                   spikes=k in (2, 3))
            for i, (k, v, prof, rate) in enumerate(
                [(2, 0, "always", 1.5), (3, 0, "always", 1.0), (4, 1, "europe", 0.8),
                 (5, 2, "americas", 0.5)]
            )
        ])  # fmt: skip
        web = [
            (4, mini, "medium", "unlabeled", "europe", 1.0, 0),
            (4, new, "high", "unlabeled", "europe", 0.6, nd),
            (2, mini, "low", "agents_api", "always", 1.2, 0),
        ]
        self._add("web_search_calls", [
            Stream((*self._people(k), model, level, source), rate * self._vary("ws", i), prof,
                   2, first_day=first or 20_160, spikes=k == 2)
            for i, (k, model, level, source, prof, rate, first) in enumerate(web)
        ])  # fmt: skip


# --- Prices -------------------------------------------------------------------------------
# USD per unit of the line item's quantity, in the neighbourhood of OpenAI's list prices.
# Kept as exact Decimals so an amount is exactly quantity x price and sums are exact.
_M = Decimal("0.000001")

#: model -> (input, cached input, output) per token.
TOKEN_PRICES: Final[dict[str, tuple[Decimal, Decimal, Decimal]]] = {
    "gpt-4o-2024-08-06": (Decimal("2.50") * _M, Decimal("1.25") * _M, Decimal("10") * _M),
    "gpt-4o-mini-2024-07-18": (Decimal("0.15") * _M, Decimal("0.075") * _M, Decimal("0.6") * _M),
    "gpt-4.1-2025-04-14": (Decimal("2") * _M, Decimal("0.5") * _M, Decimal("8") * _M),
    "o3-mini-2025-01-31": (Decimal("1.1") * _M, Decimal("0.55") * _M, Decimal("4.4") * _M),
    "o4-mini-2025-04-16": (Decimal("1.1") * _M, Decimal("0.275") * _M, Decimal("4.4") * _M),
    "gpt-4o-audio-preview-2024-12-17": (
        Decimal("2.5") * _M,
        Decimal("1.25") * _M,
        Decimal("10") * _M,
    ),
    "text-embedding-3-small": (Decimal("0.02") * _M, Decimal(0), Decimal(0)),
    "text-embedding-3-large": (Decimal("0.13") * _M, Decimal(0), Decimal(0)),
}
#: Batch requests cost half.
BATCH_DISCOUNT: Final = Decimal("0.5")
IMAGE_PRICES: Final = {
    "dall-e-3": Decimal("0.04"),
    "dall-e-2": Decimal("0.018"),
    "gpt-image-1": Decimal("0.042"),
}
CHARACTER_PRICES: Final = {"tts-1": Decimal("0.000015"), "gpt-4o-mini-tts": Decimal("0.000012")}
SECOND_PRICES: Final = {"whisper-1": Decimal("0.0001"), "gpt-4o-transcribe": Decimal("0.0001")}
#: Per GiB-hour (about $0.10 per GiB-day).
STORAGE_PRICE: Final = Decimal("0.004")
SESSION_PRICE: Final = Decimal("0.03")
FILE_SEARCH_PRICE: Final = Decimal("0.0025")
WEB_SEARCH_PRICES: Final = {
    "low": Decimal("0.025"),
    "medium": Decimal("0.0275"),
    "high": Decimal("0.03"),
}
