"""The organizations a spend config names, opened as ``check`` and ``report --config`` both
open them: a local store, the fake (one seed per configured organization, same clock), or
the API (one client per organization), with names and OpenAI's spend settings.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._db import open_store
from ._state import State

if TYPE_CHECKING:
    from .._client import UsageClient
    from ..spend import OrgSource, SpendConfig
    from ..store import Store

__all__ = ["load_config", "organizations"]


def load_config(config_path: Path | None) -> SpendConfig:
    from ..spend import DEFAULT_CONFIG, SpendConfig
    from ..spend import load_config as load

    if config_path is not None:
        return load(config_path)
    if Path(DEFAULT_CONFIG).is_file():
        return load(DEFAULT_CONFIG)
    return SpendConfig()


def _needs_names(config: SpendConfig) -> bool:
    """Teams and project budgets by name need the directory; budgets by ID do not."""
    by_name = any(b.kind == "project" and not b.target.startswith("proj_") for b in config.budgets)
    return bool(config.teams) or by_name


def _with_names_and_settings(org: OrgSource, client: UsageClient, config: SpendConfig) -> OrgSource:
    """The organization's directory (when the config needs names) and spend settings."""
    from ..directory import try_directory
    from ..spend import ClientSettings

    if _needs_names(config):
        directory, warning = try_directory(client)
        org.directory = directory
        if warning:
            org.notes.append(f"{org.name}: names not read ({warning})")
    org.settings = ClientSettings(client)
    return org


@contextmanager
def organizations(
    state: State,
    config: SpendConfig,
    db: Path | None,
    now: int | None = None,
    store: Store | None = None,
) -> Iterator[list[OrgSource]]:
    """One ``OrgSource`` per organization: a local store (``store`` when the command has it
    open already: one open per command), the fake (one seed per configured organization), or
    the API (one client per organization)."""
    from ..spend import ClientSource, OrgSource, open_organizations

    if db is not None:
        moment = int(state.now().timestamp()) if now is None else now
        if store is not None:
            yield _held_organizations(config, store, db, moment)
            return
        with open_store(db) as opened:
            yield _held_organizations(config, opened, db, moment)
        return
    if state.fake:
        names = [o.name for o in config.organizations]
        yield [_fake_org(state, config, i, name) for i, name in enumerate(names)]
        return
    if not config.organization:
        client = state.client()
        yield [_with_names_and_settings(OrgSource("default", ClientSource(client)), client, config)]
        return
    options: dict[str, Any] = {}
    if state.base_url:
        options["base_url"] = state.base_url
    if state.timeout is not None:
        options["timeout"] = state.timeout
    if state.max_retries is not None:
        options["max_retries"] = state.max_retries
    with open_organizations(config, **options) as orgs:
        for org in orgs:
            assert isinstance(org.source, ClientSource)
            _with_names_and_settings(org, org.source.client, config)
        yield orgs


def _held_organizations(config: SpendConfig, store: Store, db: Path, now: int) -> list[OrgSource]:
    """Organizations read from a local store: those of the config (by name), else every
    organization the store holds costs of. Names come from the store; OpenAI's spend
    settings are not stored, so they are not shown. What the store lacks of this month's
    costs, or holds as provisional, is noted per organization (``Store.coverage``)."""
    from ..spend import OrgSource, StoreSource

    held = {f.organization: f for f in store.freshness() if f.endpoint == "costs"}
    if not held:
        raise store.empty("costs")
    if config.organization:
        for i, org in enumerate(config.organization):
            if org.name not in held:
                raise config.error(
                    "organization", i, f"organization {org.name!r} is not in the store "
                    f"{db} (it holds: {', '.join(sorted(held))})", org.name,
                )  # fmt: skip
        names = [o.name for o in config.organization]
    else:
        names = sorted(held)
    month = now - now % 86_400 - (time.gmtime(now).tm_mday - 1) * 86_400
    orgs = []
    for name in names:
        held_now = store.coverage("costs", month, now, now=now, organization=name)
        note = f"{name}: costs from the local store {db}; {held_now.as_of()[0].lower()}"
        note += held_now.as_of()[1:]
        notes = [note, *(f"{name}: {line}" for line in held_now.lines())]
        orgs.append(OrgSource(name, StoreSource(store, name, str(db)), notes=notes))
    return orgs


def _fake_org(state: State, config: SpendConfig, index: int, name: str) -> OrgSource:
    """The fake organization of seed ``index`` (seed 0 is ``--fake``'s own), same clock."""
    from ..spend import ClientSource, OrgSource

    client = state.client(seed=index)
    return _with_names_and_settings(OrgSource(name, ClientSource(client)), client, config)
