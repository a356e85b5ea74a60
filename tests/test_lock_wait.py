"""`plivo-numbers run --lock-timeout`: a command that failed on the stack's lock is run again, saying
who holds it, until the timeout; any other outcome is returned at once."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from plivo_pulumi.cli import main as cli_main
from plivo_pulumi.lock_wait import busy_reason, lock_holder, parse_duration, run_waiting_for_lock

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
    code = run_waiting_for_lock(command, 600, out=out, err=err, sleep=pauses.append)
    assert code == 0 and (tmp_path / "attempts").read_text() == "2" and pauses == [2.0]
    assert "being written by another run" in err.getvalue()


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
