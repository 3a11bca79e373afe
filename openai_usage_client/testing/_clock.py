"""The fake server's clock, moved while it runs: ``/_fake/clock``, outside the ``/v1`` API.

A rehearsal of a daily cron job needs the server's days to pass without restarting it (which
would lose its state)::

    curl -s http://127.0.0.1:8080/_fake/clock                      # {"now": "...", ...}
    curl -s -X POST 'http://127.0.0.1:8080/_fake/clock?advance=1d'  # a day later
    curl -s -X POST 'http://127.0.0.1:8080/_fake/clock?now=2026-11-15'

``advance`` takes ``Nd``, ``Nh``, ``Nm`` or seconds; ``now`` a date, a datetime or Unix
seconds (as ``--now``). Every answer is the clock as JSON; a bad value is a 400 naming it.
No key is needed: the fake holds no secret, and it listens on loopback only.
"""

from __future__ import annotations

import json
import re
from typing import Final
from urllib.parse import parse_qsl

from .._core._exceptions import InvalidParameterError
from .._core._time import iso, to_unix
from ._api import FakeAPI
from ._wire import FakeResponse

__all__ = ["CLOCK_PATH", "clock_answer"]

CLOCK_PATH: Final = "/_fake/clock"
_STEP: Final = re.compile(r"^(\d+)\s*(d|h|m|s)?$")
_UNIT: Final = {"d": 86_400, "h": 3_600, "m": 60, "s": 1, None: 1}


def _json(status: int, body: object) -> FakeResponse:
    return FakeResponse(
        status, {"content-type": "application/json"}, json.dumps(body).encode() + b"\n"
    )


def clock_answer(fake: FakeAPI, method: str, query: str) -> FakeResponse:
    """``GET`` reads the clock; ``POST`` with ``advance=`` or ``now=`` moves it."""
    params = dict(parse_qsl(query))
    if method.upper() == "POST":
        if "advance" in params:
            step = _STEP.match(params["advance"].strip().lower())
            if step is None:
                return _json(400, {"error": {"message": "advance: Nd, Nh, Nm or seconds",
                                             "param": "advance"}})  # fmt: skip
            fake.advance(seconds=int(step[1]) * _UNIT[step[2]])
        elif "now" in params:
            try:
                fake.set_now(to_unix(params["now"], "now", now=fake.now))
            except InvalidParameterError as error:
                return _json(400, {"error": {"message": str(error), "param": "now"}})
        else:
            return _json(400, {"error": {"message": "give advance= or now=", "param": None}})
    elif method.upper() != "GET":
        return _json(405, {"error": {"message": f"{method} {CLOCK_PATH}: use GET or POST"}})
    return _json(200, {"now": iso(fake.now), "unix": fake.now, "follows_real_clock": bool(
        fake.clock)})  # fmt: skip
