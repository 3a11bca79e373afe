"""``openai-usage projects``, ``api-keys``, ``users`` and ``doctor``, in-process via ``main``."""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import respx
from _cli_run import run
from _client_helpers import whole_page

from openai_usage_client.testing import USAGE_ONLY_ADMIN_KEY, FakeAPI, FakeServer

pytestmark = pytest.mark.usefixtures("no_ambient_key")

ADMIN = "sk-admin-cli-test-0123456789abcdef"


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    # Without --fake, "now" is the machine's clock: the fake must have data up to it.
    with FakeServer(FakeAPI(now=int(time.time()))) as srv:
        yield srv


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_projects_csv_with_and_without_archived(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("--fake", "projects", "--format", "csv")
    assert code == 0
    active = csv_rows(out)
    assert len(active) == 4 and {r["status"] for r in active} == {"active"}
    code, out, _ = run("--fake", "projects", "--include-archived", "--format", "csv")
    every = csv_rows(out)
    assert code == 0 and len(every) == 5
    assert list(every[0]) == ["id", "name", "status", "created_at", "archived_at"]
    (archived,) = [r for r in every if r["status"] == "archived"]
    assert archived["name"] == "Batch pipeline"
    assert archived["archived_at"] == "2026-10-27T00:00:00Z"
    assert FakeAPI().org.projects == [r["id"] for r in every]


def test_api_keys_across_every_project_with_names(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("--fake", "api-keys", "-f", "json")
    assert code == 0
    keys = json.loads(out)
    fake = FakeAPI()
    assert len(keys) == len(fake.org.keys) - 1  # all but the deleted key
    by_id = {k["id"]: k for k in keys}
    # Expiry and the key's own spend limit (SDK 3.63's fields), as the fake sets them.
    assert by_id["key_33a350a0241c3f5c"]["expires_at"] == "2025-12-13T00:00:00Z"
    limited = [k for k in keys if k["spend_limit_cents"] is not None]
    assert limited and {(k["spend_limit_cents"], k["spend_limit_status"]) for k in limited} == {
        (5000, "inactive")
    }
    notebooks = by_id["key_fe6816d056a2e4ea"]
    assert notebooks["project_name"] == "Data science"
    assert notebooks["owner"] == "katherine@example.com"
    assert notebooks["redacted_value"].startswith("sk-proj-")
    assert {k["project_name"] for k in keys} == {
        "Web app", "Agents platform", "Data science", "Batch pipeline", "Sandbox",
    }  # fmt: skip
    code, out, _ = run("--fake", "api-keys", "--project-id", fake.org.projects[1], "-f", "csv")
    assert {r["project_name"] for r in csv_rows(out)} == {"Agents platform"}


def test_users_table_and_filter(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("--fake", "users", "-f", "table")
    assert code == 0 and "Ada Lovelace" in out and out.rstrip().endswith("(7 rows)")
    code, out, _ = run("--fake", "users", "--email", "alan@example.com", "-f", "jsonl")
    assert [json.loads(line)["name"] for line in out.splitlines()] == ["Alan Turing"]


def test_output_file_is_written_whole(capsys: pytest.CaptureFixture[str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "projects.csv"
    code, out, _ = run("--fake", "projects", "-o", str(target))
    assert code == 0 and out == ""
    assert len(csv_rows(target.read_text())) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["projects.csv"]


def test_a_usage_only_key_gets_exit_3_from_projects(
    capsys: pytest.CaptureFixture[str], server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", USAGE_ONLY_ADMIN_KEY)
    code, _, err = run("--base-url", server.base_url, "projects")
    assert code == 3
    assert "cannot read the organization's projects" in err and USAGE_ONLY_ADMIN_KEY not in err


# --- doctor ------------------------------------------------------------------------------------


def lines(out: str) -> list[str]:
    return [line.split("]", 1)[0].strip("[ ") + " " + line.split("]", 1)[1].split(":")[0].strip()
            for line in out.splitlines() if line.startswith("[")]  # fmt: skip


def test_doctor_on_a_good_key(
    capsys: pytest.CaptureFixture[str], server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", ADMIN)
    code, out, _ = run("--base-url", server.base_url, "doctor")
    assert lines(out) == [
        "ok admin key", "ok base URL", "ok API answers", "ok usage", "ok costs",
        "ok directory", "ok spend limit", "ok clock",
    ]  # fmt: skip
    assert "$5,000.00 per month (enforcing)" in out
    # The fake server's Date is its own clock, fixed here: doctor says so, not "skewed".
    assert "clock: a fake server whose clock is fixed at " in out
    assert out.rstrip().endswith("all checks passed")
    assert code == 0
    assert ADMIN not in out


def test_doctor_with_the_fake(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("--fake", "doctor")
    assert code == 0 and "all checks passed" in out


def test_doctor_on_a_project_key(
    capsys: pytest.CaptureFixture[str], server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "sk-proj-abcdefghijklmnop0123456789"
    monkeypatch.setenv("OPENAI_ADMIN_KEY", key)
    code, out, err = run("--base-url", server.base_url, "doctor")
    assert code == 3
    # An answer that refuses the key is not "ok"; the scope the 403 names is said (#39).
    assert lines(out) == ["FAIL admin key", "ok base URL", "FAIL API answers", "FAIL usage"]
    assert "looks like a project key" in out and "HTTP 403" in out
    assert out.splitlines()[3] == (
        "[FAIL] usage: HTTP 403: the key lacks api.usage.read -> fix: use an admin key "
        "(sk-admin-...) with api.usage.read, from "
        "https://platform.openai.com/settings/organization/admin-keys"
    )
    assert "fix: create an admin key (sk-admin-...)" in out
    assert key not in out + err
    assert out.rstrip().endswith("3 checks failed")


def test_doctor_with_a_usage_only_key_fails_the_directory(
    capsys: pytest.CaptureFixture[str], server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", USAGE_ONLY_ADMIN_KEY)
    code, out, _ = run("--base-url", server.base_url, "doctor")
    assert code == 3
    assert "[FAIL] API answers: HTTP 403: the key lacks api.organization.read (" in out
    assert lines(out)[2:] == [
        "FAIL API answers",
        "ok usage",
        "ok costs",
        "FAIL directory",
        "FAIL spend limit",
        "ok clock",
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_doctor_on_a_wrong_base_url(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", ADMIN)
    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    code, out, _ = run("--base-url", url, "doctor")
    assert code == 5
    assert lines(out) == ["ok admin key", "ok base URL", "FAIL API answers"]
    assert f"no answer from {url}" in out and "fix: check the network" in out
    code, out, _ = run("--base-url", "http://api.example.com/v1", "doctor")
    assert code == 5
    assert lines(out) == ["ok admin key", "FAIL base URL"]
    assert "not HTTPS" in out


def test_doctor_on_a_base_url_that_is_not_the_api(
    capsys: pytest.CaptureFixture[str], server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", ADMIN)
    code, out, _ = run("--base-url", server.base_url.removesuffix("/v1") + "/v2", "doctor")
    assert code == 5
    assert "HTTP 404" in out and "does not serve OpenAI's admin API" in out


def test_doctor_without_a_key(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("doctor")
    assert code == 3
    assert lines(out) == ["FAIL admin key", "ok base URL"]
    assert "OPENAI_ADMIN_KEY is not set" in out


@pytest.mark.parametrize(
    ("offset", "ok"), [(timedelta(seconds=30), True), (timedelta(minutes=5), False)]
)
def test_doctor_clock_skew(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, offset: timedelta, ok: bool
) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", ADMIN)
    date = format_datetime(datetime.now(UTC) - offset, usegmt=True)
    with respx.mock() as mock:
        mock.get(url__regex=r".*/organization/(costs|usage/completions)").mock(
            side_effect=lambda request: whole_page(request, headers={"date": date})
        )
        mock.get(url__regex=r".*/organization/projects").respond(
            json={"object": "list", "data": [], "has_more": False}, headers={"date": date}
        )
        mock.get(url__regex=r".*/organization/spend_limit").respond(
            404, json={"error": {"message": "none", "type": "x"}}
        )
        code, out, _ = run("doctor")
    assert "no spend limit is set" in out
    assert (code, lines(out)[-1]) == ((0, "ok clock") if ok else (5, "FAIL clock"))
    if not ok:
        # The Date header has whole seconds: 300 or 301.
        assert re.search(r"clock is \+30[01] s off the server's", out)
        assert "fix: sync the clock" in out


@pytest.mark.parametrize("name", ["projects", "api-keys", "users", "doctor"])
def test_help(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, _ = run(name, "--help")
    assert code == 0 and f"Usage: openai-usage {name}" in out
