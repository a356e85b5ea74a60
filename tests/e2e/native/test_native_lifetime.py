"""The plugin's lifetime through the real engine (issue 29, item 9): `kill -9` of `pulumi` in the middle
of an `up` (the plugin waiting on an API call) leaves no `pulumi-resource-plivo` of that run behind,
and the documented recovery then converges.

The plugin processes are found in this test's own process tree (the CLI it started) and by their
working folder (the project's): other tests run beside this one, with plugins of their own.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

from tests.support.accounts import APPS, NUMBERS
from tests.support.processes import PROC, alive, descendants

PLUGIN = "pulumi-resource-plivo"
GONE_WITHIN_SECONDS = 10.0

PROGRAM = f"""
import pulumi_plivo as plivo
plivo.RentedNumber("front-desk", number="{NUMBERS[0]}", app_id="{APPS[0]}")
"""


def command_line(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def plugins_in(folder: Path) -> list[int]:
    """Running plugin processes whose working folder is `folder` (this test's project only)."""
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit() or PLUGIN not in command_line(int(entry.name)):
            continue
        with contextlib.suppress(OSError):
            if Path(os.readlink(entry / "cwd")) == folder and alive(int(entry.name)):
                found.append(int(entry.name))
    return found


def wait_for(condition, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within:.0f} s waiting for {what}")
        time.sleep(0.2)


def test_kill_9_of_pulumi_mid_up_leaves_no_plugin_running(native_project, sim_e2e):
    project = native_project(PROGRAM)
    sim_e2e.set_faults(latency_ms=30_000)  # the plugin's first API call is in flight at the kill
    run = project.start_up()
    tree: list[int] = []
    try:
        wait_for(
            lambda: [p for p in descendants(run.pid) if PLUGIN in command_line(p)],
            120,
            "the engine to start the plugin",
        )
        time.sleep(3)  # the plugin gets its Create and waits on the API
        tree = descendants(run.pid)
        plugins = [p for p in tree if PLUGIN in command_line(p)]
        assert plugins and all(alive(p) for p in plugins)
        assert set(plugins) <= set(plugins_in(project.dir)), "the engine runs plugins in the project"
        os.kill(run.pid, signal.SIGKILL)  # the engine alone: its children are left to notice
        run.wait(30)

        killed_at = time.monotonic()
        wait_for(
            lambda: not [p for p in plugins if alive(p)] and not plugins_in(project.dir),
            GONE_WITHIN_SECONDS,
            f"the plugin(s) {plugins} of the killed run to exit",
        )
        assert time.monotonic() - killed_at < GONE_WITHIN_SECONDS
    finally:
        run.kill()
        for pid in tree:  # the language host and the program, if they linger (not the plugin's job)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        sim_e2e.clear_faults()

    # The killed run followed by the fixed one: the documented recovery binds the number.
    recovered = project.recover()
    assert recovered.ok, recovered.output
    assert sim_e2e.number(NUMBERS[0])["app_id"] == APPS[0]
    gate = project.gate()
    assert gate.ok, gate.output
    assert not plugins_in(project.dir), "the plugins of a finished run exit with it"
