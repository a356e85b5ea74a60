"""`make demo`: the whole value in one narrated run of the commands a user types, on a local simulator.

The project is the repository root (Pulumi.yaml, the fleet of examples/fleet/bindings.yaml); the
stack `demo` keeps its config in Pulumi.demo.yaml (git-ignored) and its state under .demo/, both made
afresh each run. Every step prints the command it runs, then what the pulumi CLI answered:

1. `pulumi up` binds the 50 numbers;
2. someone re-points a number in the console (an out-of-band edit on the simulator);
3. the drift gate `pulumi preview --refresh --run-program --expect-no-changes` fails and shows it;
4. `pulumi up --refresh --run-program` puts the binding back with one write;
5. `plivo-numbers audit` shows the one number that no code manages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from plivo_pulumi.engine.settings import safe_engine_env
from plivo_pulumi.simulator.testing import SimulatorProcess

ROOT = Path(__file__).resolve().parent.parent
FLEET = ROOT / "examples" / "fleet"
DEMO_DIR = ROOT / ".demo"
STACK = "demo"
STACK_CONFIG = ROOT / f"Pulumi.{STACK}.yaml"
DRIFTED_NUMBER = "15550200012"  # sms-12 in bindings.yaml
CONSOLE_APP = "20000000000003"  # ivr-eu: the wrong application for an SMS number
UNMANAGED_NUMBER = "15550299999"


def say(step: str, text: str) -> None:
    print(f"\n== {step}: {text}", flush=True)


def run(
    args: Sequence[str],
    env: dict[str, str],
    *,
    keep: tuple[str, ...] = (),
    drop: tuple[str, ...] = (),
    shown: str = "",
) -> int:
    """Run a command in the project folder, print it as typed, and the lines of its output that matter
    (those with a `keep` phrase, if any are given, and none of the `drop` phrases)."""
    print(f"   $ {shown or ' '.join(args)}", flush=True)
    done = subprocess.run(
        list(args),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    for line in done.stdout.splitlines():
        if (not keep or any(k in line for k in keep)) and not any(d in line for d in drop):
            print(f"   | {line}", flush=True)
    return done.returncode


def engine_env() -> dict[str, str]:
    """The user's environment plus a local state folder, a passphrase for secrets and no stray
    credentials (the stack config is what counts)."""
    env = safe_engine_env({k: v for k, v in os.environ.items() if not k.startswith("PLIVO_")})
    env.update(
        # The README's form: no `.attrs` sidecars, which a crash can leave empty (docs/reliability.md).
        PULUMI_BACKEND_URL=f"file://{DEMO_DIR / 'state'}?metadata=skip",
        PULUMI_HOME=str(DEMO_DIR / "pulumi-home"),
        PULUMI_CONFIG_PASSPHRASE=os.environ.get("PULUMI_CONFIG_PASSPHRASE", "demo-passphrase"),
        PULUMI_SKIP_UPDATE_CHECK="1",
    )
    return env


def main() -> int:
    started = time.monotonic()
    if shutil.which("pulumi") is None:
        print(
            "demo: `pulumi` is not on PATH; run `make demo` (it installs the pinned engine)", file=sys.stderr
        )
        return 2
    shutil.rmtree(DEMO_DIR, ignore_errors=True)
    STACK_CONFIG.unlink(missing_ok=True)
    (DEMO_DIR / "state").mkdir(parents=True)
    env = engine_env()
    flags = ["--stack", STACK, "--non-interactive", "--color", "never"]
    with SimulatorProcess(FLEET / "seed.yaml") as sim:
        say(
            "setup",
            f"a local Plivo simulator at {sim.base_url}; state in .demo/, config in {STACK_CONFIG.name}",
        )
        set_token = (
            f'printf %s "$PLIVO_AUTH_TOKEN" | pulumi config set --secret plivo:authToken --stack {STACK}'
        )
        steps = [
            (["pulumi", "stack", "init", STACK], "", env),
            (["pulumi", "config", "set", "plivo:baseUrl", sim.base_url, "--stack", STACK], "", env),
            (["pulumi", "config", "set", "plivo:authId", sim.auth_id, "--stack", STACK], "", env),
            # The README's form: the token from standard input, never on a command line (ps, shell
            # history); the variable is set for this command only.
            (["sh", "-c", set_token], set_token, {**env, "PLIVO_AUTH_TOKEN": sim.auth_token}),
        ]
        for args, shown, step_env in steps:
            if run(args, step_env, keep=("error",), shown=shown) != 0:
                return 1

        say("1. pulumi up", "adopt the 50 numbers of examples/fleet/bindings.yaml and bind them")
        if (
            run(
                ["pulumi", "up", "--yes", "--skip-preview", *flags],
                env,
                keep=("created", "Duration"),
                drop=(":pulumi:Stack", "RentedNumber "),
            )
            != 0
        ):
            return 1
        print(f"   API calls: {sim.requests_log()['by_method']}")
        print(
            f"   {DRIFTED_NUMBER} is bound to application {sim.number(DRIFTED_NUMBER)['app_id']} (sms-prod)"
        )

        say("2. console", f"someone re-points {DRIFTED_NUMBER} to application {CONSOLE_APP} by hand")
        sim.edit_out_of_band(DRIFTED_NUMBER, app_id=CONSOLE_APP)
        sim.clear_log()

        say("3. pulumi preview --refresh", "the pipeline's drift gate reads the account and shows the drift")
        gate = ["pulumi", "preview", "--refresh", "--run-program", "--expect-no-changes", "--diff", *flags]
        code = run(gate, env, keep=("app_id", "to update", "unchanged", "no changes were expected"))
        if code == 0:
            print("demo: the drift gate passed although a binding was changed by hand")
            return 1
        print(f"   exit code {code}: the gate fails, the deploy job stops here and shows why")

        say("4. pulumi up --refresh", "put the binding back")
        sim.clear_log()
        reconcile = ["pulumi", "up", "--refresh", "--run-program", "--yes", "--skip-preview", *flags]
        if run(reconcile, env, keep=("updated", "unchanged", "Duration"), drop=(":pulumi:Stack",)) != 0:
            return 1
        print(f"   API calls: {sim.requests_log()['by_method']}: one GET per number to refresh, one POST")
        print(f"   {DRIFTED_NUMBER} is bound to application {sim.number(DRIFTED_NUMBER)['app_id']} again")

        say("5. plivo-numbers audit", "what the live account has that the stack does not cover")
        audit = [sys.executable, "-m", "plivo_pulumi.cli", "audit", "--stack", STACK]
        code = run(audit, env, shown=f"plivo-numbers audit --stack {STACK}")
        if code != 1:
            print(f"demo: the audit did not report the one unmanaged number (exit {code})")
            return 1
        print(f"   exit code 1: one finding, the number {UNMANAGED_NUMBER} that no code manages")

    say("done", f"in {time.monotonic() - started:.0f} s; the simulator is stopped. Rerun with `make demo`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
