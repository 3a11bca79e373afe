"""Names through every export: ``rows(..., names=)``, ``columns(names=True)``, the writers and
the streams' methods, sync and async, with the same columns and values everywhere."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import httpx
import pytest

from openai_usage_client import AsyncUsageClient, UsageClient, columns, rows, to_csv
from openai_usage_client._core._names import NAME_COLUMNS
from openai_usage_client.directory import Directory
from openai_usage_client.testing import DEFAULT_ADMIN_KEY, FakeAPI

START = 1_790_812_800  # 2026-10-01T00:00:00Z
END = START + 3 * 86_400
GROUPS = ["project_id", "api_key_id", "user_id", "line_item"]


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    return FakeAPI()


def _client(fake: FakeAPI) -> UsageClient:
    return UsageClient(DEFAULT_ADMIN_KEY, http_client=httpx.Client(transport=fake.transport()))


@pytest.fixture(scope="module")
def directory(fake: FakeAPI) -> Directory:
    with _client(fake) as client:
        return client.directory()


def test_columns_with_names_put_each_name_after_its_id() -> None:
    plain = columns("costs")
    named = columns("costs", names=True)
    assert [c for c in named if c not in NAME_COLUMNS] == plain
    i = named.index("project_id")
    assert named[i + 1] == "project_name"
    i = named.index("api_key_id")
    assert named[i + 1 : i + 4] == ["api_key_name", "api_key_redacted_value", "api_key_owner"]
    i = named.index("user_id")
    assert named[i + 1 : i + 3] == ["user_name", "user_email"]
    # vector_stores has only project_id: only the project's name is added.
    assert set(columns("vector_stores", names=True)) - set(columns("vector_stores")) == {
        "project_name"
    }


def test_rows_with_names_match_the_directory_exactly(fake: FakeAPI, directory: Directory) -> None:
    with _client(fake) as client:
        named = list(client.costs(start_time=START, end_time=END, group_by=GROUPS).rows(
            names=directory
        ))  # fmt: skip
    assert named, "the fake has costs in this range"
    assert list(named[0]) == columns("costs", names=True)
    seen = {"project": 0, "key": 0, "user": 0}
    for row in named:
        project = directory.project(row["project_id"]) if row["project_id"] else None
        assert row["project_name"] == (project.name if project else None)
        key = directory.api_key(row["api_key_id"]) if row["api_key_id"] else None
        assert row["api_key_name"] == (key.name if key else None)
        assert row["api_key_redacted_value"] == (key.redacted_value if key else None)
        assert row["api_key_owner"] == (key.owner if key else None)
        user = directory.user(row["user_id"]) if row["user_id"] else None
        assert row["user_name"] == (user.name if user else None)
        assert row["user_email"] == (user.email if user else None)
        seen["project"] += project is not None
        seen["key"] += key is not None
        seen["user"] += user is not None
    assert all(seen.values()), seen  # every kind of ID was named at least once


def test_an_unknown_id_keeps_empty_names(fake: FakeAPI) -> None:
    empty = Directory()
    with _client(fake) as client:
        stream = client.costs(start_time=START, end_time=END, group_by=GROUPS)
        named = list(rows(stream, names=empty))
    assert named
    assert all(row[c] is None for row in named for c in NAME_COLUMNS)


def test_to_csv_with_names_writes_the_named_header_and_values(
    fake: FakeAPI, directory: Directory, tmp_path: Path
) -> None:
    with _client(fake) as client:
        stream = client.costs(start_time=START, end_time=END, group_by=GROUPS)
        count = stream.to_csv(tmp_path / "named.csv", names=directory)
        expected = list(
            rows(client.costs(start_time=START, end_time=END, group_by=GROUPS), names=directory)
        )
    with (tmp_path / "named.csv").open(newline="") as handle:
        read = list(csv.DictReader(handle))
    assert count == len(read) == len(expected)
    assert list(read[0]) == columns("costs", names=True)
    assert [r["project_name"] for r in read] == [e["project_name"] or "" for e in expected]
    assert [r["api_key_owner"] for r in read] == [e["api_key_owner"] or "" for e in expected]
    # Rows already named keep their names, and the header follows them.
    buffer = io.StringIO()
    to_csv(expected, buffer, endpoint="costs")
    assert buffer.getvalue().splitlines()[0] == ",".join(columns("costs", names=True))


def test_the_async_stream_writes_the_same_named_file(
    fake: FakeAPI, directory: Directory, tmp_path: Path
) -> None:
    async def main() -> int:
        http = httpx.AsyncClient(transport=fake.async_transport())
        async with AsyncUsageClient(DEFAULT_ADMIN_KEY, http_client=http) as client:
            stream = client.costs(start_time=START, end_time=END, group_by=GROUPS)
            written: int = await stream.to_csv(tmp_path / "async.csv", names=directory)
        await http.aclose()
        return written

    count = asyncio.run(main())
    with _client(fake) as client:
        client.costs(start_time=START, end_time=END, group_by=GROUPS).to_csv(
            tmp_path / "sync.csv", names=directory
        )
    assert count > 0
    assert (tmp_path / "async.csv").read_text() == (tmp_path / "sync.csv").read_text()


def test_parquet_with_names_has_string_name_columns(
    fake: FakeAPI, directory: Directory, tmp_path: Path
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    with _client(fake) as client:
        stream = client.costs(start_time=START, end_time=END, group_by=GROUPS)
        stream.to_parquet(tmp_path / "named.parquet", names=directory)
    table = pq.read_table(tmp_path / "named.parquet")
    assert table.column_names == columns("costs", names=True)
    assert str(table.schema.field("project_name").type) == "string"
    names = set(table.column("project_name").to_pylist())
    assert names - {None} <= {p.name for p in directory.projects.values()}
    assert names - {None}
