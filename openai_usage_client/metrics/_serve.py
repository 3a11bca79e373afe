"""Serving the metrics over HTTP: ``/metrics`` only, idle connections timed out.

``serve(collector, host, port)`` starts a threaded HTTP server in the background and returns
it (``server.shutdown()`` stops it). ``GET /metrics`` answers one scrape (a full store read);
``GET /`` a pointer to it; every other path 404, so a crawler or a mistyped URL does not cost
a store read each. A connection that sends nothing for ``IDLE_TIMEOUT`` seconds (a TLS hello
to a plain-HTTP port, a stalled client) is dropped instead of holding a thread for ever.

There is no authentication: spend and project names are served to whoever can reach the
address. ``is_loopback(host)`` says whether it is this machine only; the CLI warns otherwise
(docs/metrics.md says how to put the exporter behind a proxy that authenticates).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from ._collector import StoreCollector

__all__ = ["IDLE_TIMEOUT", "is_loopback", "serve"]

#: Seconds a connection may stay silent.
IDLE_TIMEOUT: Final = 30.0
_POINTER: Final = b"openai-usage metrics: scrape /metrics\n"


def is_loopback(host: str) -> bool:
    """``host`` reaches this machine only (``127.0.0.1``, ``::1``, ``localhost``)."""
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _handler(collector: StoreCollector) -> type[BaseHTTPRequestHandler]:
    from ._collector import exposition

    class Handler(BaseHTTPRequestHandler):
        timeout = IDLE_TIMEOUT

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._answer(200, exposition(collector), "text/plain; version=0.0.4")
            elif path == "/":
                self._answer(200, _POINTER, "text/plain")
            else:
                self._answer(404, b"not found: scrape /metrics\n", "text/plain")

        def _answer(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass  # a scrape every 15 s is not news

    return Handler


class _Server6(ThreadingHTTPServer):
    address_family = socket.AF_INET6


def serve(collector: StoreCollector, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """Serve ``collector`` on ``host:port`` in a background thread; returns the server (its
    ``server_address`` is the bound address). ``OSError`` when the address cannot be bound."""
    server = (_Server6 if ":" in host else ThreadingHTTPServer)((host, port), _handler(collector))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
