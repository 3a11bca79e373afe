"""``openai-usage fake-server``: the offline fake over HTTP on loopback."""

from __future__ import annotations

import sys
import threading
import time
from datetime import UTC, datetime

import click

from .._help import COMMAND_EPILOG
from .._times import TIME_HELP, iso, parse_time

__all__ = ["commands", "fake_server"]


@click.command("fake-server", epilog=COMMAND_EPILOG)
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
@click.option(
    "--now",
    "when",
    metavar="WHEN",
    help="The fake's clock: 'now' follows the real clock (data up to the present, for "
    "rehearsing a cron job); any other time fixes it there. Default: 2026-11-01T00:00Z, so "
    f"answers are the same every run. WHEN is {TIME_HELP}",
)
@click.option(
    "--settle-days",
    type=click.IntRange(0, 7),
    default=0,
    show_default=True,
    help="Costs of the last N days before the clock arrive late and grow until they settle, "
    "as the live API's do (0: final at once, so answers are the same every run).",
)
def fake_server(
    host: str, port: int, seed: int, latency: float, when: str | None, settle_days: int
) -> None:
    """Serve the offline fake API over HTTP on loopback until interrupted.

    Prints the base URL; point this tool (--base-url) or any client at it with any key
    starting with sk-admin-. Every answer's Date header is the fake's clock, which sync
    reads as the server's "now".

    Move the clock of the running server (outside the /v1 API; no key needed), e.g. to
    rehearse a daily sync:

    \b
      curl -s URL/_fake/clock                        (read it)
      curl -s -X POST 'URL/_fake/clock?advance=1d'   (a day later: Nd, Nh, Nm, seconds)
      curl -s -X POST 'URL/_fake/clock?now=2026-11-15'
    """
    from ...testing import DEFAULT_ADMIN_KEY, DEFAULT_NOW, FakeAPI, FakeServer

    if when is not None and when.strip().lower() == "now":
        fake = FakeAPI(seed=seed, latency=latency, clock=time.time, settle_days=settle_days)
        clock = "the real clock"
    else:
        now = DEFAULT_NOW if when is None else parse_time(when, datetime.now(UTC), "--now")
        fake = FakeAPI(seed=seed, latency=latency, now=now, settle_days=settle_days)
        clock = iso(now)
    # The suggested report covers the fake's days (its clock may be fixed in the past).
    period = "" if fake.clock else f" --end {iso(fake.now)[:10]}"
    try:
        server = FakeServer(fake, host=host, port=port)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--host") from None
    except OSError as error:
        raise click.BadParameter(f"cannot listen on {host}:{port}: {error}") from None
    with server:
        click.echo(server.base_url)
        click.echo(
            f"Serving the fake organization (seed {seed}, now: {clock}). Try:\n"
            f"  OPENAI_ADMIN_KEY={DEFAULT_ADMIN_KEY} openai-usage --base-url "
            f"{server.base_url} report{period}\n"
            f"Move its clock: curl -X POST '{server.base_url.removesuffix('/v1')}"
            "/_fake/clock?advance=1d'\nPress Ctrl-C to stop.",
            err=True,
        )
        sys.stdout.flush()
        stop = threading.Event()
        try:
            while not stop.wait(3600):
                pass
        except KeyboardInterrupt:
            click.echo("stopped", err=True)


def commands() -> list[click.Command]:
    return [fake_server]
