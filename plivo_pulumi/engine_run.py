"""Which `pulumi` command started this provider process: whether `--target` / `--exclude` limit the
run (the unrent rule needs to know), and what to say when a credential is refused. Both front-ends
use it; the core does not (it receives `constrained` and the hint as callables).

The engine configures a provider with the stack config of the last deployment (saved in the state as
the default provider's inputs) whenever it does not run the program: `pulumi refresh`, `pulumi
destroy`, and the refresh phase of `preview --refresh` / `up --refresh`, unless `--run-program` (or
`PULUMI_RUN_PROGRAM=true`) is given. After a token rotation such a run fails with 401 although the
stack config holds the new token. The provider cannot see which config it was given, but it can see
the command line of the `pulumi` process that started it (Linux `/proc`), and say which case it is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# Subcommands whose reads use the saved config unless the program runs.
_SAVED_CONFIG_COMMANDS = ("refresh", "destroy", "preview", "up", "update")
_TRUE = ("1", "true", "yes")
_MAX_DEPTH = 6  # provider python <- shim sh <- pulumi, with room for wrappers


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


def _parent_pid(pid: int) -> int | None:
    stat = _read(Path(f"/proc/{pid}/stat"))
    if not stat:
        return None
    try:  # "pid (comm) state ppid ...": comm may hold spaces and parentheses
        return int(stat.rsplit(b")", 1)[1].split()[1])
    except (IndexError, ValueError):
        return None


def current_invocation() -> Invocation | None:
    """The command line of the nearest `pulumi` ancestor process, or None where it cannot be read."""
    pid: int | None = os.getppid()
    for _ in range(_MAX_DEPTH):
        if not pid or pid <= 1:
            return None
        cmdline = _read(Path(f"/proc/{pid}/cmdline"))
        if cmdline:
            argv = [a.decode(errors="replace") for a in cmdline.rstrip(b"\0").split(b"\0")]
            if argv and os.path.basename(argv[0]) == "pulumi":
                environ = _read(Path(f"/proc/{pid}/environ")) or b""
                run_program = any(
                    entry.split(b"=", 1)[1].decode(errors="replace").lower() in _TRUE
                    for entry in environ.split(b"\0")
                    if entry.startswith(b"PULUMI_RUN_PROGRAM=")
                )
                return Invocation(tuple(argv[1:]), run_program)
        pid = _parent_pid(pid)
    return None


def run_is_constrained() -> bool:
    """Whether `--target` / `--exclude` limit this run (the engine then checks only what they include)."""
    invocation = current_invocation()
    return invocation is not None and invocation.constrained


def run_is_cli_import() -> bool:
    """Whether `pulumi import` started this process: the engine then stores what a provider's Read
    returns as the resource's inputs, and Check only warns."""
    invocation = current_invocation()
    return invocation is not None and invocation.command == "import"


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
