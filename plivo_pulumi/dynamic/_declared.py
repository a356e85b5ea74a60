"""What the code declares in the current deployment, as this provider process saw it.

The engine starts one dynamic-provider process per deployment, calls Check for every resource the
program registers (only the targeted ones under `--target` / `--exclude`) and deletes the resources
the program dropped only after the program has registered all the others (pending deletes of
replaced resources included). So by the time a delete runs, every number and every adopted
application that the code declares has been noted here, by a Check or by a create/update:

* a delete never unrents a declared number (`_lifecycle.numbers_to_unrent`): after a failed, crashed
  or cancelled run the state can hold one number under two resources (a move or a rename that did
  not finish), and only the current code decides;
* an `Application`'s delete never deletes an application that another `Application` of the
  deployment adopts or created, and names a linked number the stack still declares as the stack's;
* `destroy` runs no Check: nothing is declared then.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

_NUMBERS: set[str] = set()
_APPLICATIONS: set[str] = set()
_LOCK = threading.Lock()


def note_declared(numbers: Iterable[object]) -> None:
    """Record the numbers a Check saw or a create/update adopted (only normalized digit strings:
    unknowns and typos are not numbers of the stack)."""
    known = [n for n in numbers if isinstance(n, str) and n.isascii() and n.isdigit()]
    with _LOCK:
        _NUMBERS.update(known)


def declared_in_this_deployment(number: str) -> bool:
    with _LOCK:
        return number in _NUMBERS


def note_declared_application(app_id: object) -> None:
    """Record an application an `Application` of this deployment adopts (`import_`) or created."""
    if isinstance(app_id, str) and app_id.isascii() and app_id.isdigit():
        with _LOCK:
            _APPLICATIONS.add(app_id)


def application_declared_in_this_deployment(app_id: str) -> bool:
    with _LOCK:
        return app_id in _APPLICATIONS


def forget_declared() -> None:
    """Start afresh (for tests that run several deployments' provider calls in one process)."""
    with _LOCK:
        _NUMBERS.clear()
        _APPLICATIONS.clear()
