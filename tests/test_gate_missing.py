"""The budget gate never passes on missing data (issue 33): a store whose nightly sync stopped
two weeks (of the fake's clock) ago is ``unknown`` (exit 9), or ``over`` (exit 7) when the days
present already exceed the budget; ``--allow-missing`` judges it anyway and says so; a
webhook that cannot be reached keeps the budget's exit code; metrics export the status."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from _store_helpers import ts

from openai_usage_client._cli import main
from openai_usage_client.spend import forecast_month
from openai_usage_client.spend._gaps import age_text
from openai_usage_client.store import Store
from openai_usage_client.testing import FakeAPI

pytestmark = pytest.mark.usefixtures("no_ambient_key")

#: The store was last synced on the fake's clock at this time; then the cron stopped.
SYNCED = "2026-10-06T03:00Z"
#: The check runs two weeks later.
CHECK = "2026-10-20T12:00Z"


def cli(capsys: pytest.CaptureFixture[str], now: str, *args: str) -> tuple[int, str, str]:
    code = main(["--fake", "--fake-now", now, *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def stale_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("gate") / "usage.db"
    code = main(["--fake", "--fake-now", SYNCED, "sync", "--db", str(db), "-q",
                 "--start", "2026-08-01"])  # fmt: skip
    assert code == 0
    return db


def synced_at(db: Path) -> datetime:
    """When the store's last costs sync ended: ``SYNCED`` plus the seconds the sync took."""
    with Store(db, read_only=True) as store:
        ended, _ = store.last_syncs("costs")
    assert ended is not None
    assert timedelta(0) <= ended - datetime.fromisoformat(SYNCED) < timedelta(minutes=1)
    return ended


def present(days_until: str) -> Decimal:
    """What the fake billed from October 1 up to the store's last sync (its days present)."""
    fake = FakeAPI(seed=0, now=ts(CHECK))
    return fake.totals("costs", start_time=ts("2026-10-01"), end_time=ts(days_until))[()]["amount"]


def test_the_api_says_forecast_over(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = cli(capsys, CHECK, "check", "--monthly-budget", "200", "-f", "json")
    assert code == 7
    assert json.loads(out)["budgets"][0]["status"] == "forecast-over"


def test_a_stopped_sync_makes_the_budget_unknown(
    capsys: pytest.CaptureFixture[str], stale_db: Path
) -> None:
    code, out, _ = cli(capsys, CHECK, "check", "--db", str(stale_db), "--monthly-budget", "200")
    assert code == 9
    lines = out.splitlines()
    row = next(x for x in lines if x.strip().startswith("organization "))
    assert row.split()[-1] == "unknown"
    assert max(len(x) for x in lines) <= 80
    text = " ".join(" ".join(lines).split())
    assert (
        "unknown (organization): the data does not hold the whole month, so no budget is "
        "judged on it (exit 9)" in text
    )
    assert "default: costs 2026-10-07 to 2026-10-19 not in the store" in text
    # The sync ended at 03:00 on the fake's clock plus the seconds it took (a loaded machine
    # may need more than one): its age is said from when it really ended.
    ended = synced_at(stale_db)
    assert (
        f"default: the last finished costs sync ended 2026-10-06 03:00 UTC, "
        f"{age_text(datetime.fromisoformat(CHECK) - ended)} ago (more than --max-age 1 day "
        "2 hours)" in text
    )
    assert age_text(datetime.fromisoformat(CHECK) - ended) in ("14 days 9 hours", "14 days 8 hours")
    assert (
        f"default: to fill it: openai-usage sync --db {stale_db} --endpoint costs --start "
        "2026-10-07" in text
    )
    # --quiet: nothing printed, the same exit code.
    code, out, _ = cli(capsys, CHECK, "check", "--db", str(stale_db), "--monthly-budget",
                       "200", "-q")  # fmt: skip
    assert (code, out) == (9, "")


def test_json_says_what_is_missing(capsys: pytest.CaptureFixture[str], stale_db: Path) -> None:
    code, out, _ = cli(capsys, CHECK, "check", "--db", str(stale_db), "--monthly-budget",
                       "200", "-f", "json")  # fmt: skip
    document = json.loads(out)
    assert (code, document["status"], document["exit_code"]) == (9, "unknown", 9)
    assert document["complete"] is False
    (budget,) = document["budgets"]
    assert budget["status"] == "unknown" and budget["complete"] is False
    (gap,) = budget["incomplete"]
    assert gap == {
        "organization": "default",
        "complete": False,
        "missing": [["2026-10-07", "2026-10-19"]],
        "lost": [],
        "refused": [],
        "last_sync": f"{synced_at(stale_db):%Y-%m-%dT%H:%M:%SZ}",
        "sync_age_seconds": int(
            (datetime.fromisoformat(CHECK) - synced_at(stale_db)).total_seconds()
        ),
        "max_age_seconds": 26 * 3_600,
        "sync_command": f"openai-usage sync --db {stale_db} --endpoint costs --start 2026-10-07",
    }
    # Month to date is what the store holds: October 1 to the sync's open day.
    assert Decimal(budget["month_to_date"]) == present("2026-10-06T03:00")


def test_days_present_above_the_budget_are_over(
    capsys: pytest.CaptureFixture[str], stale_db: Path
) -> None:
    held = present("2026-10-06T03:00")
    below = str((held - 1).quantize(Decimal(1)))
    code, out, _ = cli(capsys, CHECK, "check", "--db", str(stale_db), "--monthly-budget",
                       below, "-f", "json")  # fmt: skip
    assert (code, json.loads(out)["budgets"][0]["status"]) == (7, "over")


def test_allow_missing_keeps_the_old_answer_and_says_so(
    capsys: pytest.CaptureFixture[str], stale_db: Path
) -> None:
    code, out, _ = cli(capsys, CHECK, "check", "--db", str(stale_db), "--monthly-budget",
                       "200", "--allow-missing")  # fmt: skip
    assert code == 0
    row = next(x for x in out.splitlines() if x.strip().startswith("organization "))
    assert row.split()[-1] == "ok"
    assert (
        "note: incomplete data judged anyway (--allow-missing): days not in the store count "
        "as $0 and the statuses may be wrong" in " ".join(out.split())
    )


def test_a_fresh_store_behaves_as_before(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "fresh.db"
    assert main(["--fake", "--fake-now", "2026-10-20T03:00Z", "sync", "--db", str(db), "-q",
                 "--start", "2026-08-01"]) == 0  # fmt: skip
    code, out, _ = cli(capsys, CHECK, "check", "--db", str(db), "--monthly-budget", "200",
                       "-f", "json")  # fmt: skip
    document = json.loads(out)
    assert (code, document["budgets"][0]["status"], document["complete"]) == (
        7, "forecast-over", True,
    )  # fmt: skip
    # A day later the daily sync has not run yet: still fresh (--max-age 26h).
    code, _, _ = cli(capsys, "2026-10-21T04:00Z", "check", "--db", str(db), "--monthly-budget",
                     "200", "-q")  # fmt: skip
    assert code == 7
    # Two hours more and the store is stale: the gate says it cannot tell.
    code, _, _ = cli(capsys, "2026-10-21T06:00Z", "check", "--db", str(db), "--monthly-budget",
                     "200", "-q")  # fmt: skip
    assert code == 9
    code, _, _ = cli(capsys, "2026-10-21T06:00Z", "check", "--db", str(db), "--monthly-budget",
                     "200", "-q", "--max-age", "2d")  # fmt: skip
    assert code == 7


def test_rows_lost_behind_the_stores_back_make_the_month_unknown(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import sqlite3

    db = tmp_path / "lost.db"
    assert main(["--fake", "--fake-now", "2026-10-20T03:00Z", "sync", "--db", str(db), "-q",
                 "--start", "2026-08-01"]) == 0  # fmt: skip
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM costs WHERE start_unix = ?", (ts("2026-10-05"),))
    conn.close()
    code, out, _ = cli(capsys, CHECK, "check", "--db", str(db), "--monthly-budget", "200",
                       "-f", "json")  # fmt: skip
    (budget,) = json.loads(out)["budgets"]
    assert (code, budget["status"]) == (9, "unknown")
    (gap,) = budget["incomplete"]
    assert (gap["missing"], gap["lost"]) == ([], [["2026-10-05", "2026-10-05"]])
    assert gap["sync_command"] == (
        f"openai-usage sync --db {db} --endpoint costs --refetch 2026-10-05..2026-10-05"
    )


def test_the_report_shows_the_same_status(
    capsys: pytest.CaptureFixture[str], stale_db: Path, tmp_path: Path
) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[[budget]]\nscope = "organization"\nmonthly_usd = 200\n')
    code, out, _ = cli(capsys, CHECK, "report", "--db", str(stale_db), "--config", str(config))
    assert code == 0  # report's exit code stays
    row = next(x for x in out.splitlines() if x.strip().startswith("organization "))
    assert row.split()[-1] == "unknown"


def test_a_webhook_that_cannot_be_reached_keeps_the_exit_code(
    capsys: pytest.CaptureFixture[str], stale_db: Path
) -> None:
    url = "http://127.0.0.1:9/services/SECRET"  # the discard port: nothing listens
    code, _, err = cli(capsys, CHECK, "check", "--db", str(stale_db), "--monthly-budget",
                       "200", "--notify-url", url, "-q")  # fmt: skip
    assert code == 9
    assert "openai-usage: warning: notification to 127.0.0.1 failed: ConnectError" in err
    assert "test the webhook with: curl -X POST" in err
    assert "the check's exit code stands: 9" in err
    assert "SECRET" not in err
    code, _, err = cli(capsys, CHECK, "check", "--db", str(stale_db), "--monthly-budget",
                       "5", "--notify-url", url, "-q")  # fmt: skip
    assert code == 7 and "the check's exit code stands: 7" in err
    code, _, err = cli(capsys, CHECK, "check", "--db", str(stale_db), "--monthly-budget",
                       "5", "--notify-url", "ftp://host/SECRET")  # fmt: skip
    assert code == 2 and "--notify-url" in err and "SECRET" not in err


def test_the_forecast_never_counts_a_missing_day_as_zero() -> None:
    now = datetime(2026, 10, 20, 12, tzinfo=UTC)
    daily = {date(2026, 9, 1) + timedelta(days=i): Decimal(10) for i in range(49)}
    full = forecast_month(daily, now)
    holes = {date(2026, 10, 7) + timedelta(days=i) for i in range(11)}  # 7th to 17th
    kept = {d: v for d, v in daily.items() if d not in holes}
    as_zero = forecast_month(kept, now)
    unknown = forecast_month(kept, now, missing=holes)
    assert full.forecast == Decimal("310.00")
    # The old answer: the holes are $0 days, and the level fitted on them is $0 too.
    assert (as_zero.forecast, as_zero.level) == (Decimal("80.00"), Decimal(0))
    assert (unknown.forecast, unknown.level) == (Decimal("310.00"), Decimal(10))
    assert unknown.month_to_date == Decimal(80)  # the days present: 1st to 6th, 18th, 19th


def test_metrics_export_the_status_not_a_ratio(
    capsys: pytest.CaptureFixture[str], stale_db: Path, tmp_path: Path
) -> None:
    pytest.importorskip("prometheus_client")
    config = tmp_path / "c.toml"
    config.write_text('[[budget]]\nscope = "organization"\nmonthly_usd = 200\n')
    code, out, _ = cli(capsys, CHECK, "metrics", "--db", str(stale_db), "--config", str(config))
    assert code == 0
    assert 'openai_budget_status{scope="organization",status="unknown"} 1.0' in out
    assert 'openai_budget_status{scope="organization",status="ok"} 0.0' in out
    # A share or forecast of a month the store does not hold is NaN, never a figure.
    assert 'openai_budget_used_ratio{scope="organization"} NaN' in out
    assert 'openai_cost_forecast_usd{organization="default"} NaN' in out
    assert "openai_project_cost_forecast_usd{" not in out
    assert 'openai_budget_usd{scope="organization"} 200.0' in out
