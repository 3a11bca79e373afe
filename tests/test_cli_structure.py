"""The CLI's structure: one module per command, registered in one list (import circles:
test_layers.py), help on every command, and the report as library code without click."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import click
import pytest
from test_layers import module_name

import openai_usage_client._cli as cli_package
from openai_usage_client._cli import _output, main
from openai_usage_client._cli._app import build_cli, cli
from openai_usage_client._cli.commands import COMMANDS
from openai_usage_client._core._endpoints import ENDPOINTS

CLI_DIR = Path(cli_package.__file__).parent
PACKAGE_ROOT = CLI_DIR.parent.parent


# Import circles, the CLI's among them, are test_layers.py's.
CLI_MODULES = sorted(module_name(p) for p in CLI_DIR.rglob("*.py"))


def test_each_cli_module_imports_alone_in_a_fresh_interpreter() -> None:
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-c", f"import {name}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in CLI_MODULES
    }
    failures = {}
    for name, process in processes.items():
        _, err = process.communicate(timeout=120)
        if process.returncode:
            failures[name] = err.strip().splitlines()[-1:]
    assert not failures


def test_command_modules_register_nothing_when_imported() -> None:
    code = (
        "import sys\n"
        "import openai_usage_client._cli.commands as c\n"
        "assert 'openai_usage_client._cli._app' not in sys.modules, 'commands import _app'\n"
        "print(len(c.COMMANDS))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(len(COMMANDS))


def test_a_new_command_is_one_factory_and_takes_the_global_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    seen: list[bool] = []

    @click.command("hello", help="Say hello.")
    @click.pass_context
    def hello(ctx: click.Context) -> None:
        from openai_usage_client._cli._state import state_of

        seen.append(state_of(ctx).fake)

    group = build_cli([*COMMANDS, lambda: [hello]])
    assert set(group.commands) == set(cli.commands) | {"hello"}
    with pytest.raises(SystemExit) as done:
        group.main(["hello", "--fake"], prog_name="openai-usage")
    assert done.value.code == 0 and seen == [True]
    assert group.commands["costs"] is not cli.commands["costs"]  # each group its own


def test_every_command_has_help_that_points_at_the_global_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    extra = {
        "report", "check", "fake-server", "projects", "api-keys", "users", "doctor", "sync",
        "export", "metrics", "reconcile", "mcp",
    }  # fmt: skip
    assert set(cli.commands) == {name.replace("_", "-") for name in ENDPOINTS} | extra
    for name in cli.commands:
        assert main([name, "--help"]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"Usage: openai-usage {name} [OPTIONS]")
        flat = " ".join(out.split())
        assert (
            "--fake, --fake-now, --fake-discrepancies, --fake-size, --base-url, --timeout, "
            "--max-retries, -v, --debug, --raw-csv" in flat
        )
        assert "Exit codes:" in out
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for option in (
        "--fake ", "--fake-now WHEN", "--fake-discrepancies", "--base-url URL", "--max-retries",
        "--debug",
    ):  # fmt: skip
        assert option in out


def test_endpoint_help_comes_from_the_endpoint_table() -> None:
    from openai_usage_client._cli.commands.endpoints import summary_of

    for name, spec in ENDPOINTS.items():
        summary = summary_of(spec)
        assert summary and "``" not in summary
        assert cli.commands[name.replace("_", "-")].short_help == summary
        assert spec.summary and summary == spec.summary.strip().splitlines()[0]


def test_dead_code_is_gone() -> None:
    import openai_usage_client._core._summarize as summary

    assert not hasattr(_output, "output_options")
    assert not hasattr(summary, "daily")
    assert not (CLI_DIR / "_report.py").exists()


def test_building_every_command_for_help_loads_no_product() -> None:
    """What keeps ``openai-usage --help`` fast (bench P5): building the commands loads the
    core and click, not the store, the report, the spend library, the analysis or the fake."""
    code = (
        "import sys\n"
        "from openai_usage_client._cli._app import build_cli\n"
        "build_cli()\n"
        "print(sorted(m for m in sys.modules if m.startswith('openai_usage_client.')))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = set(ast.literal_eval(proc.stdout))
    for product in ("store", "report", "spend", "testing", "directory._fetch"):
        assert not {m for m in loaded if m.startswith(f"openai_usage_client.{product}")}, product
