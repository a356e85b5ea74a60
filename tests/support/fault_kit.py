"""Shared helpers of the fault, outage, crash and concurrency tests (tests/e2e/test_faults.py,
test_fault_*.py, test_crash.py). No tests here.

What the helpers read is what a user would look at: the simulator's state and request log, the state
file the file backend wrote (`state/.pulumi/stacks/<project>/<stack>.json`, parsed from disk, not
through the engine) and its lock files, and the engine's exit code and output.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from plivo_pulumi import RentedNumber, RentedNumberSet
from tests.support.accounts import APPS, MAIN, SUB, TOKEN, e2e_seed
from tests.support.engine_stack import EngineStack, Run
from tests.support.processes import descendants

PROJECT = "plivo-e2e"


def fleet_seed(count: int, prefix: str = "1777") -> tuple[dict[str, Any], list[str]]:
    """A seed with the e2e accounts and applications and `count` unbound numbers; returns the numbers."""
    numbers = [f"{prefix}{i:07d}" for i in range(count)]
    return e2e_seed(numbers), numbers


def desired_bindings(numbers: list[str], app_offset: int = 0) -> dict[str, dict[str, str]]:
    """Every number gets an application; every fourth also moves to the subaccount."""
    return {
        n: {"app_id": APPS[(i + app_offset) % len(APPS)], **({"subaccount": SUB} if i % 4 == 0 else {})}
        for i, n in enumerate(numbers)
    }


def number_program(spec: dict[str, Any]) -> Callable[[], None]:
    """One RentedNumber `n<number>` per entry of `spec["bindings"]` (edited between runs)."""

    def program() -> None:
        for number, fields in spec["bindings"].items():
            RentedNumber(f"n{number}", number=number, **fields)

    return program


def set_program(spec: dict[str, Any]) -> Callable[[], None]:
    """One RentedNumberSet `fleet` of `spec["bindings"]`."""

    def program() -> None:
        RentedNumberSet("fleet", dict(spec["bindings"]))

    return program


def fault_stack(
    workdir: Path,
    sim: Any,
    program: Callable[[], None],
    *,
    timeout: float | None = None,
    retries: int | None = None,
    backoff: float | None = None,
    name: str = "dev",
) -> EngineStack:
    """A stack configured as a user would: credentials, endpoint, and the client's retry settings."""
    config = {
        "plivo:baseUrl": (sim.base_url, False),
        "plivo:authId": (MAIN, False),
        "plivo:authToken": (TOKEN, True),
    }
    if timeout is not None:
        config["plivo:timeoutSeconds"] = (str(timeout), False)
    if retries is not None:
        config["plivo:maxRetries"] = (str(retries), False)
    if backoff is not None:
        config["plivo:backoffFactor"] = (str(backoff), False)
    return EngineStack(workdir, program, config=config, stack=name)


# -- the state file, read from disk ---------------------------------------------------------------


def state_file(stack: EngineStack, name: str = "dev") -> Path:
    return stack.state_dir / ".pulumi" / "stacks" / PROJECT / f"{name}.json"


def checkpoint(stack: EngineStack, name: str = "dev") -> dict[str, Any]:
    """The latest deployment of the state file; it must parse (a torn write would fail here)."""
    data = json.loads(state_file(stack, name).read_text(encoding="utf-8"))
    return data["checkpoint"].get("latest") or {}


def lock_files(stack: EngineStack) -> list[Path]:
    locks = stack.state_dir / ".pulumi" / "locks"
    return sorted(p for p in locks.rglob("*.json") if p.is_file()) if locks.exists() else []


def pending_operations(stack: EngineStack, name: str = "dev") -> list[tuple[str, str]]:
    return [
        (op["type"], op["resource"]["urn"].split("::")[-1])
        for op in checkpoint(stack, name).get("pending_operations") or []
    ]


def claimed_bindings(stack: EngineStack, name: str = "dev") -> dict[str, tuple[str, str]]:
    """{number: (app_id, subaccount)} that the state file claims, for RentedNumber and RentedNumberSet."""
    claims: dict[str, tuple[str, str]] = {}
    for res in checkpoint(stack, name).get("resources") or []:
        outputs = res.get("outputs") or {}
        if res["type"].endswith(":RentedNumber"):
            claims[outputs["number"]] = (outputs.get("app_id") or "", outputs.get("subaccount") or "")
        elif res["type"].endswith(":RentedNumberSet"):
            # `bindings` as last written, overlaid with what a refresh found different (`__live`;
            # docs/design.md, "RentedNumberSet").
            seen = {**(outputs.get("bindings") or {}), **(outputs.get("__live") or {})}
            for number, encoded in seen.items():
                if encoded == "(not rented)":
                    continue
                app, _, sub = encoded.partition("/")
                claims[number] = (app, sub)
    return claims


def live_bindings(sim: Any) -> dict[str, tuple[str, str]]:
    """{number: (app_id, subaccount)} as the simulator stores them ("" for none)."""
    return {n["number"]: (n["app_id"] or "", n["subaccount"] or "") for n in sim.state()["numbers"]}


def wanted(spec: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {n: (f.get("app_id") or "", f.get("subaccount") or "") for n, f in spec["bindings"].items()}


def assert_claims_were_accepted(stack: EngineStack, sim: Any, before: dict[str, tuple[str, str]]) -> int:
    """Every binding the state file claims is the simulator's current one, or (for a resource whose
    update failed) the one it had before the run: the state never claims what the API did not accept.
    Returns how many numbers the state claims."""
    live = live_bindings(sim)
    claims = claimed_bindings(stack)
    for number, claim in claims.items():
        assert number in live, f"state claims {number}, which the account does not rent"
        assert claim in (live[number], before.get(number)), (
            f"state claims {number} -> {claim}, the API has {live[number]} "
            f"(before the run: {before.get(number)})"
        )
    return len(claims)


# -- the request log -------------------------------------------------------------------------------


def attempts_per_endpoint(log: dict[str, Any]) -> Counter[str]:
    return Counter(f"{r['method']} {r['path']}" for r in log["requests"])


def answered(log: dict[str, Any]) -> Counter[str]:
    """Requests the simulator really handled (no injected fault): {method: count}."""
    return Counter(r["method"] for r in log["requests"] if r["fault"] is None)


# -- processes -------------------------------------------------------------------------------------


def engine_process(stack: EngineStack, timeout: float = 30.0) -> int:
    """The `pulumi` CLI process the Automation API started for this stack (this test's child, running
    in the stack's project directory)."""
    project_dir = str((stack.workdir / "project").resolve())
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in descendants(os.getpid()):
            try:
                exe = Path(os.readlink(f"/proc/{pid}/exe")).name
                cwd = os.readlink(f"/proc/{pid}/cwd")
            except OSError:
                continue
            if exe == "pulumi" and cwd == project_dir:
                return pid
        time.sleep(0.05)
    raise AssertionError("the pulumi CLI process of this stack was not found")


class Background:
    """Run an engine command in a thread (the Automation API call blocks) and collect its Run."""

    def __init__(self, fn: Callable[[], Run]) -> None:
        self.result: Run | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(fn,), daemon=True)
        self.started = time.monotonic()
        self.thread.start()

    def _run(self, fn: Callable[[], Run]) -> None:
        try:
            self.result = fn()
        except BaseException as exc:
            self.error = exc

    def join(self, timeout: float) -> Run:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), f"the engine command did not end within {timeout:.0f} s"
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def posts_seen(sim: Any) -> int:
    return sim.requests_log()["by_method"].get("POST", 0)
