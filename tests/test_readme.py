"""The README's Python snippets run, against the offline fake served on loopback; its demo
output is what the demo prints; neither the snippets nor ``make demo`` write into the tree."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from openai_usage_client import UsageClient
from openai_usage_client._cli import main
from openai_usage_client.testing import DEFAULT_ADMIN_KEY, FakeAPI, FakeServer

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def tree_state() -> dict[str, int]:
    """Modification times of the top-level entries and of each top-level folder's entries:
    a file written (or rewritten) at either level changes one of them."""
    state = {}
    for entry in ROOT.iterdir():
        if entry.name in (".git", ".venv", ".pytest_cache", ".mypy_cache", ".ruff_cache"):
            continue
        state[entry.name] = entry.stat().st_mtime_ns
        if entry.is_dir():
            for child in entry.iterdir():
                if child.name != "__pycache__":
                    state[f"{entry.name}/{child.name}"] = child.stat().st_mtime_ns
    return state


def test_readme_has_the_sections_in_order() -> None:
    text = README.read_text()
    headings = re.findall(r"^## (.+)$", text, flags=re.M)
    wanted = [
        "Install",
        "Usage",
        "Async",
        "Pagination",
        "Handling errors",
        "Retries",
        "Timeouts",
        "Export",
        "CLI",
    ]
    assert [h for h in headings if h in wanted] == wanted


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_snippet_runs(
    index: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    # Files a snippet writes (costs-october.csv, ...) land in a temporary folder.
    monkeypatch.chdir(tmp_path)
    before = tree_state()
    with FakeServer(FakeAPI(seed=0), port=0) as server:
        monkeypatch.setenv("OPENAI_ADMIN_KEY", DEFAULT_ADMIN_KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.delenv("OPENAI_ORG_ID", raising=False)
        namespace: dict[str, object] = {"__name__": "readme"}
        exec(compile(BLOCKS[index], f"README.md block {index}", "exec"), namespace)
        client = namespace.get("client")
        if isinstance(client, UsageClient):
            client.close()
    assert "Traceback" not in capsys.readouterr().err
    assert tree_state() == before


def test_the_snippets_write_their_files_where_they_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The export snippet's files are not committed at the top level any more.
    assert not (ROOT / "costs-october.csv").exists()
    assert not (ROOT / "completions.jsonl").exists()
    monkeypatch.chdir(tmp_path)
    export = next(b for b in BLOCKS if "costs-october.csv" in b)
    with FakeServer(FakeAPI(seed=0), port=0) as server:
        monkeypatch.setenv("OPENAI_ADMIN_KEY", DEFAULT_ADMIN_KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        exec(compile(export, "README.md export block", "exec"), {"__name__": "readme"})
    assert (tmp_path / "costs-october.csv").read_text().startswith("endpoint,start_time,")


def _demo_block() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```console\n\$ make demo\n(.*?)```", text, flags=re.S)
    assert block, "README.md has no `$ make demo` output block"
    return block[1].splitlines()


def test_the_readmes_demo_output_is_what_the_demo_prints(tmp_path: Path) -> None:
    shown = _demo_block()
    chart = tmp_path / "report.png"
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8")  # a UTF-8 terminal draws block bars
    with contextlib.redirect_stdout(out):
        assert main(["--fake", "report", "--chart", str(chart)]) == 0
    out.flush()
    printed = raw.getvalue().decode("utf-8").splitlines()
    # Everything but the chart's path, which the Makefile chooses (DEMO_DIR).
    assert printed[:-1] == shown[:-1]
    assert printed[-1] == f"Chart written to {chart}"
    assert shown[-1] == "Chart written to /tmp/openai-usage-demo/report.png"
    # docs/report.png, the README's image, is exactly what the demo draws.
    assert chart.read_bytes() == (ROOT / "docs" / "report.png").read_bytes()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_writes_nothing_into_the_tree() -> None:
    before = tree_state()
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "openai-usage").exists():
        pytest.skip(f"no openai-usage script beside {sys.executable}")
    # STAMP= : the environment running the tests is already installed.
    done = subprocess.run(
        ["make", "-s", "demo", "STAMP=", f"BIN={bin_dir}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "OPENAI_ADMIN_KEY": ""},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == _demo_block()
    assert tree_state() == before


def _cli_examples() -> list[tuple[str, list[str]]]:
    """``$ openai-usage ...`` lines of the README's console blocks, with the lines shown."""
    text = README.read_text(encoding="utf-8")
    examples = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            if not line.startswith("$ openai-usage "):
                continue
            shown = []
            for later in lines[i + 1 :]:
                if later.startswith("$ "):
                    break
                shown.append(later)
            while shown and not shown[-1].strip():
                shown.pop()
            examples.append((line[2:], shown))
    return examples


@pytest.mark.parametrize(("command", "shown"), _cli_examples())
def test_cli_examples_print_what_the_readme_shows(
    command: str,
    shown: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import shlex

    words = shlex.split(command)
    head = None
    if "|" in words:
        pipe = words.index("|")
        assert words[pipe + 1 : pipe + 2] == ["head"], command
        head = int(words[pipe + 2].lstrip("-"))
        words = words[:pipe]
    monkeypatch.chdir(ROOT)  # commands name files of the repository (docs/spend-example.toml)
    code = main(words[1:])
    out, err = capsys.readouterr()
    # check's exit 7 (a budget over) prints its result; other failures print an error.
    printed = (out if code in (0, 7) else err).splitlines()
    assert printed[:head] == shown


CI_RUN = ROOT / ".ci" / "run"


def test_ci_checks_the_tree_after_the_tests_and_the_demo() -> None:
    steps = [
        line.strip()
        for line in CI_RUN.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith(("make ", "tree_is_clean "))
    ]
    assert steps == [
        'tree_is_clean "the checkout"',
        "make ci",
        'tree_is_clean "make ci (make test)"',
        "make demo",
        'tree_is_clean "make demo"',
    ]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    ci = next(line for line in makefile if line.startswith("ci:"))
    assert "test" in ci.split()  # `make ci` runs the README's `make test`


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_ci_tree_check_fails_on_a_stray_file(tmp_path: Path) -> None:
    check = re.search(r"^tree_is_clean\(\) \{\n.*?^\}\n", CI_RUN.read_text(), flags=re.S | re.M)
    assert check, ".ci/run has no tree_is_clean function"
    script = f"set -euo pipefail\n{check[0]}\ntree_is_clean 'make test'\necho clean\n"
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)

    def run_check() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False
        )

    assert run_check().stdout == "clean\n"
    (tmp_path / "costs-october.csv").write_text("endpoint\n")
    done = run_check()
    assert done.returncode == 1 and done.stdout == ""
    assert "make test changed the working tree" in done.stderr
    assert "?? costs-october.csv" in done.stderr


def test_readme_lists_every_relative_period_word() -> None:
    from openai_usage_client._core._periods import PERIOD_WORDS

    text = README.read_text()
    python = text[text.index("same parser: ") : text.index("before now).")]
    cli = text[text.index("seconds, or relative: ") : text.index("`--tz` names a zone")]
    for word in PERIOD_WORDS:
        assert f'"{word}"' in python and f"`{word}`" in cli, word
