"""Fault injection: latency, 5xx, 429 with Retry-After, dropped connections, and scripted sequences
of them, decided per API request (docs/simulator.md, "Fault injection")."""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass
from typing import Any

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
    "script_match": None,
    # PhoneNumber API buys (docs/simulator.md, "Buy faults"): the next buy of each listed number
    # ("*": of any number) finds it bought by someone else (404); the next `buy_lost` buys are made,
    # then their connection is closed without an answer.
    "buy_taken": [],
    "buy_lost": 0,
}
BUY_LOST_MAX = 1000
_SCRIPT_RE = re.compile(r"ok|drop|rate_limit|error(?::[45]\d\d)?|late:\d{1,5}")
_MATCH_RE = re.compile(r"(GET|POST|DELETE)(?: (/\S*))?")
LATE_MAX_MS = 60_000


@dataclass
class Fault:
    latency: float = 0.0
    kind: str | None = None  # None, "drop", "rate_limit", "error"
    status: int | None = None
    # Seconds to hold the answer after the request was carried out (a `late:<ms>` step): the change
    # is made but the client may give up first, as when an API's answer is lost.
    late: float = 0.0


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
                "script must be a list of 'ok', 'drop', 'rate_limit', 'error', 'error:<status>' or "
                f"'late:<ms>', got {script!r}"
            )
        if any(s.startswith("late:") and int(s[5:]) > LATE_MAX_MS for s in script):
            raise ValueError(f"a late:<ms> step waits at most {LATE_MAX_MS} ms, got {script!r}")
        merged["script"] = list(script)
        taken = merged["buy_taken"]
        if not isinstance(taken, list) or not all(
            isinstance(t, str) and (t == "*" or (t.isascii() and t.isdigit() and 8 <= len(t) <= 15))
            for t in taken
        ):
            raise ValueError(
                f"buy_taken must be a list of numbers (digits) or '*' (any number), got {taken!r}"
            )
        merged["buy_taken"] = list(taken)
        lost = merged["buy_lost"]
        if isinstance(lost, bool) or not isinstance(lost, int) or not 0 <= lost <= BUY_LOST_MAX:
            raise ValueError(f"buy_lost must be a count of buys from 0 to {BUY_LOST_MAX}, got {lost!r}")
        match = merged["script_match"]
        if match is not None and (not isinstance(match, str) or not _MATCH_RE.fullmatch(match)):
            raise ValueError(
                "script_match must be null (every request) or 'METHOD' or 'METHOD /path' (GET, POST or "
                f"DELETE; the exact path), got {match!r}"
            )
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
            return dict(
                self.config, script=list(self.config["script"]), buy_taken=list(self.config["buy_taken"])
            )

    def buy_taken(self, number: str) -> bool:
        """Whether a `buy_taken` entry hits this buy of `number` (the entry is used up)."""
        with self._lock:
            taken = self.config["buy_taken"]
            for i, entry in enumerate(taken):
                if entry in (number, "*"):
                    del taken[i]
                    return True
            return False

    def buy_lost(self) -> bool:
        """Whether the answer of a buy just made is lost (uses up one of `buy_lost`)."""
        with self._lock:
            if self.config["buy_lost"] > 0:
                self.config["buy_lost"] -= 1
                return True
            return False

    def decide(self, method: str = "", path: str = "") -> Fault:
        """The fault of one request; `method` and `path` decide whether it uses up a scripted step
        (`script_match`)."""
        with self._lock:
            c = self.config
            rng = self._random
            latency = c["latency_ms"] / 1000.0
            if c["latency_jitter_ms"]:
                latency += rng.uniform(0, c["latency_jitter_ms"] / 1000.0)
            fault = Fault(latency=latency)
            if c["script"] and _matches(c["script_match"], method, path):
                # Scripted faults first, one per request, in order; then the random rates apply.
                step = c["script"].pop(0)
                if step.startswith("late:"):
                    fault.late = int(step[5:]) / 1000.0
                elif step == "drop":
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


def _matches(match: str | None, method: str, path: str) -> bool:
    """Whether a request uses up a scripted step: every request, or those of `match`'s method (and
    exact path)."""
    if match is None:
        return True
    want_method, _, want_path = match.partition(" ")
    return method == want_method and (not want_path or path == want_path)
