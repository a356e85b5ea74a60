"""The base of every Plivo dynamic provider: configuration read in the provider process, and one
shared API client, created on first use so check and diff (preview) need no credentials."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pulumi.dynamic import ConfigureRequest, ResourceProvider

from plivo_pulumi.core.client import PlivoClient
from plivo_pulumi.core.config import CONFIG_KEYS, ENV_VARS, resolve_settings
from plivo_pulumi.core.errors import AuthenticationError
from plivo_pulumi.dynamic import _short_errors as short_errors
from plivo_pulumi.dynamic._invocation import saved_config_hint

_CLIENT_LOCK = threading.Lock()
short_errors.install()  # inside the provider process: errors show their message, not a traceback


def log(message: str) -> None:
    """The provider process has no engine connection: stderr is what the engine shows the user."""
    print(f"plivo: {message}", file=sys.stderr, flush=True)


class PlivoResourceProvider(ResourceProvider):
    """Holds no state when serialized, so the provider stored with every resource stays tiny and
    never carries credentials."""

    # Nothing secret is captured when this object is pickled: the serialized provider can stay plain.
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        self._config_get: Callable[[str], Any] | None = req.config.get
        self._client: PlivoClient | None = None

    def configured_auth_id(self) -> str | None:
        """The configured account id, read without credentials or a client (check runs at preview)."""
        get = getattr(self, "_config_get", None)
        value = get(CONFIG_KEYS["auth_id"]) if get is not None else None
        return str(value or os.environ.get(ENV_VARS["auth_id"], "")).strip() or None

    def api(self) -> PlivoClient:
        with _CLIENT_LOCK:
            client = getattr(self, "_client", None)
            if client is None:
                client = self._client = resolve_settings(getattr(self, "_config_get", None)).client()
            return client


@contextmanager
def explain_refused_credentials() -> Iterator[None]:
    """Around reads and deletes, which may run with the config saved at the last deployment: a 401/403
    says whether this run used that saved config and which command uses the current one."""
    try:
        yield
    except AuthenticationError as exc:
        raise AuthenticationError(
            f"{exc}\n{saved_config_hint()}", status=exc.status, method=exc.method, path=exc.path
        ) from None
