"""The API goes away in the middle of `pulumi up`, through the real engine.

The outage is the simulator process frozen with SIGSTOP: connections hang exactly as they do when an
API or a load balancer stops answering, in-flight requests stay in doubt (the server may apply them
after the client gave up, as a real API can), and the account's state survives for the checks (a
stopped process would lose it). With `plivo:timeoutSeconds=1`, `plivo:maxRetries=2` and
`plivo:backoffFactor=0.1`, the run must fail within a bounded time with a message naming the endpoint
and the attempts; the state file must claim no binding the API did not accept; after recovery
(SIGCONT) a `refresh` shows the truth, a rerun converges writing only what is left, and
`preview --refresh --expect-no-changes` passes.
"""

from __future__ import annotations

import os
import re
import signal
import time

import pytest

from tests.support.accounts import APPS, MAIN
from tests.support.fault_kit import (
    Background,
    assert_claims_were_accepted,
    claimed_bindings,
    fault_stack,
    fleet_seed,
    live_bindings,
    lock_files,
    number_program,
    pending_operations,
    posts_seen,
    set_program,
    wait_for,
    wanted,
)

COUNT = 100
TIMEOUT, RETRIES, BACKOFF = 1, 2, 0.1
# One operation gives up after (1 + RETRIES) attempts of at most TIMEOUT seconds (connect or read) plus
# the backoff sleeps (none before the first retry, BACKOFF * 2 before the second): 3.2 s.
PER_OPERATION = (1 + RETRIES) * TIMEOUT + BACKOFF * 2
# RentedNumber: the engine starts no new resource after the first failure, so the run ends about one
# PER_OPERATION after the freeze. 30 s leaves room for the engine's shutdown on a loaded 2-core machine.
SLACK = 30.0
# RentedNumberSet: after the first failure that says the API is down (timeout, dropped connection,
# 5xx), the provider starts no new number; the MAX_IN_FLIGHT already in flight finish their retries,
# so the run ends about one PER_OPERATION after the cut, whatever the size of the set.
MAX_IN_FLIGHT = 8


def all_to(numbers: list[str], app: str) -> dict[str, dict[str, str]]:
    return {n: {"app_id": app} for n in numbers}


def freeze_mid_run(sim_e2e, stack, after_posts: int):
    """Start `up`, freeze the API once `after_posts` writes went through, wait for the run to end.
    Returns (run, seconds from the freeze to the end of the run). The API stays frozen."""
    run = Background(stack.up)
    wait_for(lambda: posts_seen(sim_e2e) >= after_posts, 120, f"{after_posts} POSTs")
    os.kill(sim_e2e.pid, signal.SIGSTOP)
    frozen = time.monotonic()
    try:
        result = run.join(120)
    except BaseException:
        os.kill(sim_e2e.pid, signal.SIGCONT)
        raise
    return result, time.monotonic() - frozen


def thaw(sim_e2e) -> None:
    """Resume the API and let it finish what was in flight when it froze."""
    os.kill(sim_e2e.pid, signal.SIGCONT)
    settled = {"total": -1}

    def quiet() -> bool:
        total = sim_e2e.requests_log()["total"]
        done = total == settled["total"]
        settled["total"] = total
        return done

    time.sleep(0.5)
    wait_for(quiet, 30, "the API to settle")


def assert_fails_loudly(run, took: float, bound: float, reason: str = "timed out") -> None:
    assert run.code != 0, run.output
    assert took < bound, f"the run took {took:.1f}s to fail after the API went away (bound {bound:.1f}s)"
    endpoint = re.search(rf"(GET|POST) /v1/Account/{MAIN}/Number/\d+/", run.output)
    assert endpoint, run.output[-3000:]
    assert f"gave up after {1 + RETRIES} attempts" in run.output, run.output[-3000:]
    assert reason in run.output, run.output[-3000:]


def test_outage_during_first_up_of_rented_numbers(sim_e2e, tmp_path):
    seed, numbers = fleet_seed(COUNT)
    sim_e2e.reset(seed)
    spec = {"bindings": all_to(numbers, APPS[0])}
    stack = fault_stack(
        tmp_path / "dev", sim_e2e, number_program(spec), timeout=TIMEOUT, retries=RETRIES, backoff=BACKOFF
    )
    sim_e2e.set_faults(latency_ms=100)  # many requests in flight when the API freezes
    sim_e2e.clear_log()
    before = live_bindings(sim_e2e)

    try:
        run, took = freeze_mid_run(sim_e2e, stack, after_posts=25)
        assert_fails_loudly(run, took, PER_OPERATION + SLACK)
        # The engine failed cleanly: no lock left, no operation left pending.
        assert lock_files(stack) == [] and pending_operations(stack) == []
        claims_during_outage = claimed_bindings(stack)
    finally:
        thaw(sim_e2e)
    sim_e2e.clear_faults()

    # A POST logged just before the freeze may not have been answered: its create failed (not in state).
    assert 0 < len(claims_during_outage) < COUNT, "the outage interrupted the run"
    assert_claims_were_accepted(stack, sim_e2e, before)
    live = live_bindings(sim_e2e)
    assert set(live) == set(numbers), "no number was unrented"
    late = [n for n in numbers if live[n][0] == APPS[0] and n not in claims_during_outage]
    print(
        f"outage: failed {took:.1f}s after the freeze; {len(claims_during_outage)} in state, "
        f"{len(late)} more bound by requests the API finished after the client gave up"
    )

    # Recovery: refresh shows the truth, a rerun writes only what is left, the gate passes.
    refresh = stack.refresh()
    assert refresh.ok, refresh.output
    assert all(live[n] == c for n, c in claimed_bindings(stack).items())
    sim_e2e.clear_log()
    left = sum(1 for n in numbers if live[n][0] != APPS[0])
    rerun = stack.up()
    assert rerun.ok, rerun.output
    assert sim_e2e.requests_log()["by_method"] == {"GET": COUNT - len(claims_during_outage), "POST": left}
    assert live_bindings(sim_e2e) == wanted(spec) == claimed_bindings(stack)
    gate = stack.preview(refresh=True, expect_no_changes=True)
    assert gate.ok, gate.output


CUT_AFTER = 68  # leaves 32 numbers, 4 rounds of MAX_IN_FLIGHT, to keep the test short


def cut_mid_run(sim_e2e, stack, kind: str):
    """`freeze`: SIGSTOP (connections hang). `reset`: every connection is closed without an answer
    (drop_rate=1.0, what a failing load balancer does); such requests change nothing."""
    if kind == "freeze":
        return freeze_mid_run(sim_e2e, stack, after_posts=CUT_AFTER)
    run = Background(stack.up)
    wait_for(lambda: posts_seen(sim_e2e) >= CUT_AFTER, 120, f"{CUT_AFTER} POSTs")
    sim_e2e.set_faults(drop_rate=1.0)
    cut = time.monotonic()
    return run.join(120), time.monotonic() - cut


@pytest.mark.parametrize("kind", ["freeze", "reset"])
def test_outage_during_update_of_a_rented_number_set(sim_e2e, tmp_path, kind):
    seed, numbers = fleet_seed(COUNT)
    sim_e2e.reset(seed)
    spec = {"bindings": all_to(numbers, APPS[0])}
    stack = fault_stack(
        tmp_path / "dev", sim_e2e, set_program(spec), timeout=TIMEOUT, retries=RETRIES, backoff=BACKOFF
    )
    assert stack.up().ok
    before = live_bindings(sim_e2e)
    assert before == wanted(spec)

    spec["bindings"] = all_to(numbers, APPS[1])
    sim_e2e.set_faults(latency_ms=100)
    sim_e2e.clear_log()
    try:
        run, took = cut_mid_run(sim_e2e, stack, kind)
        assert_fails_loudly(
            run,
            took,
            2 * PER_OPERATION + SLACK,
            "timed out" if kind == "freeze" else "connection dropped by the server",
        )
        assert re.search(r"could not update bindings for \d+ of 100 number\(s\) \(\d+ succeeded", run.output)
        assert "not attempted after the API failed" in run.output
        assert lock_files(stack) == [] and pending_operations(stack) == []
    finally:
        thaw(sim_e2e)
    sim_e2e.clear_faults()

    # The failed update keeps the previous bindings in the state: nothing claims APPS[1] yet.
    assert_claims_were_accepted(stack, sim_e2e, before)
    assert {app for app, _ in claimed_bindings(stack).values()} == {APPS[0]}
    live = live_bindings(sim_e2e)
    moved = [n for n in numbers if live[n][0] == APPS[1]]
    assert set(live) == set(numbers), "no number was unrented"
    if kind == "freeze":
        # Requests sent during the freeze wait in the API's backlog and are applied when it resumes,
        # after the client gave up: the account may be ahead of the state, never the other way round.
        assert CUT_AFTER <= len(moved) <= COUNT
    else:
        assert CUT_AFTER <= len(moved) < COUNT, "a dropped request changes nothing"
    print(f"set outage ({kind}): failed {took:.1f}s after the cut, {len(moved)} of {COUNT} moved")

    refresh = stack.refresh()
    assert refresh.ok, refresh.output
    assert claimed_bindings(stack) == live, "refresh shows the truth, number by number"
    sim_e2e.clear_log()
    rerun = stack.up()
    assert rerun.ok, rerun.output
    assert sim_e2e.requests_log()["by_method"].get("POST", 0) == COUNT - len(moved), "only what is left"
    assert live_bindings(sim_e2e) == wanted(spec) == claimed_bindings(stack)
    gate = stack.preview(refresh=True, expect_no_changes=True)
    assert gate.ok, gate.output


@pytest.fixture(autouse=True)
def never_leave_the_api_frozen(sim_process):
    yield
    os.kill(sim_process.pid, signal.SIGCONT)
