"""The collector: fresh metric families from the store at every scrape."""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from .._core._text import visible

if TYPE_CHECKING:
    from .._core._rows import Row
    from ..spend import SpendConfig
    from ..spend.forecast import Forecast
    from ..store import Freshness, Store

__all__ = ["METRICS", "StoreCollector", "exposition", "write_textfile"]

_DAY: Final = 86_400
#: Every metric, its type and what it is (``--help`` and docs/metrics.md say the same).
METRICS: Final[dict[str, tuple[str, str]]] = {
    "openai_cost_usd": ("counter", "Settled spend in US dollars (settled days: it only grows)."),
    "openai_cost_month_to_date_usd": ("gauge", "Spend this UTC month so far, settling days too."),
    "openai_cost_today_usd": ("gauge", "Spend of today (UTC) so far: it may still change."),
    "openai_cost_today_estimated_usd": (
        "gauge",
        "Spend of today (UTC) so far estimated from its usage at the organization's own unit "
        "prices: usage is there within the hour, costs settle days later.",
    ),
    "openai_cost_allocated_month_to_date_usd": (
        "gauge",
        "Spend this UTC month allocated from usage to API keys and users, where the stored "
        "costs are not grouped by them (--labels api_key,user): not billed as labelled.",
    ),
    "openai_cost_forecast_usd": ("gauge", "Forecast spend for the month end (weekday-aware)."),
    "openai_project_cost_forecast_usd": ("gauge", "A project's forecast spend for the month end."),
    "openai_budget_usd": ("gauge", "A spend-config budget for this month."),
    "openai_team_cost_month_to_date_usd": ("gauge", "A spend-config team's spend this month."),
    "openai_team_cost_forecast_usd": ("gauge", "A spend-config team's forecast for the month end."),
    "openai_budget_used_ratio": (
        "gauge",
        "Month to date over the budget (1 = all of it); absent while the status is unknown.",
    ),
    "openai_budget_status": (
        "gauge",
        "1 for a budget's status (ok, warn, forecast-over, over, unknown: the store lacks "
        "days of the month or is stale), 0 for the others.",
    ),
    "openai_tokens": ("counter", "Tokens of settled completions and embeddings usage."),
    "openai_requests": ("counter", "Model requests of settled completions and embeddings usage."),
    "openai_sync_last_finished_timestamp_seconds": (
        "gauge",
        "When the last sync that finished for an endpoint ended.",
    ),
    "openai_store_settled_until_timestamp_seconds": ("gauge", "End of the newest settled bucket."),
    "openai_store_provisional_until_timestamp_seconds": (
        "gauge",
        "End of the newest provisional bucket.",
    ),
    "openai_store_missing_seconds": (
        "gauge",
        "Time of the last 30 days the store lacks, in seconds (0: none).",
    ),
    "openai_project": ("info", "A project's name (join on project)."),
    "openai_usage_up": ("gauge", "1 when the store could be read at this scrape, else 0."),
}


#: The token counters' sources: endpoint -> (field, token_type). Embeddings models have
#: names of their own, so one series never mixes the two endpoints.
_TOKENS: Final = {
    "completions": (("input_tokens", "input"), ("output_tokens", "output"),
                    ("input_cached_tokens", "input_cached")),
    "embeddings": (("input_tokens", "input"),),
}  # fmt: skip


def _float(value: Decimal | int | None) -> float:
    return float(value or 0)


class StoreCollector:
    """Reads the store at ``path`` at every ``collect()``: one read-only connection per
    scrape, nothing cached between them, no API call. ``labels`` may add ``api_key`` and
    ``user`` to the spend counter (more series); ``config`` adds team budgets."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        labels: Sequence[str] = (),
        config: SpendConfig | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        unknown = set(labels) - {"api_key", "user"}
        if unknown:
            from .._core._exceptions import InvalidParameterError

            raise InvalidParameterError("labels", sorted(unknown), "api_key, user")
        self.path = os.fspath(path)
        self.labels = tuple(labels)
        self.config = config
        self.clock = clock
        #: Why the last scrape could not read the store (``None``: it could).
        self._reason: str | None = None

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        up = GaugeMetricFamily("openai_usage_up", METRICS["openai_usage_up"][1])
        try:
            families = self._families()
        except Exception as error:  # a missing, locked or corrupt store: say so, never crash
            self._say(f"the store cannot be read: {error}")
            up.add_metric([], 0)
            yield up
            return
        self._say(None)
        up.add_metric([], 1)
        yield from families
        yield up

    def _say(self, reason: str | None) -> None:
        """On stderr, once per change of state: why the store cannot be read, and that it
        can again (scrapes every 15 s must not flood a log)."""
        if reason == self._reason:
            return
        self._reason = reason
        from .._core._text import terminal_safe

        text = reason if reason is not None else f"the store {self.path} can be read again"
        sys.stderr.write(f"openai-usage metrics: {terminal_safe(' '.join(text.split()))}\n")

    def _families(self) -> list[Any]:
        from ..store import Store

        if not os.path.isfile(self.path):
            raise FileNotFoundError(self.path)
        with Store(self.path, read_only=True) as store:
            return _read(store, self.labels, self.config, int(self.clock()))


def _read(store: Store, labels: tuple[str, ...], config: SpendConfig | None, now: int) -> list[Any]:
    from prometheus_client.core import (
        CounterMetricFamily,
        GaugeMetricFamily,
        InfoMetricFamily,
    )

    def family(name: str, kind: str, label_names: list[str]) -> Any:
        make = {"counter": CounterMetricFamily, "gauge": GaugeMetricFamily}[kind]
        return make(name, METRICS[name][1], labels=label_names)

    extra = [("api_key_id", "api_key"), ("user_id", "user")]
    chosen = [(col, label) for col, label in extra if label in labels]
    cost = family("openai_cost_usd", "counter",
                  ["organization", "project", "line_item", *(lb for _, lb in chosen)])  # fmt: skip
    mtd = family("openai_cost_month_to_date_usd", "gauge", ["organization", "project"])
    today = family("openai_cost_today_usd", "gauge", ["organization", "project"])
    guessed = family("openai_cost_today_estimated_usd", "gauge", ["organization", "project"])
    allocated = family("openai_cost_allocated_month_to_date_usd", "gauge",
                       ["organization", "project", *(lb for _, lb in chosen)])  # fmt: skip
    forecast = family("openai_cost_forecast_usd", "gauge", ["organization"])
    project_forecast = family("openai_project_cost_forecast_usd", "gauge",
                              ["organization", "project"])  # fmt: skip
    tokens = family("openai_tokens", "counter",
                    ["organization", "project", "model", "token_type"])  # fmt: skip
    requests = family("openai_requests", "counter", ["organization", "project", "model"])
    synced = family("openai_sync_last_finished_timestamp_seconds", "gauge", ["endpoint"])
    settled = family("openai_store_settled_until_timestamp_seconds", "gauge",
                     ["organization", "endpoint"])  # fmt: skip
    provisional = family("openai_store_provisional_until_timestamp_seconds", "gauge",
                         ["organization", "endpoint"])  # fmt: skip
    missing = family("openai_store_missing_seconds", "gauge", ["organization", "endpoint"])
    projects = InfoMetricFamily("openai_project", METRICS["openai_project"][1],
                                labels=["organization", "project"])  # fmt: skip
    day = now - now % _DAY
    for held in store.freshness():
        org, endpoint = held.organization, held.endpoint
        until = held.settled_through
        # Every gauge has a sample while the store is readable: 0 says "none", never absent.
        settled.add_metric([org, endpoint], until.timestamp() if until is not None else 0)
        provisional.add_metric([org, endpoint], held.last.timestamp() if held.provisional else 0)
        gaps = store.coverage(endpoint, day - 30 * _DAY, day, now=now, organization=org)
        lacking = sum(b - a for a, b in gaps.endpoints[endpoint].missing)
        missing.add_metric([org, endpoint], lacking)
        series = store.counter_series(endpoint, org)
        if endpoint == "costs" and series is not None:
            by = ["project_id", "line_item", *(col for col, _ in chosen)]
            for r in store.summarize("costs", by, ["amount_value"], **series, organization=org):
                if (r.get("amount_currency") or "usd").lower() == "usd":
                    cost.add_metric([org, r["project_id"] or "", visible(r["line_item"] or ""),
                                     *(visible(r[col] or "") for col, _ in chosen)],
                                    _float(r["amount_value"]))  # fmt: skip
        if endpoint == "costs":
            _month_gauges(store, org, now, (mtd, today, forecast, project_forecast))
            _estimated_today(store, org, now, guessed)
            _allocated(store, held, now, [c for c, _ in chosen], allocated)
            names = store.directory(org)
            for pid, record in names.projects.items():
                projects.add_metric([org, pid], {"name": visible(record.name or "")})
        if endpoint in _TOKENS and series is not None:
            kinds = _TOKENS[endpoint]
            fields = [field for field, _ in kinds] + ["num_model_requests"]
            for r in store.summarize(endpoint, ["project_id", "model"], fields, **series,
                                     organization=org):  # fmt: skip
                key = [org, r["project_id"] or "", visible(r["model"] or "")]
                for field, kind in kinds:
                    tokens.add_metric([*key, kind], _float(r.get(field)))
                requests.add_metric(key, _float(r.get("num_model_requests")))
    for endpoint in store.endpoints():
        finished, _ = store.last_syncs(endpoint)
        synced.add_metric([endpoint], finished.timestamp() if finished is not None else 0)
    out = [cost, mtd, today, guessed, forecast, project_forecast, tokens, requests, synced,
           settled, provisional, missing, projects]  # fmt: skip
    if allocated.samples:
        out.insert(1, allocated)
    if config is not None and (config.budgets or config.teams):
        out += _spend_config(store, config, now)
    return out


def _month_gauges(store: Store, org: str, now: int, families: Sequence[Any]) -> None:
    """Month to date, today, and the forecasts of one organization. Each has a sample (0 for
    no spend); the forecasts are NaN while the store lacks days of the month or its last
    costs sync is stale: a forecast of a month with days missing is no forecast."""
    from ..spend import DEFAULT_MAX_AGE, StoreSource, daily_totals, forecast_month

    mtd, today, forecast, project_forecast = families
    day = now - now % _DAY
    month = int(datetime.fromtimestamp(day, UTC).replace(day=1).timestamp())
    for family, lo, hi in ((mtd, month, now + _DAY), (today, day, day + _DAY)):
        found = store.summarize("costs", ["project_id"], ["amount_value"], start=lo, end=hi,
                                organization=org)  # fmt: skip
        for r in found:
            family.add_metric([org, r["project_id"] or ""], _float(r["amount_value"]))
        if not found:
            family.add_metric([org, ""], 0.0)
    moment = datetime.fromtimestamp(now, UTC)
    gaps = StoreSource(store, org).gaps(datetime.fromtimestamp(month, UTC), moment,
                                        DEFAULT_MAX_AGE)  # fmt: skip
    if gaps.incomplete:
        forecast.add_metric([org], math.nan)
        return
    rows = list(store.rows("costs", month - 70 * _DAY, now + _DAY, names=False,
                           organization=org))  # fmt: skip
    forecast.add_metric([org], _float(forecast_month(daily_totals(rows), moment).forecast))
    for pid, ahead in _forecasts(rows, "project_id", now).items():
        project_forecast.add_metric([org, pid], _float(ahead.forecast))


def _estimated_today(store: Store, org: str, now: int, family: Any) -> None:
    """Today's spend so far estimated from its usage, per project (0: no usage today)."""
    from ..attribution import estimate_spend
    from ..store import StoreEmptyError

    day = now - now % _DAY
    sums: dict[str, Decimal] = {}
    try:
        found = estimate_spend(store, day, now, now=now, organization=org)
    except StoreEmptyError:
        found = None
    for row in found.rows() if found is not None else ():
        if (row["amount_currency"] or "usd").lower() == "usd":
            project = row["project_id"] or ""
            sums[project] = sums.get(project, Decimal(0)) + row["amount_value"]
    for project, amount in sorted(sums.items()):
        family.add_metric([org, project], _float(amount))
    if not sums:
        family.add_metric([org, ""], 0.0)


def _allocated(store: Store, held: Freshness, now: int, columns: list[str], family: Any) -> None:
    """This month's spend allocated from usage by ``columns`` (API key, user), per project:
    for an organization whose stored costs (``held``, the series read) are not grouped by
    them (the API refused it)."""
    from ..attribution import allocate_costs

    org = held.organization
    read = max(f.fetched_at for f in store.freshness()
                if f.endpoint == "costs" and f.organization == org)  # fmt: skip
    if held.fetched_at != read or all(c in held.group_by for c in columns):
        return

    day = now - now % _DAY
    month = int(datetime.fromtimestamp(day, UTC).replace(day=1).timestamp())
    sums: dict[tuple[str, ...], Decimal] = {}
    found = allocate_costs(store, month, day + _DAY, organization=org)
    for row in found.grouped(["project_id", *columns]):
        if (row["amount_currency"] or "usd").lower() == "usd":
            key = tuple(visible(row[c] or "") for c in ["project_id", *columns])
            sums[key] = sums.get(key, Decimal(0)) + row["amount_value"]
    for key, amount in sorted(sums.items()):
        family.add_metric([org, *key], _float(amount))


def _spend_config(store: Store, config: SpendConfig, now: int) -> list[Any]:
    """Budgets and their use, and each team's month to date (``check``'s figures)."""
    from prometheus_client.core import GaugeMetricFamily

    from ..spend import OrgSource, StoreSource, check
    from ..spend.allocate import Allocator
    from ..spend.check import fetch_window

    names = sorted({f.organization for f in store.freshness() if f.endpoint == "costs"})
    wanted = [o.name for o in config.organization] or names
    orgs = [OrgSource(name, StoreSource(store, name)) for name in wanted if name in names]
    from ..spend.check import STATUSES

    result = check(config, orgs, now=datetime.fromtimestamp(now, UTC))
    budget = GaugeMetricFamily("openai_budget_usd", METRICS["openai_budget_usd"][1],
                               labels=["scope"])  # fmt: skip
    ratio = GaugeMetricFamily("openai_budget_used_ratio", METRICS["openai_budget_used_ratio"][1],
                              labels=["scope"])  # fmt: skip
    status = GaugeMetricFamily("openai_budget_status", METRICS["openai_budget_status"][1],
                               labels=["scope", "status"])  # fmt: skip
    for b in result.budgets:
        scope = visible(b.scope)  # names are label values, shown escaped, never raw
        budget.add_metric([scope], _float(b.budget_usd))
        for name in STATUSES:
            status.add_metric([scope, name], float(b.status == name))
        # A share of a month the store does not hold is no share: NaN, never a figure.
        ratio.add_metric([scope], b.percent / 100 if b.complete else math.nan)
    teams = GaugeMetricFamily(
        "openai_team_cost_month_to_date_usd",
        METRICS["openai_team_cost_month_to_date_usd"][1],
        labels=["organization", "team"],
    )
    for org in result.totals.organizations:
        for team, amounts in sorted(org.by_team.items()):
            teams.add_metric([org.organization, visible(team)], _float(amounts.get("usd")))
    ahead = GaugeMetricFamily(
        "openai_team_cost_forecast_usd",
        METRICS["openai_team_cost_forecast_usd"][1],
        labels=["organization", "team"],
    )
    if config.teams and not result.complete:  # no forecast from a month with days missing
        for org in result.totals.organizations:
            for team in sorted(org.by_team):
                ahead.add_metric([org.organization, visible(team)], math.nan)
    elif config.teams:
        start, end = fetch_window(datetime.fromtimestamp(now, UTC))
        for source in orgs:
            rows = Allocator(config.teams).allocate(source.source.rows("costs", start, end))
            for team, forecast in _forecasts(rows, "team", now).items():
                ahead.add_metric([source.name, visible(team)], _float(forecast.forecast))
    return [budget, ratio, status, teams, ahead]


def _forecasts(rows: Iterable[Row], column: str, now: int) -> dict[str, Forecast]:
    """The month-end forecast of each value of ``column`` (US dollar rows only)."""
    from ..spend import daily_totals, forecast_month

    groups: dict[str, list[Row]] = {}
    for row in rows:
        if (row.get("amount_currency") or "usd").lower() == "usd":
            groups.setdefault(row.get(column) or "", []).append(row)
    moment = datetime.fromtimestamp(now, UTC)
    return {key: forecast_month(daily_totals(rows), moment) for key, rows in sorted(groups.items())}


def exposition(collector: StoreCollector) -> bytes:
    """The text exposition of one scrape (what ``metrics`` prints and ``--textfile`` writes)."""
    from prometheus_client import CollectorRegistry, generate_latest

    registry = CollectorRegistry()
    registry.register(collector)
    return generate_latest(registry)


def write_textfile(collector: StoreCollector, path: str | os.PathLike[str]) -> int:
    """Write one scrape to ``path`` for node_exporter's textfile collector, atomically: a
    concurrent reader sees the old file or the new one, never half. Returns the bytes written."""
    from .._core._files import check_folder, replacing

    check_folder(path, "textfile")
    text = exposition(collector)
    with replacing(path, "textfile") as tmp:
        tmp.write_bytes(text)
    return len(text)
