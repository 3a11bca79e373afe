"""The fake organization's directory: projects, API keys, service accounts, users, admin keys,
spend limits and alerts, consistent with the IDs its usage and costs report.

The seeded organization (``_org.Organization``) has five projects; here the fourth is
**archived** (its spend stays in usage and costs, but ``/organization/projects`` lists it only
with ``include_archived=true``) and the fifth is the idle one. One API key is **deleted**
(``deleted_key_id``): its spend stays, no list returns it. One key's owner has left its project
(``owner_project_access: inactive``): the key is listed only with ``owner_project_access`` set
to ``inactive`` or ``any``, as the live API's visibility rules do. Two keys belong to service
accounts (their usage has no user).

Lists are cursor lists (``after=<id>``, ``limit`` 1-100, default 20; spend alerts 0-100, as
upstream), in creation order. ``FakeDirectory.sized(...)`` builds a large synthetic directory
(for benchmarks) instead of the seeded one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from ._org import DAY, Organization, hash_hex, hash_int

if TYPE_CHECKING:
    from ..directory import Directory
from ._params import ApiError

__all__ = ["USAGE_ONLY_ADMIN_KEY", "USAGE_ONLY_KEY_PREFIX", "FakeDirectory", "Route"]

#: Admin keys starting with this may read usage and costs but not the directory (403), like a
#: restricted admin key with only the usage scope.
USAGE_ONLY_KEY_PREFIX: Final = "sk-admin-usage-only-"
USAGE_ONLY_ADMIN_KEY: Final = USAGE_ONLY_KEY_PREFIX + "000000000000"
_NO_DIRECTORY_SCOPE: Final = (
    "You have insufficient permissions for this operation. Missing scopes: "
    "api.organization.read. Check that you have the correct role in your organization or "
    "project and (if you're using a restricted API key) that it has the necessary scopes."
)

_PROJECT_NAMES: Final = ("Web app", "Agents platform", "Data science", "Batch pipeline", "Sandbox")
_USERS: Final = (
    ("Ada Lovelace", "ada@example.com", "owner"),
    ("Grace Hopper", "grace@example.com", "reader"),
    ("Alan Turing", "alan@example.com", "reader"),
    ("Katherine Johnson", "katherine@example.com", "reader"),
    ("Edsger Dijkstra", "edsger@example.com", "reader"),
    ("Barbara Liskov", "barbara@example.com", "owner"),
    ("Donald Knuth", "donald@example.com", "reader"),
)
_KEY_NAMES: Final = (
    "web prod", "web staging", "agents runtime", "agents service key", "notebooks",
    "research", "nightly batch service key", "batch backfill", "translations", "old notebooks",
    "sandbox",
)  # fmt: skip
#: Index (in ``Organization.keys``) of the key deleted mid-range, of the key whose owner left
#: its project, and of the archived project (in ``Organization.projects``).
_DELETED_KEY: Final = 9
_INACTIVE_KEY: Final = 8
_ARCHIVED_PROJECT: Final = 3


def _nth(replica: int) -> str:
    """How names of a sized organization's replicas differ (replica 0 keeps its names)."""
    return f" #{replica + 1}" if replica else ""


@dataclass(frozen=True)
class Route:
    """A directory request: which list or object, and of which project or user."""

    kind: str
    project_id: str | None = None
    user_id: str | None = None
    #: The object a single read names (a key, a service account, an alert).
    item_id: str | None = None


_PROJECT_PARTS: Final = {
    "api_keys": "project_api_keys",
    "service_accounts": "project_service_accounts",
    "users": "project_users",
    "spend_limit": "project_spend_limit",
    "spend_alerts": "project_spend_alerts",
}
_LISTS: Final = frozenset(
    {
        "projects", "project_api_keys", "project_service_accounts", "project_users", "users",
        "admin_api_keys", "spend_alerts", "project_spend_alerts",
    }
)  # fmt: skip
_ONE: Final = {"admin_api_keys": "admin_api_key", "spend_alerts": "spend_alert"}
_PROJECT_ONE: Final = {
    "api_keys": "project_api_key",
    "service_accounts": "project_service_account",
    "users": "project_user",
    "spend_alerts": "project_spend_alert",
}
_SINGLE: Final = frozenset({*_ONE.values(), *_PROJECT_ONE.values()})
_SIMPLE: Final = {
    "projects": "projects",
    "users": "users",
    "admin_api_keys": "admin_api_keys",
    "spend_limit": "spend_limit",
    "spend_alerts": "spend_alerts",
}


@dataclass
class FakeDirectory:
    """The directory data and the answers to its requests (``answer``); no I/O."""

    projects: list[dict[str, Any]] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)
    #: project ID -> its API keys (the deleted key excluded), in creation order.
    api_keys: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    service_accounts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    project_users: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    admin_api_keys: list[dict[str, Any]] = field(default_factory=list)
    spend_limit: dict[str, Any] | None = None
    project_spend_limits: dict[str, dict[str, Any]] = field(default_factory=dict)
    spend_alerts: list[dict[str, Any]] = field(default_factory=list)
    project_spend_alerts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: The key no list returns any more (its spend stays), and what it looked like.
    deleted_key_id: str | None = None
    deleted_key: dict[str, Any] | None = None
    deleted_key_project_id: str | None = None
    #: Every deleted key (one per replica of a sized organization): ID -> (record, project).
    deleted_keys: dict[str, tuple[dict[str, Any], str]] = field(default_factory=dict)

    # --- building -------------------------------------------------------------------------

    @classmethod
    def for_org(cls, org: Organization, now: int) -> FakeDirectory:
        """The directory of the seeded organization (IDs as its usage and costs report)."""
        seed = org.seed
        d = cls()
        created = now - 700 * DAY
        for n, pid in enumerate(org.projects):
            r, i = divmod(n, len(_PROJECT_NAMES))
            archived = now - 5 * DAY if i == _ARCHIVED_PROJECT else None
            name = _PROJECT_NAMES[i] + _nth(r)
            d.projects.append(_project(pid, name, created + n * DAY, archived))
        for n, uid in enumerate(org.users):
            r, i = divmod(n, len(_USERS))
            name, email, role = _USERS[i]
            if r:
                name, email = name + _nth(r), email.replace("@", f"+{r}@")
            d.users.append(_user(uid, name, email, role, created + n * 3600))
        by_id = {u["id"]: u for u in d.users}
        accounts = {}
        for r in range(org.size):
            suffix = _nth(r)
            keys = org.keys[r * len(_KEY_NAMES) :]
            for k, label in ((3, "agents-runner"), (6, "nightly-batch")):
                accounts[keys[k].project_id] = _account(seed, label + suffix, created)
        for pid, account in accounts.items():
            d.service_accounts.setdefault(pid, []).append(account)
        for n, key in enumerate(org.keys):
            d._add_key(seed, key, n, by_id, accounts, created, now)
        d.admin_api_keys.append(
            {
                "object": "organization.admin_api_key",
                "id": f"key_{hash_hex(16, seed, 'admin-key')}",
                "name": "Usage reporting",
                "redacted_value": "sk-admin...0000",
                "created_at": created,
                "expires_at": None,
                "last_used_at": now - 60,
                "owner": {
                    "type": "user",
                    "object": "organization.user",
                    "id": d.users[0]["id"],
                    "name": d.users[0]["name"],
                    "created_at": created,
                    "role": "owner",
                },
            }
        )
        d.spend_limit = {
            **_limit("organization.spend_limit", 500_000, "enforcing"),
            # Who else is told (official SDK 3.63); a project's limit tells the owners only.
            "notification_channel": {
                "type": "email",
                "recipients": ["finance@example.com"],
                "subject_prefix": "OpenAI spend limit",
            },
        }
        first = org.projects[0]
        d.project_spend_limits[first] = _limit("project.spend_limit", 150_000, "inactive")
        d.spend_alerts.append(_alert(seed, "organization.spend_alert", 400_000, "org"))
        d.project_spend_alerts[first] = [_alert(seed, "project.spend_alert", 100_000, first)]
        return d

    def _add_key(
        self,
        seed: int,
        key: Any,
        n: int,
        by_id: dict[str, Any],
        accounts: dict[str, Any],
        created: int,
        now: int,
    ) -> None:
        """Key ``n`` (``n % 11`` in its replica): listed, its owner inactive, or deleted."""
        r, i = divmod(n, len(_KEY_NAMES))
        if key.user_id is None:
            owner = {"type": "service_account", "service_account": _owner_account(
                accounts[key.project_id])}  # fmt: skip
        else:
            owner = {"type": "user", "user": _owner_user(by_id[key.user_id])}
            members = self.project_users.setdefault(key.project_id, [])
            if i != _INACTIVE_KEY and all(m["id"] != key.user_id for m in members):
                members.append(_member(by_id[key.user_id], created + DAY))
        access = "inactive" if i == _INACTIVE_KEY else "active"
        name = _KEY_NAMES[i] + _nth(r)
        record = _key(seed, key.id, name, created + 10 * DAY + n * DAY, owner, access)
        record["last_used_at"] = now - (20 * DAY if i == _DELETED_KEY else 3600)
        if i == _DELETED_KEY:
            self.deleted_keys[key.id] = (record, key.project_id)
            if r == 0:
                self.deleted_key_id, self.deleted_key = key.id, record
                self.deleted_key_project_id = key.project_id
            return
        self.api_keys.setdefault(key.project_id, []).append(record)

    @classmethod
    def sized(cls, projects: int, keys_per_project: int, *, seed: int = 0) -> FakeDirectory:
        """A synthetic directory of ``projects`` projects with ``keys_per_project`` keys each
        (key ``k`` of every project owned by user ``k``; one service account per project),
        for benchmarks."""
        d = cls()
        created = 1_700_000_000
        for k in range(keys_per_project):
            uid = f"user-{hash_hex(24, seed, 'sized-user', k)}"
            d.users.append(_user(uid, f"User {k}", f"user{k}@example.com", "reader", created))
        for p in range(projects):
            pid = f"proj_{hash_hex(24, seed, 'sized-project', p)}"
            d.projects.append(_project(pid, f"Project {p}", created + p, None))
            d.service_accounts[pid] = [_account(seed, f"service-{p}", created + p)]
            keys = d.api_keys[pid] = []
            for k, user in enumerate(d.users):
                owner = {"type": "user", "user": _owner_user(user)}
                kid = f"key_{hash_hex(16, seed, 'sized-key', p, k)}"
                keys.append(_key(seed, kid, f"key {p}.{k}", created + k, owner, "active"))
        return d

    def saved_before_deletion(self) -> Directory:
        """What a directory saved before the key's deletion knew that the API now forgets
        (the deleted key and its owner): merge it into a fresh one, as a local store would,
        to name the deleted key's spend (``client.directory().merge(saved)``)."""
        from ..directory import ApiKeyRecord, Directory

        records = {}
        for k, project_id in self.deleted_keys.values():
            user = k["owner"].get("user") or {}
            records[k["id"]] = ApiKeyRecord(
                k["id"], k["name"], k["redacted_value"], project_id,
                k["owner"]["type"], user.get("id"), user.get("name"), user.get("email"),
                k["created_at"], k["last_used_at"],
            )  # fmt: skip
        if not records:
            return Directory()
        seen = max(k["last_used_at"] for k, _ in self.deleted_keys.values())
        return Directory(api_keys=records, fetched_at=seen)

    # --- answering --------------------------------------------------------------------------

    @staticmethod
    def route(path: str) -> Route | None:
        """The directory request ``path`` names, or ``None`` when it is not one."""
        parts = path.removeprefix("/v1").strip("/").split("/")
        if len(parts) < 2 or parts[0] != "organization":
            return None
        if len(parts) == 2 and parts[1] in _SIMPLE:
            return Route(_SIMPLE[parts[1]])
        if parts[1] == "projects" and len(parts) == 3 and parts[2]:
            return Route("project", project_id=parts[2])
        if parts[1] == "projects" and len(parts) == 4 and parts[3] in _PROJECT_PARTS:
            return Route(_PROJECT_PARTS[parts[3]], project_id=parts[2])
        if parts[1] == "users" and len(parts) == 3 and parts[2]:
            return Route("user", user_id=parts[2])
        # The single-object reads of the official SDK 3.63.
        if parts[1] in _ONE and len(parts) == 3 and parts[2]:
            return Route(_ONE[parts[1]], item_id=parts[2])
        if parts[1] == "projects" and len(parts) == 5 and parts[3] in _PROJECT_ONE and parts[4]:
            return Route(_PROJECT_ONE[parts[3]], project_id=parts[2], item_id=parts[4])
        return None

    def answer(self, route: Route, pairs: Sequence[tuple[str, str]]) -> bytes:
        """The body of a 200 for ``route``; ``ApiError`` for a request the API refuses."""
        params: dict[str, list[str]] = {}
        for k, v in pairs:
            params.setdefault(k, []).append(v)
        obj = self._answer(route, params)
        return json.dumps(obj, indent=2).encode()

    def _project(self, project_id: str | None) -> dict[str, Any]:
        for p in self.projects:
            if p["id"] == project_id:
                return p
        raise ApiError(404, f"No project found with id '{project_id}'.", code="not_found")

    def _one(self, route: Route) -> dict[str, Any]:
        """A single-object read: the record of that ID, or a 404 naming it."""
        kind = route.kind
        if kind == "admin_api_key":
            items = self.admin_api_keys
        elif kind == "spend_alert":
            items = self.spend_alerts
        else:
            pid = self._project(route.project_id)["id"]
            items = {
                "project_api_key": self.api_keys,
                "project_service_account": self.service_accounts,
                "project_user": self.project_users,
                "project_spend_alert": self.project_spend_alerts,
            }[kind].get(pid, [])
        for item in items:
            if item["id"] == route.item_id:
                return item
        what = kind.removeprefix("project_").replace("_", " ")
        raise ApiError(404, f"No {what} found with id '{route.item_id}'.", code="not_found")

    def _answer(self, route: Route, params: dict[str, list[str]]) -> Any:
        kind = route.kind
        if kind in _SINGLE:
            return self._one(route)
        if kind not in _LISTS:
            if kind == "project":
                return self._project(route.project_id)
            if kind == "user":
                for u in self.users:
                    if u["id"] == route.user_id:
                        return u
                raise ApiError(404, f"No user found with id '{route.user_id}'.", code="not_found")
            if kind == "spend_limit":
                if self.spend_limit is None:
                    raise ApiError(404, "No spend limit is configured.", code="not_found")
                return self.spend_limit
            assert kind == "project_spend_limit"
            self._project(route.project_id)
            limit = self.project_spend_limits.get(str(route.project_id))
            if limit is None:
                raise ApiError(404, "No spend limit is configured for this project.")
            return limit
        items: list[dict[str, Any]]
        if kind == "projects":
            archived = _bool(params, "include_archived")
            items = [p for p in self.projects if archived or p["archived_at"] is None]
        elif kind == "users":
            emails = params.get("emails", [])
            items = [u for u in self.users if not emails or u["email"] in emails]
        elif kind == "admin_api_keys":
            items = _ordered(self.admin_api_keys, params)
        elif kind == "spend_alerts":
            items = _ordered(self.spend_alerts, params)
        else:
            project = self._project(route.project_id)
            if kind == "project_api_keys":
                access = _one(params, "owner_project_access", ("active", "inactive", "any"))
                items = [
                    k
                    for k in self.api_keys.get(project["id"], [])
                    if access == "any" or k["owner_project_access"] == (access or "active")
                ]
            elif kind == "project_spend_alerts":
                items = _ordered(self.project_spend_alerts.get(project["id"], []), params)
            else:
                if project["archived_at"] is not None:
                    raise ApiError(400, f"Project {project['id']} is archived.")
                source = self.service_accounts if "service" in kind else self.project_users
                items = source.get(project["id"], [])
        low = 0 if kind.endswith("spend_alerts") else 1
        return _page(items, _limit_of(params, low), params.get("after", [None])[-1])


# --- records ------------------------------------------------------------------------------------


def _project(pid: str, name: str, created: int, archived_at: int | None) -> dict[str, Any]:
    return {
        "id": pid,
        "object": "organization.project",
        "name": name,
        "created_at": created,
        "archived_at": archived_at,
        "status": "archived" if archived_at is not None else "active",
    }


def _user(uid: str, name: str, email: str, role: str, added: int) -> dict[str, Any]:
    return {
        "object": "organization.user",
        "id": uid,
        "name": name,
        "email": email,
        "role": role,
        "added_at": added,
    }


def _member(user: dict[str, Any], added: int) -> dict[str, Any]:
    role = "owner" if user["role"] == "owner" else "member"
    return {**_user(user["id"], user["name"], user["email"], role, added),
            "object": "organization.project.user"}  # fmt: skip


def _owner_user(user: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": user["id"],
        "name": user["name"],
        "email": user["email"],
        "role": "owner" if user["role"] == "owner" else "member",
        "created_at": user["added_at"],
    }


def _account(seed: int, name: str, created: int) -> dict[str, Any]:
    return {
        "object": "organization.project.service_account",
        "id": f"svc_acct_{hash_hex(24, seed, 'service-account', name)}",
        "name": name,
        "role": "member",
        "created_at": created,
    }


def _owner_account(account: dict[str, Any]) -> dict[str, Any]:
    return {k: account[k] for k in ("id", "name", "created_at", "role")}


def _key(
    seed: int, kid: str, name: str, created: int, owner: dict[str, Any], access: str
) -> dict[str, Any]:
    secret = hash_hex(8, seed, "secret", kid)
    # As the official SDK 3.63 reads them: some keys expire, some have a spend limit.
    fate = hash_int(seed, "key-limits", kid) % 4
    limit = None
    if fate == 1:
        limit = {"threshold_amount": 5_000, "currency": "USD", "interval": "month",
                 "enforcement": {"status": "inactive"}}  # fmt: skip
    return {
        "object": "organization.project.api_key",
        "redacted_value": f"sk-proj-{secret[:3]}...{secret[-4:]}",
        "name": name,
        "created_at": created,
        "last_used_at": None,
        "id": kid,
        "owner_project_access": access,
        "owner": owner,
        "expires_at": created + 365 * 86_400 if fate == 2 else None,
        "spend_limit": limit,
    }


def _limit(obj: str, cents: int, status: str) -> dict[str, Any]:
    return {
        "object": obj,
        "threshold_amount": cents,
        "currency": "USD",
        "interval": "month",
        "enforcement": {"status": status},
    }


def _alert(seed: int, obj: str, cents: int, owner: str) -> dict[str, Any]:
    return {
        "id": f"alert_{hash_hex(12, seed, 'alert', owner)}",
        "object": obj,
        "threshold_amount": cents,
        "currency": "USD",
        "interval": "month",
        "notification_channel": {
            "type": "email",
            "recipients": ["finance@example.com"],
            "subject_prefix": "OpenAI spend alert",
        },
    }


# --- parameters and pages -----------------------------------------------------------------------


def _one(params: dict[str, list[str]], name: str, choices: Sequence[str]) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if values[-1] not in choices:
        raise ApiError(
            400,
            f"Invalid value for '{name}': expected one of {', '.join(choices)}.",
            param=name,
            code="invalid_value",
        )
    return values[-1]


def _bool(params: dict[str, list[str]], name: str) -> bool:
    return _one(params, name, ("true", "false")) == "true"


def _ordered(items: list[dict[str, Any]], params: dict[str, list[str]]) -> list[dict[str, Any]]:
    return list(reversed(items)) if _one(params, "order", ("asc", "desc")) == "desc" else items


def _limit_of(params: dict[str, list[str]], low: int) -> int:
    values = params.get("limit")
    if not values:
        return 20
    text = values[-1]
    if not text.lstrip("-").isdigit() or not low <= int(text) <= 100:
        raise ApiError(
            400,
            f"Invalid 'limit': integer between {low} and 100 expected, got '{text}'.",
            param="limit",
            code="integer_out_of_range",
        )
    return int(text)


def _page(items: list[dict[str, Any]], limit: int, after: str | None) -> dict[str, Any]:
    start = 0
    if after is not None:
        ids = [item["id"] for item in items]
        if after not in ids:
            raise ApiError(400, f"Invalid 'after': no object with id '{after}'.", param="after")
        start = ids.index(after) + 1
    data = items[start : start + limit]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": start + limit < len(items),
    }
