"""Totals, calendar periods (in any time zone) and pivots of rows, exactly. This layer
imports ``_core`` only: it works on rows, wherever they come from (API, store, files).

What ``openai-usage ... --totals/--by/--pivot/--tz`` does, for Python::

    from zoneinfo import ZoneInfo
    from openai_usage_client.analysis import pivot, rollup, totals

    rows = list(client.costs(start_time="2026-10-01", end_time="2026-11-01",
                             group_by=["project_id"]).rows())
    totals(rows, ["project_id"], ["amount_value"])        # one row per project
    hourly = client.usage.completions(start_time=..., end_time=..., bucket_width="1h").rows()
    rollup(hourly, "day", ZoneInfo("Europe/Berlin"))      # local days (23/25 h on DST days)
    pivot(rows, "day:project_id", "costs").to_rows()      # money by day and project

``plan(endpoint, by, tz, start, end)`` says which bucket width fits local periods (costs:
``1d`` only, so UTC days); ``parse_local``/``period_range`` read times and period words
(``last-week``, ``this-year``, ...) in a zone. See ``_analysis`` and ``_core._periods``.
"""

from __future__ import annotations

from .._core._periods import (
    PERIOD_WORDS,
    local_midnight,
    parse_local,
    period_bounds,
    period_label,
    period_range,
    zone,
)
from ._rollup import (
    TIME_DIMENSIONS,
    Measure,
    Pivot,
    Plan,
    client_side,
    filter_rows,
    label,
    measure,
    parse_pivot,
    pivot,
    pivot_dimensions,
    pivot_group_by,
    plan,
    rollup,
    totals,
)
from ._shape import Shape, Shaped

__all__ = [
    "PERIOD_WORDS",
    "TIME_DIMENSIONS",
    "Measure",
    "Pivot",
    "Plan",
    "Shape",
    "Shaped",
    "client_side",
    "filter_rows",
    "label",
    "local_midnight",
    "measure",
    "parse_local",
    "parse_pivot",
    "period_bounds",
    "period_label",
    "period_range",
    "pivot",
    "pivot_dimensions",
    "pivot_group_by",
    "plan",
    "rollup",
    "totals",
    "zone",
]
