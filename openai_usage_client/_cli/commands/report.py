"""``openai-usage report``: its options. What it does is in ``_cli/_report_run.py``, imported
when the command runs, so that ``openai-usage --help`` does not pay for it (bench P5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..._core._periods import DEFAULT_DAYS
from .._help import COMMAND_EPILOG
from .._options import db_option, end_param, format_param, quiet_param, start_param, use
from .._times import TIME_HELP_TZ

__all__ = ["commands", "report"]


@click.command("report", epilog=COMMAND_EPILOG)
@use(start_param(f"Start of the period. {TIME_HELP_TZ}", "TIME"))
@use(end_param("End of the period (exclusive).", "TIME"))
@click.option(
    "--days",
    type=click.IntRange(1, 366),
    default=DEFAULT_DAYS,
    show_default=True,
    help="Without --start: how many complete days before --end (default: today's "
    "midnight in --tz, so the last 30 complete days).",
)
@click.option(
    "--last-month",
    is_flag=True,
    help="The last calendar month in the --tz zone (instead of --start/--end/--days).",
)
@click.option("--this-month", is_flag=True, help="This calendar month so far, in the --tz zone.")
@click.option(
    "--tz",
    metavar="ZONE",
    default="UTC",
    show_default=True,
    help="Time zone (IANA name, e.g. Europe/Berlin) of the period and the header. Money comes "
    "from costs, in UTC days: the daily spend stays in UTC days.",
)
@click.option(
    "--project-id",
    "project_ids",
    metavar="ID",
    multiple=True,
    help="Only this project (repeatable).",
)
@click.option(
    "--project",
    "project_names",
    metavar="NAME",
    multiple=True,
    help="Only the project called NAME (read from the projects list).",
)
@click.option(
    "--api-key-id",
    "api_key_ids",
    metavar="ID",
    multiple=True,
    help="Only this API key (repeatable).",
)
@click.option(
    "--user-id",
    "user_ids",
    metavar="ID",
    multiple=True,
    help="Only this user (repeatable). Costs are filtered client-side (the costs API has no "
    "user filter).",
)
@click.option(
    "--model",
    "models",
    metavar="MODEL",
    multiple=True,
    help="Only this model (repeatable). Costs are filtered client-side, by the model named in "
    "the line item.",
)
@use(
    format_param(
        ("table", "json", "markdown"),
        "table: text for the terminal; json: every section, money as exact decimal strings, "
        "names next to the IDs (docs/report-json.md); markdown: for tickets and wikis, with "
        "the table's names.",
        "table",
    )
)
@click.option("--top", type=click.IntRange(1), default=10, show_default=True, help="Rows per list.")
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a chart of daily spend by project and tokens by model: FILE.png "
    "(needs the [charts] extra) or FILE.html (self-contained SVG, needs nothing).",
)
@use(quiet_param("No progress line on stderr."))
@click.option(
    "--names/--no-names",
    default=True,
    show_default=True,
    help="Show project, API key and user names (archived projects and deleted keys marked; "
    "the ID beside a name that repeats). --no-names skips the directory look-up.",
)
@db_option(
    "Build the report from this local store ('openai-usage sync --db PATH') without "
    "calling the API, saying how fresh it is; names come from the store. Not with filters."
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Spend config (TOML, as for 'check'): adds spend by team, the budget lines, and with "
    "several [[organization]] tables the report covers them all, side by side. Default: "
    "openai-usage.toml in the current directory, if there is one (said on stderr); 'none' "
    "for no config.",
)
@click.pass_context
def report(ctx: click.Context, /, **options: Any) -> None:
    """Spend by project, line item, model, API key and user; tokens by model; daily trend.

    Money comes from the costs endpoint (what is billed). The default period is the last 30
    complete UTC days; with --fake, "now" is the fake's 2026-11-01T00:00Z (see --fake-now).
    """
    # The options, typed, are run_report's parameters; it is imported only when the
    # command runs (see the module docstring).
    from .._report_run import run_report

    run_report(ctx, **options)


def commands() -> list[click.Command]:
    return [report]
