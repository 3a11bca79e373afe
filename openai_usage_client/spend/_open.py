"""The organizations a spend config names, as ``check`` and ``report --config`` read them:
from a local store (``stored_organizations``) or from clients with their names and OpenAI's
spend settings (``with_names_and_settings``). Usable from Python as the CLI uses them."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ._sources import ClientSettings, OrgSource, StoreSource

if TYPE_CHECKING:
    from .config import SpendConfig

__all__ = ["month_start", "needs_names", "stored_organizations", "with_names_and_settings"]


def month_start(now: int) -> int:
    """The first instant (UTC) of the calendar month that holds ``now`` (Unix seconds)."""
    return now - now % 86_400 - (time.gmtime(now).tm_mday - 1) * 86_400


def needs_names(config: SpendConfig) -> bool:
    """Teams and project budgets by name need the directory; budgets by ID do not."""
    by_name = any(b.kind == "project" and not b.target.startswith("proj_") for b in config.budgets)
    return bool(config.teams) or by_name


def with_names_and_settings(org: OrgSource, client: Any, config: SpendConfig) -> OrgSource:
    """``org`` with its directory (when ``config`` needs names; a key that may not read it
    leaves a note) and its spend settings, read through ``client`` (a ``UsageClient``)."""
    from ..directory import try_directory

    if needs_names(config):
        directory, warning = try_directory(client)
        org.directory = directory
        if warning:
            org.notes.append(f"{org.name}: names not read ({warning})")
    org.settings = ClientSettings(client)
    return org


def stored_organizations(config: SpendConfig, store: Any, now: int, path: str) -> list[OrgSource]:
    """Organizations read from a local ``store`` (a ``store.Store``; ``path`` as commands
    name it): those of the config (by name), else every organization the store holds costs
    of. Names come from the store; OpenAI's spend settings are not stored, so they are not
    shown. What the store lacks of this month's costs, or holds as provisional, is noted per
    organization (``Store.coverage``). ``ConfigError`` for an organization the store lacks."""
    held = {f.organization: f for f in store.freshness() if f.endpoint == "costs"}
    if not held:
        raise store.empty("costs")
    if config.organization:
        for i, org in enumerate(config.organization):
            if org.name not in held:
                raise config.error(
                    "organization", i, f"organization {org.name!r} is not in the store "
                    f"{path} (it holds: {', '.join(sorted(held))})", org.name,
                )  # fmt: skip
        names = [o.name for o in config.organization]
    else:
        names = sorted(held)
    orgs = []
    for name in names:
        held_now = store.coverage("costs", month_start(now), now, now=now, organization=name)
        note = f"{name}: costs from the local store {path}; {held_now.as_of()[0].lower()}"
        note += held_now.as_of()[1:]
        notes = [note, *(f"{name}: {line}" for line in held_now.lines())]
        read = max((f for f in store.freshness() if f.endpoint == "costs"
                    and f.organization == name), key=lambda f: f.fetched_at)  # fmt: skip
        if "api_key_id" not in read.group_by:  # the API refused it (the sync fell back)
            notes.append(
                f"{name}: the stored costs are not grouped by api_key_id (grouped by "
                f"{', '.join(read.group_by)}): spend by API key, and team rules by key, see "
                "none of it"
            )
        orgs.append(OrgSource(name, StoreSource(store, name, path), notes=notes))
    return orgs
