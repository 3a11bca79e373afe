"""The package version, written here only (pyproject.toml reads it: [tool.hatch.version])."""

__version__ = "0.1.0"
