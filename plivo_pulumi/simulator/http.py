"""HTTP layer of the simulator: the Plivo Number API plus the ``/__sim__/`` admin API.

A thin layer over :mod:`plivo_pulumi.simulator.model` on ``http.server.ThreadingHTTPServer`` (one
thread per connection, HTTP/1.1 keep-alive, so injected latency does not serialize requests).

Real API (Basic auth; the account in the path must be the authenticated one, else 401)::

    GET    /v1/Account/{auth_id}/Number/            list (number_type, number_startswith,
                                                    subaccount, services, limit 1-20, offset)
    GET    /v1/Account/{auth_id}/Number/{number}/   details            200
    POST   /v1/Account/{auth_id}/Number/{number}/   edit (JSON or form) 202 {"message": "changed"}
    DELETE /v1/Account/{auth_id}/Number/{number}/   unrent             204

Trailing slashes are optional. Errors are JSON ``{"api_id": ..., "error": ...}`` with 400, 401,
404 or 405. An absent ``number_type`` filter lists numbers of every type (the reference's "Defaults
to a local number" describes the type of number the API deals with, and a client that lists a whole
account must see toll-free numbers too). Unknown parameters are answered with 400 so that client
typos surface (the real API may ignore them).

Asynchronous mode: with ``callback_url`` (query or body) the answer is at once ``202 {"api_id":
..., "message": "async api spawned"}``; the operation runs before that answer, and its full response
is then sent from a background thread to ``callback_url`` with ``callback_method`` (POST by
default) as form fields ``api_id``, ``status`` (the HTTP status the synchronous call would have had)
and ``response`` (the JSON body, for 204 ``{"api_id": ...}``).

Admin API under ``/__sim__/`` (no auth, never logged, never faulted): see ``docs/simulator.md``.
"""

from __future__ import annotations

import base64
import binascii
import email.message
import json
import random
import re
import socket
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TextIO
from urllib.parse import parse_qsl, urlencode, urlsplit

from .. import __version__
from ..numbers import application_uri, number_uri, subaccount_uri
from .model import (
    NUMBER_TYPES,
    SERVICES,
    UNSET,
    Account,
    Number,
    PlivoState,
    SeedError,
    SimError,
    check_number_shape,
)
from .seed import parse_seed_text

__all__ = ["FaultInjector", "RequestLog", "SimulatorServer", "make_server", "render_number"]

ADMIN_PREFIX = "/__sim__"
MAX_PAGE_SIZE = 20
MAX_API_BODY = 1 << 20
MAX_ADMIN_BODY = 64 << 20
_API_RE = re.compile(r"/v1/Account/(?P<account>[^/]+)/Number(?:/(?P<number>[^/]+))?/?")
_ASYNC_KEYS = ("callback_url", "callback_method")
_LIST_KEYS = ("number_type", "number_startswith", "subaccount", "services", "limit", "offset")
_EDIT_KEYS = ("app_id", "subaccount", "alias")


def new_api_id() -> str:
    return str(uuid.uuid4())


# -- faults ---------------------------------------------------------------------------------------


DEFAULT_FAULTS: dict[str, Any] = {
    "latency_ms": 0,
    "latency_jitter_ms": 0,
    "error_rate": 0.0,
    "error_statuses": [500, 503],
    "rate_limit_rate": 0.0,
    "retry_after": 1,
    "drop_rate": 0.0,
    "seed": None,
    "script": [],
}
_SCRIPT_RE = re.compile(r"ok|drop|rate_limit|error(?::[45]\d\d)?")


@dataclass
class Fault:
    latency: float = 0.0
    kind: str | None = None  # None, "drop", "rate_limit", "error"
    status: int | None = None


class FaultInjector:
    """Per-request fault decisions from a seeded random generator (thread-safe)."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self._lock = threading.Lock()
        self.configure(config or {})

    @staticmethod
    def validate(config: Any) -> dict[str, Any]:
        if not isinstance(config, dict):
            raise ValueError("faults must be a JSON object")
        unknown = sorted(set(config) - set(DEFAULT_FAULTS))
        if unknown:
            raise ValueError(
                f"unknown fault setting(s) {', '.join(unknown)}; allowed: {', '.join(DEFAULT_FAULTS)}"
            )
        merged = dict(DEFAULT_FAULTS, **config)
        for key in ("latency_ms", "latency_jitter_ms"):
            value = merged[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 60_000:
                raise ValueError(f"{key} must be a number of milliseconds from 0 to 60000, got {value!r}")
        for key in ("error_rate", "rate_limit_rate", "drop_rate"):
            value = merged[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
                raise ValueError(f"{key} must be a probability from 0 to 1, got {value!r}")
            merged[key] = float(value)
        statuses = merged["error_statuses"]
        if (
            not isinstance(statuses, list)
            or not statuses
            or not all(isinstance(s, int) and not isinstance(s, bool) and 400 <= s <= 599 for s in statuses)
        ):
            raise ValueError(
                f"error_statuses must be a non-empty list of HTTP statuses 400-599, got {statuses!r}"
            )
        retry_after = merged["retry_after"]
        if retry_after is not None and (
            isinstance(retry_after, bool) or not isinstance(retry_after, int) or not 0 <= retry_after <= 3600
        ):
            raise ValueError(f"retry_after must be whole seconds from 0 to 3600 or null, got {retry_after!r}")
        seed = merged["seed"]
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f"seed must be an integer or null, got {seed!r}")
        script = merged["script"]
        if not isinstance(script, list) or not all(
            isinstance(s, str) and _SCRIPT_RE.fullmatch(s) for s in script
        ):
            raise ValueError(
                "script must be a list of 'ok', 'drop', 'rate_limit', 'error' or 'error:<status>', "
                f"got {script!r}"
            )
        merged["script"] = list(script)
        return merged

    def configure(self, config: dict[str, Any]) -> dict[str, Any]:
        """Replace the configuration (unspecified settings take their defaults)."""
        merged = self.validate(config)
        with self._lock:
            self.config = merged
            self._random = random.Random(merged["seed"])
        return dict(merged)

    def current(self) -> dict[str, Any]:
        """The settings; ``script`` holds the scripted faults not used yet."""
        with self._lock:
            return dict(self.config, script=list(self.config["script"]))

    def decide(self) -> Fault:
        with self._lock:
            c = self.config
            rng = self._random
            latency = c["latency_ms"] / 1000.0
            if c["latency_jitter_ms"]:
                latency += rng.uniform(0, c["latency_jitter_ms"] / 1000.0)
            fault = Fault(latency=latency)
            if c["script"]:
                # Scripted faults first, one per request, in order; then the random rates apply.
                step = c["script"].pop(0)
                if step == "drop":
                    fault.kind = "drop"
                elif step == "rate_limit":
                    fault.kind, fault.status = "rate_limit", 429
                elif step.startswith("error"):
                    status = int(step.split(":")[1]) if ":" in step else c["error_statuses"][0]
                    fault.kind, fault.status = "error", status
            elif c["drop_rate"] and rng.random() < c["drop_rate"]:
                fault.kind = "drop"
            elif c["rate_limit_rate"] and rng.random() < c["rate_limit_rate"]:
                fault.kind, fault.status = "rate_limit", 429
            elif c["error_rate"] and rng.random() < c["error_rate"]:
                fault.kind, fault.status = "error", rng.choice(c["error_statuses"])
            return fault


# -- request log ----------------------------------------------------------------------------------


@dataclass
class RequestLog:
    """Every real-API request (not admin ones): method, path, status, account, fault."""

    max_entries: int = 200_000
    entries: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    by_route: Counter = field(default_factory=Counter)
    by_method: Counter = field(default_factory=Counter)
    by_status: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(
        self, method: str, path: str, route: str, status: int | None, account: str | None, fault: str | None
    ):
        key_path = path if path.endswith("/") else path + "/"
        entry = {
            "method": method,
            "path": path,
            "status": status,
            "account": account,
            "fault": fault,
            "time": round(time.time(), 6),
        }
        with self.lock:
            if len(self.entries) < self.max_entries:
                self.entries.append(entry)
            self.counts[f"{method} {key_path}"] += 1
            self.by_route[f"{method} {route}"] += 1
            self.by_method[method] += 1
            self.by_status[str(status) if status is not None else "dropped"] += 1

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.counts.clear()
            self.by_route.clear()
            self.by_method.clear()
            self.by_status.clear()

    def dump(self) -> dict[str, Any]:
        with self.lock:
            return {
                "requests": list(self.entries),
                "counts": dict(self.counts),
                "by_route": dict(self.by_route),
                "by_method": dict(self.by_method),
                "by_status": dict(self.by_status),
                "total": sum(self.by_method.values()),
            }


# -- rendering ------------------------------------------------------------------------------------


def render_number(state: PlivoState, number: Number, caller_id: str) -> dict[str, Any]:
    """A number object as the API returns it to ``caller_id``, in the state's `number_shape`."""
    app = state.application(number.app_id) if number.app_id else None
    obj: dict[str, Any] = {  # the fields of the reference's List and Get answers
        "number": number.number,
        "description": number.description,
        "number_type": number.number_type,
        "voice_enabled": number.voice_enabled,
        "sms_enabled": number.sms_enabled,
        "plivo_number": number.plivo_number,
        "added_on": number.added_on,
        "application": application_uri(app.account, app.app_id) if app else None,
        "resource_uri": number_uri(caller_id, number.number),
    }
    shape = state.number_shape
    if shape == "reference":
        return obj
    obj["alias"] = number.alias
    obj["mms_enabled"] = number.mms_enabled
    key = "sub_account" if shape == "sub_account" else "subaccount"
    obj[key] = subaccount_uri(number.account, number.subaccount) if number.subaccount else None
    return obj


class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass
class Reply:
    status: int
    body: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)


# -- server ---------------------------------------------------------------------------------------


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
                with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - local test hook
                    record["delivered"] = answer.status
            except Exception as exc:  # delivery failures are recorded, never raised
                record["error"] = f"{type(exc).__name__}: {exc}"[:300]
            with self.callbacks_lock:
                self.callbacks.append(record)
            self.log_line(
                f"callback {method} {url} for {api_id}: {record.get('delivered', record.get('error'))}"
            )

        threading.Thread(target=run, name=f"callback-{api_id}", daemon=True).start()


def make_server(
    state: PlivoState,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    faults: dict[str, Any] | None = None,
    quiet: bool = True,
    log_stream: TextIO | None = None,
) -> SimulatorServer:
    return SimulatorServer((host, port), state, FaultInjector(faults), quiet=quiet, log_stream=log_stream)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = f"plivo-sim/{__version__}"
    sys_version = ""
    timeout = 120  # idle keep-alive connections are closed after this many seconds
    server: SimulatorServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in one write; no Nagle delay on small JSON answers.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # The standard access log is replaced by SimulatorServer.log_line (never logs headers).
    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        pass

    def log_message(self, format: str, *args: Any) -> None:
        self.server.log_line(format % args)

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

    # -- plumbing -------------------------------------------------------------------------------

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
                    raise ApiError(400, "malformed chunked body") from None
                if length == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                size += length
                if size > limit:
                    raise ApiError(413, "request body too large")
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
            raise ApiError(400, "invalid Content-Length") from None
        if length < 0 or length > limit:
            self.close_connection = True
            raise ApiError(413, "request body too large")
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

    # -- real API -------------------------------------------------------------------------------

    def _api_entry(self, method: str, path: str, query: str) -> None:
        started = time.monotonic()
        match = _API_RE.fullmatch(path)
        route = "/v1/Account/{auth_id}/Number/" + ("{number}/" if match and match["number"] else "")
        if match is None:
            route = "(unknown)"
        account_id: str | None = None
        try:
            raw_body = self._read_body(MAX_API_BODY)
        except ApiError as exc:
            reply = Reply(exc.status, {"api_id": new_api_id(), "error": exc.message})
            self.server.request_log.add(method, path, route, reply.status, None, None)
            self._send(reply)
            return
        fault = self.server.faults.decide()
        if fault.latency:
            time.sleep(fault.latency)
        if fault.kind == "drop":
            self.server.request_log.add(method, path, route, None, None, "drop")
            self.server.log_line(f"{method} {path} -> dropped (fault)")
            self._drop()
            return
        if fault.kind == "rate_limit":
            retry_after = self.server.faults.current()["retry_after"]
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            reply = Reply(429, {"api_id": new_api_id(), "error": "too many requests, slow down"}, headers)
        elif fault.kind == "error":
            reply = Reply(
                fault.status or 500, {"api_id": new_api_id(), "error": "injected fault: server error"}
            )
        else:
            reply, account_id = self._api(method, path, query, raw_body, match)
        # Logged before the answer goes out, so a client that reads the log right after its answer
        # always finds its request there.
        self.server.request_log.add(method, path, route, reply.status, account_id, fault.kind)
        self._send(reply)
        self.server.log_line(
            f"{method} {path} -> {reply.status}{' (fault)' if fault.kind else ''} "
            f"{(time.monotonic() - started) * 1000:.0f} ms"
        )

    def _authenticate(self) -> Account:
        header = self.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic" or not value:
            raise ApiError(
                401,
                "authentication required: use HTTP Basic auth with your auth_id and auth_token",
                {"WWW-Authenticate": 'Basic realm="plivo-sim"'},
            )
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ApiError(
                401, "malformed Basic auth header", {"WWW-Authenticate": 'Basic realm="plivo-sim"'}
            ) from None
        auth_id, sep, token = decoded.partition(":")
        account = self.server.state.authenticate(auth_id, token) if sep else None
        if account is None:
            raise ApiError(
                401,
                "authentication failed: invalid auth_id or auth_token",
                {"WWW-Authenticate": 'Basic realm="plivo-sim"'},
            )
        return account

    def _api(
        self, method: str, path: str, query: str, raw_body: bytes, match: re.Match[str] | None
    ) -> tuple[Reply, str | None]:
        api_id = new_api_id()
        account: Account | None = None
        try:
            if not path.startswith("/v1/"):
                raise ApiError(404, "not found: the API lives under /v1/")
            account = self._authenticate()
            if match is None:
                raise ApiError(404, f"not found: no resource at {path[:100]}")
            if match["account"] != account.auth_id:
                raise ApiError(
                    401,
                    f"the auth_id in the URL ({match['account'][:40]}) does not match the credentials "
                    f"({account.auth_id})",
                )
            number = match["number"]
            allowed = ("GET", "POST", "DELETE") if number else ("GET",)
            if method not in allowed:
                raise ApiError(
                    405,
                    f"method {method} not allowed here; allowed: {', '.join(allowed)}",
                    {"Allow": ", ".join(allowed)},
                )
            params = self._params(method, query, raw_body)
            callback = self._callback(params)
            if callback is None:
                return self._operate(method, account, number, params, api_id), account.auth_id
            # Asynchronous mode: run now, answer with the api_id, deliver the result to the callback.
            try:
                result = self._operate(method, account, number, params, api_id)
            except ApiError as exc:
                result = Reply(exc.status, {"api_id": api_id, "error": exc.message})
            self.server.deliver_callback(callback[0], callback[1], api_id, result.status, result.body)
            return Reply(202, {"api_id": api_id, "message": "async api spawned"}), account.auth_id
        except ApiError as exc:
            return Reply(exc.status, {"api_id": api_id, "error": exc.message}, exc.headers), (
                account.auth_id if account else None
            )

    def _params(self, method: str, query: str, raw_body: bytes) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for key, value in parse_qsl(query, keep_blank_values=True):
            if key in params:
                raise ApiError(400, f"parameter {key} given twice")
            params[key] = value
        if raw_body.strip():
            if method != "POST":
                raise ApiError(400, f"{method} requests take no body")
            ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if ctype == "application/x-www-form-urlencoded":
                try:
                    form = dict(
                        parse_qsl(raw_body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
                    )
                except (UnicodeDecodeError, ValueError):
                    raise ApiError(400, "malformed form body") from None
                # Form bodies cannot carry null: "" (or "null") means null.
                body = {k: (None if v in ("", "null") else v) for k, v in form.items()}
            elif ctype in ("application/json", ""):
                try:
                    body = json.loads(raw_body)
                except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: nested too deep
                    raise ApiError(400, "malformed JSON body") from None
                if not isinstance(body, dict):
                    raise ApiError(400, "the JSON body must be an object")
            else:
                raise ApiError(400, f"unsupported Content-Type {ctype[:60]}; send JSON or a form")
            params.update(body)
        return params

    @staticmethod
    def _callback(params: dict[str, Any]) -> tuple[str, str] | None:
        url = params.pop("callback_url", None)
        method = params.pop("callback_method", None)
        if url is None:
            if method is not None:
                raise ApiError(400, "callback_method requires callback_url")
            return None
        if (
            not isinstance(url, str)
            or urlsplit(url).scheme not in ("http", "https")
            or not urlsplit(url).netloc
        ):
            raise ApiError(400, "callback_url must be an http or https URL")
        method = "POST" if method is None else str(method).upper()
        if method not in ("GET", "POST"):
            raise ApiError(400, "callback_method must be GET or POST")
        return url, method

    def _operate(
        self, method: str, account: Account, number: str | None, params: dict[str, Any], api_id: str
    ) -> Reply:
        state = self.server.state
        try:
            if number is None:
                return self._list(account, params, api_id)
            if not (number.isascii() and number.isdigit()):
                raise ApiError(404, "not found")
            if method == "GET":
                self._no_params(params, ())
                obj = render_number(state, state.get_number(account, number), account.auth_id)
                return Reply(200, dict(obj, api_id=api_id))
            if method == "POST":
                self._no_params(params, _EDIT_KEYS)
                changes = {}
                if "app_id" in params:
                    changes["app_id"] = self._app_id_param(params["app_id"])
                if "subaccount" in params:
                    changes["subaccount"] = self._subaccount_param(params["subaccount"])
                if "alias" in params:
                    changes["alias"] = params["alias"]
                state.edit_number(
                    account,
                    number,
                    app_id=changes.get("app_id", UNSET),
                    subaccount=changes.get("subaccount", UNSET),
                    alias=changes.get("alias", UNSET),
                )
                return Reply(202, {"message": "changed", "api_id": api_id})
            self._no_params(params, ())
            state.unrent_number(account, number)
            return Reply(204, None)
        except SimError as exc:
            raise ApiError(exc.status, exc.message) from None

    @staticmethod
    def _no_params(params: dict[str, Any], allowed: tuple[str, ...]) -> None:
        unknown = sorted(set(params) - set(allowed))
        if unknown:
            hint = f"; allowed: {', '.join(allowed + _ASYNC_KEYS)}"
            raise ApiError(400, f"unknown parameter(s) {', '.join(k[:40] for k in unknown[:5])}{hint}")

    @staticmethod
    def _app_id_param(value: Any) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            value = str(value)
        if not isinstance(value, str) or not (value.isascii() and value.isdigit() and len(value) <= 32):
            raise ApiError(400, "invalid app_id: expected the numeric application id, or null to unlink")
        return value

    @staticmethod
    def _subaccount_param(value: Any) -> str | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not re.fullmatch(r"SA[A-Z0-9]{18}", value):
            raise ApiError(400, "invalid subaccount: expected a subaccount auth_id (SA...), or null")
        return value

    def _list(self, account: Account, params: dict[str, Any], api_id: str) -> Reply:
        self._no_params(params, _LIST_KEYS)
        number_type = params.get("number_type")
        if number_type is not None and number_type not in NUMBER_TYPES:
            raise ApiError(
                400, f"invalid number_type {str(number_type)[:40]!r}; use one of {', '.join(NUMBER_TYPES)}"
            )
        prefix = params.get("number_startswith")
        if prefix is not None and not (prefix.isascii() and prefix.isdigit() and len(prefix) <= 15):
            raise ApiError(400, "invalid number_startswith: expected leading digits")
        subaccount = params.get("subaccount")
        if subaccount is not None and not re.fullmatch(r"SA[A-Z0-9]{18}", subaccount):
            raise ApiError(400, "invalid subaccount: expected a subaccount auth_id (SA...)")
        services: list[str] = []
        if params.get("services") is not None:
            for item in params["services"].split(","):
                if item.strip() not in SERVICES:
                    raise ApiError(
                        400, f"invalid services: use a comma-separated subset of {', '.join(SERVICES)}"
                    )
                services.append(item.strip())
        limit = self._int_param(params, "limit", 20)
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ApiError(
                400, f"limit must be between 1 and {MAX_PAGE_SIZE} (got {limit}); page with offset"
            )
        offset = self._int_param(params, "offset", 0)
        if offset < 0:
            raise ApiError(400, "offset must be 0 or more")
        try:
            page, total = self.server.state.list_numbers(
                account,
                number_type=number_type,
                number_startswith=prefix,
                subaccount=subaccount,
                services=services,
                limit=limit,
                offset=offset,
            )
        except SimError as exc:
            raise ApiError(exc.status, exc.message) from None
        filters: dict[str, Any] = {
            k: params[k]
            for k in ("number_type", "number_startswith", "subaccount", "services")
            if k in params
        }
        base = f"/v1/Account/{account.auth_id}/Number/"

        def link(at: int) -> str:
            query: dict[str, Any] = {"limit": limit, "offset": at, **filters}
            return base + "?" + urlencode(query)

        meta = {
            "previous": link(max(0, offset - limit)) if offset > 0 else None,
            "next": link(offset + limit) if offset + limit < total else None,
            "total_count": total,
            "offset": offset,
            "limit": limit,
        }
        objects = [render_number(self.server.state, n, account.auth_id) for n in page]
        return Reply(200, {"api_id": api_id, "meta": meta, "objects": objects})

    @staticmethod
    def _int_param(params: dict[str, Any], key: str, default: int) -> int:
        value = params.get(key)
        if value is None:
            return default
        text = str(value).strip()
        if not (text.isascii() and re.fullmatch(r"-?\d{1,9}", text)):
            raise ApiError(400, f"{key} must be an integer")
        return int(text)

    # -- admin API ------------------------------------------------------------------------------

    def _admin(self, method: str, sub: str, query: str) -> Reply:
        raw = self._read_body(MAX_ADMIN_BODY)
        server = self.server
        state = server.state
        parts = [p for p in sub.split("/") if p]
        route = parts[0] if parts else ""
        args = dict(parse_qsl(query))

        def body_json() -> dict[str, Any]:
            if not raw.strip():
                return {}
            try:
                data = json.loads(raw)
            except (ValueError, RecursionError):
                raise ApiError(400, "the body must be a JSON object") from None
            if not isinstance(data, dict):
                raise ApiError(400, "the body must be a JSON object")
            return data

        def need(*methods: str) -> None:
            if method not in methods:
                raise ApiError(
                    405, f"{method} not allowed on {ADMIN_PREFIX}{sub}", {"Allow": ", ".join(methods)}
                )

        if route in ("", "health") and len(parts) <= 1:
            need("GET")
            return Reply(
                200,
                {
                    "ok": True,
                    "base_url": server.base_url,
                    "admin_url": server.admin_url,
                    "endpoints": ADMIN_ENDPOINTS,
                },
            )
        if route == "requests" and len(parts) == 1:
            need("GET", "DELETE")
            if method == "DELETE":
                server.request_log.clear()
                return Reply(200, {"cleared": True})
            return Reply(200, server.request_log.dump())
        if route == "state" and len(parts) == 1:
            need("GET")
            return Reply(200, state.snapshot(credentials=args.get("credentials", "") in ("1", "true", "yes")))
        if route == "numbers" and len(parts) == 1:
            need("GET")
            return Reply(200, {"numbers": state.snapshot()["numbers"]})
        if route == "numbers" and len(parts) == 2:
            number = parts[1]
            if not (number.isascii() and number.isdigit()):
                raise ApiError(400, "the number in the path must be digits")
            need("GET", "POST", "PUT", "DELETE")
            try:
                if method == "GET":
                    found = state.oob_get(number)
                    if found is None:
                        raise ApiError(404, f"number {number} is not rented")
                    return Reply(200, found.to_dict())
                if method == "POST":
                    return Reply(200, state.oob_edit(number, body_json()).to_dict())
                if method == "PUT":
                    return Reply(201, state.oob_rent(number, body_json()).to_dict())
                return Reply(200, {"unrented": state.oob_unrent(number).to_dict()})
            except SimError as exc:
                raise ApiError(exc.status, exc.message) from None
        if route == "applications" and len(parts) == 2:
            app_id = parts[1]
            if not (app_id.isascii() and app_id.isdigit()):
                raise ApiError(400, "the application id in the path must be digits")
            need("PUT", "DELETE")
            try:
                if method == "PUT":
                    data = body_json()
                    app = state.oob_add_application(app_id, data.get("account"), str(data.get("name", "")))
                    return Reply(201, app.to_dict())
                state.oob_remove_application(app_id)
                return Reply(200, {"deleted": app_id})
            except SimError as exc:
                raise ApiError(exc.status, exc.message) from None
        if route == "settings" and len(parts) == 1:
            need("GET", "POST")
            if method == "POST":
                try:
                    shape = check_number_shape(body_json().get("number_shape"))
                except SeedError as exc:
                    raise ApiError(400, str(exc)) from None
                with state.lock:
                    state.number_shape = shape
            return Reply(200, {"number_shape": state.number_shape})
        if route == "accounts" and len(parts) == 2:
            need("POST")
            try:
                account = state.oob_rotate_token(parts[1], str(body_json().get("auth_token") or ""))
            except SimError as exc:
                raise ApiError(exc.status, exc.message) from None
            return Reply(200, account.to_dict(credentials=False))
        if route == "faults" and len(parts) == 1:
            need("GET", "POST", "DELETE")
            if method == "GET":
                return Reply(200, server.faults.current())
            try:
                config = server.faults.configure({} if method == "DELETE" else body_json())
            except ValueError as exc:
                raise ApiError(400, str(exc)) from None
            return Reply(200, config)
        if route in ("reset", "seed") and len(parts) == 1:
            need("POST")
            try:
                seed = parse_seed_text(raw.decode("utf-8"), "seed body") if raw.strip() else None
            except (SeedError, UnicodeDecodeError) as exc:
                raise ApiError(400, str(exc)) from None
            if route == "seed" and seed is None:
                raise ApiError(
                    400, "POST /__sim__/seed needs a seed (JSON or YAML body); use /__sim__/reset to restore"
                )
            try:
                state.reset(seed)
            except SeedError as exc:
                raise ApiError(400, str(exc)) from None
            if args.get("keep_log", "") not in ("1", "true", "yes"):
                server.request_log.clear()
            main = state.main_account()
            snap = state.snapshot()
            return Reply(
                200,
                {
                    "auth_id": main.auth_id,
                    "auth_token": main.auth_token,
                    "accounts": len(snap["accounts"]),
                    "applications": len(snap["applications"]),
                    "numbers": len(snap["numbers"]),
                },
            )
        if route == "callbacks" and len(parts) == 1:
            need("GET", "DELETE")
            with server.callbacks_lock:
                if method == "DELETE":
                    server.callbacks.clear()
                return Reply(200, {"callbacks": list(server.callbacks)})
        raise ApiError(404, f"no admin endpoint {ADMIN_PREFIX}{sub[:80]}; see {ADMIN_PREFIX}/health")


ADMIN_ENDPOINTS = [
    "GET /__sim__/health",
    "GET|DELETE /__sim__/requests",
    "GET /__sim__/state[?credentials=1]",
    "GET /__sim__/numbers",
    "GET|POST|PUT|DELETE /__sim__/numbers/{number}",
    "PUT|DELETE /__sim__/applications/{app_id}",
    "POST /__sim__/accounts/{auth_id} {auth_token}",
    "GET|POST|DELETE /__sim__/faults",
    "GET|POST /__sim__/settings {number_shape}",
    "POST /__sim__/reset[?keep_log=1]",
    "POST /__sim__/seed",
    "GET|DELETE /__sim__/callbacks",
]
