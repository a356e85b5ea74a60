"""Transient API faults through the real engine: 100 numbers, about 20% of the requests failing
(503/502/500/504, 429 with Retry-After, connections dropped without an answer) plus latency spikes.

`pulumi up` must exit 0 with the account exactly as the code says, every operation must have taken
effect exactly once (the simulator answered exactly one GET per number and one POST per write), and
the retries must stay within the documented bound: one API operation makes at most 1 + maxRetries
attempts, so a run makes at most (1 + maxRetries) x operations requests (docs/reliability.md).
A `preview --refresh --expect-no-changes` under the same faults then confirms state == account.
"""

from __future__ import annotations

import math
import time

import pytest

from tests.support.fault_kit import (
    answered,
    attempts_per_endpoint,
    claimed_bindings,
    desired_bindings,
    fault_stack,
    fleet_seed,
    live_bindings,
    number_program,
    set_program,
    wanted,
)

COUNT = 100
MAX_RETRIES = 8  # P(one operation failing 9 times in a row at 20%) = 5e-7: the run converges
TRANSIENT = {
    "error_rate": 0.10,
    "error_statuses": [500, 502, 503, 504],
    "rate_limit_rate": 0.06,
    "retry_after": 1,
    "drop_rate": 0.06,
    "latency_ms": 5,
    "latency_jitter_ms": 150,  # spikes well under the read timeout, so no request is ever in doubt
}


def transient_stack(tmp_path, sim_e2e, program, name):
    return fault_stack(
        tmp_path / name, sim_e2e, program, timeout=10, retries=MAX_RETRIES, backoff=0.05, name=name
    )


def check_faults_were_real(log: dict) -> None:
    kinds = {r["fault"] for r in log["requests"]}
    faulted = sum(1 for r in log["requests"] if r["fault"] is not None)
    assert {"error", "rate_limit", "drop"} <= kinds, kinds
    assert faulted >= 0.1 * log["total"], f"only {faulted} of {log['total']} requests were faulted"


def check_retry_bound(log: dict, operations: dict[str, int]) -> None:
    """Per endpoint at most (1 + maxRetries) attempts per operation on it, and the run as a whole within
    (1 + maxRetries) x operations."""
    per_endpoint = attempts_per_endpoint(log)
    for endpoint, attempts in per_endpoint.items():
        ops = operations.get(endpoint, operations.get("*", 1))
        assert attempts <= (1 + MAX_RETRIES) * ops, f"{endpoint}: {attempts} attempts for {ops} operation(s)"
    total_ops = sum(operations.get(e, operations.get("*", 1)) for e in per_endpoint)
    assert log["total"] <= (1 + MAX_RETRIES) * total_ops


@pytest.mark.parametrize("kind", ["RentedNumber", "RentedNumberSet"])
def test_transient_faults_converge_exactly_once_with_bounded_retries(sim_e2e, tmp_path, kind):
    seed, numbers = fleet_seed(COUNT)
    sim_e2e.reset(seed)
    spec = {"bindings": desired_bindings(numbers)}
    program = number_program(spec) if kind == "RentedNumber" else set_program(spec)
    stack = transient_stack(tmp_path, sim_e2e, program, kind.lower())
    sim_e2e.set_faults(**TRANSIENT, seed=7)
    sim_e2e.clear_log()

    started = time.monotonic()
    up = stack.up()
    took = time.monotonic() - started
    assert up.ok, up.output
    log = sim_e2e.requests_log()
    check_faults_were_real(log)

    # The account is exactly what the code says, and so is the state file.
    assert live_bindings(sim_e2e) == wanted(spec)
    assert claimed_bindings(stack, kind.lower()) == wanted(spec)

    # Each operation took effect exactly once: the simulator handled one read per number (or per List
    # page) and one write per number, however many attempts the faults cost. No DELETE, ever.
    pages = math.ceil(COUNT / 20)
    reads = COUNT if kind == "RentedNumber" else pages
    assert answered(log) == {"GET": reads, "POST": COUNT}, answered(log)
    list_path = f"GET /v1/Account/{seed['accounts'][0]['auth_id']}/Number/"
    check_retry_bound(log, {list_path: pages, "*": 1})
    assert log["by_method"].get("DELETE", 0) == 0
    retried = log["total"] - reads - COUNT
    print(f"{kind}: up took {took:.1f}s, {log['total']} requests ({retried} retries) for {reads + COUNT} ops")

    # Under the same faults, the pipeline gate confirms the state matches the account.
    sim_e2e.clear_log()
    gate = stack.preview(refresh=True, expect_no_changes=True)
    assert gate.ok, gate.output
    log = sim_e2e.requests_log()
    check_retry_bound(log, {list_path: pages, "*": 1})
    assert log["by_method"].get("POST", 0) == 0
