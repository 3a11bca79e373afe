"""``openai-usage metrics``: a store as Prometheus metrics (``openai_usage_client.metrics``)."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

import click

from .._db import check_store
from .._help import COMMAND_EPILOG
from .._options import db_option

__all__ = ["commands", "metrics"]


def _metric_lines() -> str:
    from ...metrics import METRICS

    suffix = {"counter": "_total", "info": "_info"}
    return "\n".join(
        f"  {name}{suffix.get(kind, '')} ({kind}): {text}" for name, (kind, text) in METRICS.items()
    )


_HELP = """Export a store as Prometheus metrics: spend, tokens, budgets and freshness.

Settled spend and tokens are counters (a settled day is never fetched again, so they only
grow; a revision the API makes after the settle window is not seen); spend still settling
and calendar periods are gauges. The OpenAI API is never called. Needs the [metrics]
extra (prometheus-client). Run it from cron after sync with --textfile, or as a
long-lived exporter with --serve. Metrics (docs/metrics.md):
"""


@click.command("metrics", epilog=COMMAND_EPILOG, help=_HELP + "\n\b\n" + _metric_lines())
@db_option("The store (kept current by 'openai-usage sync'); read at every scrape.", required=True)
@click.option(
    "--textfile",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the exposition to this .prom file atomically (node_exporter's textfile "
    "collector), instead of printing it.",
)
@click.option(
    "--serve",
    metavar="[HOST:]PORT",
    help="Serve /metrics over HTTP (loopback unless HOST says otherwise) until interrupted.",
)
@click.option(
    "--labels",
    metavar="api_key,user",
    default="",
    help="Add these labels to openai_cost_usd_total (more series: use with care).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A spend config: adds openai_budget_usd and openai_budget_used_ratio per budget.",
)
@click.pass_context
def metrics(
    ctx: click.Context,
    db: Path,
    textfile: Path | None,
    serve: str | None,
    labels: str,
    config_path: Path | None,
) -> None:
    """The body of ``openai-usage metrics`` (its help is ``_HELP``)."""
    from ...metrics import StoreCollector, exposition, write_textfile
    from .._state import state_of

    state = state_of(ctx)

    try:
        import prometheus_client  # noqa: F401
    except ImportError:
        from ..._core._exceptions import MissingExtraError

        raise MissingExtraError("prometheus-client", "metrics") from None
    config = None
    if config_path is not None:
        from ...spend import load_config

        config = load_config(config_path)
    chosen = [part.strip() for part in labels.split(",") if part.strip()]
    # With --fake the store is read at the fake's clock (a store synced from the fake holds
    # the fake's days); otherwise at each scrape's real time.
    clock = state.now().timestamp if state.fake else None
    collector = StoreCollector(db, labels=chosen, config=config, clock=clock or time.time)
    if serve is not None:
        # A server may start before the first sync: it serves openai_usage_up 0 and says why.
        _serve(collector, serve)
        return
    check_store(db)
    if textfile is None:
        sys.stdout.write(exposition(collector).decode())
        return
    write_textfile(collector, textfile)


def _serve(collector: Any, where: str) -> None:
    from ...metrics import serve
    from .._listen import listen_address, warn_if_exposed

    host, port = listen_address(where, "--serve")
    try:
        server = serve(collector, host, port)
    except (OSError, OverflowError, UnicodeError) as error:
        why = getattr(error, "strerror", None) or str(error)
        raise click.BadParameter(f"{where!r}: cannot listen there ({why})",
                                 param_hint="--serve") from None  # fmt: skip
    bound_host, bound_port = server.server_address[:2]
    shown = bound_host.decode() if isinstance(bound_host, bytes) else bound_host
    warn_if_exposed(host, "spend and project names", "docs/metrics.md")
    click.echo(f"http://{shown}:{bound_port}/metrics", err=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()


def commands() -> list[click.Command]:
    return [metrics]
