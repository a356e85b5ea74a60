"""`make demo`: the whole value in one narrated run, on the local simulator and a local backend.

1. `pulumi up` binds the fleet of examples/fleet/bindings.yaml (50 numbers);
2. someone changes a binding in the console (an out-of-band edit on the simulator);
3. `pulumi preview --refresh` shows the drift (and the pipeline gate would fail);
4. `pulumi up --refresh` reconciles with one write;
5. `plivo-numbers audit` shows the one number that no code manages.
State lives under .demo/ (git-ignored) and is started afresh each run, so the demo can run again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from pulumi import automation as auto

from plivo_pulumi.simulator.testing import SimulatorProcess
from plivo_pulumi.workspace import local_stack, program_from_file

ROOT = Path(__file__).resolve().parent.parent
FLEET = ROOT / "examples" / "fleet"
DEMO_DIR = ROOT / ".demo"
STACK = "demo"
DRIFTED_NUMBER = "15550200012"  # sms-12 in bindings.yaml
CONSOLE_APP = "20000000000003"  # ivr-eu: the wrong application for an SMS number


def say(step: str, text: str) -> None:
    print(f"\n== {step}: {text}", flush=True)


def show(lines: list[str], keep: tuple[str, ...]) -> None:
    for line in lines:
        if any(k in line for k in keep):
            print(f"   | {line}", flush=True)


def main() -> int:
    started = time.monotonic()
    shutil.rmtree(DEMO_DIR, ignore_errors=True)
    env = {"PULUMI_CONFIG_PASSPHRASE": os.environ.get("PULUMI_CONFIG_PASSPHRASE", "demo-passphrase")}
    with SimulatorProcess(FLEET / "seed.yaml") as sim:
        say("setup", f"local Plivo simulator at {sim.base_url} (account {sim.auth_id}), state in .demo/")
        stack = local_stack(
            program_from_file(FLEET),
            project="plivo-fleet-demo",
            stack=STACK,
            work_dir=DEMO_DIR / "project",
            backend_dir=DEMO_DIR / "state",
            config={
                "plivo:baseUrl": (sim.base_url, False),
                "plivo:authId": (sim.auth_id, False),
                "plivo:authToken": (sim.auth_token, True),
            },
            env={**env, "PULUMI_HOME": str(DEMO_DIR / "pulumi-home")},
        )

        say("1. pulumi up", "adopt the 50 numbers of examples/fleet/bindings.yaml and bind them")
        up = stack.up(color="never")
        calls = sim.requests_log()["by_method"]
        print(f"   {up.summary.resource_changes} — API calls: {calls}")
        print(
            f"   {DRIFTED_NUMBER} is bound to application {sim.number(DRIFTED_NUMBER)['app_id']} (sms-prod)"
        )

        say("2. console", f"someone re-points {DRIFTED_NUMBER} to application {CONSOLE_APP} by hand")
        sim.edit_out_of_band(DRIFTED_NUMBER, app_id=CONSOLE_APP)
        sim.clear_log()

        say("3. pulumi preview --refresh", "the drift shows up as a planned update")
        lines: list[str] = []
        stack.preview(refresh=True, diff=True, color="never", on_output=lines.append)
        show(lines, ("app_id ", "to update", "unchanged"))
        try:
            stack.preview(refresh=True, expect_no_changes=True, color="never")
            print("   (unexpected) the drift gate passed")
        except auto.errors.CommandError:
            print("   the pipeline gate `pulumi preview --refresh --expect-no-changes` fails: drift detected")

        say("4. pulumi up --refresh", "put the binding back")
        sim.clear_log()
        up = stack.up(refresh=True, color="never")
        print(f"   {up.summary.resource_changes} — API calls: {sim.requests_log()['by_method']}")
        print(f"   {DRIFTED_NUMBER} is bound to application {sim.number(DRIFTED_NUMBER)['app_id']} again")

        say("5. plivo-numbers audit", "what the live account has that the stack does not cover")
        audit = subprocess.run(
            [
                sys.executable,
                "-m",
                "plivo_pulumi.cli",
                "audit",
                "--stack",
                STACK,
                "--cwd",
                str(DEMO_DIR / "project"),
            ],
            env={
                **os.environ,
                **env,
                "PULUMI_BACKEND_URL": f"file://{DEMO_DIR / 'state'}",
                "PULUMI_HOME": str(DEMO_DIR / "pulumi-home"),
            },
            capture_output=True,
            text=True,
            check=False,
        )
        print("\n".join(f"   | {line}" for line in audit.stdout.rstrip().splitlines()))
        if audit.returncode != 1 or "15550299999" not in audit.stdout:
            print(f"demo: the audit did not report the one unmanaged number (exit {audit.returncode}):")
            print(audit.stderr)
            return 1
        print("   exit code 1: one finding, the number 15550299999 that no code manages")

    say("done", f"in {time.monotonic() - started:.0f} s; the simulator is stopped. Rerun with `make demo`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
