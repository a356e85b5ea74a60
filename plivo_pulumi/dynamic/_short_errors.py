"""Provider errors as a person reads them: the message, first and short.

Pulumi's Python dynamic-provider host (`python -m pulumi.dynamic`) answers every exception with
`traceback.format_exc()`, so a refused token or a number that is not rented reached the user as one
or two chained tracebacks with the message at the bottom. For this project's own errors
(`PlivoError`: every message already names the cause and the fix) the host now reports the message
alone. The traceback is still printed to the provider's stderr when the engine runs verbosely
(`pulumi up -v=9 --logflow`, which passes `-v=9` to the provider) or `PLIVO_DEBUG=1` is set. Any
other exception (a bug) keeps its full traceback.
"""

from __future__ import annotations

import os
import sys
import traceback
from types import ModuleType
from typing import Any

from plivo_pulumi.core.errors import PlivoError


def _verbose() -> bool:
    if os.environ.get("PLIVO_DEBUG", "").lower() in ("1", "true", "yes"):
        return True
    for arg in sys.argv[1:]:
        if arg.startswith(("-v=", "--v=")):
            try:
                return int(arg.split("=", 1)[1]) > 0
            except ValueError:
                return False
    return False


class _ShortTracebacks:
    """Stands in for the `traceback` module inside the dynamic-provider host."""

    def __init__(self, real: ModuleType) -> None:
        self._real = real

    def format_exc(self, *args: Any, **kwargs: Any) -> str:
        exc = sys.exc_info()[1]
        if not isinstance(exc, PlivoError):
            return self._real.format_exc(*args, **kwargs)
        if _verbose():
            print(
                f"plivo: detail of the error below:\n{self._real.format_exc()}", file=sys.stderr, flush=True
            )
        return str(exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def install() -> None:
    """Called when a provider module is imported; does nothing outside the dynamic-provider host."""
    host = sys.modules.get("__main__")
    if host is None or not hasattr(host, "DynamicResourceProviderServicer"):
        return
    current = getattr(host, "traceback", None)
    if current is traceback:
        host.traceback = _ShortTracebacks(traceback)  # type: ignore[attr-defined]  # a module we do not own
