"""Live answers are checked like stored ones (issue 33): a server that silently leaves out every
third bucket makes ``report``, ``costs --totals``, ``check`` and ``sync`` exit 6 naming the
window and the gap, and the SDK's streams (sync and async) raise ``MalformedResponseError``;
an honest server's answers pass whole."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest
from _cli_run import run
from _store_helpers import ts

from openai_usage_client import AsyncUsageClient, MalformedResponseError, UsageClient
from openai_usage_client.testing import (
    BASE_URL,
    DEFAULT_ADMIN_KEY,
    FakeAPI,
    FakeServer,
    Faults,
)

NOW = ts("2026-11-01")
GAP = (
    "The server left out the buckets from 2026-10-03T00:00:00Z to 2026-10-04T00:00:00Z in "
    "answer to 2026-10-01T00:00:00Z to 2026-11-01T00:00:00Z"
)


def dropping() -> FakeAPI:
    return FakeAPI(seed=0, now=NOW, settle_days=0, faults=Faults(rate_drop_bucket=1.0))


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with FakeServer(dropping(), port=0) as s:
        yield s.base_url


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", DEFAULT_ADMIN_KEY)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


def test_the_fake_leaves_out_every_third_bucket() -> None:
    fake = dropping()
    with httpx.Client(transport=fake.transport()) as http:
        body = http.get(
            f"{BASE_URL}/organization/costs",
            params={"start_time": ts("2026-10-01"), "end_time": ts("2026-10-08")},
            headers={"authorization": f"Bearer {DEFAULT_ADMIN_KEY}"},
        ).json()
    starts = [b["start_time"] for b in body["data"]]
    # 2026-10-01 is day 20,362 since 1970: day % 3 == 2 is left out (the 3rd and the 6th).
    assert starts == [ts(f"2026-10-0{d}") for d in (1, 2, 4, 5, 7)]


def test_sync_and_async_streams_refuse_a_gap() -> None:
    fake = dropping()
    with (
        UsageClient(
            DEFAULT_ADMIN_KEY,
            base_url=BASE_URL,
            http_client=httpx.Client(transport=fake.transport()),
        ) as client,
        pytest.raises(MalformedResponseError) as info,
    ):
        list(client.costs(start_time=ts("2026-10-01"), end_time=NOW))
    assert str(info.value).startswith(GAP)
    assert info.value.bucket_start == ts("2026-10-03")

    async def go() -> MalformedResponseError:
        http = httpx.AsyncClient(transport=fake.async_transport())
        async with AsyncUsageClient(DEFAULT_ADMIN_KEY, base_url=BASE_URL, http_client=http) as c:
            with pytest.raises(MalformedResponseError) as found:
                async for _ in c.costs(start_time=ts("2026-10-01"), end_time=NOW):
                    pass
        return found.value

    assert str(asyncio.run(go())).startswith(GAP)


def test_a_trailing_gap_is_refused_too() -> None:
    # Buckets up to the 2nd only, for a window asked to the 5th (the server's clock is later).
    fake = FakeAPI(seed=0, now=NOW, settle_days=0)
    calls = []

    def cut(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        response = fake.transport().handle_request(request)
        response.read()
        body = response.json()
        body["data"] = body["data"][:2]
        return httpx.Response(200, json=body, headers={"date": response.headers["date"]})

    with (
        UsageClient(
            DEFAULT_ADMIN_KEY,
            base_url=BASE_URL,
            http_client=httpx.Client(transport=httpx.MockTransport(cut)),
        ) as client,
        pytest.raises(MalformedResponseError) as info,
    ):
        list(client.costs(start_time=ts("2026-10-01"), end_time=ts("2026-10-05")))
    assert str(info.value).startswith(
        "The server left out the buckets from 2026-10-03T00:00:00Z to 2026-10-05T00:00:00Z"
    )
    assert len(calls) == 1


def test_the_commands_exit_6_naming_the_gap(server: str) -> None:
    for args in (
        ("report", "--start", "2026-10-01", "--end", "2026-11-01"),
        ("costs", "--start", "2026-10-01", "--end", "2026-11-01", "--totals"),
        ("check", "--monthly-budget", "200", "--as-of", "2026-10-20"),
    ):
        code, out, err = run("--base-url", server, "--max-retries", "0", *args)
        assert code == 6, (args, err)
        assert "The server left out the buckets from " in err, args
        assert "Total spend" not in out


def test_an_honest_server_passes_whole() -> None:
    with FakeServer(FakeAPI(seed=0, now=NOW, settle_days=0), port=0) as s:
        code, out, err = run("--base-url", s.base_url, "report", "--start", "2026-10-01",
                             "--end", "2026-11-01")  # fmt: skip
    assert code == 0, err
    assert "Total spend: $" in out


# --- while costs settle: one report, one set of figures; the server's clock -------------------


@pytest.fixture(scope="module")
def settling() -> Iterator[str]:
    # The server's clock is mid-morning of 2026-11-01; its last three days are still settling.
    with FakeServer(FakeAPI(seed=0, now=NOW + 10 * 3_600, settle_days=3), port=0) as s:
        yield s.base_url


def test_no_period_is_the_servers_last_30_days(settling: str) -> None:
    code, out, err = run("--base-url", settling, "report")
    assert code == 0, err
    assert out.splitlines()[:2] == [
        "OpenAI usage report: 2026-10-02 00:00 to 2026-11-01 00:00 UTC",
        "Period: last 30 complete days, last day 2026-10-31",
    ]


def test_every_total_is_the_sum_of_its_parts_while_settling(settling: str) -> None:
    code, out, err = run("--base-url", settling, "report", "-f", "json")
    assert code == 0, err
    document = json.loads(out)
    total = Decimal(document["total"])
    for section in ("by_project", "by_line_item", "by_model", "by_api_key", "by_user"):
        parts = sum((Decimal(r["amount"]) for r in document[section]), Decimal(0))
        assert parts == total, section
    assert document["grouping_differences"] == {}
    assert sum((Decimal(d["amount"]) for d in document["daily"]), Decimal(0)) == total
    # The last days before the server's today may still change: marked, as a store marks them.
    assert [d["date"] for d in document["daily"] if d["provisional"]] == [
        "2026-10-30", "2026-10-31",
    ]  # fmt: skip
    assert "Provisional: costs 2026-10-30, 2026-10-31 (may still change)" in document["notes"]
    # The same day reads the same in `costs` as in the report.
    code, out, err = run("--base-url", settling, "costs", "--start", "2026-10-30",
                         "--end", "2026-10-31", "--totals", "-f", "json")  # fmt: skip
    assert code == 0, err
    (row,) = json.loads(out)
    day = next(d for d in document["daily"] if d["date"] == "2026-10-30")
    assert Decimal(str(row["amount_value"])) == Decimal(day["amount"])


def test_groupings_that_disagree_show_the_difference() -> None:
    from openai_usage_client.report import render_report, report_from_rows

    day = datetime(2026, 10, 30, tzinfo=UTC)

    def cost(amount: str, **extra: str) -> dict[str, object]:
        return {"start_time": day, "amount_value": Decimal(amount), "amount_currency": "usd",
                "project_id": "proj_a", "line_item": "gpt-4o, input", **extra}  # fmt: skip

    rows = {
        "costs": [cost("2.41")],
        "costs_by_key": [cost("2.10", api_key_id="key_a")],  # answered earlier: lower
        "costs_by_user": [cost("2.41", user_id="user_a")],
        "tokens": [],
    }
    report = report_from_rows(rows, ts("2026-10-30"), ts("2026-10-31"), "test")
    assert report.differences == {"api_key_id": Decimal("0.31")}
    lines = render_report(report)
    at = lines.index("Top API keys by spend")
    assert lines[at + 1].split() == ["key_a", "$2.10", "87.1%", "█" * 24]
    assert lines[at + 2].split()[:4] == ["(differs:", "settling)", "$0.31", "12.9%"]


def test_server_now_asks_the_server_once_sync_and_async() -> None:
    fake = FakeAPI(seed=0, now=NOW)
    http = httpx.Client(transport=fake.transport())
    with UsageClient(DEFAULT_ADMIN_KEY, base_url=BASE_URL, http_client=http) as client:
        assert client.server_time() is None
        assert abs(client.server_now() - NOW) <= 1
        assert abs(client.server_now() - NOW) <= 1  # known now: no second request
    assert len(fake.request_log) == 1

    async def go() -> int:
        http = httpx.AsyncClient(transport=fake.async_transport())
        async with AsyncUsageClient(DEFAULT_ADMIN_KEY, base_url=BASE_URL, http_client=http) as c:
            return await c.server_now()

    assert abs(asyncio.run(go()) - NOW) <= 1
    assert len(fake.request_log) == 2
