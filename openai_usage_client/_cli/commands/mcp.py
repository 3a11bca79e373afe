"""``openai-usage mcp``: the store served to AI assistants over the Model Context Protocol
(``openai_usage_client.assistant``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .._db import check_store
from .._help import COMMAND_EPILOG
from .._options import db_option

__all__ = ["commands", "mcp"]

_HELP = """Answer an AI assistant's questions from a store, over MCP (read-only).

A Model Context Protocol server for Claude Desktop, VS Code, Cursor or your own agent: its
tools (spend, spend_changes, budgets, usage, reconciliation_flags, directory, coverage)
answer from the store that 'openai-usage sync' keeps, with exact figures, names beside
IDs, and what each answer covers (missing or provisional days). It never calls the OpenAI
API and never needs the admin key. Stdio by default (the assistant starts it); --http
serves streamable HTTP on loopback. Needs the [mcp] extra (docs/mcp.md).

\b
Examples:
  openai-usage mcp --db ~/usage.db
  openai-usage mcp --db ~/usage.db --config openai-usage.toml --http 8765
"""


@click.command("mcp", epilog=COMMAND_EPILOG, help=_HELP)
@db_option("The store (kept current by 'openai-usage sync'); read at every call.", required=True)
@click.option(
    "--http",
    "http",
    metavar="[HOST:]PORT",
    help="Serve streamable HTTP at http://HOST:PORT/mcp (loopback unless HOST says "
    "otherwise; Host and Origin checked against DNS rebinding) instead of stdio.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A spend config: teams for spend by team, budgets for the budgets tool.",
)
@click.pass_context
def mcp(ctx: click.Context, db: Path, http: str | None, config_path: Path | None) -> None:
    """The body of ``openai-usage mcp`` (its help is ``_HELP``)."""
    from .._state import state_of

    state = state_of(ctx)
    try:
        import mcp as _sdk  # noqa: F401
    except ImportError:
        from ..._core._exceptions import MissingExtraError

        raise MissingExtraError("mcp", "mcp") from None
    from ...assistant import build_server

    check_store(db)
    config = None
    if config_path is not None:
        from ...spend import load_config

        config = load_config(config_path)
    # With --fake the store is read at the fake's clock (a store synced from the fake holds
    # the fake's days); otherwise at each call's real time.
    fake_now = state.now().timestamp() if state.fake else None
    clock = (lambda: fake_now) if fake_now is not None else None
    server = build_server(db, config=config, **({"clock": clock} if clock else {}))
    if http is None:
        server.run()
        return
    _serve_http(server, http)


def _serve_http(server: Any, where: str) -> None:
    from ...assistant import loopback_security
    from .._listen import listen_address, warn_if_exposed

    host, port = listen_address(where, "--http", any_port=False)
    warn_if_exposed(host, "spend and names", "docs/mcp.md")
    click.echo(f"http://{host}:{port}/mcp", err=True)
    server.run("streamable-http", host=host, port=port,
               transport_security=loopback_security(host, port))  # fmt: skip


def commands() -> list[click.Command]:
    return [mcp]
