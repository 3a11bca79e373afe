"""Hand-off to Prometheus: a store's spend, tokens and freshness as metrics, read afresh at
each scrape and never from the API. It imports ``_core``, ``store`` and ``spend``.

::

    from prometheus_client import CollectorRegistry, generate_latest
    from openai_usage_client.metrics import StoreCollector

    registry = CollectorRegistry()
    registry.register(StoreCollector("usage.db"))
    print(generate_latest(registry).decode())

Settled spend and usage are counters (they only grow: a settled day is never fetched
again), spend still settling and calendar periods are gauges. Extra ``[metrics]``
(``prometheus-client``). ``docs/metrics.md`` describes every metric.
"""

from ._collector import METRICS, StoreCollector, exposition, write_textfile
from ._serve import is_loopback, serve

__all__ = ["METRICS", "StoreCollector", "exposition", "is_loopback", "serve", "write_textfile"]
