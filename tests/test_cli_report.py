"""``openai-usage report``, its charts, ``fake-server`` and ``python -m``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from openai_usage_client._cli import main
from openai_usage_client._cli._output import money
from openai_usage_client.testing import DEFAULT_ADMIN_KEY, FakeAPI

NOW = 1_793_491_200  # 2026-11-01T00:00Z
DAY = 86_400
START = NOW - 30 * DAY


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    return FakeAPI(seed=0)


@pytest.fixture(scope="module")
def report_text() -> str:
    # One run shared by the tests that only read the default report.
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--fake", "report", "--no-names"]) == 0
    return out.getvalue()


def section(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start + 1 : end]


def test_report_totals_match_the_fake(report_text: str, fake: FakeAPI) -> None:
    assert report_text.startswith(
        "OpenAI usage report: 2026-10-02 00:00 to 2026-11-01 00:00 UTC\n"
        "Period: last 30 complete days, last day 2026-10-31\n"
    )
    total = fake.totals("costs", start_time=START, end_time=NOW)[()]["amount"]
    assert f"Total spend: {money(total, 'usd')} " in report_text
    projects = fake.totals("costs", start_time=START, end_time=NOW, group_by=["project_id"])
    lines = section(report_text, "Spend by project")
    assert len(lines) == len(projects)
    ranked = sorted(projects.items(), key=lambda kv: kv[1]["amount"], reverse=True)
    for line, ((project,), v) in zip(lines, ranked, strict=True):
        assert line.split()[:2] == [project, money(v["amount"], "usd")]


def test_report_tokens_keys_users_and_daily(report_text: str, fake: FakeAPI) -> None:
    tokens = fake.totals("completions", start_time=START, end_time=NOW, group_by=["model"])
    lines = section(report_text, "Tokens by model")
    assert lines[0].split() == ["model", "input", "cached", "input", "output", "requests"]
    for line in lines[1:]:
        model, inp, _cached, out, requests = line.split()
        t = tokens[(model,)]
        assert (inp, out, requests) == (
            f"{t['input_tokens']:,}",
            f"{t['output_tokens']:,}",
            f"{t['num_model_requests']:,}",
        )
    keys = fake.totals("costs", start_time=START, end_time=NOW, group_by=["api_key_id"])
    (top_key,), top = max(keys.items(), key=lambda kv: kv[1]["amount"])
    first = section(report_text, "Top API keys by spend")[0].strip()
    assert first.startswith(top_key or "(no key)")
    assert money(top["amount"], "usd") in first
    assert section(report_text, "Top users by spend")
    assert section(report_text, "Spend by model (read from line items)")
    daily = report_text.split("Daily spend\n", 1)[1].splitlines()
    assert len(daily) == 30
    assert daily[0].split()[:2] == ["2026-10-02", "Fri"]
    first_day = fake.totals("costs", start_time=START, end_time=START + DAY)[()]["amount"]
    assert daily[0].split()[2] == money(first_day, "usd")


def test_report_period_and_top(capsys: pytest.CaptureFixture[str], fake: FakeAPI) -> None:
    code = main(["--fake", "report", "--start", "2026-10-25", "--end", "today", "--top", "3"])
    out = capsys.readouterr().out
    assert code == 0
    assert "2026-10-25 00:00 to 2026-11-01 00:00 UTC\nPeriod: --start/--end: 7 days, last" in out
    assert len(section(out, "Spend by line item")) == 3
    total = fake.totals("costs", start_time=NOW - 7 * DAY, end_time=NOW)[()]["amount"]
    assert f"Total spend: {money(total, 'usd')} " in out
    code = main(["--fake", "report", "--days", "3", "-q"])
    assert code == 0
    assert "Period: last 3 complete days, last day 2026-10-31\n" in capsys.readouterr().out


def test_png_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chart = tmp_path / "report.png"
    assert main(["--fake", "report", "--chart", str(chart)]) == 0
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert chart.stat().st_size > 10_000
    assert f"Chart written to {chart}" in capsys.readouterr().out


def test_html_chart_is_self_contained(tmp_path: Path, fake: FakeAPI) -> None:
    chart = tmp_path / "report.html"
    assert main(["--fake", "report", "-q", "--chart", str(chart)]) == 0
    text = chart.read_text()
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text
    assert "<script" not in text
    assert re.findall(r"(?:src|href)=", text) == []
    projects = fake.totals("costs", start_time=START, end_time=NOW, group_by=["project_id"])
    names = {p["id"]: p["name"] for p in fake.directory.projects}
    for (project,) in projects:
        assert project not in text and names[project] in text  # named by default
    assert "Batch pipeline (archived)" in text
    assert text.count("<rect") > 30 * len(projects) - 10


def test_chart_needs_a_known_extension_and_the_extra(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["--fake", "report", "--chart", str(tmp_path / "x.txt")]) == 2
    assert "--chart" in capsys.readouterr().err
    for module in ("matplotlib", "matplotlib.figure", "matplotlib.ticker"):
        monkeypatch.setitem(sys.modules, module, None)
    assert main(["--fake", "report", "--chart", str(tmp_path / "x.png")]) == 2
    assert "pip install 'openai-usage-client[charts]'" in capsys.readouterr().err


def test_money_formatting() -> None:
    assert money(Decimal("1234.567"), "usd") == "$1,234.57"
    assert money(Decimal("-0.5"), "usd") == "-$0.50"
    assert money(Decimal("3"), "eur") == "3.00 EUR"
    assert money(None, "usd") == "-"


def _spawn(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("OPENAI_ADMIN_KEY", None)
    return subprocess.Popen(
        [sys.executable, "-m", "openai_usage_client", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_fake_server_serves_on_loopback_and_the_cli_can_use_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = _spawn("fake-server", "--port", "0", "--seed", "0")
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", base_url)
        response = httpx.get(
            f"{base_url}/organization/costs",
            params={"start_time": NOW - DAY},
            headers={"Authorization": f"Bearer {DEFAULT_ADMIN_KEY}"},
        )
        assert response.status_code == 200
        assert response.json()["object"] == "page"
        # The real (non --fake) path, over HTTP, with the key from the environment.
        monkeypatch.setenv("OPENAI_ADMIN_KEY", DEFAULT_ADMIN_KEY)
        args = ["--base-url", base_url, "costs", "--start", "2026-10-30", "--end", "2026-11-01"]
        assert main([*args, "-f", "csv"]) == 0
        assert len(capsys.readouterr().out.splitlines()) == 3  # header + 2 days
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_fake_server_refuses_other_hosts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fake-server", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "loopback" in capsys.readouterr().err


def test_python_dash_m_runs_the_cli() -> None:
    process = _spawn("--fake", "costs", "--start", "1d", "-f", "jsonl")
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert out.count("\n") == 1 and '"endpoint":"costs"' in out


def test_a_reader_that_leaves_early_is_not_an_error() -> None:
    process = _spawn("--fake", "completions", "--start", "300d", "--bucket-width", "1h")
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline().startswith('{"endpoint":"completions"')
    process.stdout.close()  # like `| head -1`
    assert process.wait(timeout=60) == 0
    assert process.stderr.read() == ""
