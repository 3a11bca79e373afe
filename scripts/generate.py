"""Regenerate ``openai_usage_client/_generated`` from ``openapi.yaml``, deterministically.

Usage::

    python scripts/generate.py                 # write the package's generated core
    python scripts/generate.py --check         # regenerate into a temp folder; exit 1 on drift
    python scripts/generate.py --spec X --check

Why a script and not a bare ``openapi-python-client`` call:

* ``--overwrite`` leaves files of removed schemas behind, so the output folder is emptied first;
* the generator runs in a fresh temporary folder with the project's virtual environment first on
  ``PATH``, so its ruff post-hooks (run with ``--isolated``) use the pinned ruff and never an
  ambient configuration, and nothing depends on the directory the command was started from;
* the generator reports problems as warnings and still exits 0: any warning fails the run here;
* the generator always writes ``client.py`` and ``errors.py``, which the product does not use
  (templates/README.md says why): they are removed from the output;
* the endpoint table and the parameter types (``endpoints.py``, ``params.py``) are a second
  output, written from the same spec by ``scripts/_endpoint_table.py``.
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _endpoint_table import SpecError, render

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "openai_usage_client" / "_generated"
GENERATOR_VERSION = "0.29.1"
RUFF_VERSION = "0.17.5"
#: Written by the generator whatever the templates say, and used by nothing in the product.
UNUSED = ("client.py", "errors.py")
#: The same formatting as the generator's post-hooks (generator-config.yaml).
FORMAT = (
    ("check", "--isolated", "--line-length", "100", "--target-version", "py311",
     "--select", "I,F401", "--fix-only"),
    ("format", "--isolated", "--line-length", "100", "--target-version", "py311"),
)  # fmt: skip


def _tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else name


def _check_versions() -> None:
    from importlib.metadata import version

    found = {"openapi-python-client": version("openapi-python-client"), "ruff": version("ruff")}
    wanted = {"openapi-python-client": GENERATOR_VERSION, "ruff": RUFF_VERSION}
    if found != wanted:
        sys.exit(
            f"generate: pinned versions {wanted} are needed, found {found} (run `make install`)"
        )


def generate(spec: Path, config: Path, templates: Path, out: Path) -> None:
    """Generate into ``out`` (created; must not exist)."""
    _check_versions()
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("RUFF_CACHE_DIR", None)
    with tempfile.TemporaryDirectory() as work:
        dest = Path(work) / "_generated"
        proc = subprocess.run(
            [
                _tool("openapi-python-client"),
                "generate",
                "--path",
                str(spec),
                "--config",
                str(config),
                "--custom-template-path",
                str(templates),
                "--meta",
                "none",
                "--output-path",
                str(dest),
            ],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        output = proc.stdout + proc.stderr
        if proc.returncode != 0 or "warning" in output.lower() or "error" in output.lower():
            sys.exit(f"generate: openapi-python-client reported problems:\n{output}")
        for name in UNUSED:
            (dest / name).unlink()
        _write_table(spec, dest, env)
        for cache in dest.rglob(".ruff_cache"):
            shutil.rmtree(cache)
        shutil.copytree(dest, out)


def _write_table(spec: Path, dest: Path, env: dict[str, str]) -> None:
    with spec.open() as fh:
        loaded = yaml.safe_load(fh)
    try:
        files = render(loaded, dest / "models")
    except (SpecError, KeyError, TypeError, ValueError) as exc:
        sys.exit(f"generate: cannot build the endpoint table from {spec}: {exc!r}")
    for name, text in files.items():
        (dest / name).write_text(text)
    for args in FORMAT:
        subprocess.run(
            [_tool("ruff"), *args, *files], cwd=dest, env=env, check=True, capture_output=True
        )


def _diff(expected: Path, actual: Path) -> list[str]:
    lines: list[str] = []
    cmp = filecmp.dircmp(expected, actual, ignore=["__pycache__"])

    def walk(c: filecmp.dircmp[str], rel: Path) -> None:
        for name in sorted(c.left_only):
            lines.append(f"only in committed code: {rel / name}\n")
        for name in sorted(c.right_only):
            lines.append(f"missing from committed code: {rel / name}\n")
        for name in sorted(c.diff_files):
            old = (Path(c.left) / name).read_text().splitlines(keepends=True)
            new = (Path(c.right) / name).read_text().splitlines(keepends=True)
            lines.extend(
                difflib.unified_diff(
                    old, new, f"committed/{rel / name}", f"regenerated/{rel / name}"
                )
            )
        for name, sub in sorted(c.subdirs.items()):
            walk(sub, rel / name)

    walk(cmp, Path("."))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--spec", type=Path, default=ROOT / "openapi.yaml")
    parser.add_argument("--config", type=Path, default=ROOT / "generator-config.yaml")
    parser.add_argument("--templates", type=Path, default=ROOT / "templates")
    parser.add_argument("--target", type=Path, default=TARGET)
    parser.add_argument(
        "--check", action="store_true", help="fail with a diff if the target differs"
    )
    args = parser.parse_args(argv)
    spec, config, templates = (p.resolve() for p in (args.spec, args.config, args.templates))
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "_generated"
        generate(spec, config, templates, fresh)
        if args.check:
            if not args.target.exists():
                print(f"check-generated: {args.target} does not exist", file=sys.stderr)
                return 1
            diff = _diff(args.target, fresh)
            if diff:
                sys.stdout.writelines(diff)
                print(
                    "check-generated: the committed generated code differs from the spec; "
                    "run `make generate`.",
                    file=sys.stderr,
                )
                return 1
            print("check-generated: the generated code matches openapi.yaml")
            return 0
        if args.target.exists():
            shutil.rmtree(args.target)
        shutil.copytree(fresh, args.target)
        print(
            "generated",
            args.target.relative_to(ROOT) if args.target.is_relative_to(ROOT) else args.target,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
