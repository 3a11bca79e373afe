"""``scripts/generate.py``: deterministic, matching the committed code, and able to fail."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[1]
SCRIPT = ROOT / "scripts" / "generate.py"
SPEC = ROOT / "openapi.yaml"
COMMITTED = ROOT / "openai_usage_client" / "_generated"


def _generate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _files(folder: Path) -> dict[Path, bytes]:
    return {
        path.relative_to(folder): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_committed_code_matches_the_spec() -> None:
    proc = _generate("--check", cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "check-generated: the generated code matches openapi.yaml"


def test_check_fails_on_drift(tmp_path: Path) -> None:
    with SPEC.open() as fh:
        spec = yaml.safe_load(fh)
    properties = spec["components"]["schemas"]["UsageEmbeddingsResult"]["properties"]
    assert "new_counter" not in properties
    properties["new_counter"] = {"type": "integer"}
    drifted = tmp_path / "openapi.yaml"
    drifted.write_text(yaml.safe_dump(spec, sort_keys=False))

    proc = _generate("--spec", str(drifted), "--check", cwd=ROOT)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "new_counter" in proc.stdout
    assert "usage_embeddings_result.py" in proc.stdout
    assert "+    new_counter: StrictInt | None = Field(default=None)\n" in proc.stdout
    changed = set(re.findall(r"^--- committed/(\S+)$", proc.stdout, flags=re.MULTILINE))
    assert changed == {"models/usage_embeddings_result.py"}
    assert "differs from the spec" in proc.stderr
    # The committed code was only compared, never touched.
    assert "new_counter" not in (COMMITTED / "models" / "usage_embeddings_result.py").read_text()


def test_check_fails_when_the_target_is_missing(tmp_path: Path) -> None:
    proc = _generate("--check", "--target", str(tmp_path / "nowhere"), cwd=ROOT)
    assert proc.returncode == 1
    assert "does not exist" in proc.stderr


def test_generation_is_independent_of_the_working_directory(tmp_path: Path) -> None:
    # A copy of the spec under another name, in another folder, generated from there.
    spec_copy = tmp_path / "spec" / "copy.yaml"
    spec_copy.parent.mkdir()
    shutil.copyfile(SPEC, spec_copy)
    target = tmp_path / "a"
    proc = _generate("--spec", "spec/copy.yaml", "--target", str(target), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    fresh, committed = _files(target), _files(COMMITTED)
    assert sorted(map(str, fresh)) == sorted(map(str, committed))
    different = sorted(str(rel) for rel in committed if committed[rel] != fresh[rel])
    assert different == []
    assert len(committed) >= 50
    assert not list(target.rglob(".ruff_cache"))


PROBE = """
import json, sys
from openai_usage_client._cli import main
from openai_usage_client._core._params import build_query
from openai_usage_client.testing import DEFAULT_ADMIN_KEY, FakeAPI

query = build_query(
    "completions",
    {"start_time": 1790812800, "end_time": 1790899200, "group_by": ["region"]},
    {},
    concurrency=None,
    default_concurrency=1,
)
print("client", query.group_by, query.request_kwargs(None)["params"]["group_by"])
answer = FakeAPI(seed=0).handle(
    "GET",
    "/v1/organization/usage/completions",
    {"start_time": "1790812800", "end_time": "1790899200", "group_by": ["region"]},
    {"Authorization": f"Bearer {DEFAULT_ADMIN_KEY}"},
)
print("fake", answer.status, len(answer.json()["data"]))
argv = ["--fake", "completions", "--start", "2026-10-01", "--end", "2026-10-02",
        "--group-by", "region", "-f", "json"]
print("cli", main(argv))
"""


def test_a_new_group_by_value_needs_only_the_spec(tmp_path: Path) -> None:
    """Add ``region`` to completions' ``group_by`` in a copy of the project, regenerate, and
    the client, the fake and the CLI accept it: no hand-written file changes."""
    copy = tmp_path / "project"
    for part in ("openai_usage_client", "scripts", "templates"):
        shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("openapi.yaml", "generator-config.yaml"):
        shutil.copyfile(ROOT / name, copy / name)
    before = _files(copy)
    text = SPEC.read_text()
    values = "enum: [project_id, user_id, api_key_id, model, batch, service_tier, api_source]"
    assert text.count(values) == 2  # completions, then decisions
    (copy / "openapi.yaml").write_text(text.replace(values, values[:-1] + ", region]", 1))

    proc = subprocess.run(
        [sys.executable, str(copy / "scripts" / "generate.py")],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    after = _files(copy)
    changed = sorted(str(rel) for rel in after if before.get(rel) != after[rel])
    assert changed == [
        "openai_usage_client/_generated/endpoints.py",
        "openai_usage_client/_generated/models/completions_group_by_item.py",
        "openapi.yaml",
    ]
    assert set(before) == set(after)

    run = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(copy), "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    lines = [line for line in run.stdout.splitlines() if line.startswith(("client", "fake", "cli"))]
    assert lines == ["client ('region',) ['region']", "fake 200 1", "cli 0"]
    assert '"extra":"{\\"region\\": null}"' in run.stdout  # an extra, null column

    # The same run against the committed project refuses the value (the probe is not vacuous).
    refused = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert refused.returncode == 1
    assert "group_by" in refused.stderr and "region" in refused.stderr
