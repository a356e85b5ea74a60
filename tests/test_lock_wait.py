"""`plivo-numbers run --lock-timeout`: a command that failed on the stack's lock is run again, saying
who holds it, until the timeout; any other outcome is returned at once."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest

from plivo_pulumi.cli import main as cli_main
from plivo_pulumi.engine.lock_wait import (
    _Forwarder,
    busy_reason,
    empty_sidecars,
    lock_holder,
    parse_duration,
    run_waiting_for_lock,
)
from plivo_pulumi.engine.settings import SAFE_ENGINE_ENV

LOCKED = (
    "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end "
    "or delete the lock file with `pulumi cancel`.\\n"
    "  postgres://pulumi@127.0.0.1:5/pulumi: created by ci@runner-2 (pid 4242) at 2026-11-28T04:00:00Z"
)


# What the file backend prints, and nothing else, when a run reads the state while another writes it.
MID_WRITE = "error: failed to load checkpoint: EOF"
# What a run prints, and nothing else, when the other run's lock was released while its lock check
# read it: on PostgreSQL (seen in CI) and on the file backend (a lock entry that cannot be read).
LOCK_GONE_POSTGRES = (
    "error: 2 errors occurred:\\n    1) key not found: sql: no rows in result set\\n    2) NotFound"
)
LOCK_GONE_FILE = (
    "error: 2 errors occurred:\\n    1) stat /srv/state/.pulumi/locks/organization/p/prod/0b1c.json: no such "
    "file or directory\\n    2) NotFound"
)


def flaky_command(tmp_path: Path, locked_times: int, final_code: int = 0, message: str = LOCKED) -> list[str]:
    """A command that fails with `message` `locked_times` times, then exits with `final_code`."""
    counter = tmp_path / "attempts"
    script = (
        "import pathlib, sys\n"
        f"c = pathlib.Path({str(counter)!r})\n"
        "n = int(c.read_text()) if c.exists() else 0\n"
        "c.write_text(str(n + 1))\n"
        f"if n < {locked_times}:\n"
        f"    print({message!r}.replace('\\\\n', '\\n')); sys.exit(255)\n"
        f"print('done'); sys.exit({final_code})\n"
    )
    return [sys.executable, "-c", script]


def test_waits_while_locked_then_returns_the_commands_result(tmp_path):
    out, err, pauses = io.StringIO(), io.StringIO(), []
    code = run_waiting_for_lock(flaky_command(tmp_path, 2), 600, out=out, err=err, sleep=pauses.append)
    assert code == 0 and out.getvalue().endswith("done\n")
    assert (tmp_path / "attempts").read_text() == "3"
    assert pauses == [2.0, 5.0]
    assert err.getvalue().count("locked by ci@runner-2 (pid 4242, since 2026-11-28T04:00:00Z)") == 2


def test_gives_up_at_the_timeout_with_the_commands_exit_code(tmp_path):
    now = [0.0]
    err = io.StringIO()

    def sleep(seconds):
        now[0] += seconds

    code = run_waiting_for_lock(
        flaky_command(tmp_path, 100), 20, out=io.StringIO(), err=err, sleep=sleep, clock=lambda: now[0]
    )
    assert code == 255
    assert "still locked by ci@runner-2" in err.getvalue() and "left alone" in err.getvalue()
    assert now[0] == 20


def test_other_failures_are_not_retried(tmp_path):
    pauses = []
    code = run_waiting_for_lock(
        flaky_command(tmp_path, 0, final_code=3),
        600,
        out=io.StringIO(),
        err=io.StringIO(),
        sleep=pauses.append,
    )
    assert code == 3 and pauses == [] and (tmp_path / "attempts").read_text() == "1"


def test_a_state_read_mid_write_is_waited_out_like_the_lock(tmp_path):
    out, err, pauses = io.StringIO(), io.StringIO(), []
    command = flaky_command(tmp_path, 1, message=MID_WRITE)
    code = run_waiting_for_lock(
        command, 600, out=out, err=err, sleep=pauses.append, find_empty_sidecars=lambda _pulumi: []
    )
    assert code == 0 and (tmp_path / "attempts").read_text() == "2" and pauses == [2.0]
    assert "being written by another run" in err.getvalue()


def test_a_sidecar_a_crash_emptied_is_named_at_once_not_waited_for(tmp_path):
    out, err, pauses = io.StringIO(), io.StringIO(), []
    emptied = Path("/srv/my state/.pulumi/stacks/p/dev.json.attrs")
    command = flaky_command(tmp_path, 100, message=MID_WRITE)
    code = run_waiting_for_lock(
        command, 600, out=out, err=err, sleep=pauses.append, find_empty_sidecars=lambda _pulumi: [emptied]
    )
    assert code == 255 and (tmp_path / "attempts").read_text() == "1" and pauses == []
    assert f"rm '{emptied}'" in err.getvalue() and "When a run is interrupted" in err.getvalue()


def test_empty_sidecars_of_the_file_backend_the_engine_uses(tmp_path, monkeypatch):
    """With the real `pulumi whoami`: the backend's folder from the environment, the query ignored."""
    state = tmp_path / "my state"
    stacks = state / ".pulumi" / "stacks" / "p"
    stacks.mkdir(parents=True)
    (stacks / "dev.json.attrs").write_text("")
    (stacks / "dev.json.bak.attrs").write_text("{}")
    (stacks / "dev.json").write_text("{}")
    monkeypatch.setenv("PULUMI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PULUMI_BACKEND_URL", f"file://{state}?metadata=skip")
    assert empty_sidecars("pulumi", settle=0.1) == [stacks / "dev.json.attrs"]
    (stacks / "dev.json.attrs").write_text("{}")
    assert empty_sidecars("pulumi", settle=0.1) == []
    monkeypatch.setenv("PULUMI_BACKEND_URL", "postgres://u@127.0.0.1:1/db")
    assert empty_sidecars("pulumi", settle=0.1) == []


@pytest.mark.parametrize("message", [LOCK_GONE_POSTGRES, LOCK_GONE_FILE], ids=["postgres", "file"])
def test_a_lock_released_while_it_was_read_is_waited_out(tmp_path, message):
    out, err, pauses = io.StringIO(), io.StringIO(), []
    command = flaky_command(tmp_path, 1, message=message)
    code = run_waiting_for_lock(command, 600, out=out, err=err, sleep=pauses.append)
    assert code == 0 and (tmp_path / "attempts").read_text() == "2" and pauses == [2.0]
    assert "the other run's lock was released" in err.getvalue()


def test_busy_reasons():
    assert busy_reason(LOCKED.replace("\\n", "\n")) == (
        "locked by ci@runner-2 (pid 4242, since 2026-11-28T04:00:00Z)"
    )
    assert busy_reason(f"\n{MID_WRITE}\n").startswith("being written by another run")
    # The same words inside a longer failure (a run that had started) are not a busy stack.
    assert busy_reason(f"Updating (dev):\n + 3 to create\n{MID_WRITE}\n") is None
    assert busy_reason("error: failed to load checkpoint: unexpected end of JSON input") is None
    gone = LOCK_GONE_POSTGRES.replace("\\n", "\n")
    assert busy_reason(gone).startswith("locked a moment ago")
    assert busy_reason(f"Updating (dev):\n{gone}") is None, "a run that had started is not retried"
    assert busy_reason(gone.replace("key not found", "permission denied")) is None
    assert busy_reason(gone.replace("2) NotFound", "2) PermissionDenied")) is None
    stack_gone = LOCK_GONE_FILE.replace("\\n", "\n").replace(
        "/locks/organization/p/prod/0b1c", "/stacks/p/prod"
    )
    assert busy_reason(stack_gone) is None, "only a lock file that went away is waited for"


def test_parsing():
    assert [parse_duration(t) for t in ("600", "90s", "10m", "1h", "1.5m")] == [600, 90, 600, 3600, 90]
    with pytest.raises(ValueError, match="10m"):
        parse_duration("ten minutes")
    assert lock_holder("all good") is None
    assert (
        str(lock_holder(LOCKED.replace("\\n", "\n"))) == "ci@runner-2 (pid 4242, since 2026-11-28T04:00:00Z)"
    )


def test_cli(tmp_path, capsys):
    assert cli_main(["run", "--lock-timeout", "bad", "--", "true"]) == 2
    assert "--lock-timeout" in capsys.readouterr().err
    assert cli_main(["run", "--"]) == 2
    assert cli_main(["run", "--", sys.executable, "-c", "raise SystemExit(4)"]) == 4


# A command that notes every SIGINT/SIGTERM it gets, says "ready", and exits 7 once signalled (after
# half a second, so that a second, doubled signal would show too).
SIGNALLED_CHILD = """
import signal, sys, time
got = []
for sig in (signal.SIGINT, signal.SIGTERM):
    signal.signal(sig, lambda s, _f: got.append(signal.Signals(s).name))
print("ready", flush=True)
deadline = time.monotonic() + 60
while not got and time.monotonic() < deadline:
    time.sleep(0.02)
time.sleep(0.5)
print("child got", got, flush=True)
sys.exit(7)
"""


def start_run(*argv: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """`plivo-numbers run ARGV` in a session of its own (as a shell's foreground job: its group)."""
    return subprocess.Popen(
        [sys.executable, "-m", "plivo_pulumi.cli", "run", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )


def wait_for_line(stream: IO[str], text: str) -> None:
    for line in stream:
        if text in line:
            return
    raise AssertionError(f"no line with {text!r}")


@pytest.mark.parametrize(
    ("send", "child_gets"),
    [
        (lambda pid: os.kill(pid, signal.SIGTERM), ["SIGTERM"]),  # a CI runner or `kill`
        (lambda pid: os.killpg(pid, signal.SIGINT), ["SIGINT"]),  # Ctrl-C: the terminal's whole group
        (lambda pid: os.kill(pid, signal.SIGINT), ["SIGINT"]),
        (lambda pid: os.kill(pid, signal.SIGHUP), ["SIGTERM"]),  # the engine cancels on SIGTERM only
    ],
    ids=["SIGTERM", "Ctrl-C", "SIGINT", "SIGHUP"],
)
def test_a_signal_is_passed_on_once_and_the_commands_exit_code_returned(send, child_gets):
    proc = start_run("--", sys.executable, "-c", SIGNALLED_CHILD)
    assert proc.stdout is not None
    wait_for_line(proc.stdout, "ready")
    send(proc.pid)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 7, err
    assert f"child got {child_gets}" in out, out + err


def test_a_second_signal_is_passed_on_too():
    child = SIGNALLED_CHILD.replace("while not got", "while len(got) < 2")
    proc = start_run("--", sys.executable, "-c", child)
    assert proc.stdout is not None
    wait_for_line(proc.stdout, "ready")
    os.kill(proc.pid, signal.SIGINT)
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 7 and "child got ['SIGINT', 'SIGINT']" in out, out + err


def test_a_signal_while_waiting_for_the_lock_stops_waiting(tmp_path):
    proc = start_run("--lock-timeout", "10m", "--", *flaky_command(tmp_path, 100))
    assert proc.stderr is not None
    wait_for_line(proc.stderr, "waiting for it")
    os.kill(proc.pid, signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM
    assert "SIGTERM received while waiting to run the command; stopped" in err
    assert (tmp_path / "attempts").read_text() == "1", "not run again"


def test_the_command_gets_the_projects_engine_settings():
    env = {k: v for k, v in os.environ.items() if k not in SAFE_ENGINE_ENV}
    show = "import os; print([os.environ.get(k) for k in ('PULUMI_DIY_BACKEND_PARALLEL', 'X')])"
    proc = start_run("--", sys.executable, "-c", show, env={**env, "X": "kept"})
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and out == "['1', 'kept']\n", out + err
    proc = start_run("--", sys.executable, "-c", show, env={**env, "PULUMI_DIY_BACKEND_PARALLEL": "4"})
    assert proc.communicate(timeout=60)[0] == "['4', None]\n", "the environment's own value wins"


def test_a_signal_that_came_while_the_command_started_is_passed_on_once_it_runs():
    """The window between starting the command and knowing it: the signal is kept, then passed on."""
    forwarder = _Forwarder()
    forwarder._handle(signal.SIGTERM, None)  # no command known yet, not pausing
    with subprocess.Popen(
        [sys.executable, "-c", SIGNALLED_CHILD], stdout=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None
        wait_for_line(child.stdout, "ready")
        forwarder.running(child)
        assert child.wait(timeout=60) == 7
        assert "child got ['SIGTERM']" in child.stdout.read()
    assert forwarder.received == [signal.SIGTERM]
