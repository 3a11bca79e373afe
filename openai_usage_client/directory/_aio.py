"""The async client's directory resources: ``AsyncRequester.projects``, ``.users``, ...

Twins of ``_directory_resources`` (which holds the routes both use and the checks); each
list returns an ``AsyncCursorList`` (``async for item in ...``), each retrieve a coroutine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._core._cursor_list import AsyncCursorList, CursorPage
from .._generated.api.directory import (
    retrieve_admin_api_key,
    retrieve_organization_spend_alert,
    retrieve_organization_spend_limit,
    retrieve_project,
    retrieve_project_api_key,
    retrieve_project_service_account,
    retrieve_project_spend_alert,
    retrieve_project_spend_limit,
    retrieve_project_user,
    retrieve_user,
)
from .._generated.models import (
    AdminApiKey,
    Project,
    ProjectApiKey,
    ProjectServiceAccount,
    ProjectUser,
    User,
)
from ._models import (
    OrganizationSpendAlert,
    OrganizationSpendLimit,
    ProjectSpendAlert,
    ProjectSpendLimit,
)
from ._resources import (
    Order,
    OwnerAccess,
    Route,
    _after,
    _id,
    _route_admin_keys,
    _route_api_keys,
    _route_project_spend_alerts,
    _route_project_users,
    _route_projects,
    _route_service_accounts,
    _route_spend_alerts,
    _route_users,
    _url,
    one,
)

if TYPE_CHECKING:
    from .._core._requester import AsyncRequester

__all__ = [
    "AsyncAdminApiKeys",
    "AsyncProjects",
    "AsyncSpendAlerts",
    "AsyncSpendLimit",
    "AsyncUsers",
]


def _alist(client: AsyncRequester, route: Route, after: object) -> AsyncCursorList[Any]:
    path, params, model = route

    async def fetch(path: str, params: Mapping[str, Any]) -> CursorPage[Any]:
        page: CursorPage[Any] = await client.get(path, params=params, cast_to=model)
        return page

    return AsyncCursorList(fetch, path, params, _after(after))


class AsyncProjectApiKeys:
    """``client.projects.api_keys`` of the async client."""

    def __init__(self, client: AsyncRequester) -> None:
        self._client = client

    def list(
        self,
        project_id: str,
        *,
        owner_project_access: OwnerAccess | None = None,
        limit: int | None = None,
        after: str | None = None,
    ) -> AsyncCursorList[ProjectApiKey]:
        """The project's API keys (deleted keys are not listed; their spend stays)."""
        route = _route_api_keys(project_id, limit, owner_project_access)
        return _alist(self._client, route, after)

    async def retrieve(self, project_id: str, api_key_id: str) -> ProjectApiKey:
        """One API key of the project."""
        url = one(retrieve_project_api_key, project_id=project_id, api_key_id=api_key_id)
        return await self._client.get(url, cast_to=ProjectApiKey)


class AsyncProjectServiceAccounts:
    """``client.projects.service_accounts`` of the async client."""

    def __init__(self, client: AsyncRequester) -> None:
        self._client = client

    def list(
        self, project_id: str, *, limit: int | None = None, after: str | None = None
    ) -> AsyncCursorList[ProjectServiceAccount]:
        """The project's service accounts."""
        return _alist(self._client, _route_service_accounts(project_id, limit), after)

    async def retrieve(self, project_id: str, service_account_id: str) -> ProjectServiceAccount:
        """One service account of the project."""
        url = one(
            retrieve_project_service_account,
            project_id=project_id,
            service_account_id=service_account_id,
        )
        return await self._client.get(url, cast_to=ProjectServiceAccount)


class AsyncProjectUsers:
    """``client.projects.users`` of the async client."""

    def __init__(self, client: AsyncRequester) -> None:
        self._client = client

    def list(
        self, project_id: str, *, limit: int | None = None, after: str | None = None
    ) -> AsyncCursorList[ProjectUser]:
        """The project's members."""
        return _alist(self._client, _route_project_users(project_id, limit), after)

    async def retrieve(self, project_id: str, user_id: str) -> ProjectUser:
        """One member of the project."""
        url = one(retrieve_project_user, project_id=project_id, user_id=user_id)
        return await self._client.get(url, cast_to=ProjectUser)


class AsyncProjectSpendLimits:
    """``client.projects.spend_limit`` of the async client."""

    def __init__(self, client: AsyncRequester) -> None:
        self._client = client

    async def retrieve(self, project_id: str) -> ProjectSpendLimit:
        """The project's hard spend limit (``threshold_usd``: exact dollars)."""
        kwargs = retrieve_project_spend_limit._get_kwargs(_id("project_id", project_id))
        return await self._client.get(_url(kwargs), cast_to=ProjectSpendLimit)


class AsyncProjectSpendAlerts:
    """``client.projects.spend_alerts`` of the async client."""

    def __init__(self, client: AsyncRequester) -> None:
        self._client = client

    def list(
        self,
        project_id: str,
        *,
        order: Order | None = None,
        limit: int | None = None,
        after: str | None = None,
    ) -> AsyncCursorList[ProjectSpendAlert]:
        """The project's spend alerts (``threshold_usd``: exact dollars)."""
        route = _route_project_spend_alerts(project_id, order, limit)
        return _alist(self._client, route, after)

    async def retrieve(self, project_id: str, alert_id: str) -> ProjectSpendAlert:
        """One spend alert of the project (``threshold_usd``: exact dollars)."""
        url = one(retrieve_project_spend_alert, project_id=project_id, alert_id=alert_id)
        return await self._client.get(url, cast_to=ProjectSpendAlert)


class AsyncProjects:
    """``client.projects`` of the async client."""

    def __init__(self, client: AsyncRequester) -> None:
        self._client = client
        self.api_keys = AsyncProjectApiKeys(client)
        self.service_accounts = AsyncProjectServiceAccounts(client)
        self.users = AsyncProjectUsers(client)
        self.spend_limit = AsyncProjectSpendLimits(client)
        self.spend_alerts = AsyncProjectSpendAlerts(client)

    def list(
        self,
        *,
        include_archived: bool = False,
        limit: int | None = None,
        after: str | None = None,
    ) -> AsyncCursorList[Project]:
        """The projects; archived ones only with ``include_archived=True``."""
        return _alist(self._client, _route_projects(include_archived, limit), after)

    async def retrieve(self, project_id: str) -> Project:
        """One project (archived ones too)."""
        kwargs = retrieve_project._get_kwargs(_id("project_id", project_id))
        return await self._client.get(_url(kwargs), cast_to=Project)


class AsyncUsers:
    """``client.users`` of the async client."""

    def __init__(self, client: AsyncRequester) -> None:
        self._client = client

    def list(
        self,
        *,
        emails: Sequence[str] | None = None,
        limit: int | None = None,
        after: str | None = None,
    ) -> AsyncCursorList[User]:
        """The users, or only those with these email addresses."""
        return _alist(self._client, _route_users(emails, limit), after)

    async def retrieve(self, user_id: str) -> User:
        """One user."""
        kwargs = retrieve_user._get_kwargs(_id("user_id", user_id))
        return await self._client.get(_url(kwargs), cast_to=User)


class AsyncAdminApiKeys:
    """``client.admin_api_keys`` of the async client."""

    def __init__(self, client: AsyncRequester) -> None:
        self._client = client

    def list(
        self, *, order: Order | None = None, limit: int | None = None, after: str | None = None
    ) -> AsyncCursorList[AdminApiKey]:
        """The organization's admin keys (redacted values only)."""
        return _alist(self._client, _route_admin_keys(order, limit), after)

    async def retrieve(self, key_id: str) -> AdminApiKey:
        """One admin key (its redacted value only)."""
        url = one(retrieve_admin_api_key, key_id=key_id)
        return await self._client.get(url, cast_to=AdminApiKey)


class AsyncSpendLimit:
    """``client.spend_limit`` of the async client."""

    def __init__(self, client: AsyncRequester) -> None:
        self._client = client

    async def retrieve(self) -> OrganizationSpendLimit:
        """The organization's hard spend limit (``threshold_usd``: exact dollars)."""
        kwargs = retrieve_organization_spend_limit._get_kwargs()
        return await self._client.get(_url(kwargs), cast_to=OrganizationSpendLimit)


class AsyncSpendAlerts:
    """``client.spend_alerts`` of the async client."""

    def __init__(self, client: AsyncRequester) -> None:
        self._client = client

    def list(
        self, *, order: Order | None = None, limit: int | None = None, after: str | None = None
    ) -> AsyncCursorList[OrganizationSpendAlert]:
        """The organization's spend alerts (``threshold_usd``: exact dollars)."""
        return _alist(self._client, _route_spend_alerts(order, limit), after)

    async def retrieve(self, alert_id: str) -> OrganizationSpendAlert:
        """One spend alert of the organization (``threshold_usd``: exact dollars)."""
        url = one(retrieve_organization_spend_alert, alert_id=alert_id)
        return await self._client.get(url, cast_to=OrganizationSpendAlert)
