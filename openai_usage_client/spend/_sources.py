"""Where the spend library reads from: small protocols, so it takes the real objects and
plain test doubles alike.

* ``RowSource``: anything with ``rows(endpoint, start=None, end=None)`` yielding the rows of
  ``openai_usage_client.rows`` (the local store has this method). ``ClientSource`` adapts a
  ``UsageClient``: one costs request grouped by project, line item and API key.
* ``DirectoryLike``: the names of an organization (``project(id)``, ``api_key(id)``,
  ``user(id)``, each a record with ``id``, ``name``, ... or ``None``).
* ``SpendSetting``: one of OpenAI's own spend limits or alerts, in exact dollars.
* ``OrgSource``: one organization: its label, its rows, optionally its directory and settings.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .. import UsageClient
    from .._exports import Row
    from .config import SpendConfig

__all__ = [
    "COST_GROUPING",
    "ClientSource",
    "DirectoryLike",
    "OrgSource",
    "RowSource",
    "SpendSetting",
    "directory_records",
    "open_organizations",
]

#: How spend rows are fetched from the API: what allocation and anomalies need.
COST_GROUPING: Final = ("project_id", "line_item", "api_key_id")


@runtime_checkable
class DirectoryLike(Protocol):
    """Name look-ups of one organization (``client.directory()`` returns one)."""

    def project(self, id: str, /) -> Any: ...
    def api_key(self, id: str, /) -> Any: ...
    def user(self, id: str, /) -> Any: ...


class RowSource(Protocol):
    """Rows of an endpoint over ``[start, end)`` (aware datetimes; ``None``: unbounded)."""

    def rows(
        self, endpoint: str, start: datetime | None = None, end: datetime | None = None
    ) -> Iterable[Row]: ...


def directory_records(directory: object, kind: str) -> list[Any]:
    """Every record of ``kind`` (``projects``, ``api_keys``, ``users``) a directory lists.

    Accepts the collection as an attribute or a method, a sequence or a mapping by ID: the
    directory's iteration is read through this one function.
    """
    member = getattr(directory, kind, None)
    if member is None:
        return []
    items = member() if callable(member) else member
    if isinstance(items, Mapping):
        items = items.values()
    return list(items)


@dataclass(frozen=True)
class ClientSource:
    """A ``RowSource`` reading costs from the API through the public client."""

    client: UsageClient

    def rows(
        self, endpoint: str, start: datetime | None = None, end: datetime | None = None
    ) -> Iterable[Row]:
        from .._exports import rows

        if endpoint != "costs":
            raise ValueError(f"ClientSource serves costs only, not {endpoint!r}")
        if start is None:
            raise ValueError("ClientSource needs a start time")
        stream = self.client.costs(
            start_time=start,
            end_time=end,
            group_by=list(COST_GROUPING),
            bucket_width="1d",
        )
        return rows(stream, "costs")


@dataclass(frozen=True)
class SpendSetting:
    """One of OpenAI's own spend limits or alerts, next to the local budgets.

    ``scope`` is ``"organization"`` or ``"project:<id>"``; ``kind`` ``"limit"`` (a spend
    limit; ``enforcing`` says whether OpenAI stops requests at it) or ``"alert"``. Amounts are
    exact dollars (the API sends cents).
    """

    scope: str
    kind: Literal["limit", "alert"]
    amount_usd: Decimal
    enforcing: bool = False
    interval: str = "month"

    @property
    def hard(self) -> bool:
        return self.kind == "limit" and self.enforcing

    @classmethod
    def from_cents(
        cls,
        scope: str,
        kind: Literal["limit", "alert"],
        cents: int,
        *,
        enforcing: bool = False,
        interval: str = "month",
    ) -> SpendSetting:
        return cls(scope, kind, Decimal(cents) / 100, enforcing, interval)


@dataclass
class OrgSource:
    """One organization to check: a label, its rows, and optionally its names and settings."""

    name: str
    source: RowSource
    directory: DirectoryLike | None = None
    settings: Sequence[SpendSetting] = field(default_factory=tuple)


@contextmanager
def open_organizations(
    config: SpendConfig,
    *,
    environ: Mapping[str, str] | None = None,
    **client_options: Any,
) -> Iterator[list[OrgSource]]:
    """One API client per organization of ``config``, as ``OrgSource`` items; closed on exit.

    Each key is read from the environment variable the organization names
    (``admin_key_env``); a missing one is a ``ConfigError`` naming the variable.
    """
    from .. import UsageClient

    env = os.environ if environ is None else environ
    clients: list[UsageClient] = []
    try:
        sources: list[OrgSource] = []
        for i, org in enumerate(config.organizations):
            key = env.get(org.admin_key_env, "").strip()
            if not key:
                problem = (
                    f"organization {org.name!r}: the environment variable {org.admin_key_env} "
                    "is not set (it holds the organization's admin key)"
                )
                if config.organization:
                    raise config.error("organization", i, problem, org.admin_key_env)
                from .._exceptions import MissingAdminKeyError

                raise MissingAdminKeyError(problem)
            options = dict(client_options)
            if org.base_url:
                options["base_url"] = org.base_url
            client = UsageClient(key, **options)
            clients.append(client)
            sources.append(OrgSource(org.name, ClientSource(client)))
        yield sources
    finally:
        for client in clients:
            client.close()
