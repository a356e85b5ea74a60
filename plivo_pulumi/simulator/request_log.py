"""The request log: every API request, in order, with counts per method, route and status."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RequestLog:
    """Every real-API request (not admin ones): method, path, status, account, fault, and the
    parameter names of a POST."""

    max_entries: int = 200_000
    entries: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    by_route: Counter = field(default_factory=Counter)
    by_method: Counter = field(default_factory=Counter)
    by_status: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(
        self,
        method: str,
        path: str,
        route: str,
        status: int | None,
        account: str | None,
        fault: str | None,
        *,
        fields: list[str] | None = None,
    ) -> None:
        """`fields`: for a POST, the names of the parameters it sent (a reconcile's writes can be
        checked field by field)."""
        key_path = path if path.endswith("/") else path + "/"
        entry = {
            "method": method,
            "path": path,
            "status": status,
            "account": account,
            "fault": fault,
            "fields": fields,
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
