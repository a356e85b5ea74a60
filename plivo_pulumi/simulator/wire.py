"""The wire: reading request bodies, sending JSON replies, and the standard library's own error
answers turned into the API's JSON errors. The API and admin handlers build on `HandlerBase`."""

from __future__ import annotations

import email.message
import json
import socket
import threading
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol

from ..version import __version__
from .errors import BadRequest, PayloadTooLarge
from .faults import FaultInjector
from .models import PlivoState
from .request_log import RequestLog


class SimulatorHost(Protocol):
    """What the handlers use of their server (`server.SimulatorServer`, which imports the handlers:
    naming it here would make an import cycle)."""

    state: PlivoState
    faults: FaultInjector
    request_log: RequestLog
    callbacks: list[dict[str, Any]]
    callbacks_lock: threading.Lock

    @property
    def base_url(self) -> str: ...

    @property
    def admin_url(self) -> str: ...

    def log_line(self, text: str) -> None: ...

    def deliver_callback(
        self, url: str, method: str, api_id: str, status: int, body: dict[str, Any] | None
    ) -> None: ...


def new_api_id() -> str:
    return str(uuid.uuid4())


@dataclass
class Reply:
    status: int
    body: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)


class HandlerBase(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = f"plivo-sim/{__version__}"
    sys_version = ""
    timeout = 120  # idle keep-alive connections are closed after this many seconds
    server: SimulatorHost  # type: ignore[assignment]  # BaseHTTPRequestHandler types it as socketserver's

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in one write; no Nagle delay on small JSON answers.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # The standard access log is replaced by SimulatorServer.log_line (never logs headers).
    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        pass

    def log_message(self, format: str, *args: Any) -> None:
        self.server.log_line(format % args)

    def parse_request(self) -> bool:
        """The standard parsing, with HTTP/0.9 refused: a 0.9 request has no headers, which every
        answer here needs. The refusal goes out as an HTTP/1.0 response (0.9 has no status line)."""
        if not super().parse_request():
            return False
        if self.request_version == "HTTP/0.9":
            self.request_version = "HTTP/1.0"
            self.close_connection = True
            self.send_error(400, "HTTP/0.9 is not supported; send HTTP/1.0 or HTTP/1.1")
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors the standard library answers itself (a malformed request line or header, an
        unsupported method) come as the documented JSON error body, not an HTML page."""
        self.close_connection = True
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
            self.request_version = "HTTP/1.0"  # a status line and headers even for a garbled request
        if not hasattr(self, "headers"):
            self.headers = email.message.Message()  # the request line failed before any header was read
        try:
            text = message or HTTPStatus(code).phrase
        except ValueError:
            text = f"HTTP {code}"
        self.log_message("%s", f"{code} {text}")
        try:
            self._send(Reply(code, {"api_id": new_api_id(), "error": text}))
        except OSError:
            pass

    def _read_body(self, limit: int) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            size = 0
            while True:
                line = self.rfile.readline(1024)
                try:
                    length = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise BadRequest("malformed chunked body") from None
                if length == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                size += length
                if size > limit:
                    raise PayloadTooLarge("request body too large")
                chunks.append(self.rfile.read(length))
                self.rfile.readline(8)
            return b"".join(chunks)
        raw_length = self.headers.get("Content-Length")
        if not raw_length:
            return b""
        try:
            length = int(raw_length)
        except ValueError:
            self.close_connection = True
            raise BadRequest("invalid Content-Length") from None
        if length < 0 or length > limit:
            self.close_connection = True
            raise PayloadTooLarge("request body too large")
        return self.rfile.read(length)

    def _send(self, reply: Reply) -> None:
        payload = b""
        if reply.status != 204 and reply.body is not None:
            payload = json.dumps(reply.body, indent=None, separators=(",", ":")).encode()
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.status != 204:
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self._headers_buffer.append(b"\r\n" + payload)  # type: ignore[attr-defined]  # set by send_response
        self.flush_headers()

    def _drop(self) -> None:
        """Close the connection without an HTTP response."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
