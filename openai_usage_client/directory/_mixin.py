"""The directory resources on the clients (``client.projects``, ``client.users``, ...).

Each resource is made on first use, and its module imported then: a client that only reads
usage never loads the directory's request builders and models (see bench P5).
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._aio import (
        AsyncAdminApiKeys,
        AsyncProjects,
        AsyncSpendAlerts,
        AsyncSpendLimit,
        AsyncUsers,
    )
    from ._fetch import Directory
    from ._resources import AdminApiKeys, Projects, SpendAlerts, SpendLimit, Users

__all__ = ["AsyncDirectoryResources", "DirectoryResources"]


class DirectoryResources:
    """Mixed into ``UsageClient``: the directory resources and ``directory()``."""

    @cached_property
    def projects(self) -> Projects:
        """Projects, and per project its API keys, service accounts, users and spend settings."""
        from ._resources import Projects

        return Projects(self._as_client())

    @cached_property
    def users(self) -> Users:
        """The organization's users."""
        from ._resources import Users

        return Users(self._as_client())

    @cached_property
    def admin_api_keys(self) -> AdminApiKeys:
        """The organization's admin API keys."""
        from ._resources import AdminApiKeys

        return AdminApiKeys(self._as_client())

    @cached_property
    def spend_limit(self) -> SpendLimit:
        """The organization's hard spend limit."""
        from ._resources import SpendLimit

        return SpendLimit(self._as_client())

    @cached_property
    def spend_alerts(self) -> SpendAlerts:
        """The organization's spend alerts."""
        from ._resources import SpendAlerts

        return SpendAlerts(self._as_client())

    def directory(self) -> Directory:
        """Every project (archived ones too), each one's API keys and service accounts, and
        every user, in one ``Directory``: names for the IDs usage and costs report.

        The per-project lists are fetched concurrently, at most ``client.concurrency`` at a
        time. A key that may not read the directory raises ``PermissionDeniedError``; see
        ``openai_usage_client.directory.try_directory`` to get a warning instead.
        """
        from ._fetch import fetch_directory

        return fetch_directory(self._as_client())

    def _as_client(self) -> Any:
        return self


class AsyncDirectoryResources:
    """Mixed into ``AsyncUsageClient``: the asynchronous twins."""

    @cached_property
    def projects(self) -> AsyncProjects:
        """Projects, and per project its API keys, service accounts, users and spend settings."""
        from ._aio import AsyncProjects

        return AsyncProjects(self._as_client())

    @cached_property
    def users(self) -> AsyncUsers:
        """The organization's users."""
        from ._aio import AsyncUsers

        return AsyncUsers(self._as_client())

    @cached_property
    def admin_api_keys(self) -> AsyncAdminApiKeys:
        """The organization's admin API keys."""
        from ._aio import AsyncAdminApiKeys

        return AsyncAdminApiKeys(self._as_client())

    @cached_property
    def spend_limit(self) -> AsyncSpendLimit:
        """The organization's hard spend limit."""
        from ._aio import AsyncSpendLimit

        return AsyncSpendLimit(self._as_client())

    @cached_property
    def spend_alerts(self) -> AsyncSpendAlerts:
        """The organization's spend alerts."""
        from ._aio import AsyncSpendAlerts

        return AsyncSpendAlerts(self._as_client())

    async def directory(self) -> Directory:
        """The asynchronous twin of ``UsageClient.directory()``."""
        from ._fetch import afetch_directory

        return await afetch_directory(self._as_client())

    def _as_client(self) -> Any:
        return self
