"""The FOCUS 1.2 columns this export writes, in order, with their FOCUS types.

``decimal``, ``datetime`` (UTC, ``YYYY-MM-DDTHH:mm:ssZ`` in CSV), ``string``, ``json`` (Tags: a
JSON object of string keys and values) and ``bool`` (custom ``x_`` columns only).
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = ["FOCUS_COLUMNS", "FOCUS_TYPES", "UNITS", "FocusType"]

FocusType = Literal["decimal", "datetime", "string", "json", "bool"]

#: Every column, FOCUS order within each group: mandatory, conditional, recommended, custom.
FOCUS_TYPES: Final[dict[str, FocusType]] = {
    # Mandatory.
    "BilledCost": "decimal",
    "EffectiveCost": "decimal",
    "ListCost": "decimal",
    "ContractedCost": "decimal",
    "BillingAccountId": "string",
    "BillingAccountName": "string",
    "BillingCurrency": "string",
    "BillingPeriodStart": "datetime",
    "BillingPeriodEnd": "datetime",
    "ChargeCategory": "string",
    "ChargeClass": "string",
    "ChargeDescription": "string",
    "ChargePeriodStart": "datetime",
    "ChargePeriodEnd": "datetime",
    "InvoiceIssuerName": "string",
    "ProviderName": "string",
    "PublisherName": "string",
    "PricingQuantity": "decimal",
    "PricingUnit": "string",
    "ServiceCategory": "string",
    "ServiceName": "string",
    # Conditional: the concepts OpenAI's costs have.
    "ConsumedQuantity": "decimal",
    "ConsumedUnit": "string",
    "PricingCategory": "string",
    "SkuId": "string",
    "SkuMeter": "string",
    "SubAccountId": "string",
    "SubAccountName": "string",
    "SubAccountType": "string",
    "Tags": "json",
    # Recommended.
    "ChargeFrequency": "string",
    "InvoiceId": "string",
    "ServiceSubcategory": "string",
    # FOCUS 1.3's names of the provider, written too (1.2 readers ignore them).
    "ServiceProviderName": "string",
    "HostProviderName": "string",
    # Custom.
    "x_ApiKeyId": "string",
    "x_ApiKeyName": "string",
    "x_UserId": "string",
    "x_UserEmail": "string",
    "x_LineItem": "string",
    "x_Provisional": "bool",
}
FOCUS_COLUMNS: Final = tuple(FOCUS_TYPES)
#: With ``split``: each row says whether it is a billed cell kept whole (``billed``) or a share
#: of one allocated from usage (``allocated``); the allocated rows of a cell add up to it.
FOCUS_SPLIT_TYPES: Final[dict[str, str]] = {**FOCUS_TYPES, "x_Basis": "string"}
FOCUS_SPLIT_COLUMNS: Final = tuple(FOCUS_SPLIT_TYPES)

#: OpenAI's ``quantity_unit`` as a FOCUS unit (the unit format: a count of a plural noun).
UNITS: Final = {
    "tokens": "Tokens",
    "1000_tokens": "1000 Tokens",
    "images": "Images",
    "characters": "Characters",
    "duration_seconds": "Seconds",
    "duration_minutes": "Minutes",
    "duration_hours": "Hours",
    "gibibyte_hours": "GiB-Hours",
    "sessions": "Sessions",
    "calls": "Calls",
    "requests": "Requests",
}
