"""The base of every Plivo dynamic provider: configuration read in the provider process, and one
shared API client, created on first use so check and diff (preview) need no credentials."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

from pulumi.dynamic import ConfigureRequest, ResourceProvider

from plivo_pulumi.client import PlivoClient
from plivo_pulumi.config import resolve_settings

_CLIENT_LOCK = threading.Lock()


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

    def api(self) -> PlivoClient:
        with _CLIENT_LOCK:
            if getattr(self, "_client", None) is None:
                self._client = resolve_settings(getattr(self, "_config_get", None)).client()
            return self._client
