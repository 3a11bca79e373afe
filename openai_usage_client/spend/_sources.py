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
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .._client import UsageClient
    from .._core._exports import Row
    from .config import SpendConfig

from ._directory import DirectoryLike
from ._gaps import Gaps, store_gaps

__all__ = [
    "COST_GROUPING",
    "ClientSettings",
    "ClientSource",
    "OrgSource",
    "RowSource",
    "SettingsSource",
    "SpendSetting",
    "StoreLike",
    "StoreSource",
    "open_organizations",
]

#: How spend rows are fetched from the API: what allocation and anomalies need.
COST_GROUPING: Final = ("project_id", "line_item", "api_key_id")


class RowSource(Protocol):
    """Rows of an endpoint over ``[start, end)`` (aware datetimes; ``None``: unbounded)."""

    def rows(
        self, endpoint: str, start: datetime | None = None, end: datetime | None = None
    ) -> Iterable[Row]: ...


@dataclass(frozen=True)
class ClientSource:
    """A ``RowSource`` reading costs from the API through the public client.

    Costs are grouped by ``COST_GROUPING``; an organization that refuses costs grouped by
    ``api_key_id`` (HTTP 400, ``live-api-facts.md`` section 3, item 7) is read without it,
    one refused request per read, and ``notes`` says so (keys and team rules by key then
    see no spend)."""

    client: UsageClient
    notes: list[str] = field(default_factory=list)

    def rows(
        self, endpoint: str, start: datetime | None = None, end: datetime | None = None
    ) -> Iterable[Row]:
        if endpoint != "costs":
            raise ValueError(f"ClientSource serves costs only, not {endpoint!r}")
        if start is None:
            raise ValueError("ClientSource needs a start time")
        return self._rows(start, end)

    def _rows(self, start: datetime, end: datetime | None) -> Iterator[Row]:
        from .._core._exceptions import BadRequestError
        from .._core._exports import rows

        group_by: list[Any] = list(COST_GROUPING)
        while True:
            stream = self.client.costs(
                start_time=start, end_time=end, group_by=group_by, bucket_width="1d"
            )
            read = 0
            try:
                for row in rows(stream, "costs"):
                    read += 1
                    yield row
                return
            except BadRequestError as error:
                if read or "api_key_id" not in group_by:
                    raise  # not a refusal of the grouping: it stands
                group_by.remove("api_key_id")
                said = error.api_message or error
                self.notes.append(
                    "costs: the API refused grouping by api_key_id for this organization "
                    f"(HTTP 400: {said}); read by {', '.join(group_by)}: spend by API key, "
                    "and team rules by key, see none of it"
                )


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
    #: Whose setting it is, when a check covers several organizations (``None``: one).
    organization: str | None = None

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


@runtime_checkable
class SettingsSource(Protocol):
    """OpenAI's spend limits and alerts of an organization and of some of its projects;
    ``warnings`` says what could not be read."""

    warnings: list[str]

    def settings(self, project_ids: Collection[str]) -> Sequence[SpendSetting]: ...


class ClientSettings:
    """A ``SettingsSource`` reading the API: ``client.spend_limit``, ``client.spend_alerts``
    and their project twins. No limit configured (404) is no setting; a key that may not read
    them (401/403) gives one warning instead of failing the check."""

    def __init__(self, client: UsageClient) -> None:
        self.client = client
        self.warnings: list[str] = []
        self._organization: list[SpendSetting] | None = None
        self._projects: dict[str, list[SpendSetting]] = {}

    def _read(self, what: str, read: Callable[[], list[SpendSetting]]) -> list[SpendSetting]:
        from .._core._exceptions import AuthenticationError, NotFoundError, PermissionDeniedError

        if self.warnings:  # the key may not read settings: one note is enough
            return []
        try:
            return read()
        except NotFoundError:
            return []
        except (AuthenticationError, PermissionDeniedError) as error:
            status = getattr(error, "status_code", "")
            self.warnings.append(f"OpenAI's {what} not shown: the key may not read them ({status})")
            return []

    def _org(self) -> list[SpendSetting]:
        limit = self.client.spend_limit.retrieve()
        enforcing = limit.enforcement.status == "enforcing"
        return [
            SpendSetting("organization", "limit", limit.threshold_usd, enforcing, limit.interval)
        ]

    def _org_alerts(self) -> list[SpendSetting]:
        return [
            SpendSetting("organization", "alert", a.threshold_usd, interval=a.interval)
            for a in self.client.spend_alerts.list()
        ]

    def _project(self, project_id: str) -> list[SpendSetting]:
        scope = f"project:{project_id}"
        limit = self.client.projects.spend_limit.retrieve(project_id)
        enforcing = limit.enforcement.status == "enforcing"
        return [SpendSetting(scope, "limit", limit.threshold_usd, enforcing, limit.interval)]

    def _project_alerts(self, project_id: str) -> list[SpendSetting]:
        scope = f"project:{project_id}"
        return [
            SpendSetting(scope, "alert", a.threshold_usd, interval=a.interval)
            for a in self.client.projects.spend_alerts.list(project_id)
        ]

    def settings(self, project_ids: Collection[str]) -> list[SpendSetting]:
        if self._organization is None:
            self._organization = self._read("organization spend limit", self._org)
            self._organization += self._read("organization spend alerts", self._org_alerts)
        out = list(self._organization)
        for pid in sorted(project_ids):
            if pid not in self._projects:
                found = self._read("project spend limits", partial(self._project, pid))
                found += self._read("project spend alerts", partial(self._project_alerts, pid))
                self._projects[pid] = found
            out += self._projects[pid]
        return out


class StoreLike(Protocol):
    """What ``StoreSource`` needs of ``openai_usage_client.store.Store``."""

    def rows(
        self,
        endpoint: str,
        start: datetime | None = None,
        end: datetime | None = None,
        names: bool = True,
        *,
        organization: str | None = None,
    ) -> Iterable[Row]: ...

    def coverage(
        self,
        endpoints: str,
        start: datetime,
        end: datetime,
        *,
        now: datetime | None = None,
        organization: str | None = None,
    ) -> Any: ...


@dataclass(frozen=True)
class StoreSource:
    """A ``RowSource`` reading one organization's rows from a local store, with names;
    ``gaps`` says what the store lacks of a month (``check`` does not judge such a month)."""

    store: StoreLike
    organization: str | None = None
    #: The store's path as the sync command that fills a gap names it (default: the
    #: store's own ``path``).
    path: str | None = None

    def rows(
        self, endpoint: str, start: datetime | None = None, end: datetime | None = None
    ) -> Iterable[Row]:
        return self.store.rows(endpoint, start, end, True, organization=self.organization)

    def gaps(self, start: datetime, now: datetime, max_age: timedelta) -> Gaps:
        """The days of ``[start, now)`` the store's costs lack, and the last sync's age."""
        held = self.store.coverage("costs", start, now, now=now, organization=self.organization)
        return store_gaps(
            held,
            self.organization or "default",
            now,
            path=self.path or str(getattr(self.store, "path", "usage.db")),
            max_age=max_age,
        )


@dataclass
class OrgSource:
    """One organization to check: a label, its rows, and optionally its names, OpenAI's spend
    settings (a fixed list or a ``SettingsSource`` such as ``ClientSettings``) and notes
    (where the data came from, what could not be read; shown with the result)."""

    name: str
    source: RowSource
    directory: DirectoryLike | None = None
    settings: Sequence[SpendSetting] | SettingsSource = field(default_factory=tuple)
    notes: list[str] = field(default_factory=list)

    def gaps(self, start: datetime, now: datetime, max_age: timedelta) -> Gaps | None:
        """What the source lacks of ``[start, now)`` (a local store); ``None`` for the API,
        whose streams refuse an answer with a bucket left out."""
        read = getattr(self.source, "gaps", None)
        return read(start, now, max_age) if callable(read) else None

    def spend_settings(self, project_ids: Collection[str]) -> list[SpendSetting]:
        if isinstance(self.settings, SettingsSource):
            return list(self.settings.settings(project_ids))
        return list(self.settings)


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
    from .._client import UsageClient

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
                from .._core._exceptions import MissingAdminKeyError

                raise MissingAdminKeyError(problem)
            options = dict(client_options)
            if org.base_url:
                options["base_url"] = org.base_url
            client = UsageClient(key, **options)
            clients.append(client)
            sources.append(
                OrgSource(org.name, ClientSource(client), settings=ClientSettings(client))
            )
        yield sources
    finally:
        for client in clients:
            client.close()
