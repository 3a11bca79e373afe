"""Names behind the IDs: the admin API's projects, users, keys and spend settings, as
resources on the clients and as one ``Directory``. It imports ``_core`` and ``_generated``.

::

    from openai_usage_client import UsageClient
    from openai_usage_client.directory import Directory, try_directory

    with UsageClient() as client:
        directory = client.directory()          # projects, API keys, service accounts, users
        directory.save("directory.json")        # keep the names of keys deleted later

Names are handed on at first use (PEP 562), as the package's top level does: the clients
take ``DirectoryResources`` from here, and that must not load the resources, models or
asyncio.
"""

import typing as _typing

if _typing.TYPE_CHECKING:
    from ._fetch import ApiKeyRecord as ApiKeyRecord
    from ._fetch import Directory as Directory
    from ._fetch import ProjectRecord as ProjectRecord
    from ._fetch import ServiceAccountRecord as ServiceAccountRecord
    from ._fetch import UserRecord as UserRecord
    from ._fetch import atry_directory as atry_directory
    from ._fetch import try_directory as try_directory
    from ._mixin import AsyncDirectoryResources as AsyncDirectoryResources
    from ._mixin import DirectoryResources as DirectoryResources
    from ._models import OrganizationSpendAlert as OrganizationSpendAlert
    from ._models import OrganizationSpendLimit as OrganizationSpendLimit
    from ._models import ProjectSpendAlert as ProjectSpendAlert
    from ._models import ProjectSpendLimit as ProjectSpendLimit

_LAZY: dict[str, str] = {
    "ApiKeyRecord": "._fetch",
    "AsyncDirectoryResources": "._mixin",
    "DirectoryResources": "._mixin",
    "OrganizationSpendAlert": "._models",
    "OrganizationSpendLimit": "._models",
    "ProjectSpendAlert": "._models",
    "ProjectSpendLimit": "._models",
    "Directory": "._fetch",
    "ProjectRecord": "._fetch",
    "ServiceAccountRecord": "._fetch",
    "UserRecord": "._fetch",
    "atry_directory": "._fetch",
    "try_directory": "._fetch",
}

__all__ = sorted(_LAZY)  # noqa: PLE0605 (derived from the one table; a test checks it)


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
