"""What the global options set, and the options themselves.

The global options (``--fake``, ``--fake-now``, ``--base-url``, ``--timeout``,
``--max-retries``, ``-v``, ``--debug``) are declared once here and attached both to the group
and to every command (``global_params()``), so ``openai-usage --fake costs`` and
``openai-usage costs --fake`` mean the same. Each sets ``State`` through a callback; a value
given after the command wins over one given before it.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import click

from ._times import TIME_HELP, iso, parse_time

if TYPE_CHECKING:
    from .._client import UsageClient
    from ..directory import Directory
    from ..testing import FakeAPI

__all__ = ["State", "global_params", "state_of"]

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
    #: ``--fake-now``: the fake's clock (Unix seconds), else the fake's default.
    fake_now: int | None = None
    #: ``--fake-discrepancies``: the fake bills a few lines wrong on purpose.
    fake_discrepancies: bool = False
    #: ``--fake-size``: the fake organization this many times larger (1: the seeded one).
    fake_size: int = 1
    #: ``--raw-csv``: CSV text cells as they came, formula starts included.
    raw_csv: bool = False
    base_url: str | None = None
    timeout: float | None = None
    max_retries: int | None = None
    verbose: int = 0
    debug: bool = False
    _fake_api: FakeAPI | None = field(default=None, repr=False)
    _client: UsageClient | None = field(default=None, repr=False)
    #: Other fake organizations' clients, by seed (``client(seed=...)``).
    _others: dict[int, UsageClient] = field(default_factory=dict, repr=False)
    _logging: bool = field(default=False, repr=False)
    #: The server's clock, read once (``now(api=True)``).
    _api_now: int | None = field(default=None, repr=False)

    def fake_api(self) -> FakeAPI:
        from ..testing import DEFAULT_NOW, FakeAPI

        if self._fake_api is None:
            now = DEFAULT_NOW if self.fake_now is None else self.fake_now
            self._fake_api = FakeAPI(
                seed=0, size=self.fake_size, now=now, discrepancies=self.fake_discrepancies
            )
        return self._fake_api

    def with_saved_names(self, found: Directory) -> Directory:
        """``found`` (the directory the client fetched) with the names a user kept from
        before keys were deleted (``Directory.save``/``merge``): for ``--fake``, the copy its
        organization saved; a real organization's reads get what the API lists."""
        if not self.fake:
            return found
        return found.merge(self.fake_api().directory.saved_before_deletion())

    def now(self, *, api: bool = False) -> datetime:
        """The fake's "now" with ``--fake`` (2026-11-01T00:00Z unless --fake-now), else the
        clock, in UTC. ``api=True`` (a command that reads the API): a server other than
        OpenAI's is asked (its ``Date``), as ``sync`` does: a fake server's clock may be
        fixed in the past, and a report's default period is measured from it."""
        if self.fake_now is not None and not self.fake:
            raise click.UsageError("--fake-now applies only with --fake")
        if self.fake_discrepancies and not self.fake:
            raise click.UsageError("--fake-discrepancies applies only with --fake")
        if self.fake_size != 1 and not self.fake:
            raise click.UsageError("--fake-size applies only with --fake")
        if self.fake:
            return datetime.fromtimestamp(self.fake_api().now, UTC)
        if api and self._api_now is None and not _official(self.client().base_url):
            self._api_now = self.client().server_now()
        if api and self._api_now is not None:
            return datetime.fromtimestamp(self._api_now, UTC)
        return datetime.now(UTC).replace(microsecond=0)

    def clock_name(self) -> str:
        """How to say where "now" comes from, in messages."""
        if not self.fake:
            return "now"
        when = iso(int(self.now().timestamp()))
        how = "--fake-now" if self.fake_now is not None else "set it with --fake-now"
        return f"the fake's clock, {when} ({how})"

    def range_note(self) -> str:
        """Ends a time error: with ``--fake`` at its default clock, how to move it."""
        if not self.fake or self.fake_now is not None:
            return ""
        return "; with --fake, now is the fake's fixed clock: move it with --fake-now"

    def source(self) -> str:
        if self.fake:
            return "offline fake organization (--fake, seed 0)"
        return self.client().base_url

    def client(self, seed: int = 0) -> UsageClient:
        """The one factory of the commands' clients, made on first use (so ``--help`` needs
        no key): the API's, or with ``--fake`` the offline fake's. ``seed`` (``--fake``
        only): another fake organization on the same clock (a spend config's second one)."""
        if seed:
            return self._other_fake(seed)
        if self._client is not None:
            return self._client
        import httpx

        from .._client import UsageClient

        self.now()  # refuses --fake-now without --fake
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

    def _other_fake(self, seed: int) -> UsageClient:
        import httpx

        from .._client import UsageClient
        from ..testing import BASE_URL, DEFAULT_ADMIN_KEY, FakeAPI

        if seed not in self._others:
            fake = FakeAPI(seed=seed, size=self.fake_size, now=self.fake_api().now)
            http = httpx.Client(transport=fake.transport())
            self._others[seed] = UsageClient(DEFAULT_ADMIN_KEY, base_url=BASE_URL, http_client=http)
        return self._others[seed]

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        for other in self._others.values():
            other.close()
        self._others.clear()

    def start_logging(self, ctx: click.Context) -> None:
        """Debug logging on stderr for this run (once, however many ``-v`` were given)."""
        if self._logging:
            return
        self._logging = True
        logger = logging.getLogger(_LOGGER)
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(_RedactKey(os.environ.get("OPENAI_ADMIN_KEY", "")))
        previous = logger.level
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        httpx_logger = logging.getLogger("httpx")
        if self.verbose > 1:
            # httpx logs one INFO line per request (method, URL, status): no headers, no key.
            httpx_logger.addHandler(handler)

        def restore() -> None:
            # main() runs in-process in tests: leave the loggers as they were found.
            logger.removeHandler(handler)
            logger.setLevel(previous)
            httpx_logger.removeHandler(handler)
            self._logging = False

        ctx.find_root().call_on_close(restore)


def state_of(ctx: click.Context) -> State:
    """The run's ``State`` (made by the group, found by every command)."""
    return ctx.ensure_object(State)


def _setter(apply: Callable[[State, Any], None]) -> Callable[[click.Context, Any, Any], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        # Unset options leave what an earlier position set: `--fake costs` keeps --fake.
        if value is None or value is False or value == 0:
            return
        apply(state_of(ctx), value)

    return callback


def _set_fake(state: State, value: bool) -> None:
    state.fake = True


def _official(base_url: str) -> bool:
    """OpenAI's own API: its clock and a synced machine's agree to seconds (``doctor`` checks
    it), so no request is spent asking it the time."""
    from urllib.parse import urlsplit

    return (urlsplit(base_url).hostname or "").endswith("api.openai.com")


def _set_fake_now(state: State, value: str) -> None:
    # Relative values ("7d", "this-month") count from the real clock; "now" is the real now.
    state.fake_now = parse_time(value, datetime.now(UTC), "--fake-now")


def _set_fake_discrepancies(state: State, value: bool) -> None:
    state.fake_discrepancies = True


def _set_fake_size(state: State, value: int) -> None:
    state.fake_size = value


def _set_raw_csv(state: State, value: bool) -> None:
    state.raw_csv = True


def _set_base_url(state: State, value: str) -> None:
    state.base_url = value


def _set_timeout(state: State, value: float) -> None:
    state.timeout = value


def _set_verbose(state: State, value: int) -> None:
    state.verbose += value
    state.start_logging(click.get_current_context())


def _set_debug(state: State, value: bool) -> None:
    state.debug = True


def _set_max_retries_zero(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    # 0 is a real value for --max-retries (unlike -v's count): keep it.
    if value is not None:
        state_of(ctx).max_retries = value


def _global(hidden: bool, names: list[str], **options: Any) -> click.Option:
    """A global option: its value goes to the ``State`` through its callback, never to the
    command's function."""
    return click.Option(names, expose_value=False, hidden=hidden, **options)


def global_params(*, hidden: bool = False) -> list[click.Parameter]:
    """The global options as parameters: shown on the group, ``hidden`` on each command."""
    return [
        _global(
            hidden,
            ["--fake"],
            is_flag=True,
            callback=_setter(_set_fake),
            help="Use the built-in offline fake organization (no key needed; its 'now' is "
            "2026-11-01T00:00Z unless --fake-now). Try: openai-usage --fake report",
        ),
        _global(
            hidden,
            ["--fake-now"],
            metavar="WHEN",
            callback=_setter(_set_fake_now),
            help="With --fake: the fake's clock, e.g. 2026-12-15 or now (the real clock). "
            f"Data exists up to it. WHEN is {TIME_HELP}",
        ),
        _global(
            hidden,
            ["--raw-csv"],
            is_flag=True,
            callback=_setter(_set_raw_csv),
            help="Write CSV text cells as they came. By default a cell starting with =, +, "
            "-, @, tab or carriage return (a name anyone in the organization may set) gets "
            "a leading ' so a spreadsheet shows it instead of running it as a formula.",
        ),
        _global(
            hidden,
            ["--fake-discrepancies"],
            is_flag=True,
            callback=_setter(_set_fake_discrepancies),
            help="With --fake: bill four known lines a month wrong (a day billed twice, a "
            "changed price, usage without cost, cost without usage), to try reconcile.",
        ),
        _global(
            hidden,
            ["--fake-size"],
            metavar="N",
            type=click.IntRange(1, 10_000),
            callback=_setter(_set_fake_size),
            help="With --fake: an organization N times the seeded one (projects, keys, users, "
            "service accounts, vector stores), each part as busy, to try the tool at scale.",
        ),
        *_client_params(hidden),
    ]


def _client_params(hidden: bool) -> list[click.Parameter]:
    """The global options of the client (``--base-url``, ``--timeout``, ...)."""
    return [
        _global(
            hidden,
            ["--base-url"],
            metavar="URL",
            callback=_setter(_set_base_url),
            help="API base URL (default: $OPENAI_BASE_URL or https://api.openai.com/v1).",
        ),
        _global(
            hidden,
            ["--timeout"],
            type=click.FloatRange(min=0, min_open=True),
            callback=_setter(_set_timeout),
            help="Seconds per request.",
        ),
        _global(
            hidden,
            ["--max-retries"],
            type=click.IntRange(min=0),
            callback=_set_max_retries_zero,
            help="Retries per request (default 2).",
        ),
        _global(
            hidden,
            ["-v", "--verbose"],
            count=True,
            callback=_setter(_set_verbose),
            help="Debug logging on stderr (-vv adds httpx's request lines).",
        ),
        _global(
            hidden,
            ["--debug"],
            is_flag=True,
            callback=_setter(_set_debug),
            help="Show tracebacks on errors.",
        ),
    ]
