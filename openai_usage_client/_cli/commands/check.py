"""``openai-usage check``: budgets, forecast and anomalies for cron jobs and CI.

Rendering only: the figures come from ``openai_usage_client.spend``. Exit 0 when every budget
is ``ok`` or ``warn``, 7 when any is ``over`` or ``forecast-over``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .._help import COMMAND_EPILOG
from .._output import money
from .._state import State, state_of
from .._times import TIME_HELP, parse_time

if TYPE_CHECKING:
    from ..._client import UsageClient
    from ...spend import CheckResult, OrgSource, SpendConfig

__all__ = ["budget_lines", "check_command", "commands"]


class _Dollars(click.ParamType[Decimal, Any]):
    name = "USD"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Decimal:
        if isinstance(value, Decimal):
            return value
        try:
            amount = Decimal(str(value).strip().lstrip("$").replace(",", ""))
        except InvalidOperation:
            self.fail(f"{value!r} is not an amount of dollars (e.g. 200 or 199.50)", param, ctx)
        if not amount.is_finite() or amount <= 0:
            self.fail(f"{value!r}: the budget must be more than 0", param, ctx)
        return amount


def _load(config_path: Path | None) -> SpendConfig:
    from ...spend import DEFAULT_CONFIG, SpendConfig, load_config

    if config_path is not None:
        return load_config(config_path)
    if Path(DEFAULT_CONFIG).is_file():
        return load_config(DEFAULT_CONFIG)
    return SpendConfig()


def _needs_names(config: SpendConfig) -> bool:
    """Teams and project budgets by name need the directory; budgets by ID do not."""
    by_name = any(b.kind == "project" and not b.target.startswith("proj_") for b in config.budgets)
    return bool(config.teams) or by_name


def _with_names_and_settings(org: OrgSource, client: UsageClient, config: SpendConfig) -> OrgSource:
    """The organization's directory (when the config needs names) and spend settings."""
    from ...directory import try_directory
    from ...spend import ClientSettings

    if _needs_names(config):
        directory, warning = try_directory(client)
        org.directory = directory
        if warning:
            org.notes.append(f"{org.name}: names not read ({warning})")
    org.settings = ClientSettings(client)
    return org


@contextmanager
def _organizations(state: State, config: SpendConfig, db: Path | None) -> Iterator[list[OrgSource]]:
    """One ``OrgSource`` per organization: a local store, the fake (one seed per configured
    organization), or the API (one client per organization)."""
    from ...spend import ClientSource, OrgSource, open_organizations

    if db is not None:
        with _store_organizations(config, db) as orgs:
            yield orgs
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


@contextmanager
def _store_organizations(config: SpendConfig, db: Path) -> Iterator[list[OrgSource]]:
    """Organizations read from a local store: those of the config (by name), else every
    organization the store holds costs of. Names come from the store; OpenAI's spend
    settings are not stored, so they are not shown."""
    from ...spend import OrgSource, StoreSource
    from ...store import Store

    with Store(db) as store:
        held = {f.organization: f for f in store.freshness() if f.endpoint == "costs"}
        if not held:
            raise click.UsageError(
                f"{db} holds no costs yet: run 'openai-usage sync --db {db} --start ...' first"
            )
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
        orgs = []
        for name in names:
            fetched = held[name].fetched_at.strftime("%Y-%m-%d %H:%M")
            note = f"{name}: costs from the local store {db}, last synced {fetched} UTC"
            orgs.append(OrgSource(name, StoreSource(store, name), notes=[note]))
        yield orgs


def _fake_org(state: State, config: SpendConfig, index: int, name: str) -> OrgSource:
    """The fake organization of seed ``index`` (seed 0 is ``--fake``'s own), same clock."""
    import httpx

    from ..._client import UsageClient
    from ...spend import ClientSource, OrgSource
    from ...testing import BASE_URL, DEFAULT_ADMIN_KEY, FakeAPI

    if index == 0:
        client = state.client()
    else:
        fake = FakeAPI(seed=index, now=state.fake_api().now)
        http = httpx.Client(transport=fake.transport())
        client = UsageClient(DEFAULT_ADMIN_KEY, base_url=BASE_URL, http_client=http)
        click.get_current_context().call_on_close(client.close)
    return _with_names_and_settings(OrgSource(name, ClientSource(client)), client, config)


def budget_lines(result: CheckResult) -> list[str]:
    """The budget lines of a check: a heading, one line per budget, the notes and OpenAI's
    settings of each scope (also the 'Budgets' section of ``report --config``)."""
    first = result.budgets[0].forecast if result.budgets else None
    head = f"Budgets for {result.month:%Y-%m}, as of {result.as_of:%Y-%m-%d %H:%M} UTC"
    if first is not None:
        head += f" ({first.days_elapsed} of {first.days_in_month} days complete)"
    lines = [head]
    cells = [["scope", "month to date", "forecast (90% range)", "budget", "used", "status"]]
    for b in result.budgets:
        f = b.forecast
        cells.append(
            [
                b.scope,
                money(f.month_to_date, "usd"),
                f"{money(f.forecast, 'usd')} ({money(f.low, 'usd')}-{money(f.high, 'usd')})",
                money(b.budget_usd, "usd"),
                f"{b.percent:.0f}%",
                b.status,
            ]
        )
    if not result.budgets:
        lines.append("  no budgets: give --monthly-budget USD or [[budget]] tables in a config")
    else:
        widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
        right = {1, 2, 3, 4}
        for row in cells:
            lines.append(
                "  "
                + "  ".join(
                    c.rjust(w) if i in right else c.ljust(w)
                    for i, (c, w) in enumerate(zip(row, widths, strict=True))
                ).rstrip()
            )
    notes = [(b.scope, n) for b in result.budgets for n in b.notes]
    provisional = {n for _, n in notes if n.startswith("provisional")}
    lines += [f"  {n}" for n in sorted(provisional)]
    lines += [f"  {scope}: {n}" for scope, n in notes if n not in provisional]
    for b in result.budgets:
        for s in b.settings:
            how = "hard limit" if s.hard else ("limit" if s.kind == "limit" else "alert")
            lines.append(f"  {b.scope}: OpenAI {how} {money(s.amount_usd, 'usd')} ({s.scope})")
    return lines


def _table(result: CheckResult) -> list[str]:
    lines = budget_lines(result)
    lines.append("")
    lines.append("Anomalies (last 7 days)")
    if not result.anomalies:
        lines.append("  none")
    for a in result.anomalies:
        org = f"{a.organization}: " if len(result.totals.organizations) > 1 else ""
        lines.append(f"  {org}{a.describe()}")
    if len(result.totals.organizations) > 1:
        lines += ["", "Month to date by organization"]
        for totals in result.totals.organizations:
            spent = ", ".join(money(v, c) for c, v in sorted(totals.by_currency.items()))
            lines.append(f"  {totals.organization}: {spent or money(Decimal(0), 'usd')}")
        total = ", ".join(money(v, c) for c, v in sorted(result.totals.combined.items()))
        lines.append(f"  all organizations: {total or money(Decimal(0), 'usd')}")
    if result.notes:
        lines += ["", *(f"note: {n}" for n in result.notes)]
    return lines


@click.command("check", epilog=COMMAND_EPILOG)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Spend config (TOML: [[organization]], [[team]], [[budget]]). Default: "
    "openai-usage.toml in the current directory, if there is one.",
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Read costs from a local store (see 'openai-usage sync') instead of the API.",
)
@click.option(
    "--monthly-budget",
    type=_Dollars(),
    help="A monthly budget in US dollars for the organization (or --project), added to the "
    "config's budgets.",
)
@click.option(
    "--project",
    metavar="NAME_OR_ID",
    help="With --monthly-budget: the budget is for this project, not the organization.",
)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="json: the result document described in docs/spend.md.",
)
@click.option(
    "--notify-url",
    metavar="URL",
    help="POST the JSON result (with a Slack-compatible 'text' field) to this webhook when "
    "any budget is not ok or an anomaly was found.",
)
@click.option(
    "--as-of",
    metavar="TIME",
    help="Check as things stood at TIME (costs after it are ignored), e.g. to re-run "
    f"yesterday's check. Default: now. {TIME_HELP}",
)
@click.pass_context
def check_command(
    ctx: click.Context,
    config_path: Path | None,
    db: Path | None,
    monthly_budget: Decimal | None,
    project: str | None,
    fmt: str,
    notify_url: str | None,
    as_of: str | None,
) -> int:
    """Check monthly budgets: month to date, forecast to month end, recent anomalies.

    One line per budget (scope, month to date, forecast with a 90% range, budget, percent,
    status ok / warn / over / forecast-over), then the anomalies of the last 7 days. Months
    are UTC calendar months; the last two days and today are provisional (costs settle late).

    \b
    Examples:
      openai-usage check --monthly-budget 200
      openai-usage check --config openai-usage.toml --format json
      openai-usage check --monthly-budget 50 --project "Search API" --notify-url $SLACK_HOOK
    """
    from ...spend import BudgetConfig, check, notify

    state = state_of(ctx)
    if project is not None and monthly_budget is None:
        raise click.UsageError("--project needs --monthly-budget")
    config = _load(config_path)
    if monthly_budget is not None:
        scope = f"project:{project}" if project else "organization"
        origin = "--project" if project else "--monthly-budget"
        config = config.with_budget(BudgetConfig(scope=scope, monthly_usd=monthly_budget), origin)
    now = state.now()
    if as_of is not None:
        now = datetime.fromtimestamp(parse_time(as_of, now, "--as-of"), UTC)
    with _organizations(state, config, db) as orgs:
        result = check(config, orgs, now=now)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        click.echo("\n".join(_table(result)))
    if notify_url:
        if notify(notify_url, result, timeout=state.timeout or 10.0):
            click.echo("notified the webhook", err=True)
        else:
            click.echo("all ok: no notification sent", err=True)
    sys.stdout.flush()
    return result.exit_code


def commands() -> list[click.Command]:
    return [check_command]
