"""``Store.select``: a question put to the store as the API takes it (#35): the one series
rule, refusals before any read, filters and regrouping in the store."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from _store_helpers import DAY, client_for, ts

from openai_usage_client import InvalidParameterError
from openai_usage_client.store import NotStoredError, Store, StoredSeries
from openai_usage_client.testing import FakeAPI

NOW = ts("2026-11-01T00:00:00")
START = NOW - 5 * DAY


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("select") / "usage.db"
    fake = FakeAPI(seed=0)
    with client_for(fake) as client, Store(path) as kept:
        kept.sync(client, start=START, now=NOW, endpoints=["costs"])
        # Synced last: costs by project alone (a grouping change).
        kept.sync(client, start=START, now=NOW, endpoints=["costs"],
                  group_by={"costs": ["project_id"]})  # fmt: skip
    return Store(path, read_only=True)


def test_the_series_synced_last_answers_what_it_covers(store: Store) -> None:
    chosen = store.select("costs", START, NOW, group_by=["project_id"])
    assert chosen.series == StoredSeries("1d", ("project_id",), 2)
    assert chosen.group_by == ["project_id"]
    rows = list(chosen.rows)
    fake = FakeAPI(seed=0).totals("costs", start_time=START, end_time=NOW, group_by=["project_id"])
    by_project: dict[str, Decimal] = {}
    for row in rows:
        by_project[row["project_id"]] = by_project.get(row["project_id"], 0) + row["amount_value"]
    assert by_project == {k[0]: v["amount"] for k, v in fake.items()}


def test_a_finer_question_reads_the_finer_series_and_sums_to_the_asked_grouping(
    store: Store,
) -> None:
    chosen = store.select("costs", START, NOW, group_by=["line_item"])
    assert chosen.series.group_by == ("project_id", "line_item", "api_key_id", "user_id")
    assert chosen.group_by == ["line_item"]
    rows = list(chosen.rows)
    keys = [(r["start_time"], r["line_item"]) for r in rows]
    assert len(keys) == len(set(keys))  # one row per bucket and line item
    assert {r["project_id"] for r in rows} == {None}  # not asked: empty, as the API sends
    total = sum(r["amount_value"] for r in rows)
    fake = FakeAPI(seed=0).totals("costs", start_time=START, end_time=NOW)
    assert total == fake[()]["amount"]


def test_filters_keep_the_matching_rows_only(store: Store) -> None:
    everything = list(store.select("costs", START, NOW, group_by=["line_item"]).rows)
    item = everything[0]["line_item"]
    kept = list(store.select("costs", START, NOW, group_by=["line_item"],
                             where={"line_item": [item]}).rows)  # fmt: skip
    assert kept == [r for r in everything if r["line_item"] == item] and kept


@pytest.mark.parametrize(
    ("kwargs", "param", "message"),
    [
        (
            {"bucket_width": "1h"},
            "bucket_width",
            "the store holds costs as: 1d by project_id; "
            "1d by project_id, line_item, api_key_id, user_id",
        ),
        (
            {"group_by": ["organization_id"]},
            "group_by",
            "the store holds costs as: 1d by project_id; 1d by project_id, line_item, "
            "api_key_id, user_id; it has no organization_id: sync --endpoint costs keeps "
            "costs by project_id, line_item, api_key_id, user_id",
        ),
        (
            {"where": {"line_item": ["x"]}},
            "line_item",
            "the stored costs are not grouped by line_item (grouped by project_id)",
        ),
    ],
)
def test_what_the_store_cannot_answer_is_refused_before_any_read(
    store: Store, kwargs: dict[str, object], param: str, message: str
) -> None:
    with pytest.raises(NotStoredError) as caught:
        store.select("costs", START, NOW, **kwargs)  # type: ignore[arg-type]
    assert isinstance(caught.value, InvalidParameterError)
    assert (caught.value.param, caught.value.allowed) == (param, message)


def test_an_endpoint_never_synced(store: Store, tmp_path: Path) -> None:
    with pytest.raises(NotStoredError) as caught:
        store.select("images", START, NOW)
    assert caught.value.allowed == f"{store.path} holds no images: sync it with --endpoint images"


def test_spend_reads_a_stores_organizations_from_python(store: Store) -> None:
    """What ``check --db`` and ``report --db --config`` open, without the CLI (#35)."""
    from openai_usage_client.spend import (
        SpendConfig,
        StoreSource,
        month_start,
        stored_organizations,
    )

    assert month_start(ts("2026-11-07T15:30:00")) == ts("2026-11-01T00:00:00")
    assert month_start(ts("2026-11-01T00:00:00")) == ts("2026-11-01T00:00:00")
    (org,) = stored_organizations(SpendConfig(), store, NOW, "usage.db")
    assert org.name == "default" and org.source == StoreSource(store, "default", "usage.db")
    assert org.notes[0].startswith("default: costs from the local store usage.db; ")


def test_renamed_public_modules_keep_their_old_names() -> None:
    """``spend.report`` is now ``spend.sections`` (#35); the old import path still works."""
    from openai_usage_client.spend import report, sections

    assert report.spend_sections is sections.spend_sections
    assert report.__all__ == sections.__all__
