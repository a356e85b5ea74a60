"""A real Pulumi stack for end-to-end tests: the pinned engine, a local file backend in a temp dir,
an inline Automation API program, and config set the way a user sets it (`plivo:authToken` as a
secret). Nothing here mocks Pulumi or HTTP. A missing engine fails the tests, never skips them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from plivo_pulumi.engine.workspace import local_stack

PINNED_ENGINE = "v3.274.1"
PASSPHRASE = "e2e-passphrase-not-a-secret"


@dataclass
class Run:
    """What one engine command did: its exit code, what it printed and its change summary."""

    code: int
    output: str
    summary: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.code == 0


def _code_of(exc: auto.errors.CommandError) -> int:
    match = re.search(r"code: (-?\d+)", str(exc))
    return int(match.group(1)) if match else -1


class EngineStack:
    """One stack of one project. `program` is re-read on every engine run, so tests edit it."""

    def __init__(
        self,
        workdir: Path,
        program: Callable[[], None],
        *,
        config: dict[str, tuple[str, bool]],
        env: dict[str, str] | None = None,
        project: str = "plivo-e2e",
        stack: str = "dev",
    ) -> None:
        self.workdir = workdir
        self.state_dir = workdir / "state"
        self.state_dir.mkdir(parents=True, exist_ok=True)
        (workdir / "project").mkdir(exist_ok=True)
        self.program = program
        self.outputs: list[str] = []
        self.stack = local_stack(
            lambda: self.program(),
            project=project,
            stack=stack,
            work_dir=workdir / "project",
            backend_dir=self.state_dir,
            config=config,
            env={
                "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
                "PULUMI_HOME": str(workdir / "pulumi-home"),
                "PULUMI_PYTHON_CMD": sys.executable,
                **(env or {}),
            },
        )
        # What the engine runs with: tools started beside it (audit, stack export) need the same.
        self.env: dict[str, str] = dict(self.stack.workspace.env_vars)

    def _run(self, action: str, **kwargs: Any) -> Run:
        lines: list[str] = []
        method = getattr(self.stack, action)
        try:
            result = method(on_output=lines.append, color="never", **kwargs)
        except auto.errors.CommandError as exc:
            text = "\n".join(lines) + "\n" + str(exc)
            self.outputs.append(text)
            self._save_output(action, text)
            return Run(_code_of(exc), text)
        text = "\n".join(lines)
        self.outputs.append(text)
        self._save_output(action, text + "\n" + (getattr(result, "stderr", "") or ""))
        summary: dict[str, int] = {}
        if hasattr(result, "change_summary"):
            summary = {str(k): v for k, v in result.change_summary.items()}
        elif getattr(result, "summary", None) is not None and result.summary.resource_changes:
            summary = dict(result.summary.resource_changes)
        return Run(0, text, summary)

    def _save_output(self, action: str, text: str) -> None:
        """Keep what every engine run printed (stdout and stderr) under `workdir/engine-output/`, so a
        scan of the test session's files (tests/e2e/test_zz_secrets.py) sees it."""
        out_dir = self.workdir / "engine-output"
        out_dir.mkdir(exist_ok=True)
        name = f"{time.time_ns()}-{os.getpid()}-{threading.get_ident()}-{action}.log"
        (out_dir / name).write_text(text, encoding="utf-8", errors="replace")

    def preview(self, **kwargs: Any) -> Run:
        return self._run("preview", diff=True, **kwargs)

    def up(self, **kwargs: Any) -> Run:
        return self._run("up", **kwargs)

    def refresh(self, **kwargs: Any) -> Run:
        return self._run("refresh", **kwargs)

    def destroy(self, **kwargs: Any) -> Run:
        return self._run("destroy", **kwargs)

    def export(self) -> dict[str, Any]:
        return self.stack.export_stack().deployment

    def resources(self, type_suffix: str = "RentedNumber") -> dict[str, dict[str, Any]]:
        return resources_by_name(self.export(), type_suffix)

    def state_files_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.state_dir.rglob("*") if p.is_file())

    def export_text(self) -> str:
        """What `pulumi stack export` prints, as a user runs it (the Automation API's export_stack
        passes --show-secrets, which would decrypt secrets on purpose)."""
        done = subprocess.run(
            ["pulumi", "stack", "export", "--stack", self.stack.name],
            cwd=self.workdir / "project",
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout


def resources_by_name(
    deployment: dict[str, Any], type_suffix: str = "RentedNumber"
) -> dict[str, dict[str, Any]]:
    """Resources of a state whose type ends with `type_suffix`, by name: {name: {"id", "inputs", ...}}."""
    found = {}
    for res in deployment.get("resources", []):
        if res.get("type", "").endswith(type_suffix):
            found[res["urn"].split("::")[-1]] = res
    return found


def scrubbed_env() -> dict[str, str]:
    """The test process's environment without any Plivo credentials, so config is what counts."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PLIVO_")}
