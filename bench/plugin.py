"""`python -m bench.plugin` (`make bench-plugin`): the self-contained plugin archive (`make plugin`,
PyInstaller one-folder) beside the console-script one (`scripts/build_plugin.py --kind script`, which
needs Python 3.11 on the machine), side by side in one run.

Both archives are built first (the build time is printed, one build each). Then, for each run and
each kind, alternating: a fresh PULUMI_HOME and `pulumi plugin install resource plivo V --file
ARCHIVE` (the unpack, not timed), then, timed:

  start    the installed executable, started directly, until it prints its port (one fresh process:
           interpreter start and imports, no engine)
  preview  `pulumi preview` of a YAML program with one `plivo:RentedNumber` against the local
           simulator, the first command after the unpack (so a fresh plugin process, page cache warm)

each as wall time and as CPU time (user + system of the process and the descendants it waited for:
the engine, the YAML host and the plugin), which a busy machine disturbs less.

YAML, because its language host needs no Python: the times are the engine's and the plugin's. The
report (archive and unpacked sizes, medians) is printed as a markdown table; docs/native-provider-install.md
quotes it.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.engine import REPO, default_signals, engine_path
from plivo_pulumi import __version__
from plivo_pulumi.engine_settings import safe_engine_env
from plivo_pulumi.simulator.testing import SimulatorProcess, account_seed

sys.path.insert(0, str(REPO / "scripts"))
import build_plugin

MAIN, TOKEN, APP = "MABENCHPLUGIN0000001", "bench-plugin-token", "70000000000001"
NUMBER = "15550000001"
KINDS = ("binary", "script")
STEPS = ("start", "start_cpu", "preview", "preview_cpu")
PROGRAM = f"""name: bench-plugin
runtime: yaml
resources:
  frontDesk:
    type: plivo:RentedNumber
    properties:
      number: "{NUMBER}"
      appId: "{APP}"
"""


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def pulumi(project: Path, env: dict[str, str], *args: str, stdin: str | None = None) -> tuple[float, float]:
    """`pulumi ARGS`: (wall seconds, CPU seconds of it and its descendants)."""
    cpu = children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        ["pulumi", *args, "--non-interactive", "--color", "never"],
        cwd=project,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"`pulumi {' '.join(args)}` failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds, children_cpu() - cpu


def start_time(executable: Path, env: dict[str, str]) -> tuple[float, float]:
    """Seconds from exec to the port on stdout (the moment the engine could connect), wall and CPU
    (the CPU up to the kill, a few ms after the port)."""
    cpu = children_cpu()
    started = time.perf_counter()
    plugin = subprocess.Popen([str(executable)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        port = plugin.stdout.readline().strip()  # type: ignore[union-attr]
        seconds = time.perf_counter() - started
    finally:
        plugin.kill()
        plugin.wait()
    if not port.isdigit():
        raise SystemExit(f"{executable} printed no port")
    return seconds, children_cpu() - cpu


def du(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def one_run(root: Path, archive: Path, sim: SimulatorProcess) -> tuple[dict[str, float], int]:
    """The timed steps for one archive in a fresh PULUMI_HOME and project; also the unpacked size."""
    project = root / "project"
    project.mkdir(parents=True)
    (project / "Pulumi.yaml").write_text(PROGRAM)
    env = safe_engine_env(
        {
            **os.environ,
            "PATH": engine_path(venv=False),
            "PULUMI_HOME": str(root / "home"),
            "PULUMI_BACKEND_URL": f"file://{root / 'state'}",
            "PULUMI_CONFIG_PASSPHRASE": "bench",
        }
    )
    (root / "state").mkdir()
    pulumi(project, env, "plugin", "install", "resource", "plivo", __version__, "--file", str(archive))
    plugin_dir = root / "home" / "plugins" / f"resource-plivo-v{__version__}"
    pulumi(project, env, "stack", "init", "dev")
    for key, value, secret in (
        ("plivo:baseUrl", sim.base_url, False),
        ("plivo:authId", MAIN, False),
        ("plivo:authToken", TOKEN, True),
    ):
        flag = "--secret" if secret else "--plaintext"
        pulumi(project, env, "config", "set", key, flag, "--stack", "dev", stdin=value)
    preview, preview_cpu = pulumi(project, env, "preview", "--stack", "dev")
    start, start_cpu = start_time(plugin_dir / build_plugin.NAME, env)
    times = {"start": start, "start_cpu": start_cpu, "preview": preview, "preview_cpu": preview_cpu}
    return times, du(plugin_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.plugin", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per kind (default 7)")
    args = parser.parse_args(argv)
    default_signals()
    root = Path(tempfile.mkdtemp(prefix="plivo-bench-plugin-", dir="/tmp"))
    samples: dict[str, dict[str, list[float]]] = {k: {s: [] for s in STEPS} for k in KINDS}
    sizes: dict[str, tuple[int, int]] = {}
    builds: dict[str, float] = {}
    try:
        archives = {}
        for kind in KINDS:
            started = time.perf_counter()
            archives[kind] = build_plugin.build(root / "dist", kind=kind)
            builds[kind] = time.perf_counter() - started
            print(f"built {archives[kind].name} in {builds[kind]:.1f} s", flush=True)
        with SimulatorProcess(account_seed(MAIN, TOKEN, applications=[APP], numbers=[NUMBER])) as sim:
            for rep in range(args.runs):
                for kind in KINDS:  # side by side, alternating
                    run_root = root / f"{kind}-{rep}"
                    times, unpacked = one_run(run_root, archives[kind], sim)
                    sizes[kind] = (archives[kind].stat().st_size, unpacked)
                    for step, seconds in times.items():
                        samples[kind][step].append(seconds)
                    print(
                        f"run {rep + 1}/{args.runs} {kind}: "
                        + ", ".join(f"{k} {v:.2f} s" for k, v in times.items()),
                        flush=True,
                    )
                    shutil.rmtree(run_root, ignore_errors=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(render(samples, sizes, builds, args.runs))
    return 0


def render(
    samples: dict[str, dict[str, list[float]]],
    sizes: dict[str, tuple[int, int]],
    builds: dict[str, float],
    runs: int,
) -> str:
    def med(kind: str, step: str) -> float:
        return statistics.median(samples[kind][step])

    b, s = "binary", "script"
    rows = [
        ("archive (.tar.gz)", f"{sizes[b][0] / 1e6:.1f} MB", f"{sizes[s][0] / 1e6:.1f} MB"),
        ("unpacked", f"{sizes[b][1] / 1e6:.1f} MB", f"{sizes[s][1] / 1e6:.1f} MB"),
        *(
            (f"{label}, median {unit}", f"{med(b, step):.2f} s", f"{med(s, step):.2f} s")
            for label, key in (("plugin start to port", "start"), ("cold `pulumi preview`", "preview"))
            for unit, step in (("wall", key), ("CPU", f"{key}_cpu"))
        ),
        ("build (one, PyInstaller installed)", f"{builds[b]:.1f} s", f"{builds[s]:.1f} s"),
    ]
    lines = [
        f"`python -m bench.plugin --runs {runs}` ({runs} runs per kind, alternating; fresh PULUMI_HOME and "
        "unpack per run, so each preview starts a fresh plugin process):",
        "",
        "| | self-contained (`make plugin`) | console script (`--kind script`) |",
        "|---|---|---|",
        *(f"| {name} | {x} | {y} |" for name, x, y in rows),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
