"""One local HTTP server for every stand-in the tests need (a scripted API, a proxy, a callback
receiver): it listens on 127.0.0.1 on a free port and hands each request to a function."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class StubRequest:
    method: str
    path: str  # with the query string, as sent
    headers: dict[str, str]
    body: bytes


# What a handler returns: status, headers, body.
StubAnswer = tuple[int, dict[str, str], bytes]


class LocalHTTPServer:
    """`LocalHTTPServer(respond)`: every request (GET, POST, PUT, DELETE) goes to `respond`, whose
    answer is sent back. Use as a context manager, or call `close()`."""

    def __init__(self, respond: Callable[[StubRequest], StubAnswer]) -> None:
        self.respond = respond

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = StubRequest(
                    self.command, self.path, dict(self.headers), self.rfile.read(length) if length else b""
                )
                status, headers, body = stub.respond(request)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD" and status not in (204, 304):
                    self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, *args: object) -> None:
                pass

        stub = self
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> LocalHTTPServer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
