"""``scripts/generate.py``: deterministic, matching the committed code, and able to fail."""

from __future__ import annotations

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
