"""Run a Pulumi program of this project through the Automation API, on a local file backend.

The demo and the pipeline example use it. A program is a Python file such as an example's
`__main__.py`; it runs in-process as an inline program, so no Python language host is needed.
"""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from pulumi import automation as auto

from plivo_pulumi.engine.settings import SAFE_ENGINE_ENV


def program_from_file(path: str | os.PathLike[str]) -> Callable[[], None]:
    """A Pulumi program file as an inline program (it runs as `__main__`, `__file__` set)."""
    resolved = Path(path).resolve()
    if resolved.is_dir():
        resolved = resolved / "__main__.py"
    if not resolved.is_file():
        raise FileNotFoundError(f"no Pulumi program at {resolved}")

    def program() -> None:
        runpy.run_path(str(resolved), run_name="__main__")

    return program


def engine_command(path: str | None = None) -> auto.PulumiCommand:
    """The `pulumi` on PATH, or on `path` (`make tools` puts the pinned engine in .tools/bin)."""
    found = shutil.which("pulumi", path=path)
    if found is None:
        raise RuntimeError("the Pulumi engine is not on PATH: run `make tools` and put .tools/bin on PATH")
    return auto.PulumiCommand(root=str(Path(found).resolve().parent.parent), skip_version_check=True)


def local_stack(
    program: Callable[[], None],
    *,
    project: str,
    stack: str,
    work_dir: str | os.PathLike[str],
    backend_dir: str | os.PathLike[str],
    config: Mapping[str, tuple[str, bool]] | None = None,
    env: Mapping[str, str] | None = None,
    pulumi_command: auto.PulumiCommand | None = None,
) -> auto.Stack:
    """Create or select `stack` with state under `backend_dir` and set `config` ({key: (value, secret)})."""
    work_dir, backend_dir = Path(work_dir), Path(backend_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    backend_dir.mkdir(parents=True, exist_ok=True)
    # `metadata=skip`: no `.attrs` file beside the state. The blob library rewrites it in place after
    # every checkpoint, so another run reading the stack at that instant failed with "failed to load
    # checkpoint: EOF" instead of the lock message (docs/reliability.md, "Two runs at once").
    backend = f"file://{backend_dir.resolve()}?metadata=skip"
    env_vars = {
        "PULUMI_BACKEND_URL": backend,
        **{k: os.environ.get(k, v) for k, v in SAFE_ENGINE_ENV.items()},
        "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "1",
        "PULUMI_PYTHON_CMD": os.environ.get("PULUMI_PYTHON_CMD", sys.executable),
        **(env or {}),
    }
    command = pulumi_command or engine_command()
    settings = auto.ProjectSettings(name=project, runtime="python", backend=auto.ProjectBackend(url=backend))
    selected = auto.create_or_select_stack(
        stack_name=stack,
        project_name=project,
        program=program,
        opts=auto.LocalWorkspaceOptions(
            work_dir=str(work_dir),
            env_vars=env_vars,
            project_settings=settings,
            pulumi_command=command,
        ),
    )
    for key, (value, secret) in (config or {}).items():
        if secret:
            set_secret_config(selected, command, key, value)
        else:
            selected.set_config(key, auto.ConfigValue(value=value, secret=False))
    return selected


def set_secret_config(stack: auto.Stack, command: auto.PulumiCommand, key: str, value: str) -> None:
    """`pulumi config set --secret KEY` with the value on standard input. The Automation API's
    `set_config` passes it as an argument, where any user of the machine sees it (`ps`,
    /proc/PID/cmdline) while the command runs."""
    workspace = stack.workspace
    done = subprocess.run(
        [command.command, "config", "set", "--secret", key, "--stack", stack.name, "--non-interactive"],
        input=value,
        cwd=workspace.work_dir,
        env={**os.environ, **workspace.env_vars},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:  # pulumi's own message names the key, never the value read from stdin
        raise RuntimeError(
            f"could not set {key} on stack {stack.name}: {done.stderr.strip() or done.stdout.strip()}"
        )
