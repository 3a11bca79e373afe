"""Allocation: API-key rule, then user rule, then project rule, else ``unallocated``."""

from __future__ import annotations

from dataclasses import dataclass, field

from openai_usage_client.spend import UNALLOCATED, Allocator, TeamConfig, allocate

TEAMS = [
    TeamConfig(name="search", projects=["proj_a"], api_keys=["key_shared"]),
    TeamConfig(name="ads", projects=["Ads"], users=["bob@example.com", "user-carol"]),
    TeamConfig(name="infra", api_keys=["deploy key"]),
]


def row(project: str | None, key: str | None = None, user: str | None = None) -> dict:
    return {"project_id": project, "api_key_id": key, "user_id": user, "amount_value": 1}


def test_without_a_directory_rules_match_ids() -> None:
    a = Allocator(TEAMS)
    assert a.team_of(row("proj_a")) == "search"
    assert a.team_of(row("proj_z", "key_shared")) == "search"  # key rule
    assert a.team_of(row("proj_z", user="user-carol")) == "ads"  # user rule by ID
    assert a.team_of(row("proj_z")) == UNALLOCATED
    assert a.team_of(row(None)) == UNALLOCATED
    # Names need the directory: "Ads" is not an ID.
    assert a.team_of(row("proj_ads")) == UNALLOCATED


def test_key_rule_wins_over_user_and_project_rules() -> None:
    a = Allocator(TEAMS)
    # Project of ads' user, in search's project, with search's key: the key decides.
    assert a.team_of(row("proj_a", "key_shared", "user-carol")) == "search"
    # No key rule: the user rule wins over the project rule.
    assert a.team_of(row("proj_a", "key_other", "user-carol")) == "ads"


@dataclass
class Rec:
    id: str
    name: str | None = None
    email: str | None = None
    owner: object = None


@dataclass
class Dir:
    projects: dict[str, Rec] = field(default_factory=dict)
    api_keys: dict[str, Rec] = field(default_factory=dict)
    users: dict[str, Rec] = field(default_factory=dict)

    def project(self, id: str) -> Rec | None:
        return self.projects.get(id)

    def api_key(self, id: str) -> Rec | None:
        return self.api_keys.get(id)

    def user(self, id: str) -> Rec | None:
        return self.users.get(id)


def directory() -> Dir:
    users = [Rec("user-bob", "Bob", "bob@example.com"), Rec("user-carol", "Carol", "c@x.io")]
    keys = [
        Rec("key_deploy", "deploy key"),
        Rec("key_bob", "bob's key", owner=Rec("user-bob", "Bob", "bob@example.com")),
        Rec("key_carol", "carol's key", owner="user-carol"),
    ]
    return Dir(
        projects={"proj_ads": Rec("proj_ads", "Ads"), "proj_a": Rec("proj_a", "Search")},
        api_keys={k.id: k for k in keys},
        users={u.id: u for u in users},
    )


def test_names_through_the_directory() -> None:
    a = Allocator(TEAMS, directory())
    assert a.team_of(row("proj_ads")) == "ads"  # project rule by name
    assert a.team_of(row("proj_z", "key_deploy")) == "infra"  # key rule by name
    assert a.team_of(row("proj_z", user="user-bob")) == "ads"  # user rule by email


def test_user_rule_through_the_key_owner_when_rows_have_no_user() -> None:
    a = Allocator(TEAMS, directory())
    # Costs grouped by key carry no user_id: the key's owner decides.
    assert a.team_of(row("proj_a", "key_bob")) == "ads"  # owner record with an email
    assert a.team_of(row("proj_a", "key_carol")) == "ads"  # owner as a user ID
    assert a.team_of(row("proj_a", "key_unknown")) == "search"


def test_allocate_adds_a_team_column_to_copies() -> None:
    rows = [row("proj_a"), row("proj_q")]
    out = list(allocate(rows, TEAMS))
    assert [r["team"] for r in out] == ["search", UNALLOCATED]
    assert "team" not in rows[0]


def test_name_columns_on_rows_work_without_a_directory() -> None:
    # Rows read with names (the local store, rows(..., names=...)) carry them as columns.
    a = Allocator(TEAMS)
    assert a.team_of({**row("proj_ads"), "project_name": "Ads"}) == "ads"
    assert a.team_of({**row("proj_z", "key_9"), "api_key_name": "deploy key"}) == "infra"
    assert a.team_of({**row("proj_a", "key_9"), "api_key_owner": "bob@example.com"}) == "ads"
    assert a.team_of({**row("proj_z", user="u"), "user_email": "bob@example.com"}) == "ads"
