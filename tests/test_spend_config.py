"""The spend config: every refusal names the file, the table and the value; no key in the file."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from openai_usage_client import InvalidParameterError
from openai_usage_client.spend import (
    BudgetConfig,
    ConfigError,
    check_against_directory,
    load_config,
    parse_config,
)

GOOD = """
[[organization]]
name = "prod"
admin_key_env = "OPENAI_ADMIN_KEY_PROD"

[[team]]
name = "search"
projects = ["Search API", "proj_b"]
api_keys = ["key_1"]
users = ["alice@example.com"]

[[team]]
name = "ads"
projects = ["proj_c"]

[[budget]]
scope = "organization"
monthly_usd = 200

[[budget]]
scope = "team:search"
monthly_usd = 50.5
warn_at = 0.9
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "openai-usage.toml"
    path.write_text(text)
    return path


def error_of(tmp_path: Path, text: str) -> ConfigError:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}: ")
    return info.value


def test_a_good_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert [o.name for o in config.organizations] == ["prod"]
    assert config.organizations[0].admin_key_env == "OPENAI_ADMIN_KEY_PROD"
    assert [t.name for t in config.teams] == ["search", "ads"]
    assert config.teams[0].projects == ["Search API", "proj_b"]
    assert [(b.scope, b.monthly_usd, b.warn_at) for b in config.budgets] == [
        ("organization", Decimal(200), 0.8),
        ("team:search", Decimal("50.5"), 0.9),
    ]
    assert config.path == str(tmp_path / "openai-usage.toml")


def test_no_organization_means_the_default_one() -> None:
    config = parse_config({})
    assert [(o.name, o.admin_key_env) for o in config.organizations] == [
        ("default", "OPENAI_ADMIN_KEY")
    ]


def test_unknown_key_names_table_and_key(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD + '\n[[budget]]\nscope = "organization"\nmontly_usd = 5\n')
    assert error.table == "[[budget]] #3"
    assert "unknown key 'montly_usd' (allowed: scope, monthly_usd, warn_at)" in str(error)
    assert error.value == "montly_usd"
    assert isinstance(error, InvalidParameterError)  # the CLI's exit code 2


def test_unknown_table(tmp_path: Path) -> None:
    error = error_of(tmp_path, "[[budgets]]\nscope = 'organization'\n")
    assert "unknown key 'budgets' (allowed: organization, team, budget)" in str(error)


def test_bad_values_name_the_value(tmp_path: Path) -> None:
    error = error_of(tmp_path, "[[budget]]\nscope = 'organization'\nmonthly_usd = -5\n")
    assert error.table == "[[budget]] #1"
    assert "monthly_usd" in str(error) and "-5" in str(error)
    error = error_of(tmp_path, "[[budget]]\nscope = 'galaxy'\nmonthly_usd = 5\n")
    assert "scope must be 'organization'" in str(error) and "'galaxy'" in str(error)
    error = error_of(tmp_path, "[[budget]]\nmonthly_usd = 5\n")
    assert str(error).endswith("[[budget]] #1: scope: required")


def test_budget_scope_with_no_match(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD + "[[budget]]\nscope = 'team:serch'\nmonthly_usd = 5\n")
    assert error.table == "[[budget]] #3"
    assert "scope 'team:serch': no team named 'serch' (teams: ads, search)" in str(error)
    error = error_of(tmp_path, GOOD + "[[budget]]\nscope = 'organization:dev'\nmonthly_usd = 5\n")
    assert "no organization named 'dev' (organizations: prod)" in str(error)


def test_two_teams_claiming_one_project(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD + "[[team]]\nname = 'maps'\nprojects = ['proj_b']\n")
    assert error.table == "[[team]] #3"
    assert "'proj_b' is claimed by team 'search' and team 'maps'" in str(error)
    assert error.value == "proj_b"


def test_a_key_in_the_file_is_refused_without_showing_it(tmp_path: Path) -> None:
    secret = "sk-admin-abcdefghijklmnop1234"
    for text in (
        f'[[organization]]\nname = "prod"\nadmin_key_env = "{secret}"\n',
        f'[[team]]\nname = "x"\napi_keys = ["{secret}"]\n',
        f'note = "{secret}"\n',
    ):
        error = error_of(tmp_path, text)
        assert secret not in str(error) and secret not in repr(error.value)
        assert "looks like an API key" in str(error)
        assert "admin_key_env" in str(error)
    error = error_of(tmp_path, '[[organization]]\nname = "prod"\nadmin_key = "x"\n')
    assert error.table == "[[organization]] #1"
    assert "'admin_key': secrets are never read from the file" in str(error)
    assert "x" not in str(error).split(": ", 2)[-1].split("'")[0]


def test_not_toml_and_missing_file(tmp_path: Path) -> None:
    assert "not valid TOML" in str(error_of(tmp_path, "[[budget]\n"))
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "absent.toml")
    error = error_of(tmp_path, "budget = 3\n")
    assert "must be an array of tables: write [[budget]]" in str(error)


def test_duplicate_names(tmp_path: Path) -> None:
    error = error_of(tmp_path, "[[team]]\nname = 'a'\n[[team]]\nname = 'a'\n")
    assert error.table == "[[team]] #2" and "used twice" in str(error)
    error = error_of(tmp_path, "[[team]]\nname = 'unallocated'\n")
    assert "'unallocated' is the name of spend no team claims" in str(error)


def test_with_budget_errors_name_the_option() -> None:
    config = parse_config({}).with_budget(BudgetConfig(scope="project:x", monthly_usd=5), "--x")
    error = config.error("budget", 0, "problem")
    assert str(error) == "command line: --x: problem"


@dataclass
class Rec:
    id: str
    name: str | None = None
    email: str | None = None


@dataclass
class Dir:
    projects: list[Rec]
    api_keys: list[Rec]
    users: list[Rec]

    def project(self, id: str) -> Rec | None:
        return next((p for p in self.projects if p.id == id), None)

    def api_key(self, id: str) -> Rec | None:
        return next((k for k in self.api_keys if k.id == id), None)

    def user(self, id: str) -> Rec | None:
        return next((u for u in self.users if u.id == id), None)


DIRECTORY = Dir(
    projects=[Rec("proj_a", "Search API"), Rec("proj_b", "Maps"), Rec("proj_c", "Ads")],
    api_keys=[Rec("key_1", "search key")],
    users=[Rec("user-1", "Alice", "alice@example.com")],
)


def test_team_rules_against_the_directory(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    check_against_directory(config, [DIRECTORY])  # every rule matches something

    bad = load_config(write(tmp_path, GOOD.replace('"Search API"', '"Serch API"')))
    with pytest.raises(ConfigError) as info:
        check_against_directory(bad, [DIRECTORY])
    assert info.value.table == "[[team]] #1"
    assert "projects: 'Serch API' matches nothing in the organization's directory" in str(
        info.value
    )


def test_a_project_claimed_by_name_and_by_id(tmp_path: Path) -> None:
    text = GOOD.replace('projects = ["proj_c"]', 'projects = ["proj_c", "proj_a"]')
    config = load_config(write(tmp_path, text))  # "Search API" and "proj_a": not equal text
    with pytest.raises(ConfigError) as info:
        check_against_directory(config, [DIRECTORY])
    assert info.value.table == "[[team]] #2"
    assert "'proj_a' is project proj_a, already claimed by team 'search'" in str(info.value)
