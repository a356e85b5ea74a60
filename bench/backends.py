"""`python -m bench.backends`: the PostgreSQL backend beside `file://`, for the same steps.

The `pulumi` CLI in a project folder (as pipelines run it), N `RentedNumber`s against the local
simulator, each step timed `--runs` times per backend, side by side in one run:

  first_up   `pulumi up --skip-preview` of a new stack (adopt and bind N numbers)
  noop_up    `pulumi up --skip-preview` with nothing to change (no API call)
  reconcile  5% of the numbers re-pointed by hand, then `pulumi up --refresh --run-program --skip-preview`

The report (medians and the PostgreSQL/file ratio per step) is printed and written to
docs/benchmarks-backends.md. The PostgreSQL server is a throwaway one (scripts/throwaway_postgres.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench.engine import REPO, default_signals, engine_path
from bench.plugin import pulumi as timed_pulumi
from plivo_pulumi.engine.settings import safe_engine_env
from plivo_pulumi.simulator.testing import SimulatorProcess, account_seed
from scripts.throwaway_postgres import ThrowawayPostgres

DOC = REPO / "docs" / "benchmarks-backends.md"
MAIN, TOKEN, APP, OTHER_APP = (
    "MABENCHBACKENDS00001",
    "bench-backends-token",
    "70000000000001",
    "70000000000002",
)
STEPS = ("first_up", "noop_up", "reconcile")
PROGRAM = """
from plivo_pulumi import RentedNumber
for i in range({n}):
    RentedNumber(f"n{{i}}", number=f"1555{{i:07d}}", app_id="{app}")
"""


def pulumi(project: Path, env: dict[str, str], *args: str, stdin: str | None = None) -> float:
    """`pulumi ARGS` in `project`: its wall seconds (bench.plugin's runner, which also counts CPU)."""
    return timed_pulumi(project, env, *args, stdin=stdin)[0]


def one_run(
    root: Path, backend_env: dict[str, str], sim: SimulatorProcess, n: int, stack: str
) -> dict[str, float]:
    project = root / f"project-{stack}"
    project.mkdir(parents=True)
    (project / "Pulumi.yaml").write_text(
        f"name: bench-backends\nruntime:\n  name: python\n  options:\n    virtualenv: {sys.prefix}\n"
    )
    (project / "__main__.py").write_text(PROGRAM.format(n=n, app=APP))
    env = safe_engine_env(
        {
            **os.environ,
            "PATH": engine_path(),
            "PULUMI_HOME": str(root / "home"),
            "PULUMI_CONFIG_PASSPHRASE": "bench",
            **backend_env,
        }
    )
    pulumi(project, env, "stack", "init", stack)
    for key, value, secret in (
        ("plivo:baseUrl", sim.base_url, False),
        ("plivo:authId", MAIN, False),
        ("plivo:authToken", TOKEN, True),
    ):
        # The value from standard input, as the README sets the token: never on a command line.
        flag = "--secret" if secret else "--plaintext"
        pulumi(project, env, "config", "set", key, flag, "--stack", stack, stdin=value)
    sim.reset(
        account_seed(MAIN, TOKEN, applications=[APP, OTHER_APP], numbers=[f"1555{i:07d}" for i in range(n)])
    )
    up = ("up", "--yes", "--skip-preview", "--stack", stack)
    times = {"first_up": pulumi(project, env, *up), "noop_up": pulumi(project, env, *up)}
    for i in range(0, n, 20):  # 5%
        sim.edit_out_of_band(f"1555{i:07d}", app_id=OTHER_APP)
    times["reconcile"] = pulumi(project, env, *up, "--refresh", "--run-program")
    pulumi(project, env, "stack", "rm", stack, "--yes", "--force")
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.backends", description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args(argv)
    default_signals()
    root = Path(tempfile.mkdtemp(prefix="plivo-bench-backends-", dir="/tmp"))
    os.chmod(root, 0o755)
    samples: dict[str, dict[str, list[float]]] = {b: {s: [] for s in STEPS} for b in ("file", "postgres")}
    try:
        with SimulatorProcess(account_seed(MAIN, TOKEN)) as sim, ThrowawayPostgres(root / "pg") as pg:
            backends = {
                "file": {"PULUMI_BACKEND_URL": f"file://{root / 'file-state'}"},
                "postgres": pg.env(),
            }
            (root / "file-state").mkdir()
            for rep in range(args.runs):
                for backend, env in backends.items():  # side by side, alternating
                    times = one_run(root / f"{backend}-{rep}", env, sim, args.numbers, f"b{rep}")
                    for step, seconds in times.items():
                        samples[backend][step].append(seconds)
                    print(
                        f"run {rep + 1}/{args.runs} {backend}: "
                        + ", ".join(f"{k} {v:.2f} s" for k, v in times.items())
                    )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    report = render(samples, args.numbers, args.runs)
    print(report)
    if not args.no_doc:
        DOC.write_text(report)
    return 0


def render(samples: dict[str, dict[str, list[float]]], n: int, runs: int) -> str:
    lines = [
        "# Benchmarks: the PostgreSQL backend beside `file://`",
        "",
        "Written by `python -m bench.backends` (part of `make bench`): the `pulumi` CLI in a project "
        f"folder, {n} `RentedNumber`s against the local simulator (0 ms latency), each step {runs} times per "
        "backend, alternating, side by side in one run. Medians. PostgreSQL is a throwaway local "
        "server (scripts/throwaway_postgres.py); `PULUMI_DIY_BACKEND_PARALLEL=1` for both (docs/teams.md).",
        "",
        "| step | file:// | PostgreSQL | PostgreSQL / file |",
        "|---|---|---|---|",
    ]
    for step in STEPS:
        f, p = statistics.median(samples["file"][step]), statistics.median(samples["postgres"][step])
        lines.append(f"| {step} | {f:.2f} s | {p:.2f} s | {p / f:.2f}x |")
    lines += [
        "",
        "`first_up` writes the whole checkpoint at every step (one row rewritten per resource on "
        "PostgreSQL); `noop_up` reads and writes it once; `reconcile` reads every number and writes the "
        "5% that drifted.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
