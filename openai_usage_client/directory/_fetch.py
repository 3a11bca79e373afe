"""``Directory``: the names behind the IDs that usage and costs report.

::

    from openai_usage_client import UsageClient
    from openai_usage_client.directory import Directory, try_directory

    with UsageClient() as client:
        directory = client.directory()          # projects, API keys, service accounts, users
        directory.project("proj_abc").name      # or None for an ID it does not know
        directory.save("directory.json")        # keep names the API may stop listing
        names, warning = try_directory(client)  # a 401/403 becomes one warning, not an error

What the API lists changes: deleted API keys vanish from the key lists while their spend
stays in costs, and archived projects are listed only on request. ``client.directory()``
lists archived projects too, and every project's keys with ``owner_project_access=any``
(without it the API hides keys whose owner has left the project); ``new.merge(old)`` keeps
what an older (saved) directory knew and the API no longer lists, marked ``deleted``, so old
spend keeps its names. The key owners' names fill in users and service accounts the other
lists do not show.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field, fields, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar

from .._core._exceptions import AuthenticationError, BadRequestError, PermissionDeniedError

if TYPE_CHECKING:
    from .._generated.models import Project, ProjectApiKey, ProjectServiceAccount, User
    from ._aio import AsyncProjects, AsyncUsers
    from ._resources import Projects, Users

__all__ = [
    "ApiKeyRecord",
    "Directory",
    "ProjectRecord",
    "ServiceAccountRecord",
    "UserRecord",
    "atry_directory",
    "try_directory",
]

#: The version of the JSON a ``Directory`` is saved as.
FORMAT_VERSION: Final = 1


@dataclass(frozen=True)
class ProjectRecord:
    id: str
    name: str | None
    #: ``active`` or ``archived`` (as the API says; ``None`` if it did not say).
    status: str | None = None
    created_at: int | None = None
    archived_at: int | None = None
    #: No longer listed by the API (kept from an older directory by ``merge``).
    deleted: bool = False

    @property
    def archived(self) -> bool:
        return self.status == "archived" or self.archived_at is not None


@dataclass(frozen=True)
class UserRecord:
    id: str
    name: str | None
    email: str | None
    role: str | None = None
    deleted: bool = False


@dataclass(frozen=True)
class ServiceAccountRecord:
    id: str
    name: str | None
    project_id: str | None = None
    role: str | None = None
    deleted: bool = False


@dataclass(frozen=True)
class ApiKeyRecord:
    id: str
    name: str | None
    redacted_value: str | None
    project_id: str | None
    #: ``user`` or ``service_account``.
    owner_type: str | None = None
    owner_id: str | None = None
    owner_name: str | None = None
    owner_email: str | None = None
    created_at: int | None = None
    last_used_at: int | None = None
    #: No longer listed by the API: a deleted key (its spend stays in costs).
    deleted: bool = False
    #: Unix seconds when the key expires (``None``: it does not, or not known).
    expires_at: int | None = None
    #: The key's own monthly hard spend limit, in cents (``None``: none), and whether it
    #: is blocking the key's requests now.
    spend_limit_cents: int | None = None
    spend_limit_enforcing: bool | None = None

    @property
    def owner(self) -> str | None:
        """Who owns the key, for people: a user's email (else name), a service account's name."""
        if self.owner_type == "user":
            return self.owner_email or self.owner_name
        return self.owner_name


R = TypeVar("R", ProjectRecord, UserRecord, ServiceAccountRecord, ApiKeyRecord)
T = TypeVar("T")


@dataclass
class Directory:
    """Projects, API keys, service accounts and users of one organization, by ID."""

    projects: dict[str, ProjectRecord] = field(default_factory=dict)
    api_keys: dict[str, ApiKeyRecord] = field(default_factory=dict)
    users: dict[str, UserRecord] = field(default_factory=dict)
    service_accounts: dict[str, ServiceAccountRecord] = field(default_factory=dict)
    #: When the API was read (Unix seconds), or ``None`` for a hand-made directory.
    fetched_at: int | None = None

    # --- look-ups ---------------------------------------------------------------------------

    def project(self, project_id: str | None) -> ProjectRecord | None:
        return self.projects.get(project_id) if project_id else None

    def api_key(self, api_key_id: str | None) -> ApiKeyRecord | None:
        return self.api_keys.get(api_key_id) if api_key_id else None

    def user(self, user_id: str | None) -> UserRecord | None:
        return self.users.get(user_id) if user_id else None

    def service_account(self, service_account_id: str | None) -> ServiceAccountRecord | None:
        return self.service_accounts.get(service_account_id) if service_account_id else None

    def __len__(self) -> int:
        return (
            len(self.projects) + len(self.api_keys) + len(self.users) + len(self.service_accounts)
        )

    # --- merging ----------------------------------------------------------------------------

    def merge(self, older: Directory) -> Directory:
        """This directory plus what ``older`` knew that this one lacks, marked ``deleted``.

        Records this directory has win (names change; the newest is right). Use it to keep
        the names of deleted keys: ``client.directory().merge(Directory.load(path))``.
        """

        def combine(new: dict[str, R], old: dict[str, R]) -> dict[str, R]:
            out = dict(new)
            for key, record in old.items():
                if key not in out:
                    out[key] = replace(record, deleted=True)
            return out

        return Directory(
            projects=combine(self.projects, older.projects),
            api_keys=combine(self.api_keys, older.api_keys),
            users=combine(self.users, older.users),
            service_accounts=combine(self.service_accounts, older.service_accounts),
            fetched_at=self.fetched_at,
        )

    # --- JSON -------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "fetched_at": self.fetched_at,
            "projects": [asdict(r) for r in self.projects.values()],
            "api_keys": [asdict(r) for r in self.api_keys.values()],
            "users": [asdict(r) for r in self.users.values()],
            "service_accounts": [asdict(r) for r in self.service_accounts.values()],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Any) -> Directory:
        """The directory ``to_dict`` gave; ``ValueError`` for anything else."""
        if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
            raise ValueError(f"not a saved directory (format {FORMAT_VERSION} expected)")
        fetched = data.get("fetched_at")
        if fetched is not None and not isinstance(fetched, int):
            raise ValueError("not a saved directory: fetched_at is not Unix seconds")
        return cls(
            projects=_records(data, "projects", ProjectRecord),
            api_keys=_records(data, "api_keys", ApiKeyRecord),
            users=_records(data, "users", UserRecord),
            service_accounts=_records(data, "service_accounts", ServiceAccountRecord),
            fetched_at=fetched,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Directory:
        try:
            data = json.loads(text)
        except ValueError as error:
            raise ValueError(f"not a saved directory: {error}") from None
        return cls.from_dict(data)

    def save(self, path: str | Path) -> None:
        """Write the directory as JSON (whole or not at all)."""
        target = Path(path)
        tmp = target.with_name(f".{target.name}.partial")
        tmp.write_text(self.to_json() + "\n", encoding="utf-8")
        tmp.replace(target)

    @classmethod
    def load(cls, path: str | Path) -> Directory:
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


def _records(data: dict[str, Any], key: str, kind: type[R]) -> dict[str, R]:
    items = data.get(key, [])
    if not isinstance(items, list):
        raise ValueError(f"not a saved directory: {key} is not a list")
    names = {f.name for f in fields(kind)}
    out: dict[str, R] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise ValueError(f"not a saved directory: an item of {key} has no id")
        # Fields a later version added are dropped rather than refused.
        record = kind(**{k: v for k, v in item.items() if k in names})
        out[record.id] = record
    return out


# --- building from the API -------------------------------------------------------------------


def _project(p: Project) -> ProjectRecord:
    return ProjectRecord(p.id, p.name, p.status, p.created_at, p.archived_at)


def _user(u: User) -> UserRecord:
    return UserRecord(u.id, u.name, u.email, u.role)


def _service_account(s: ProjectServiceAccount, project_id: str) -> ServiceAccountRecord:
    return ServiceAccountRecord(s.id, s.name, project_id, s.role)


def _api_key(k: ProjectApiKey, project_id: str) -> ApiKeyRecord:
    owner = k.owner
    kind, oid, name, email = owner.type, None, None, None
    if owner.user is not None:
        oid, name, email = owner.user.id, owner.user.name, owner.user.email
    elif owner.service_account is not None:
        oid, name = owner.service_account.id, owner.service_account.name
    limit = k.spend_limit
    return ApiKeyRecord(
        k.id, k.name, k.redacted_value, project_id, kind, oid, name, email,
        k.created_at, k.last_used_at,
        expires_at=k.expires_at,
        spend_limit_cents=None if limit is None else limit.threshold_amount,
        spend_limit_enforcing=None if limit is None else limit.enforcement.status == "enforcing",
    )  # fmt: skip


def _assemble(
    projects: Iterable[Project],
    users: Iterable[User],
    keys: Iterable[tuple[str, list[ProjectApiKey]]],
    accounts: Iterable[tuple[str, list[ProjectServiceAccount]]],
) -> Directory:
    d = Directory(fetched_at=int(time.time()))
    d.projects = {p.id: _project(p) for p in projects}
    d.users = {u.id: _user(u) for u in users}
    for project_id, items in accounts:
        for s in items:
            d.service_accounts[s.id] = _service_account(s, project_id)
    for project_id, key_items in keys:
        for k in key_items:
            record = _api_key(k, project_id)
            d.api_keys[k.id] = record
            # Owners the other lists do not show (a user removed from the organization, an
            # archived project's service account) still get a name.
            if record.owner_id and record.owner_type == "user" and record.owner_id not in d.users:
                d.users[record.owner_id] = UserRecord(
                    record.owner_id, record.owner_name, record.owner_email
                )
            if record.owner_id and record.owner_type == "service_account":
                d.service_accounts.setdefault(
                    record.owner_id,
                    ServiceAccountRecord(record.owner_id, record.owner_name, project_id),
                )
    return d


class _Lister(Protocol):
    """``UsageClient`` as ``fetch_directory`` sees it (the clients are assembled above this
    layer, so they are described here rather than imported)."""

    @property
    def concurrency(self) -> int: ...
    @property
    def projects(self) -> Projects: ...
    @property
    def users(self) -> Users: ...


class _AsyncLister(Protocol):
    """``AsyncUsageClient`` as ``afetch_directory`` sees it."""

    @property
    def concurrency(self) -> int: ...
    @property
    def projects(self) -> AsyncProjects: ...
    @property
    def users(self) -> AsyncUsers: ...


class _Named(Protocol):
    def directory(self) -> Directory: ...


class _AsyncNamed(Protocol):
    async def directory(self) -> Directory: ...


def fetch_directory(client: _Lister) -> Directory:
    """``client.directory()``: the lists, ``client.concurrency`` requests at a time."""

    def keys_of(pid: str) -> list[ProjectApiKey]:
        # An archived project may refuse its lists with a 400: it has nothing to name then.
        try:
            return client.projects.api_keys.list(pid, owner_project_access="any").to_list()
        except BadRequestError:
            return []

    def accounts_of(pid: str) -> list[ProjectServiceAccount]:
        return client.projects.service_accounts.list(pid).to_list()

    with ThreadPoolExecutor(client.concurrency, thread_name_prefix="directory") as pool:
        futures: list[Future[Any]] = []

        def submit(fn: Callable[..., T], *args: Any) -> Future[T]:
            future = pool.submit(fn, *args)
            futures.append(future)
            return future

        try:
            projects_f = submit(lambda: client.projects.list(include_archived=True).to_list())
            users_f = submit(lambda: client.users.list().to_list())
            projects = projects_f.result()
            keys = [(p.id, submit(keys_of, p.id)) for p in projects]
            # The API refuses an archived project's service accounts (400): not asked.
            live = [p for p in projects if not _project(p).archived]
            accounts = [(p.id, submit(accounts_of, p.id)) for p in live]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            for future in done:
                future.result()  # the first failure, raised as it was
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        return _assemble(
            projects,
            users_f.result(),
            [(pid, f.result()) for pid, f in keys],
            [(pid, f.result()) for pid, f in accounts],
        )


async def afetch_directory(client: _AsyncLister) -> Directory:
    """``await client.directory()``: the lists, ``client.concurrency`` requests at a time."""
    slots = asyncio.Semaphore(client.concurrency)

    async def limited(make: Callable[[], Awaitable[T]]) -> T:
        async with slots:
            return await make()

    async def projects_of() -> list[Project]:
        return await client.projects.list(include_archived=True).to_list()

    async def users_of() -> list[User]:
        return await client.users.list().to_list()

    async def keys_of(pid: str) -> list[ProjectApiKey]:
        try:
            return await client.projects.api_keys.list(pid, owner_project_access="any").to_list()
        except BadRequestError:
            return []

    async def accounts_of(pid: str) -> list[ProjectServiceAccount]:
        return await client.projects.service_accounts.list(pid).to_list()

    tasks: list[asyncio.Future[Any]] = []

    def start(make: Callable[[], Awaitable[T]]) -> asyncio.Future[T]:
        task = asyncio.ensure_future(limited(make))
        tasks.append(task)
        return task

    try:
        projects_t = start(projects_of)
        users_t = start(users_of)
        projects = await projects_t
        keys = [(p.id, start(partial(keys_of, p.id))) for p in projects]
        live = [p for p in projects if not _project(p).archived]
        accounts = [(p.id, start(partial(accounts_of, p.id))) for p in live]
        await asyncio.gather(*tasks)  # the first failure, raised as it was
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return _assemble(
        projects,
        users_t.result(),
        [(pid, t.result()) for pid, t in keys],
        [(pid, t.result()) for pid, t in accounts],
    )


# --- a key that may not read the directory ----------------------------------------------------


def _warning(error: AuthenticationError | PermissionDeniedError) -> str:
    return (
        f"names skipped: this key may not read the organization's projects, API keys and "
        f"users (HTTP {error.status_code}); usage and costs are unaffected. An admin key "
        "with read access to Projects and Users adds the names."
    )


def try_directory(client: _Named) -> tuple[Directory | None, str | None]:
    """``(client.directory(), None)``, or ``(None, warning)`` when the key may not read it.

    Only a 401 or 403 becomes a warning (a restricted admin key with the usage scope alone
    still gets its usage and reports); any other error is raised as usual.
    """
    try:
        return client.directory(), None
    except (AuthenticationError, PermissionDeniedError) as error:
        return None, _warning(error)


async def atry_directory(client: _AsyncNamed) -> tuple[Directory | None, str | None]:
    """The asynchronous twin of ``try_directory``."""
    try:
        return await client.directory(), None
    except (AuthenticationError, PermissionDeniedError) as error:
        return None, _warning(error)
