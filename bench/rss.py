"""Peak resident memory of the processes an engine command starts, sampled from /proc.

A sampler thread walks the descendants of this process every `interval` seconds (through
`/proc/PID/task/TID/children`, or a full /proc scan where that file is missing) and keeps, per kind
of process, the largest `VmHWM` (the kernel's own high-water mark of resident memory) it has read:

  provider  the dynamic provider host (`python -m pulumi.dynamic`, started by the engine), or the
            native plugin (`pulumi-resource-plivo`)
  engine    the pulumi CLI itself

VmHWM is a high-water mark, so a sample taken at any time after the peak sees it; only growth in
the last `interval` before a process exits can be missed. Processes of other users of the machine
are never counted: only descendants of this process are.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from tests.support.processes import descendants

PROC = Path("/proc")


def vm_hwm_bytes(pid: int) -> int:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def classify(pid: int) -> str | None:
    try:
        argv = (PROC / str(pid) / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    if b"pulumi.dynamic" in argv or any(os.path.basename(a) == b"pulumi-resource-plivo" for a in argv):
        return "provider"
    if argv and os.path.basename(argv[0]) == b"pulumi":
        return "engine"
    return None


class PeakRss:
    """`with PeakRss() as peak: ...` then `peak.provider` / `peak.engine` in bytes (0: not seen)."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peaks: dict[str, int] = {"provider": 0, "engine": 0}
        self._kinds: dict[int, str | None] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peak-rss", daemon=True)

    @property
    def provider(self) -> int:
        return self.peaks["provider"]

    @property
    def engine(self) -> int:
        return self.peaks["engine"]

    def _sample(self) -> None:
        for pid in descendants(os.getpid()):
            kind = self._kinds.get(pid)
            if kind is None:  # not cached while unknown: a fresh child may not have exec'd yet
                kind = self._kinds[pid] = classify(pid)
            if kind is not None:
                self.peaks[kind] = max(self.peaks[kind], vm_hwm_bytes(pid))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
