"""A Pulumi project folder driven by the `pulumi` CLI, the way users and deploy pipelines run it.

The project's `Pulumi.yaml` names its virtualenv in `runtime.options.virtualenv` (relative, through a
link to this checkout's venv, or absolute); the CLI runs with no virtualenv on PATH, so the language
host and the dynamic provider must find it from the project. Config is set with `pulumi config set
[--secret]` into `Pulumi.<stack>.yaml`; state lives in a local file backend in the test's temp dir.
Every command's output is kept under `engine-output/` for the secrets scan (test_zz_secrets.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from plivo_pulumi.engine.settings import safe_engine_env
from tests.support.engine_stack import PASSPHRASE, Run, resources_by_name

REPO = Path(__file__).resolve().parents[2]
RUN_TIMEOUT = 600


def engine_bin_dir() -> Path:
    """The folder of the `pulumi` the suite runs (`make tools` puts the pinned one in .tools/bin)."""
    found = shutil.which("pulumi")
    if found is None:
        raise RuntimeError("the Pulumi engine is not on PATH: run `make tools` (make test does)")
    return Path(found).resolve().parent


def _is_virtualenv_bin(entry: str) -> bool:
    return bool(entry) and (Path(entry).parent / "pyvenv.cfg").is_file()


def plivo_config(
    base_url: str, auth_id: str, token: str, *, secret: bool = True
) -> dict[str, tuple[str, bool]]:
    """The stack config a user sets for an account: {key: (value, secret)}."""
    return {
        "plivo:baseUrl": (base_url, False),
        "plivo:authId": (auth_id, False),
        "plivo:authToken": (token, secret),
    }


def cli_env(home: Path, backend: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The test process's environment as a pipeline has it: the engine on PATH, no virtualenv on PATH
    or active, no Plivo credentials in the environment, a local backend and a private PULUMI_HOME."""
    path = [str(engine_bin_dir())]
    path += [
        p for p in os.environ.get("PATH", "").split(os.pathsep) if p not in path and not _is_virtualenv_bin(p)
    ]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PLIVO_") and k not in ("VIRTUAL_ENV", "PULUMI_PYTHON_CMD", "PYTHONPATH")
    }
    env.update(
        PATH=os.pathsep.join(path),
        PULUMI_HOME=str(home),
        PULUMI_BACKEND_URL=f"file://{backend}",
        PULUMI_CONFIG_PASSPHRASE=PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK="1",
    )
    env.update(extra or {})
    return safe_engine_env(env)


class CliProject:
    """One project folder and one stack, run with the CLI as a subprocess."""

    def __init__(
        self,
        workdir: Path,
        program: str,
        *,
        stack: str = "dev",
        project: str = "plivo-cli-e2e",
        virtualenv: str = "relative",
        project_dir: Path | None = None,
        activated: bool = False,
    ) -> None:
        """`program`: the source of `__main__.py`. `virtualenv`: "relative" (a `venv` link in the project
        to this checkout's venv) or "absolute" (its absolute path). `project_dir`: run an existing
        project (the repository root, an example) instead of writing one. `activated`: this checkout's
        venv is active (first on PATH), as after `source .venv/bin/activate`, for projects that name
        no virtualenv."""
        self.workdir = workdir
        self.stack = stack
        self.project = project
        self.state_dir = workdir / "state"
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.env = cli_env(workdir / "pulumi-home", self.state_dir)
        if activated:
            venv = Path(sys.prefix)
            self.env["PATH"] = os.pathsep.join((str(venv / "bin"), self.env["PATH"]))
            self.env["VIRTUAL_ENV"] = str(venv)
        if project_dir is not None:
            self.dir = project_dir
            return
        self.dir = workdir / "project"
        self.dir.mkdir(parents=True, exist_ok=True)
        venv = Path(sys.prefix)
        if virtualenv == "relative":
            (self.dir / "venv").symlink_to(venv, target_is_directory=True)
            where = "venv"
        elif virtualenv == "absolute":
            where = str(venv)
        else:
            raise ValueError(f"virtualenv must be 'relative' or 'absolute', got {virtualenv!r}")
        (self.dir / "Pulumi.yaml").write_text(
            f"name: {project}\nruntime:\n  name: python\n  options:\n    virtualenv: {where}\n"
        )
        self.write_program(program)

    def write_program(self, source: str) -> None:
        (self.dir / "__main__.py").write_text(textwrap.dedent(source))

    # -- commands ---------------------------------------------------------------------------------

    def pulumi(self, *args: str, env: dict[str, str] | None = None) -> Run:
        """`pulumi ARGS` in the project folder; stdout and stderr together, as a CI log shows them."""
        done = subprocess.run(
            ["pulumi", *args],
            cwd=self.dir,
            env={**self.env, **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
        self._save_output(args[0] if args else "pulumi", done.stdout)
        return Run(done.returncode, done.stdout)

    def plivo_numbers(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`plivo-numbers ARGS` in the project folder, with the CLI's environment (stdout, stderr apart)."""
        done = subprocess.run(
            [sys.executable, "-m", "plivo_pulumi.cli", *args],
            cwd=self.dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
        self._save_output("plivo-numbers", done.stdout + done.stderr)
        return done

    def _stack_args(self, *args: str) -> tuple[str, ...]:
        return (*args, "--stack", self.stack, "--non-interactive", "--color", "never")

    def init(self, config: dict[str, tuple[str, bool]]) -> None:
        """`pulumi stack init` and `pulumi config set [--secret]` for each {key: (value, secret)}."""
        created = self.pulumi("stack", "init", self.stack, "--non-interactive")
        assert created.ok, created.output
        for key, (value, secret) in config.items():
            self.config_set(key, value, secret=secret)

    def config_set(self, key: str, value: str, *, secret: bool) -> None:
        args = ["config", "set", key, "--stack", self.stack, *(["--secret"] if secret else ["--plaintext"])]
        # The value comes on stdin (`--` keeps a leading dash safe), as a careful pipeline passes it.
        done = subprocess.run(
            ["pulumi", *args],
            cwd=self.dir,
            env=self.env,
            input=value,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def preview(self, *args: str) -> Run:
        return self.pulumi(*self._stack_args("preview", "--diff", *args))

    def gate(self) -> Run:
        """The pipeline's drift gate, reading with the stack's current config."""
        return self.preview("--refresh", "--run-program", "--expect-no-changes")

    def up(self, *args: str) -> Run:
        return self.pulumi(*self._stack_args("up", "--yes", "--skip-preview", *args))

    def start_up(self, *args: str) -> subprocess.Popen[bytes]:
        """`pulumi up` in the background (output discarded), for tests that interrupt it."""
        return subprocess.Popen(
            ["pulumi", *self._stack_args("up", "--yes", "--skip-preview", *args)],
            cwd=self.dir,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )

    def recover(self) -> Run:
        """README, "When a run is interrupted", steps 1 to 3 after a crash: `pulumi cancel`, a refresh
        that drops the interrupted creates, then `pulumi up` (returned; the gate is step 4)."""
        cancel = self.pulumi(*self._stack_args("cancel", "--yes"))
        assert cancel.ok, cancel.output
        refresh = self.refresh("--run-program", "--clear-pending-creates")
        assert refresh.ok, refresh.output
        return self.up()

    def refresh(self, *args: str) -> Run:
        return self.pulumi(*self._stack_args("refresh", "--yes", "--skip-preview", *args))

    def destroy(self, *args: str) -> Run:
        return self.pulumi(*self._stack_args("destroy", "--yes", "--skip-preview", *args))

    # -- state ------------------------------------------------------------------------------------

    def remove_stack(self) -> None:
        """`pulumi stack rm`, and the stack's config file (for projects the test did not create)."""
        self.pulumi("stack", "rm", self.stack, "--yes", "--force", "--non-interactive")
        (self.dir / f"Pulumi.{self.stack}.yaml").unlink(missing_ok=True)

    def export(self) -> dict[str, Any]:
        """`pulumi stack export` (secrets stay encrypted)."""
        done = self.pulumi("stack", "export", "--stack", self.stack)
        assert done.ok, done.output
        return json.loads(done.output[done.output.index("{") :])["deployment"]

    def resources(self, type_suffix: str = "RentedNumber") -> dict[str, dict[str, Any]]:
        return resources_by_name(self.export(), type_suffix)

    def _save_output(self, action: str, text: str) -> None:
        out_dir = self.workdir / "engine-output"
        out_dir.mkdir(exist_ok=True)
        (out_dir / f"{time.time_ns()}-cli-{action}.log").write_text(text, encoding="utf-8", errors="replace")
