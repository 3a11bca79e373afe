"""Where the money and the tokens went over a period: the report as data, and every way it
is shown (text, markdown, JSON, chart). It imports ``_core``, ``analysis``, ``directory``
and ``store``; the CLI chooses a format and prints what this package renders.

* ``build_report(client, start_time, end_time)``: four calls through the public client API
  (costs by project and line item, by API key, by user; completions usage by model),
  totalled into a ``Report`` (``_build``); ``report_from_rows`` is its pure part.
* ``report_from_store(store, start_time, end_time)``: the same totals from a local store,
  computed in SQL, with the store's names, freshness and provisional days (``_from_store``).
* ``render_report`` (text), ``render_markdown``, ``report_document`` + ``dumps`` (JSON,
  ``docs/report-json.md``; ``write_document`` writes it in pieces), ``chart_data`` +
  ``write_chart`` (PNG with the ``[charts]`` extra, or self-contained HTML/SVG with nothing
  installed).

Errors are the package's own: ``MixedCurrencyError`` (an ``OpenAIUsageError``) when the costs
are in several currencies; whatever the client raises while fetching passes through.
"""

from .._core._periods import DEFAULT_DAYS
from ._build import build_report, chart_data, default_period, report_from_rows
from ._charts import ChartData, check_chart, write_chart
from ._estimated import ESTIMATED, EstimatedDay, EstimatedSpend, KeptEstimate
from ._from_store import StoredDaily, report_from_store
from ._labels import NAMED_COLUMNS, labels
from ._model import REPORT_QUERIES, MixedCurrencyError, Report, ReportQuery
from ._period import report_period
from ._text import render_report
from ._unmatched import describe_unmatched
from ._views import (
    ModelTop,
    ReportFilters,
    ReportView,
    dumps,
    render_markdown,
    report_document,
    top_by_model,
    write_document,
)

__all__ = [
    "DEFAULT_DAYS",
    "ESTIMATED",
    "NAMED_COLUMNS",
    "REPORT_QUERIES",
    "ChartData",
    "EstimatedDay",
    "EstimatedSpend",
    "KeptEstimate",
    "MixedCurrencyError",
    "ModelTop",
    "Report",
    "ReportFilters",
    "ReportQuery",
    "ReportView",
    "StoredDaily",
    "build_report",
    "chart_data",
    "check_chart",
    "default_period",
    "describe_unmatched",
    "dumps",
    "labels",
    "render_markdown",
    "render_report",
    "report_document",
    "report_from_rows",
    "report_from_store",
    "report_period",
    "top_by_model",
    "write_chart",
    "write_document",
]
