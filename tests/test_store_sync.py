"""The store's sync against the fake: a month of daily syncs with late-settling costs, what a
second sync sends, faults, failures, the lock, async parity and the rows it reads back."""

from __future__ import annotations

import asyncio
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from _store_helpers import DAY, assert_equal_truth, client_for, no_duplicates, ts

from openai_usage_client import AsyncUsageClient, InvalidParameterError, rows
from openai_usage_client._core._names import NAME_COLUMNS
from openai_usage_client.store import (
    Store,
    StoreLockedError,
    SyncIncompleteError,
    default_group_by,
)
from openai_usage_client.testing import BASE_URL, DEFAULT_ADMIN_KEY, FakeAPI, Faults, Persistent

ENDPOINTS = ("costs", "completions")
START = ts("2026-09-20")


def test_default_groupings_are_the_finops_ones() -> None:
    assert default_group_by("costs") == ("project_id", "line_item", "api_key_id", "user_id")
    # Batch and interactive tokens, and each web search context size, are billed at prices
    # of their own: an estimate or an allocation of the bill tells them apart.
    assert default_group_by("completions") == (
        "project_id", "user_id", "api_key_id", "model", "batch",
    )  # fmt: skip
    assert default_group_by("web_search_calls") == (
        "project_id", "user_id", "api_key_id", "model", "context_level",
    )  # fmt: skip
    assert default_group_by("vector_stores") == ("project_id",)


def test_a_month_of_daily_syncs_converges_to_the_truth(tmp_path: Path) -> None:
    first_now = ts("2026-10-01")
    final = FakeAPI(0, now=first_now + 31 * DAY)  # final values of every day of the month
    revised = 0
    with Store(tmp_path / "usage.db") as store:
        for day in range(31):
            now = first_now + day * DAY
            fake = FakeAPI(0, now=now, settle_days=2)
            with client_for(fake) as client:
                summary = store.sync(client, start=START if day == 0 else None, now=now)
                revised += summary.rows_revised
                # Every settled day equals the ground truth, exactly (Decimal).
                settled_end = now - 2 * DAY
                assert_equal_truth(store, final, ENDPOINTS, START, settled_end)
                # A second sync the same day: one request per endpoint (the settle window
                # and the open bucket), and nothing changes.
                before = len(fake.request_log)
                again = store.sync(client, now=now)
                sent = fake.request_log.snapshot()[before:]
                assert len(sent) == 2
                assert sorted(r.path.rsplit("/", 1)[1] for r in sent) == ["completions", "costs"]
                for request in sent:  # the first provisional bucket up to the open one
                    assert f"start_time={now - 2 * DAY}&" in request.query
                    assert f"end_time={now + DAY}&" in request.query
                assert (again.rows_inserted, again.rows_revised, again.rows_removed) == (0, 0, 0)
                assert again.buckets_fetched == 2 * 3
        no_duplicates(store, ENDPOINTS)
    # Late settling was exercised: amounts were revised and late lines inserted.
    assert revised > 0


def test_the_next_days_sync_fetches_only_the_settle_window(tmp_path: Path) -> None:
    now = ts("2026-10-15")
    with Store(tmp_path / "u.db") as store:
        with client_for(FakeAPI(0, now=now, settle_days=2)) as client:
            store.sync(client, start=START, now=now)
        fake = FakeAPI(0, now=now + DAY, settle_days=2)
        with client_for(fake) as client:
            summary = store.sync(client, now=now + DAY)
        assert summary.requests == 2 and summary.endpoints == {
            "costs": (1, 4),
            "completions": (1, 4),
        }
        queries = [r.query for r in fake.request_log]
        # From the first unsettled bucket (now - 3 days, it was provisional) to the open one.
        assert all(f"start_time={now - 2 * DAY}" in q for q in queries)
        assert all(f"end_time={now + 2 * DAY}" in q for q in queries)


def test_revised_and_vanished_rows_are_replaced_in_their_window(tmp_path: Path) -> None:
    now = ts("2026-10-15")
    with Store(tmp_path / "u.db") as store:
        fake = FakeAPI(0, now=now, settle_days=2)
        with client_for(fake) as client:
            store.sync(client, start=now - 5 * DAY, now=now, endpoints=["costs"])
        provisional_day = now - DAY
        before = {r["line_item"] for r in store.rows("costs", provisional_day, now)}
        # The API now says nothing happened that day: the day is emptied.
        empty = FakeAPI(0, now=now, faults=Faults())
        with client_for(empty) as client:
            real = client.endpoint("costs")
            calls: list[Any] = []

            class Empty:
                organization = None

                def endpoint(self, name: str) -> Any:
                    def call(**params: Any) -> Any:
                        calls.append(params)
                        stream = real(**params)
                        return _Emptied(stream)

                    return call

            summary = store.sync(Empty(), now=now, endpoints=["costs"])
        assert before and summary.rows_removed > 0 and summary.rows_inserted == 0
        assert list(store.rows("costs", provisional_day, now)) == []
        assert calls and calls[0]["start_time"] == now - 2 * DAY


class _Emptied:
    """A stream whose buckets come back without results (as when the API drops them)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def pages(self) -> Any:
        for page in self.stream.pages():
            for bucket in page.data:
                bucket.results = []
            yield page


def test_store_rows_equal_the_live_export(tmp_path: Path) -> None:
    now = ts("2026-10-10")
    fake = FakeAPI(0, now=now)
    with Store(tmp_path / "u.db") as store, client_for(fake) as client:
        store.sync(client, start=START, now=now, endpoints=["costs", "completions", "images"])
        for endpoint in ("costs", "completions", "images"):
            group_by = list(default_group_by(endpoint))
            live = list(
                rows(
                    client.endpoint(endpoint)(
                        start_time=START, end_time=now, bucket_width="1d", group_by=group_by
                    )
                )
            )
            assert live and list(store.rows(endpoint, end=now)) == live
        # start/end select by bucket start, like start_time/end_time.
        one_day = list(store.rows("costs", "2026-10-01", "2026-10-02"))
        assert one_day and {r["start_time"].isoformat() for r in one_day} == {
            "2026-10-01T00:00:00+00:00"
        }


def test_a_grouping_change_is_its_own_series(tmp_path: Path) -> None:
    now = ts("2026-10-10")
    fake = FakeAPI(0, now=now)
    with Store(tmp_path / "u.db") as store, client_for(fake) as client:
        store.sync(client, start=START, now=now, endpoints=["costs"])
        by_project = store.sync(
            client, now=now, endpoints=["costs"], group_by={"costs": ["project_id"]}
        )
        assert by_project.buckets_fetched == 21  # the whole range again, not mixed in
        latest = list(store.rows("costs", end=now))
        assert latest and all(r["line_item"] is None for r in latest)
        old = list(store.rows("costs", end=now, group_by=default_group_by("costs")))
        assert sum(r["amount_value"] for r in old) == sum(r["amount_value"] for r in latest)
        assert len(old) > len(latest)


def test_hourly_usage_with_daily_costs(tmp_path: Path) -> None:
    now = ts("2026-10-03")
    fake = FakeAPI(0, now=now)
    with Store(tmp_path / "u.db") as store, client_for(fake) as client:
        summary = store.sync(client, start="2026-10-01", now=now, bucket_width="1h")
        # Requests: a first bucket alone (to size the windows), then the rest.
        assert summary.endpoints == {"costs": (2, 3), "completions": (2, 49)}
        hours = {r["start_time"] for r in store.rows("completions")}
        assert len(hours) == 48
        daily = fake.totals("completions", start_time=ts("2026-10-01"), end_time=now)
        assert (
            sum(r["input_tokens"] for r in store.rows("completions")) == daily[()]["input_tokens"]
        )


def test_injected_faults_end_equal_to_the_truth(tmp_path: Path) -> None:
    now = ts("2026-10-20")
    faults = Faults(rate_500=0.08, rate_429=0.06, rate_reset=0.06)  # 20% of attempts fail
    fake = FakeAPI(3, now=now, faults=faults)
    failures = 0
    with Store(tmp_path / "u.db") as store:
        # No retries: every injected fault stops a sync, and the next run resumes.
        with client_for(fake, max_retries=0) as client:
            for _ in range(60):
                try:
                    store.sync(client, start=START, now=now, window=2)
                    break
                except SyncIncompleteError as error:
                    failures += 1
                    assert error.missing
            else:
                pytest.fail("never completed")
        assert failures > 0  # the faults did interrupt syncs
        assert_equal_truth(store, FakeAPI(3, now=now), ENDPOINTS, START, now)
        no_duplicates(store, ENDPOINTS)
        outcomes = [r[0] for r in store.connection.execute("SELECT outcome FROM sync_runs")]
        assert outcomes == ["failed"] * failures + ["ok"]


def test_a_failure_keeps_committed_windows_and_says_how_to_resume(tmp_path: Path) -> None:
    now = ts("2026-10-20")
    broken = Faults(persistent=(Persistent("503", from_time=ts("2026-10-06")),))
    with Store(tmp_path / "u.db") as store:
        with (
            client_for(FakeAPI(0, now=now, faults=broken), max_retries=0) as client,
            pytest.raises(SyncIncompleteError) as caught,
        ):
            store.sync(client, start=START, now=now, window=4, endpoints=["costs"])
        error = caught.value
        assert "Run the same sync again" in str(error)
        assert error.summary.windows_written == 4  # 09-20 .. 10-06, whole windows
        assert (error.missing[0].endpoint, error.missing[0].start) == ("costs", ts("2026-10-06"))
        assert error.missing[-1].end == now + DAY
        assert isinstance(error.__cause__, Exception) and "503" not in str(error.path)
        row = store.connection.execute(
            "SELECT outcome, error, missing FROM sync_runs ORDER BY id DESC"
        ).fetchone()
        assert row[0] == "failed" and "InternalServerError" in row[1] and "costs" in row[2]
        # The rerun fetches only what is missing.
        fake = FakeAPI(0, now=now)
        with client_for(fake) as client:
            summary = store.sync(client, now=now, window=4, endpoints=["costs"])
        assert summary.buckets_fetched == 15  # 10-06 up to the open bucket 10-20
        assert_equal_truth(store, fake, ["costs"], START, now)


def test_bad_options_fail_before_any_request(tmp_path: Path) -> None:
    fake = FakeAPI(0)
    with Store(tmp_path / "u.db") as store, client_for(fake) as client:
        with pytest.raises(InvalidParameterError, match="start"):
            store.sync(client)  # first sync: start is needed
        with pytest.raises(InvalidParameterError, match="up to now"):
            store.sync(client, start="2026-11-02", now=fake.now)
        with pytest.raises(InvalidParameterError, match="endpoints"):
            store.sync(client, start=START, endpoints=["nope"])
        with pytest.raises(InvalidParameterError, match="settle_days"):
            store.sync(client, start=START, settle_days=-1)
        with pytest.raises(InvalidParameterError, match="bucket_width"):
            store.sync(client, start=START, bucket_width="1m")
        with pytest.raises(InvalidParameterError, match="group_by"):
            store.sync(client, start=START, group_by={"costs": ["model"]})
        with pytest.raises(InvalidParameterError, match="async_sync"):
            store.sync(AsyncUsageClient(DEFAULT_ADMIN_KEY), start=START)
        with pytest.raises(InvalidParameterError, match="endpoint"):
            store.rows("nope")
    assert len(fake.request_log) == 0


def test_async_sync_stores_the_same_as_sync(tmp_path: Path) -> None:
    now = ts("2026-10-10")
    fake = FakeAPI(0, now=now, settle_days=2)
    with Store(tmp_path / "a.db") as one, client_for(fake) as client:
        expected = one.sync(client, start=START, now=now)
        want = {e: list(one.rows(e)) for e in ENDPOINTS}

    async def run() -> Any:
        http = httpx.AsyncClient(transport=fake.async_transport())
        async with AsyncUsageClient(DEFAULT_ADMIN_KEY, base_url=BASE_URL, http_client=http) as c:
            with Store(tmp_path / "b.db") as store:
                summary = await store.async_sync(c, start=START, now=now)
                return summary, {e: list(store.rows(e)) for e in ENDPOINTS}

    summary, got = asyncio.run(run())
    assert got == want
    assert (summary.requests, summary.rows_inserted) == (expected.requests, expected.rows_inserted)


def test_two_syncs_on_one_file(tmp_path: Path) -> None:
    now = ts("2026-10-10")
    path = tmp_path / "u.db"
    started = threading.Event()
    fake = FakeAPI(0, now=now, latency=0.05)
    real_handle = fake.handle

    def handle(*args: Any, **kwargs: Any) -> Any:
        started.set()
        return real_handle(*args, **kwargs)

    fake.handle = handle  # type: ignore[method-assign]
    results: list[Any] = []

    def first() -> None:
        with Store(path) as store, client_for(fake) as client:
            results.append(store.sync(client, start=START, now=now, window=2))

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(10)
    # The second sync gives up after its bounded wait, with a clear typed error...
    with Store(path, lock_timeout=0.1) as second, client_for(FakeAPI(0, now=now)) as client:
        with pytest.raises(StoreLockedError) as locked:
            second.sync(client, start=START, now=now)
        # The way out, said in full: no placeholder (#39).
        assert str(locked.value) == (
            f"another sync is running on {path} (waited 0.1 s for it): let it finish and run "
            "this sync again, or wait longer for it (sync --lock-timeout SECONDS; "
            "Store(path, lock_timeout=SECONDS))"
        )
        # ... or waits long enough and then has nearly nothing left to do.
        quiet = FakeAPI(0, now=now)
        with client_for(quiet) as waiting:
            summary = second.sync(waiting, now=now, lock_timeout=30)
        thread.join()
        assert results and results[0].windows_written > 2
        assert summary.requests == 2  # only the provisional buckets
        assert_equal_truth(second, quiet, ENDPOINTS, START, now)
        no_duplicates(second, ENDPOINTS)


class _Directory:
    def __init__(self, keys: list[dict[str, Any]]) -> None:
        self.projects = [{"id": "proj_1e14495a5459732acfb67294", "name": "Research"}]
        self.api_keys = keys
        self.users: list[Any] = []
        self.service_accounts: list[Any] = []


class _WithDirectory:
    """A client with ``directory()`` (issue 12's API), wrapping a plain one."""

    def __init__(self, client: Any, directory: _Directory) -> None:
        self._client = client
        self._directory = directory
        self.organization = None

    def endpoint(self, name: str) -> Any:
        return self._client.endpoint(name)

    def directory(self) -> _Directory:
        return self._directory


class _NoDirectory:
    """A client-like object with the endpoints only (no ``directory()``)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.organization = None

    def endpoint(self, name: str) -> Any:
        return self._client.endpoint(name)


def test_a_deleted_key_keeps_its_name(tmp_path: Path) -> None:
    now = ts("2026-10-10")
    fake = FakeAPI(0, now=now)
    with Store(tmp_path / "u.db") as store, client_for(fake) as client:
        key_id = next(
            r["api_key_id"]
            for r in rows(client.endpoint("costs")(start_time=START, group_by=["api_key_id"]))
            if r["api_key_id"]
        )
        key = {
            "id": key_id,
            "name": "ci deploy",
            "redacted_value": "sk-...abcd",
            "owner": {"type": "user", "user": {"id": "user-1", "email": "ana@example.com"}},
        }
        summary = store.sync(
            _WithDirectory(client, _Directory([key])), start=START, now=now, directory=True
        )
        assert summary.directory_changes == 2
        # The key is deleted: the directory no longer lists it.
        later = store.sync(_WithDirectory(client, _Directory([])), now=now, directory=True)
        assert later.directory_changes == 0
        named = [r for r in store.rows("costs") if r["api_key_id"] == key_id]
        assert named and {
            (r["api_key_name"], r["api_key_redacted_value"], r["api_key_owner"]) for r in named
        } == {("ci deploy", "sk-...abcd", "ana@example.com")}
        columns = list(named[0])
        assert columns[columns.index("project_id") + 1] == "project_name"
        assert columns[columns.index("api_key_id") + 1 : columns.index("api_key_id") + 4] == [
            "api_key_name",
            "api_key_redacted_value",
            "api_key_owner",
        ]
        unknown = [r for r in store.rows("costs") if r["api_key_id"] not in (None, key_id)]
        assert unknown and all(r["api_key_name"] is None for r in unknown)
        assert "api_key_name" not in next(store.rows("costs", names=False))
        # A client without directory() syncs fine with directory=True.
        assert store.sync(_NoDirectory(client), now=now, directory=True).directory_changes is None


def test_freshness_marks_provisional_days(tmp_path: Path) -> None:
    now = ts("2026-10-10") + 3600
    with Store(tmp_path / "u.db") as store, client_for(FakeAPI(0, now=now)) as client:
        store.sync(client, start=START, now=now, settle_days=2)
        fresh = {f.endpoint: f for f in store.freshness()}
        costs = fresh["costs"]
        assert costs.settled_through is not None
        assert int(costs.settled_through.timestamp()) == ts("2026-10-08")
        assert [int(p.timestamp()) for p in costs.provisional] == [
            ts("2026-10-08"),
            ts("2026-10-09"),
            ts("2026-10-10"),
        ]
        assert costs.gaps == 0 and int(costs.first.timestamp()) == START


def test_daily_views(tmp_path: Path) -> None:
    from openai_usage_client import model_from_line_item, summarize

    now = ts("2026-10-05")
    with Store(tmp_path / "u.db") as store, client_for(FakeAPI(0, now=now)) as client:
        store.sync(client, start="2026-10-01", now=now)
        conn = store.connection
        by_model = {
            (d, m): Decimal(str(c))
            for d, m, c in conn.execute("SELECT date, model, cost FROM daily_cost_by_model")
        }
        want = summarize(store.rows("costs"), by=["date", "model"], fields=["amount_value"])
        assert len(by_model) == len(want)
        for total in want:
            got = by_model[(total["date"].isoformat(), total["model"])]
            assert abs(got - total["amount_value"]) < Decimal("1e-9")
        items = {r["line_item"] for r in store.rows("costs")}
        sql = dict(
            conn.execute(
                "SELECT t.line_item, CASE WHEN instr(t.line_item, ', ') > 1 THEN "
                "NULLIF(trim(substr(t.line_item, 1, instr(t.line_item, ', ') - 1)), '') END "
                "FROM costs t"
            )
        )
        assert all(sql[i] == model_from_line_item(i) for i in items)
        tokens = conn.execute(
            "SELECT SUM(input_tokens) FROM daily_tokens_by_model WHERE endpoint = 'completions'"
        ).fetchone()[0]
        assert tokens == sum(r["input_tokens"] for r in store.rows("completions"))
        projects = conn.execute("SELECT COUNT(DISTINCT project_id) FROM daily_cost_by_project")
        assert projects.fetchone()[0] >= 3


@pytest.mark.parametrize(
    ("endpoint", "by", "fields"),
    [
        ("costs", ["project_id", "line_item"], ["amount_value"]),
        ("costs", ["model"], ["amount_value", "quantity"]),
        ("costs", ["date"], None),
        ("costs", [], None),
        ("costs", ["api_key_id", "amount_currency"], ["amount_value"]),
        ("completions", ["model"], ["input_tokens", "output_tokens"]),
        ("completions", ["date", "project_id"], None),
        ("completions", ["start_time", "batch"], ["num_model_requests"]),
    ],
)
def test_store_summarize_equals_summarize_of_the_rows(
    tmp_path: Path, endpoint: str, by: list[str], fields: list[str] | None
) -> None:
    from openai_usage_client import summarize

    now = ts("2026-10-10")
    with Store(tmp_path / "u.db") as store, client_for(FakeAPI(0, now=now)) as client:
        store.sync(client, start=START, now=now)
        # A revised window is re-inserted at the end of the table: order must still hold.
        store.sync(client, now=now + DAY)
        want = summarize(store.rows(endpoint, names=False), by=by, fields=fields)
        got = store.summarize(endpoint, by=by, fields=fields)
        assert got == want and len(got) > 0
        assert [list(r) for r in got] == [list(r) for r in want]
        part = store.summarize(endpoint, by=by, fields=fields, start="2026-10-01", end=now)
        assert part == summarize(
            store.rows(endpoint, "2026-10-01", now, names=False), by=by, fields=fields
        )
    with Store(tmp_path / "u.db") as store, pytest.raises(KeyError, match="nope"):
        store.summarize("costs", by=["nope"])


def test_store_summarize_is_exact_beyond_18_decimal_places(tmp_path: Path) -> None:
    from openai_usage_client import summarize
    from openai_usage_client.store._schema import split_decimal

    now = ts("2026-10-05")
    with Store(tmp_path / "u.db") as store, client_for(FakeAPI(0, now=now)) as client:
        store.sync(client, start="2026-10-01", now=now, endpoints=["costs"])
        tiny = "0.0000000000000000000001"  # 22 places: beyond the integer split
        conn = store.connection
        rowid = conn.execute("SELECT MIN(rowid) FROM costs").fetchone()[0]
        conn.execute(
            'UPDATE costs SET amount_value = ?, "amount_value__units" = ?, '
            '"amount_value__nano" = ?, "amount_value__atto" = ?, "amount_value__inexact" = ? '
            "WHERE rowid = ?",
            (tiny, *split_decimal(tiny), rowid),
        )
        want = summarize(store.rows("costs"), by=["date"], fields=["amount_value"])
        got = store.summarize("costs", by=["date"], fields=["amount_value"])
        assert got == want
        # The 22nd decimal place survived the sums (in SQL and in Python).
        assert any(r["amount_value"].normalize().as_tuple().exponent == -22 for r in got)


def test_a_directory_without_permission_leaves_the_sync_working(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from openai_usage_client import PermissionDeniedError

    class NoScope(_WithDirectory):
        def directory(self) -> _Directory:
            request = httpx.Request("GET", "https://api.openai.com/v1/organization/projects")
            response = httpx.Response(403, request=request)
            raise PermissionDeniedError(
                "Missing scopes: api.management.read", response=response, body=None
            )

    now = ts("2026-10-05")
    with Store(tmp_path / "u.db") as store, client_for(FakeAPI(0, now=now)) as client:
        summary = store.sync(
            NoScope(client, _Directory([])), start="2026-10-01", now=now, directory=True
        )
        assert summary.directory_changes is None and summary.rows_inserted > 0
        assert "names skipped" in caplog.text
        assert "api_key_name" not in next(store.rows("costs"))


def test_ctrl_c_keeps_whole_windows_and_the_rerun_finishes(tmp_path: Path) -> None:
    now = ts("2026-10-20")
    fake = FakeAPI(0, now=now, settle_days=2)
    written: list[int] = []

    def interrupt(endpoint: str, summary: Any) -> None:
        written.append(summary.windows_written)
        if summary.windows_written == 3:
            raise KeyboardInterrupt

    with Store(tmp_path / "u.db") as store, client_for(fake) as client:
        with pytest.raises(KeyboardInterrupt):
            store.sync(client, start=START, now=now, window=2, progress=interrupt)
        conn = store.connection
        assert conn.execute("SELECT COUNT(*) FROM coverage").fetchone() == (6,)  # 3 windows
        assert conn.execute("SELECT outcome FROM sync_runs").fetchone() == ("interrupted",)
        store.sync(client, now=now, window=2)
        assert_equal_truth(store, FakeAPI(0, now=now), ENDPOINTS, START, now - 2 * DAY)
        no_duplicates(store, ENDPOINTS)


def test_store_summarize_refuses_mixed_currencies_like_summarize(tmp_path: Path) -> None:
    from openai_usage_client import summarize

    now = ts("2026-10-03")
    with Store(tmp_path / "u.db") as store, client_for(FakeAPI(0, now=now)) as client:
        store.sync(client, start="2026-10-01", now=now, endpoints=["costs"])
        store.connection.execute(
            "UPDATE costs SET amount_currency = 'eur' WHERE rowid = (SELECT MIN(rowid) FROM costs)"
        )
        with pytest.raises(ValueError, match="several currencies"):
            summarize(store.rows("costs"), by=[], fields=["amount_value"])
        with pytest.raises(ValueError, match="several currencies"):
            store.summarize("costs", by=[], fields=["amount_value"])
        by_currency = store.summarize("costs", by=["amount_currency"], fields=["amount_value"])
        assert by_currency == summarize(
            store.rows("costs"), by=["amount_currency"], fields=["amount_value"]
        )
        assert {r["amount_currency"] for r in by_currency} == {"usd", "eur"}


def test_an_earlier_start_backfills_only_the_older_range(tmp_path: Path) -> None:
    now = ts("2026-10-10")
    fake = FakeAPI(0, now=now)
    with Store(tmp_path / "u.db") as store, client_for(fake) as client:
        store.sync(client, start="2026-10-01", now=now, endpoints=["costs"])
        before = len(fake.request_log)
        summary = store.sync(client, start="2026-09-01", now=now, endpoints=["costs"])
        queries = [r.query for r in fake.request_log.snapshot()[before:]]
        # September (missing) and the provisional tail: two ranges, October's settled days not.
        assert summary.buckets_fetched == 30 + 3
        assert any(
            f"start_time={ts('2026-09-01')}&end_time={ts('2026-10-01')}" in q for q in queries
        )
        assert_equal_truth(store, fake, ["costs"], ts("2026-09-01"), now)


def test_store_names_equal_the_live_join_with_the_real_directory(tmp_path: Path) -> None:
    """The real ``client.directory()`` (records kept by ID) fills the store, and the store's
    name columns equal ``rows(..., names=directory)`` on the live stream, row for row."""
    now = ts("2026-10-06")
    fake = FakeAPI(0, now=now)
    with Store(tmp_path / "u.db") as store, client_for(fake) as client:
        summary = store.sync(client, start="2026-10-01", now=now, directory=True)
        directory = client.directory()
        assert summary.directory_changes == (
            len(directory.projects)
            + len(directory.api_keys)
            + len(directory.users)
            + len(directory.service_accounts)
        )
        group_by = list(default_group_by("costs"))
        live = list(
            rows(
                client.costs(start_time="2026-10-01", end_time=now, group_by=group_by),
                names=directory,
            )
        )
        from_store = list(store.rows("costs", ts("2026-10-01"), now))

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        return (r["start_time"], *(r[g] for g in group_by))

    assert len(live) == len(from_store) > 0
    names = list(NAME_COLUMNS)
    assert sorted(((*key(r), *(r[c] for c in names)) for r in from_store), key=str) == sorted(
        ((*key(r), *(r[c] for c in names)) for r in live), key=str
    )
    assert any(r["api_key_owner"] for r in from_store)
