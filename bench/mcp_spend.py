"""One MCP ``spend`` call, as an assistant makes it (bench P9's row for #38).

``python -m bench.mcp_spend DB NOW``: builds ``openai-usage mcp``'s server on the store and
calls ``spend`` (last month, by project) through the ``mcp`` SDK's own client, in process:
the process's time and peak memory are what one answer costs.
"""

from __future__ import annotations

import asyncio
import sys

from mcp import Client

from openai_usage_client.assistant import build_server
from openai_usage_client.store import Store


def main(path: str, now: int) -> int:
    with Store(path, read_only=True):  # a missing store fails here, not as a tool result
        pass
    server = build_server(path, clock=lambda: now)

    async def go() -> bool:
        async with Client(server) as client:
            found = await client.call_tool("spend", {"period": "last-month", "top": 10})
            return bool(found.is_error)

    return 1 if asyncio.run(go()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
