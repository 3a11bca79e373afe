"""The report as data: ``Report``, the queries it is made of, and its one error.

Built by ``_build`` (from the API or rows) and ``_from_store`` (from a local store); shown by
``_text``, ``_views`` (markdown, JSON) and ``_charts``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Protocol

from .._core._exceptions import OpenAIUsageError
from ._views import ModelTop, day_totals

if TYPE_CHECKING:
    from .._core._exports import Row
    from ..store import Coverage
    from ._estimated import EstimatedSpend

__all__ = [
    "MONEY",
    "REPORT_QUERIES",
    "TOKENS",
    "MixedCurrencyError",
    "Report",
    "ReportQuery",
    "SpendView",
]

MONEY: Final = ["amount_value"]
TOKENS: Final = ["input_tokens", "output_tokens", "input_cached_tokens", "num_model_requests"]


class MixedCurrencyError(OpenAIUsageError, ValueError):
    """The costs of the period are in several currencies; a report totals one."""

    def __init__(self, currencies: Iterable[str]) -> None:
        self.currencies = sorted(currencies)
        super().__init__(
            f"costs are in several currencies ({', '.join(self.currencies)}); the report "
            "totals one: export the costs (to_csv, or 'openai-usage costs -f csv') instead"
        )


@dataclass(frozen=True)
class ReportQuery:
    """One of the calls a report needs: what to call it, the endpoint, and its group-by."""

    key: str
    label: str
    endpoint: str
    group_by: tuple[str, ...]


#: The four calls, in the order ``build_report`` makes them.
REPORT_QUERIES: Final = (
    ReportQuery("costs", "costs by project and line item", "costs", ("project_id", "line_item")),
    ReportQuery("costs_by_key", "costs by API key", "costs", ("api_key_id", "line_item")),
    ReportQuery("costs_by_user", "costs by user", "costs", ("user_id", "line_item")),
    ReportQuery("tokens", "completions by model", "completions", ("model",)),
)


class SpendView(Protocol):
    """A spend config's sections as the report shows them (``spend.SpendSections`` is one):
    the spend layer sits above the report, so the report names only what it calls."""

    def to_dict(self) -> dict[str, Any]: ...
    def markdown(self) -> list[str]: ...
    def text(self, block: str) -> list[str]: ...


@dataclass
class Report:
    """Totals over ``[start, end)``. Every list is largest first (see ``summarize``)."""

    start: datetime
    end: datetime
    #: Where the data came from (a base URL, "offline fake organization", ...).
    source: str
    currency: str = "usd"
    total: Decimal = Decimal(0)
    by_project: list[Row] = field(default_factory=list)
    by_line_item: list[Row] = field(default_factory=list)
    by_model: list[Row] = field(default_factory=list)
    by_key: list[Row] = field(default_factory=list)
    by_user: list[Row] = field(default_factory=list)
    tokens: list[Row] = field(default_factory=list)
    #: Every day of the period, with its spend per project (absent: nothing spent). From a
    #: store, a ``StoredDaily`` that reads one day at a time while the store is open.
    daily: Mapping[date, Mapping[str | None, Decimal]] = field(default_factory=dict)
    #: Per model (top 10 by spend), the three API keys and users that spent most on it.
    top_by_model: list[ModelTop] = field(default_factory=list)
    #: The names of projects, keys and users (a ``Directory``), or ``None``: IDs are shown.
    names: Any = None
    #: Why names were not looked up when they were asked for (a key without permission).
    names_note: str | None = None
    #: Days of the period whose costs may still change (a store's provisional buckets).
    provisional: set[date] = field(default_factory=set)
    #: Lines about the data itself (a store's freshness), shown under the source.
    notes: list[str] = field(default_factory=list)
    #: Filter values no row of the period matched, with the closest values seen (per
    #: filter: ``{"models": {"gpt-4.2": ["gpt-4.1-2025-04-14", ...]}}``).
    unmatched: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    #: What a store holds of the period per endpoint read (``None``: fetched from the API).
    coverage: Coverage | None = None
    #: ``REPORT_QUERIES`` keys whose data the source does not hold, with the reason.
    unavailable: dict[str, str] = field(default_factory=dict)
    #: ``REPORT_QUERIES`` keys whose figures are not billed as shown, with their basis
    #: (``"allocated from usage"``: ``attribution.allocated_views``); absent: billed.
    basis: dict[str, str] = field(default_factory=dict)
    #: A spend config's teams, organizations and budget lines (``spend.spend_sections``).
    spend: SpendView | None = None
    #: Per ID column (``api_key_id``, ``user_id``): the total minus what that grouping's rows
    #: add up to, where they differ. The API answers each grouping apart; while costs settle
    #: two answers may come from different moments, and the gap is shown, never hidden.
    differences: dict[str, Decimal] = field(default_factory=dict)
    #: The spend of the period's unsettled days estimated from usage, and past estimates
    #: against their bills (``attribution.estimated_spend``); ``None``: not asked.
    estimated: EstimatedSpend | None = None

    def day_totals(self) -> dict[date, Decimal]:
        """Each day's spend over every project, in day order."""
        return day_totals(self.daily)

    def labels(self, column: str, values: list[Any], missing: str) -> list[str]:
        """Display labels of ``values`` of an ID column: names when the report has them
        (archived projects and deleted keys marked), else the IDs (``report._labels``)."""
        from ._labels import labels

        return labels(self.names, column, values, missing)
