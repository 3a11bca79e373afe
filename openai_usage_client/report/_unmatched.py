"""Filter values that matched nothing: a report filtered by a model, project, key or user
that is not in the period's data says so, with the closest values it did see, instead of
showing an empty report as if nothing had been spent.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

from .._core._summarize import model_from_line_item, model_matches

if TYPE_CHECKING:
    from .._core._exports import Row

__all__ = ["FILTER_COLUMNS", "Seen", "describe_unmatched", "unmatched"]

#: The report filters and the row column each one reads.
FILTER_COLUMNS: Final = {
    "project_ids": "project_id",
    "api_key_ids": "api_key_id",
    "user_ids": "user_id",
    "models": "model",
}
_OPTION: Final = {
    "project_ids": "--project-id",
    "api_key_ids": "--api-key-id",
    "user_ids": "--user-id",
    "models": "--model",
}
_CLOSEST: Final = 5


def _value(row: Row, column: str) -> Any:
    if column == "model" and "model" not in row:
        return model_from_line_item(row.get("line_item"))
    return row.get(column)


class Seen:
    """The values of each filter's column in the rows fetched (before any local filter),
    and in the rows kept: what a filter value is checked against."""

    def __init__(self) -> None:
        self.before: dict[str, set[str]] = {c: set() for c in FILTER_COLUMNS.values()}
        self.kept: dict[str, set[str]] = {c: set() for c in FILTER_COLUMNS.values()}

    def add(self, rows: Iterable[Row], *, kept: bool) -> None:
        target = self.kept if kept else self.before
        for row in rows:
            for column, values in target.items():
                value = _value(row, column)
                if isinstance(value, str):
                    values.add(value)


def unmatched(
    filters: Mapping[str, Iterable[str]], seen: Seen, names: Any = None
) -> dict[str, dict[str, list[str]]]:
    """Per filter (``models``, ``project_ids``, ...), each value no kept row matches, with up
    to five closest values seen in the period (or, for IDs, in the directory ``names``)."""
    out: dict[str, dict[str, list[str]]] = {}
    for name, values in filters.items():
        column = FILTER_COLUMNS[name]
        kept = seen.kept[column]
        for value in values:
            if value in kept or (column == "model" and any(model_matches(m, value) for m in kept)):
                continue
            candidates = seen.before[column] | seen.kept[column] | _known(names, column)
            closest = difflib.get_close_matches(value, sorted(candidates), _CLOSEST, 0.4)
            out.setdefault(name, {})[value] = closest
    return out


def _known(names: Any, column: str) -> set[str]:
    table = {"project_id": "projects", "api_key_id": "api_keys", "user_id": "users"}.get(column)
    found = getattr(names, table, None) if table else None
    return set(found) if isinstance(found, Mapping) else set()


def describe_unmatched(found: Mapping[str, Mapping[str, list[str]]]) -> list[str]:
    """``--model gpt-4.2 (closest: gpt-4.1-2025-04-14, gpt-4o)``: one text per value."""
    out = []
    for name, values in found.items():
        for value, closest in values.items():
            hint = f" (closest: {', '.join(closest)})" if closest else " (nothing close)"
            out.append(f"{_OPTION[name]} {value}{hint}")
    return out
