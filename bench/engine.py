"""A Pulumi stack driven through the Automation API with an inline program: the pinned engine from
PATH (or the repository's `.tools/bin`), a local file backend in a temp dir, and the provider config
set the way a user sets it (`plivo:authToken` as a secret)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from plivo_pulumi.workspace import engine_command as workspace_engine_command
from plivo_pulumi.workspace import local_stack

REPO = Path(__file__).resolve().parent.parent
TOOLS = REPO / ".tools" / "bin"
PROJECT = "plivo-bench"
PASSPHRASE = "bench-passphrase-not-a-secret"


class EngineError(RuntimeError):
    """An engine command failed: the message carries what it printed."""


def engine_path() -> str:
    """PATH for the engine and the processes it starts: the pinned engine and this python first."""
    parts = [str(TOOLS), str(Path(sys.executable).parent), os.environ.get("PATH", "")]
    return os.pathsep.join(p for p in parts if p)


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
    """One stack in `workdir` (its own backend dir and PULUMI_HOME)."""

    def __init__(
        self,
        workdir: Path,
        name: str,
        program: Callable[[], None],
        *,
        config: dict[str, tuple[str, bool]],
        command: auto.PulumiCommand,
        env: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.state_dir = workdir / "state"
        self.stack = local_stack(
            program,
            project=PROJECT,
            stack=name,
            work_dir=workdir / "project",
            backend_dir=self.state_dir,
            config=config,
            env={
                "PATH": engine_path(),
                "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p),
                "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
                "PULUMI_HOME": str(workdir / "pulumi-home"),
                "PULUMI_PYTHON_CMD": sys.executable,
                **(env or {}),
            },
            pulumi_command=command,
        )

    def run(self, action: str, **kwargs: Any) -> Any:
        """`preview`, `up`, `refresh` (kwargs as the Automation API takes them); raises EngineError."""
        lines: list[str] = []
        try:
            return getattr(self.stack, action)(color="never", on_output=lines.append, **kwargs)
        except auto.errors.CommandError as exc:
            tail = "\n".join(lines[-40:])
            raise EngineError(f"pulumi {action} of stack {self.name} failed:\n{tail}\n{exc}") from exc

    def checkpoint(self) -> Path:
        """The stack's checkpoint file in the file backend."""
        stacks = self.state_dir / ".pulumi" / "stacks" / PROJECT
        for candidate in (stacks / f"{self.name}.json", stacks / f"{self.name}.json.gz"):
            if candidate.exists():
                return candidate
        raise EngineError(f"no checkpoint for stack {self.name} under {stacks}")
