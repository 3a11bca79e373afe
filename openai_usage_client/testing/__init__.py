"""An offline fake of OpenAI's organization Usage and Costs API, for tests and benchmarks.
It imports ``_core``, ``directory`` and ``_generated`` only; the CLI serves it (``--fake``).

The fake serves a deterministic synthetic organization (chosen by a seed) on every endpoint
of the API: ``/v1/organization/usage/<kind>`` for all eleven kinds and
``/v1/organization/costs``. It honours every parameter (``start_time``, ``end_time``,
``bucket_width``, ``limit``, ``page``, every filter and ``group_by`` combination, arrays
spelled ``a=x&a=y`` or ``a[]=x&a[]=y``), answers bad ones with the API's error shape, and can
inject seeded faults and wire quirks.

Quick start::

    from openai_usage_client.testing import FakeAPI, FakeServer, Faults, serve

    fake = FakeAPI(seed=0)                      # now = 2026-11-01T00:00Z unless given
    with fake.client() as http:                 # httpx.Client, base_url + admin key set
        page = http.get("/organization/usage/completions",
                        params={"start_time": 1790812800, "bucket_width": "1h",
                                "group_by": ["model"]}).json()
    truth = fake.totals("completions", start_time=1790812800, end_time=1793491200,
                        group_by=["model"])    # {("gpt-4o-mini-2024-07-18",): {...}, ...}

    httpx.Client(transport=fake.transport())    # also httpx.AsyncClient(transport=...)
    with FakeServer(fake, port=0) as server:    # a real HTTP server on loopback
        server.base_url                         # "http://127.0.0.1:<port>/v1"
    serve(fake, host="127.0.0.1", port=8080)    # blocking, for ``fake-server`` commands

The data
--------
``fake.org`` describes the organization: five projects (``org.idle_project``, the last, has a
key but never any usage), seven users, eleven API keys (two of them service-account keys,
whose usage has ``user_id`` null), three vector stores, and per endpoint the *streams* (one
per combination of grouping values) that generate activity, with American, European,
nightly-batch and always-on daily shapes, quieter weekends, growth over time, a six-hour
spike on ``org.spike_day``, and ``org.new_model`` appearing on ``org.new_model_day`` (while the
model it replaces fades out). Activity starts on 2024-11-01 and stops at ``now``.

Usage is generated per minute, lazily per (endpoint, UTC day), and aggregated on request, so
every width agrees: the 60 minute buckets of an hour sum to the hour bucket and the 24 hour
buckets of a day to the day bucket, for every counter and grouping. Counters are integers.
Token splits are consistent: ``input_tokens = input_cached_tokens + input_cache_write_tokens
+ input_uncached_tokens``, ``input_cache_write_tokens = 12h + 30m``, ``input_uncached_tokens =
input_text + input_audio + input_image``, ``input_cached_tokens`` likewise from the cached
splits, ``output_tokens = output_text + output_audio + output_image``. Vector store storage
(``usage_bytes``) is a gauge recorded once a day per project, in the 00:00 minute: a 1d bucket
holds that day's size, the 00:00 hour and minute hold it too, other minutes and hours are
empty, so sums still agree.

Costs are derived from usage and a price table: daily (``1d`` only), one line per project,
key, user, API source and line item (``"<model>, input"``, ``"<model>, cached input"``,
``"<model>, output"``, the same three with ``batch`` before the kind for Batch API usage at half
price, ``"<model>, images"``, ``"<model>, characters"``, ``"<model>, transcription"``,
``"vector store storage"``, ``"code interpreter sessions"``, ``"file search tool calls"``,
``"web search tool calls (<low|medium|high> context)"``). Each line item has one unit price
(the table in ``testing/_org.py``), so reconciling the fake's costs with its usage is exact.
Amounts are exact Decimals, sent as JSON numbers
or strings per ``money_as_string``; ``quantity``/``quantity_unit`` are set when grouped by
``line_item`` (``tokens``, ``images``, ``characters``, ``duration_seconds``,
``gibibyte_hours``, ``sessions``, ``calls``).

Buckets are UTC aligned. When ``start_time`` is not aligned the first bucket runs from it to
the next boundary; when ``end_time`` is not aligned the last bucket ends at it. Activity of a
minute happens at the instant the minute starts. ``next_page`` cursors are opaque, tied to
the query, and null on the last page.

Errors and faults
-----------------
No key: 401; a key not starting with ``sk-admin-``: 403 ("Missing scopes: api.usage.read");
bad parameters: 400 ``{"error": {"message", "type": "invalid_request_error", "param",
"code": null}}``. Every response has a deterministic ``x-request-id``. ``Faults`` sets rates of
429 (with a small ``Retry-After``, or without), 500/502/503, connection resets, timeouts,
truncated and HTML bodies, and the quirks of the live API (a repeated cursor, ``result``
instead of ``results``, ``sessions`` instead of ``num_sessions``, an unknown result type,
unknown fields); ``Persistent`` makes a failure permanent for matching requests. Whether a
request is faulted depends only on (seed, path + canonical query, attempt number of that
request), so outcomes repeat even under concurrency. ``fake.request_log`` records every
request served.
"""

from __future__ import annotations

from ._api import (
    BASE_URL,
    DEFAULT_ADMIN_KEY,
    ExpectedBucket,
    FakeAPI,
    FakeResponse,
    LoggedRequest,
    RequestLog,
)
from ._directory import USAGE_ONLY_ADMIN_KEY, FakeDirectory
from ._discrepancies import DISCREPANCY_KINDS, Discrepancy
from ._faults import FAILURE_KINDS, QUIRK_KINDS, Faults, Persistent, RequestInfo
from ._org import DEFAULT_NOW, Organization
from ._render import UNKNOWN_FIELD, UNKNOWN_FIELD_VALUE, UNKNOWN_RESULT, UNKNOWN_RESULT_OBJECT
from ._server import FakeServer, serve
from ._transport import FakeTransport

__all__ = [
    "BASE_URL",
    "DEFAULT_ADMIN_KEY",
    "DEFAULT_NOW",
    "DISCREPANCY_KINDS",
    "FAILURE_KINDS",
    "QUIRK_KINDS",
    "UNKNOWN_FIELD",
    "UNKNOWN_FIELD_VALUE",
    "UNKNOWN_RESULT",
    "UNKNOWN_RESULT_OBJECT",
    "USAGE_ONLY_ADMIN_KEY",
    "Discrepancy",
    "ExpectedBucket",
    "FakeAPI",
    "FakeDirectory",
    "FakeResponse",
    "FakeServer",
    "FakeTransport",
    "Faults",
    "LoggedRequest",
    "Organization",
    "Persistent",
    "RequestInfo",
    "RequestLog",
    "serve",
]
