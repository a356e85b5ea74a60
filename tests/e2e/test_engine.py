"""The pinned engine runs a dynamic resource end to end: up creates, preview shows no change,
destroy removes. Fails (never skips) when the engine is missing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.support.engine_stack import PINNED_ENGINE, EngineStack
from tests.support.noop_resource import Noop


def test_engine_on_path_is_the_pinned_version():
    pulumi = shutil.which("pulumi")
    assert pulumi, "run `make tools`: the pinned engine must be on PATH"
    out = subprocess.run([pulumi, "version"], capture_output=True, text=True, check=True).stdout.strip()
    assert out == PINNED_ENGINE


def test_dynamic_resource_up_preview_destroy(tmp_path):
    stack = EngineStack(tmp_path, lambda: Noop("thing", "42"), config={})
    up = stack.up()
    assert up.ok, up.output
    assert up.summary.get("create") == 2  # the stack and the resource
    [res] = stack.resources("Noop").values()
    assert res["id"] == "noop-42" and res["outputs"]["value"] == "42"

    preview = stack.preview()
    assert preview.ok, preview.output
    assert preview.summary == {"same": 2}

    destroy = stack.destroy()
    assert destroy.ok, destroy.output
    assert stack.resources("Noop") == {}


def test_local_stack_runs_the_engine_it_is_given(tmp_path):
    """`workspace.local_stack(pulumi_command=...)` (the bench passes the engine it resolved itself)
    must use that engine, not look one up on PATH again."""
    from pulumi import automation as auto

    from plivo_pulumi.engine.workspace import local_stack

    found = shutil.which("pulumi")
    assert found is not None
    command = auto.PulumiCommand(root=str(Path(found).resolve().parent.parent), skip_version_check=True)
    stack = local_stack(
        lambda: None,
        project="given-engine",
        stack="dev",
        work_dir=tmp_path / "project",
        backend_dir=tmp_path / "state",
        env={"PULUMI_CONFIG_PASSPHRASE": "test-passphrase"},
        pulumi_command=command,
    )
    assert stack.workspace.pulumi_command is command


def test_local_stack_sets_a_secret_without_putting_it_on_a_command_line(tmp_path):
    """The Automation API's `set_config` runs `pulumi config set KEY --secret -- VALUE`: the token
    would be in `ps` and /proc/PID/cmdline while it runs. `local_stack` sends it on standard input.
    The engine here is a wrapper that records every command line, then runs the real one."""
    from pulumi import automation as auto

    from plivo_pulumi.engine.workspace import local_stack
    from tests.support.accounts import TOKEN

    real = Path(shutil.which("pulumi") or "pulumi").resolve()
    root = tmp_path / "engine"
    (root / "bin").mkdir(parents=True)
    log = tmp_path / "command-lines.log"
    wrapper = root / "bin" / "pulumi"
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    stack = local_stack(
        lambda: None,
        project="secret-config",
        stack="dev",
        work_dir=tmp_path / "project",
        backend_dir=tmp_path / "state",
        config={"plivo:authToken": (TOKEN, True), "plivo:authId": ("MAEXAMPLE", False)},
        env={"PULUMI_CONFIG_PASSPHRASE": "test-passphrase"},
        pulumi_command=auto.PulumiCommand(root=str(root), skip_version_check=True),
    )
    lines = log.read_text()
    assert "config set --secret plivo:authToken" in lines, "the wrapper saw the command"
    assert TOKEN not in lines, "the token was on a command line"
    stored = stack.get_config("plivo:authToken")
    kept = stored.secret and stored.value == TOKEN  # compared apart: a failure never shows the token
    assert kept, "stored as a secret, exactly"
    stack_file = (tmp_path / "project" / "Pulumi.dev.yaml").read_text()
    assert TOKEN not in stack_file and "secure:" in stack_file
