"""Usage-versus-costs reconciliation: are we paying the list price per token, and does every
dollar have usage behind it? It imports ``_core`` and ``store``.

::

    from openai_usage_client.reconcile import reconcile, reconciliation_text
    from openai_usage_client.store import Store

    with Store("usage.db") as store:
        found = reconcile(store, "2026-10-01", "2026-11-01", prices="builtin")
    print(reconciliation_text(found))
    found.share_matched        # Decimal('0.9986...'): settled spend whose usage matches
    found.flags                # cost without usage, usage without cost, quantity, price

Every stored cost line is joined with the stored usage of the same UTC day, project, API key,
user, model and kind (uncached input, cached input, output, audio, images, characters,
seconds, storage, sessions, tool calls; ``_kinds``), as finely as both sides are grouped.
Each line item's unit price is derived per settled day (amount / quantity). Flags say what
does not add up, with the figures; days that may still settle are reported apart, never
flagged; lines whose usage is not in the store are ``not_checked`` and the notes say which
sync would fill them. ``docs/reconcile.md`` gives every rule.
"""

from ._join import DEFAULT_TOLERANCE, reconcile
from ._kinds import FAMILIES, UNIT_FACTORS, measure_of, usage_measures
from ._model import FLAG_KINDS, STATUSES, Cell, Flag, Reconciliation, UnitPrice
from ._prices import BUILTIN, PriceTable, load_prices
from ._text import CSV_COLUMNS, reconciliation_text, write_cells_csv

__all__ = [
    "BUILTIN",
    "CSV_COLUMNS",
    "DEFAULT_TOLERANCE",
    "FAMILIES",
    "FLAG_KINDS",
    "STATUSES",
    "UNIT_FACTORS",
    "Cell",
    "Flag",
    "PriceTable",
    "Reconciliation",
    "UnitPrice",
    "load_prices",
    "measure_of",
    "reconcile",
    "reconciliation_text",
    "usage_measures",
    "write_cells_csv",
]
