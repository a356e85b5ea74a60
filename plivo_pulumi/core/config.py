"""Provider configuration: where the credentials and the endpoint come from, and how hard to retry.

Stack config first (`plivo:authId`, `plivo:authToken` set with `--secret`, `plivo:baseUrl`), the
environment second (`PLIVO_AUTH_ID`, `PLIVO_AUTH_TOKEN`, `PLIVO_BASE_URL`). It is read inside the
provider process, in `ResourceProvider.configure()`, so credentials are never captured in the
serialized provider that Pulumi stores in state.

Optional tuning of the HTTP client (`plivo:timeoutSeconds`, `plivo:maxRetries`,
`plivo:backoffFactor`, or their `PLIVO_*` variables), same precedence: the table of settings, their
defaults and bounds is in README "Settings" and docs/reliability.md.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from plivo_pulumi.core.client import DEFAULT_BASE_URL, PlivoClient
from plivo_pulumi.core.errors import InvalidSettingError, MissingCredentialsError

CONFIG_KEYS = {"auth_id": "plivo:authId", "auth_token": "plivo:authToken", "base_url": "plivo:baseUrl"}
ENV_VARS = {"auth_id": "PLIVO_AUTH_ID", "auth_token": "PLIVO_AUTH_TOKEN", "base_url": "PLIVO_BASE_URL"}

DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_MAX_RETRIES = 5
DEFAULT_BACKOFF_FACTOR = 0.5
CONNECT_TIMEOUT_SECONDS = 5.0

# Optional client settings: name -> (config key, environment variable).
TUNING_KEYS = {
    "timeout_seconds": ("plivo:timeoutSeconds", "PLIVO_TIMEOUT_SECONDS"),
    "max_retries": ("plivo:maxRetries", "PLIVO_MAX_RETRIES"),
    "backoff_factor": ("plivo:backoffFactor", "PLIVO_BACKOFF_FACTOR"),
}
# Upper limits: beyond them a value is surely a typo (and would make a run hang for hours).
MAX_TIMEOUT_SECONDS = 3600.0
MAX_MAX_RETRIES = 100
MAX_BACKOFF_FACTOR = 60.0
# How each tuning setting is parsed: whole number or not, and its range ((low, high] when low_open).
_TUNING_BOUNDS: dict[str, dict[str, Any]] = {
    "timeout_seconds": {"integer": False, "low": 0, "high": MAX_TIMEOUT_SECONDS, "low_open": True},
    "max_retries": {"integer": True, "low": 0, "high": MAX_MAX_RETRIES, "low_open": False},
    "backoff_factor": {"integer": False, "low": 0, "high": MAX_BACKOFF_FACTOR, "low_open": False},
}


@dataclass(frozen=True)
class ProviderSettings:
    """Resolved settings; the token is kept out of repr so it never lands in a log or traceback."""

    auth_id: str
    auth_token: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    max_retries: int = DEFAULT_MAX_RETRIES
    backoff_factor: float = DEFAULT_BACKOFF_FACTOR

    def client(self, **kwargs: Any) -> PlivoClient:
        """A client with these settings; keyword arguments override them (`timeout=`, `max_retries=`...)."""
        connect = min(CONNECT_TIMEOUT_SECONDS, self.timeout_seconds)
        kwargs.setdefault("timeout", (connect, self.timeout_seconds))
        kwargs.setdefault("max_retries", self.max_retries)
        kwargs.setdefault("backoff_factor", self.backoff_factor)
        return PlivoClient(self.auth_id, self.auth_token, self.base_url, **kwargs)


def _missing_message(missing: list[str]) -> str:
    lines = [f"Plivo credentials are missing: {', '.join(missing)}. Set them in the stack config:"]
    lines.append("    pulumi config set plivo:authId MA...")
    # The token from standard input: on a command line it would show in `ps` and the shell's history.
    lines.append('    printf %s "$PLIVO_AUTH_TOKEN" | pulumi config set --secret plivo:authToken')
    lines.append(f"or in the environment: {ENV_VARS['auth_id']} and {ENV_VARS['auth_token']}.")
    return "\n".join(lines)


def _setting_error(name: str, raw: Any, expected: str) -> InvalidSettingError:
    key, env = TUNING_KEYS[name]
    shown = repr(raw) if len(repr(raw)) <= 40 else repr(raw)[:37] + "..."
    return InvalidSettingError(
        f"{key} (or {env}) must be {expected}, got {shown}; "
        f"fix it with `pulumi config set {key} <value>` or unset it to use the default"
    )


def _parse_number(name: str, raw: Any, *, integer: bool, low: float, high: float, low_open: bool) -> Any:
    """A number from config (str, int or float) within [low, high] (or (low, high] when low_open)."""
    bound = f"{'more than' if low_open else 'at least'} {low:g} and at most {high:g}"
    expected = f"a whole number {bound}" if integer else f"a number of seconds {bound}"
    if isinstance(raw, bool):
        raise _setting_error(name, raw, expected)
    value: Any = raw
    if isinstance(raw, str):
        text = raw.strip()
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            if integer:
                try:  # "5.0" is fine, "5.5" is not
                    as_float = float(text)
                except ValueError:
                    raise _setting_error(name, raw, expected) from None
                if not as_float.is_integer():
                    raise _setting_error(name, raw, expected) from None
                value = int(as_float)
            else:
                raise _setting_error(name, raw, expected) from None
    elif isinstance(raw, float) and integer:
        if not raw.is_integer():
            raise _setting_error(name, raw, expected)
        value = int(raw)
    elif not isinstance(raw, int | float):
        raise _setting_error(name, raw, expected)
    if isinstance(value, float) and not math.isfinite(value):
        raise _setting_error(name, raw, expected)
    if value > high or value < low or (low_open and value == low):
        raise _setting_error(name, raw, expected)
    return int(value) if integer else float(value)


def _lookup(config_get: Callable[[str], Any] | None, environ: Mapping[str, str], key: str, env: str) -> Any:
    """The stack config's value of `key`, else the environment's `env`; None when neither has one
    (an empty or blank value counts as none, in both places)."""
    for value in (config_get(key) if config_get is not None else None, environ.get(env)):
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return value
    return None


def configured_auth_id(
    config_get: Callable[[str], Any] | None, environ: Mapping[str, str] | None = None
) -> str | None:
    """The account id the settings would use, read without credentials or a client: check runs at
    preview, where the token may be missing."""
    environ = os.environ if environ is None else environ
    return (
        str(_lookup(config_get, environ, CONFIG_KEYS["auth_id"], ENV_VARS["auth_id"]) or "").strip() or None
    )


def _tuning(config_get: Callable[[str], Any] | None, environ: Mapping[str, str]) -> dict[str, Any]:
    raw = {name: _lookup(config_get, environ, key, env) for name, (key, env) in TUNING_KEYS.items()}
    return {
        name: _parse_number(name, value, **_TUNING_BOUNDS[name])
        for name, value in raw.items()
        if value is not None
    }


def resolve_settings(
    config_get: Callable[[str], Any] | None = None, environ: Mapping[str, str] | None = None
) -> ProviderSettings:
    """Resolve settings from a config getter (key -> value or None) and the environment.

    Raises :class:`MissingCredentialsError` without credentials and :class:`InvalidSettingError` when
    an optional setting is not usable (the message names the key)."""
    environ = os.environ if environ is None else environ
    values = {
        name: str(_lookup(config_get, environ, key, ENV_VARS[name]) or "").strip()
        for name, key in CONFIG_KEYS.items()
    }
    missing = [
        f"{CONFIG_KEYS[name]} (or {ENV_VARS[name]})" for name in ("auth_id", "auth_token") if not values[name]
    ]
    if missing:
        raise MissingCredentialsError(_missing_message(missing))
    return ProviderSettings(
        values["auth_id"],
        values["auth_token"],
        values["base_url"] or DEFAULT_BASE_URL,
        **_tuning(config_get, environ),
    )


_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalized_base_url(value: Any) -> Any:
    """`value` as the account it names: scheme and host in lower case, the scheme's default port and
    trailing slashes dropped (`https://API.plivo.com:443/v1/` is `https://api.plivo.com/v1`). Not a
    URL (or unknown): as it is."""
    if not isinstance(value, str):
        return value
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return value
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if not scheme or not host:
        return value
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    if parts.username or parts.password:
        netloc = f"{parts.netloc.rsplit('@', 1)[0]}@{netloc}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), parts.query, parts.fragment))
