"""``openai-usage fake-server``: the offline fake over HTTP on loopback."""

from __future__ import annotations

import sys
import threading
import time
from datetime import UTC, datetime
from typing import Any

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
    "--size",
    type=click.IntRange(1, 10_000),
    default=1,
    show_default=True,
    help="An organization N times the seeded one: N times the projects, keys, users, service "
    "accounts and vector stores (archived projects and deleted keys in proportion), each part "
    "as busy as the seeded one, so results per bucket grow N times.",
)
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
    "as the live API's do, while usage is there within the hour (0: final at once, so "
    "answers are the same every run).",
)
@click.option(
    "--fault",
    "faults",
    metavar="KIND=RATE",
    multiple=True,
    help="Fail this share of requests (repeatable; seeded, so the same requests fail every "
    "run): KIND is 429, 429_no_retry_after, 500, 502, 503, reset, timeout, truncated or "
    "html, or a wire quirk (repeat_cursor, result_key, sessions_key, unknown_result, "
    "unknown_field, drop_bucket: every third bucket left out), RATE from 0 to 1 (1: every "
    "request). E.g. --fault 503=0.2 --fault 429=0.1.",
)
@click.option(
    "--discrepancies",
    is_flag=True,
    help="Bill four known lines a month wrong (a day billed twice, a changed price, usage "
    "without cost, cost without usage), to rehearse openai-usage reconcile.",
)
@click.option(
    "--refuse-costs-by-key",
    is_flag=True,
    help="Answer costs grouped by api_key_id with HTTP 400, as the live API does for some "
    "organizations (group_by refused: 'Grouping costs by 'api_key_id' is not supported for "
    "this organization.').",
)
@click.option(
    "--refuse-costs-by-user",
    is_flag=True,
    help="Answer costs grouped by user_id together with a project_id grouping or filter with "
    "HTTP 400, as the live API does for some organizations.",
)
@click.option(
    "--retry-after",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="The Retry-After seconds of a 429.",
)
def fake_server(
    host: str,
    port: int,
    seed: int,
    size: int,
    latency: float,
    when: str | None,
    settle_days: int,
    faults: tuple[str, ...],
    discrepancies: bool,
    refuse_costs_by_key: bool,
    refuse_costs_by_user: bool,
    retry_after: int,
) -> None:
    """Serve the offline fake API over HTTP on loopback until interrupted.

    Prints the base URL; point this tool (--base-url) or any client at it with any key
    starting with sk-admin-. Every answer's Date header is the fake's clock, which sync
    reads as the server's "now".

    Refusals on demand, by the key a client sends: a key not starting sk- is refused (401),
    an sk- key that is not sk-admin- is not an admin key (403), and an admin key starting
    sk-admin-usage-only- may read usage but not the organization's names (403); faults with
    --fault, slow answers with --latency.

    Move the clock of the running server (outside the /v1 API; no key needed), e.g. to
    rehearse a daily sync:

    \b
      curl -s URL/_fake/clock                        (read it)
      curl -s -X POST 'URL/_fake/clock?advance=1d'   (a day later: Nd, Nh, Nm, seconds)
      curl -s -X POST 'URL/_fake/clock?now=2026-11-15'
    """
    from ...testing import DEFAULT_ADMIN_KEY, DEFAULT_NOW, FakeAPI, FakeServer

    injected = _faults(faults, retry_after)

    if when is not None and when.strip().lower() == "now":
        fake = FakeAPI(
            seed=seed, size=size, latency=latency, clock=time.time, settle_days=settle_days,
            faults=injected, discrepancies=discrepancies,
            refuse_costs_by_key=refuse_costs_by_key,
            refuse_costs_user_with_project=refuse_costs_by_user,
        )  # fmt: skip
        clock = "the real clock"
    else:
        now = DEFAULT_NOW if when is None else parse_time(when, datetime.now(UTC), "--now")
        fake = FakeAPI(
            seed=seed, size=size, latency=latency, now=now, settle_days=settle_days,
            faults=injected, discrepancies=discrepancies,
            refuse_costs_by_key=refuse_costs_by_key,
            refuse_costs_user_with_project=refuse_costs_by_user,
        )  # fmt: skip
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
            f"Serving the fake organization (seed {seed}{_sized(size)}, now: {clock}). Try:\n"
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


def _faults(given: tuple[str, ...], retry_after: int) -> Any:
    """``--fault KIND=RATE`` options as the fake's ``Faults`` (exit 2 on a bad one)."""
    from ...testing import FAILURE_KINDS, QUIRK_KINDS, Faults

    rates: dict[str, float] = {}
    for text in given:
        kind, _, rate = text.partition("=")
        kind = kind.strip()
        try:
            value = float(rate)
        except ValueError:
            value = -1.0
        if kind not in (*FAILURE_KINDS, *QUIRK_KINDS) or not 0.0 <= value <= 1.0:
            raise click.BadParameter(
                f"{text!r}: KIND=RATE with KIND one of {', '.join(FAILURE_KINDS)}, "
                f"{', '.join(QUIRK_KINDS)} and RATE from 0 to 1",
                param_hint="--fault",
            )
        rates[f"rate_{kind}"] = value
    try:
        return Faults(**rates, retry_after=retry_after)  # type: ignore[arg-type]
    except ValueError as error:  # the rates add up to more than 1
        raise click.BadParameter(str(error), param_hint="--fault") from None


def commands() -> list[click.Command]:
    return [fake_server]


def _sized(size: int) -> str:
    return f", size {size}" if size != 1 else ""
