"""Spend control: teams, monthly budgets with a forecast, anomalies, several organizations.
It imports ``_core``, ``analysis`` and the clients; ``report`` and the CLI show its figures.

No click here: the ``openai-usage check`` command renders what this package computes.

* ``config``: the TOML file (``load_config``), ``[[organization]]``, ``[[team]]``, ``[[budget]]``.
* ``allocate``: a ``team`` for every cost row (API-key rule, then user, then project).
* ``forecast``: month to date and a weekday-aware forecast to month end with a range.
* ``anomaly``: days far above their recent history (median and MAD), per project, model, key.
* ``check``: budget statuses ``ok`` / ``warn`` / ``over`` / ``forecast-over`` / ``unknown``
  (the data does not hold the month) and ``notify``.
* ``totals``: several organizations side by side and combined per currency.
* ``sections``: the report's sections of a config: teams, organizations, budget lines
  (``spend.report``, its former name, still imports).

Data comes through small protocols (``RowSource``: the API via ``ClientSource``, or a local
store; ``DirectoryLike``: names), so the same code runs on the API, a store or test doubles.
"""

from ._directory import DirectoryLike
from ._errors import ConfigError, NotifyError
from ._gaps import DEFAULT_MAX_AGE, Gaps
from ._open import month_start, stored_organizations, with_names_and_settings
from ._sources import (
    COST_GROUPING,
    ClientSettings,
    ClientSource,
    OrgSource,
    RowSource,
    SettingsSource,
    SpendSetting,
    StoreLike,
    StoreSource,
    open_organizations,
)
from .allocate import UNALLOCATED, Allocator, allocate
from .anomaly import Anomaly, find_anomalies
from .check import (
    NOTIFY_TEST_HINT,
    BudgetResult,
    CheckResult,
    budget_status,
    check,
    notify,
    notify_host,
)
from .config import (
    DEFAULT_CONFIG,
    BudgetConfig,
    OrganizationConfig,
    SpendConfig,
    TeamConfig,
    check_against_directory,
    load_config,
    parse_config,
)
from .forecast import Forecast, daily_totals, forecast_month, linear_projection
from .sections import SpendSections, TeamSpend, spend_sections, team_spend
from .totals import OrganizationTotals, SpendTotals, organization_totals

__all__ = [
    "COST_GROUPING",
    "DEFAULT_CONFIG",
    "DEFAULT_MAX_AGE",
    "NOTIFY_TEST_HINT",
    "UNALLOCATED",
    "Allocator",
    "Anomaly",
    "BudgetConfig",
    "BudgetResult",
    "CheckResult",
    "ClientSettings",
    "ClientSource",
    "ConfigError",
    "DirectoryLike",
    "Forecast",
    "Gaps",
    "NotifyError",
    "OrgSource",
    "OrganizationConfig",
    "OrganizationTotals",
    "RowSource",
    "SettingsSource",
    "SpendConfig",
    "SpendSections",
    "SpendSetting",
    "SpendTotals",
    "StoreLike",
    "StoreSource",
    "TeamConfig",
    "TeamSpend",
    "allocate",
    "budget_status",
    "check",
    "check_against_directory",
    "daily_totals",
    "find_anomalies",
    "forecast_month",
    "linear_projection",
    "load_config",
    "month_start",
    "notify",
    "notify_host",
    "open_organizations",
    "organization_totals",
    "parse_config",
    "spend_sections",
    "stored_organizations",
    "team_spend",
    "with_names_and_settings",
]
