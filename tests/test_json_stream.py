"""JSON written in pieces (``_core._json_stream``): the same text as ``json.dumps``, with
long lists made as they are written (report --db, reconcile: bench P9)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from openai_usage_client._core._json_stream import PIECE, Streamed, write_json
from openai_usage_client._core._text import json_safe
from openai_usage_client.reconcile import reconcile
from openai_usage_client.store import Store


def test_a_streamed_list_is_written_as_the_list_would_be() -> None:
    made: list[int] = []

    def items() -> Iterator[dict[str, object]]:
        for i in range(5000):
            made.append(i)
            yield {"i": i, "name": f"proj \u202e{i}"}

    document = {"head": "x\x85y", "items": Streamed(items(), 5000), "empty": Streamed([], 0)}
    pieces: list[str] = []
    write_json(document, pieces.append)
    plain = {**document, "items": [{"i": i, "name": f"proj \u202e{i}"} for i in range(5000)],
             "empty": []}  # fmt: skip
    expected = json_safe(json.dumps(plain, indent=2, ensure_ascii=False)) + "\n"
    assert "".join(pieces) == expected
    assert "\\u202e" in expected and "\u202e" not in expected and "\\u0085" in expected
    assert len(made) == 5000 and len(pieces) == len(expected) // PIECE + 1 > 2
    assert json.loads(expected)["empty"] == []


def test_reconcile_writes_its_json_in_pieces_as_to_dict_says(
    tmp_path: Path,
) -> None:
    from openai_usage_client.testing import FakeAPI
    from tests._store_helpers import client_for

    fake = FakeAPI(seed=3)
    path = tmp_path / "usage.db"
    with client_for(fake) as client, Store(path) as store:
        store.sync(client, start=fake.now - 20 * 86_400, now=fake.now)
        found = reconcile(store, now=fake.now)
        pieces: list[str] = []
        found.write_json(pieces.append)
        whole = json_safe(json.dumps(found.to_dict(), indent=2, ensure_ascii=False)) + "\n"
    text = "".join(pieces)
    assert text == whole
    assert len(json.loads(text)["cells"]) == len(found.cells) > 100
