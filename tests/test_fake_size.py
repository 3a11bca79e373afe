"""A fake organization of any size (#36): ``FakeAPI(seed, size=N)``, ``fake-server --size N``
and ``--fake-size N``; ``size=1`` is the seeded organization itself."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from _cli_run import run
from _store_helpers import DAY, ts

from openai_usage_client import InvalidParameterError
from openai_usage_client.store import Store
from openai_usage_client.testing import FakeAPI

NOW = ts("2026-11-01")
WEEK = {"start_time": NOW - 7 * DAY, "end_time": NOW}

pytestmark = pytest.mark.usefixtures("no_ambient_key")


def test_size_n_is_n_replicas_of_the_seeded_organization() -> None:
    one, three = FakeAPI(seed=5), FakeAPI(seed=5, size=3)
    assert (one.size, three.size) == (1, 3)
    org = three.org
    sizes = (len(org.projects), len(org.users), len(org.keys), len(org.vector_stores))
    assert sizes == (15, 21, 33, 9)
    # Replica 0 is the seeded organization; the others have IDs of their own.
    assert org.projects[:5] == one.org.projects and org.keys[:11] == one.org.keys
    assert len(set(org.projects)) == 15 and len({k.id for k in org.keys}) == 33
    assert org.idle_projects == [org.projects[4], org.projects[9], org.projects[14]]
    for name, streams in one.org.streams.items():
        assert len(org.streams[name]) == 3 * len(streams), name
    # Archived projects and deleted keys in proportion; names tell the replicas apart.
    d = three.directory
    archived = [p["name"] for p in d.projects if p["archived_at"] is not None]
    assert archived == ["Batch pipeline", "Batch pipeline #2", "Batch pipeline #3"]
    assert [r["name"] for r, _ in d.deleted_keys.values()] == [
        "old notebooks", "old notebooks #2", "old notebooks #3",
    ]  # fmt: skip
    assert d.deleted_key_id == one.directory.deleted_key_id
    assert len(three.directory.saved_before_deletion().api_keys) == 3
    assert len({u["email"] for u in d.users}) == 21
    assert sum(len(v) for v in d.service_accounts.values()) == 6
    # Deterministic per seed.
    assert FakeAPI(seed=5, size=3).org.keys == org.keys
    assert FakeAPI(seed=6, size=3).org.keys[11:] != org.keys[11:]


def test_the_seeded_replica_spends_what_size_1_spends_and_the_rest_scales() -> None:
    one = FakeAPI(seed=0).totals("costs", **WEEK, group_by=["project_id"])
    ten = FakeAPI(seed=0, size=10).totals("costs", **WEEK, group_by=["project_id"])
    assert {k: ten[k] for k in one} == one
    total_one = sum(v["amount"] for v in one.values())
    total_ten = sum(v["amount"] for v in ten.values())
    assert 7 * total_one < total_ten < 13 * total_one  # each replica varies by +-30%


@pytest.mark.parametrize("size", [0, -1, 10_001, True, 1.5])
def test_a_size_out_of_range_is_refused(size: object) -> None:
    with pytest.raises(InvalidParameterError) as caught:
        FakeAPI(size=size)  # type: ignore[arg-type]
    assert str(caught.value) == f"invalid size={size!r}: an integer from 1 to 10000"


def test_size_10_sync_report_and_reconcile_over_a_week(tmp_path: Path) -> None:
    """The whole CLI on a size-10 organization: the store holds its 50 projects' spend."""
    db = str(tmp_path / "usage.db")
    args = ["--fake", "--fake-size", "10"]
    code, _out, err = run(*args, "sync", "--db", db, "--start", "2026-10-25", "--names", "-q")
    assert code == 0, err
    fake = FakeAPI(seed=0, size=10)
    with Store(db) as store:
        held = store.summarize("costs", ["project_id"], ["amount_value"],
                               start=NOW - 7 * DAY, end=NOW)  # fmt: skip
        assert len(store.directory().projects) == 50
    truth = fake.totals("costs", **WEEK, group_by=["project_id"])
    assert {r["project_id"]: r["amount_value"] for r in held} == {
        k[0]: v["amount"] for k, v in truth.items()
    }
    code, out, err = run(*args, "report", "--db", db, "--start", "2026-10-25", "-f", "json")
    assert code == 0, err
    assert Decimal(json.loads(out)["total"]) == sum(v["amount"] for v in truth.values())
    code, _out, err = run(*args, "reconcile", "--db", db, "--start", "2026-10-25", "-f", "json")
    assert code == 0, err


def test_fake_size_needs_the_fake() -> None:
    code, out, err = run("--fake-size", "3", "costs")
    assert (code, out) == (2, "")
    assert err == (
        "openai-usage: error: --fake-size applies only with --fake "
        "(see 'openai-usage costs --help')\n"
    )


def test_the_fake_server_serves_a_sized_organization() -> None:
    code, out, _err = run("fake-server", "--help")
    assert code == 0 and "--size INTEGER RANGE" in out
