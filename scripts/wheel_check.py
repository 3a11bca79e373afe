"""Build the wheel and sdist, install the wheel into a fresh venv outside the tree, import it.

Checks that the wheel is a real, typed package: it carries ``py.typed`` and the generated
subpackage, and no tests.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        dist = Path(tmp) / "dist"
        subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--sdist", "--outdir", str(dist), str(ROOT)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        wheels = list(dist.glob("*.whl"))
        sdists = list(dist.glob("*.tar.gz"))
        if len(wheels) != 1 or len(sdists) != 1:
            print(f"wheel-check: expected one wheel and one sdist, got {wheels + sdists}")
            return 1
        names = zipfile.ZipFile(wheels[0]).namelist()
        problems = []
        if "openai_usage_client/py.typed" not in names:
            problems.append("py.typed is missing")
        if "openai_usage_client/_generated/models/usage_response.py" not in names:
            problems.append("the generated subpackage is missing")
        if any(n.startswith("tests/") or "/tests/" in n for n in names):
            problems.append("tests are packaged")
        if problems:
            print("wheel-check: " + "; ".join(problems))
            return 1
        env_dir = Path(tmp) / "venv"
        venv.create(env_dir, with_pip=True)
        py = env_dir / "bin" / "python"
        subprocess.run(
            [str(py), "-m", "pip", "install", "--quiet", str(wheels[0])], check=True, cwd=tmp
        )
        code = (
            "import openai_usage_client as o, pathlib; "
            "from openai_usage_client._generated.models import UsageResponse; "
            "assert (pathlib.Path(o.__file__).parent / 'py.typed').exists(); "
            "print('wheel-check: imported', o.__name__, o.__version__)"
        )
        subprocess.run([str(py), "-c", code], check=True, cwd=tmp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
