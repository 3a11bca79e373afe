"""Where a data command's rows come from: the API, or a local store (``--db``); and whether
they carry names (``--names``). Used by the per-endpoint commands (``commands/endpoints.py``).

With ``--db`` the rows are the stored series' (``Store.rows``), and what the store lacks of
the period is said on stderr (``Store.coverage``): the grouping synced last for
the endpoint, or the stored one ``--group-by`` names. What the store cannot honour is refused
before anything is read (exit 2): ``--limit`` and ``--concurrency`` (no pages), a
``--bucket-width`` or ``--group-by`` no stored series has, a filter on a field the series is
not grouped by. Filters on grouped fields are applied to the stored rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._db import DB_HELP, open_store, refuse
from ._name_lookup import NAMES_HELP, lookup_names, warn
from ._options import db_param

if TYPE_CHECKING:
    from .._core._endpoints import EndpointSpec
    from ..analysis import Shape, Shaped
    from ..directory import Directory
    from ._state import State

__all__ = ["api_names", "name_shaped", "source_params", "store_directory", "store_rows"]

#: Options of a data command that are not filters of the stored rows.
_NOT_FILTERS = frozenset({"bucket_width", "group_by", "limit", "concurrency"})


def source_params() -> list[click.Parameter]:
    """``--names/--no-names`` and ``--db``, appended to every data command."""
    return [
        click.Option(["--names/--no-names"], default=False, show_default=True, help=NAMES_HELP),
        db_param(
            DB_HELP + " Rows are the stored series' (its grouping) unless --group-by picks "
            "another stored one; --limit and --concurrency do not apply."
        ),
    ]


def api_names(state: State) -> Directory:
    """The names for ``--names`` from the API; empty (columns kept, values empty) when the key
    may not read the directory (one warning)."""
    from ..directory import Directory

    directory, _ = lookup_names(state)
    return directory if directory is not None else Directory()


def _column(filter_name: str) -> str:
    return filter_name if filter_name == "batch" else filter_name.removesuffix("s")


def _option(filter_name: str) -> str:
    return "--" + _column(filter_name).replace("_", "-")


def store_rows(
    spec: EndpointSpec,
    db: Path,
    start: int,
    end: int,
    options: dict[str, Any],
    given: set[str],
    names: bool,
    now: int,
) -> tuple[Iterator[dict[str, Any]], Directory | None, list[str]]:
    """The stored rows of ``[start, end)`` (lazily; the store closes when they are read),
    the store's names for ``--names`` and the series' grouping. ``options``: the command's
    API options (bucket_width, group_by, limit, concurrency and filters); ``given``: those
    set on the command line. What the store lacks of the period, and what may still change,
    is said on stderr first (``Missing: ...``, ``Provisional: ...``): stdout keeps the data."""
    for name in ("limit", "concurrency"):
        if options.get(name) is not None:
            refuse(f"--{name}", "the store is read locally, there are no pages to fetch")
    store = open_store(db)
    try:
        width, group_by = _series(store, spec, options, given)
        held = store.coverage(spec.name, start, end, now=now, bucket_width=width, group_by=group_by)
        for line in held.lines():
            warn(line)
        # The endpoint's filters, and those the CLI adds (--user-id on costs, filtered here).
        filters = {
            k: v for k, v in options.items() if k not in _NOT_FILTERS and v not in (None, [], ())
        }
        for name in filters:
            if _column(name) not in group_by:
                refuse(
                    _option(name),
                    f"the stored {spec.name} are not grouped by {_column(name)} "
                    f"(grouped by {', '.join(group_by) or 'nothing'})",
                )
        directory = None
        if names:
            from ..directory import Directory

            directory = store.directory()
            if not len(directory):
                warn("names skipped: the store holds no names (sync with --names)")
                directory = Directory()
    except BaseException:
        store.close()
        raise

    asked = [g for g in group_by if g in set(options.get("group_by") or group_by)]

    def rows() -> Iterator[dict[str, Any]]:
        try:
            kept = (
                row
                for row in store.rows(
                    spec.name, start, end, names=False, bucket_width=width, group_by=group_by,
                    provisional=True,
                )
                if all(_keep(row[_column(k)], v, _column(k)) for k, v in filters.items())
            )  # fmt: skip
            if asked == group_by:
                yield from kept
            else:
                from ..store import regroup

                yield from regroup(kept, spec.name, asked)
        finally:
            store.close()

    return rows(), directory, asked


def _keep(value: Any, wanted: Any, column: str) -> bool:
    from .._core._summarize import model_matches

    if isinstance(wanted, bool):
        return value is wanted
    if column == "model":  # the name or a dated snapshot of it, as the API path matches
        return any(model_matches(value, w) for w in wanted)
    return value in wanted


def _series(
    store: Any, spec: EndpointSpec, options: dict[str, Any], given: set[str]
) -> tuple[str, list[str]]:
    """The stored series to read: the one synced last, or the one the options name."""
    stored = [(s.bucket_width, list(s.group_by), s.last_run) for s in store.series(spec.name)]
    if not stored:
        refuse("--db", f"{store.path} holds no {spec.name}: sync it with --endpoint {spec.name}")
    described = "; ".join(f"{w} by {', '.join(g) or 'nothing'}" for w, g, _ in stored)
    candidates = stored
    if "bucket_width" in given:
        candidates = [s for s in candidates if s[0] == options["bucket_width"]]
        if not candidates:
            refuse("--bucket-width", f"the store holds {spec.name} as: {described}")
    if options.get("group_by"):
        wanted = set(options["group_by"])
        # The same grouping, else the finest one that has every asked field: its rows are
        # summed to the asked grouping (what the API would have summed).
        exact = [c for c in candidates if set(c[1]) == wanted]
        finer = sorted((c for c in candidates if wanted < set(c[1])), key=lambda c: len(c[1]))
        candidates = exact or finer
        if not candidates:
            from ..store import default_group_by

            held = {g for _, grouping, _ in stored for g in grouping}
            lacking = ", ".join(sorted(wanted - held)) or "that combination"
            refuse(
                "--group-by",
                f"the store holds {spec.name} as: {described}; it has no {lacking}: sync "
                f"--endpoint {spec.name} keeps {spec.name} by "
                f"{', '.join(default_group_by(spec.name))}",
            )
    width, group_by, _ = candidates[0]
    return width, group_by


def store_directory(db: Path) -> Directory:
    """The names a store keeps (``--project NAME`` with ``--db``: no request)."""
    with open_store(db) as store:
        return store.directory()


def _named_pivot(result: Shaped, directory: Directory, pivot: str, endpoint: str) -> Shaped:
    """A pivot by project, API key or user with names where the IDs were (``--names``): the
    labels the report uses (archived and deleted marked, an ID beside a repeated name)."""
    from ..analysis import parse_pivot
    from ..report import NAMED_COLUMNS, labels

    row, column = parse_pivot(pivot, endpoint)
    if row in NAMED_COLUMNS:
        shown = labels(directory, row, [r.get(row) for r in result.rows], "(none)")
        for r, text in zip(result.rows, shown, strict=True):
            r[row] = text
    if column in NAMED_COLUMNS:
        keys = [c for c in result.columns if c not in (row, "total")]
        renamed = dict(zip(keys, labels(directory, column, keys, "(none)"), strict=True))
        result.rows = [{renamed.get(k, k): v for k, v in r.items()} for r in result.rows]
        result.columns = [renamed.get(c, c) for c in result.columns]
        result.available = [renamed.get(c, c) for c in result.available]
        result.money = [renamed.get(c, c) for c in result.money]
    return result


def name_shaped(shape: Shape, directory: Directory | None, *args: Any) -> Shaped:
    """``shape.apply(*args)`` with the name columns after the ID columns (``--names``) of the
    rows, totals or periods it makes; ``--columns`` may pick them. A pivot's cells are
    totals across IDs: it is left as it is."""
    from dataclasses import replace

    from .._core._names import names_of, with_name_columns
    from .._core._table import pick_columns

    if directory is None:
        return shape.apply(*args)
    if shape.pivot is not None:
        return _named_pivot(shape.apply(*args), directory, shape.pivot, args[0])
    result = replace(shape, columns=None).apply(*args)
    for row in result.rows:
        row.update(names_of(row, directory))
    result.available = with_name_columns(result.available)
    if shape.columns is not None:
        result.columns = pick_columns(shape.columns, result.available)
    else:
        result.columns = with_name_columns(result.columns)
    return result
