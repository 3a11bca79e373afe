"""rows(), the file writers, the DataFrame builders and summarize(), checked against the fake."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from openai_usage_client import Bucket, UsageClient
from openai_usage_client._core._endpoints import ENDPOINTS
from openai_usage_client._core._exports import (
    column_types,
    columns,
    rows,
    to_csv,
    to_json,
    to_jsonl,
    to_pandas,
    to_parquet,
    to_polars,
)
from openai_usage_client._core._summarize import model_from_line_item, summarize
from openai_usage_client.testing import (
    DEFAULT_ADMIN_KEY,
    UNKNOWN_FIELD,
    UNKNOWN_RESULT_OBJECT,
    FakeAPI,
    Faults,
)

NOW = 1_793_491_200  # the fake's now, 2026-11-01T00:00Z
DAY = 86_400
START = NOW - 10 * DAY


def client(fake: FakeAPI) -> UsageClient:
    return UsageClient(DEFAULT_ADMIN_KEY, http_client=httpx.Client(transport=fake.transport()))


def stream(fake: FakeAPI, endpoint: str, **params: Any) -> Any:
    c = client(fake)
    method = c.endpoint(endpoint)
    params.setdefault("start_time", START)
    params.setdefault("end_time", NOW)
    return method(**params)


def group_sums(
    records: list[dict[str, Any]], by: list[str], fields: list[str]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in records:
        total = out.setdefault(tuple(r[b] for b in by), dict.fromkeys(fields, 0))
        for f in fields:
            total[f] += r[f] or 0
    return out


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    return FakeAPI(seed=0)


@pytest.fixture(scope="module")
def cost_rows(fake: FakeAPI) -> list[dict[str, Any]]:
    return list(stream(fake, "costs", group_by=["project_id", "line_item"]).rows())


# --- columns -------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_columns_come_from_the_result_model(endpoint: str) -> None:
    from openai_usage_client._generated import models

    spec = ENDPOINTS[endpoint]
    (model,) = [
        cls
        for cls in vars(models).values()
        if getattr(cls, "model_fields", {}).get("object")
        and spec.result_object in str(cls.model_fields["object"].annotation)
    ]
    cols = columns(endpoint)
    assert cols[:4] == ["endpoint", "start_time", "end_time", "object"]
    assert cols[-1] == "extra"
    assert cols[4 : 4 + len(spec.group_by)] == list(spec.group_by)
    expected = set()
    for name, info in model.model_fields.items():
        if name == "object":
            continue
        nested = getattr(info.annotation, "model_fields", None)
        expected |= {f"{name}_{sub}" for sub in nested} if nested else {name}
    assert set(cols[4:-1]) == expected
    assert len(cols) == len(set(cols))


def test_costs_columns_and_types() -> None:
    assert columns("costs") == [
        "endpoint", "start_time", "end_time", "object",
        "project_id", "line_item", "api_key_id", "user_id", "api_source",
        "amount_value", "amount_currency", "quantity", "quantity_unit", "extra",
    ]  # fmt: skip
    types = column_types("costs")
    assert types["amount_value"] == "decimal"
    assert types["quantity"] == "float"
    assert types["start_time"] == "datetime"
    assert column_types("completions")["batch"] == "bool"
    assert column_types("completions")["input_tokens"] == "int"


def test_unknown_endpoint_and_missing_endpoint_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown endpoint 'nope'"):
        columns("nope")
    with pytest.raises(TypeError, match="pass endpoint="):
        rows([])


# --- rows ----------------------------------------------------------------------------------


def test_rows_have_a_stable_schema_and_exact_types(cost_rows: list[dict[str, Any]]) -> None:
    assert cost_rows
    for row in cost_rows:
        assert list(row) == columns("costs")
        assert row["endpoint"] == "costs"
        assert row["start_time"].tzinfo is UTC
        assert (row["end_time"] - row["start_time"]).total_seconds() == DAY
        assert isinstance(row["amount_value"], Decimal)
        assert row["amount_currency"] == "usd"
        assert row["api_key_id"] is None
        assert row["extra"] is None


def test_costs_rows_sum_exactly_to_the_fakes_totals(
    fake: FakeAPI, cost_rows: list[dict[str, Any]]
) -> None:
    truth = fake.totals("costs", start_time=START, end_time=NOW, group_by=["project_id"])
    got = summarize(cost_rows, by=["project_id"], fields=["amount_value"])
    assert {(r["project_id"],): r["amount_value"] for r in got} == {
        k: v["amount"] for k, v in truth.items()
    }


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_every_endpoint_rows_sum_to_totals(fake: FakeAPI, endpoint: str) -> None:
    spec = ENDPOINTS[endpoint]
    group = [spec.group_by[0]]
    records = list(stream(fake, endpoint, group_by=group).rows())
    truth = fake.totals(endpoint, start_time=START, end_time=NOW, group_by=group)
    assert records
    counters = {k for v in truth.values() for k in v}
    fields = ["amount_value" if c == "amount" else c for c in counters]
    got = group_sums(records, group, fields)
    assert got == {
        k: {("amount_value" if c == "amount" else c): n for c, n in v.items()}
        for k, v in truth.items()
    }


def test_unknown_results_and_fields_are_kept_not_dropped() -> None:
    fake = FakeAPI(seed=0, faults=Faults(rate_unknown_result=1.0, rate_unknown_field=1.0))
    records = list(stream(fake, "completions", start_time=NOW - 2 * DAY).rows())
    unknown = [r for r in records if r["object"] == UNKNOWN_RESULT_OBJECT]
    known = [r for r in records if r["object"] != UNKNOWN_RESULT_OBJECT]
    assert len(unknown) == 2  # one per bucket
    assert known
    for r in unknown:
        assert list(r) == columns("completions")
        assert r["input_tokens"] is None
        assert json.loads(r["extra"])  # every field it had, as JSON
    for r in known:
        assert UNKNOWN_FIELD in json.loads(r["extra"])
        assert isinstance(r["input_tokens"], int)


def test_empty_buckets_give_no_rows_and_partial_buckets_keep_their_times() -> None:
    buckets = [
        Bucket(object="bucket", start_time=100, end_time=3600, results=[]),
        Bucket.model_validate(
            {
                "object": "bucket",
                "start_time": 3600,
                "end_time": 7200,
                "results": [
                    {
                        "object": "organization.usage.vector_stores.result",
                        "usage_bytes": 5,
                        "project_id": "p",
                    }
                ],
            }
        ),
    ]
    (row,) = rows(buckets, "vector_stores")
    assert row["start_time"] == datetime(1970, 1, 1, 1, tzinfo=UTC)
    assert row == {
        "endpoint": "vector_stores",
        "start_time": datetime(1970, 1, 1, 1, tzinfo=UTC),
        "end_time": datetime(1970, 1, 1, 2, tzinfo=UTC),
        "object": "organization.usage.vector_stores.result",
        "project_id": "p",
        "usage_bytes": 5,
        "extra": None,
    }


# --- text writers --------------------------------------------------------------------------


def cost_bucket(value: str, **fields: Any) -> Bucket:
    return Bucket.model_validate(
        {
            "object": "bucket",
            "start_time": NOW - DAY,
            "end_time": NOW,
            "results": [
                {
                    "object": "organization.costs.result",
                    "amount": {"value": value, "currency": "usd"},
                    **fields,
                }
            ],
        }
    )


def test_csv_writes_decimals_exactly_and_times_with_z() -> None:
    out = io.StringIO()
    n = to_csv([cost_bucket("0.00000001", line_item="gpt-4o, input")], out, endpoint="costs")
    assert n == 1
    header, line = out.getvalue().splitlines()
    assert header.split(",") == columns("costs")
    assert line == (
        "costs,2026-10-31T00:00:00Z,2026-11-01T00:00:00Z,organization.costs.result,,"
        '"gpt-4o, input",,,,0.00000001,usd,,,'
    )


def test_csv_sums_match_totals(fake: FakeAPI, tmp_path: Path) -> None:
    path = tmp_path / "costs.csv"
    s = stream(fake, "costs", group_by=["project_id"])
    to_csv(s, path)  # endpoint inferred from the stream
    with path.open(newline="") as handle:
        records = list(csv.DictReader(handle))
    totals: dict[str, Decimal] = {}
    for r in records:
        totals[r["project_id"]] = totals.get(r["project_id"], Decimal(0)) + Decimal(
            r["amount_value"]
        )
    truth = fake.totals("costs", start_time=START, end_time=NOW, group_by=["project_id"])
    assert totals == {k[0]: v["amount"] for k, v in truth.items()}


def test_json_numbers_are_exact_decimal_literals() -> None:
    out = io.StringIO()
    to_json([cost_bucket("12.345678901234567890123")], out, endpoint="costs")
    text = out.getvalue()
    assert '"amount_value":12.345678901234567890123,' in text
    (record,) = json.loads(text, parse_float=Decimal)
    assert record["amount_value"] == Decimal("12.345678901234567890123")
    assert record["start_time"] == "2026-10-31T00:00:00Z"
    assert record["extra"] is None


def test_json_and_jsonl_round_trip(cost_rows: list[dict[str, Any]]) -> None:
    out = io.StringIO()
    assert to_jsonl(cost_rows, out, endpoint="costs") == len(cost_rows)
    lines = [json.loads(line, parse_float=Decimal) for line in out.getvalue().splitlines()]
    array = io.StringIO()
    to_json(cost_rows, array, endpoint="costs")
    assert json.loads(array.getvalue(), parse_float=Decimal) == lines
    assert [r["amount_value"] for r in lines] == [r["amount_value"] for r in cost_rows]


def test_empty_outputs_are_valid() -> None:
    out = io.StringIO()
    assert to_json([], out, endpoint="costs") == 0
    assert json.loads(out.getvalue()) == []
    out = io.StringIO()
    to_csv([], out, endpoint="images")
    assert out.getvalue().strip() == ",".join(columns("images"))


class Recorder(io.StringIO):
    pass


def test_writers_stream_row_by_row() -> None:
    out = Recorder()

    def buckets() -> Iterator[Bucket]:
        yield cost_bucket("1")
        # The first row must already be written before the second bucket is asked for.
        assert '"amount_value":1,' in out.getvalue()
        yield cost_bucket("2")

    assert to_json(buckets(), out, endpoint="costs") == 2


# --- DataFrames and Parquet ----------------------------------------------------------------


def test_pandas_dtypes(fake: FakeAPI) -> None:
    frame = to_pandas(stream(fake, "completions", group_by=["model", "batch"]))
    assert str(frame["start_time"].dtype) == "datetime64[ns, UTC]"
    assert str(frame["input_tokens"].dtype) == "Int64"
    assert str(frame["batch"].dtype) == "boolean"
    assert str(frame["model"].dtype) == "string"
    truth = fake.totals("completions", start_time=START, end_time=NOW)
    assert int(frame["input_tokens"].sum()) == truth[()]["input_tokens"]


def test_pandas_money_is_float_and_empty_frames_keep_columns(
    cost_rows: list[dict[str, Any]],
) -> None:
    frame = to_pandas(cost_rows, endpoint="costs")
    assert str(frame["amount_value"].dtype) == "float64"
    exact = sum(r["amount_value"] for r in cost_rows)
    assert frame["amount_value"].sum() == pytest.approx(float(exact))
    empty = to_pandas([], endpoint="costs")
    assert list(empty.columns) == columns("costs")
    assert str(empty["quantity"].dtype) == "float64"


def test_polars_money_is_exact(cost_rows: list[dict[str, Any]]) -> None:
    import polars as pl

    frame = to_polars(cost_rows, endpoint="costs")
    assert frame.schema["amount_value"] == pl.Decimal(38, 24)
    assert frame.schema["start_time"] == pl.Datetime("us", "UTC")
    assert frame["amount_value"].sum() == sum(r["amount_value"] for r in cost_rows)


def test_polars_and_parquet_refuse_to_round_money() -> None:
    tiny = [cost_bucket("0." + "0" * 24 + "1")]
    with pytest.raises(ValueError, match="more than 24 decimal places"):
        to_polars(tiny, endpoint="costs")
    trailing_zeros = [cost_bucket("0.25" + "0" * 30)]
    assert to_polars(trailing_zeros, endpoint="costs")["amount_value"][0] == Decimal("0.25")


def test_parquet_round_trip_in_row_groups(
    cost_rows: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.parquet as pq

    from openai_usage_client._core import _exports

    monkeypatch.setattr(_exports, "_PARQUET_BATCH", 50)
    path = tmp_path / "costs.parquet"
    assert to_parquet(cost_rows, path, endpoint="costs") == len(cost_rows)
    table = pq.read_table(path)
    assert table.column_names == columns("costs")
    assert pq.ParquetFile(path).num_row_groups == -(-len(cost_rows) // 50)
    assert table.column("amount_value").to_pylist() == [r["amount_value"] for r in cost_rows]
    assert str(table.schema.field("start_time").type) == "timestamp[us, tz=UTC]"
    empty = tmp_path / "empty.parquet"
    assert to_parquet([], empty, endpoint="costs") == 0
    assert pq.read_table(empty).column_names == columns("costs")


@pytest.mark.parametrize(
    ("modules", "call", "extra"),
    [
        (["pandas"], lambda: to_pandas([], endpoint="costs"), "pandas"),
        (["polars"], lambda: to_polars([], endpoint="costs"), "polars"),
        (["pyarrow", "pyarrow.parquet"], lambda: to_parquet([], "x", endpoint="costs"), "parquet"),
    ],
)
def test_missing_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, modules: list[str], call: Any, extra: str
) -> None:
    for module in modules:
        monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ImportError) as info:
        call()
    assert f"pip install 'openai-usage-client[{extra}]'" in str(info.value)


def test_missing_matplotlib_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from openai_usage_client.report._charts import ChartData, write_chart

    for module in ("matplotlib", "matplotlib.figure", "matplotlib.ticker"):
        monkeypatch.setitem(sys.modules, module, None)
    data = ChartData("t", "usd", [date(2026, 10, 1)], {"p": [1.0]}, [("m", 1, 2)])
    with pytest.raises(ImportError, match=r"pip install 'openai-usage-client\[charts\]'"):
        write_chart(data, tmp_path / "c.png")
    write_chart(data, tmp_path / "c.html")  # needs nothing
    assert "<svg" in (tmp_path / "c.html").read_text()


# --- summarize -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line_item", "model"),
    [
        ("gpt-4o-2024-08-06, input", "gpt-4o-2024-08-06"),
        ("gpt-4o-2024-08-06, cached input", "gpt-4o-2024-08-06"),
        ("whisper-1, transcription", "whisper-1"),
        ("vector store storage", None),
        ("web search tool calls", None),
        (None, None),
        ("", None),
    ],
)
def test_model_from_line_item(line_item: str | None, model: str | None) -> None:
    assert model_from_line_item(line_item) == model


def test_summarize_by_model_read_from_line_items(
    fake: FakeAPI, cost_rows: list[dict[str, Any]]
) -> None:
    by_line = fake.totals("costs", start_time=START, end_time=NOW, group_by=["line_item"])
    expected: dict[str | None, Decimal] = {}
    for (line_item,), v in by_line.items():
        model = model_from_line_item(line_item)  # type: ignore[arg-type]
        expected[model] = expected.get(model, Decimal(0)) + v["amount"]
    got = summarize(cost_rows, by=["model"], fields=["amount_value"])
    assert {r["model"]: r["amount_value"] for r in got} == expected
    values = [r["amount_value"] for r in got]
    assert values == sorted(values, reverse=True)  # largest first
    assert all(r["amount_currency"] == "usd" for r in got)


def test_summarize_tokens_by_model_and_by_date(fake: FakeAPI) -> None:
    records = list(stream(fake, "completions", bucket_width="1h", group_by=["model"]).rows())
    got = summarize(records, by=["model"], fields=["input_tokens", "output_tokens"])
    truth = fake.totals("completions", start_time=START, end_time=NOW, group_by=["model"])
    assert {(r["model"],): (r["input_tokens"], r["output_tokens"]) for r in got} == {
        k: (v["input_tokens"], v["output_tokens"]) for k, v in truth.items()
    }
    daily = summarize(records, by=["date"], fields=["input_tokens"])
    assert [r["date"] for r in daily] == [date(2026, 10, 22 + i) for i in range(10)]
    first = fake.totals("completions", start_time=START, end_time=START + DAY)
    assert daily[0]["input_tokens"] == first[()]["input_tokens"]
    assert daily[0]["rows"] == sum(1 for r in records if r["start_time"].day == 22)


def test_summarize_defaults_and_mixed_currencies() -> None:
    base = {"project_id": "p", "amount_currency": "usd", "amount_value": Decimal("1.5")}
    (total,) = summarize([base, {**base, "amount_value": None}], by=["project_id"])
    assert total == {
        "project_id": "p",
        "amount_value": Decimal("1.5"),
        "rows": 2,
        "amount_currency": "usd",
    }
    mixed = [base, {**base, "amount_currency": "eur"}]
    with pytest.raises(ValueError, match="several currencies"):
        summarize(mixed, by=["project_id"], fields=["amount_value"])
    per_currency = summarize(mixed, by=["amount_currency"], fields=["amount_value"])
    assert {r["amount_currency"] for r in per_currency} == {"usd", "eur"}
    with pytest.raises(KeyError, match="no column 'nope'"):
        summarize([base], by=["nope"])
