"""Numbers from a server are bounded (issue 34): an amount of 1e308 or "1e999999", a NaN, a
count of 2**70 or a negative count is a malformed response (exit 6) naming the field and the
bucket; nothing of it is stored, so the store stays readable; credits (negative amounts) and
the largest honest values pass."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from _cli_run import run as cli_run
from _store_helpers import ts

from openai_usage_client import MalformedResponseError, UsageClient
from openai_usage_client._cli import main
from openai_usage_client.store import Store, SyncIncompleteError
from openai_usage_client.testing import BASE_URL

S = ts("2026-10-01")
DAY = 86_400


def _transport(amount: Any = "1.5", tokens: Any = 10, poisoned: int = S + DAY) -> Any:
    def answer(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        lo, hi = int(params["start_time"]), int(params["end_time"])
        costs = request.url.path.endswith("/costs")
        data = []
        for t in range(lo, hi, DAY):
            bad = t == poisoned
            result: dict[str, Any] = (
                {"object": "organization.costs.result", "line_item": "x", "project_id": "p",
                 "amount": {"value": amount if bad else "1.5", "currency": "usd"}}
                if costs
                else {"object": "organization.usage.completions.result", "model": "m",
                      "input_tokens": tokens if bad else 10, "output_tokens": 1,
                      "num_model_requests": 1}
            )  # fmt: skip
            data.append({"object": "bucket", "start_time": t, "end_time": t + DAY,
                         "results": [result]})  # fmt: skip
        body = {"object": "page", "data": data, "has_more": False, "next_page": None}
        return httpx.Response(200, json=body)

    return httpx.MockTransport(answer)


def _client(**bad: Any) -> UsageClient:
    http = httpx.Client(transport=_transport(**bad))
    return UsageClient("sk-admin-test", base_url=BASE_URL, http_client=http, max_retries=0)


@pytest.mark.parametrize(
    ("bad", "field", "why"),
    [
        ({"amount": 1e308}, "amount.value", "an amount of 1,000,000,000,000 or more"),
        ({"amount": "1e999999"}, "amount.value", "an amount of 1,000,000,000,000 or more"),
        ({"amount": "-1e12"}, "amount.value", "an amount of 1,000,000,000,000 or more"),
        ({"amount": "1." + "1" * 30}, "amount.value", "more than 28 significant digits"),
        ({"tokens": 2**70}, "input_tokens", "a count outside 0 to 2**48 (281,474,976,710,656)"),
        ({"tokens": -5}, "input_tokens", "a count outside 0 to 2**48 (281,474,976,710,656)"),
    ],
)
def test_a_number_out_of_bounds_is_a_malformed_response(
    bad: dict[str, Any], field: str, why: str
) -> None:
    endpoint = "costs" if "amount" in bad else "completions"
    with _client(**bad) as client, pytest.raises(MalformedResponseError) as info:
        list(client.endpoint(endpoint)(start_time=S, end_time=S + 3 * DAY))
    assert str(info.value).startswith(
        f"The server sent {field} = " if field else ""
    ) and f"in the bucket of 2026-10-02T00:00:00Z: {why}" in str(info.value)


def test_credits_and_the_largest_honest_values_pass() -> None:
    with _client(amount="-999999999999.99") as client:
        found = list(client.costs(start_time=S, end_time=S + 3 * DAY).rows())
    assert found[1]["amount_value"] == Decimal("-999999999999.99")
    with _client(tokens=2**48) as client:
        rows = list(client.usage.completions(start_time=S, end_time=S + 3 * DAY).rows())
    assert rows[1]["input_tokens"] == 2**48


def test_one_absurd_answer_never_poisons_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.db"
    with (
        _client(amount="1e999999") as client,
        Store(path) as store,
        pytest.raises(SyncIncompleteError) as info,
    ):
        store.sync(client, start=S, endpoints=["costs"], now=S + 3 * DAY, window=1)
    # The sync went on past the refused day, and ends with its error (exit 6).
    assert isinstance(info.value.cause, MalformedResponseError)
    assert [(m.start, m.end) for m in info.value.missing] == [(S + DAY, S + 2 * DAY)]
    with Store(path) as store:
        (row,) = store.summarize("costs", fields=["amount_value"])
        # The 1st, the 3rd and the open bucket of now (the 4th), 1.5 each: not the 2nd.
        assert row["amount_value"] == Decimal("4.5")
        held = store.coverage("costs", S, S + 3 * DAY, now=S + 3 * DAY).endpoints["costs"]
        assert held.missing == ((S + DAY, S + 2 * DAY),)  # said wherever it is read
        # ... as refused, with why: fetching it again may meet the same answer.
        (refused,) = held.refused
        assert refused[:2] == (S + DAY, S + 2 * DAY)
        assert refused[2] == "amount.value = 1E+999999, an amount of 1,000,000,000,000 or more"
    assert main(["report", "--db", str(path), "--start", "2026-10-01", "--end",
                 "2026-10-04"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert (
        "Refused: costs 2026-10-02 (not stored, the server's answer was malformed: "
        "amount.value = 1E+999999, an amount of 1,000,000,000,000 or more; the next sync asks "
        "again): openai-usage sync --db " in " ".join(out.split())
    )
    assert "Missing: costs" not in out
    # An export of the whole store says it too (its gaps are missing, refused or lost days).
    pytest.importorskip("pyarrow")
    code, _, err = cli_run("export", "--db", str(path), "--parquet-dir", str(tmp_path / "lake"))
    assert code == 0
    assert "warning: Refused: costs 2026-10-02 (not stored, the server's answer" in err
    # The budget gate reads the refused day as a day it cannot judge: unknown, exit 9.
    code = main(["check", "--db", str(path), "--as-of", "2026-10-04T00:00Z",
                 "--monthly-budget", "1000", "-f", "json"])  # fmt: skip
    (budget,) = json.loads(capsys.readouterr().out)["budgets"]
    (gap,) = budget["incomplete"]
    assert code == 9
    assert budget["provisional_days"] == ["2026-10-03"]  # the refused day is not held at all
    assert (gap["missing"], [r["first"] for r in gap["refused"]]) == ([], ["2026-10-02"])
    assert gap["sync_command"] == (
        f"openai-usage sync --db {path} --endpoint costs --start 2026-10-02"
    )
    # A later sync asks for the refused day again (and, answered well, stores it).
    with _client() as client, Store(path) as store:
        store.sync(client, endpoints=["costs"], now=S + 3 * DAY, window=1)
        (row,) = store.summarize("costs", fields=["amount_value"])
        held = store.coverage("costs", S, S + 3 * DAY, now=S + 3 * DAY).endpoints["costs"]
    assert row["amount_value"] == Decimal("6.0")
    assert (held.missing, held.refused) == ((), ())  # and it is no longer refused


def test_the_async_sync_goes_on_past_a_refused_window_too(tmp_path: Path) -> None:
    import asyncio

    from openai_usage_client import AsyncUsageClient

    async def go() -> SyncIncompleteError:
        http = httpx.AsyncClient(transport=_transport(tokens=2**70))
        async with AsyncUsageClient("sk-admin-test", base_url=BASE_URL, http_client=http,
                                    max_retries=0) as client:  # fmt: skip
            with Store(tmp_path / "a.db") as store:
                try:
                    await store.async_sync(client, start=S, endpoints=["completions"],
                                           now=S + 3 * DAY, window=1)  # fmt: skip
                except SyncIncompleteError as error:
                    return error
        raise AssertionError("the sync did not stop")

    error = asyncio.run(go())
    assert isinstance(error.cause, MalformedResponseError)
    assert [(m.start, m.end) for m in error.missing] == [(S + DAY, S + 2 * DAY)]
    assert error.summary.windows_written == 3  # the 1st, the 3rd and the open 4th


# --- bodies and headers ----------------------------------------------------------------------


def _bomb(request: httpx.Request) -> httpx.Response:
    import gzip

    body = gzip.compress(b" " * (8 * 1024 * 1024))  # 8 MiB of spaces in about 8 KB
    headers = {"content-encoding": "gzip", "content-type": "application/json"}
    return httpx.Response(200, content=body, headers=headers)


def test_a_compressed_bomb_is_stopped_while_it_inflates() -> None:
    http = httpx.Client(transport=httpx.MockTransport(_bomb))
    with UsageClient("sk-admin-test", base_url=BASE_URL, http_client=http, max_retries=0) as c:
        assert c.max_response_bytes == 512 * 1024 * 1024  # the default, documented
        c.max_response_bytes = 1024 * 1024
        with pytest.raises(MalformedResponseError) as info:
            list(c.costs(start_time=S, end_time=S + DAY))
    assert str(info.value).startswith(
        "The response to /v1/organization/costs grew past 1,048,576 bytes once decompressed "
        "(max_response_bytes)"
    )

    async def go() -> str:
        from openai_usage_client import AsyncUsageClient

        http = httpx.AsyncClient(transport=httpx.MockTransport(_bomb))
        async with AsyncUsageClient("sk-admin-test", base_url=BASE_URL, http_client=http,
                                    max_retries=0) as c:  # fmt: skip
            c.max_response_bytes = 1024 * 1024
            with pytest.raises(MalformedResponseError) as found:
                async for _ in c.costs(start_time=S, end_time=S + DAY):
                    pass
        return str(found.value)

    import asyncio

    assert "grew past 1,048,576 bytes" in asyncio.run(go())


def test_a_key_echoed_in_a_header_is_redacted() -> None:
    key = "sk-admin-echoed-0123456789"

    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            500,
            json={"error": {"message": "boom", "type": "server_error"}},
            headers={"x-request-id": f"req_{key}"},
        )

    http = httpx.Client(transport=httpx.MockTransport(echo))
    with (
        UsageClient(key, base_url=BASE_URL, http_client=http, max_retries=0) as client,
        pytest.raises(Exception) as info,
    ):
        list(client.costs(start_time=S, end_time=S + DAY))
    assert key not in str(info.value)
    assert "[request id: req_[redacted]]" in str(info.value)
    assert key not in str(getattr(info.value, "request_id", ""))
