"""Ask the store from an AI assistant: a read-only MCP server (extra ``[mcp]``) whose tools
answer with exact figures and say what they cover. It imports ``_core``, ``store``,
``report``, ``spend``, ``reconcile`` and ``attribution``; the answers are plain data
(``_answers``), usable without the ``mcp`` package.

::

    from openai_usage_client.assistant import build_server, parse_period, spend
    from openai_usage_client.store import Store

    with Store("usage.db", read_only=True) as store:
        found = spend(store, parse_period(now, "last-month"), "project", now=now)
    build_server("usage.db").run()          # stdio, for Claude Desktop, VS Code, ...

Tools: ``spend``, ``spend_changes``, ``budgets``, ``usage``, ``reconciliation_flags``,
``directory``, ``coverage`` (``docs/mcp.md``). Every figure is the CLI's for the same
question (``report --db``, ``check --db``, ``reconcile``); every result carries its coverage.
"""

from ._answers import (
    GROUPS,
    MAX_TOP,
    USAGE_GROUPS,
    Period,
    budgets,
    changes,
    coverage,
    directory,
    flags,
    parse_period,
    spend,
    usage,
)
from ._server import INSTRUCTIONS, TOOLS, build_server, loopback_security

__all__ = [
    "GROUPS",
    "INSTRUCTIONS",
    "MAX_TOP",
    "TOOLS",
    "USAGE_GROUPS",
    "Period",
    "budgets",
    "build_server",
    "changes",
    "coverage",
    "directory",
    "flags",
    "loopback_security",
    "parse_period",
    "spend",
    "usage",
]
