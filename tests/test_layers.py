"""The house's layers (docs/architecture.md): each folder imports only the folders its row
of the documented table names (``MAY_IMPORT``), never a private module of another folder
(only its face), and no module or folder takes part in an import circle.

Every import counts: at module level, inside functions and under ``TYPE_CHECKING`` (a
type-only circle still ties two layers together), as ``ast`` reads them from the source, and
an import by name (``importlib.import_module("...")``) too: outside ``STRING_IMPORTS`` it is
refused, and where it is allowed its target is still an import.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import openai_usage_client

PACKAGE_DIR = Path(openai_usage_client.__file__).parent
PACKAGE = PACKAGE_DIR.name

#: docs/architecture.md's table: what each folder may import (besides itself). The faces
#: (``__init__``, ``types``, ``__main__``) hand on names from every layer.
EVERYTHING: frozenset[str] = frozenset(
    {"_generated", "_version", "_core", "directory", "_client", "analysis", "store", "report",
     "spend", "focus", "metrics", "reconcile", "attribution", "assistant", "testing", "_cli"}
)  # fmt: skip
MAY_IMPORT: dict[str, frozenset[str]] = {
    "_generated": frozenset(),
    "_version": frozenset(),
    "_core": frozenset({"_generated", "_version"}),
    "directory": frozenset({"_core", "_generated"}),
    "_client": frozenset({"_core", "directory"}),
    "analysis": frozenset({"_core"}),
    "store": frozenset({"_core", "directory", "_client"}),
    "report": frozenset({"_core", "directory", "analysis", "store"}),
    "spend": frozenset({"_core", "directory", "_client", "analysis"}),
    "focus": frozenset({"_core", "store", "report", "spend", "attribution"}),
    "reconcile": frozenset({"_core", "store", "report"}),
    "attribution": frozenset({"_core", "store", "report", "reconcile"}),
    "metrics": frozenset({"_core", "store", "report", "spend", "attribution"}),
    "assistant": frozenset(
        {"_core", "_version", "store", "report", "spend", "reconcile", "attribution"}
    ),
    "testing": frozenset({"_core", "directory", "_generated"}),
    "_cli": EVERYTHING - {"_cli"},
    "__init__": EVERYTHING,
    "types": EVERYTHING,
    "__main__": EVERYTHING,
}
#: Where a module is imported by name, and why: the faces' lazy names (PEP 562), the
#: generated request builders chosen per endpoint, optional extras probed before a request.
STRING_IMPORTS: frozenset[str] = frozenset(
    {"__init__.py", "directory/__init__.py", "_core/_params.py", "_core/_exports.py"}
)
#: Folders whose private modules other folders may import: the core's modules are its
#: internal API (held by their ``__all__``, below); the generated code is the bottom.
OPEN_INSIDE: frozenset[str] = frozenset({"_core", "_generated", "_version"})


def module_name(path: Path, root: Path = PACKAGE_DIR) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def package_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*.py")):
        if "_generated" not in path.relative_to(root).parts:
            yield path


def imports_of(path: Path, known: set[str], root: Path = PACKAGE_DIR) -> set[str]:
    """The package's modules that ``path`` imports, wherever the import statement stands."""
    this = module_name(path, root)
    package = this if path.name == "__init__.py" else this.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif (by_name := string_import(node)) is not None:
            # ``import_module(".x", __name__)`` is relative to this module's package.
            targets = [f"{package}{by_name}" if by_name.startswith(".") else by_name]
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = node.module or ""
            if node.level:
                target = f"{base}.{target}" if target else base
            # `from . import _rows` imports the submodule; `from .x import Name` only x.
            submodules = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in known]
            targets = submodules or [target]
        else:
            continue
        for name in targets:
            # An import of a generated module is an import of the bottom layer.
            target = name
            while target not in known and "." in target:
                target = target.rpartition(".")[0]
            if target in known and target != this:
                found.add(target)
    return found


def string_import(node: ast.AST) -> str | None:
    """The module an ``import_module(...)``, ``__import__(...)`` or ``find_spec(...)`` call
    names (``""`` when it is computed, an f-string), else ``None``."""
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in ("import_module", "__import__", "find_spec"):
        return None
    first = node.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else ""


def string_imports(root: Path) -> list[str]:
    """Modules that import by name outside ``STRING_IMPORTS``."""
    found = []
    for path in package_files(root):
        where = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if where not in STRING_IMPORTS and any(
            string_import(n) is not None for n in ast.walk(tree)
        ):
            found.append(where)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    files = list(package_files(root))
    known = {module_name(p, root) for p in files} | {f"{PACKAGE}._generated"}
    return {module_name(p, root): imports_of(p, known, root) for p in files}


def not_in_the_table(graph: dict[str, set[str]]) -> list[str]:
    """Every import of a folder its row of ``MAY_IMPORT`` does not name."""
    return sorted(
        f"{module} ({layer_of(module)}) imports {target} ({layer_of(target)})"
        for module, targets in graph.items()
        for target in targets
        if layer_of(target) != layer_of(module)
        and layer_of(target) not in MAY_IMPORT.get(layer_of(module), frozenset())
    )


def folder_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for module, targets in graph.items():
        mine = layer_of(module)
        out.setdefault(mine, set()).update(layer_of(t) for t in targets if layer_of(t) != mine)
    return out


def private_reaches(graph: dict[str, set[str]]) -> list[str]:
    """Imports of another folder's private module (``store._errors``), not its face."""
    return sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        for target in targets
        if layer_of(target) != layer_of(module)
        and layer_of(target) not in OPEN_INSIDE
        and any(part.startswith("_") for part in target.split(".")[2:])
    )


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def findings(root: Path) -> dict[str, list[Any]]:
    """What the layer rules find in the package at ``root``; empty lists when it keeps them."""
    graph = import_graph(root)
    return {
        "not in the table": not_in_the_table(graph),
        "module circles": circles(graph),
        "folder circles": circles(folder_graph(graph)),
        "private reaches": private_reaches(graph),
        "string imports": string_imports(root),
    }


def test_every_folder_of_the_package_has_a_row_in_the_table() -> None:
    graph = import_graph(PACKAGE_DIR)
    assert sorted({layer_of(m) for m in graph} - set(MAY_IMPORT)) == []
    assert f"{PACKAGE}.store._store" in graph  # the walk found the package


def test_the_package_keeps_every_layer_rule() -> None:
    assert findings(PACKAGE_DIR) == {
        "not in the table": [],
        "module circles": [],
        "folder circles": [],
        "private reaches": [],
        "string imports": [],
    }


def test_the_table_is_the_documented_one() -> None:
    """docs/architecture.md's "may import" column says what ``MAY_IMPORT`` holds."""
    doc = (PACKAGE_DIR.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = {}
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if (
            len(cells) == 3
            and cells[0].startswith("`")
            and cells[0] != "`openapi.yaml` → `_generated/`"
        ):
            folder = cells[0].strip("`").rstrip("/").removesuffix(".py")
            rows[folder] = {c.strip(" `") for c in cells[2].split(",")}
    for folder, allowed in MAY_IMPORT.items():
        if folder in rows:
            wanted = EVERYTHING if rows[folder] == {"everything"} else rows[folder]
            assert set(allowed) - {folder} == set(wanted) - {folder}, folder
    assert {"_core", "store", "spend", "testing", "_cli", "analysis"} <= set(rows)


def test_a_command_module_is_imported_by_the_command_list_only() -> None:
    """What two commands share lives in the library or a ``_cli`` helper, never in one of them."""
    commands = f"{PACKAGE}._cli.commands"
    graph = import_graph(PACKAGE_DIR)
    command_modules = {m for m in graph if m.startswith(f"{commands}.")}
    assert f"{commands}.check" in command_modules
    importers = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        for target in targets & command_modules
        if module != commands
    )
    assert importers == []


def test_each_folder_says_what_it_is_for_and_what_it_may_import() -> None:
    for folder in PACKAGE_DIR.iterdir():
        if folder.is_dir() and (folder / "__init__.py").exists() and folder.name in MAY_IMPORT:
            doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text("utf-8")))
            assert doc, folder.name
            assert "import" in doc.split("\n\n")[0], folder.name


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in {"__init__.py": "", **files}.items():
        path = root / PACKAGE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


NONE: dict[str, list[Any]] = {
    "not in the table": [],
    "module circles": [],
    "folder circles": [],
    "private reaches": [],
    "string imports": [],
}


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {
                "_core/__init__.py": "",
                "_core/_a.py": "from ._b import x\n",
                "_core/_b.py": "def f():\n    from . import _a\n",
            },
            NONE | {"module circles": [[f"{PACKAGE}._core._a", f"{PACKAGE}._core._b"]]},
            id="a circle inside one layer, one side inside a function",
        ),
        pytest.param(
            {
                "_core/__init__.py": "",
                "_core/_a.py": "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from ..store._s import S\n",
                "store/__init__.py": "",
                "store/_s.py": "from .._core._a import A\n",
            },
            NONE
            | {
                "not in the table": [
                    f"{PACKAGE}._core._a (_core) imports {PACKAGE}.store._s (store)"
                ],
                "module circles": [[f"{PACKAGE}._core._a", f"{PACKAGE}.store._s"]],
                "folder circles": [["_core", "store"]],
                "private reaches": [f"{PACKAGE}._core._a imports {PACKAGE}.store._s"],
            },
            id="a type-only import from the core up to the store",
        ),
        pytest.param(
            {
                "spend/__init__.py": "from ._b import B\n",
                "spend/_b.py": "B = 1\n",
                "spend/_c.py": "def f():\n    from ..focus import A\n",
                "focus/__init__.py": "from ._a import A\n",
                "focus/_a.py": "from ..spend import B\n",
            },
            NONE
            | {
                "not in the table": [f"{PACKAGE}.spend._c (spend) imports {PACKAGE}.focus (focus)"],
                "folder circles": [["focus", "spend"]],
            },
            id="a circle between two folders of one rank",
        ),
        pytest.param(
            {
                "store/__init__.py": "",
                "store/_a.py": "import importlib\n"
                f"R = importlib.import_module('{PACKAGE}.report')\n",
                "report/__init__.py": "from ..store import _a\n",
            },
            NONE
            | {
                "not in the table": [
                    f"{PACKAGE}.store._a (store) imports {PACKAGE}.report (report)"
                ],
                "module circles": [[f"{PACKAGE}.report", f"{PACKAGE}.store._a"]],
                "folder circles": [["report", "store"]],
                "private reaches": [f"{PACKAGE}.report imports {PACKAGE}.store._a"],
                "string imports": ["store/_a.py"],
            },
            id="a circle closed through importlib.import_module",
        ),
        pytest.param(
            {"analysis/__init__.py": "from .._client import UsageClient\n", "_client.py": ""},
            NONE
            | {
                "not in the table": [
                    f"{PACKAGE}.analysis (analysis) imports {PACKAGE}._client (_client)"
                ],
            },
            id="analysis importing the clients",
        ),
        pytest.param(
            {"testing/__init__.py": "from ..store import Store\n", "store/__init__.py": ""},
            NONE
            | {
                "not in the table": [
                    f"{PACKAGE}.testing (testing) imports {PACKAGE}.store (store)"
                ],
            },
            id="the fake importing the store",
        ),
        pytest.param(
            {
                "_core/__init__.py": "",
                "_core/_a.py": "from .._generated.models import M\n",
                "report/__init__.py": "from .._core import _a\n",
            },
            NONE,
            id="downward only, through the core's modules",
        ),
    ],
)
def test_the_rules_find_what_is_put_there_on_purpose(
    tmp_path: Path, files: dict[str, str], expected: dict[str, list[Any]]
) -> None:
    write(tmp_path, files)
    assert findings(tmp_path / PACKAGE) == expected


def test_products_use_the_core_through_the_names_it_exports() -> None:
    """The core's ``__all__`` lists are its internal API: a product never reaches past them."""
    import importlib

    reached = []
    for path in package_files(PACKAGE_DIR):
        this = module_name(path)
        if layer_of(this) == "_core":
            continue
        package = this if path.name == "__init__.py" else this.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.level or not node.module:
                continue
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = f"{base}.{node.module}"
            if layer_of(target) != "_core" or target == f"{PACKAGE}._core":
                continue
            exported = set(importlib.import_module(target).__all__)
            reached += [f"{this}: {target}.{a.name}" for a in node.names if a.name not in exported]
    assert reached == []
