"""The transport layer: the requests Session with urllib3 retries and Basic auth, and the
classification of failures into typed errors (by HTTP status, and by the exception types of a
transport failure)."""

from __future__ import annotations

import base64
import http.client
import json
import logging
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from urllib3.util.retry import Retry

from plivo_pulumi.version import __version__

from ..contract import PAGE_SIZE
from ..errors import (
    CONFIG_HINT,
    ApplicationNotFoundError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    NumberNotFoundError,
    PlivoError,
    RateLimitedError,
    Scrubber,
    ServerError,
    TransportError,
    safe_excerpt,
)
from .checks import BASE_URL_HINT, ResponseChecks

# Logged under the name users configure: `plivo_pulumi.core.client`.
log = logging.getLogger("plivo_pulumi.core.client")

DEFAULT_BASE_URL = "https://api.plivo.com/v1"
MAX_PAGE_SIZE = PAGE_SIZE  # the List API's maximum (plivo_pulumi.core.contract)
USER_AGENT = f"plivo-pulumi/{__version__}"
RETRY_STATUSES = (429, 500, 502, 503, 504)
RETRY_METHODS = frozenset({"GET", "POST", "DELETE"})
# A Retry-After longer than this is shortened to it (urllib3's own default cap is six hours).
MAX_RETRY_AFTER = 60.0
SERVICES = ("voice", "sms", "mms")
CALLBACK_METHODS = ("GET", "POST")


class _CountingRetry(Retry):
    """urllib3's ``Retry`` that records, on the exception it raises when it gives up, how many
    attempts were made (``plivo_attempts``), and caps ``Retry-After`` to ``MAX_RETRY_AFTER``."""

    def increment(self, *args: Any, **kwargs: Any) -> Retry:  # type: ignore[override]  # passes all through
        try:
            return super().increment(*args, **kwargs)
        except Exception as exc:
            # Every earlier attempt left one entry in the history; this attempt failed too.
            exc.plivo_attempts = len(self.history) + 1  # type: ignore[attr-defined]
            raise

    def parse_retry_after(self, retry_after: str) -> float:
        return min(super().parse_retry_after(retry_after), MAX_RETRY_AFTER)


class _BasicAuth(requests.auth.AuthBase):
    """Basic auth whose repr does not reveal the token."""

    def __init__(self, auth_id: str, auth_token: str) -> None:
        token = base64.b64encode(f"{auth_id}:{auth_token}".encode()).decode("ascii")
        self._header = f"Basic {token}"
        self.auth_id = auth_id

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._header
        return request

    def __repr__(self) -> str:
        return f"_BasicAuth({self.auth_id!r}, <redacted>)"


def _find_attempts(exc: BaseException | None) -> int | None:
    """The `plivo_attempts` recorded on `exc` or on any exception it wraps."""
    for item in _chain(exc) if exc is not None else []:
        attempts = getattr(item, "plivo_attempts", None)
        if isinstance(attempts, int):
            return attempts
    return None


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc` and every exception it wraps (urllib3's `reason`, args, cause, context), outermost first."""
    seen: set[int] = set()
    found: list[BaseException] = []
    todo: list[Any] = [exc]
    while todo:
        item = todo.pop(0)
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        found.append(item)
        todo.extend([getattr(item, "reason", None), *item.args, item.__cause__, item.__context__])
    return found


# What a transport failure was, decided by the types of the exceptions in its chain (first match wins).
_TRANSPORT_KINDS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((socket.gaierror, urllib3.exceptions.NameResolutionError), "host name could not be resolved"),
    ((ConnectionRefusedError,), "connection refused"),
    ((requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, TimeoutError), "timed out"),
    (
        (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, http.client.RemoteDisconnected),
        "connection dropped by the server",
    ),
)


def _root_reason(exc: BaseException) -> str:
    """A short description of a transport failure: its kind and the innermost message."""
    chain = _chain(exc)
    innermost = chain[-1]
    text = str(innermost) or type(innermost).__name__
    kind = next(
        (name for types, name in _TRANSPORT_KINDS if any(isinstance(e, types) for e in chain)),
        type(innermost).__name__,
    )
    return f"{kind} ({text[:200]})"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class Transport(ResponseChecks):
    """Sends one API request with retries; a failure becomes a typed `PlivoError` (the answer's
    checks come from `ResponseChecks`). Needs `session`,
        `timeout`, `auth_id`, `base_url` and `_scrub`, which `PlivoClient.__init__` sets."""

    session: requests.Session
    timeout: tuple[float, float]
    auth_id: str
    base_url: str
    _scrub: Scrubber

    def _request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: dict[str, Any] | None = None,
        number: str | None = None,
        application: str | None = None,
        operation: str,
        session: requests.Session | None = None,
    ) -> Any:
        """One request; `session` replaces the default one (whose retries suit idempotent calls)."""
        path = urlsplit(url).path
        endpoint = f"{method} {path}"
        started = time.monotonic()
        try:
            response = (session or self.session).request(
                method,
                url,
                params=params,
                data=None if json_body is None else json.dumps(json_body),
                headers={"Content-Type": "application/json"} if json_body is not None else None,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            attempts = _find_attempts(exc) or 1
            reason = self._scrub(_root_reason(exc))
            what = f"{operation} {number}" if number else operation
            log.debug("%s failed after %s: %s", endpoint, _plural(attempts, "attempt"), reason)
            raise TransportError(
                f"could not {what}: {endpoint} at {self._scrub(self._origin())} "
                f"failed: {reason}; "
                f"gave up after {_plural(attempts, 'attempt')}. Check that the API is reachable "
                f"and {BASE_URL_HINT}",
                number=number,
                method=method,
                path=path,
                attempts=attempts,
            ) from None
        attempts = self._attempts(response)
        elapsed = time.monotonic() - started
        log.debug(
            "%s -> %s (%s, %.3fs)", endpoint, response.status_code, _plural(attempts, "attempt"), elapsed
        )
        try:
            content = response.content
        except requests.RequestException as exc:
            raise TransportError(
                f"could not {operation}{' ' + number if number else ''}: "
                f"reading the answer to {endpoint} failed: "
                f"{self._scrub(_root_reason(exc))}",
                number=number,
                method=method,
                path=path,
                attempts=attempts,
            ) from None
        status = response.status_code
        if 200 <= status < 300:
            if status == 204 or not content.strip():
                return None
            try:
                return json.loads(content)
            except ValueError:
                raise self._malformed(method, url, number, "a JSON body", content, status=status) from None
        raise self._error_for(response, content, method, path, number, attempts, operation, application)

    def _origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.hostname or ''}{':' + str(parts.port) if parts.port else ''}"

    @staticmethod
    def _attempts(response: requests.Response) -> int:
        retries = getattr(response.raw, "retries", None)
        history = getattr(retries, "history", None) or ()
        return len(history) + 1

    def _error_for(
        self,
        response: requests.Response,
        content: bytes,
        method: str,
        path: str,
        number: str | None,
        attempts: int,
        operation: str,
        application: str | None = None,
    ) -> PlivoError:
        status = response.status_code
        endpoint = f"{method} {path}"
        api_message: str | None = None
        api_id: str | None = None
        is_api_json = False
        try:
            data = json.loads(content) if content else None
        except ValueError:
            data = None
        if isinstance(data, dict):
            is_api_json = True
            raw_id = data.get("api_id")
            api_id = self._scrub(str(raw_id))[:64] if raw_id is not None else None
            raw_message = data.get("error", data.get("message"))
            if raw_message is not None:
                text = raw_message if isinstance(raw_message, str) else json.dumps(raw_message)
                api_message = self._scrub(" ".join(text.split()))[:300]
        detail = api_message if api_message else f"response body {safe_excerpt(content, self._scrub)}"
        target = (
            f" for number {number}" if number else f" for application {application}" if application else ""
        )
        tried = f"gave up after {_plural(attempts, 'attempt')}"
        common: dict[str, Any] = {
            "status": status,
            "api_id": api_id,
            "number": number,
            "method": method,
            "path": path,
            "attempts": attempts,
        }
        if status in (401, 403):
            reason = "rejected the credentials" if status == 401 else "refused access"
            return AuthenticationError(
                f"Plivo {reason} of account {self.auth_id} ({status}) on {endpoint}{target}: {detail}. "
                f"Check the auth_id and auth token: {CONFIG_HINT}",
                **common,
            )
        if status == 404 and application and is_api_json:
            return ApplicationNotFoundError(
                f"application {application} does not exist in account {self.auth_id} ({endpoint} answered "
                f"404: {detail}); fix the application id",
                app_id=application,
                **common,
            )
        if status == 404:
            if number and is_api_json:
                message = (
                    f"number {number} is not rented by account {self.auth_id} ({endpoint} answered 404: "
                    f"{detail}); rent it in the Plivo console or the buy API, or fix the number"
                )
            else:
                message = (
                    f"{endpoint} answered 404{target} ({detail}); the URL does not exist: {BASE_URL_HINT}"
                )
            gone = NumberNotFoundError if number and is_api_json else NotFoundError
            return gone(message, **common)
        if status == 429:
            return RateLimitedError(
                f"Plivo rate-limited {endpoint}{target} (429): {detail}; {tried}, "
                "each honouring Retry-After. "
                "Lower the request rate (e.g. pulumi up --parallel) or retry later",
                **common,
            )
        if status >= 500:
            return ServerError(
                f"Plivo answered {status} to {endpoint}{target}: {detail}; {tried}. "
                "The API is failing; retry later",
                **common,
            )
        if 300 <= status < 400:
            location = self._scrub(response.headers.get("Location", ""))[:200]
            return PlivoError(
                f"{endpoint} answered a {status} redirect to {location!r} instead of a result; "
                f"{BASE_URL_HINT} (use the final https URL)",
                **common,
            )
        if status == 405:
            return BadRequestError(
                f"{endpoint} is not allowed (405): {detail}; {BASE_URL_HINT}",
                **common,
            )
        if 400 <= status < 500:
            return BadRequestError(
                f"Plivo refused to {operation}{' ' + number if number else ''} ({status} on {endpoint}): "
                f"{detail}",
                **common,
            )
        return PlivoError(f"unexpected status {status} from {endpoint}{target}: {detail}", **common)
