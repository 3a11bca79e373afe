"""P8 forecast error: the spend forecast against a naive linear projection, on the fake.

For each seed and each month, and for each day of the month, the month's total is forecast
at midnight from the days before (``spend.forecast_month``, default settings) and by the naive
projection (month to date / complete days x days in month; on the 1st, the last day x days in
month), and compared with the month's final total: absolute percentage error, averaged (MAPE).
The same per project (projects with at least $1 in the month). The fake's data is final as
soon as it exists (no late settlement), so our method's "an unsettled day only grows" rule
costs it a little here.

``python -m bench.p8_forecast`` prints the figures as Markdown; ``--write`` replaces the block
between the markers in ``docs/forecast.md``.
"""

from __future__ import annotations

import argparse
import calendar
import statistics
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from openai_usage_client.spend import forecast_month, linear_projection
from openai_usage_client.testing import FakeAPI

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "forecast.md"
BEGIN, END = "<!-- p8:begin -->", "<!-- p8:end -->"
SEEDS = (0, 1, 2)
MONTHS = [(2026, m) for m in range(3, 11)]  # March to October 2026
DAY = 86_400

Daily = dict[date, Decimal]
Method = Callable[[Daily, datetime], Decimal]


def ours(daily: Daily, now: datetime) -> Decimal:
    return forecast_month(daily, now).forecast


METHODS: dict[str, Method] = {"ours": ours, "linear": linear_projection}


def daily_series(fake: FakeAPI, start: date, end: date, group: bool) -> dict[str, Daily]:
    lo = int(datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp())
    hi = int(datetime(end.year, end.month, end.day, tzinfo=UTC).timestamp())
    out: dict[str, Daily] = {}
    buckets = fake.buckets(
        "costs",
        start_time=lo,
        end_time=hi,
        bucket_width="1d",
        group_by=["project_id"] if group else [],
    )
    for bucket in buckets:
        day = datetime.fromtimestamp(bucket.start_time, UTC).date()
        for key, values in bucket.results.items():
            name = str(key[0]) if key else "organization"
            out.setdefault(name, {})[day] = Decimal(values["amount"])
    return out


def errors(series: Daily, year: int, month: int) -> dict[str, list[float]]:
    """Absolute percentage errors of each method, one per day of the month."""
    first = date(year, month, 1)
    n = calendar.monthrange(year, month)[1]
    final = sum((series.get(first + timedelta(days=i), Decimal(0)) for i in range(n)), Decimal(0))
    out: dict[str, list[float]] = {name: [] for name in METHODS}
    for d in range(n):
        now = datetime(first.year, first.month, first.day, tzinfo=UTC) + timedelta(days=d)
        known = {day: v for day, v in series.items() if day < now.date()}
        for name, method in METHODS.items():
            out[name].append(float(abs(method(known, now) - final) / final) * 100)
    return out


def run() -> list[str]:
    org: dict[str, list[float]] = {name: [] for name in METHODS}
    by_phase: dict[tuple[str, str], list[float]] = {}
    projects: dict[str, list[float]] = {name: [] for name in METHODS}
    wins = months = 0
    per_month: list[str] = []
    for seed in SEEDS:
        fake = FakeAPI(seed=seed)
        start = date(MONTHS[0][0], MONTHS[0][1], 1) - timedelta(days=60)
        end = date(2026, 11, 1)
        totals = daily_series(fake, start, end, group=False)["organization"]
        per_project = daily_series(fake, start, end, group=True)
        for year, month in MONTHS:
            errs = errors(totals, year, month)
            for name, values in errs.items():
                org[name] += values
                for i, v in enumerate(values):
                    phase = "days 1-7" if i < 7 else ("days 8-15" if i < 15 else "days 16-end")
                    by_phase.setdefault((name, phase), []).append(v)
            a, b = statistics.fmean(errs["ours"]), statistics.fmean(errs["linear"])
            months += 1
            wins += a < b
            spike = datetime.fromtimestamp(fake.org.spike_day * DAY, UTC).date()
            note = " (spike month)" if (spike.year, spike.month) == (year, month) else ""
            per_month.append(f"| {seed} | {year}-{month:02d}{note} | {a:.2f}% | {b:.2f}% |")
            first = date(year, month, 1)
            n = calendar.monthrange(year, month)[1]
            for series in per_project.values():
                spent = sum(
                    (series.get(first + timedelta(days=i), Decimal(0)) for i in range(n)),
                    Decimal(0),
                )
                if spent < 1:
                    continue
                for name, values in errors(series, year, month).items():
                    projects[name] += values
    lines = [
        f"Fake organizations of seeds {', '.join(map(str, SEEDS))}, months "
        f"{MONTHS[0][0]}-{MONTHS[0][1]:02d} to {MONTHS[-1][0]}-{MONTHS[-1][1]:02d}: a forecast "
        "at midnight before every day of each month, against the month's final total.",
        "",
        "| series | forecasts | MAPE ours | MAPE naive linear | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, data in (("organization total", org), ("per project", projects)):
        a, b = statistics.fmean(data["ours"]), statistics.fmean(data["linear"])
        lines.append(
            f"| {label} | {len(data['ours'])} | {a:.2f}% | {b:.2f}% | {b / a:.1f}x lower |"
        )
    lines += ["", "| organization total | MAPE ours | MAPE naive linear |", "|---|---:|---:|"]
    for phase in ("days 1-7", "days 8-15", "days 16-end"):
        a = statistics.fmean(by_phase[("ours", phase)])
        b = statistics.fmean(by_phase[("linear", phase)])
        lines.append(f"| forecast made on {phase} | {a:.2f}% | {b:.2f}% |")
    lines += [
        "",
        f"Ours is lower in {wins} of {months} seed-months. Per seed and month (organization "
        "total):",
        "",
        "| seed | month | MAPE ours | MAPE naive linear |",
        "|---|---|---:|---:|",
        *per_month,
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.p8_forecast", description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"update {DOC.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    lines = run()
    print("\n".join(lines))
    if args.write:
        text = DOC.read_text()
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        DOC.write_text(f"{head}{BEGIN}\n" + "\n".join(lines) + f"\n{END}{tail}")
        print(f"\nwrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
