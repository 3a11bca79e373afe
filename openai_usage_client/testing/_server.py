"""The out-of-process way to run the fake: a real HTTP server on loopback.

Stdlib only (``ThreadingHTTPServer``): one daemon thread per connection, so injected latency
on concurrent requests overlaps instead of queueing. It binds to loopback addresses only,
because it accepts any ``sk-admin-`` key and has no business being reachable from elsewhere.
"""

from __future__ import annotations

import contextlib
import email.utils
import ipaddress
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Final
from urllib.parse import urlsplit

from ._api import FakeAPI
from ._clock import CLOCK_PATH, clock_answer

_REASONS: Final = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden"}


def _check_loopback(host: str) -> None:
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the fake server only binds to loopback addresses, not {host!r}")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], fake: FakeAPI) -> None:
        self.fake = fake
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        # Reset faults and clients that hang up early raise here; they are expected.
        return


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 so clients keep connections alive, as they would with the real API.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the body would
    # wait for the client's delayed ACK (about 40 ms a response).
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return

    def date_time_string(self, timestamp: float | None = None) -> str:
        # The Date header is the fake's clock, not this machine's (clients read it as the
        # server's "now": what has happened yet).
        return email.utils.formatdate(self.server.fake.now, usegmt=True)

    def _serve(self) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        if parts.path == CLOCK_PATH:
            answer = clock_answer(fake, self.command, parts.query)
        else:
            answer = fake.handle(self.command, parts.path, parts.query, dict(self.headers.items()))
        if fake.latency:
            time.sleep(fake.latency)
        if answer.fault == "reset":
            # Close without a response: the client sees the connection drop.
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if answer.delay:
            time.sleep(answer.delay)
        self.send_response(answer.status, _REASONS.get(answer.status))
        for name, value in answer.headers.items():
            if name.lower() != "date":  # send_response sent it (date_time_string)
                self.send_header(name, value)
        self.send_header("content-length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve


class FakeServer:
    """A ``FakeAPI`` behind a real HTTP server on a loopback address, in a background thread.

    ``with FakeServer(fake, port=0) as server:`` starts it (``port=0`` picks a free port) and
    ``server.base_url`` is e.g. ``http://127.0.0.1:54321/v1``. Non-loopback hosts raise
    ``ValueError``.
    """

    def __init__(self, fake: FakeAPI | None = None, host: str = "127.0.0.1", port: int = 0):
        _check_loopback(host)
        self.fake = fake if fake is not None else FakeAPI()
        self.host = host
        self._httpd = _Server((host, port), self.fake)
        self.port: int = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/v1"

    def start(self) -> FakeServer:
        if self._thread is None:
            # A short poll interval so ``stop()`` (and each test using the server) is quick.
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="fake-openai-usage",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve(fake: FakeAPI | None = None, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve ``fake`` (default: ``FakeAPI()``) on ``host:port`` until interrupted (blocking)."""
    _check_loopback(host)
    httpd = _Server((host, port), fake if fake is not None else FakeAPI())
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
