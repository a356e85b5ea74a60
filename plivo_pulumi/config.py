"""Provider configuration: where the credentials and the endpoint come from.

Stack config first (`plivo:authId`, `plivo:authToken` set with `--secret`, `plivo:baseUrl`), the
environment second (`PLIVO_AUTH_ID`, `PLIVO_AUTH_TOKEN`, `PLIVO_BASE_URL`). It is read inside the
provider process, in `ResourceProvider.configure()`, so credentials are never captured in the
serialized provider that Pulumi stores in state.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from plivo_pulumi.client import DEFAULT_BASE_URL, PlivoClient
from plivo_pulumi.errors import PlivoError

CONFIG_KEYS = {"auth_id": "plivo:authId", "auth_token": "plivo:authToken", "base_url": "plivo:baseUrl"}
ENV_VARS = {"auth_id": "PLIVO_AUTH_ID", "auth_token": "PLIVO_AUTH_TOKEN", "base_url": "PLIVO_BASE_URL"}


class MissingCredentialsError(PlivoError):
    """Raised when neither stack config nor the environment names the Plivo credentials."""


@dataclass(frozen=True)
class ProviderSettings:
    """Resolved settings; the token is kept out of repr so it never lands in a log or traceback."""

    auth_id: str
    auth_token: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL

    def client(self, **kwargs: Any) -> PlivoClient:
        return PlivoClient(self.auth_id, self.auth_token, self.base_url, **kwargs)


def _missing_message(missing: list[str]) -> str:
    lines = [f"Plivo credentials are missing: {', '.join(missing)}. Set them in the stack config:"]
    lines.append("    pulumi config set plivo:authId MA...")
    lines.append("    pulumi config set --secret plivo:authToken <token>")
    lines.append(f"or in the environment: {ENV_VARS['auth_id']} and {ENV_VARS['auth_token']}.")
    return "\n".join(lines)


def resolve_settings(
    config_get: Callable[[str], Any] | None = None, environ: Mapping[str, str] | None = None
) -> ProviderSettings:
    """Resolve settings from a config getter (key -> value or None) and the environment."""
    environ = os.environ if environ is None else environ
    values: dict[str, str] = {}
    for name, key in CONFIG_KEYS.items():
        value = config_get(key) if config_get is not None else None
        if value in (None, ""):
            value = environ.get(ENV_VARS[name], "")
        values[name] = str(value).strip()
    missing = [
        f"{CONFIG_KEYS[name]} (or {ENV_VARS[name]})" for name in ("auth_id", "auth_token") if not values[name]
    ]
    if missing:
        raise MissingCredentialsError(_missing_message(missing))
    return ProviderSettings(values["auth_id"], values["auth_token"], values["base_url"] or DEFAULT_BASE_URL)
