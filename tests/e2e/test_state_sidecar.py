"""The file backend's `.attrs` sidecar left at 0 bytes by a crash, through the real CLI in a project folder.

`kill -9` of `pulumi up` while the blob library rewrote `<stack>.json.attrs` in place can leave it
empty; then every command fails with `failed to load checkpoint: EOF` though the checkpoint is intact.
The crash outcome is made deterministically here (the sidecar truncated after a crash-like kill left
the stack locked). The README's recovery recipe, as written there, must detect and repair it; the
backend form the README recommends (`?metadata=skip`) must write no sidecar at all.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import time
from pathlib import Path

from tests.support.accounts import APPS, MAIN, NUMBERS, TOKEN
from tests.support.cli_project import REPO, CliProject, plivo_config
from tests.support.fault_kit import wait_for
from tests.support.processes import descendants

PROGRAM = """
from plivo_pulumi import RentedNumber
for i, number in enumerate({numbers!r}):
    RentedNumber(f"line-{{i}}", number=number, app_id="{app}")
"""
README = (REPO / "README.md").read_text()
RELIABILITY = (REPO / "docs" / "reliability.md").read_text()  # "When a run is interrupted"
EOF_ERROR = "failed to load checkpoint: EOF"
UP = ("pulumi", "up", "--yes", "--skip-preview", "--stack", "dev", "--non-interactive")


def readme_line(pattern: str, text: str = README, doc: str = "README") -> str:
    """The doc's command line matching `pattern`, without its comment."""
    found = [line.split("   #")[0].strip() for line in text.splitlines() if re.search(pattern, line)]
    assert found, f"the {doc} shows a command matching {pattern!r}"
    return found[0]


def project(tmp_path: Path, sim_e2e, backend_query: str = "") -> CliProject:
    made = CliProject(tmp_path, PROGRAM.format(numbers=list(NUMBERS[:3]), app=APPS[0]))
    made.env["PULUMI_BACKEND_URL"] = f"file://{made.state_dir}{backend_query}"
    made.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
    return made


def sidecars(stack: CliProject) -> list[Path]:
    return sorted(stack.state_dir.rglob("*.attrs"))


def crash_mid_up(stack: CliProject, sim_e2e) -> None:
    """`kill -9` of `pulumi up` and everything under it once a write went through: a lock and pending
    operations are left, as after a dead runner."""
    sim_e2e.set_faults(latency_ms=500)
    proc = subprocess.Popen(
        UP, cwd=stack.dir, env=stack.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_for(lambda: sim_e2e.requests_log()["by_method"].get("POST", 0) >= 1, 120, "the first write")
    for pid in [proc.pid, *descendants(proc.pid)]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait(timeout=60)
    sim_e2e.clear_faults()


def test_the_recovery_recipe_repairs_a_sidecar_the_crash_emptied(tmp_path, sim_e2e):
    stack = project(tmp_path, sim_e2e)  # a plain file:// backend
    crash_mid_up(stack, sim_e2e)
    checkpoint = stack.state_dir / ".pulumi" / "stacks" / stack.project / "dev.json"
    sidecar = checkpoint.with_name("dev.json.attrs")
    assert sidecar.exists()
    sidecar.write_bytes(b"")  # what the crash can leave (under load the kill itself sometimes does)
    state_before = checkpoint.read_bytes()
    # The kill itself may have emptied another one (the backup's, seen in CI): step 0 removes those too.
    emptied = sorted(str(p) for p in stack.state_dir.rglob("*.attrs") if p.stat().st_size == 0)

    # Every command fails, each step of the recipe included, though the checkpoint is intact.
    assert EOF_ERROR in stack.pulumi("stack", "export", "--stack", "dev").output
    assert EOF_ERROR in stack.pulumi("cancel", "--yes", "--stack", "dev", "--non-interactive").output
    assert EOF_ERROR in stack.refresh("--run-program", "--clear-pending-creates").output
    assert EOF_ERROR in stack.up().output
    assert stack.pulumi("stack", "ls", "--non-interactive").code != 0
    assert checkpoint.read_bytes() == state_before
    # `plivo-numbers run` does not wait this out as another run's write: it names the file and the fix.
    started = time.monotonic()
    waiting = stack.plivo_numbers("run", "--lock-timeout", "5m", "--", *UP)
    assert waiting.returncode != 0 and time.monotonic() - started < 60, waiting.stderr
    assert f"rm {shlex.quote(str(sidecar))}" in waiting.stderr, waiting.stderr

    # The recipe, its step 0 as docs/reliability.md writes it, for this backend's folder.
    step0 = readme_line(r"find .*\.attrs.* -size 0", RELIABILITY, "docs/reliability.md")
    repaired = subprocess.run(
        ["sh", "-c", step0.replace("~/pulumi-state", str(stack.state_dir))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert repaired.returncode == 0, repaired.stderr
    assert str(sidecar) in emptied
    assert sorted(repaired.stdout.split()) == emptied, "it names what it removed: the empty sidecars only"
    assert not sidecar.exists() and all(p.stat().st_size > 0 for p in sidecars(stack))
    assert checkpoint.read_bytes() == state_before, "the state itself is untouched"

    assert stack.pulumi("stack", "ls", "--non-interactive").ok
    locked = stack.up()
    assert "the stack is currently locked" in locked.output, "the crash's lock, as for any crash"
    up = stack.recover()
    assert up.ok, up.output
    assert stack.gate().ok
    assert [sim_e2e.number(n)["app_id"] for n in NUMBERS[:3]] == [APPS[0]] * 3
    assert "DELETE" not in sim_e2e.requests_log()["by_method"]


def test_the_readmes_backend_form_writes_no_sidecar(tmp_path, sim_e2e):
    login = readme_line(r"pulumi login [\"']file://")
    query = re.search(r"[\"']file://[^'\"?]*(\?[^'\"]*)[\"']", login)
    assert query and query[1] == "?metadata=skip", login
    stack = project(tmp_path, sim_e2e, query[1])
    crash_mid_up(stack, sim_e2e)
    assert sidecars(stack) == [], "no sidecar, so a crash cannot leave one empty"
    assert stack.recover().ok and stack.gate().ok
    assert stack.pulumi("stack", "ls", "--non-interactive").ok
    assert sidecars(stack) == [], "after every kind of write: checkpoint, backup, history, lock"
    assert [sim_e2e.number(n)["app_id"] for n in NUMBERS[:3]] == [APPS[0]] * 3
