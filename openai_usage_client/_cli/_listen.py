"""Where a long-lived command listens (``metrics --serve``, ``mcp --http``): one way to read
``[HOST:]PORT`` and one warning when it is beyond this machine."""

from __future__ import annotations

import click

__all__ = ["listen_address", "warn_if_exposed"]


def listen_address(where: str, option: str, *, any_port: bool = True) -> tuple[str, int]:
    """``(host, port)`` of ``[HOST:]PORT`` (loopback when HOST is left out; ``[::1]`` as
    ``::1``); ``any_port``: 0 (any free port) is allowed."""
    host, _, port = where.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    lowest = 0 if any_port else 1
    if not port.isdigit() or not lowest <= int(port) <= 65_535:
        raise click.BadParameter(f"{where!r}: [HOST:]PORT with PORT from {lowest} to 65535",
                                 param_hint=option)  # fmt: skip
    return host, int(port)


def warn_if_exposed(host: str, what: str, doc: str) -> None:
    """Say on stderr that ``what`` is served beyond this machine with no authentication."""
    from ..metrics import is_loopback

    if not is_loopback(host):
        click.echo(
            f"openai-usage: warning: serving {what} on {host}, beyond this machine, with no "
            "authentication: anyone who can reach it can read them; put it behind a proxy "
            f"that authenticates ({doc}), or serve 127.0.0.1",
            err=True,
        )
