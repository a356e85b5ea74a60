"""The numbers that a resource of the current deployment declares, as its Check saw them.

The engine calls Check for every resource the program registers before it deletes any resource the
program dropped (deletes come last, pending deletes of replaced resources included), in this same
provider process. So when an `Application` is deleted, a number linked to it that a Check saw is
the stack's own and still declared: its resource keeps it on this application (for example with
`ignore_changes=["app_id"]`), and the delete must say so rather than call it a number outside the
stack. A `destroy` runs no Check: every number of the stack is then released, not declared.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

_DECLARED: set[str] = set()
_LOCK = threading.Lock()


def note_declared(numbers: Iterable[object]) -> None:
    """Record the numbers a Check saw (only normalized digit strings: unknowns and typos are not
    numbers of the stack)."""
    known = [n for n in numbers if isinstance(n, str) and n.isascii() and n.isdigit()]
    with _LOCK:
        _DECLARED.update(known)


def declared_in_this_deployment(number: str) -> bool:
    with _LOCK:
        return number in _DECLARED


def forget_declared() -> None:
    """Start afresh (for tests that run several deployments' provider calls in one process)."""
    with _LOCK:
        _DECLARED.clear()
