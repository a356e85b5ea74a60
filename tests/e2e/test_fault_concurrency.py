"""Two `pulumi up` on the same stack at once, through the real engine: two CI runners, each with its
own checkout (project directory, same `Pulumi.dev.yaml`) and one shared file backend.

Each `up` runs in its own Python process with its own `pulumi` CLI, as two runners would (inline
programs of one process share the Pulumi SDK's global state, so they cannot run side by side).
One run proceeds, the other fails at once with the backend's lock message; the state file parses and
matches the simulator afterwards, and no lock is left behind.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.support.engine_stack import EngineStack, scrubbed_env
from tests.support.fault_kit import (
    claimed_bindings,
    desired_bindings,
    fault_stack,
    fleet_seed,
    live_bindings,
    lock_files,
    number_program,
    pending_operations,
    wait_for,
    wanted,
)

COUNT = 30
REPO = Path(__file__).resolve().parents[2]
LOCK_MESSAGE = "the stack is currently locked by 1 lock(s)"


def runner_main(workdir: str, spec_file: str) -> None:
    """Entry point of a runner process: `up` the stack checked out in `workdir`, print the result."""
    spec = json.loads(Path(spec_file).read_text())
    stack = EngineStack(Path(workdir), number_program(spec), config={})
    run = stack.up()
    print(json.dumps({"code": run.code, "output": run.output}))


def checkouts(tmp_path: Path, sim_e2e, spec: dict) -> tuple[EngineStack, Path, Path]:
    """Runner A's checkout (config set as a user does), runner B's copy of it, one shared backend."""
    first = fault_stack(tmp_path / "runner-a", sim_e2e, number_program(spec))
    second = tmp_path / "runner-b"
    (second / "project").mkdir(parents=True)
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml"):
        shutil.copy(first.workdir / "project" / name, second / "project" / name)
    (second / "state").symlink_to(first.state_dir, target_is_directory=True)
    spec_file = tmp_path / "spec.json"
    spec_file.write_text(json.dumps(spec))
    return first, second, spec_file


def launch(workdir: Path, spec_file: Path) -> subprocess.Popen[str]:
    env = scrubbed_env()
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    code = "import sys; from tests.e2e.test_fault_concurrency import runner_main; runner_main(*sys.argv[1:])"
    return subprocess.Popen(
        [sys.executable, "-c", code, str(workdir), str(spec_file)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def result_of(process: subprocess.Popen[str]) -> dict:
    out, err = process.communicate(timeout=180)
    assert process.returncode == 0, f"runner crashed: {err[-3000:]}"
    return json.loads(out.strip().splitlines()[-1])


def assert_state_sound(stack: EngineStack, sim_e2e, spec: dict) -> None:
    """The state file parses, no lock or pending operation is left, every claim matches the account."""
    assert lock_files(stack) == [] and pending_operations(stack) == []
    # `local_stack` opens the backend with `metadata=skip`: no sidecar that a reader could catch
    # half-written ("failed to load checkpoint: EOF" instead of the lock message).
    assert not list(stack.state_dir.rglob("*.attrs"))
    live = live_bindings(sim_e2e)
    claims = claimed_bindings(stack)
    assert all(live[n] == claim for n, claim in claims.items())
    assert set(live) == set(spec["bindings"]), "no number was unrented"


def test_second_up_while_the_first_runs_fails_with_the_lock_message(sim_e2e, tmp_path):
    seed, numbers = fleet_seed(COUNT)
    sim_e2e.reset(seed)
    spec = {"bindings": desired_bindings(numbers)}
    first, second, spec_file = checkouts(tmp_path, sim_e2e, spec)
    sim_e2e.set_faults(latency_ms=150)
    sim_e2e.clear_log()

    runner_a = launch(first.workdir, spec_file)
    # The backend is locked before the engine calls a provider: once A talks to the API, it holds it.
    wait_for(lambda: sim_e2e.requests_log()["total"] > 0, 120, "runner A to reach the API")
    # A's next calls are held (20 s each, under the client's 30 s timeout) while B runs, so A is
    # still running, and holding the lock, however slowly B starts on a loaded machine.
    sim_e2e.set_faults(latency_ms=20_000)
    started = time.monotonic()
    b = result_of(launch(second, spec_file))
    assert time.monotonic() - started < 60
    sim_e2e.clear_faults()
    a = result_of(runner_a)

    assert a["code"] == 0, a["output"]
    assert b["code"] != 0
    assert LOCK_MESSAGE in b["output"] and "pulumi cancel" in b["output"], b["output"][-2000:]
    assert "created by" in b["output"], "the message says who holds the lock"
    assert_state_sound(first, sim_e2e, spec)
    assert claimed_bindings(first) == live_bindings(sim_e2e) == wanted(spec)
    assert sim_e2e.requests_log()["by_method"].get("POST") == COUNT, "B wrote nothing"


def test_two_ups_started_together_never_both_proceed(sim_e2e, tmp_path):
    seed, numbers = fleet_seed(COUNT)
    sim_e2e.reset(seed)
    spec = {"bindings": desired_bindings(numbers)}
    first, second, spec_file = checkouts(tmp_path, sim_e2e, spec)
    sim_e2e.set_faults(latency_ms=150)
    sim_e2e.clear_log()

    runners = [launch(first.workdir, spec_file), launch(second, spec_file)]
    results = [result_of(r) for r in runners]
    sim_e2e.clear_faults()

    winners = [r for r in results if r["code"] == 0]
    losers = [r for r in results if r["code"] != 0]
    # The file backend writes its lock, then checks for others: in an exact tie both may back off,
    # but two runs never proceed together.
    assert len(winners) <= 1
    for loser in losers:
        assert LOCK_MESSAGE in loser["output"], loser["output"][-2000:]
    assert_state_sound(first, sim_e2e, spec)
    assert sim_e2e.requests_log()["by_method"].get("POST", 0) <= COUNT, "no number was written twice"

    rerun = first.up()
    assert rerun.ok, rerun.output
    assert claimed_bindings(first) == live_bindings(sim_e2e) == wanted(spec)
    gate = first.preview(refresh=True, expect_no_changes=True)
    assert gate.ok, gate.output
    print(f"started together: {len(winners)} proceeded, {len(losers)} refused by the lock")
