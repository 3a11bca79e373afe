"""The house's counts (issue 35), held so they do not grow back: the store owns its schema
(no SQL and no ``.connection`` outside ``store/``); exit codes are defined in one table, and
a missing extra is said one way by every command."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from _cli_run import run

import openai_usage_client

PACKAGE_DIR = Path(openai_usage_client.__file__).parent
#: What SQL looks like in a string: a statement's first words, or a table the store keeps.
SQL = re.compile(
    r"\b(SELECT\s|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|PRAGMA\s|CREATE\s+TABLE)"
)


def modules(outside: str, root: Path = PACKAGE_DIR) -> Iterator[tuple[str, ast.AST]]:
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if parts[0] in ("_generated", outside):
            continue
        yield "/".join(parts), ast.parse(path.read_text(encoding="utf-8"))


def sql_outside_the_store(root: Path = PACKAGE_DIR) -> list[str]:
    found = []
    for name, tree in modules("store", root):
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if SQL.search(node.value):
                    found.append(f"{name}:{node.lineno}: SQL")
            # A store's connection: any ``x.connection`` but a request handler's own socket.
            elif (
                isinstance(node, ast.Attribute)
                and node.attr in ("connection", "_conn")
                and not (isinstance(node.value, ast.Name) and node.value.id == "self")
            ):
                found.append(f"{name}:{node.lineno}: .{node.attr}")
    return sorted(found)


def test_no_sql_and_no_connection_outside_the_store() -> None:
    assert sql_outside_the_store() == []


def test_the_check_finds_sql_put_there_on_purpose(tmp_path: Path) -> None:
    (tmp_path / "report").mkdir()
    (tmp_path / "store").mkdir()
    (tmp_path / "report" / "_a.py").write_text(
        'rows = store.connection.execute("SELECT name FROM projects")\n'
        'more = conn.execute("""\n  DELETE  FROM series WHERE 1""")\n'
        "self.connection.shutdown(2)\n"
    )
    (tmp_path / "store" / "_b.py").write_text('conn.execute("SELECT 1")\n')
    assert sql_outside_the_store(tmp_path) == [
        "report/_a.py:1: .connection",
        "report/_a.py:1: SQL",
        "report/_a.py:2: SQL",
    ]


# --- one exit-code table ------------------------------------------------------------------


def exit_code_constants(root: Path = PACKAGE_DIR) -> list[str]:
    """Module-level names bound to an exit code (``EXIT_*``, ``*_PROBLEM``, ``*_CODE``) to a
    number, outside the one table (``_cli/_errors.py``)."""
    found = []
    for name, tree in modules("_generated", root):
        if name == "_cli/_errors.py":
            continue
        for node in getattr(tree, "body", []):
            target = node.target if isinstance(node, ast.AnnAssign) else None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
            value = getattr(node, "value", None)
            if (
                isinstance(target, ast.Name)
                and re.fullmatch(r"EXIT_\w+|\w+_(PROBLEM|CODE)", target.id)
                and isinstance(value, ast.Constant)
                and isinstance(value.value, int)
            ):
                found.append(f"{name}: {target.id} = {value.value}")
    return found


def test_exit_codes_are_defined_in_one_table_only(tmp_path: Path) -> None:
    assert exit_code_constants() == []
    (tmp_path / "spend").mkdir()
    (tmp_path / "spend" / "check.py").write_text("EXIT_OVER: Final = 7\nKEY_PROBLEM = 3\n")
    assert exit_code_constants(tmp_path) == ["spend/check.py: EXIT_OVER = 7",
                                             "spend/check.py: KEY_PROBLEM = 3"]  # fmt: skip


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("house") / "s.db"
    assert run("--fake", "sync", "--db", str(db), "-q", "--start", "2026-10-25", "--endpoint",
               "costs")[0] == 0  # fmt: skip
    return db


@pytest.mark.parametrize(
    ("missing", "args", "module", "extra", "more"),
    [
        (["matplotlib", "matplotlib.figure", "matplotlib.ticker"],
         ["--fake", "report", "-q", "--chart", "{tmp}/c.png"], "matplotlib", "charts",
         " (or write the chart as .html, which needs nothing)"),
        (["pyarrow"], ["export", "--db", "{db}", "--parquet-dir", "{tmp}/lake"], "pyarrow",
         "parquet", ""),
        (["pyarrow"], ["--fake", "costs", "-o", "{tmp}/x.parquet"], "pyarrow", "parquet", ""),
        (["prometheus_client"], ["metrics", "--db", "{db}"], "prometheus-client", "metrics", ""),
    ],
)  # fmt: skip
def test_a_missing_extra_is_said_one_way_by_every_command(
    tmp_path: Path,
    small_store: Path,
    monkeypatch: pytest.MonkeyPatch,
    missing: list[str],
    args: list[str],
    module: str,
    extra: str,
    more: str,
) -> None:
    for name in missing:
        monkeypatch.setitem(sys.modules, name, None)
    given = [a.format(tmp=tmp_path, db=small_store) for a in args]
    code, out, err = run(*given)
    assert (code, out) == (2, "")
    assert err == (
        f"openai-usage: error: {module} is not installed: pip install "
        f"'openai-usage-client[{extra}]'{more}\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--db", "{db}"],
        ["check", "--db", "{db}", "--monthly-budget", "5"],
        ["reconcile", "--db", "{db}"],
        ["export", "--db", "{db}", "--parquet-dir", "{tmp}/lake"],
        ["metrics", "--db", "{db}"],
        ["costs", "--db", "{db}"],
    ],
    ids=lambda args: args[0],
)
def test_a_missing_store_is_said_one_way_by_every_command(tmp_path: Path, args: list[str]) -> None:
    db = tmp_path / "typo.db"
    code, out, err = run(*(a.format(db=db, tmp=tmp_path) for a in args))
    assert (code, out) == (2, "")
    assert err == (
        f"openai-usage: error: Invalid value for --db: no store at {db}: create it with "
        f"'openai-usage sync --db {db} --start YYYY-MM-DD' (see 'openai-usage {args[0]} "
        "--help')\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing created


# --- functions a reader can hold ----------------------------------------------------------


def long_functions(root: Path = PACKAGE_DIR, most: int = 80) -> list[str]:
    """Functions and methods over ``most`` lines (decorators excluded), outside the
    generated code."""
    found = []
    for name, tree in modules("_generated", root):
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > most:
                    found.append(f"{name}: {node.name} ({length} lines)")
    return sorted(found)


def test_no_function_is_over_80_lines(tmp_path: Path) -> None:
    assert long_functions() == []
    (tmp_path / "store").mkdir()
    lines = [f"x{i} = {i}\n" for i in range(80)]
    method = "".join("        " + line for line in lines)  # 81 lines with its def
    (tmp_path / "store" / "_w.py").write_text(f"class W:\n    def write(self):\n{method}")
    function = "".join("    " + line for line in lines[:-1])  # 80 lines with its def
    (tmp_path / "store" / "_ok.py").write_text(f"def fine():\n{function}")
    assert long_functions(tmp_path) == ["store/_w.py: write (81 lines)"]


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--db", "{db}", "--config", "{config}", "--start", "2026-10-25"],
        ["check", "--db", "{db}", "--config", "{config}", "--as-of", "2026-10-27"],
        ["report", "--db", "{db}", "--start", "2026-10-25"],
    ],
    ids=["report with budgets", "check", "report"],
)
def test_a_command_opens_the_store_once(
    tmp_path: Path, small_store: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    from openai_usage_client.store import Store

    config = tmp_path / "spend.toml"
    config.write_text('[[budget]]\nscope = "organization"\nmonthly_usd = 100\n')
    opened: list[str] = []
    real = Store.__init__

    def counting(self: Store, path: object, *rest: object, **options: object) -> None:
        opened.append(str(path))
        real(self, path, *rest, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "__init__", counting)
    code, _, err = run(*(a.format(db=small_store, config=config) for a in args))
    assert code in (0, 7, 9), err
    assert opened == [str(small_store)]


# --- one declaration per shared option ----------------------------------------------------

SHARED_OPTIONS = ("--db", "--format", "--quiet", "--start", "--end")


def option_declarations(root: Path = PACKAGE_DIR) -> dict[str, list[str]]:
    """Where ``click.option(...)``/``click.Option([...])`` declares each shared option."""
    found: dict[str, list[str]] = {name: [] for name in SHARED_OPTIONS}
    for name, tree in modules("_generated", root):
        for node in ast.walk(tree):
            func = getattr(node, "func", None)
            if not isinstance(node, ast.Call) or getattr(func, "attr", None) not in (
                "option",
                "Option",
            ):
                continue
            first = node.args[0] if node.args else None
            decls = first.elts if isinstance(first, ast.List) else node.args
            for decl in decls:
                if isinstance(decl, ast.Constant) and decl.value in found:
                    found[decl.value].append(name)
    return found


def test_each_shared_option_is_declared_once() -> None:
    assert option_declarations() == {
        "--db": ["_cli/_options.py"],
        "--format": ["_cli/_options.py"],
        "--quiet": ["_cli/_options.py"],
        "--start": ["_cli/_options.py"],
        "--end": ["_cli/_options.py"],
    }


def test_a_document_a_person_reads_is_format_table_everywhere(small_store: Path) -> None:
    from openai_usage_client._cli._app import cli

    shown = {}
    for name in ("report", "check", "reconcile"):
        command = cli.commands[name]
        (option,) = [p for p in command.params if p.name == "fmt"]
        shown[name] = (list(option.type.choices), option.default)  # type: ignore[attr-defined]
    assert shown == {
        "report": (["table", "json", "markdown"], "table"),
        "check": (["table", "json"], "table"),
        "reconcile": (["table", "json", "csv"], "table"),
    }
    # reconcile's former name for it still works, and prints the same.
    assert run("reconcile", "--db", str(small_store), "-f", "text") == run(
        "reconcile", "--db", str(small_store), "-f", "table"
    )
