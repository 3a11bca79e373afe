"""The house's counts (issue 35), held so they do not grow back: the store owns its schema
(no SQL and no ``.connection`` outside ``store/``)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

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
