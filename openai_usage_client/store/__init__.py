"""A local SQLite copy of usage and costs, kept current by ``sync`` (stdlib ``sqlite3`` only).
It imports ``_core``, ``directory`` (the names it keeps) and the clients (``_client``);
``report`` and the CLI read it.

::

    from openai_usage_client import UsageClient
    from openai_usage_client.store import Store

    with UsageClient() as client, Store("usage.db") as store:
        print(store.sync(client, start="2026-01-01"))   # later runs: store.sync(client)
        for row in store.rows("costs", start="2026-10-01"):
            ...                                          # the live export's rows, from disk
        store.export_parquet("warehouse/")               # Hive partitions, exact decimals

    # AsyncUsageClient: summary = await store.async_sync(client, start=...)

A sync fetches what is missing, plus every bucket younger than ``settle_days`` (costs arrive
late and settle late) and the open bucket (provisional); each window is written in one
transaction that replaces its rows, so a sync is idempotent and a crash at any moment leaves
whole windows only. See ``Store.sync`` and ``docs/store.md``; the schema is described in
``openai_usage_client.store._schema``.

Errors (all ``OpenAIUsageError``)::

    OpenAIUsageError
    └── StoreError                    the store file cannot be used as asked
        ├── StoreLockedError          another sync holds the file's sync lock
        ├── StoreVersionError         the file was written by a newer version of this package
        └── SyncIncompleteError       a sync stopped part-way; committed windows are kept

``NotStoredError`` (an ``InvalidParameterError``): ``Store.select`` asked for a width,
grouping or filter no stored series can answer.
"""

from ._coverage import Coverage, EndpointCoverage
from ._errors import (
    REBUILD,
    Missing,
    StoreDamagedError,
    StoreEmptyError,
    StoreError,
    StoreForeignError,
    StoreLockedError,
    StoreVersionError,
    SyncIncompleteError,
    SyncTerminated,
    on_sigterm,
)
from ._parquet import ExportSummary
from ._read import NAME_COLUMNS, Freshness
from ._regroup import coarser as regroup
from ._schema import SCHEMA_VERSION, default_group_by
from ._select import NotStoredError, Selection
from ._series import StoredSeries
from ._store import Store
from ._sync_summary import SyncSummary

__all__ = [
    "NAME_COLUMNS",
    "REBUILD",
    "SCHEMA_VERSION",
    "Coverage",
    "EndpointCoverage",
    "ExportSummary",
    "Freshness",
    "Missing",
    "NotStoredError",
    "Selection",
    "Store",
    "StoreDamagedError",
    "StoreEmptyError",
    "StoreError",
    "StoreForeignError",
    "StoreLockedError",
    "StoreVersionError",
    "StoredSeries",
    "SyncIncompleteError",
    "SyncSummary",
    "SyncTerminated",
    "default_group_by",
    "on_sigterm",
    "regroup",
]
