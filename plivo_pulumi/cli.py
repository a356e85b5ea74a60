"""``plivo-numbers``: command-line tools around the Plivo number bindings.

``plivo-numbers audit --stack NAME [--cwd DIR] [--json] [--number-type T] [--number-startswith P]
[--subaccount SA] [--services S] [--quiet]`` compares the live account with a stack's state (see
docs/audit.md). Exit codes: 0 clean, 1 findings, 2 error.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from typing import TextIO

from plivo_pulumi.audit import AuditError, render_json, render_table, run_audit
from plivo_pulumi.engine.lock_wait import parse_duration, run_waiting_for_lock
from plivo_pulumi.version import __version__

__all__ = ["main", "build_parser"]

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


class _Progress:
    """Progress on stderr. The listing's page count overwrites itself on a terminal and is printed at
    most once a second otherwise (always the last one); notes always print."""

    def __init__(self, stream: TextIO, *, quiet: bool, interval: float = 1.0) -> None:
        self.stream = stream
        self.quiet = quiet
        self.interval = interval
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._last: float | None = None
        self._pending: str | None = None
        self._open_line = False

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def page(self, fetched: int, total: int) -> None:
        """Called after each page of the account's listing."""
        if self.quiet:
            return
        message = f"listed {fetched}/{total} numbers"
        if self.tty:
            self._write(f"\r\x1b[Kaudit: {message}")
            self._open_line = True
            return
        now = time.monotonic()
        if self._last is None or now - self._last >= self.interval:
            self._write(f"audit: {message}\n")
            self._last = now
            self._pending = None
        else:
            self._pending = message

    def note(self, message: str) -> None:
        """An event worth a line of its own (a check started, a secret that could not be read)."""
        self.flush()
        self._write(f"audit: {message}\n")

    def flush(self) -> None:
        if self._open_line:
            self._write("\n")
            self._open_line = False
        if self._pending is not None:
            self._write(f"audit: {self._pending}\n")
            self._pending = None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plivo-numbers",
        description="Tools for Plivo phone-number bindings managed with Pulumi.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    audit = commands.add_parser(
        "audit",
        help="compare the live Plivo account with a stack's state",
        description=(
            "Compare the live Plivo account (List API, all pages) with the numbers a Pulumi stack "
            "manages (dynamic, native and YAML resources; each against the account of its provider), "
            "and report unmanaged numbers, drifted bindings and managed numbers no longer rented. "
            "Exit 0: clean; 1: findings; 2: error."
        ),
    )
    audit.add_argument(
        "--stack",
        required=True,
        action="append",
        metavar="NAME",
        help="the stack whose state is audited; repeat it to audit several stacks of one account "
        "together (numbers managed in more than one are reported)",
    )
    audit.add_argument(
        "--cwd", metavar="DIR", help="the Pulumi project directory (default: the current directory)"
    )
    audit.add_argument("--json", action="store_true", help="print a JSON document instead of a table")
    audit.add_argument(
        "--number-type", metavar="T", help="list only numbers of this type (local, tollfree, ...)"
    )
    audit.add_argument(
        "--number-startswith", metavar="P", help="list only numbers starting with these digits"
    )
    audit.add_argument("--subaccount", metavar="SA", help="list only numbers of this subaccount (auth_id)")
    audit.add_argument(
        "--services", metavar="S", help="list only numbers with these services (voice,sms,mms)"
    )
    audit.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    run = commands.add_parser(
        "run",
        help="run a pulumi command, waiting while another run holds the stack's lock",
        description=(
            "Run COMMAND (a pulumi command); while it fails because another run holds the stack's "
            "lock, say who holds it and run it again, until --lock-timeout. The other run is never "
            "cancelled. SIGINT (Ctrl-C) and SIGTERM are passed on to the command, which is waited "
            "for. Exit: the command's exit code."
        ),
    )
    run.add_argument(
        "--lock-timeout",
        default="0",
        metavar="DURATION",
        help="how long to wait for the lock: seconds (600) or 90s, 10m, 1h (default 0: do not wait)",
    )
    run.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- COMMAND ...")
    return parser


def _audit(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    if args.cwd is not None and not os.path.isdir(args.cwd):
        print(f"plivo-numbers audit: error: --cwd {args.cwd!r} is not a directory", file=stderr)
        return EXIT_ERROR
    progress = _Progress(stderr, quiet=args.quiet)
    filters = {
        "number_type": args.number_type,
        "number_startswith": args.number_startswith,
        "subaccount": args.subaccount,
        "services": args.services,
    }
    try:
        report = run_audit(
            args.stack, cwd=args.cwd, filters=filters, note=progress.note, on_page=progress.page
        )
    except AuditError as exc:
        progress.flush()
        print(f"plivo-numbers audit: error: {exc}", file=stderr)
        return EXIT_ERROR
    progress.flush()
    stdout.write(render_json(report) if args.json else render_table(report))
    stdout.flush()
    return report.exit_code


def _run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    command = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not command:
        print("plivo-numbers run: error: give the command after --, like: -- pulumi up --yes", file=stderr)
        return EXIT_ERROR
    try:
        timeout = parse_duration(args.lock_timeout)
    except ValueError as exc:
        print(f"plivo-numbers run: error: --lock-timeout: {exc}", file=stderr)
        return EXIT_ERROR
    try:
        return run_waiting_for_lock(command, timeout, out=stdout, err=stderr)
    except FileNotFoundError:
        print(f"plivo-numbers run: error: {command[0]!r} is not on PATH", file=stderr)
        return EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``plivo-numbers`` console script; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version (0) and usage errors (2)
        return int(exc.code or 0) if isinstance(exc.code, int) or exc.code is None else EXIT_ERROR
    if args.command == "run":
        return _run(args, sys.stdout, sys.stderr)
    if args.command == "audit":
        try:
            return _audit(args, sys.stdout, sys.stderr)
        except KeyboardInterrupt:
            print("plivo-numbers audit: interrupted", file=sys.stderr)
            return EXIT_ERROR
        except Exception as exc:  # a crash must not look like exit 1 (findings)
            print(f"plivo-numbers audit: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
            return EXIT_ERROR
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover - argparse rejects it first
    return EXIT_ERROR  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
