"""Spend by key, user, model and hour where the Costs API cannot say it: the store's billed
costs allocated from its usage, exactly. It imports ``_core``, ``store``, ``report`` and
``reconcile``; ``allocated_views`` fills a store report's views by key and user with it.

::

    from openai_usage_client.attribution import allocate_costs, ALLOCATED
    from openai_usage_client.store import Store

    with Store("usage.db") as store:
        found = allocate_costs(store, "2026-10-01", "2026-11-01", bucket_width="1h")
        for row in found.rows():   # a day at a time
            row["basis"]           # "billed", or "allocated from usage"
        found.notes                # what the stored usage cannot tell apart, or lacks

Each billed cell (day, project, line item) is split among API keys, users and hours in
proportion to the usage behind it (``reconcile``'s join of line items to usage); the parts
add up to the cell exactly (``split``).

The days whose costs have not settled are estimated from their usage at the organization's
own unit prices (``estimate_spend``); ``keep_estimate`` keeps each day's estimate (``sync``
calls it) and ``estimate_record`` sets it beside the bill once settled; ``estimated_spend``
puts both in a store report, ``with_estimates`` lets ``check`` count them.
``docs/attribution.md`` gives every rule.
"""

from ._allocate import ALLOCATED, BILLED, GROUPABLE, Allocation, allocate_costs
from ._estimate import LOOKBACK_DAYS, PRICE_DAYS, Estimate, UsedPrice, estimate_spend
from ._gate import with_estimates
from ._record import estimate_record, estimated_spend, keep_estimate
from ._split import PRECISION, split
from ._views import allocated_views

__all__ = [
    "ALLOCATED",
    "BILLED",
    "GROUPABLE",
    "LOOKBACK_DAYS",
    "PRECISION",
    "PRICE_DAYS",
    "Allocation",
    "Estimate",
    "UsedPrice",
    "allocate_costs",
    "allocated_views",
    "estimate_record",
    "estimate_spend",
    "estimated_spend",
    "keep_estimate",
    "split",
    "with_estimates",
]
