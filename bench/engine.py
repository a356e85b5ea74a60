"""One benchmark stack, run through one of two harnesses that share everything but the last step:

  cli     the `pulumi` CLI in a project folder, as users and pipelines run it: `Pulumi.yaml` names
          this checkout's venv in `runtime.options.virtualenv`, the program is the folder's
          `__main__.py`, config set with `pulumi config set [--secret]`, no virtualenv on PATH;
  inline  the Automation API with the same `__main__.py` as an inline program (it runs inside the
          benchmark process), as programs that drive Pulumi run it.

Both use the pinned engine, a local file backend in the stack's temp dir, `PULUMI_CONFIG_PASSPHRASE`
and the project's engine settings (`PULUMI_DIY_BACKEND_PARALLEL=1`, plivo_pulumi/engine/settings.py).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from pulumi import automation as auto

from plivo_pulumi.engine.settings import safe_engine_env
from plivo_pulumi.engine.workspace import engine_command as workspace_engine_command
from plivo_pulumi.engine.workspace import local_stack, program_from_file

REPO = Path(__file__).resolve().parent.parent
TOOLS = REPO / ".tools" / "bin"
PROJECT = "plivo-bench"
PASSPHRASE = "bench-passphrase-not-a-secret"
HARNESSES = ("cli", "inline")
RUN_TIMEOUT = 1800
LOG_FLAGS = ("-v=7", "--logtostderr", "--logflow")  # the engine's verbose log, one JSON event a line


def default_signals() -> None:
    """Undo what a background start (`make bench &`, nohup) does: it ignores SIGINT and SIGQUIT, and
    every process the engine starts inherits that, so the language host waits out its grace period
    (about 5 s) for the program to stop on SIGINT, in every command that runs the program."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def plugin_dir() -> Path:
    """The folder holding the native provider's plugin executable `pulumi-resource-plivo` (a console
    script of this venv, `make venv`), for the project's `plugins: providers:` entry."""
    script = Path(sys.prefix) / "bin" / "pulumi-resource-plivo"
    if script.exists():
        return script.parent
    found = shutil.which("pulumi-resource-plivo")
    if found is None:
        raise SystemExit("pulumi-resource-plivo is not installed in this venv: run `make venv`")
    return Path(found).parent


class EngineError(RuntimeError):
    """An engine command failed: the message carries what it printed."""


def engine_path(*, venv: bool = True) -> str:
    """PATH for the engine and the processes it starts: the pinned engine first, then (unless `venv`
    is false, as in a pipeline) this python's bin dir."""
    rest = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p]
    if not venv:
        rest = [p for p in rest if not (Path(p).parent / "pyvenv.cfg").is_file()]
    first = [str(TOOLS)] + ([str(Path(sys.executable).parent)] if venv else [])
    return os.pathsep.join(dict.fromkeys(first + rest))


def engine_command() -> auto.PulumiCommand:
    try:
        return workspace_engine_command(engine_path())
    except RuntimeError:
        raise SystemExit(
            "the Pulumi engine is not on PATH nor in .tools/bin: run `make tools` (or `make bench`)"
        ) from None


def engine_version(command: auto.PulumiCommand) -> str:
    try:
        return command.run(["version"], cwd=str(REPO), additional_env={}).stdout.strip()
    except Exception as exc:
        return f"unknown ({exc})"


class BenchStack:
    """One stack in `workdir`: `project/` holds `__main__.py` (`program`, the same source for both
    harnesses) and its data files, `state/` the file backend, `pulumi-home/` the engine's home."""

    def __init__(
        self,
        workdir: Path,
        name: str,
        program: str,
        *,
        files: dict[str, str] | None = None,
        config: dict[str, tuple[str, bool]],
        env: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.state_dir = workdir / "state"
        self.project_dir = workdir / "project"
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.project_dir.mkdir(parents=True, exist_ok=True)
        (self.project_dir / "__main__.py").write_text(program, encoding="utf-8")
        for file_name, text in (files or {}).items():
            (self.project_dir / file_name).write_text(text, encoding="utf-8")
        # The bench's own resources (bench/noop.py) are imported by the program and by the provider
        # host, which unpickles them: the checkout goes on PYTHONPATH (plivo_pulumi resolves the same).
        pythonpath = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
        self.env = {
            "PULUMI_BACKEND_URL": f"file://{self.state_dir}",
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_HOME": str(workdir / "pulumi-home"),
            "PULUMI_SKIP_UPDATE_CHECK": "1",
            "PYTHONPATH": pythonpath,
            **(env or {}),
        }
        self.config = config

    def preview(self) -> None:
        raise NotImplementedError

    def up(self, *, refresh: bool = False) -> None:
        raise NotImplementedError

    def refresh(self) -> None:
        raise NotImplementedError

    def checkpoint(self) -> Path:
        """The stack's checkpoint file in the file backend."""
        stacks = self.state_dir / ".pulumi" / "stacks" / PROJECT
        for candidate in (stacks / f"{self.name}.json", stacks / f"{self.name}.json.gz"):
            if candidate.exists():
                return candidate
        raise EngineError(f"no checkpoint for stack {self.name} under {stacks}")


class CliStack(BenchStack):
    """The `pulumi` CLI in the project folder (see the module docstring)."""

    def __init__(
        self,
        workdir: Path,
        name: str,
        program: str,
        *,
        files: dict[str, str] | None = None,
        config: dict[str, tuple[str, bool]],
        env: dict[str, str] | None = None,
        plugins: Path | None = None,
    ) -> None:
        super().__init__(workdir, name, program, files=files, config=config, env=env)
        project = f"name: {PROJECT}\nruntime:\n  name: python\n  options:\n    virtualenv: {sys.prefix}\n"
        if plugins is not None:  # the native plugin, as the README shows: no venv on PATH, no warning
            project += f"plugins:\n  providers:\n    - name: plivo\n      path: {plugins}\n"
        (self.project_dir / "Pulumi.yaml").write_text(project, encoding="utf-8")
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("PLIVO_") and k not in ("VIRTUAL_ENV", "PULUMI_PYTHON_CMD")
        }
        self.env = safe_engine_env({**base, "PATH": engine_path(venv=False), **self.env})
        self._pulumi("stack", "init")
        for key, (value, secret) in self.config.items():
            # The value on stdin, as a careful pipeline passes a secret.
            self._pulumi("config", "set", key, *(["--secret"] if secret else ["--plaintext"]), stdin=value)

    def _pulumi(self, *args: str, stdin: str | None = None, stderr: bool = False) -> str:
        """`pulumi ARGS --stack NAME` in the project folder: its stdout (its stderr with `stderr=True`);
        raises EngineError with its output's tail."""
        command = ["pulumi", *args, "--stack", self.name, "--non-interactive", "--color", "never"]
        done = subprocess.run(
            command,
            cwd=self.project_dir,
            env=self.env,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).splitlines()[-40:])
            raise EngineError(f"`pulumi {' '.join(args)}` of stack {self.name} failed:\n{tail}")
        return done.stderr if stderr else done.stdout

    def preview(self) -> None:
        self._pulumi("preview")

    def up(self, *, refresh: bool = False) -> None:
        self._pulumi("up", "--yes", "--skip-preview", *(["--refresh"] if refresh else []))

    def refresh(self) -> None:
        self._pulumi("refresh", "--yes", "--skip-preview")

    def up_logged(self, *, refresh: bool = False) -> str:
        """`up` as `up()` runs it, returning the engine's verbose log (one JSON event a line), whose
        provider-call lines time each call to a provider (bench/anatomy.py)."""
        return self._pulumi(
            "up", "--yes", "--skip-preview", *(["--refresh"] if refresh else []), *LOG_FLAGS, stderr=True
        )

    def refresh_logged(self) -> str:
        """`refresh` as `refresh()` runs it, returning the engine's verbose log (see `up_logged`)."""
        return self._pulumi("refresh", "--yes", "--skip-preview", *LOG_FLAGS, stderr=True)


class InlineStack(BenchStack):
    """The Automation API with the project's `__main__.py` as an inline program."""

    def __init__(
        self,
        workdir: Path,
        name: str,
        program: str,
        *,
        files: dict[str, str] | None = None,
        config: dict[str, tuple[str, bool]],
        env: dict[str, str] | None = None,
        command: auto.PulumiCommand,
    ) -> None:
        super().__init__(workdir, name, program, files=files, config=config, env=env)
        self.stack = local_stack(
            program_from_file(self.project_dir / "__main__.py"),
            project=PROJECT,
            stack=name,
            work_dir=self.project_dir,
            backend_dir=self.state_dir,
            config=self.config,
            env={"PATH": engine_path(), "PULUMI_PYTHON_CMD": sys.executable, **self.env},
            pulumi_command=command,
        )

    def _run(self, action: str, **kwargs: object) -> None:
        lines: list[str] = []
        try:
            getattr(self.stack, action)(color="never", on_output=lines.append, **kwargs)
        except auto.errors.CommandError as exc:
            tail = "\n".join(lines[-40:])
            raise EngineError(f"pulumi {action} of stack {self.name} failed:\n{tail}\n{exc}") from exc

    def preview(self) -> None:
        self._run("preview")

    def up(self, *, refresh: bool = False) -> None:
        self._run("up", **({"refresh": True} if refresh else {}))

    def refresh(self) -> None:
        self._run("refresh")


def make_stack(
    harness: str,
    workdir: Path,
    name: str,
    program: str,
    *,
    files: dict[str, str],
    config: dict[str, tuple[str, bool]],
    env: dict[str, str] | None = None,
    command: auto.PulumiCommand | None = None,
    plugins: Path | None = None,
) -> BenchStack:
    """A stack run by `harness` (`cli` or `inline`). `plugins`: the folder of the native plugin, named
    in the CLI project's Pulumi.yaml; the inline harness finds it on its PATH (the venv's bin dir,
    where the engine warns that it uses it from $PATH)."""
    if harness == "cli":
        return CliStack(workdir, name, program, files=files, config=config, env=env, plugins=plugins)
    if harness == "inline":
        return InlineStack(
            workdir, name, program, files=files, config=config, env=env, command=command or engine_command()
        )
    raise ValueError(f"unknown harness {harness!r} (choose from {', '.join(HARNESSES)})")
