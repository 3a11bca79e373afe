"""Parquet hand-off: Hive partitions with exact decimals, only changed partitions rewritten."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from _store_helpers import DAY, client_for, ts

from openai_usage_client.store import Store
from openai_usage_client.testing import FakeAPI

pq = pytest.importorskip("pyarrow.parquet")
ds = pytest.importorskip("pyarrow.dataset")

NOW = ts("2026-10-08")
START = ts("2026-10-01")


def _files(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*.parquet")}


def test_export_is_hive_partitioned_exact_and_incremental(tmp_path: Path) -> None:
    out = tmp_path / "lake"
    with Store(tmp_path / "u.db") as store:
        with client_for(FakeAPI(0, now=NOW, settle_days=2)) as client:
            store.sync(client, start=START, now=NOW)
        first = store.export_parquet(out)
        files = _files(out)
        assert first.written == len(files) == 14  # 7 days x costs, completions
        assert "endpoint=costs/date=2026-10-01/part-0.parquet" in files
        # One table per endpoint (their columns differ): read endpoint=<name>/ as a dataset.
        table = ds.dataset(out / "endpoint=costs", format="parquet", partitioning="hive").to_table()
        assert len(set(table.column("date").to_pylist())) == 7
        assert str(table.schema.field("amount_value").type) == "decimal128(38, 24)"
        exact = sum(table.column("amount_value").to_pylist())
        assert exact == sum(r["amount_value"] for r in store.rows("costs"))
        assert isinstance(exact, Decimal)
        assert table.num_rows == sum(1 for _ in store.rows("costs"))
        assert set(table.column("organization").to_pylist()) == {"default"}
        # Each row says whether its day may still change: the settle window (2 days) of NOW.
        flags = {
            (str(d), p)
            for d, p in zip(
                table.column("date").to_pylist(),
                table.column("provisional").to_pylist(),
                strict=True,
            )
        }
        assert flags == {
            *((f"2026-10-0{d}", False) for d in range(1, 6)),
            ("2026-10-06", True),
            ("2026-10-07", True),
        }

        # Nothing changed: nothing is rewritten.
        again = store.export_parquet(out)
        assert (again.written, again.unchanged, again.removed) == (0, 14, 0)
        assert _files(out) == files

        # The next day: costs of the provisional days settle; only those partitions change.
        with client_for(FakeAPI(0, now=NOW + DAY, settle_days=2)) as client:
            store.sync(client, now=NOW + DAY)
        later = store.export_parquet(out)
        changed = {k for k, v in _files(out).items() if files.get(k) != v}
        assert later.written == len(changed) > 0
        assert all(
            "date=2026-10-06" in k or "date=2026-10-07" in k or "date=2026-10-08" in k
            for k in changed
        )
        table = ds.dataset(out / "endpoint=costs", format="parquet", partitioning="hive").to_table()
        settled = {
            str(d)
            for d, p in zip(
                table.column("date").to_pylist(),
                table.column("provisional").to_pylist(),
                strict=True,
            )
            if not p
        }
        assert "2026-10-06" in settled and "2026-10-07" not in settled


def test_polars_reads_the_dataset(tmp_path: Path) -> None:
    pl = pytest.importorskip("polars")
    with Store(tmp_path / "u.db") as store:
        with client_for(FakeAPI(0, now=NOW)) as client:
            store.sync(client, start=START, now=NOW, endpoints=["costs"])
        store.export_parquet(tmp_path / "lake")
        frame = pl.read_parquet(
            tmp_path / "lake" / "endpoint=costs" / "**" / "*.parquet", hive_partitioning=True
        )
        assert frame.height == sum(1 for _ in store.rows("costs"))
        assert frame["date"].n_unique() == 7
        assert frame["amount_value"].dtype == pl.Decimal(38, 24)
