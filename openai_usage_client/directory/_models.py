"""Spend limits and alerts with their money as exact dollars, on top of the generated models.

The API states spend thresholds in **cents** (``threshold_amount: 100000`` is $1,000). These
subclasses add ``threshold_usd``, the same amount as an exact ``Decimal`` in dollars, so no
caller has to remember to divide (nor does it with a float). No field is modelled twice: the
wire fields are the generated ones.
"""

from __future__ import annotations

from decimal import Decimal

from .._generated.models.organization_spend_alert import (
    OrganizationSpendAlert as _OrganizationSpendAlert,
)
from .._generated.models.organization_spend_alert_list import (
    OrganizationSpendAlertList as _OrganizationSpendAlertList,
)
from .._generated.models.organization_spend_limit import (
    OrganizationSpendLimit as _OrganizationSpendLimit,
)
from .._generated.models.project_spend_alert import ProjectSpendAlert as _ProjectSpendAlert
from .._generated.models.project_spend_alert_list import (
    ProjectSpendAlertList as _ProjectSpendAlertList,
)
from .._generated.models.project_spend_limit import ProjectSpendLimit as _ProjectSpendLimit

__all__ = [
    "OrganizationSpendAlert",
    "OrganizationSpendAlertPage",
    "OrganizationSpendLimit",
    "ProjectSpendAlert",
    "ProjectSpendAlertPage",
    "ProjectSpendLimit",
    "cents_to_usd",
]


def cents_to_usd(cents: int) -> Decimal:
    """``12345`` -> ``Decimal("123.45")``, exactly."""
    return Decimal(cents).scaleb(-2)


class OrganizationSpendLimit(_OrganizationSpendLimit):
    """The organization's hard spend limit; ``threshold_usd`` is the limit in dollars."""

    @property
    def threshold_usd(self) -> Decimal:
        """``threshold_amount`` (cents) as exact dollars (the API supports only USD)."""
        return cents_to_usd(self.threshold_amount)


class ProjectSpendLimit(_ProjectSpendLimit):
    """A project's hard spend limit; ``threshold_usd`` is the limit in dollars."""

    @property
    def threshold_usd(self) -> Decimal:
        """``threshold_amount`` (cents) as exact dollars (the API supports only USD)."""
        return cents_to_usd(self.threshold_amount)


class OrganizationSpendAlert(_OrganizationSpendAlert):
    """A spend alert of the organization; ``threshold_usd`` is its threshold in dollars."""

    @property
    def threshold_usd(self) -> Decimal:
        """``threshold_amount`` (cents) as exact dollars (the API supports only USD)."""
        return cents_to_usd(self.threshold_amount)


class ProjectSpendAlert(_ProjectSpendAlert):
    """A spend alert of a project; ``threshold_usd`` is its threshold in dollars."""

    @property
    def threshold_usd(self) -> Decimal:
        """``threshold_amount`` (cents) as exact dollars (the API supports only USD)."""
        return cents_to_usd(self.threshold_amount)


class OrganizationSpendAlertPage(_OrganizationSpendAlertList):
    """A page of organization spend alerts, each with ``threshold_usd``."""

    data: list[OrganizationSpendAlert]  # type: ignore[assignment]  # a subclass of the item


class ProjectSpendAlertPage(_ProjectSpendAlertList):
    """A page of project spend alerts, each with ``threshold_usd``."""

    data: list[ProjectSpendAlert]  # type: ignore[assignment]  # a subclass of the item
