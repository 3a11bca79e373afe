"""The core every product uses: settings, parameters, time, pagination, retries, errors,
streams, rows and exports. It imports only ``_generated`` and ``_version``.

Products (``directory``, ``store``, ``report``, ``spend``, ``testing``, the CLI) import the
core's modules by name (``from .._core._endpoints import ENDPOINTS``); what they read is
listed in each module's ``__all__``, the core's deliberate internal API
(docs/architecture.md). Nothing is imported here, so importing one module stays cheap.
"""
