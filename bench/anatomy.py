"""Where one engine command's time goes: the engine's own work, the provider's calls, and the API
calls inside them, from the engine's verbose log (`-v=7 --logflow`, bench/engine.py `up_logged`) and
the simulator's request log (bench/runner.py `api_phases`).

Each provider call (Read, Check, Diff, Update, Create, Delete) is logged by the engine when it starts
("executing") and when it answers ("success"), with a timestamp. For a stack of one resource:

  engine    = the command's wall time - the time inside provider calls
              (CLI and language host start, the program, plugin and provider start, planning,
              checkpoints: the same for any resource holding the same map);
  API       = the time from the first to the last request of each API phase (reads, writes), which
              run inside the provider's Read and Update;
  provider  = the time inside provider calls - API: the provider's own work, the SDK's
              (de)serialization of the map in the provider host, and its gRPC transfer.

For a stack of N separate resources the engine calls the provider for several resources at once:
"inside provider calls" is then the union of the calls' intervals (the wall time during which at
least one call was running), so `engine` is the time the engine worked with no provider call in
flight. Those dissections pass no API phases (at 0 ms the requests run inside the calls): `provider`
is then the whole time inside calls, API included.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

_CALL = re.compile(
    r"Provider\[[^\]]+\]\.(?P<rpc>Read|Check|Diff|Update|Create|Delete)\((?P<args>[^)]*)\):? "
    r"(?P<what>executing|success)"
)


def provider_calls(log: str, type_token: str) -> list[tuple[str, float, float]]:
    """(call, start, end) in epoch seconds for each call to a provider about resources of
    `type_token` (e.g. `dynamic/plivo:RentedNumberSet`), in the order they started."""
    calls: list[tuple[str, float, float]] = []
    started: dict[str, list[float]] = {}
    for line in log.splitlines():
        if not line.startswith("{") or "Provider[" not in line:
            continue
        try:
            event = json.loads(line)
        except ValueError:
            continue
        match = _CALL.search(str(event.get("msg", "")))
        if match is None or type_token not in match["args"]:
            continue
        when = _epoch(event["time"])
        if match["what"] == "executing":
            started.setdefault(match["rpc"], []).append(when)
        elif started.get(match["rpc"]):
            calls.append((match["rpc"], started[match["rpc"]].pop(0), when))
    return sorted(calls, key=lambda c: c[1])


def _epoch(stamp: str) -> float:
    """RFC 3339 with nanoseconds (Go's format) -> epoch seconds."""
    head, _, frac = stamp.rstrip("Z").partition(".")
    base = dt.datetime.fromisoformat(head).replace(tzinfo=dt.UTC).timestamp()
    return base + (float(f"0.{frac}") if frac else 0.0)


def busy(calls: list[tuple[str, float, float]]) -> float:
    """The union of the calls' intervals, in seconds: the time at least one call was running."""
    total, reach = 0.0, float("-inf")
    for _, start, end in sorted(calls, key=lambda c: c[1]):
        if end <= reach:
            continue
        total += end - max(start, reach)
        reach = end
    return total


def anatomy(
    seconds: float, calls: list[tuple[str, float, float]], phases: dict[str, float]
) -> dict[str, Any]:
    """The split of one command of `seconds` (see the module docstring)."""
    inside = busy(calls)
    api = phases.get("reads", 0.0) + phases.get("writes", 0.0)
    per_call: dict[str, float] = {}
    counts: dict[str, int] = {}
    for name, start, end in calls:
        per_call[name] = round(per_call.get(name, 0.0) + end - start, 3)
        counts[name] = counts.get(name, 0) + 1
    return {
        "counts": counts,
        "seconds": round(seconds, 3),
        "engine": round(seconds - inside, 3),
        "api": round(api, 3),
        "provider": round(max(0.0, inside - api), 3),
        "calls": per_call,
        "phases": phases,
    }
