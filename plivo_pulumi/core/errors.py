"""Typed errors of the Plivo Number API client.

Every error is a :class:`PlivoError` whose message names the endpoint (method and URL path), the
number when there is one, the cause and the fix. Messages are scrubbed of the auth token (and of the
Basic ``Authorization`` value derived from it) before the exception is built, so neither ``str()``
nor ``repr()`` of an error can reveal it, even when a server echoes the token in its error body.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable

__all__ = [
    "PlivoError",
    "AuthenticationError",
    "NotFoundError",
    "NumberNotFoundError",
    "ApplicationNotFoundError",
    "BadRequestError",
    "RateLimitedError",
    "ServerError",
    "TransportError",
    "MalformedResponseError",
    "MissingCredentialsError",
    "InvalidSettingError",
    "CONFIG_HINT",
    "REDACTED",
    "Scrubber",
    "safe_excerpt",
]

REDACTED = "***"

CONFIG_HINT = (
    "set the stack config plivo:authId and plivo:authToken "
    "(`pulumi config set plivo:authId MA...` and, the token from standard input, never on a command line, "
    '`printf %s "$PLIVO_AUTH_TOKEN" | pulumi config set --secret plivo:authToken`) '
    "or the environment variables PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN"
)


class PlivoError(Exception):
    """Base class. Attributes: ``status`` (HTTP status or None), ``api_id`` (the API's request id or
    None), ``number`` (the phone number concerned or None), ``method``, ``path`` and ``attempts``
    (how many HTTP attempts were made, when known)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        api_id: str | None = None,
        number: str | None = None,
        method: str | None = None,
        path: str | None = None,
        attempts: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.api_id = api_id
        self.number = number
        self.method = method
        self.path = path
        self.attempts = attempts

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r})"


class AuthenticationError(PlivoError):
    """401/403: the credentials are missing, wrong, or not allowed to do this."""


class NotFoundError(PlivoError):
    """404: the number is not rented by this account (or the base URL is wrong)."""


class NumberNotFoundError(NotFoundError):
    """404 answered by the API itself for a number: that number is not rented by this account. Only
    this proves a number is gone; a 404 page from a proxy or a wrong base URL is a plain
    `NotFoundError`."""


class ApplicationNotFoundError(NotFoundError):
    """404 answered by the API itself for an application id: no such application in this account.
    As for numbers, only this (confirmed by a List call at the same base URL) proves it is gone."""

    def __init__(self, message: str, *, app_id: str | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.app_id = app_id


class BadRequestError(PlivoError):
    """400 (and other 4xx): the API refused the request; the message carries the API's reason."""


class RateLimitedError(PlivoError):
    """429 after all retries (each honouring Retry-After)."""


class ServerError(PlivoError):
    """5xx after all retries."""


class TransportError(PlivoError):
    """Connection refused/reset/dropped or timed out, after all retries."""


class MalformedResponseError(PlivoError):
    """The API answered something this client cannot trust: not JSON, an HTML page from a proxy,
    or JSON without the fields the operation needs."""


class Scrubber:
    """Replaces secrets (the auth token, its Basic-auth forms) in text with ``***``."""

    def __init__(self, auth_id: str, secrets: Iterable[str]) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if not secret or len(secret) < 4:
                continue
            forms.add(secret)
            basic = base64.b64encode(f"{auth_id}:{secret}".encode()).decode("ascii")
            forms.add(basic)
            forms.add(basic.rstrip("="))
        # Longest first so that a form containing another is replaced whole.
        self._pattern = (
            re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)))
            if forms
            else None
        )

    def __call__(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(REDACTED, text)

    def __repr__(self) -> str:
        return "Scrubber(<redacted>)"


_WS = re.compile(r"\s+")


def safe_excerpt(body: bytes | str | None, scrub: Scrubber | None = None, limit: int = 160) -> str:
    """A short, printable, single-line excerpt of a response body for error messages."""
    if body is None:
        return "<empty>"
    if isinstance(body, bytes):
        text = body[: limit * 8].decode("utf-8", errors="replace")
    else:
        text = body[: limit * 8]
    if scrub is not None:
        text = scrub(text)
    text = _WS.sub(" ", text).strip()
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    if not text:
        return "<empty>"
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return repr(text)


class MissingCredentialsError(PlivoError):
    """Neither the stack config nor the environment names the Plivo credentials."""


class InvalidSettingError(PlivoError, ValueError):
    """An optional setting (timeout, retries, backoff) has a value that cannot be used; the message
    names the config key and the environment variable."""
