"""The drift gate a deploy pipeline runs before `pulumi up`.

1. `pulumi preview --refresh --run-program --expect-no-changes`: fails when someone changed a binding
   by hand (or when the code changed and was not deployed yet). `--run-program` makes the refresh read
   with the stack's current config; without it, the refresh uses the config saved at the last
   deployment, so a rotated token fails (old one revoked) or a wrong one passes unnoticed.
2. `plivo-numbers audit`: what the stack does not cover (unmanaged numbers, numbers gone).

Exit 0: the account matches the code. 1: drift or findings (the job should stop and show why).
2: the gate itself could not run (engine, credentials, API).

In a project folder the same gate is two shell lines (README, "Pipeline recipe"):
    pulumi preview --refresh --run-program --expect-no-changes --stack "$STACK" \
      && plivo-numbers audit --stack "$STACK"
This script is the gate for programs that drive Pulumi themselves: it runs the program through the
Automation API as an inline program:
    python examples/pipeline/drift_gate.py --stack prod --work-dir infra/ --program infra/__main__.py
The backend comes from PULUMI_BACKEND_URL (or the project's Pulumi.yaml), secrets from
PULUMI_CONFIG_PASSPHRASE (or the stack's secrets provider).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml
from pulumi import automation as auto

from plivo_pulumi.cli import main as plivo_numbers
from plivo_pulumi.engine.workspace import engine_command, program_from_file


def drift_gate(stack_name: str, work_dir: Path, program: Path) -> int:
    try:
        project = yaml.safe_load((work_dir / "Pulumi.yaml").read_text())["name"]
        stack = auto.select_stack(
            stack_name=stack_name,
            project_name=project,
            program=program_from_file(program),  # inline: runs in this process, no language host needed
            opts=auto.LocalWorkspaceOptions(work_dir=str(work_dir), pulumi_command=engine_command()),
        )
    except Exception as exc:
        print(f"drift gate: cannot open stack {stack_name!r} in {work_dir}: {exc}", file=sys.stderr)
        return 2
    print(
        f"drift gate: pulumi preview --refresh --run-program --expect-no-changes (stack {stack_name})",
        flush=True,
    )
    try:
        stack.preview(
            refresh=True,
            run_program=True,
            expect_no_changes=True,
            diff=True,
            on_output=print,
            color="never",
        )
    except auto.errors.CommandError as exc:
        if "no changes were expected" in str(exc).lower() or "expect-no-changes" in str(exc).lower():
            print("drift gate: FAILED: the account or the code changed; see the plan above", flush=True)
            return 1
        print(f"drift gate: the preview could not run:\n{exc}", file=sys.stderr)
        return 2
    print(f"drift gate: no drift. Auditing the account against stack {stack_name}", flush=True)
    return plivo_numbers(["audit", "--stack", stack_name, "--cwd", str(work_dir)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    parser.add_argument("--work-dir", required=True, type=Path, help="the project directory (Pulumi.yaml)")
    parser.add_argument("--program", required=True, type=Path, help="the program file or folder")
    args = parser.parse_args(argv)
    return drift_gate(args.stack, args.work_dir, args.program)


if __name__ == "__main__":
    sys.exit(main())
