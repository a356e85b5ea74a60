"""The journal that every provider process of one engine run shares: the memory behind `Deployment`.

The engine starts one plugin process per provider instance (the default `plivo` provider, each
explicit `plivo.Provider`, the dynamic provider), and the program runs in a process of its own. A
delete in one of them must see what Check, create or update noted in the others, so the memory is
one append-only file of JSON lines per engine run, in a private directory:

    <tempdir>/plivo-pulumi-<uid>/runs/<run key>/journal.jsonl

The front-end gives the run key (engine pid, its start time and port: see `plivo_pulumi.engine.invocation`);
the core never looks at processes. Appends are one `write` each under an exclusive `flock`; a claim
reads what is new, checks it and appends under that same lock, so two processes cannot both win a
number. Each reader keeps its offset and reads only what others appended since (a set of 10,000
numbers is read once per process). Any failure to open, read or write raises
`RunMemoryUnavailable`: the callers fail closed (a delete that would unrent refuses).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from plivo_pulumi.core.errors import PlivoError

JOURNAL = "journal.jsonl"
STALE_AFTER = 3600.0  # seconds without a write before a finished run's directory is removed


class RunMemoryUnavailable(PlivoError):
    """The memory shared by the processes of this engine run cannot be read or written."""


def runs_root() -> Path:
    """`<tempdir>/plivo-pulumi-<uid>/runs`: one user's runs, never shared with another user."""
    return Path(tempfile.gettempdir()) / f"plivo-pulumi-{os.getuid()}" / "runs"


def _private_dir(path: Path) -> None:
    """Create `path` (0700) if needed and refuse one that is a symlink, another user's, or open to
    others: someone else could then plant or edit the memory that guards unrents."""
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700)
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise RunMemoryUnavailable(f"{path} is not a plain directory")
    if info.st_uid != os.getuid():
        raise RunMemoryUnavailable(f"{path} belongs to another user (uid {info.st_uid})")
    if info.st_mode & 0o077:
        raise RunMemoryUnavailable(f"{path} is open to other users (mode {oct(info.st_mode & 0o777)})")


class Journal:
    """One engine run's journal file; `records` are dicts with a kind `k` (see `Deployment`)."""

    def __init__(
        self, key: str, root: Path | None = None, alive: Callable[[str], bool] | None = None
    ) -> None:
        if not key or "/" in key or key.startswith("."):
            raise RunMemoryUnavailable(f"bad run key {key!r}")
        root = root if root is not None else runs_root()
        self.path = root / key / JOURNAL
        self._offset = 0
        self._partial = b""
        try:
            _private_dir(root.parent)
            _private_dir(root)
            if alive is not None:
                remove_finished_runs(root, alive, keep=key)
            _private_dir(root / key)
            flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
            self._fd = os.open(self.path, flags, 0o600)
        except OSError as exc:
            raise RunMemoryUnavailable(f"cannot open {self.path}: {exc.strerror or exc}") from None

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """An exclusive lock on the journal (claims: read, check and append with no one between)."""
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except OSError as exc:
            raise RunMemoryUnavailable(f"cannot lock {self.path}: {exc.strerror or exc}") from None
        try:
            yield
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def read_new(self) -> list[dict[str, Any]]:
        """The records appended since the last call (whole lines only)."""
        try:
            size = os.fstat(self._fd).st_size
            chunks = []
            while self._offset < size:
                chunk = os.pread(self._fd, min(size - self._offset, 1 << 20), self._offset)
                if not chunk:
                    break
                chunks.append(chunk)
                self._offset += len(chunk)
        except OSError as exc:
            raise RunMemoryUnavailable(f"cannot read {self.path}: {exc.strerror or exc}") from None
        data = self._partial + b"".join(chunks)
        lines = data.split(b"\n")
        self._partial = lines.pop()  # an append seen half-way (none under the lock)
        records = []
        for line in lines:
            if not line:
                continue
            try:
                record = json.loads(line)
            except ValueError:
                raise RunMemoryUnavailable(f"{self.path} holds a line that is not JSON") from None
            if isinstance(record, dict):
                records.append(record)
        return records

    def append(self, record: dict[str, Any]) -> None:
        """Append one record with one write (O_APPEND), under the caller's lock or a lock of its own."""
        line = (json.dumps(record, separators=(",", ":")) + "\n").encode()
        try:
            written = os.write(self._fd, line)
        except OSError as exc:
            raise RunMemoryUnavailable(f"cannot write {self.path}: {exc.strerror or exc}") from None
        if written != len(line):
            raise RunMemoryUnavailable(f"cannot write {self.path}: short write")


def remove_finished_runs(
    root: Path, alive: Callable[[str], bool], keep: str, min_age: float = STALE_AFTER
) -> None:
    """Remove the directories of runs whose engine process is gone (`alive(key)` False) and that
    nothing wrote to for `min_age` seconds (a temp directory shared with another pid namespace
    could otherwise lose a live run's memory)."""
    try:
        entries = list(root.iterdir())
    except OSError:
        return
    now = time.time()
    for entry in entries:
        if entry.name == keep or entry.is_symlink() or not entry.is_dir():
            continue
        try:
            written = max(entry.stat().st_mtime, (entry / JOURNAL).stat().st_mtime)
        except OSError:
            written = 0.0
        if now - written < min_age:
            continue
        try:
            gone = not alive(entry.name)
        except Exception:  # a key we cannot judge is left alone
            continue
        if gone:
            shutil.rmtree(entry, ignore_errors=True)
