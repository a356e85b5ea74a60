"""Teams: the stack's state in a real PostgreSQL (Pulumi's DIY backend), pipelines on several runners.

A throwaway PostgreSQL is started by this module (scripts/throwaway_postgres.py: its own data
directory, 127.0.0.1, a free port) and stopped by its data directory; the tests fail, never skip,
when it cannot start. Runners are project folders of their own (their own PULUMI_HOME, the same
Pulumi.<stack>.yaml, as a repository checkout gives each CI runner), all on one backend URL with the
password in PGPASSWORD only.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.throwaway_postgres import PostgresError, ThrowawayPostgres
from tests.e2e.native.conftest import use_native_plugin
from tests.support.accounts import APPS, MAIN, NUMBERS, TOKEN
from tests.support.cli_project import CliProject, plivo_config
from tests.support.engine_stack import Run
from tests.support.processes import descendants

PROGRAM = """
from plivo_pulumi import RentedNumber
for i, number in enumerate({numbers!r}):
    RentedNumber(f"line-{{i}}", number=number, app_id="{app}")
"""


@pytest.fixture(scope="module")
def postgres() -> Iterator[ThrowawayPostgres]:
    # Under /tmp itself: the server runs as the `postgres` user, who cannot enter pytest's 0700 dirs.
    root = tempfile.mkdtemp(prefix="plivo-pg-", dir="/tmp")
    os.chmod(root, 0o755)
    server = ThrowawayPostgres(root)
    try:
        server.start()
    except PostgresError as exc:
        pytest.fail(f"the throwaway PostgreSQL could not start: {exc}")
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def runner(
    tmp_path: Path,
    postgres: ThrowawayPostgres,
    name: str,
    project: str,
    *,
    like: CliProject | None = None,
    program: str = "",
) -> CliProject:
    """A runner's checkout: a project folder on the PostgreSQL backend. `like`: the same project and
    stack config as another runner's checkout (as both would get from the repository)."""
    made = CliProject(
        tmp_path / name,
        program or PROGRAM.format(numbers=list(NUMBERS[:3]), app=APPS[0]),
        project=project,
        stack="prod",
    )
    made.env.update(postgres.env())
    if like is not None:
        shutil.copy(like.dir / "Pulumi.prod.yaml", made.dir / "Pulumi.prod.yaml")
    return made


@pytest.fixture
def team(tmp_path, sim_e2e, postgres):
    """team(): the first runner's checkout, its stack created on PostgreSQL and configured."""

    def make(program: str = "") -> CliProject:
        first = runner(tmp_path, postgres, "runner-a", f"plivo-pg-{uuid.uuid4().hex[:8]}", program=program)
        first.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
        return first

    return make


def test_cli_lifecycle_with_state_in_postgres(team, sim_e2e, tmp_path):
    stack = team()
    assert stack.preview().ok and sim_e2e.requests_log()["total"] == 0
    up = stack.up()
    assert up.ok, up.output
    assert [sim_e2e.number(n)["app_id"] for n in NUMBERS[:3]] == [APPS[0]] * 3
    assert not (stack.workdir / "state" / ".pulumi").exists(), "nothing in the file backend"
    assert set(stack.resources()) == {"line-0", "line-1", "line-2"}, "the state is read back from PostgreSQL"
    assert stack.gate().ok
    sim_e2e.edit_out_of_band(NUMBERS[1], app_id=APPS[2])
    assert stack.gate().code != 0
    assert stack.up("--refresh", "--run-program").ok
    assert sim_e2e.number(NUMBERS[1])["app_id"] == APPS[0]
    assert stack.destroy().ok and stack.resources() == {}
    assert sim_e2e.number(NUMBERS[1])["app_id"] == APPS[0], "kept rented and bound"


def start(stack: CliProject, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        list(args), cwd=stack.dir, env=stack.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def finish(proc: subprocess.Popen[str], stack: CliProject, what: str) -> Run:
    output, _ = proc.communicate(timeout=300)
    stack._save_output(what, output)
    return Run(proc.returncode, output)


UP = ("pulumi", "up", "--yes", "--skip-preview", "--stack", "prod", "--non-interactive", "--color", "never")


def test_two_runners_at_once_one_applies_the_other_fails_fast_or_waits(team, sim_e2e, tmp_path, postgres):
    first = team()
    second = runner(tmp_path, postgres, "runner-b", first.project, like=first)
    sim_e2e.set_faults(latency_ms=400)  # each API call takes a while: the two runs overlap

    runs = [start(first, *UP), start(second, *UP)]
    results = [finish(p, s, "up") for p, s in zip(runs, (first, second), strict=True)]
    codes = sorted(r.code for r in results)
    assert codes[0] == 0 and codes[1] != 0, "\n---\n".join(
        f"exit {r.code}:\n{r.output[-1500:]}" for r in results
    )
    refused = next(r for r in results if r.code != 0)
    assert "the stack is currently locked" in refused.output and "created by" in refused.output

    # With --lock-timeout the second runner waits for the first instead, and both succeed.
    sim_e2e.edit_out_of_band(NUMBERS[0], app_id=APPS[2])
    waiting = [
        sys.executable,
        "-m",
        "plivo_pulumi.cli",
        "run",
        "--lock-timeout",
        "300",
        "--",
        *UP,
        "--refresh",
        "--run-program",
    ]
    runs = [start(first, *waiting), start(second, *waiting)]
    results = [finish(p, s, "up") for p, s in zip(runs, (first, second), strict=True)]
    assert [r.code for r in results] == [0, 0], [r.output[-800:] for r in results]
    assert any("waiting for it" in r.output for r in results), "one waited, naming the holder"
    sim_e2e.clear_faults()
    assert sim_e2e.number(NUMBERS[0])["app_id"] == APPS[0]
    assert first.gate().ok and second.gate().ok, "nothing lost: state == account == code from both"


def test_a_killed_run_and_the_documented_recovery(team, sim_e2e):
    stack = team()
    sim_e2e.set_faults(latency_ms=700)
    proc = start(stack, *UP)
    deadline = time.monotonic() + 60
    while sim_e2e.requests_log()["by_method"].get("GET", 0) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in [proc.pid, *descendants(proc.pid)]:  # the runner dies: the CLI and everything under it
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.communicate(timeout=60)
    sim_e2e.clear_faults()

    locked = stack.up()
    assert locked.code != 0 and "the stack is currently locked" in locked.output, (
        "the lock outlives the crash"
    )
    up = stack.recover()
    assert up.ok, up.output
    assert stack.gate().ok
    assert [sim_e2e.number(n)["app_id"] for n in NUMBERS[:3]] == [APPS[0]] * 3
    assert "DELETE" not in sim_e2e.requests_log()["by_method"]


def test_the_audit_reads_a_stack_stored_in_postgres(team, sim_e2e):
    stack = team()
    assert stack.up().ok
    done = stack.plivo_numbers("audit", "--stack", "prod", "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["managed_total"] == 3
    assert sorted(f["number"] for f in report["findings"]) == sorted(NUMBERS[3:]), "the two unmanaged"


NATIVE_PROGRAM = """
import pulumi_plivo as plivo
plivo.RentedNumberSet("lines", bindings={{n: {{"app_id": "{app}"}} for n in {numbers!r}}})
"""


def test_a_native_stack_in_postgres_gate_reconcile_and_audit(tmp_path, sim_e2e, postgres):
    """docs/teams.md: a native `plivo` stack (the plugin, not the dynamic provider) on the shared
    backend, driven by two runners' checkouts: the gate on one, the reconcile on the other, the audit."""
    program = NATIVE_PROGRAM.format(numbers=list(NUMBERS[:3]), app=APPS[0])
    first = runner(tmp_path, postgres, "runner-a", f"plivo-pg-{uuid.uuid4().hex[:8]}", program=program)
    use_native_plugin(first)
    first.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
    assert first.up().ok
    second = runner(tmp_path, postgres, "runner-b", first.project, like=first, program=program)
    use_native_plugin(second)
    sim_e2e.edit_out_of_band(NUMBERS[2], app_id=APPS[1])
    assert second.gate().code != 0, "the other runner sees the drift in the shared state"
    assert second.up("--refresh", "--run-program").ok
    assert sim_e2e.number(NUMBERS[2])["app_id"] == APPS[0]
    assert first.gate().ok
    done = first.plivo_numbers("audit", "--stack", "prod", "--json")
    report = json.loads(done.stdout)
    assert report["managed_total"] == 3, done.stderr
    assert sorted(f["number"] for f in report["findings"]) == sorted(NUMBERS[3:])
    assert first.destroy().ok
    assert sim_e2e.number(NUMBERS[0])["app_id"] == APPS[0], "kept rented and bound"


def test_many_stacks_are_listed_without_a_hang(team, tmp_path):
    stack = team()
    for i in range(5):
        assert stack.pulumi("stack", "init", f"extra-{i}", "--non-interactive").ok
    listed = subprocess.run(
        ["pulumi", "stack", "ls", "--json"],
        cwd=stack.dir,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 6
    assert stack.env["PULUMI_DIY_BACKEND_PARALLEL"] == "1", "the setting that prevents the hang"


def test_no_password_in_any_output_or_file(team, sim_e2e, postgres, tmp_path):
    stack = team()
    assert stack.up().ok
    assert stack.pulumi("stack", "ls", "--non-interactive").ok
    password = postgres.password_file.read_text().encode()
    files = [p for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink()]
    assert len(files) > 5
    leaks = [str(p) for p in files if password in p.read_bytes()]
    assert leaks == []
    assert password not in postgres.url.encode()


def test_plivo_numbers_run_lists_many_stacks_without_a_hang(team):
    """`plivo-numbers run` gives the `pulumi` it starts the setting that prevents the hang, also when
    the pipeline's environment does not have it."""
    stack = team()
    for i in range(5):
        assert stack.pulumi("stack", "init", f"extra-{i}", "--non-interactive").ok
    env = {k: v for k, v in stack.env.items() if k != "PULUMI_DIY_BACKEND_PARALLEL"}
    command = [sys.executable, "-m", "plivo_pulumi.cli", "run", "--", "pulumi", "stack", "ls", "--json"]
    proc = subprocess.Popen(
        command, cwd=stack.dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        for pid in [*descendants(proc.pid), proc.pid]:
            os.kill(pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("`plivo-numbers run -- pulumi stack ls` hung listing 6 stacks")
    assert proc.returncode == 0, err
    assert len(json.loads(out)) == 6
