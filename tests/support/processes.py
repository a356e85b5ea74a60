"""The descendants of a process, from /proc: the fault tests wait for and kill process trees with
it, and the bench samples their memory (bench/rss.py)."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

PROC = Path("/proc")


def _children_of(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list((PROC / str(pid) / "task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return found


def _children_by_scan(pid: int) -> list[int]:
    found: list[int] = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and fields[1] == str(pid):
            found.append(int(entry.name))
    return found


_HAS_CHILDREN_FILE = (PROC / "self" / "task" / str(os.getpid()) / "children").exists()


def descendants(root: int) -> list[int]:
    children = _children_of if _HAS_CHILDREN_FILE else _children_by_scan
    todo, seen = [root], []
    while todo:
        for child in children(todo.pop()):
            if child not in seen:
                seen.append(child)
                todo.append(child)
    return seen


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent to reap it does not count)."""
    try:
        with open(PROC / str(pid) / "stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def kill_tree(pid: int) -> list[int]:
    """SIGKILL `pid` and every process under it, as a dead machine would: the engine starts its
    plugins in process groups of their own, so killing the CLI's group alone leaves them running.
    Returns the pids killed."""
    tree = [pid, *descendants(pid)]
    for each in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(each, signal.SIGKILL)
    return tree
