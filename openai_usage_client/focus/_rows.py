"""A store's cost rows as FOCUS 1.2 rows (see ``docs/focus.md`` for each choice)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from .._core._summarize import model_from_line_item
from ._columns import FOCUS_COLUMNS, UNITS

if TYPE_CHECKING:
    from ..spend import SpendConfig
    from ..store import Store

__all__ = ["focus_rows"]

PROVIDER: Final = "OpenAI"
#: One service for the whole API: each ServiceName must map to one ServiceCategory, and the
#: line item (the SKU) already says which model and which kind of token or tool.
SERVICE: Final = "OpenAI API"
CATEGORY: Final = "AI and Machine Learning"
SUBCATEGORY: Final = "Generative AI"


def _month(day: datetime) -> tuple[datetime, datetime]:
    first = day.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)
    return first, following


def _meter(line_item: str | None) -> str | None:
    """``"gpt-4o-2024-08-06, cached input"`` -> ``"cached input"``; a tool or storage line
    is its own meter."""
    if not line_item:
        return None
    return line_item.split(", ", 1)[1] if model_from_line_item(line_item) else line_item


def focus_rows(
    store: Store,
    start: int | datetime | date | str | None = None,
    end: int | datetime | date | str | None = None,
    *,
    config: SpendConfig | None = None,
    split: bool = False,
) -> Iterator[dict[str, Any]]:
    """The FOCUS rows of the store's costs with ``start <= start_time < end`` (the series
    synced last, every organization it holds). With a spend ``config`` that has teams, each
    row's team is in ``Tags`` (``{"team": "..."}``); otherwise ``Tags`` is null.

    ``split``: each billed cell (day, project, line item) split into the API keys and users
    whose usage is behind it (``attribution.allocate_costs``: the parts add up to the billed
    cell exactly, quantities split alike), with ``x_Basis`` (``FOCUS_SPLIT_COLUMNS``) saying
    which rows are ``allocated`` and which stayed ``billed`` whole."""
    if split:
        yield from _split_rows(store, start, end, config)
        return

    directories = {}
    allocators: dict[str, Any] = {}
    for org in sorted({f.organization for f in store.freshness() if f.endpoint == "costs"}):
        directories[org] = store.directory(org)
        if config is not None and config.teams:
            from ..spend import Allocator

            allocators[org] = Allocator(config.teams, directories[org])
    for org, directory in directories.items():
        allocator = allocators.get(org)
        for row in store.rows("costs", start, end, names=False, organization=org, provisional=True):
            yield _focus(row, org, directory, allocator)


def _split_rows(
    store: Store, start: Any, end: Any, config: SpendConfig | None
) -> Iterator[dict[str, Any]]:
    from ..attribution import ALLOCATED, allocate_costs

    held = [f for f in store.freshness() if f.endpoint == "costs"]
    lo = start if start is not None else min((f.first for f in held), default=0)
    hi = end if end is not None else max((f.last for f in held), default=lo)
    directories: dict[str, Any] = {}
    allocators: dict[str, Any] = {}
    for row in allocate_costs(store, lo, hi).rows():
        org = row["organization"]
        if org not in directories:
            directories[org] = store.directory(org)
            if config is not None and config.teams:
                from ..spend import Allocator

                allocators[org] = Allocator(config.teams, directories[org])
        out = _focus(row, org, directories[org], allocators.get(org))
        out["x_Basis"] = "allocated" if row["basis"] == ALLOCATED else "billed"
        yield out


def _focus(row: dict[str, Any], org: str, directory: Any, allocator: Any) -> dict[str, Any]:
    amount: Decimal = row["amount_value"] if row["amount_value"] is not None else Decimal(0)
    begins, ends = row["start_time"], row["end_time"]
    period = _month(begins)
    quantity = row.get("quantity")
    unit = UNITS.get(row.get("quantity_unit") or "")
    if quantity is None or unit is None:
        # The API sent no quantity (or a unit FOCUS has no name for): one charge, so that
        # PricingQuantity is never null on a Usage row (FOCUS allows that for Tax only).
        quantity, unit = 1, "Charges"
    pricing = Decimal(str(quantity))
    project = row.get("project_id")
    project_record = directory.project(project) if project else None
    key = row.get("api_key_id")
    key_record = directory.api_key(key) if key else None
    user = row.get("user_id")
    user_record = directory.user(user) if user else None
    line_item = row.get("line_item")
    out = {
        "BilledCost": amount,
        "EffectiveCost": amount,  # no commitments or credits in the API: what is billed
        "ListCost": amount,  # no list prices in the API
        "ContractedCost": amount,
        "BillingAccountId": org,
        "BillingAccountName": org,
        "BillingCurrency": (row.get("amount_currency") or "usd").upper(),
        "BillingPeriodStart": period[0],
        "BillingPeriodEnd": period[1],
        "ChargeCategory": "Usage",
        "ChargeClass": None,
        "ChargeDescription": line_item or "OpenAI API usage",
        "ChargePeriodStart": begins,
        "ChargePeriodEnd": ends,
        "InvoiceIssuerName": PROVIDER,
        "ProviderName": PROVIDER,
        "PublisherName": PROVIDER,
        "PricingQuantity": pricing,
        "PricingUnit": unit,
        "ServiceCategory": CATEGORY,
        "ServiceName": SERVICE,
        "ConsumedQuantity": pricing,
        "ConsumedUnit": unit,
        "PricingCategory": "Standard",
        "SkuId": line_item or "unknown",
        "SkuMeter": _meter(line_item),
        "SubAccountId": project,
        "SubAccountName": getattr(project_record, "name", None),
        "SubAccountType": "Project" if project else None,
        "Tags": (
            json.dumps({"team": allocator.team_of(row)}, ensure_ascii=False)
            if allocator is not None
            else None
        ),
        "ChargeFrequency": "Usage-Based",
        "InvoiceId": None,  # the API has no invoices: see docs/focus.md
        "ServiceSubcategory": SUBCATEGORY,
        "ServiceProviderName": PROVIDER,
        "HostProviderName": PROVIDER,
        "x_ApiKeyId": key,
        "x_ApiKeyName": getattr(key_record, "name", None),
        "x_UserId": user,
        "x_UserEmail": getattr(user_record, "email", None),
        "x_LineItem": line_item,
        "x_Provisional": bool(row.get("provisional")),
    }
    assert tuple(out) == FOCUS_COLUMNS
    return out


def iso(moment: datetime) -> str:
    """FOCUS's date/time format: UTC, ``YYYY-MM-DDTHH:mm:ssZ``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
