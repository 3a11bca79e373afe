"""``report --config``: the organizations a spend config names, read for the report, and
the report's spend sections (teams, organizations, budgets; the library renders them).

The figures come from ``openai_usage_client.spend.sections``; the organizations are opened as
``check`` opens them (a fake per configured organization under ``--fake``, seeds 0, 1, ...;
one client per ``[[organization]]`` otherwise; the default client without any), so the budget
lines are the ones ``check`` prints for the same config and clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._output import Progress, fetch_rows
from ._spend_orgs import load_config, organizations

if TYPE_CHECKING:
    from .._client import UsageClient
    from .._core._exports import Row
    from ..directory import Directory
    from ..report import ReportFilters, ReportQuery
    from ..spend import OrgSource, SpendConfig, SpendSections
    from ..store import Store
    from ._state import State

__all__ = ["ReportSpend", "open_spend"]


@dataclass
class ReportSpend:
    """The config and its organizations, open for the report command's lifetime."""

    config: SpendConfig
    organizations: list[OrgSource]
    fake: bool

    @property
    def configured(self) -> bool:
        """The config lists ``[[organization]]`` tables: the whole report covers them."""
        return bool(self.config.organization)

    def clients(self) -> list[UsageClient]:
        from ..spend import ClientSource

        out = []
        for org in self.organizations:
            assert isinstance(org.source, ClientSource)  # the API or the fake, never a store
            out.append(org.source.client)
        return out

    def source(self) -> str:
        """The report's ``Source:``: each organization's name and where it is read from."""
        where = [
            f"offline fake organization (--fake, seed {i})" if self.fake else str(c.base_url)
            for i, c in enumerate(self.clients())
        ]
        return "; ".join(f"{o.name}: {w}" for o, w in zip(self.organizations, where, strict=True))

    def names(self, state: State) -> tuple[Directory | None, str | None]:
        """The names of every organization together (IDs are unique across organizations),
        or ``(None, note)`` after warning when a key may not read its organization's names."""
        from ..directory import Directory, try_directory
        from ._name_lookup import warn

        merged = Directory()
        for org, client in zip(self.organizations, self.clients(), strict=True):
            found, note = try_directory(client)
            if found is None:
                note = f"{org.name}: {note or 'names skipped'}"
                warn(note)
                return None, note
            if self.fake and client is state.client():  # --fake's own: deleted keys' names
                found = state.with_saved_names(found)
            for kind in ("projects", "api_keys", "users", "service_accounts"):
                getattr(merged, kind).update(getattr(found, kind))
        return merged, None

    def fetch(self, query: ReportQuery, params: dict[str, Any], quiet: bool) -> list[Row]:
        """One report query in every organization, the rows of all of them together."""
        rows: list[Row] = []
        several = len(self.organizations) > 1
        for org, client in zip(self.organizations, self.clients(), strict=True):
            label = query.label if not several else f"{query.label} ({org.name})"
            progress = Progress.for_terminal(label, quiet=quiet)
            fetched = fetch_rows(
                client.endpoint(query.endpoint)(**params), query.endpoint, progress
            )
            # Several organizations: every line of the report says whose it is.
            rows += [{**r, "organization": org.name} for r in fetched] if several else fetched
        return rows

    def sections(
        self, start: int, end: int, now: datetime, filters: ReportFilters
    ) -> SpendSections:
        from ..spend import spend_sections

        wanted = {
            column: values
            for column, values in (
                ("project_id", filters.project_ids),
                ("api_key_id", filters.api_key_ids),
                ("model", filters.models),
            )
            if values
        }
        return spend_sections(
            self.config,
            self.organizations,
            datetime.fromtimestamp(start, UTC),
            datetime.fromtimestamp(end, UTC),
            now=now,
            filters=wanted,
        )


def open_spend(
    ctx: click.Context,
    state: State,
    config_path: Path | None,
    db: Path | None = None,
    *,
    user_ids: tuple[str, ...] = (),
    store: Store | None = None,
) -> ReportSpend | None:
    """The spend config (``--config``, else ``openai-usage.toml`` here when there is one) and
    its organizations (read from the local store ``db`` when given), closed with the command;
    ``None`` without a config or with an empty one. A user filter is refused with a config."""
    config = load_config(config_path)
    if not (config.organization or config.team or config.budget):
        return None
    if user_ids:
        raise click.UsageError(
            f"--user-id: not with a spend config ({config.path}): teams are read from "
            "costs by project and API key, which have no user"
        )
    opened = ctx.with_resource(organizations(state, config, db, store=store))
    return ReportSpend(config, opened, state.fake)
