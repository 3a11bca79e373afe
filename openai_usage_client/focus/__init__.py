"""Hand-off to FOCUS-based cost tools: a store's costs as a FOCUS 1.2 Cost and Usage dataset.
It imports ``_core``, ``store``, ``report`` (the store's names), ``spend`` (teams) and
``attribution`` (rows split by usage, on request).

::

    from openai_usage_client.focus import focus_rows, write_focus
    from openai_usage_client.store import Store

    with Store("usage.db") as store:
        write_focus(store, "openai-focus.parquet", start="2026-10-01", end="2026-11-01")

One row per stored cost result (day x project x line item x API key x user): the billed amount
in every cost column, the line item as the SKU, the project as the sub-account, names from the
store's directory, a team from a spend config in ``Tags``, the key and user as ``x_`` columns,
``x_Provisional`` for days that may still change. With ``split=True`` each billed cell is
split into the API keys and users whose usage is behind it, rows marked ``x_Basis`` (``billed``
or ``allocated``; ``BilledCost`` of the parts adds up to the bill). ``docs/focus.md`` gives
every column and why each choice was made.
"""

from ._columns import FOCUS_COLUMNS, FOCUS_SPLIT_COLUMNS, FOCUS_SPLIT_TYPES, FOCUS_TYPES
from ._rows import focus_rows
from ._write import focus_coverage, write_focus

__all__ = [
    "FOCUS_COLUMNS",
    "FOCUS_SPLIT_COLUMNS",
    "FOCUS_SPLIT_TYPES",
    "FOCUS_TYPES",
    "focus_coverage",
    "focus_rows",
    "write_focus",
]
