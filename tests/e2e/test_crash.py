"""`pulumi up` killed mid-run at 100 numbers, through the real engine, and the documented recovery.

SIGKILL (the machine or the CI runner dies): the `pulumi` CLI that the Automation API started, and
the dynamic provider it runs, are killed while writes are in flight. The file backend is left with a
lock file and pending `creating` operations in the state. The recovery recipe of docs/reliability.md
(`pulumi cancel`, `pulumi refresh --clear-pending-creates`, `pulumi up`, then the gate
`pulumi preview --refresh --expect-no-changes`) must bring state and account in line with the code:
nothing unrented, nothing lost, no write done twice.

SIGINT (a cancelled CI job): the engine stops gracefully, releases the lock, leaves nothing pending,
and a plain rerun converges.
"""

from __future__ import annotations

import os
import signal

import pytest

from tests.support.fault_kit import (
    Background,
    assert_claims_were_accepted,
    claimed_bindings,
    descendants,
    desired_bindings,
    engine_process,
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
from tests.support.processes import alive

COUNT = 100
KILL_AFTER_POSTS = 30


def interrupt_mid_up(sim_e2e, stack, sig: int):
    """Start `up`, send `sig` once KILL_AFTER_POSTS writes went through, wait for the run to end.
    SIGKILL goes to the CLI and every process under it (the provider); SIGINT to the CLI only, as a CI
    runner that cancels a job does."""
    run = Background(stack.up)
    wait_for(lambda: posts_seen(sim_e2e) >= KILL_AFTER_POSTS, 120, f"{KILL_AFTER_POSTS} POSTs")
    cli = engine_process(stack)
    tree = [cli, *descendants(cli)]
    for pid in tree if sig == signal.SIGKILL else [cli]:
        os.kill(pid, sig)
    result = run.join(120)
    wait_for(lambda: not [p for p in tree if alive(p)], 30, "the interrupted run's processes to end")
    return result


def start(sim_e2e, tmp_path, kind: str):
    seed, numbers = fleet_seed(COUNT)
    sim_e2e.reset(seed)
    spec = {"bindings": desired_bindings(numbers)}
    program = number_program(spec) if kind == "RentedNumber" else set_program(spec)
    stack = fault_stack(tmp_path / "dev", sim_e2e, program)
    sim_e2e.set_faults(latency_ms=100)  # writes in flight at any moment
    sim_e2e.clear_log()
    return stack, spec, numbers, live_bindings(sim_e2e)


@pytest.mark.parametrize("kind", ["RentedNumber", "RentedNumberSet"])
def test_sigkill_mid_up_then_the_documented_recovery(sim_e2e, tmp_path, kind):
    stack, spec, numbers, before = start(sim_e2e, tmp_path, kind)

    killed = interrupt_mid_up(sim_e2e, stack, signal.SIGKILL)
    assert killed.code != 0
    sim_e2e.clear_faults()

    # What the crash left: a lock, pending creates, a state file that still parses and claims nothing
    # the API did not accept, and every number still rented.
    assert len(lock_files(stack)) == 1
    pending = pending_operations(stack)
    assert pending and {op for op, _ in pending} == {"creating"}, pending
    assert_claims_were_accepted(stack, sim_e2e, before)
    assert set(live_bindings(sim_e2e)) == set(numbers)

    # Without recovery the stack refuses to run, and says what to do.
    locked = stack.up()
    assert locked.code != 0
    assert "the stack is currently locked by 1 lock(s)" in locked.output and "pulumi cancel" in locked.output

    # The recipe. 1. `pulumi cancel --yes` deletes the file backend's lock.
    stack.stack.cancel()
    assert lock_files(stack) == []
    # 2. `pulumi refresh --clear-pending-creates --yes`: the truth for what the state holds, and the
    # interrupted creates (adoptions: nothing was created) dropped, to be adopted again by the next up.
    refresh = stack.refresh(clear_pending_creates=True)
    assert refresh.ok, refresh.output
    assert pending_operations(stack) == []
    live = live_bindings(sim_e2e)
    assert all(live[n] == claim for n, claim in claimed_bindings(stack).items())
    # 3. `pulumi up`: writes exactly what the crash left undone, never twice, never a DELETE.
    left = sum(1 for n, want in wanted(spec).items() if live[n] != want)
    posts = posts_seen(sim_e2e)
    up = stack.up()
    assert up.ok, up.output
    assert posts_seen(sim_e2e) - posts == left, "each missing write once, nothing written twice"
    assert live_bindings(sim_e2e) == wanted(spec) == claimed_bindings(stack)
    # 4. The gate.
    gate = stack.preview(refresh=True, expect_no_changes=True)
    assert gate.ok, gate.output
    assert sim_e2e.requests_log()["by_method"].get("DELETE", 0) == 0, "nothing was ever unrented"
    print(f"{kind}: killed with {len(pending)} pending create(s); recovery wrote the {left} left")


def test_sigint_stops_gracefully_and_a_rerun_converges(sim_e2e, tmp_path):
    stack, spec, numbers, before = start(sim_e2e, tmp_path, "RentedNumber")

    cancelled = interrupt_mid_up(sim_e2e, stack, signal.SIGINT)
    assert cancelled.code != 0
    assert "^C received; cancelling" in cancelled.output, cancelled.output[-2000:]
    sim_e2e.clear_faults()

    # Graceful: in-flight operations finished and were recorded, the lock is released.
    assert lock_files(stack) == [] and pending_operations(stack) == []
    assert_claims_were_accepted(stack, sim_e2e, before)
    live = live_bindings(sim_e2e)
    assert set(live) == set(numbers)
    claims = claimed_bindings(stack)
    assert KILL_AFTER_POSTS <= len(claims) < COUNT
    assert all(live[n] == claim for n, claim in claims.items()), "graceful: the state is exact"

    left = sum(1 for n, want in wanted(spec).items() if live[n] != want)
    posts = posts_seen(sim_e2e)
    rerun = stack.up()
    assert rerun.ok, rerun.output
    assert posts_seen(sim_e2e) - posts == left
    assert live_bindings(sim_e2e) == wanted(spec) == claimed_bindings(stack)
    gate = stack.preview(refresh=True, expect_no_changes=True)
    assert gate.ok, gate.output
    assert sim_e2e.requests_log()["by_method"].get("DELETE", 0) == 0
