"""`plivo-numbers run -- pulumi up ...` stopped mid-run: SIGTERM (a CI runner cancelling the job, `kill`)
or Ctrl-C (SIGINT to the terminal's whole foreground process group), through the real CLI in a project
folder against the simulator.

The wrapper must pass the signal on to the engine and wait for it, as a bare `pulumi up` would be
stopped: the engine finishes the operations in flight, records them, releases the lock and exits
non-zero. What a user checks afterwards: the wrapper exited with the engine's code, the next `pulumi
up` runs without `pulumi cancel`, `pulumi stack export` has no pending operations, and no process of
the run (engine, language host, program, provider) is left behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable

import pytest

from tests.support.accounts import APPS, MAIN, NUMBERS, TOKEN
from tests.support.cli_project import CliProject, plivo_config
from tests.support.fault_kit import wait_for
from tests.support.processes import alive, descendants

PROGRAM = """
from plivo_pulumi import RentedNumber
for i, number in enumerate({numbers!r}):
    RentedNumber(f"line-{{i}}", number=number, app_id="{app}")
"""
UP = ("pulumi", "up", "--yes", "--skip-preview", "--stack", "dev", "--non-interactive", "--color", "never")
RUN = (sys.executable, "-m", "plivo_pulumi.cli", "run", "--")
# The exit code of a `pulumi up` that was cancelled ("error: update canceled"): the baseline case
# below shows it for a bare `pulumi up`.
ENGINE_CANCELLED = 1


SIGNALS: dict[str, tuple[Callable[[int], None], str]] = {
    # A CI runner cancelling the job, or `kill PID`: the wrapper only.
    "SIGTERM": (lambda pid: os.kill(pid, signal.SIGTERM), "SIGTERM received; cancelling"),
    # Ctrl-C in a terminal: every process of the foreground group (the wrapper leads its own session
    # here, as a shell's job does).
    "Ctrl-C": (lambda pid: os.killpg(pid, signal.SIGINT), "^C received; cancelling"),
}


@pytest.mark.parametrize(
    ("wrapped", "how"),
    [(True, "SIGTERM"), (True, "Ctrl-C"), (False, "SIGTERM")],
    ids=["run-SIGTERM", "run-Ctrl-C", "bare-pulumi-SIGTERM"],
)
def test_a_stopped_run_cancels_the_engine_gracefully(tmp_path, sim_e2e, wrapped, how):
    send, engine_says = SIGNALS[how]
    stack = CliProject(tmp_path, PROGRAM.format(numbers=list(NUMBERS), app=APPS[0]))
    stack.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
    sim_e2e.set_faults(latency_ms=700)  # each API call takes a while: operations are in flight
    run = subprocess.Popen(
        [*(RUN if wrapped else ()), *UP],
        cwd=stack.dir,
        env=stack.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    # Mid-run: the engine, its language host and program, and the provider run, and an API call came.
    wait_for(
        lambda: (
            len(descendants(run.pid)) >= 3 + wrapped
            and sim_e2e.requests_log()["by_method"].get("GET", 0) >= 1
        ),
        120,
        "the run's processes and its first API call",
    )
    tree = [run.pid, *descendants(run.pid)]
    send(run.pid)
    output, _ = run.communicate(timeout=300)
    stack._save_output("run-up", output)

    assert engine_says in output, output[-3000:]
    assert run.returncode == ENGINE_CANCELLED, f"exit {run.returncode}:\n{output[-3000:]}"
    wait_for(lambda: not [p for p in tree if alive(p)], 30, "every process of the stopped run to end")
    deployment = stack.export()
    assert not deployment.get("pending_operations"), json.dumps(deployment["pending_operations"])
    assert not (stack.state_dir / ".pulumi" / "locks").exists() or not [
        p for p in (stack.state_dir / ".pulumi" / "locks").rglob("*.json")
    ], "no lock left"

    # The next run needs no `pulumi cancel`, and converges.
    sim_e2e.clear_faults()
    up = stack.up()
    assert up.ok, up.output
    assert [sim_e2e.number(n)["app_id"] for n in NUMBERS] == [APPS[0]] * len(NUMBERS)
    assert stack.gate().ok
    assert "DELETE" not in sim_e2e.requests_log()["by_method"]
