"""One rule for money in every JSON writer (#39): the exact value as a plain decimal string,
no padding, never an exponent; computed figures (forecasts, levels, baselines) to the cent."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from _cli_run import run

#: Figures a document computes (not read from the bill): shown to the cent, or a ratio.
COMPUTED = {"forecast", "forecast_low", "forecast_high", "daily_level", "weekend_factor",
            "share", "percent", "forecast_percent"}  # fmt: skip
_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def strings(document: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(document, dict):
        for k, v in document.items():
            yield from strings(v, k)
    elif isinstance(document, list):
        for v in document:
            yield from strings(v, key)
    elif isinstance(document, str) and _NUMBER.match(document):
        yield key, document


@pytest.mark.parametrize(
    "args",
    [
        ["--fake", "--fake-now", "2026-11-20", "check", "--monthly-budget", "200", "--format",
         "json"],
        ["--fake", "report", "-f", "json"],
        ["--fake", "--fake-discrepancies", "report", "--last-month", "-f", "json"],
    ],
)  # fmt: skip
def test_every_decimal_string_is_plain_and_exact(args: list[str]) -> None:
    code, out, err = run(*args)
    assert code in (0, 7), err
    found = list(strings(json.loads(out)))
    assert found
    for key, text in found:
        assert "e" not in text.lower(), (key, text)  # never an exponent
        if key in COMPUTED:
            continue
        # No padding: an exact value has no trailing zero in its fraction.
        assert not ("." in text and text.endswith("0")), (key, text)
    month = dict(found)["month_to_date"] if "check" in args else None
    assert month is None or month == "153.56692862"
