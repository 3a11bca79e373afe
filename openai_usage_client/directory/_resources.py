"""``client.projects``, ``client.users``, ``client.admin_api_keys``, ``client.spend_limit``,
``client.spend_alerts`` and ``client.directory()``: the admin API's directory reads.

Each request is built by the generated endpoint module (``_generated.api.directory``, from
``openapi.yaml``) and sent with ``client.get``, so retries, typed errors and key redaction
are those of every other call. Lists are lazy ``CursorList`` streams (``AsyncCursorList`` on
the async client) paged by ``after``; parameters are checked before any request.

The routes (``_route_*``) are written once; the sync and async resources only differ in
what they return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar

import pydantic

from .._core._cursor_list import CursorList, CursorPage, check_limit
from .._core._exceptions import InvalidParameterError
from .._generated.api.directory import (
    list_admin_api_keys,
    list_organization_spend_alerts,
    list_project_api_keys,
    list_project_service_accounts,
    list_project_spend_alerts,
    list_project_users,
    list_projects,
    list_users,
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
    AdminApiKeyList,
    Project,
    ProjectApiKey,
    ProjectApiKeyList,
    ProjectList,
    ProjectServiceAccount,
    ProjectServiceAccountList,
    ProjectUser,
    ProjectUserList,
    User,
    UserList,
)
from .._generated.types import UNSET
from ._models import (
    OrganizationSpendAlert,
    OrganizationSpendAlertPage,
    OrganizationSpendLimit,
    ProjectSpendAlert,
    ProjectSpendAlertPage,
    ProjectSpendLimit,
)

if TYPE_CHECKING:
    from .._core._requester import Requester

__all__ = [
    "AdminApiKeys",
    "Order",
    "OwnerAccess",
    "Projects",
    "Route",
    "SpendAlerts",
    "SpendLimit",
    "Users",
    "one",
]

Order = Literal["asc", "desc"]
OwnerAccess = Literal["active", "inactive", "any"]
M = TypeVar("M", bound=pydantic.BaseModel)
#: (path, query parameters, model of the body)
Route = tuple[str, dict[str, Any], type[Any]]

_ORDERS: Final = ("asc", "desc")
_OWNER_ACCESS: Final = ("active", "inactive", "any")


# --- checks ---------------------------------------------------------------------------------


def _id(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidParameterError(name, value, "a non-empty ID string")
    return value


def one(builder: Any, **ids: object) -> str:
    """The URL of a single-object read: each ID checked (a non-empty string), then quoted
    into the path by the generated builder."""
    return _url(builder._get_kwargs(**{name: _id(name, v) for name, v in ids.items()}))


def _after(value: object) -> str | None:
    return None if value is None else _id("after", value)


def _choice(name: str, value: object, choices: Sequence[str]) -> Any:
    if value is not None and value not in choices:
        raise InvalidParameterError(name, value, "one of " + ", ".join(choices))
    return value


def _emails(value: object) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise InvalidParameterError("emails", value, "a list of email addresses")
    for item in value:
        if not isinstance(item, str) or not item:
            raise InvalidParameterError("emails", value, "a list of email addresses")
    return list(value)


def _split(kwargs: Mapping[str, Any], model: type[Any]) -> Route:
    return kwargs["url"], dict(kwargs.get("params") or {}), model


# --- routes (shared by both clients) --------------------------------------------------------


def _route_projects(include_archived: object, limit: object) -> Route:
    if not isinstance(include_archived, bool):
        raise InvalidParameterError("include_archived", include_archived, "True or False")
    kwargs = list_projects._get_kwargs(limit=check_limit(limit), include_archived=include_archived)
    return _split(kwargs, ProjectList)


def _route_api_keys(project_id: object, limit: object, owner_project_access: object) -> Route:
    access = _choice("owner_project_access", owner_project_access, _OWNER_ACCESS)
    kwargs = list_project_api_keys._get_kwargs(
        _id("project_id", project_id), limit=check_limit(limit), owner_project_access=access
    )
    return _split(kwargs, ProjectApiKeyList)


def _route_service_accounts(project_id: object, limit: object) -> Route:
    kwargs = list_project_service_accounts._get_kwargs(
        _id("project_id", project_id), limit=check_limit(limit)
    )
    return _split(kwargs, ProjectServiceAccountList)


def _route_project_users(project_id: object, limit: object) -> Route:
    kwargs = list_project_users._get_kwargs(_id("project_id", project_id), limit=check_limit(limit))
    return _split(kwargs, ProjectUserList)


def _route_users(emails: object, limit: object) -> Route:
    wanted = _emails(emails)
    kwargs = list_users._get_kwargs(
        limit=check_limit(limit), emails=UNSET if wanted is None else wanted
    )
    return _split(kwargs, UserList)


def _route_admin_keys(order: object, limit: object) -> Route:
    kwargs = list_admin_api_keys._get_kwargs(
        limit=check_limit(limit), order=_choice("order", order, _ORDERS) or "asc"
    )
    return _split(kwargs, AdminApiKeyList)


def _route_spend_alerts(order: object, limit: object) -> Route:
    kwargs = list_organization_spend_alerts._get_kwargs(
        limit=check_limit(limit), order=_choice("order", order, _ORDERS) or "asc"
    )
    return _split(kwargs, OrganizationSpendAlertPage)


def _route_project_spend_alerts(project_id: object, order: object, limit: object) -> Route:
    kwargs = list_project_spend_alerts._get_kwargs(
        _id("project_id", project_id),
        limit=check_limit(limit),
        order=_choice("order", order, _ORDERS) or "asc",
    )
    return _split(kwargs, ProjectSpendAlertPage)


def _url(kwargs: Mapping[str, Any]) -> str:
    url: str = kwargs["url"]
    return url


# --- sync -----------------------------------------------------------------------------------


def _list(client: Requester, route: Route, after: object) -> CursorList[Any]:
    path, params, model = route

    def fetch(path: str, params: Mapping[str, Any]) -> CursorPage[Any]:
        page: CursorPage[Any] = client.get(path, params=params, cast_to=model)
        return page

    return CursorList(fetch, path, params, _after(after))


class ProjectApiKeys:
    """``client.projects.api_keys``."""

    def __init__(self, client: Requester) -> None:
        self._client = client

    def list(
        self,
        project_id: str,
        *,
        owner_project_access: OwnerAccess | None = None,
        limit: int | None = None,
        after: str | None = None,
    ) -> CursorList[ProjectApiKey]:
        """The project's API keys (deleted keys are not listed; their spend stays)."""
        return _list(self._client, _route_api_keys(project_id, limit, owner_project_access), after)

    def retrieve(self, project_id: str, api_key_id: str) -> ProjectApiKey:
        """One API key of the project."""
        url = one(retrieve_project_api_key, project_id=project_id, api_key_id=api_key_id)
        return self._client.get(url, cast_to=ProjectApiKey)


class ProjectServiceAccounts:
    """``client.projects.service_accounts``."""

    def __init__(self, client: Requester) -> None:
        self._client = client

    def list(
        self, project_id: str, *, limit: int | None = None, after: str | None = None
    ) -> CursorList[ProjectServiceAccount]:
        """The project's service accounts."""
        return _list(self._client, _route_service_accounts(project_id, limit), after)

    def retrieve(self, project_id: str, service_account_id: str) -> ProjectServiceAccount:
        """One service account of the project."""
        url = one(
            retrieve_project_service_account,
            project_id=project_id,
            service_account_id=service_account_id,
        )
        return self._client.get(url, cast_to=ProjectServiceAccount)


class ProjectUsers:
    """``client.projects.users``."""

    def __init__(self, client: Requester) -> None:
        self._client = client

    def list(
        self, project_id: str, *, limit: int | None = None, after: str | None = None
    ) -> CursorList[ProjectUser]:
        """The project's members."""
        return _list(self._client, _route_project_users(project_id, limit), after)

    def retrieve(self, project_id: str, user_id: str) -> ProjectUser:
        """One member of the project."""
        url = one(retrieve_project_user, project_id=project_id, user_id=user_id)
        return self._client.get(url, cast_to=ProjectUser)


class ProjectSpendLimits:
    """``client.projects.spend_limit``."""

    def __init__(self, client: Requester) -> None:
        self._client = client

    def retrieve(self, project_id: str) -> ProjectSpendLimit:
        """The project's hard spend limit (``threshold_usd``: exact dollars)."""
        kwargs = retrieve_project_spend_limit._get_kwargs(_id("project_id", project_id))
        return self._client.get(_url(kwargs), cast_to=ProjectSpendLimit)


class ProjectSpendAlerts:
    """``client.projects.spend_alerts``."""

    def __init__(self, client: Requester) -> None:
        self._client = client

    def list(
        self,
        project_id: str,
        *,
        order: Order | None = None,
        limit: int | None = None,
        after: str | None = None,
    ) -> CursorList[ProjectSpendAlert]:
        """The project's spend alerts (``threshold_usd``: exact dollars)."""
        route = _route_project_spend_alerts(project_id, order, limit)
        return _list(self._client, route, after)

    def retrieve(self, project_id: str, alert_id: str) -> ProjectSpendAlert:
        """One spend alert of the project (``threshold_usd``: exact dollars)."""
        url = one(retrieve_project_spend_alert, project_id=project_id, alert_id=alert_id)
        return self._client.get(url, cast_to=ProjectSpendAlert)


class Projects:
    """``client.projects``: the projects and, per project, its keys, accounts and limits."""

    def __init__(self, client: Requester) -> None:
        self._client = client
        self.api_keys = ProjectApiKeys(client)
        self.service_accounts = ProjectServiceAccounts(client)
        self.users = ProjectUsers(client)
        self.spend_limit = ProjectSpendLimits(client)
        self.spend_alerts = ProjectSpendAlerts(client)

    def list(
        self,
        *,
        include_archived: bool = False,
        limit: int | None = None,
        after: str | None = None,
    ) -> CursorList[Project]:
        """The projects; archived ones only with ``include_archived=True``."""
        return _list(self._client, _route_projects(include_archived, limit), after)

    def retrieve(self, project_id: str) -> Project:
        """One project (archived ones too)."""
        kwargs = retrieve_project._get_kwargs(_id("project_id", project_id))
        return self._client.get(_url(kwargs), cast_to=Project)


class Users:
    """``client.users``: the organization's users."""

    def __init__(self, client: Requester) -> None:
        self._client = client

    def list(
        self,
        *,
        emails: Sequence[str] | None = None,
        limit: int | None = None,
        after: str | None = None,
    ) -> CursorList[User]:
        """The users, or only those with these email addresses."""
        return _list(self._client, _route_users(emails, limit), after)

    def retrieve(self, user_id: str) -> User:
        """One user."""
        kwargs = retrieve_user._get_kwargs(_id("user_id", user_id))
        return self._client.get(_url(kwargs), cast_to=User)


class AdminApiKeys:
    """``client.admin_api_keys``."""

    def __init__(self, client: Requester) -> None:
        self._client = client

    def list(
        self, *, order: Order | None = None, limit: int | None = None, after: str | None = None
    ) -> CursorList[AdminApiKey]:
        """The organization's admin keys (redacted values only)."""
        return _list(self._client, _route_admin_keys(order, limit), after)

    def retrieve(self, key_id: str) -> AdminApiKey:
        """One admin key (its redacted value only)."""
        return self._client.get(one(retrieve_admin_api_key, key_id=key_id), cast_to=AdminApiKey)


class SpendLimit:
    """``client.spend_limit``."""

    def __init__(self, client: Requester) -> None:
        self._client = client

    def retrieve(self) -> OrganizationSpendLimit:
        """The organization's hard spend limit (``threshold_usd``: exact dollars)."""
        kwargs = retrieve_organization_spend_limit._get_kwargs()
        return self._client.get(_url(kwargs), cast_to=OrganizationSpendLimit)


class SpendAlerts:
    """``client.spend_alerts``."""

    def __init__(self, client: Requester) -> None:
        self._client = client

    def list(
        self, *, order: Order | None = None, limit: int | None = None, after: str | None = None
    ) -> CursorList[OrganizationSpendAlert]:
        """The organization's spend alerts (``threshold_usd``: exact dollars)."""
        return _list(self._client, _route_spend_alerts(order, limit), after)

    def retrieve(self, alert_id: str) -> OrganizationSpendAlert:
        """One spend alert of the organization (``threshold_usd``: exact dollars)."""
        url = one(retrieve_organization_spend_alert, alert_id=alert_id)
        return self._client.get(url, cast_to=OrganizationSpendAlert)
