"""Prometheus metrics over a store (issue 23): the figures equal the store's, settled counters
never go down across syncs with late revisions, ``--serve`` reads the store at each scrape,
``--textfile`` replaces its file whole."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from _cli_run import run
from _store_helpers import DAY, client_for, ts

from openai_usage_client._core._endpoints import ENDPOINTS as ENDPOINT_NAMES
from openai_usage_client.store import Store
from openai_usage_client.testing import DEFAULT_NOW, FakeAPI

parser = pytest.importorskip("prometheus_client.parser", reason="the [metrics] extra")

from openai_usage_client.metrics import StoreCollector, exposition  # noqa: E402
from openai_usage_client.metrics._collector import METRICS  # noqa: E402

pytestmark = pytest.mark.usefixtures("no_ambient_key")
START = ts("2026-10-01")


def samples(text: str | bytes) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    body = text.decode() if isinstance(text, bytes) else text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in parser.text_string_to_metric_families(body)
        for s in family.samples
    }


def total(found: dict[Any, float], name: str) -> Decimal:
    return sum((Decimal(str(v)) for (n, _), v in found.items() if n == name), Decimal(0))


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("metrics") / "s.db"
    with client_for(FakeAPI(seed=0, settle_days=2)) as client, Store(path) as store:
        store.sync(client, start=START, now=DEFAULT_NOW, directory=True)
    return path


def test_the_figures_are_the_stores(store_path: Path) -> None:
    found = samples(exposition(StoreCollector(store_path, clock=lambda: DEFAULT_NOW + 3600)))
    with Store(store_path) as store:
        (held,) = [f for f in store.freshness() if f.endpoint == "costs"]
        settled = int(held.settled_through.timestamp())  # type: ignore[union-attr]
        (costs,) = store.summarize("costs", [], ["amount_value"], end=settled)
        (tokens,) = store.summarize("completions", [], ["input_tokens"], end=settled)
        month = store.summarize("costs", [], ["amount_value"], start=DEFAULT_NOW - 5 * DAY)
    assert abs(total(found, "openai_cost_usd_total") - costs["amount_value"]) < Decimal("1e-6")
    inputs = sum(v for (n, lb), v in found.items()
                 if n == "openai_tokens_total" and ("token_type", "input") in lb)  # fmt: skip
    assert inputs == tokens["input_tokens"]
    # At 2026-11-01 01:00 the month has only begun: nothing spent in it yet.
    assert total(found, "openai_cost_month_to_date_usd") == 0
    assert month and month[0]["amount_value"] > 0  # (the days before it were)
    assert found[("openai_usage_up", ())] == 1
    assert found[("openai_store_settled_until_timestamp_seconds",
                  (("endpoint", "costs"), ("organization", "default")))] == settled  # fmt: skip
    names = {dict(lb)["name"] for (n, lb), _ in found.items() if n == "openai_project_info"}
    assert "Web app" in names
    # Names are info metrics, never labels of every series.
    assert all("name" not in dict(lb) for (n, lb), _ in found.items() if n != "openai_project_info")


def test_a_store_that_cannot_be_read_is_down_not_an_error(tmp_path: Path) -> None:
    found = samples(exposition(StoreCollector(tmp_path / "none.db")))
    assert found == {("openai_usage_up", ()): 0.0}


def test_settled_counters_never_go_down_across_daily_syncs_with_late_revisions(
    tmp_path: Path,
) -> None:
    db = tmp_path / "daily.db"
    fake = FakeAPI(seed=1, now=DEFAULT_NOW, settle_days=2)
    seen: dict[Any, float] = {}
    for _ in range(5):
        with client_for(fake) as client, Store(db) as store:
            store.sync(client, start=START, now=fake.now)
        found = samples(exposition(StoreCollector(db, clock=lambda: fake.now)))
        for key, value in found.items():
            if key[0].endswith("_total"):
                assert value >= seen.get(key, 0.0), key
                seen[key] = value
        fake.advance(days=1)
    assert any(k[0] == "openai_cost_usd_total" for k in seen)


def test_a_second_width_and_grouping_never_move_a_counter_down(tmp_path: Path) -> None:
    db = tmp_path / "widths.db"
    fake = FakeAPI(seed=0, now=DEFAULT_NOW)
    with client_for(fake) as client, Store(db) as store:
        store.sync(client, start=START, endpoints=["costs", "completions"], now=fake.now)
    first = samples(exposition(StoreCollector(db, clock=lambda: fake.now)))
    tokens = total(first, "openai_tokens_total")
    assert tokens == fake.totals("completions", start_time=START, end_time=DEFAULT_NOW - 2 * DAY)[
        ()
    ]["input_tokens"] + sum(
        fake.totals("completions", start_time=START, end_time=DEFAULT_NOW - 2 * DAY)[()][f]
        for f in ("output_tokens", "input_cached_tokens")
    )
    with client_for(fake) as client, Store(db) as store:
        # An hourly series, then a coarser grouping: each newer than the daily default.
        store.sync(client, start=START, endpoints=["completions"], bucket_width="1h",
                   now=fake.now)  # fmt: skip
        store.sync(client, start=START, endpoints=["costs"], now=fake.now,
                   group_by={"costs": ["project_id"]})  # fmt: skip
    second = samples(exposition(StoreCollector(db, clock=lambda: fake.now)))
    for key, value in first.items():
        if key[0].endswith("_total"):
            assert second[key] == value, key  # the same series read: not a cent less
    assert total(second, "openai_tokens_total") == tokens


def test_every_gauge_has_a_sample_while_the_store_is_readable(tmp_path: Path) -> None:
    db = tmp_path / "today.db"
    fake = FakeAPI(seed=0, now=DEFAULT_NOW)  # 2026-11-01 00:00: nothing spent today yet
    with client_for(fake) as client, Store(db) as store:
        store.sync(client, start=START, endpoints=["costs"], now=fake.now)
    found = samples(exposition(StoreCollector(db, clock=lambda: fake.now)))
    assert found[("openai_cost_today_usd", (("organization", "default"), ("project", "")))] == 0
    assert found[("openai_cost_month_to_date_usd", (("organization", "default"),
                                                    ("project", "")))] == 0  # fmt: skip
    assert found[("openai_store_missing_seconds", (("endpoint", "costs"),
                                                   ("organization", "default")))] == 0  # fmt: skip
    names = {name for name, _ in found}
    for name, (kind, _) in METRICS.items():
        if kind == "gauge" and not name.startswith(("openai_budget", "openai_team")):
            # The allocated gauge only for an organization that refuses costs by key or user.
            assert (name in names) != (name == "openai_cost_allocated_month_to_date_usd"), name


def test_labels_and_budgets_on_request(store_path: Path, tmp_path: Path) -> None:
    config = tmp_path / "b.toml"
    config.write_text('[[budget]]\nscope = "organization"\nmonthly_usd = 100\n')
    code, out, err = run("metrics", "--db", str(store_path), "--labels", "api_key,user",
                         "--config", str(config))  # fmt: skip
    assert code == 0, err
    found = samples(out)
    keys = [dict(lb) for (n, lb), _ in found.items() if n == "openai_cost_usd_total"]
    assert keys and all({"api_key", "user"} <= set(k) for k in keys)
    assert ("openai_budget_usd", (("scope", "organization"),)) in found
    code, _, err = run("metrics", "--db", str(store_path), "--labels", "model")
    assert code == 2 and "labels" in err and "api_key, user" in err


def test_textfile_is_written_whole(store_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "openai.prom"
    target.write_text("old\n")
    code, out, _ = run("metrics", "--db", str(store_path), "--textfile", str(target))
    assert (code, out) == (0, "")
    assert samples(target.read_text())[("openai_usage_up", ())] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["openai.prom"]  # no temporary left


def test_a_concurrent_reader_never_sees_a_partial_textfile(
    store_path: Path, tmp_path: Path
) -> None:
    """A reader polling the file while it is rewritten 30 times reads a whole exposition
    every time (the old one or the new one), never a truncated one."""
    import threading

    from openai_usage_client.metrics import write_textfile

    target = tmp_path / "openai.prom"
    moment = ts("2026-10-20")  # a fixed clock: every scrape is the same bytes
    collector = StoreCollector(store_path, clock=lambda: moment)
    whole = exposition(collector)
    assert write_textfile(collector, target) == len(whole)
    seen: list[bytes] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.append(target.read_bytes())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(30):
            write_textfile(collector, target)
    finally:
        done.set()
        reader.join()
    assert seen and {len(body) for body in seen} == {len(whole)}
    assert all(body.endswith(b"openai_usage_up 1.0\n") for body in seen)
    assert [p.name for p in tmp_path.iterdir()] == ["openai.prom"]


def test_serve_reads_the_store_at_each_scrape(tmp_path: Path) -> None:
    db = tmp_path / "served.db"
    fake = FakeAPI(seed=2, now=DEFAULT_NOW)
    with client_for(fake) as client, Store(db) as store:
        store.sync(client, start=DEFAULT_NOW - 10 * DAY, now=DEFAULT_NOW, endpoints=["costs"])
    server = subprocess.Popen(
        [sys.executable, "-m", "openai_usage_client", "metrics", "--db", str(db), "--serve",
         "127.0.0.1:0"],
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert server.stderr is not None
        url = server.stderr.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/metrics")
        first = samples(httpx.get(url, timeout=30).text)
        with client_for(fake) as client, Store(db) as store:
            store.sync(client, start=START, now=DEFAULT_NOW, endpoints=["costs"])
        second = samples(httpx.get(url, timeout=30).text)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert total(second, "openai_cost_usd_total") > total(first, "openai_cost_usd_total")


def test_the_alert_rules_and_dashboard_use_only_exported_metrics(store_path: Path) -> None:
    import json
    import re

    import yaml

    root = Path(__file__).resolve().parent.parent / "docs"
    rules = yaml.safe_load((root / "prometheus-alerts.yml").read_text())
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    dashboard = json.loads((root / "grafana-dashboard.json").read_text())
    exprs += [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    used = {m for e in exprs for m in re.findall(r"\bopenai_[a-z_]+", e)}
    config = root.parent / "docs" / "spend-example.toml"
    from openai_usage_client.spend import load_config

    text = exposition(StoreCollector(store_path, config=load_config(config)))
    exported = {family.name for family in parser.text_string_to_metric_families(text.decode())}
    exported |= {f"{name}_total" for name in exported} | {f"{name}_info" for name in exported}
    assert used and used <= exported, used - exported


def test_team_spend_this_month_from_a_spend_config(store_path: Path, tmp_path: Path) -> None:
    from openai_usage_client.spend import load_config

    path = tmp_path / "teams.toml"
    path.write_text('[[team]]\nname = "product"\nprojects = ["Web app"]\n'
                    '[[budget]]\nscope = "team:product"\nmonthly_usd = 50\n')  # fmt: skip
    clock = ts("2026-10-20")
    collector = StoreCollector(store_path, config=load_config(path), clock=lambda: clock)
    found = samples(exposition(collector))
    teams = {dict(lb)["team"]: v for (n, lb), v in found.items()
             if n == "openai_team_cost_month_to_date_usd"}  # fmt: skip
    with Store(store_path) as store:
        web = next(p.id for p in store.directory().projects.values() if p.name == "Web app")
        by_project = {
            r["project_id"]: r["amount_value"]
            for r in store.summarize(
                "costs", ["project_id"], ["amount_value"], start=START, end=clock
            )
        }
    assert set(teams) == {"product", "unallocated"}
    assert teams["product"] == pytest.approx(float(by_project[web]))
    assert sum(teams.values()) == pytest.approx(float(sum(by_project.values())))
    assert found[("openai_budget_usd", (("scope", "team:product"),))] == 50


def test_forecasts_per_project_and_team_are_checks(store_path: Path, tmp_path: Path) -> None:
    """The month-end forecast of a project and of a team equals what ``check`` forecasts for a
    budget on that project or team; the organization's equals its organization budget's."""
    from datetime import UTC, datetime

    from openai_usage_client.spend import OrgSource, StoreSource, check, load_config

    path = tmp_path / "teams.toml"
    path.write_text('[[team]]\nname = "product"\nprojects = ["Web app"]\n'
                    '[[budget]]\nscope = "team:product"\nmonthly_usd = 50\n'
                    '[[budget]]\nscope = "project:Web app"\nmonthly_usd = 50\n'
                    '[[budget]]\nscope = "organization"\nmonthly_usd = 500\n')  # fmt: skip
    config = load_config(path)
    clock = ts("2026-10-20")
    found = samples(exposition(StoreCollector(store_path, config=config, clock=lambda: clock)))
    with Store(store_path) as store:
        (org,) = {f.organization for f in store.freshness()}
        result = check(config, [OrgSource(org, StoreSource(store, org))],
                       now=datetime.fromtimestamp(clock, UTC))  # fmt: skip
        web = next(p for p in StoreSource(store, org).rows("costs", START, clock)
                   if p.get("project_name") == "Web app")["project_id"]  # fmt: skip
    expected = {b.scope: float(b.forecast.forecast) for b in result.budgets}
    team = found[("openai_team_cost_forecast_usd", (("organization", org), ("team", "product")))]
    assert team == pytest.approx(expected["team:product"]) and team > 0
    projects = {dict(lb)["project"]: v for (n, lb), v in found.items()
                if n == "openai_project_cost_forecast_usd"}  # fmt: skip
    assert projects[web] == pytest.approx(expected["project:Web app"])
    assert len(projects) > 1
    whole = found[("openai_cost_forecast_usd", (("organization", org),))]
    assert whole == pytest.approx(expected["organization"])
    teams = {dict(lb)["team"] for (n, lb), _ in found.items()
             if n == "openai_team_cost_forecast_usd"}  # fmt: skip
    assert teams == {"product", "unallocated"}


def test_embeddings_tokens_and_requests_join_the_counters(tmp_path: Path) -> None:
    path = tmp_path / "e.db"
    with client_for(FakeAPI(seed=1)) as client, Store(path) as store:
        store.sync(client, start=START, endpoints=["embeddings"], now=DEFAULT_NOW)
        (held,) = store.freshness()
        end = int(held.settled_through.timestamp())  # type: ignore[union-attr]
        by_model = {
            r["model"]: (r["input_tokens"], r["num_model_requests"])
            for r in store.summarize("embeddings", ["model"],
                                     ["input_tokens", "num_model_requests"], end=end)
        }  # fmt: skip
    found = samples(exposition(StoreCollector(path, clock=lambda: DEFAULT_NOW)))
    tokens: dict[str, float] = {}
    requests: dict[str, float] = {}
    for (name, labels), value in found.items():
        model = dict(labels).get("model", "")
        if name == "openai_tokens_total":
            assert dict(labels)["token_type"] == "input"
            tokens[model] = tokens.get(model, 0) + value
        elif name == "openai_requests_total":
            requests[model] = requests.get(model, 0) + value
    assert set(by_model) == {"text-embedding-3-small", "text-embedding-3-large"}
    assert {m: (tokens[m], requests[m]) for m in by_model} == by_model
    assert all(t > 0 for t, _ in by_model.values())


def test_serve_answers_metrics_only_and_drops_idle_connections(store_path: Path) -> None:
    import socket

    from openai_usage_client.metrics import _serve, is_loopback, serve

    server = serve(StoreCollector(store_path), "127.0.0.1", 0)
    try:
        host, port = server.server_address[:2]
        base = f"http://{host}:{port}"
        assert httpx.get(f"{base}/metrics").status_code == 200
        assert "openai_usage_up 1.0" in httpx.get(f"{base}/metrics").text
        root = httpx.get(f"{base}/")
        assert (root.status_code, root.text) == (200, "openai-usage metrics: scrape /metrics\n")
        assert httpx.get(f"{base}/admin").status_code == 404
        assert httpx.get(f"{base}/metrics/../x").status_code == 404
        # A TLS hello (or any silence) never holds a thread for ever.
        assert _serve.IDLE_TIMEOUT == 30.0
        handler = server.RequestHandlerClass
        assert handler.timeout == 30.0
        with socket.create_connection((host, port)) as idle:
            idle.sendall(b"\x16\x03\x01")  # the start of a TLS hello, then nothing
    finally:
        server.shutdown()
        server.server_close()
    hosts = ("127.0.0.1", "::1", "localhost", "0.0.0.0", "10.1.2.3")
    assert [is_loopback(h) for h in hosts] == [True, True, True, False, False]


@pytest.mark.parametrize(
    ("where", "wanted"),
    [
        ("127.0.0.1:99999", "[HOST:]PORT with PORT from 0 to 65535"),
        ("127.0.0.1:http", "[HOST:]PORT with PORT from 0 to 65535"),
        ("no-such-host.invalid:9464", "cannot listen there"),
        ("203.0.113.7:9464", "cannot listen there"),  # an address this machine lacks
    ],
)
def test_serve_refuses_an_address_it_cannot_use(store_path: Path, where: str, wanted: str) -> None:
    code, _, err = run("metrics", "--db", str(store_path), "--serve", where)
    assert code == 2 and wanted in err


def test_serving_beyond_loopback_warns_and_serves(store_path: Path) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "openai_usage_client", "metrics", "--db", str(store_path),
         "--serve", "0.0.0.0:0"],
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert server.stderr is not None
        warning = server.stderr.readline().strip()
        url = server.stderr.readline().strip()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert warning == (
        "openai-usage: warning: serving spend and project names on 0.0.0.0, beyond this "
        "machine, with no authentication: anyone who can reach it can read them; put it "
        "behind a proxy that authenticates (docs/metrics.md), or serve 127.0.0.1"
    )
    assert url.startswith("http://0.0.0.0:") and url.endswith("/metrics")


def test_an_unreadable_store_is_said_once_per_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "later.db"
    collector = StoreCollector(db)
    for _ in range(3):
        assert samples(exposition(collector))[("openai_usage_up", ())] == 0
    err = capsys.readouterr().err
    assert err.count("openai-usage metrics: the store cannot be read: ") == 1
    assert str(db) in err
    db.write_text("not a database\n" * 10)
    exposition(collector)
    assert "is not a store of openai-usage-client" in capsys.readouterr().err


def test_todays_spend_estimated_from_usage_before_its_costs_arrive(tmp_path: Path) -> None:
    db = tmp_path / "est.db"
    now = ts("2026-11-10T18:00:00")
    fake = FakeAPI(seed=0, now=now, settle_days=2)  # today's costs: not there yet
    with client_for(fake) as client, Store(db) as store:
        store.sync(client, start=now - 20 * DAY, endpoints=list(ENDPOINT_NAMES), now=now)
    found = samples(exposition(StoreCollector(db, clock=lambda: now)))
    guessed = {dict(lb)["project"]: v for (n, lb), v in found.items()
               if n == "openai_cost_today_estimated_usd"}  # fmt: skip
    billed = {dict(lb)["project"]: v for (n, lb), v in found.items()
              if n == "openai_cost_today_usd"}  # fmt: skip

    # The fake bills usage x its prices: the estimate is today's final bill to 17:00 (usage
    # is there within the hour) and part of the last hour's, while the costs have reported
    # a small part of the day yet.
    def truth(end: int) -> dict[str, float]:
        found = FakeAPI(seed=0, now=now).totals("costs", start_time=now - 18 * 3600,
                                                end_time=end, group_by=["project_id"])  # fmt: skip
        return {k[0]: float(v["amount"]) for k, v in found.items()}

    before, after = truth(now - 3600), truth(now)
    assert (
        all(before[p] <= guessed[p] <= after[p] for p in after) and guessed.keys() == after.keys()
    )
    assert sum(guessed.values()) == pytest.approx(8.2493, abs=1e-4)
    assert sum(billed.values()) < sum(guessed.values()) / 2


def test_spend_allocated_to_keys_where_costs_cannot_be_grouped_by_them(tmp_path: Path) -> None:
    db = tmp_path / "refused.db"
    refusing = FakeAPI(seed=0, now=DEFAULT_NOW, refuse_costs_by_key=True)
    with client_for(refusing) as client, Store(db) as store:
        store.sync(client, start=START, now=DEFAULT_NOW)
    labelled = samples(exposition(StoreCollector(db, labels=["api_key"],
                                                 clock=lambda: DEFAULT_NOW - 1)))  # fmt: skip
    allocated = {(dict(lb)["project"], dict(lb)["api_key"]): v for (n, lb), v in labelled.items()
                 if n == "openai_cost_allocated_month_to_date_usd"}  # fmt: skip
    mtd = sum(v for (n, _), v in labelled.items() if n == "openai_cost_month_to_date_usd")
    assert len(allocated) > 5 and sum(allocated.values()) == pytest.approx(mtd)
    # Natively grouped costs, or no labels asked: no allocated gauge.
    plain = samples(exposition(StoreCollector(db, clock=lambda: DEFAULT_NOW - 1)))
    assert not any(n == "openai_cost_allocated_month_to_date_usd" for n, _ in plain)


#: Units promtool's lint asks to be base units (seconds, bytes, ratios), and type names it
#: refuses inside a metric's name.
_NOT_BASE = ("_milliseconds", "_ms", "_minutes", "_hours", "_days", "_kilobytes", "_megabytes",
             "_percent")  # fmt: skip
_TYPE_WORDS = ("_gauge", "_counter", "_histogram", "_summary")


def test_the_exposition_follows_prometheus_naming_rules(store_path: Path, tmp_path: Path) -> None:
    """What ``promtool check metrics`` lints, held on the whole exposition (#39): a HELP for
    every family, snake_case, ``_total`` on counters only, base units, no type in a name."""
    config = tmp_path / "b.toml"
    config.write_text('[[budget]]\nscope = "organization"\nmonthly_usd = 100\n'
                      '[[team]]\nname = "web"\nprojects = ["Web app"]\n')  # fmt: skip
    code, out, err = run("metrics", "--db", str(store_path), "--labels", "api_key,user",
                         "--config", str(config))  # fmt: skip
    assert code == 0, err
    types = dict(re.findall(r"^# TYPE (\S+) (\S+)$", out, flags=re.M))
    helps = set(re.findall(r"^# HELP (\S+) \S", out, flags=re.M))
    assert len(types) >= len(METRICS) - 1  # the allocated gauge only for a refusing org
    for name, kind in types.items():
        assert name in helps, name
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name), name
        assert kind in ("counter", "gauge", "info"), (name, kind)
        assert name.endswith("_total") == (kind == "counter"), (name, kind)
        assert not any(part in name for part in _NOT_BASE), name
        assert not any(word in name for word in _TYPE_WORDS), name
    samples_names = set(re.findall(r"^([a-z_]+)[{ ]", out, flags=re.M))
    assert {n for n in samples_names if n not in types} <= {f"{n}_info" for n in types} | {
        f"{n}_total" for n in types
    }
