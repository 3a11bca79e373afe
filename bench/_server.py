"""``python -m bench._server``: the fake on 127.0.0.1 until stdin closes (benchmarks only).

Prints its base URL on the first line of stdout. Out of process so that the fake's CPU time
and memory are not the client's.
"""

from __future__ import annotations

import argparse
import sys

from openai_usage_client.testing import FakeAPI, FakeDirectory, FakeServer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", type=int, default=1, help="FakeAPI(size=N)")
    parser.add_argument(
        "--directory", metavar="PxK", help="a synthetic directory: P projects of K keys each"
    )
    args = parser.parse_args()
    fake = FakeAPI(seed=args.seed, size=args.size, latency=args.latency)
    if args.directory:
        projects, keys = (int(n) for n in args.directory.split("x"))
        fake.directory = FakeDirectory.sized(projects, keys, seed=args.seed)
    with FakeServer(fake, host="127.0.0.1") as server:
        print(server.base_url, flush=True)
        sys.stdin.read()  # returns when the parent closes the pipe (or exits)


if __name__ == "__main__":
    main()
