"""Where a data command's rows come from: the API, or a local store (``--db``); and whether
they carry names (``--names``). Used by the per-endpoint commands (``commands/endpoints.py``).

With ``--db`` the rows are ``Store.select``'s: the series the store's one rule picks for the
asked width and grouping, filtered and summed in the store; what the store lacks of the
period is said on stderr (``Store.coverage``). What the store cannot honour is refused
before anything is read (exit 2): ``--limit`` and ``--concurrency`` (no pages) here, a
width, grouping or filter no stored series has by the store (``NotStoredError``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any, Final

import click

from ._db import DB_HELP, refuse
from ._name_lookup import NAMES_HELP, lookup_names, warn
from ._options import db_param

if TYPE_CHECKING:
    from .._core._endpoints import EndpointSpec
    from ..analysis import Shape, Shaped
    from ..directory import Directory
    from ..store import Store
    from ._state import State

__all__ = [
    "allocated_costs",
    "api_names",
    "name_shaped",
    "source_params",
    "store_rows",
    "wants_allocation",
]

#: What a costs command asks for that only allocation from usage can answer.
ALLOCATED_WIDTH = "1h"
ALLOCATED_GROUP = "model"

#: Options of a data command that are not filters of the stored rows.
_NOT_FILTERS = frozenset({"bucket_width", "group_by", "limit", "concurrency"})


def source_params() -> list[click.Parameter]:
    """``--names/--no-names`` and ``--db``, appended to every data command."""
    return [
        click.Option(["--names/--no-names"], default=False, show_default=True, help=NAMES_HELP),
        db_param(
            DB_HELP + " The same command answers as from the API: without --group-by the "
            "stored rows are summed to one per bucket (the API's default), with it to that "
            "grouping; --limit and --concurrency do not apply."
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
    store: Store,
    span: tuple[int, int],
    options: dict[str, Any],
    given: set[str],
    names: bool,
    now: int,
) -> tuple[Iterator[dict[str, Any]], Directory | None, list[str]]:
    """``Store.select`` of the command's options (bucket_width, group_by, limit, concurrency
    and filters; ``given``: those set on the command line): the rows, lazily, the store's
    names for ``--names`` and the rows' grouping. What the store lacks of the period, and
    what may still change, is said on stderr first (``Missing: ...``, ``Provisional: ...``):
    stdout keeps the data."""
    from ..store import NotStoredError

    for name in ("limit", "concurrency"):
        if options.get(name) is not None:
            refuse(f"--{name}", "the store is read locally, there are no pages to fetch")
    # The endpoint's filters, and those the CLI adds (--user-id on costs, filtered here).
    where = {_column(k): v for k, v in options.items() if k not in _NOT_FILTERS}
    width = options["bucket_width"] if "bucket_width" in given else None
    try:
        chosen = store.select(
            spec.name, *span, bucket_width=width, group_by=options.get("group_by") or [],
            where=where,
        )  # fmt: skip
    except NotStoredError as error:
        option = "--db" if error.param == "endpoint" else "--" + error.param.replace("_", "-")
        refuse(option, error.allowed)
    series = chosen.series
    held = store.coverage(spec.name, *span, now=now, bucket_width=series.bucket_width,
                          group_by=series.group_by)  # fmt: skip
    for line in held.lines():
        warn(line)
    directory = None
    if names:
        directory = store.directory()
        if not len(directory):
            from ..directory import Directory

            warn("names skipped: the store holds no names (sync with --names)")
            directory = Directory()
    return chosen.rows, directory, chosen.group_by


#: What a row without the ID is called, as the report calls it.
_NONE: Final = {"project_id": "(no project)", "api_key_id": "(no key)", "user_id": "(no user)"}


def _named_pivot(result: Shaped, directory: Directory, pivot: str, endpoint: str) -> Shaped:
    """A pivot by project, API key or user with names where the IDs were (``--names``): the
    labels the report uses (archived and deleted marked, an ID beside a repeated name)."""
    from ..analysis import label, parse_pivot
    from ..report import NAMED_COLUMNS, labels

    row, column = parse_pivot(pivot, endpoint)
    # The pivot writes a missing ID as "(none)": here it is no ID, labelled as the report
    # labels it ("(no key)"), never looked up as a key the directory lacks.
    unset = label(None)

    def named(col: str, values: list[Any]) -> list[str]:
        ids = [None if v == unset else v for v in values]
        return labels(directory, col, ids, _NONE.get(col, unset))

    if row in NAMED_COLUMNS:
        shown = named(row, [r.get(row) for r in result.rows])
        for r, text in zip(result.rows, shown, strict=True):
            r[row] = text
    if column in NAMED_COLUMNS:
        keys = [c for c in result.columns if c not in (row, "total")]
        renamed = dict(zip(keys, named(column, keys), strict=True))
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


def wants_allocation(options: dict[str, Any], store: Store | None) -> bool:
    """Whether a costs command asks what the Costs API cannot say (hours, models), or keys
    and users that the store's costs lack (the organization refused them)."""
    by = set(options.get("group_by") or ())
    asked = options.get("bucket_width") == ALLOCATED_WIDTH or ALLOCATED_GROUP in by
    who = sorted(by & {"api_key_id", "user_id"})
    lacking = bool(who) and store is not None and not store.series("costs", who)
    return asked or lacking


def allocated_costs(
    store: Store | None,
    span: tuple[int, int],
    options: dict[str, Any],
    shape: Shape,
    fmt: str,
    now: int,
) -> Callable[[IO[str]], int]:
    """``costs --db`` by hour, model, key or user where the billed costs cannot say it: the
    store's costs allocated from its usage (``attribution``), every row with its ``basis``;
    what writes them to a handle (``write_atomically``). Refused before anything is read:
    without ``--db``, with a reshaping option, as Parquet."""
    from .._core._table import write_csv, write_json, write_jsonl
    from .._core._time import iso
    from ..analysis import Shaped
    from ..attribution import GROUPABLE, allocate_costs
    from ._analysis_options import write_shaped

    why = "hours and models are allocated from usage in a store"
    if store is None:
        hourly = options.get("bucket_width") == ALLOCATED_WIDTH
        value = ALLOCATED_WIDTH if hourly else ALLOCATED_GROUP
        raise click.BadParameter(
            f"{value!r}: the Costs API bills by day, project and line item: {why} (add --db)",
            param_hint="--bucket-width" if hourly else "--group-by",
        )
    reshaping = (
        ("--totals", shape.totals),
        ("--by", shape.by is not None),
        ("--pivot", shape.pivot is not None),
        ("--format", fmt == "parquet"),
    )
    given = [option for option, on in reshaping if on]
    if given:
        raise click.BadParameter(
            "not with costs allocated from usage (by hour, by model, or by a key or user the "
            "store's costs lack): they come one row per bucket and group, as csv, json, "
            "jsonl or a table",
            param_hint=given[0],
        )
    where = {
        _column(k): list(v) for k, v in options.items()
        if k not in _NOT_FILTERS and v not in (None, [], ())
    }  # fmt: skip
    for column in where:
        if column not in GROUPABLE:
            refuse(_option(column + "s"), f"{why}; it filters by {', '.join(GROUPABLE)}")
    width = options.get("bucket_width") or "1d"
    by = list(options.get("group_by") or ())
    found = allocate_costs(store, *span, bucket_width=width)
    for line in store.coverage("costs", found.start, found.end, now=now).lines():
        warn(line)
    columns = ["start_time", "end_time", *by, "amount_value", "amount_currency", "basis",
               "unallocated", "provisional"]  # fmt: skip
    title = (
        f"costs: {iso(found.start)} to {iso(found.end)} UTC, {width} by "
        f"{', '.join(by) or 'nothing'}: billed spend, allocated from usage where it says more"
    )
    rows = found.grouped(by, where)

    def write(handle: IO[str]) -> int:
        if fmt == "table":  # a table is laid out from all its rows: it is read whole
            every = list(rows)
            currency = next((r["amount_currency"] for r in every if r["amount_currency"]), "usd")
            table = Shaped(every, columns, ["amount_value"], title, list(found.notes), columns,
                           currency)  # fmt: skip
            return write_shaped(table, fmt, handle, shape)
        for note in found.notes:
            click.echo(f"note: {note}", err=True)
        # Streamed a day at a time: a large organization's hours are never held at once.
        writer = {"csv": write_csv, "json": write_json, "jsonl": write_jsonl}[fmt]
        return writer(rows, columns, handle)

    return write
