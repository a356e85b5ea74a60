"""Run a `pulumi` command, waiting (bounded) while another run holds the stack's lock.

Pulumi's DIY backends (file, S3, PostgreSQL) fail a second run of a stack at once with "the stack is
currently locked". A pipeline with several runners would rather wait, as Terraform's `-lock-timeout`
does. The command is run again only after it failed with that message, which means it did nothing;
the other run is never cancelled and its lock never removed. With the file backend a run can also
fail, before doing anything, with only `failed to load checkpoint: EOF`: it read the state in the
instant another run was rewriting it (the blob library rewrites the `.attrs` file beside the state in
place). That is the same situation, so it is waited out the same way, as is a run that found
another run's lock and could not read it: the backend lists the stack's locks, then reads each, and
the other run released its lock in between (the whole output is then the blob library's NotFound
error, naming the lock file or, on PostgreSQL, "key not found"). While waiting, each attempt says
who holds the lock (user@host, pid, since when). Used as `plivo-numbers run --lock-timeout 10m
-- pulumi up --yes ...` (docs/teams.md).

The EOF is not waited out when it comes from a sidecar that a crash left empty: it stays empty (no
run is writing it) and every command fails so until it is removed, so the wrapper names the file and
the fix at once.

SIGINT, SIGTERM and SIGHUP sent to the wrapper are passed on to the running command, which is then
waited for: the engine cancels gracefully (finishes the operations in flight, records them, releases
the lock) only if it lives to do so, and a wrapper that died first closed its output pipe under it.
The command runs in a process group of its own, so a terminal's Ctrl-C (sent to the whole foreground
group) reaches it once, through the wrapper, not twice (a second ^C terminates the engine at once).
SIGHUP is passed on as SIGTERM, which the engine treats as a cancel (it dies on SIGHUP).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TextIO
from urllib.parse import unquote, urlparse

from plivo_pulumi.engine.settings import safe_engine_env

LOCKED = "the stack is currently locked"
# The whole output of a run that read the state while another run was writing it (see above).
STATE_MID_WRITE = "error: failed to load checkpoint: EOF"
# The whole output of a run whose lock check read a lock that was released in between (see above):
# the engine prints the blob library's error as "2 errors occurred: 1) <the read's error> 2) NotFound".
_LOCK_GONE = re.compile(
    r"error: 2 errors occurred:\n"
    r"1\) (.*/\.pulumi/locks/.*: no such file or directory|key not found: sql: no rows in result set)\n"
    r"2\) NotFound"
)
_HOLDER = re.compile(r"created by (?P<who>\S+) \(pid (?P<pid>\d+)\) at (?P<since>\S+)")
_DURATION = re.compile(r"(?P<value>\d+(?:\.\d+)?)(?P<unit>[smh]?)")
# Seconds between attempts: quick at first, then every 15 s.
_PAUSES = (2.0, 5.0, 10.0, 15.0)


def parse_duration(text: str) -> float:
    """ "600", "90s", "10m", "1h" -> seconds. ValueError names the accepted forms."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a duration; write seconds (600) or 90s, 10m, 1h")
    return float(match["value"]) * {"": 1, "s": 1, "m": 60, "h": 3600}[match["unit"]]


@dataclass
class Holder:
    who: str
    pid: str
    since: str

    def __str__(self) -> str:
        return f"{self.who} (pid {self.pid}, since {self.since})"


def lock_holder(output: str) -> Holder | None:
    """Who holds the lock, from the output of a command that failed on it; None if it did not."""
    if LOCKED not in output:
        return None
    match = _HOLDER.search(output)
    return Holder(match["who"], match["pid"], match["since"]) if match else Holder("another run", "?", "?")


def busy_reason(output: str) -> str | None:
    """Why a failed command did nothing because another run holds the stack ("locked by ..."), or None
    when it failed for any other reason."""
    holder = lock_holder(output)
    if holder is not None:
        return f"locked by {holder}"
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if lines == [STATE_MID_WRITE]:
        return "being written by another run (its state was read mid-write: failed to load checkpoint: EOF)"
    if _LOCK_GONE.fullmatch("\n".join(lines)):
        return "locked a moment ago (the other run's lock was released while this run read it)"
    return None


# Signals passed on to the command, as the signal it gets (see the module's docstring).
_FORWARDED = {signal.SIGINT: signal.SIGINT, signal.SIGTERM: signal.SIGTERM, signal.SIGHUP: signal.SIGTERM}


class Interrupted(Exception):
    """A signal came while no command was running (between attempts): nothing more is run."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass
class _Forwarder:
    """While active (main thread only: Python runs signal handlers there), catches the signals of
    `_FORWARDED`, notes them and passes each on to the running command; between commands, a signal
    raises `Interrupted` out of the pause."""

    child: subprocess.Popen[str] | None = None
    received: list[int] = field(default_factory=list)
    pausing: bool = False
    _pending: list[int] = field(default_factory=list)

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        self.received.append(signum)
        if self.child is not None:
            self.child.send_signal(_FORWARDED[signal.Signals(signum)])  # no-op once it has exited
        elif self.pausing:
            raise Interrupted(signum)
        else:
            self._pending.append(signum)

    def running(self, child: subprocess.Popen[str]) -> None:
        """`child` was started: it gets from now on the signals, and those that came while it started."""
        self.child = child
        while self._pending:
            child.send_signal(_FORWARDED[signal.Signals(self._pending.pop(0))])

    @contextmanager
    def active(self) -> Iterator[_Forwarder]:
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = {sig: signal.signal(sig, self._handle) for sig in _FORWARDED}
        try:
            yield self
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    @contextmanager
    def pause(self) -> Iterator[None]:
        self.pausing = True
        try:
            if self.received:
                raise Interrupted(self.received[-1])
            yield
        finally:
            self.pausing = False


def empty_sidecars(pulumi: str, *, settle: float = 1.0) -> list[Path]:
    """The `.attrs` sidecars of the stack's file backend that are empty and stay so for `settle`
    seconds, with the backend's folder from `pulumi whoami --json` (the engine's own reading of the
    environment, the project and the login). Another run's rewrite empties one for microseconds; one
    a crash emptied stays so. [] for other backends or when the backend cannot be told."""
    try:
        done = subprocess.run(
            [pulumi, "whoami", "--json", "--non-interactive"],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            env=safe_engine_env(os.environ),
            timeout=60,
            check=False,
        )
        url = urlparse(str(json.loads(done.stdout)["url"]))
    except (OSError, ValueError, KeyError, TypeError, subprocess.TimeoutExpired):
        return []
    if url.scheme != "file":
        return []

    def empty() -> dict[Path, int]:
        found = {}
        for path in (Path(unquote(url.path)) / ".pulumi").rglob("*.attrs"):
            try:
                info = path.stat()
            except OSError:
                continue
            if info.st_size == 0:
                found[path] = info.st_mtime_ns
        return found

    first = empty()
    if not first:
        return []
    time.sleep(settle)
    second = empty()
    return sorted(path for path, mtime in first.items() if second.get(path) == mtime)


def _run_once(argv: Sequence[str], out: TextIO, forwarder: _Forwarder) -> tuple[int, str]:
    """Run the command, copying its output (stdout and stderr) to `out` as it comes, with the
    project's engine settings in its environment (engine/settings.py), until it exits."""
    lines: list[str] = []
    if forwarder.received:  # stopped before it started
        raise Interrupted(forwarder.received[-1])
    with subprocess.Popen(
        list(argv),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env=safe_engine_env(os.environ),
        process_group=0,
    ) as proc:
        forwarder.running(proc)
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                out.write(line)
                out.flush()
                lines.append(line)
            code = proc.wait()
        finally:
            forwarder.child = None
    # Killed by a signal: the exit code a shell reports for it (128 + the signal's number).
    return (code if code >= 0 else 128 - code), "".join(lines)


def run_waiting_for_lock(
    argv: Sequence[str],
    lock_timeout: float,
    *,
    out: TextIO,
    err: TextIO,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    find_empty_sidecars: Callable[[str], list[Path]] = empty_sidecars,
) -> int:
    """The command's exit code; while it fails on the stack's lock, run it again until `lock_timeout`
    seconds have passed since the first attempt. A signal is passed on to the command (module
    docstring); after one, nothing is run again, and one between attempts ends the wait (128 + its
    number, as a shell reports it)."""
    forwarder = _Forwarder()
    with forwarder.active():
        try:
            return _attempts(
                argv,
                lock_timeout,
                forwarder,
                out=out,
                err=err,
                sleep=sleep,
                clock=clock,
                find_empty_sidecars=find_empty_sidecars,
            )
        except Interrupted as stop:
            err.write(f"plivo-numbers: {stop} received while waiting to run the command; stopped\n")
            err.flush()
            return 128 + stop.signum


def _attempts(
    argv: Sequence[str],
    lock_timeout: float,
    forwarder: _Forwarder,
    *,
    out: TextIO,
    err: TextIO,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
    find_empty_sidecars: Callable[[str], list[Path]],
) -> int:
    started = clock()
    attempt = 0
    while True:
        code, output = _run_once(argv, out, forwarder)
        reason = busy_reason(output) if code != 0 else None
        if reason is None or forwarder.received:
            return code
        if STATE_MID_WRITE in output:
            pulumi = argv[0] if Path(argv[0]).name == "pulumi" else "pulumi"
            emptied = find_empty_sidecars(pulumi)
            if emptied:
                files = " ".join(shlex.quote(str(path)) for path in emptied)
                err.write(
                    f"plivo-numbers: the stack's state cannot be read: {files} "
                    f"{'is' if len(emptied) == 1 else 'are'} empty, as a crash leaves a file backend's "
                    "sidecar, and no run is writing it; every command fails so until it is removed "
                    "(the state itself is intact). Remove it, then follow the crash recovery "
                    f"(README, 'When a run is interrupted'): rm {files}\n"
                )
                return code
        waited = clock() - started
        left = lock_timeout - waited
        if left <= 0:
            err.write(
                f"plivo-numbers: the stack is still {reason} after {waited:.0f} s; giving up "
                "(the other run was left alone; never `pulumi cancel` a run that is still alive)\n"
            )
            return code
        pause = min(_PAUSES[min(attempt, len(_PAUSES) - 1)], left)
        err.write(
            f"plivo-numbers: the stack is {reason}; waiting for it ({left:.0f} s left of "
            f"--lock-timeout), next attempt in {pause:.0f} s\n"
        )
        err.flush()
        with forwarder.pause():
            sleep(pause)
        attempt += 1
