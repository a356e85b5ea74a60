"""The imperative baselines: the scripts a user would write instead of a Pulumi stack.

List the whole account, compare each number's application with the desired one, and POST only the
numbers that differ, 8 requests in flight. No engine, no state. Two ways to list:

  imperative           pages one after the other (`PlivoClient.iter_numbers`), as a plain script does:
                       the naive reference;
  imperative_parallel  page 1 tells the account's size, then the other pages 8 in flight, the bounded
                       concurrency a `RentedNumberSet` uses (its `max_in_flight`): the fair baseline.

Run as `python -m bench.imperative` with a JSON request on stdin (so the auth token is never on a
command line): `{"base_url", "auth_id", "auth_token", "desired": {number: app_id}, "write": bool,
"pages_in_flight": int}`. Prints one JSON line: `{"seconds", "listed", "differ", "posted", "vm_hwm"}`
(`seconds` is the work inside the script; the benchmark also times the whole process from the outside).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from plivo_pulumi.core.client import PlivoClient
from plivo_pulumi.core.contract import field_differs, live_binding

IN_FLIGHT = 8


def list_account(client: PlivoClient, pages_in_flight: int) -> Iterable[dict[str, Any]]:
    """Every rented number: pages one after the other (1), or page 1 then the rest in parallel
    (`PlivoClient.list_all_numbers`, what the Application delete uses too)."""
    if pages_in_flight <= 1:
        return client.iter_numbers()
    return client.list_all_numbers(in_flight=pages_in_flight)


def reconcile(
    client: PlivoClient, desired: dict[str, str], *, write: bool, pages_in_flight: int = 1
) -> dict[str, int]:
    """List, compare, and (with `write`) POST what differs. Returns counts for the report."""
    live: dict[str, str] = {}
    for obj in list_account(client, pages_in_flight):
        binding = live_binding(obj)
        live[binding["number"]] = binding["app_id"]
    missing = sorted(n for n in desired if n not in live)
    if missing:
        raise SystemExit(f"{len(missing)} desired number(s) are not rented: {', '.join(missing[:10])}")
    differ = sorted(n for n, app in desired.items() if field_differs(app, live[n]))
    if write and differ:
        with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
            list(pool.map(lambda n: client.update_number(n, app_id=desired[n]), differ))
    return {"listed": len(live), "differ": len(differ), "posted": len(differ) if write else 0}


def _vm_hwm() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def main() -> None:
    request = json.load(sys.stdin)
    start = time.perf_counter()
    with PlivoClient(request["auth_id"], request["auth_token"], request["base_url"]) as client:
        counts = reconcile(
            client,
            request["desired"],
            write=bool(request["write"]),
            pages_in_flight=int(request.get("pages_in_flight", 1)),
        )
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, **counts, "vm_hwm": _vm_hwm()}))


if __name__ == "__main__":
    main()
