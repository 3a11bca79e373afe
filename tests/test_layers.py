"""The house's layers (docs/architecture.md): each folder imports only the layers below it,
and no module of the package takes part in an import circle.

Every import counts: at module level, inside functions and under ``TYPE_CHECKING`` (a
type-only circle still ties two layers together), as ``ast`` reads them from the source.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import openai_usage_client

PACKAGE_DIR = Path(openai_usage_client.__file__).parent
PACKAGE = PACKAGE_DIR.name

#: Lowest first. A module may import its own layer and the ones before it, never one after.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("_generated", "_version"),
    ("_core",),
    ("directory",),
    ("_client",),
    ("analysis",),
    ("store",),
    ("report",),
    ("spend", "focus", "metrics", "reconcile"),  # spend and the hand-offs
    ("testing",),
    ("_cli",),
    # The public faces: they hand on names from every layer and nothing imports them.
    ("__init__", "types", "__main__"),
)
RANK = {folder: rank for rank, folders in enumerate(LAYERS) for folder in folders}


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


def import_graph(root: Path) -> dict[str, set[str]]:
    files = list(package_files(root))
    known = {module_name(p, root) for p in files} | {f"{PACKAGE}._generated"}
    return {module_name(p, root): imports_of(p, known, root) for p in files}


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{module} ({layer_of(module)}) imports {target} ({layer_of(target)})"
        for module, targets in graph.items()
        for target in targets
        if RANK[layer_of(target)] > RANK[layer_of(module)]
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


def test_every_folder_of_the_package_has_a_layer() -> None:
    graph = import_graph(PACKAGE_DIR)
    assert sorted({layer_of(m) for m in graph} - set(RANK)) == []
    assert f"{PACKAGE}.store._store" in graph  # the walk found the package


def test_no_layer_imports_a_layer_above_it() -> None:
    assert upward_imports(import_graph(PACKAGE_DIR)) == []


def test_no_import_circles() -> None:
    assert circles(import_graph(PACKAGE_DIR)) == []


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
        if folder.is_dir() and (folder / "__init__.py").exists() and folder.name in RANK:
            doc = ast.get_docstring(ast.parse((folder / "__init__.py").read_text("utf-8")))
            assert doc, folder.name
            assert "import" in doc.split("\n\n")[0], folder.name


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / PACKAGE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("files", "expected_circles", "expected_upward"),
    [
        pytest.param(
            {
                "__init__.py": "",
                "_core/__init__.py": "",
                "_core/_a.py": "from ._b import x\n",
                "_core/_b.py": "def f():\n    from . import _a\n",
            },
            [[f"{PACKAGE}._core._a", f"{PACKAGE}._core._b"]],
            [],
            id="a circle inside one layer, one side inside a function",
        ),
        pytest.param(
            {
                "__init__.py": "",
                "_core/__init__.py": "",
                "_core/_a.py": "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from ..store._s import S\n",
                "store/__init__.py": "",
                "store/_s.py": "from .._core._a import A\n",
            },
            [[f"{PACKAGE}._core._a", f"{PACKAGE}.store._s"]],
            [f"{PACKAGE}._core._a (_core) imports {PACKAGE}.store._s (store)"],
            id="a type-only import from the core up to the store",
        ),
        pytest.param(
            {
                "__init__.py": "",
                "_core/__init__.py": "",
                "_core/_a.py": "from .._generated.models import M\n",
                "report/__init__.py": "from .._core import _a\n",
            },
            [],
            [],
            id="downward only",
        ),
    ],
)
def test_the_walk_finds_what_is_put_there_on_purpose(
    tmp_path: Path,
    files: dict[str, str],
    expected_circles: list[list[str]],
    expected_upward: list[str],
) -> None:
    write(tmp_path, files)
    graph = import_graph(tmp_path / PACKAGE)
    assert circles(graph) == expected_circles
    assert upward_imports(graph) == expected_upward


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
