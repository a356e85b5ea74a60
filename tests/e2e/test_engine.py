"""The pinned engine runs a dynamic resource end to end: up creates, preview shows no change,
destroy removes. Fails (never skips) when the engine is missing."""

from __future__ import annotations

import shutil
import subprocess

from tests.e2e.harness import PINNED_ENGINE, EngineStack
from tests.e2e.noop_resource import Noop


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
