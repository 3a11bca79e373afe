"""The package's public names, its public types module, and what importing it costs.

* ``__all__`` is derived from the one lazy-import table; the ``TYPE_CHECKING`` re-exports that
  type checkers read name exactly the same names.
* ``openai_usage_client.types`` is the public home of the result, bucket and page types and of
  the per-endpoint ``Literal``s, so nobody imports from ``_generated``.
* Importing the package, a client and every result model loads neither ``attrs`` nor a
  generated HTTP client: the package ships only the generated models and request builders.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import subprocess
import sys
import typing
from pathlib import Path

import openai_usage_client as ouc
from openai_usage_client import types
from openai_usage_client._core._endpoints import ENDPOINTS
from openai_usage_client._core._models import Result
from openai_usage_client._generated import models as generated_models

PACKAGE = Path(ouc.__file__).parent
RESULT_MODELS = sorted(n for n in ouc.__all__ if n.endswith("Result") or n == "CostsResultAmount")


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def test_all_is_the_lazy_table_and_matches_the_type_checking_imports() -> None:
    assert ouc.__all__ == sorted(ouc._LAZY)
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    checked: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom)
                for alias in stmt.names:
                    assert alias.asname == alias.name  # an explicit re-export
                    checked.add(alias.name)
                    assert ouc._LAZY[alias.name] == "." * stmt.level + (stmt.module or "")
    assert checked == set(ouc._LAZY)


def test_lean_import() -> None:
    code = """
import json, sys
import openai_usage_client as o
from openai_usage_client._core._params import build_query
client = o.UsageClient("sk-admin-x")
aclient = o.AsyncUsageClient("sk-admin-x")
models = [getattr(o, name) for name in MODELS]
import openai_usage_client.types
build_query("costs", {"start_time": 0, "end_time": 86400}, {}, concurrency=None,
            default_concurrency=1).request_kwargs(None)
print(json.dumps(sorted(sys.modules)))
""".replace("MODELS", repr(RESULT_MODELS))
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = set(json.loads(proc.stdout))
    assert "openai_usage_client._generated.api.costs.costs" in loaded  # the probe built a request
    assert {"attrs", "attr"} & loaded == set()
    assert {m for m in loaded if m.startswith("openai_usage_client._generated.")} >= {
        "openai_usage_client._generated.models",
        "openai_usage_client._generated.endpoints",
    }
    assert "openai_usage_client._generated.client" not in loaded
    assert "openai_usage_client._generated.errors" not in loaded


def test_generated_package_init_imports_nothing() -> None:
    code = (
        "import sys, openai_usage_client._generated; "
        "print(sorted(m for m in sys.modules if m.startswith('openai_usage_client')))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert proc.stdout.strip() == "['openai_usage_client', 'openai_usage_client._generated']"


def test_unused_generator_output_is_not_shipped() -> None:
    generated = PACKAGE / "_generated"
    assert not (generated / "client.py").exists()
    assert not (generated / "errors.py").exists()
    assert "import attr" not in (generated / "types.py").read_text()
    assert "from attr" not in (generated / "types.py").read_text()
    requires = importlib.metadata.requires("openai-usage-client") or []
    runtime = sorted(r.split(">")[0].split("<")[0] for r in requires if "extra ==" not in r)
    assert runtime == ["httpx", "pydantic"]


def test_version_is_written_once() -> None:
    assert importlib.metadata.version("openai-usage-client") == ouc.__version__


def test_types_module_is_sorted_and_resolves() -> None:
    assert types.__all__ == sorted(types.__all__)
    for name in types.__all__:
        getattr(types, name)
    public = {n for n in vars(types) if not n.startswith("_") and n != "annotations"}
    assert set(types.__all__) == public


def test_types_hold_every_result_type_and_the_package_root_agrees() -> None:
    results = {
        name
        for name, value in vars(generated_models).items()
        if name.endswith("Result") and isinstance(value, type)
    }
    assert len(results) == 13
    for name in ("Bucket", "Page", "Result", "UnknownResult", "CostsResultAmount"):
        assert name in types.__all__
    for name in RESULT_MODELS:
        assert getattr(types, name) is getattr(ouc, name)
    assert results <= set(types.__all__)
    assert types.Result is Result


def test_types_group_by_literals_follow_the_table() -> None:
    for name, endpoint in ENDPOINTS.items():
        alias = getattr(types, f"{_pascal(name)}GroupBy")
        assert sorted(typing.get_args(alias)) == sorted(endpoint.group_by)
        params = getattr(types, f"{_pascal(name)}Params")
        hints = typing.get_type_hints(params)
        assert set(hints) == {
            "start_time", "end_time", "bucket_width", "limit", "page", "group_by",
            "concurrency", *endpoint.filters,
        }  # fmt: skip


def test_the_sync_client_loads_neither_asyncio_nor_the_directory() -> None:
    """What keeps ``from openai_usage_client import UsageClient, CostsResult`` fast (P5):
    asyncio is imported by the async paths only, the directory's resources and models on
    first use of ``client.projects`` and the like, the parameter types for type checkers."""
    code = """
import json, sys
from openai_usage_client import UsageClient, CostsResult
client = UsageClient("sk-admin-x")
before = sorted(sys.modules)
client.projects
print(json.dumps([before, sorted(sys.modules)]))
"""
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    before, after = (set(m) for m in json.loads(proc.stdout))
    assert "asyncio" not in before
    assert "openai_usage_client._generated.params" not in before
    directory = {
        "openai_usage_client.directory._resources",
        "openai_usage_client._generated.models.project",
    }
    assert directory & before == set()
    assert directory <= after  # loaded when first used
