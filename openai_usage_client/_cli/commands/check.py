"""``openai-usage check``: budgets, forecast and anomalies for cron jobs and CI.

Rendering only: the figures come from ``openai_usage_client.spend``. Exit 0 when every budget
is ``ok`` or ``warn``, 7 when any is ``over`` or ``forecast-over``, else 9 when any is
``unknown`` (the data does not hold the month); 10 for a store that cannot be read.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

import click

from .._errors import exit_code_for_check
from .._help import COMMAND_EPILOG
from .._options import db_option, format_param, quiet_param, use
from .._spend_orgs import load_config, organizations
from .._state import state_of
from .._times import TIME_HELP, parse_time

__all__ = ["check_command", "commands"]


class _Age(click.ParamType[timedelta, Any]):
    """``26h``, ``2d``, ``90m``, ``3600s`` (or plain seconds)."""

    name = "AGE"
    _UNITS: Final = {"s": 1, "m": 60, "h": 3_600, "d": 86_400}

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> timedelta:
        if isinstance(value, timedelta):
            return value
        text = str(value).strip().lower()
        unit = self._UNITS.get(text[-1:], None)
        number = text[:-1] if unit else text
        try:
            amount = float(number)
        except ValueError:
            amount = -1.0
        if not (0 < amount < 10_000 * 86_400):
            self.fail(
                f"{value!r} is not an age: a number with s, m, h or d (e.g. 26h, 2d)", param, ctx
            )
        return timedelta(seconds=amount * (unit or 1))


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


@click.command("check", epilog=COMMAND_EPILOG)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Spend config (TOML: [[organization]], [[team]], [[budget]]). Default: "
    "openai-usage.toml in the current directory, if there is one (said on stderr); 'none' "
    "for no config.",
)
@db_option("Read costs from a local store (see 'openai-usage sync') instead of the API.")
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
@use(
    format_param(
        ["table", "json"], "json: the result document described in docs/spend.md.", "table"
    )
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
@click.option(
    "--max-age",
    type=_Age(),
    default="26h",
    show_default=True,
    help="With --db: how old the store's last finished costs sync may be. An older one (or "
    "a day of the month missing from the store) makes every budget 'unknown' (exit 9) "
    "unless the days present already exceed it.",
)
@click.option(
    "--estimated",
    is_flag=True,
    help="With --db: count the days whose costs have not settled (the last two and today) "
    "at the larger of their bill so far and their usage at the organization's own unit "
    "prices, line by line, in month to date and the forecast (default: the bill so far). "
    "The output says so.",
)
@click.option(
    "--allow-missing",
    is_flag=True,
    help="Judge budgets even when the store lacks days of the month or is stale: missing "
    "days count as $0 (the output says so).",
)
@use(
    quiet_param(
        "Print nothing: the exit code says it (0 ok or warn, 7 over or forecast over, 9 "
        "unknown: data missing). Errors still go to stderr."
    )
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
    max_age: timedelta,
    estimated: bool,
    allow_missing: bool,
    quiet: bool,
) -> int:
    """Check monthly budgets: month to date, forecast to month end, recent anomalies.

    One line per budget (scope, month to date, forecast with a 90% range, budget, percent,
    status ok / warn / over / forecast-over / unknown), then the anomalies of the last 7
    days. Months are UTC calendar months; the last two days and today are provisional
    (costs settle late). A budget is 'unknown' (exit 9) when the store (--db) lacks a day
    of the month before today or its last costs sync is older than --max-age: a stopped
    sync never turns the gate green.

    \b
    Examples:
      openai-usage check --monthly-budget 200
      openai-usage check --config openai-usage.toml --format json
      openai-usage check --monthly-budget 50 --project "Search API" --notify-url $SLACK_HOOK
    """
    from ...spend import (
        NOTIFY_TEST_HINT,
        BudgetConfig,
        NotifyError,
        check,
        notify,
        notify_host,
    )

    state = state_of(ctx)
    if project is not None and monthly_budget is None:
        raise click.UsageError("--project needs --monthly-budget")
    config = load_config(config_path)
    if monthly_budget is not None:
        scope = f"project:{project}" if project else "organization"
        origin = "--project" if project else "--monthly-budget"
        config = config.with_budget(BudgetConfig(scope=scope, monthly_usd=monthly_budget), origin)
    if notify_url:
        notify_host(notify_url)  # a bad URL is refused before any request
    now = state.now(api=db is None)
    if as_of is not None:
        now = datetime.fromtimestamp(parse_time(as_of, now, "--as-of"), UTC)
    if estimated and db is None:
        raise click.UsageError("--estimated needs --db (the estimate reads the store's usage)")
    with organizations(state, config, db, int(now.timestamp())) as orgs:
        said = _estimates(orgs, int(now.timestamp())) if estimated else []
        result = check(config, orgs, now=now, max_age=max_age, allow_missing=allow_missing)
        result.notes += said
    code = exit_code_for_check(b.status for b in result.budgets)
    if not quiet:
        text = json.dumps(result.to_dict(code), indent=2) if fmt == "json" else result.table()
        click.echo(text if isinstance(text, str) else "\n".join(text))
    sys.stdout.flush()
    if notify_url:
        try:
            sent = notify(notify_url, result, timeout=state.timeout or 10.0, exit_code=code)
        except NotifyError as error:
            # The budget's answer stands: a webhook that is down must not hide it.
            click.echo(f"openai-usage: warning: {error}; {NOTIFY_TEST_HINT}", err=True)
            click.echo(f"openai-usage: the check's exit code stands: {code}", err=True)
        else:
            if not quiet:
                click.echo(
                    "notified the webhook" if sent else "all ok: no notification sent", err=True
                )
    return code


def _estimates(orgs: list[Any], now: int) -> list[str]:
    """The organizations read with their unsettled days at their estimate (--estimated)."""
    from ...attribution import with_estimates

    stores = {id(o.source.store): o.source.store for o in orgs}
    return [n for store in stores.values() for n in with_estimates(orgs, store, now)]


def commands() -> list[click.Command]:
    return [check_command]
