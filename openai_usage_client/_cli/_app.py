"""The click application: global options, one command per endpoint, and ``fake-server``.

The endpoint commands are generated from ``_endpoints.ENDPOINTS``: options, choices and help
come from the same table the client checks its parameters against.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import click

from .._endpoints import ENDPOINTS, EndpointSpec
from .._resources import Costs, Usage
from .._version import __version__
from ._output import Progress, choose_format, emit, fetch_rows, output_params
from ._times import TIME_HELP, parse_time, start_of_day

if TYPE_CHECKING:
    from .. import UsageClient
    from ..testing import FakeAPI

__all__ = ["EXIT_CODES_HELP", "State", "cli"]

EXIT_CODES_HELP: Final = (
    "\b\nExit codes:\n"
    "  0  success\n"
    "  1  unexpected error (run with --debug for the traceback)\n"
    "  2  bad input: usage errors, invalid parameters, HTTP 400/422\n"
    "  3  authentication: no OPENAI_ADMIN_KEY, key refused (401) or not an admin key (403)\n"
    "  4  rate limited (429) after every retry\n"
    "  5  server or network error (5xx, other HTTP errors, connection failures, timeouts)\n"
    "  6  malformed response (invalid body, repeated pagination cursor)\n"
    "  7  check: a budget is over or forecast over"
)

#: Filters whose values may contain commas (line items read "gpt-4o, input"): repeat the
#: option instead of comma-separating.
_NO_COMMA_SPLIT: Final = frozenset({"line_items"})
_LOGGER: Final = "openai_usage_client"


class _RedactKey(logging.Filter):
    """Belt and braces: the client never logs the key, but a log line must never show it."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.key and self.key in message:
            record.msg, record.args = message.replace(self.key, "[redacted]"), ()
        return True


@dataclass
class State:
    """What the global options set, shared by every command through ``ctx.obj``."""

    fake: bool = False
    base_url: str | None = None
    timeout: float | None = None
    max_retries: int | None = None
    verbose: int = 0
    debug: bool = False
    _fake_api: FakeAPI | None = field(default=None, repr=False)
    _client: UsageClient | None = field(default=None, repr=False)

    def fake_api(self) -> FakeAPI:
        from ..testing import FakeAPI

        if self._fake_api is None:
            self._fake_api = FakeAPI(seed=0)
        return self._fake_api

    def now(self) -> datetime:
        """The fake's "now" with ``--fake`` (2026-11-01T00:00Z), else the clock, in UTC."""
        if self.fake:
            return datetime.fromtimestamp(self.fake_api().now, UTC)
        return datetime.now(UTC).replace(microsecond=0)

    def client(self) -> UsageClient:
        """The client, made on first use (so ``--help`` needs no key)."""
        if self._client is not None:
            return self._client
        import httpx

        from .. import UsageClient

        options: dict[str, Any] = {"base_url": self.base_url}
        if self.timeout is not None:
            options["timeout"] = self.timeout
        if self.max_retries is not None:
            options["max_retries"] = self.max_retries
        if self.fake:
            from ..testing import BASE_URL, DEFAULT_ADMIN_KEY

            http = httpx.Client(transport=self.fake_api().transport())
            options["base_url"] = self.base_url or BASE_URL
            self._client = UsageClient(DEFAULT_ADMIN_KEY, http_client=http, **options)
        else:
            # The key comes only from OPENAI_ADMIN_KEY: an option would put it in argv,
            # which other users of the machine can read.
            self._client = UsageClient(None, **options)
        logging.getLogger(_LOGGER).debug(
            "client: base_url=%s fake=%s", self._client.base_url, self.fake
        )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


class _Group(click.Group):
    """Accepts ``audio_speeches`` for ``audio-speeches`` (endpoint names as the API spells them)."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name.replace("_", "-"))

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        return (command.name if command else name), command, rest


def _setup_logging(ctx: click.Context, verbose: int) -> None:
    logger = logging.getLogger(_LOGGER)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_RedactKey(os.environ.get("OPENAI_ADMIN_KEY", "")))
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    httpx_logger = logging.getLogger("httpx")
    if verbose > 1:
        # httpx logs one INFO line per request (method, URL, status): no headers, no key.
        httpx_logger.addHandler(handler)

    def restore() -> None:
        # main() runs in-process in tests: leave the loggers as they were found.
        logger.removeHandler(handler)
        logger.setLevel(previous)
        httpx_logger.removeHandler(handler)

    ctx.call_on_close(restore)


@click.group(
    cls=_Group,
    epilog=EXIT_CODES_HELP,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--fake",
    is_flag=True,
    help="Use the built-in offline fake organization (no key needed; its 'now' is "
    "2026-11-01T00:00Z). Try: openai-usage --fake report",
)
@click.option(
    "--base-url",
    metavar="URL",
    help="API base URL (default: $OPENAI_BASE_URL or https://api.openai.com/v1).",
)
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), help="Seconds per request.")
@click.option("--max-retries", type=click.IntRange(min=0), help="Retries per request (default 2).")
@click.option(
    "-v", "--verbose", count=True, help="Debug logging on stderr (-vv adds httpx's request lines)."
)
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.version_option(__version__, "--version", prog_name="openai-usage")
@click.pass_context
def cli(
    ctx: click.Context,
    fake: bool,
    base_url: str | None,
    timeout: float | None,
    max_retries: int | None,
    verbose: int,
    debug: bool,
) -> None:
    """Pull your OpenAI organization's usage and costs: tables, CSV/JSON exports, a report.

    The admin key is read from the OPENAI_ADMIN_KEY environment variable only (never from an
    option: command lines are visible to other users). Add --fake to try every command
    against an offline synthetic organization.

    \b
    Examples:
      openai-usage --fake report --chart report.png
      openai-usage costs --start last-month --end this-month --group-by project_id -f csv
      openai-usage completions --start 7d --bucket-width 1h --group-by model
    """
    state = ctx.ensure_object(State)
    state.fake, state.base_url, state.timeout = fake, base_url, timeout
    state.max_retries, state.verbose, state.debug = max_retries, verbose, debug
    if verbose:
        _setup_logging(ctx, verbose)
    ctx.call_on_close(state.close)


# --- endpoint commands -----------------------------------------------------------------------


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


def _summary_of(spec: EndpointSpec) -> str:
    method = Costs.__call__ if spec.is_costs else getattr(Usage, spec.name)
    return (method.__doc__ or spec.name).strip().splitlines()[0].replace("``", "")


def _endpoint_params(spec: EndpointSpec) -> list[click.Parameter]:
    widths = spec.bucket_widths
    params: list[click.Parameter] = [
        click.Option(
            ["--start"],
            metavar="TIME",
            help=f"Start of the range (inclusive). Default: 7 days before today. {TIME_HELP}",
        ),
        click.Option(
            ["--end"],
            metavar="TIME",
            default="now",
            show_default=True,
            help="End of the range (exclusive); same forms as --start.",
        ),
        click.Option(
            ["--bucket-width"],
            type=click.Choice(widths),
            default=spec.default_bucket_width,
            show_default=True,
            help="Bucket size, aligned to UTC.",
        ),
        click.Option(
            ["--group-by"],
            metavar="FIELD[,FIELD]",
            multiple=True,
            callback=_values(spec.group_by, split=True),
            help=f"Group by any of: {', '.join(spec.group_by)} (comma-separated or repeated).",
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
    return params


def _run_endpoint(spec: EndpointSpec, **options: Any) -> None:
    ctx = click.get_current_context()
    state = ctx.find_object(State)
    assert state is not None
    now = state.now()
    start_text = options.pop("start")
    start = (
        int((start_of_day(now) - timedelta(days=7)).timestamp())
        if start_text is None
        else parse_time(start_text, now, "--start")
    )
    end = parse_time(options.pop("end"), now, "--end")
    fmt, output, quiet = options.pop("fmt"), options.pop("output"), options.pop("quiet")
    filters = {k: (list(v) if isinstance(v, tuple) else v) for k, v in options.items()}
    filters = {k: v for k, v in filters.items() if v not in (None, [])}
    client = state.client()
    # The endpoint is chosen at run time, so its typed signature cannot be checked here;
    # the client checks every parameter before sending anything.
    method = client.endpoint(spec.name)
    stream = method(start_time=start, end_time=end, **filters)
    fmt = choose_format(fmt, output, sys.stdout)
    progress = Progress.for_terminal(command_name(spec.name), quiet=quiet)
    emit(fetch_rows(stream, spec.name, progress), spec.name, fmt, output)


def _endpoint_command(spec: EndpointSpec) -> click.Command:
    def callback(**options: Any) -> None:
        _run_endpoint(spec, **options)

    summary = _summary_of(spec)
    return click.Command(
        name=command_name(spec.name),
        params=[*_endpoint_params(spec), *output_params()],
        callback=callback,
        help=f"{summary}\n\nOne row per bucket and group; grouping fields not grouped by "
        "are empty. Every time is UTC.",
        short_help=summary,
        epilog=EXIT_CODES_HELP,
    )


for _spec in ENDPOINTS.values():
    cli.add_command(_endpoint_command(_spec))


# --- fake-server -----------------------------------------------------------------------------


@cli.command("fake-server", epilog=EXIT_CODES_HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help="A loopback address only.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="0: any."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Which fake organization.")
@click.option(
    "--latency",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Seconds added to every answer.",
)
def fake_server(host: str, port: int, seed: int, latency: float) -> None:
    """Serve the offline fake API over HTTP on loopback until interrupted.

    Prints the base URL; point this tool (--base-url) or any client at it with any key
    starting with sk-admin-.
    """
    from ..testing import DEFAULT_ADMIN_KEY, FakeAPI, FakeServer

    try:
        server = FakeServer(FakeAPI(seed=seed, latency=latency), host=host, port=port)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--host") from None
    except OSError as error:
        raise click.BadParameter(f"cannot listen on {host}:{port}: {error}") from None
    with server:
        click.echo(server.base_url)
        click.echo(
            f"Serving the fake organization (seed {seed}). Try:\n"
            f"  OPENAI_ADMIN_KEY={DEFAULT_ADMIN_KEY} openai-usage --base-url "
            f"{server.base_url} report\nPress Ctrl-C to stop.",
            err=True,
        )
        sys.stdout.flush()
        stop = threading.Event()
        try:
            while not stop.wait(3600):
                pass
        except KeyboardInterrupt:
            click.echo("stopped", err=True)


def _register_report() -> None:
    from ._report import report

    cli.add_command(report)


_register_report()


def _register_directory_commands() -> None:
    # One line per command; the lead moves these into the command registry (issue 11).
    from .commands.api_keys import api_keys
    from .commands.doctor import doctor
    from .commands.projects import projects
    from .commands.users import users

    cli.add_command(projects)
    cli.add_command(api_keys)
    cli.add_command(users)
    cli.add_command(doctor)


_register_directory_commands()


def _register_store_commands() -> None:
    # Store commands (issue 13); the lead moves these into the command registry.
    from .commands import export, sync

    cli.add_command(sync.command)
    cli.add_command(export.command)


_register_store_commands()


def _register_check() -> None:
    # Spend check (issue 14); the lead moves this into the command registry.
    from .commands.check import check_command

    cli.add_command(check_command)


_register_check()
