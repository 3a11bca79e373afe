"""How a report names what it totals: project, key and user names instead of bare IDs.

``labels(report, column, values)`` gives one display label per value of an ID column
(``project_id``, ``api_key_id``, ``user_id``), from the report's ``names`` (a ``Directory``,
or anything with its ``project``/``api_key``/``user`` look-ups):

- a known ID shows its name; where two IDs of the list share a name, the ID follows it in
  brackets, so every line stays told apart;
- an archived project is marked ``(archived)``; a record the directory kept although no list
  returns it any more (``Directory.merge``) is marked ``(deleted)``;
- an API key ID the directory does not know at all (no list returns it, and no older
  directory named it) shows its ID marked ``(deleted: not listed)``: ``client.directory()``
  lists every project's keys, archived projects included (an archived project whose key list
  the API refuses is the one case where a live key can read so);
- without names (``--no-names``, or a key that may not read the directory) the ID is shown.

``label_fields`` gives the same labels with the name and the marks as separate fields, for
the report's JSON document.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, Final

from .._core._text import visible

__all__ = [
    "NAMED_COLUMNS",
    "UNLISTED_KEY",
    "label_fields",
    "label_of",
    "labels",
    "labels_by_organization",
]

#: The ID columns a report can name.
NAMED_COLUMNS: Final = ("project_id", "api_key_id", "user_id")
_LOOKUP: Final = {"project_id": "project", "api_key_id": "api_key", "user_id": "user"}
UNLISTED_KEY: Final = "deleted: not listed"


def _record(names: Any, column: str, value: str) -> Any:
    return getattr(names, _LOOKUP[column])(value)


def _name(column: str, record: Any) -> str | None:
    if record is None:
        return None
    name = getattr(record, "name", None)
    if not name and column == "user_id":
        name = getattr(record, "email", None)
    return str(name) if name else None


def _marks(column: str, record: Any) -> list[str]:
    if record is None:
        return [UNLISTED_KEY] if column == "api_key_id" else []
    marks = []
    if column == "project_id" and getattr(record, "archived", False):
        marks.append("archived")
    if getattr(record, "deleted", False):
        marks.append("deleted")
    return marks


def labels(names: Any, column: str, values: Sequence[Any], missing: str) -> list[str]:
    """Display labels for ``values`` of ``column`` (see the module docstring); ``None``
    values read ``missing``. ``names=None`` labels with the IDs themselves."""
    if names is None or column not in _LOOKUP:
        return [missing if v is None else visible(str(v)) for v in values]
    records = [None if v is None else _record(names, column, str(v)) for v in values]
    found = [_name(column, r) for r in records]
    repeated = Counter(n for n in found if n is not None)
    out = []
    for value, record, name in zip(values, records, found, strict=True):
        if value is None:
            out.append(missing)
            continue
        text = str(value) if name is None else name
        if name is not None and repeated[name] > 1:
            text += f" [{value}]"
        marks = _marks(column, record)
        # A name is anyone's to set: shown as one line of plain text, never a command.
        out.append(visible(text) + (f" ({', '.join(marks)})" if marks else ""))
    return out


def label_of(names: Any, column: str, value: Any, missing: str) -> str:
    """The label of one value, on its own (no repeated-name check)."""
    return labels(names, column, [value], missing)[0]


def label_fields(
    names: Any, column: str, values: Sequence[Any], missing: str
) -> list[dict[str, Any]]:
    """Per value of an ID column: ``name`` (the directory's, else ``None``), ``label`` (as
    ``labels`` gives it, so as the text report shows it), ``archived`` (projects only) and
    ``deleted`` (``True`` for a record no list returns any more, and for an API key the
    directory does not know at all). The flags are ``None`` when nothing can be said: no
    names, or no ID."""
    shown = labels(names, column, values, missing)
    out = []
    for value, label in zip(values, shown, strict=True):
        known = names is not None and value is not None and column in _LOOKUP
        record = _record(names, column, str(value)) if known else None
        fields: dict[str, Any] = {"name": _name(column, record), "label": label}
        marks = _marks(column, record) if known else []
        if column == "project_id":
            fields["archived"] = "archived" in marks if known else None
        fields["deleted"] = any(m.startswith("deleted") for m in marks) if known else None
        out.append(fields)
    return out


def labels_by_organization(names: Any, column: str, rows: Sequence[Any], missing: str) -> list[str]:
    """``labels`` of ``rows[i][column]``; rows of a report over several organizations carry
    ``organization``: each one's labels are made among its own rows (a name two
    organizations share needs no ID beside it) and start with ``prod: ``."""
    if not any(r.get("organization") for r in rows):
        return labels(names, column, [r[column] for r in rows], missing)
    out = [""] * len(rows)
    groups: dict[Any, list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault(r.get("organization"), []).append(i)
    for org, indices in groups.items():
        texts = labels(names, column, [rows[i][column] for i in indices], missing)
        for i, text in zip(indices, texts, strict=True):
            out[i] = f"{org}: {text}" if org else text
    return out
