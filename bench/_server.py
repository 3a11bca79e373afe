"""``python -m bench._server``: the fake on 127.0.0.1 until stdin closes (benchmarks only).

Prints its base URL on the first line of stdout. Unless ``--stock-nagle`` is given, the fake's
request handler gets ``disable_nagle_algorithm = True`` (TCP_NODELAY): the handler writes the
headers and the body of a response separately, and with Nagle's algorithm on, the body of a
small response on a kept-alive connection waits for the client's delayed ACK (~40 ms on
Linux), which would swamp what the benchmarks measure. See P3's notes.
"""

from __future__ import annotations

import argparse
import sys

from openai_usage_client.testing import FakeAPI, FakeServer
from openai_usage_client.testing import _server as fake_server_module


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stock-nagle", action="store_true", help="leave Nagle's algorithm on")
    args = parser.parse_args()
    if not args.stock_nagle:
        fake_server_module._Handler.disable_nagle_algorithm = True
    with FakeServer(FakeAPI(seed=args.seed, latency=args.latency), host="127.0.0.1") as server:
        print(server.base_url, flush=True)
        sys.stdin.read()  # returns when the parent closes the pipe (or exits)


if __name__ == "__main__":
    main()
