"""The spend configuration: organizations, teams and budgets in one TOML file.

::

    [[organization]]          # optional; default: one organization from OPENAI_ADMIN_KEY
    name = "prod"
    admin_key_env = "OPENAI_ADMIN_KEY_PROD"   # the key itself is never in the file
    # base_url = "https://..."

    [[team]]
    name = "search"
    projects = ["Search API", "proj_abc..."]  # names or IDs
    api_keys = ["key_..."]                    # optional, wins over the project rule
    users = ["alice@example.com"]             # optional: emails or user IDs

    [[budget]]
    scope = "organization"    # or "organization:prod", "team:search", "project:Search API"
    monthly_usd = 200
    warn_at = 0.8             # fraction of the budget (default 0.8)

``load_config(path)`` reads it with ``tomllib`` (default file: ``openai-usage.toml``) and checks
it with pydantic models that forbid unknown keys. Every problem is a ``ConfigError`` naming the
file, the table (``[[budget]] #2``) and the value: an unknown key, a budget whose scope matches
no organization or team, two teams claiming one project, and any secret in the file (a value
that looks like a key, ``sk-...``, or a key named like ``admin_key``): keys come only from the
environment variable named by ``admin_key_env``. ``check_against_directory`` adds the checks that
need the organization's names: a team rule matching nothing, and a name two teams claim through
different spellings (a name and its ID).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from ._directory import DirectoryLike, directory_records
from ._errors import ConfigError

__all__ = [
    "DEFAULT_CONFIG",
    "BudgetConfig",
    "OrganizationConfig",
    "SpendConfig",
    "TeamConfig",
    "check_against_directory",
    "load_config",
    "parse_config",
]

DEFAULT_CONFIG: Final = "openai-usage.toml"
#: A value that looks like an OpenAI key (admin, project, user or service account keys).
_KEY_VALUE: Final = re.compile(r"^\s*sk-[A-Za-z0-9_\-]{6,}")
#: Key names that announce a secret. ``api_keys`` (a team's key IDs) is a list of IDs, not this.
_SECRET_NAME: Final = re.compile(r"(^|_)(admin_key|api_key|secret|token|password)$", re.I)
_TABLES: Final = {"organization": "[[organization]]", "team": "[[team]]", "budget": "[[budget]]"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OrganizationConfig(_Model):
    """One organization: its label, where its admin key is, and its API base URL."""

    name: str = Field(min_length=1)
    admin_key_env: str = Field(default="OPENAI_ADMIN_KEY", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    base_url: str | None = None


class TeamConfig(_Model):
    """A team and the rules that give it spend: API keys, then users, then projects."""

    name: str = Field(min_length=1)
    projects: list[str] = Field(default_factory=list)
    api_keys: list[str] = Field(default_factory=list)
    users: list[str] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value == "unallocated":
            raise ValueError("'unallocated' is the name of spend no team claims")
        return value


class BudgetConfig(_Model):
    """A monthly budget in US dollars for one scope."""

    scope: str = Field(min_length=1)
    #: Dollars: more than 0, below 10^12, at most 28 significant digits (a larger budget
    #: is a typo, refused with the file, table and value before any work).
    monthly_usd: Decimal = Field(gt=0, lt=Decimal(10) ** 12, max_digits=28, allow_inf_nan=False)
    warn_at: float = Field(default=0.8, gt=0, le=1)

    @field_validator("scope")
    @classmethod
    def _scope_kind(cls, value: str) -> str:
        kind, _, target = value.partition(":")
        if kind not in ("organization", "team", "project") or (
            kind != "organization" and not target
        ):
            raise ValueError(
                "scope must be 'organization', 'organization:NAME', 'team:NAME' or "
                "'project:NAME_OR_ID'"
            )
        return value

    @property
    def kind(self) -> str:
        return self.scope.partition(":")[0]

    @property
    def target(self) -> str:
        return self.scope.partition(":")[2]


class SpendConfig(BaseModel):
    """The whole file. ``path`` is where it was read from (for messages)."""

    model_config = ConfigDict(extra="forbid")

    organization: list[OrganizationConfig] = Field(default_factory=list)
    team: list[TeamConfig] = Field(default_factory=list)
    budget: list[BudgetConfig] = Field(default_factory=list)
    _path: str = PrivateAttr(default="<config>")
    #: Budgets added outside the file (index -> where, e.g. "--monthly-budget").
    _origins: dict[int, str] = PrivateAttr(default_factory=dict)

    @property
    def path(self) -> str:
        """The file the config was read from (``"<config>"`` when built in code)."""
        return self._path

    @property
    def organizations(self) -> list[OrganizationConfig]:
        """The configured organizations, or the default one (``OPENAI_ADMIN_KEY``)."""
        return self.organization or [OrganizationConfig(name="default")]

    @property
    def teams(self) -> list[TeamConfig]:
        return self.team

    @property
    def budgets(self) -> list[BudgetConfig]:
        return self.budget

    def with_budget(self, budget: BudgetConfig, origin: str | None = None) -> SpendConfig:
        """A copy with one more budget; ``origin`` names where it came from in errors (the
        CLI's ``--monthly-budget``) instead of a table of the file."""
        copy = self.model_copy(update={"budget": [*self.budget, budget]})
        copy._path = self._path
        copy._origins = dict(self._origins)
        if origin is not None:
            copy._origins[len(self.budget)] = origin
        return copy

    def error(
        self, table: str, index: int | None, problem: str, value: object = None
    ) -> ConfigError:
        """A ``ConfigError`` about the ``index``-th (from 0) ``table`` of this config."""
        if table == "budget" and index in self._origins:
            return ConfigError("command line", self._origins[index], problem, value)
        label = _TABLES.get(table, table)
        where = f"{label} #{index + 1}" if index is not None else label
        return ConfigError(self.path, where, problem, value)


# --- reading --------------------------------------------------------------------------------


def load_config(path: str | Path = DEFAULT_CONFIG) -> SpendConfig:
    """Read and check a spend config file. Raises ``ConfigError``."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(name, "", "no such file", name) from None
    except OSError as error:
        raise ConfigError(name, "", f"cannot read the file ({error.strerror})", name) from None
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(name, "", "not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(name, "", f"not valid TOML: {error}") from None
    return parse_config(raw, name)


def parse_config(raw: Mapping[str, Any], path: str = "<config>") -> SpendConfig:
    """Check a decoded TOML document (see the module docstring) and build the config."""
    _refuse_secrets(raw, path)
    for table, value in raw.items():
        if table in _TABLES and not isinstance(value, list):
            raise ConfigError(path, "", f"{table!r} must be an array of tables: write [[{table}]]")
    try:
        config = SpendConfig.model_validate(raw)
    except ValidationError as error:
        raise _config_error(error, path) from None
    config._path = path
    _check_names(config)
    return config


def _where(loc: Sequence[int | str]) -> tuple[str, list[int | str]]:
    if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
        return f"{_TABLES.get(loc[0], loc[0])} #{loc[1] + 1}", list(loc[2:])
    return "", list(loc)


def _config_error(error: ValidationError, path: str) -> ConfigError:
    errors = error.errors()
    # An unknown key first: a misspelt key also makes the key it meant "missing".
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    table, rest = _where(first["loc"])
    key = ".".join(str(p) for p in rest)
    if first["type"] == "extra_forbidden":
        allowed = _allowed_keys(first["loc"])
        return ConfigError(
            path,
            table,
            f"unknown key {key!r} (allowed: {', '.join(allowed)})",
            rest[-1] if rest else key,
        )
    message = str(first["msg"]).removeprefix("Value error, ")
    value = first.get("input")
    if first["type"] == "missing":
        return ConfigError(path, table, f"{key}: required", None)
    return ConfigError(path, table, f"{key}: {message} (got {value!r})", value)


def _allowed_keys(loc: Sequence[int | str]) -> list[str]:
    models: dict[str, type[BaseModel]] = {
        "organization": OrganizationConfig,
        "team": TeamConfig,
        "budget": BudgetConfig,
    }
    model = models.get(str(loc[0])) if len(loc) > 2 else None
    if model is None:
        return list(_TABLES)
    return list(model.model_fields)


def _refuse_secrets(node: Any, path: str, trail: tuple[int | str, ...] = ()) -> None:
    """Refuse a key in the file, without ever putting the key into the message."""
    if isinstance(node, Mapping):
        for name, value in node.items():
            where, rest = _where((*trail, name))
            if _SECRET_NAME.search(str(name)) and str(name) != "api_keys":
                raise ConfigError(
                    path,
                    where,
                    f"{'.'.join(map(str, rest)) or name!r}: secrets are never read from the file; "
                    "put the key in an environment variable and name it with admin_key_env",
                    name,
                )
            _refuse_secrets(value, path, (*trail, name))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _refuse_secrets(value, path, (*trail, i))
    elif isinstance(node, str) and _KEY_VALUE.match(node):
        where, rest = _where(trail)
        raise ConfigError(
            path,
            where,
            f"{'.'.join(map(str, rest))}: holds what looks like an API key (sk-...); keys are "
            "never read from the file: put it in an environment variable and name it with "
            "admin_key_env",
            "sk-...",
        )


def _check_names(config: SpendConfig) -> None:
    """Checks that need no directory: duplicate names, scopes, one project per team."""
    for table, names in (
        ("organization", [o.name for o in config.organization]),
        ("team", [t.name for t in config.team]),
    ):
        for i, name in enumerate(names):
            if name in names[:i]:
                raise config.error(table, i, f"name {name!r} is used twice", name)
    orgs = {o.name for o in config.organizations}
    teams = {t.name for t in config.team}
    for i, budget in enumerate(config.budget):
        kind, target = budget.kind, budget.target
        if kind == "organization" and target and target not in orgs:
            raise config.error(
                "budget", i, f"scope {budget.scope!r}: no organization named {target!r} "
                f"(organizations: {', '.join(sorted(orgs))})", budget.scope,
            )  # fmt: skip
        if kind == "team" and target not in teams:
            known = ", ".join(sorted(teams)) or "none: add a [[team]] table"
            raise config.error(
                "budget", i, f"scope {budget.scope!r}: no team named {target!r} (teams: {known})",
                budget.scope,
            )  # fmt: skip
    for rule in ("projects", "api_keys", "users"):
        claimed: dict[str, str] = {}
        for i, team in enumerate(config.team):
            for value in getattr(team, rule):
                other = claimed.get(value)
                if other is not None and other != team.name:
                    raise config.error(
                        "team", i, f"{rule}: {value!r} is claimed by team {other!r} and team "
                        f"{team.name!r}; one project, key or user belongs to one team", value,
                    )  # fmt: skip
                claimed[value] = team.name


def check_against_directory(config: SpendConfig, directories: Iterable[DirectoryLike]) -> None:
    """The checks that need names: every team rule matches something in some directory, and
    no project is claimed by two teams through different spellings (its name and its ID)."""
    dirs = list(directories)
    project_ids: dict[str, set[str]] = {}
    key_ids: dict[str, set[str]] = {}
    user_ids: dict[str, set[str]] = {}
    for d in dirs:
        for kind, target in (("projects", project_ids), ("api_keys", key_ids), ("users", user_ids)):
            for record in directory_records(d, kind):
                rid = str(getattr(record, "id", "") or "")
                for label in (rid, getattr(record, "name", None), getattr(record, "email", None)):
                    if label:
                        target.setdefault(str(label), set()).add(rid)
    owner: dict[str, str] = {}
    for i, team in enumerate(config.team):
        for rule, known in (("projects", project_ids), ("api_keys", key_ids), ("users", user_ids)):
            for value in getattr(team, rule):
                if value not in known:
                    raise config.error(
                        "team", i, f"{rule}: {value!r} matches nothing in the organization's "
                        f"directory (a name or an ID of {rule.replace('_', ' ')})", value,
                    )  # fmt: skip
                if rule != "projects":
                    continue
                for pid in known[value]:
                    other = owner.get(pid)
                    if other is not None and other != team.name:
                        raise config.error(
                            "team", i, f"projects: {value!r} is project {pid}, already claimed by "
                            f"team {other!r}; one project belongs to one team", value,
                        )  # fmt: skip
                    owner[pid] = team.name
