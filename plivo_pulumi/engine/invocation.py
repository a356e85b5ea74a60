"""Which `pulumi` command started this provider process: whether `--target` / `--exclude` limit the
run (the unrent rule needs to know), and what to say when a credential is refused. Both front-ends
use it; the core does not (it receives `constrained` and the hint as callables).

The engine configures a provider with the stack config of the last deployment (saved in the state as
the default provider's inputs) whenever it does not run the program: `pulumi refresh`, `pulumi
destroy`, and the refresh phase of `preview --refresh` / `up --refresh`, unless `--run-program` (or
`PULUMI_RUN_PROGRAM=true`) is given. After a token rotation such a run fails with 401 although the
stack config holds the new token. The provider cannot see which config it was given, but it can see
the command line of the `pulumi` process that started it (Linux `/proc`), and say which case it is.

The engine process of this run is found by what it does, not by its name (a `pulumi-3.274.1`
symlink or a renamed copy must work): every plugin, and the program, is started with the engine's
gRPC address; the ancestor process that holds the listening socket of that address is the engine.
Failing that, the nearest ancestor whose executable (symlinks resolved) is `pulumi`. The engine's
pid, start time and port make the key of the run's shared memory (`run_deployment`): a `pulumi up`
runs its preview and its update in one process, each with an engine server of its own, so they do
not share it, and neither does a later run or another stack's `pulumi` beside it. When this process
was started with an engine address but the engine cannot be found or its command line read, the
run's limits are unknown: `run_is_constrained` and the memory's questions raise, and a delete that
would unrent refuses (fail closed).
"""

from __future__ import annotations

import functools
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from plivo_pulumi.core.deployment import DEPLOYMENT, Deployment
from plivo_pulumi.core.errors import PlivoError
from plivo_pulumi.core.run_journal import Journal, RunMemoryUnavailable

# Subcommands whose reads use the saved config unless the program runs.
_SAVED_CONFIG_COMMANDS = ("refresh", "destroy", "preview", "up", "update")
_TRUE = ("1", "true", "yes")
_MAX_DEPTH = 8  # program python <- language host <- pulumi, with room for shims and wrappers
_ADDRESS = re.compile(r"^(?:127\.0\.0\.1|localhost|\[::1\]|0\.0\.0\.0|[0-9.]+):([0-9]{1,5})$")


@dataclass(frozen=True)
class Invocation:
    """The `pulumi` command line that started this process (argv without the executable)."""

    args: tuple[str, ...]
    run_program_env: bool = False

    @property
    def command(self) -> str:
        for arg in self.args:
            if not arg.startswith("-"):
                return arg
        return ""

    def _flag(self, name: str) -> bool | None:
        value: bool | None = None
        for arg in self.args:
            if arg == f"--{name}":
                value = True
            elif arg.startswith(f"--{name}="):
                value = arg.split("=", 1)[1].lower() in _TRUE
        return value

    @property
    def constrained(self) -> bool:
        """Whether `--target` / `--exclude` limit the run (an update or a preview): the engine then
        checks only the resources included, so the provider does not see everything the code declares."""
        if self.command not in ("preview", "up", "update"):
            return False
        names = ("--target", "--exclude")
        return any(a == "-t" or a in names or a.startswith(tuple(f"{n}=" for n in names)) for a in self.args)

    @property
    def runs_program(self) -> bool:
        """Whether the engine runs the program (so providers get the current config) for its reads."""
        if self.command in ("preview", "up", "update") and not self._flag("refresh"):
            return True  # no refresh phase: every read follows the program
        flag = self._flag("run-program")
        return self.run_program_env if flag is None else flag

    @property
    def replaces_application(self) -> bool:
        """Whether `--replace` / `--target-replace` name an Application's URN (`up` or `preview`)."""
        if self.command not in ("preview", "up", "update"):
            return False
        urns: list[str] = []
        for index, arg in enumerate(self.args):
            for name in ("--replace", "--target-replace"):
                if arg == name and index + 1 < len(self.args):
                    urns.append(self.args[index + 1])
                elif arg.startswith(f"{name}="):
                    urns.append(arg.split("=", 1)[1])
        types = [urn.split("::")[-2].rsplit("$", 1)[-1] for urn in urns if urn.count("::") >= 3]
        return any(token.endswith(":Application") for token in types)

    @property
    def refreshes_first(self) -> bool:
        """Whether the engine reads every resource of the state before the update (`--refresh`
        without `--run-program`, which instead refreshes as the program registers them)."""
        refresh = self._flag("refresh") or "-r" in self.args
        flag = self._flag("run-program")
        run_program = self.run_program_env if flag is None else flag
        return bool(refresh) and not run_program

    def shown(self) -> str:
        """The command as a user would type it (flags that carry values are kept as given)."""
        return " ".join(("pulumi", *self.args))

    def with_run_program(self) -> str:
        args = [a for a in self.args if a != "--run-program" and not a.startswith("--run-program=")]
        return " ".join(("pulumi", *args, "--run-program"))


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _stat_fields(pid: int) -> list[bytes] | None:
    """The fields of /proc/<pid>/stat after the command name (field 3, the state, first)."""
    stat = _read(Path(f"/proc/{pid}/stat"))
    if not stat:
        return None
    fields = stat.rsplit(b")", 1)[-1].split()  # "pid (comm) state ...": comm may hold ")" and spaces
    return fields if len(fields) > 19 else None


def _parent_pid(pid: int) -> int | None:
    fields = _stat_fields(pid)
    try:
        return int(fields[1]) if fields else None
    except ValueError:
        return None


def start_time(pid: int) -> str | None:
    """Field 22 of /proc/<pid>/stat (clock ticks since boot): with the pid, names one process."""
    fields = _stat_fields(pid)
    return fields[19].decode() if fields else None


def engine_address_of(argv: list[str]) -> str | None:
    """The engine's gRPC address in a command line: `--engine ADDRESS` (the program), else the first
    argument shaped like `127.0.0.1:PORT` (a plugin: `pulumi-resource-plivo ADDRESS`, `python -m
    pulumi.dynamic ADDRESS`)."""
    for i, arg in enumerate(argv):
        if arg == "--engine" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--engine="):
            return arg.split("=", 1)[1]
    return next((arg for arg in argv[1:] if _ADDRESS.match(arg)), None)


def _argv(pid: int | str) -> list[str] | None:
    cmdline = _read(Path(f"/proc/{pid}/cmdline"))
    if not cmdline:
        return None
    return [a.decode(errors="replace") for a in cmdline.rstrip(b"\0").split(b"\0")]


@functools.cache
def process_engine_address() -> str | None:
    """The engine address this process was started with (None: not started by an engine). Without
    /proc, `sys.argv`: a plugin started by an engine then knows it was, and fails closed."""
    return engine_address_of(_argv("self") or list(sys.argv))


def _listening_inodes(port: int) -> set[str]:
    """Socket inodes listening on TCP `port` (IPv4 and IPv6)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in (_read(Path(table)) or b"").decode(errors="replace").splitlines()[1:]:
            fields = line.split()
            if len(fields) > 9 and fields[3] == "0A" and fields[1].rsplit(":", 1)[-1] == f"{port:04X}":
                inodes.add(fields[9])
    return inodes


def _holds_socket(pid: int, inodes: set[str]) -> bool:
    wanted = {f"socket:[{inode}]" for inode in inodes}
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") in wanted:
                return True
        except OSError:
            continue
    return False


def _is_pulumi(pid: int) -> bool:
    try:
        return os.path.basename(os.readlink(f"/proc/{pid}/exe")) == "pulumi"
    except OSError:
        return False


@dataclass(frozen=True)
class Engine:
    """The engine process of this run."""

    pid: int
    start: str
    port: int  # 0 when this process was given no engine address

    @property
    def key(self) -> str:
        """The run's key: another run, or the other half of a `pulumi up`, has another one."""
        return f"{self.pid}-{self.start}-{self.port}"


def _ancestors() -> list[int]:
    pids: list[int] = []
    pid: int | None = os.getppid()
    while pid and pid > 1 and len(pids) < _MAX_DEPTH:
        pids.append(pid)
        pid = _parent_pid(pid)
    return pids


def find_engine(address: str | None) -> Engine | None:
    """The ancestor process that serves `address` (else the nearest `pulumi` executable), or None."""
    match = _ADDRESS.match(address or "")
    port = int(match.group(1)) if match else 0
    ancestors = _ancestors()
    inodes = _listening_inodes(port) if port else set()
    found = next((pid for pid in ancestors if inodes and _holds_socket(pid, inodes)), None)
    if found is None:
        found = next((pid for pid in ancestors if _is_pulumi(pid)), None)
    started = start_time(found) if found else None
    return Engine(found, started, port) if found and started else None


@functools.cache
def current_engine() -> Engine | None:
    """The engine of the run that started this process (found once: it does not change)."""
    return find_engine(process_engine_address())


def engine_alive(key: str) -> bool:
    """Whether the engine process of a run key (`pid-start-port`) still runs."""
    pid, start, _port = key.split("-")
    return start_time(int(pid)) == start


def current_invocation() -> Invocation | None:
    """The command line of this run's engine process, or None where it cannot be read."""
    engine = current_engine()
    if engine is None:
        return None
    argv = _argv(engine.pid)
    if not argv:
        return None
    environ = _read(Path(f"/proc/{engine.pid}/environ")) or b""
    run_program = any(
        entry.split(b"=", 1)[1].decode(errors="replace").lower() in _TRUE
        for entry in environ.split(b"\0")
        if entry.startswith(b"PULUMI_RUN_PROGRAM=")
    )
    return Invocation(tuple(argv[1:]), run_program)


class EngineUnknownError(PlivoError):
    """This process was started by an engine whose process or command line cannot be read."""


def run_is_constrained() -> bool:
    """Whether `--target` / `--exclude` limit this run (the engine then checks only what they include).
    Raises `EngineUnknownError` when an engine started this process but its command line cannot be
    read: the run may be limited, so a delete that would unrent must refuse."""
    invocation = current_invocation()
    if invocation is None:
        if process_engine_address() is None:
            return False  # not under an engine (in-process use): nothing limits the run
        raise EngineUnknownError(
            "the command line of the `pulumi` process of this run cannot be read (/proc), so whether "
            "--target/--exclude limit it is unknown, and a resource left out of the run may still "
            "declare the number. Nothing was unrented. Run where the provider can read the engine's "
            "/proc entries (same user, /proc mounted without hidepid), or delete the resource with "
            "unrentOnDelete false and unrent the number in the console."
        )
    return invocation.constrained


def run_is_cli_import() -> bool:
    """Whether `pulumi import` started this process: the engine then stores what a provider's Read
    returns as the resource's inputs, and Check only warns."""
    invocation = current_invocation()
    return invocation is not None and invocation.command == "import"


def run_replaces_unread_application() -> bool:
    """Whether this run replaces an Application by URN (`up --replace`) with no refresh before it:
    the engine then gives the replacement's create nothing of the old resource's state (whether the
    stack made its application). A command line that cannot be read: False (the create adopts)."""
    invocation = current_invocation()
    return invocation is not None and invocation.replaces_application and not invocation.refreshes_first


@functools.cache
def run_deployment() -> Deployment:
    """The memory this process shares with every process of its engine run (the journal keyed by
    the engine's pid, start time and port). Not started by an engine: the process's own memory.
    Started by one that cannot be found, or a journal that cannot be opened: a memory that refuses
    to answer what guards a delete (fail closed), saying why."""
    if process_engine_address() is None:
        return DEPLOYMENT
    engine = current_engine()
    why = "this run's engine process (`pulumi`) cannot be found in /proc"
    if engine is not None:
        try:
            return Deployment(Journal(engine.key, alive=engine_alive))
        except RunMemoryUnavailable as exc:
            why = str(exc)
    return Deployment(
        unavailable=(
            f"the memory shared by the provider processes of this run is unavailable ({why}), so "
            "whether another resource of the stack declares it is unknown. Nothing was deleted or "
            "unrented. Fix the cause (TMPDIR must be a directory of yours; the provider must read the "
            "engine's /proc entries) and run again."
        )
    )


GENERAL_HINT = (
    "Note: `pulumi refresh`, `pulumi destroy` and the refresh of `preview --refresh` / `up --refresh` "
    "give the provider the plivo:* config saved in the state at the last deployment, unless they run "
    "the program: after changing plivo:authToken, plivo:authId or plivo:baseUrl, add `--run-program` "
    "(or set PULUMI_RUN_PROGRAM=true) so they use the stack's current config."
)


def saved_config_hint(invocation: Invocation | None = None) -> str:
    """What to tell a user whose credentials were refused during a read or a delete."""
    invocation = invocation if invocation is not None else current_invocation()
    if invocation is None or invocation.command not in _SAVED_CONFIG_COMMANDS:
        return GENERAL_HINT
    if invocation.runs_program:
        return (
            "This run used the stack's current config (it ran the program): fix the token with "
            '`printf %s "$PLIVO_AUTH_TOKEN" | pulumi config set --secret plivo:authToken` (the token from '
            "standard input, never on a command line)."
        )
    return (
        f"This run (`{invocation.shown()}`) did not run the program, so the provider used the plivo:* "
        "config saved in the state at the last deployment, not the stack's current config. If "
        "plivo:authToken (or plivo:authId, plivo:baseUrl) changed since, rerun with the current config: "
        f"`{invocation.with_run_program()}` (or set PULUMI_RUN_PROGRAM=true)."
    )
