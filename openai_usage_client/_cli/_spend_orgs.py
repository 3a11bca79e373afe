"""The organizations a spend config names, opened as ``check`` and ``report --config`` both
open them: a local store, the fake (one seed per configured organization, same clock), or
the API (one client per organization), with names and OpenAI's spend settings.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._db import open_store
from ._state import State

if TYPE_CHECKING:
    from ..spend import OrgSource, SpendConfig
    from ..store import Store

__all__ = ["load_config", "organizations"]


#: ``--config none``: no spend config, even where the current folder holds one.
NO_CONFIG = "none"


def load_config(config_path: Path | None) -> SpendConfig:
    """The spend config ``--config`` names; without it, ``openai-usage.toml`` in the current
    folder, said on stderr (a config nobody asked for changes the answer: teams, budgets,
    several organizations); ``--config none`` for none."""
    from ..spend import DEFAULT_CONFIG, SpendConfig
    from ..spend import load_config as load
    from ._name_lookup import warn

    if config_path is not None and str(config_path) == NO_CONFIG and not config_path.exists():
        return SpendConfig()
    if config_path is not None:
        return load(config_path)
    if Path(DEFAULT_CONFIG).is_file():
        warn(f"using the spend config {DEFAULT_CONFIG} found in the current folder "
             f"(--config FILE for another, --config {NO_CONFIG} for none)")  # fmt: skip
        return load(DEFAULT_CONFIG)
    return SpendConfig()


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
    from ..spend import (
        ClientSource,
        OrgSource,
        open_organizations,
        stored_organizations,
        with_names_and_settings,
    )

    if db is not None:
        moment = int(state.now().timestamp()) if now is None else now
        if store is not None:
            yield stored_organizations(config, store, moment, str(db))
            return
        with open_store(db) as opened:
            yield stored_organizations(config, opened, moment, str(db))
        return
    if state.fake:
        names = [o.name for o in config.organizations]
        yield [_fake_org(state, config, i, name) for i, name in enumerate(names)]
        return
    if not config.organization:
        client = state.client()
        yield [with_names_and_settings(OrgSource("default", ClientSource(client)), client, config)]
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
            with_names_and_settings(org, org.source.client, config)
        yield orgs


def _fake_org(state: State, config: SpendConfig, index: int, name: str) -> OrgSource:
    """The fake organization of seed ``index`` (seed 0 is ``--fake``'s own), same clock."""
    from ..spend import ClientSource, OrgSource, with_names_and_settings

    client = state.client(seed=index)
    return with_names_and_settings(OrgSource(name, ClientSource(client)), client, config)
