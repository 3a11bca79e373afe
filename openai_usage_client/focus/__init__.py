"""Hand-off to FOCUS-based cost tools: a store's costs as a FOCUS 1.2 Cost and Usage dataset.
It imports ``_core``, ``store``, ``report`` (the store's names) and ``spend`` (teams).

::

    from openai_usage_client.focus import focus_rows, write_focus
    from openai_usage_client.store import Store

    with Store("usage.db") as store:
        write_focus(store, "openai-focus.parquet", start="2026-10-01", end="2026-11-01")

One row per stored cost result (day x project x line item x API key x user): the billed amount
in every cost column, the line item as the SKU, the project as the sub-account, names from the
store's directory, a team from a spend config in ``Tags``, the key and user as ``x_`` columns,
``x_Provisional`` for days that may still change. ``docs/focus.md`` gives every column and
why each choice was made.
"""

from ._columns import FOCUS_COLUMNS, FOCUS_TYPES
from ._rows import focus_rows
from ._write import focus_coverage, write_focus

__all__ = ["FOCUS_COLUMNS", "FOCUS_TYPES", "focus_coverage", "focus_rows", "write_focus"]
