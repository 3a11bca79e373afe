"""``openai-usage sync``: keep a local SQLite copy current (``openai_usage_client.store``)."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..._core._endpoints import ENDPOINTS
from .._db import STORE_EXIT_HELP
from .._name_lookup import warn
from .._options import db_option, quiet_param, start_param, use
from .._state import State
from .._times import TIME_HELP, parse_time

if TYPE_CHECKING:
    from ...store import Freshness, Store, SyncSummary

__all__ = ["command", "commands"]


class _Line:
    """``sync: costs 3 requests, 124 buckets, 1.2s`` rewritten in place on stderr."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.began = time.monotonic()
        self.width = 0

    def __call__(self, endpoint: str, summary: SyncSummary) -> None:
        if not self.enabled:
            return
        requests, buckets = summary.endpoints.get(endpoint, (0, 0))
        text = (
            f"sync: {endpoint} {requests} request(s), {buckets} bucket(s); "
            f"{summary.rows_inserted + summary.rows_revised} row(s) written, "
            f"{time.monotonic() - self.began:.1f}s"
        )
        sys.stderr.write("\r" + text.ljust(self.width))
        sys.stderr.flush()
        self.width = len(text)

    def close(self) -> None:
        if self.enabled and self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()


def _day(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d")


def freshness_lines(items: list[Freshness]) -> list[str]:
    """One line per stored series: range, settled-through and provisional days."""
    lines = []
    for f in items:
        last_day = _day(datetime.fromtimestamp(f.last.timestamp() - 1, UTC))
        text = f"{f.endpoint} ({f.bucket_width}, by {', '.join(f.group_by) or 'nothing'}): "
        text += f"{_day(f.first)} to {last_day}"
        if f.settled_through is not None:
            settled = _day(datetime.fromtimestamp(f.settled_through.timestamp() - 1, UTC))
            text += f", settled through {settled}"
        if f.provisional:
            text += f", provisional: {', '.join(sorted({_day(p) for p in f.provisional}))}"
        if f.gaps:
            text += f", {f.gaps} bucket(s) missing (run sync again)"
        lines.append(text)
    return lines


def _open(db: Path, lock_timeout: float) -> Store:
    from ...store import Store

    return Store(db, lock_timeout=lock_timeout)


@click.command("sync", epilog=STORE_EXIT_HELP)
@db_option("The SQLite file to keep current (created on the first sync).", required=True)
@use(
    start_param(
        "First day to store; needed only for the first sync (later ones continue from what "
        "is stored; an earlier --start backfills). " + TIME_HELP
    )
)
@click.option(
    "--endpoint",
    "endpoints",
    multiple=True,
    type=click.Choice([*ENDPOINTS, "all"]),
    help="An endpoint to sync (repeatable), or all of them (what reconcile checks). "
    "Default: costs and completions.",
)
@click.option(
    "--settle-days",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="Re-fetch buckets younger than N days: costs arrive and settle late.",
)
@click.option(
    "--bucket-width",
    type=click.Choice(["1d", "1h"]),
    default="1d",
    show_default=True,
    help="Bucket width of usage endpoints (costs are always daily).",
)
@click.option(
    "--names/--no-names",
    default=True,
    show_default=True,
    help="Also store project, key and user names (when the client can list them).",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    help="Seconds to wait for another sync on the same file before giving up (exit 8).",
)
@click.option(
    "--retry-refused",
    is_flag=True,
    help="Try again a default grouping the API refused (costs by user with projects) now, "
    "instead of 30 days after the refusal.",
)
@click.option(
    "--refetch",
    metavar="START..END",
    help="Fetch these days again whatever the store holds of them (both days included), "
    "e.g. 2026-10-03..2026-10-05: what a read's 'Lost:' line asks for when rows were "
    "deleted or edited behind the store's back.",
)
@use(
    quiet_param(
        "Print nothing on success (no progress line, no summary): for cron, which mails "
        "any output. Warnings and errors still go to stderr."
    )
)
@click.pass_obj
def command(
    state: State,
    db: Path,
    start: str | None,
    endpoints: tuple[str, ...],
    settle_days: int,
    bucket_width: str,
    names: bool,
    lock_timeout: float,
    retry_refused: bool,
    refetch: str | None,
    quiet: bool,
) -> int:
    """Bring a local SQLite copy of usage and costs up to date.

    Fetches only what the file is missing, plus the last --settle-days days (costs are revised
    for a day or two) and today's open bucket (marked provisional). Each window is written in
    one transaction: running it twice changes nothing, and a crash or Ctrl-C leaves whole
    windows only; the next run finishes the job. Costs are stored by project, line item, key
    and user; when the API refuses costs by user with projects (some organizations), by
    project, line item and key: said once as a warning, remembered, and tried again after 30
    days (or with --retry-refused). Without --endpoint it refreshes every series the store
    holds (each endpoint, width and grouping). A day that came back empty is fetched again
    by each sync until 35 days old. SIGTERM stops it as Ctrl-C does: what it stored is kept,
    the run is logged as interrupted, and it exits 143 saying how to resume. Run it from
    cron:

    \b
      15 6 * * *  OPENAI_ADMIN_KEY=... openai-usage sync --db ~/usage.db
    """
    now = state.now()
    options: dict[str, Any] = {
        "start": parse_time(start, now, "--start") if start else None,
        "endpoints": (list(ENDPOINTS) if "all" in endpoints else endpoints) or None,
        "settle_days": settle_days,
        "bucket_width": bucket_width,
        "directory": names,
        # The server's Date decides what is settled (Store.sync); --fake's clock is its own.
        "now": int(now.timestamp()) if state.fake else None,
        "retry_refused": retry_refused,
        "refetch": _days_range(refetch, now) if refetch else None,
    }
    with _open(db, lock_timeout) as store:
        return _run(state, store, options, quiet)


def _days_range(text: str, now: datetime) -> tuple[int, int]:
    """``START..END``: from START's day to the end of END's day (both included)."""
    first, sep, last = text.partition("..")
    if not sep or not first.strip() or not last.strip():
        raise click.BadParameter(f"{text!r}: START..END, e.g. 2026-10-03..2026-10-05",
                                 param_hint="--refetch")  # fmt: skip
    lo = parse_time(first.strip(), now, "--refetch")
    hi = parse_time(last.strip(), now, "--refetch")
    hi = hi - hi % 86_400 + 86_400
    if hi <= lo:
        raise click.BadParameter(f"{text!r}: END is before START", param_hint="--refetch")
    return lo, hi


def _run(state: State, store: Store, options: dict[str, Any], quiet: bool) -> int:
    from ...attribution import keep_estimate
    from ...store import on_sigterm

    line = _Line(enabled=not quiet and sys.stderr.isatty())
    try:  # a lock held (exit 8), a sync stopped part-way (its cause's code): main says it
        with on_sigterm():  # SIGTERM (timeout, cron wrappers, systemd) stops it as Ctrl-C does
            client = state.client()
            summary = store.sync(client, progress=line, **options)
    finally:
        line.close()
    # The unsettled days' estimates, kept so each can be compared with its bill once settled
    # (on the sync's clock: the server's Date, as the sync read it).
    keep_estimate(store, now=options["now"] or client.server_time())
    for text in summary.warnings:  # once, on the sync that decided (cron mails stderr)
        warn(text)
    if quiet:
        return 0
    click.echo(f"{store.path}: {summary}")
    for text in summary.notes:
        click.echo(f"  note: {text}")
    for text in freshness_lines(store.freshness()):
        click.echo(f"  {text}")
    return 0


def commands() -> list[click.Command]:
    return [command]
