"""The simulator's HTTP server: one thread per connection, the API and admin routes (responses.py,
admin.py), fault injection (faults.py), the request log (request_log.py) and callback delivery."""

from __future__ import annotations

import json
import sys
import threading
import urllib.request
from http.server import ThreadingHTTPServer
from typing import Any, TextIO
from urllib.parse import urlencode, urlsplit

from ..version import __version__
from .admin import ADMIN_PREFIX, AdminApi
from .application_responses import ApplicationApi
from .errors import ApiError
from .faults import FaultInjector
from .models import PlivoState
from .phone_number_responses import PhoneNumberApi
from .request_log import RequestLog
from .responses import NumberApi
from .wire import Reply, new_api_id

__all__ = ["Handler", "SimulatorServer"]


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512

    def __init__(
        self,
        address: tuple[str, int],
        state: PlivoState,
        faults: FaultInjector | None = None,
        *,
        quiet: bool = True,
        log_stream: TextIO | None = None,
    ) -> None:
        self.state = state
        self.faults = faults or FaultInjector()
        self.request_log = RequestLog()
        self.quiet = quiet
        self.log_stream = log_stream or sys.stderr
        self.callbacks: list[dict[str, Any]] = []
        self.callbacks_lock = threading.Lock()
        super().__init__(address, Handler)

    @property
    def origin(self) -> str:
        raw_host, port = self.server_address[:2]
        host = raw_host.decode() if isinstance(raw_host, bytes) else str(raw_host)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    @property
    def admin_url(self) -> str:
        return f"{self.origin}{ADMIN_PREFIX}"

    def log_line(self, text: str) -> None:
        if not self.quiet:
            try:
                self.log_stream.write(f"plivo-sim: {text}\n")
                self.log_stream.flush()
            except (OSError, ValueError):
                pass

    def deliver_callback(
        self, url: str, method: str, api_id: str, status: int, body: dict[str, Any] | None
    ) -> None:
        payload = {
            "api_id": api_id,
            "status": str(status),
            "response": json.dumps(body if body is not None else {"api_id": api_id}),
        }
        record: dict[str, Any] = {"url": url, "method": method, "api_id": api_id, "status": status}

        def run() -> None:
            try:
                encoded = urlencode(payload)
                if method == "GET":
                    sep = "&" if urlsplit(url).query else "?"
                    request = urllib.request.Request(url + sep + encoded, method="GET")
                else:
                    request = urllib.request.Request(
                        url,
                        data=encoded.encode(),
                        method="POST",
                        headers={"Content-Type": "application/x-www-form-urlencoded"},
                    )
                request.add_header("User-Agent", f"plivo-sim/{__version__}")
                with urllib.request.urlopen(request, timeout=10) as answer:
                    record["delivered"] = answer.status
            except Exception as exc:  # delivery failures are recorded, never raised
                record["error"] = f"{type(exc).__name__}: {exc}"[:300]
            with self.callbacks_lock:
                self.callbacks.append(record)
            self.log_line(
                f"callback {method} {url} for {api_id}: {record.get('delivered', record.get('error'))}"
            )

        threading.Thread(target=run, name=f"callback-{api_id}", daemon=True).start()


class Handler(NumberApi, ApplicationApi, PhoneNumberApi, AdminApi):
    """Routes each request to the real API or the admin API."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def _dispatch(self, method: str) -> None:
        split = urlsplit(self.path)
        path = split.path
        try:
            if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
                try:
                    reply = self._admin(method, path[len(ADMIN_PREFIX) :], split.query)
                except ApiError as exc:
                    reply = Reply(exc.status, {"error": exc.message}, exc.headers)
                self._send(reply)
                return
            self._api_entry(method, path, split.query)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # a bug in the simulator: answer 500, keep serving
            self.server.log_line(f"internal error on {method} {path}: {type(exc).__name__}: {exc}")
            try:
                self._send(Reply(500, {"api_id": new_api_id(), "error": "internal simulator error"}))
            except OSError:
                self.close_connection = True
