"""One command per endpoint (``costs``, ``completions``, ...), made from the endpoint table.

Options, choices and help come from the same table the client checks its parameters against,
and each command calls its endpoint through ``client.endpoint(name)``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any, Final

import click
from click.core import ParameterSource

from ..._core._endpoints import ENDPOINTS, EndpointSpec
from ..._core._periods import local_midnight
from ..._core._time import from_unix
from .._analysis_options import analysis_params, shape_from, write_shaped
from .._data_source import (
    ALLOCATED_GROUP,
    ALLOCATED_WIDTH,
    allocated_costs,
    api_names,
    name_shaped,
    source_params,
    store_rows,
    wants_allocation,
)
from .._db import open_store
from .._help import COMMAND_EPILOG
from .._name_lookup import project_ids_named
from .._options import end_param, start_param
from .._output import (
    LOTS_OF_REQUESTS,
    Progress,
    check_output,
    choose_format,
    emit,
    fetch_rows,
    output_params,
    requests_needed,
    write_atomically,
)
from .._state import state_of
from .._times import TIME_HELP_TZ, check_range, future_warning, iso, parse_time

__all__ = ["command_name", "commands"]

#: Filters whose values may contain commas (line items read "gpt-4o, input"): repeat the
#: option instead of comma-separating.
_NO_COMMA_SPLIT: Final = frozenset({"line_items"})
_DEFAULT_DAYS: Final = 7


def command_name(endpoint: str) -> str:
    return endpoint.replace("_", "-")


def _option_name(filter_name: str) -> str:
    """``project_ids`` -> ``--project-id``: one value per use, like the API's array items."""
    singular = filter_name[:-1] if filter_name.endswith("s") else filter_name
    return "--" + singular.replace("_", "-")


def _values(
    choices: Sequence[str] | None, split: bool
) -> Callable[[click.Context, click.Parameter, tuple[str, ...]], tuple[str, ...]]:
    def callback(
        ctx: click.Context, param: click.Parameter, given: tuple[str, ...]
    ) -> tuple[str, ...]:
        items = [p.strip() for v in given for p in (v.split(",") if split else [v])]
        items = [p for p in items if p]
        for item in items:
            if choices is not None and item not in choices:
                raise click.BadParameter(f"{item!r} is not one of: {', '.join(choices)}")
        return tuple(dict.fromkeys(items))

    return callback


def summary_of(spec: EndpointSpec) -> str:
    """The endpoint's one-line help, from the table (the spec's ``summary``/``description``)."""
    text = spec.summary or spec.description or spec.name
    return text.strip().splitlines()[0].replace("``", "")


def _endpoint_params(spec: EndpointSpec) -> list[click.Parameter]:
    return [*_range_params(spec), *_filter_params(spec)]


def _range_params(spec: EndpointSpec) -> list[click.Parameter]:
    """The range, bucketing, grouping and paging options of an endpoint."""
    widths = spec.bucket_widths
    groups = spec.group_by
    allocated = ""
    if spec.is_costs:  # hours and models: billed spend allocated from a store's usage
        widths, groups = (*widths, ALLOCATED_WIDTH), (*groups, ALLOCATED_GROUP)
        allocated = (
            f" Costs by {ALLOCATED_WIDTH} or by {ALLOCATED_GROUP} (or by a key or user the "
            "store's costs lack) need --db: billed spend allocated from the store's usage, "
            "each row with its basis."
        )
    return [
        start_param(
            f"Start of the range (inclusive). Default: 7 days before today. {TIME_HELP_TZ}", "TIME"
        ),
        end_param("End of the range (exclusive); same forms as --start.", "TIME", "now"),
        click.Option(
            ["--bucket-width"],
            type=click.Choice(widths),
            default=spec.default_bucket_width,
            show_default=True,
            help="Bucket size, aligned to UTC. With --by or a period --pivot: chosen to fit "
            "the --tz zone's periods unless given.",
        ),
        click.Option(
            ["--group-by"],
            metavar="FIELD[,FIELD]",
            multiple=True,
            callback=_values(groups, split=True),
            help=f"Group by any of: {', '.join(groups)} (comma-separated or repeated)." + allocated,
        ),
        click.Option(
            ["--limit"],
            type=click.IntRange(min=1),
            help="Buckets per page: "
            + ", ".join(f"up to {b.maximum} at {w}" for w, b in spec.limits.items())
            + " (default: the maximum).",
        ),
        click.Option(
            ["--concurrency"],
            type=click.IntRange(1, 64),
            help="Pages fetched at once for long ranges (default 4).",
        ),
    ]


def _filter_params(spec: EndpointSpec) -> list[click.Parameter]:
    """An option per filter of the endpoint, plus --project NAME and costs' --user-id."""
    params: list[click.Parameter] = []
    for name, filt in spec.filters.items():
        option = _option_name(name)
        if filt.kind == "bool":
            flag = option.removeprefix("--")
            params.append(
                click.Option(
                    [f"{option}/--no-{flag}", name],
                    default=None,
                    help=f"Only {flag} (or, with --no-{flag}, only non-{flag}) usage.",
                )
            )
            continue
        split = name not in _NO_COMMA_SPLIT
        choices = f" One of: {', '.join(filt.choices)}." if filt.choices else ""
        how = "repeatable, or comma-separated" if split else "repeatable"
        params.append(
            click.Option(
                [option, name],
                metavar="VALUE",
                multiple=True,
                callback=_values(filt.choices, split),
                help=f"Only this {option.removeprefix('--').replace('-', ' ')} ({how}).{choices}",
            )
        )
    if "project_ids" in spec.filters:
        params.append(
            click.Option(
                ["--project", "project_names"],
                metavar="NAME",
                multiple=True,
                help="Only the project called NAME (repeatable; read from the projects list, "
                "so the key needs read access to it). Adds to --project-id.",
            )
        )
    if spec.is_costs:
        params.append(
            click.Option(
                ["--user-id", "user_ids"],
                metavar="VALUE",
                multiple=True,
                callback=_values(None, True),
                help="Only this user (repeatable, or comma-separated). Filtered client-side: "
                "the costs API has no user filter, so costs are grouped by user_id and the rows "
                "filtered here.",
            )
        )
    return params


def _days_before_today(now: datetime, tz: tzinfo) -> int:
    """The default start: local midnight ``_DEFAULT_DAYS`` days before today."""
    day = now.astimezone(tz).date() - timedelta(days=_DEFAULT_DAYS)
    return int(local_midnight(day, tz).timestamp())


def _from_api(
    state: Any,
    spec: EndpointSpec,
    params: dict[str, Any],
    span: tuple[int, int],
    quiet: bool,
    want_names: bool,
) -> tuple[Any, Any, list[str]]:
    """The rows from the API (a long fetch announced, with a countdown), the names if
    wanted, and the grouping asked for."""
    start, end = span
    name = command_name(spec.name)
    # The client checks every parameter before sending anything.
    stream = state.client().endpoint(spec.name)(**params)
    query = stream.query
    needed = requests_needed(query.start_time, end, query.width_seconds, query.limit)
    total: int | None = needed
    if needed <= LOTS_OF_REQUESTS:
        total = None  # a short fetch: no announcement, no countdown
    elif not quiet:
        click.echo(
            f"openai-usage: {name}: {iso(start)} to {iso(end)} needs {total} requests "
            f"(buckets of {query.bucket_width}, {query.limit} a request); Ctrl-C stops",
            err=True,
        )
    progress = Progress.for_terminal(name, quiet=quiet, total=total)
    directory = api_names(state) if want_names else None
    items = fetch_rows(stream, spec.name, progress)
    return items, directory, list(params.get("group_by") or [])


def _run(spec: EndpointSpec, **options: Any) -> None:
    ctx = click.get_current_context()
    state = state_of(ctx)
    now = state.now(api=options.get("db") is None)
    shape = shape_from(options)
    tz = shape.tz
    start_text, end_text = options.pop("start"), options.pop("end")
    given_end = ctx.get_parameter_source("end") is not click.core.ParameterSource.DEFAULT
    if ctx.get_parameter_source("bucket_width") is click.core.ParameterSource.DEFAULT:
        options["bucket_width"] = None  # not chosen: --by picks one, else the API's default
    start = (
        _days_before_today(now, tz)
        if start_text is None
        else parse_time(start_text, now, "--start", tz)
    )
    end = parse_time(end_text, now, "--end", tz)
    check_range(
        (start_text, start),
        (end_text if given_end else None, end),
        now,
        defaults=("default: 7 days before today", "default: now"),
        note=state.range_note(),
    )
    want_names, db = options.pop("names", False), options.pop("db", None)
    fmt, output, quiet = options.pop("fmt"), options.pop("output"), options.pop("quiet")
    check_output(output)
    fmt = choose_format(fmt, output, sys.stdout)
    names = options.pop("project_names", ())
    filters = {k: (list(v) if isinstance(v, tuple) else v) for k, v in options.items()}
    filters = {k: v for k, v in filters.items() if v not in (None, [])}
    store = ctx.with_resource(open_store(db)) if db is not None else None  # one open
    if names:
        # With --db the store's names: no request.
        known = store.directory() if store is not None else state.client().directory()
        named = project_ids_named(known, names)
        filters["project_ids"] = list(dict.fromkeys([*filters.get("project_ids", []), *named]))
        options["project_ids"] = tuple(filters["project_ids"])
    if spec.is_costs and wants_allocation(options, store):
        write_atomically(
            output, allocated_costs(store, (start, end), options, shape, fmt, int(now.timestamp()))
        )
        return
    params = shape.request(spec.name, {"start_time": start, "end_time": end, **filters})
    # After the request: a filter applied here (shape._local) reshapes the rows.
    shaped = fmt == "table" or shape.reshapes()
    if shaped and fmt == "parquet":
        raise click.BadParameter(
            "parquet holds the rows as fetched: not with --totals, --by, --pivot, --columns, "
            "--money-decimals or --user-id; use csv or json",
            param_hint="--format",
        )
    warning = future_warning(start, end, now, state.clock_name())
    if warning:
        click.echo(f"openai-usage: warning: {warning}", err=True)
    if store is not None:  # a local store instead of the API (_data_source)
        given = {p for p in options if ctx.get_parameter_source(p) is not ParameterSource.DEFAULT}
        span = (params["start_time"], params.get("end_time") or end)
        items, directory, grouping = store_rows(
            spec, store, span, options, given, want_names, int(now.timestamp())
        )
    else:
        items, directory, grouping = _from_api(state, spec, params, (start, end), quiet, want_names)
    if not shaped:
        emit(items, spec.name, fmt, output, names=directory)
        return
    try:
        result = name_shaped(
            shape, directory,
            spec.name, items, from_unix(start), from_unix(end), grouping,
        )  # fmt: skip
    except ValueError as error:  # a bucket across a period, several currencies
        raise click.UsageError(str(error)) from None
    if fmt != "table" and shape.columns is None:
        result.columns = list(result.available)  # programs get every column
    write_atomically(output, lambda handle: write_shaped(result, fmt, handle, shape))


def _command(spec: EndpointSpec) -> click.Command:
    def callback(**options: Any) -> None:
        _run(spec, **options)

    summary = summary_of(spec)
    return click.Command(
        name=command_name(spec.name),
        params=[
            *_endpoint_params(spec),
            *analysis_params(spec),
            *output_params(),
            *source_params(),
        ],
        callback=callback,
        help=f"{summary}\n\nOne row per bucket and group; grouping fields not grouped by "
        "are empty. Times are read and shown in --tz (default UTC); buckets are UTC-aligned.",
        short_help=summary,
        epilog=COMMAND_EPILOG,
    )


def commands() -> list[click.Command]:
    """One command per endpoint of the table, in its order."""
    return [_command(spec) for spec in ENDPOINTS.values()]
