"""Exit codes per error class, one-line messages, and the admin key never being shown."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

import httpx
import pytest
import respx
from _cli_run import run as _run

from openai_usage_client._cli import EXIT_CODES, exit_code_for, main
from openai_usage_client._core._exceptions import OpenAIUsageError

KEY = "sk-admin-SECRET-do-not-print-4242"
URL = "https://api.openai.com/v1/organization/usage/completions"
ARGS = ["completions", "--start", "2026-10-01", "--end", "2026-10-02", "-f", "csv"]
GLOBAL = ["--max-retries", "0"]


#: The one CLI runner (``_cli_run.run``) with this module's global options.
run = partial(_run, *GLOBAL)


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_ADMIN_KEY", KEY)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.delenv("OPENAI_ORG_ID", raising=False)


def page(data: list[dict[str, Any]] | None = None, next_page: str | None = None) -> Any:
    return {
        "object": "page",
        "data": data or [],
        "has_more": bool(next_page),
        "next_page": next_page,
    }


def bucket() -> dict[str, Any]:
    return {
        "object": "bucket",
        "start_time": 1_790_812_800,
        "end_time": 1_790_899_200,
        "results": [
            {
                "object": "organization.usage.completions.result",
                "input_tokens": 10,
                "output_tokens": 20,
                "num_model_requests": 3,
            }
        ],
    }


def error(status: int, message: str) -> httpx.Response:
    body = {"error": {"message": message, "type": "x", "param": None, "code": None}}
    return httpx.Response(status, json=body)


@pytest.mark.parametrize(
    ("response", "code"),
    [
        (error(400, "Invalid value for 'group_by'"), 2),
        (error(401, f"Incorrect API key provided: {KEY}."), 3),
        (error(403, "Missing scopes: api.usage.read."), 3),
        (error(429, "Rate limit reached."), 4),
        (error(500, "The server had an error."), 5),
        (error(503, "Overloaded."), 5),
        (error(404, "Invalid URL"), 5),
        (httpx.Response(200, text="<html>502 Bad Gateway</html>"), 6),
        (httpx.Response(200, json={"object": "page", "data": "nope"}), 6),
    ],
)
def test_exit_code_per_error_class(
    capsys: pytest.CaptureFixture[str], response: httpx.Response, code: int
) -> None:
    with respx.mock(assert_all_called=True) as mock:
        mock.get(URL).mock(return_value=response)
        got, out, err = run(*ARGS)
    assert got == code
    assert out == ""
    assert err.startswith("openai-usage: error: ")
    assert err.count("\n") == 1  # one line
    assert "Traceback" not in err
    assert KEY not in err


def test_connection_failure_exits_5(capsys: pytest.CaptureFixture[str]) -> None:
    with respx.mock as mock:
        mock.get(URL).mock(side_effect=httpx.ConnectError("refused"))
        code, _, err = run(*ARGS)
    assert code == 5
    assert "Connection error" in err


def test_repeated_cursor_exits_6(capsys: pytest.CaptureFixture[str]) -> None:
    with respx.mock as mock:
        mock.get(URL).mock(return_value=httpx.Response(200, json=page(next_page="c1")))
        code, _, err = run(*ARGS)
    assert code == 6
    assert "a second time" in err


def test_missing_key_exits_3_with_a_hint(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_ADMIN_KEY")
    code, _out, err = run(*ARGS)
    assert code == 3
    assert "OPENAI_ADMIN_KEY" in err and "--fake" in err


def test_insecure_base_url_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run("--base-url", "http://example.com/v1", *ARGS)
    assert code == 2
    assert "clear text" in err


def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    with respx.mock as mock:
        mock.get(URL).mock(return_value=error(500, "boom"))
        code, _, err = run("--debug", *ARGS)
    assert code == 5
    assert "Traceback" in err and "InternalServerError" in err


def test_unexpected_errors_exit_1_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from openai_usage_client._cli import _output

    def broken(*_: Any, **__: Any) -> int:
        raise RuntimeError("a bug")

    monkeypatch.setattr(_output, "_writer", lambda fmt: broken)
    code, _, err = run("--fake", *ARGS)
    assert code == 1
    assert err == "openai-usage: unexpected error: a bug (run with --debug for the traceback)\n"


def test_exit_code_table_covers_the_error_tree() -> None:
    from openai_usage_client._core import _exceptions

    for name in _exceptions.__all__:
        cls = getattr(_exceptions, name)
        if cls not in (OpenAIUsageError, _exceptions.APIError):
            names = {f"{c.__module__}.{c.__qualname__}" for c in cls.__mro__}
            assert any(key in names for key, _ in EXIT_CODES), name
    assert exit_code_for(ValueError()) == 1


def test_the_key_never_appears_in_output_or_logs(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with respx.mock as mock:
        route = mock.get(URL)
        route.side_effect = [
            httpx.Response(200, json=page([bucket()])),
            error(401, f"Incorrect API key provided: {KEY}. You can find your key at..."),
        ]
        ok, out_ok, err_ok = run("-vv", *ARGS)
        failed, out_bad, err_bad = run("-vv", *ARGS)
        sent = [call.request.headers["authorization"] for call in route.calls]
    assert ok == 0 and failed == 3
    assert sent == [f"Bearer {KEY}"] * 2  # it was used...
    assert "organization/usage/completions" in err_ok  # ...and debug logging was on
    logged = [r.getMessage() for r in caplog.records]
    assert logged
    for text in (out_ok, err_ok, out_bad, err_bad, *logged):
        assert KEY not in text
        assert "SECRET" not in text


def test_verbose_logging_is_removed_after_main(capsys: pytest.CaptureFixture[str]) -> None:
    logger = logging.getLogger("openai_usage_client")
    before = list(logger.handlers), logger.level
    assert main(["-v", "--fake", *ARGS]) == 0
    assert (list(logger.handlers), logger.level) == before
    assert "GET https://api.openai.com/v1/organization/usage/completions" in capsys.readouterr().err
