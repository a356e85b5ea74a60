"""The memory of one deployment, as a provider process sees it, and the rule of one number, one owner.

The engine starts one provider process per deployment, calls Check for every resource the program
registers (only the targeted ones under `--target` / `--exclude`) and deletes the resources the
program dropped only after the program has registered all the others (pending deletes of replaced
resources included). So by the time a delete runs, every number and every adopted application that
the code declares has been noted here, by a Check or by a create/update:

* a delete never unrents a declared number (`lifecycle.safety.numbers_to_unrent`): after a failed,
  crashed or cancelled run the state can hold one number under two resources (a move or a rename
  that did not finish), and only the current code decides;
* an `Application`'s delete never deletes an application that another `Application` of the
  deployment adopts or created, and names a linked number the stack still declares as the stack's;
  it may unlink the numbers this deployment released (their resources were deleted or left a set);
* `destroy` runs no Check: nothing is declared then.

`claim` is the rule that one number has one owner in a deployment (two resources managing one number
would undo each other's writes, and deleting one could unrent what the other manages): the dynamic
front-end applies it in the program, per run; a front-end whose Check sees every resource applies it
there, on `DEPLOYMENT`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TypeGuard

from plivo_pulumi.core.errors import PlivoError


def _digits(value: object) -> TypeGuard[str]:
    """Only normalized digit strings are numbers or app ids of the stack (not unknowns, not typos)."""
    return isinstance(value, str) and value.isascii() and value.isdigit()


class Deployment:
    """What the code of the current deployment declares and what it let go; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._numbers: set[str] = set()
        self._applications: set[str] = set()
        self._released: set[str] = set()
        self._app_owners: dict[str, str] = {}
        self._claims: dict[str, str] = {}
        self._app_names: dict[tuple[str, str], str] = {}

    # -- what the code declares ------------------------------------------------------------------

    def note_declared(self, numbers: Iterable[object]) -> None:
        """Record the numbers a Check saw or a create/update adopted."""
        known = [n for n in numbers if _digits(n)]
        with self._lock:
            self._numbers.update(known)

    def declares(self, number: str) -> bool:
        with self._lock:
            return number in self._numbers

    def note_declared_application(self, app_id: object) -> None:
        """Record an application an `Application` of this deployment adopts (`import_`) or created."""
        if _digits(app_id):
            with self._lock:
                self._applications.add(app_id)

    def declares_application(self, app_id: str) -> bool:
        with self._lock:
            return app_id in self._applications

    # -- what it let go, and who owns which application ------------------------------------------

    def mark_released(self, numbers: Iterable[str]) -> None:
        """Numbers whose resource this deployment deleted or released (the stack stopped managing
        them): an `Application` deleted later in the deployment may unlink them."""
        with self._lock:
            self._released.update(numbers)

    def released(self, number: str) -> bool:
        with self._lock:
            return number in self._released

    def note_application_owner(self, app_id: str, owner: str) -> None:
        """The account that owns an application an `Application` of this deployment created or read:
        the numbers bound to it report its URI under that account."""
        with self._lock:
            self._app_owners[app_id] = owner

    def application_owner(self, app_id: str, default: str) -> str:
        with self._lock:
            return self._app_owners.get(app_id, default)

    # -- one owner per number, and per application name ------------------------------------------

    def claim(self, owner: str, numbers: Iterable[str]) -> None:
        """Note `numbers` (normalized) as `owner`'s; refuse, before noting any, a number that another
        owner of this deployment holds. Claiming again for the same owner is fine."""
        numbers = list(numbers)
        with self._lock:
            for number in numbers:
                other = self._claims.get(number)
                if other is not None and other != owner:
                    raise PlivoError(
                        f"number {number} is declared twice in this stack: by {other} and by {owner}. "
                        "Two resources managing one number would undo each other's writes on every "
                        "`pulumi up`, and deleting one could unrent what the other manages. Keep exactly "
                        "one declaration (to move a number between resources without a gap, see README, "
                        '"Moving a number"). Nothing was sent to Plivo for it.'
                    )
            self._claims.update(dict.fromkeys(numbers, owner))

    def claim_application_name(self, owner: str, app_name: str, account: str) -> None:
        """One application name of one owner (`account`: "" for the main account, else the
        subaccount), one resource: two would make two applications of that name in parallel, or
        the second would adopt the first's and each would undo the other's changes."""
        with self._lock:
            other = self._app_names.setdefault((app_name, account), owner)
        if other != owner:
            where = f"subaccount {account}" if account else "the main account"
            raise PlivoError(
                f"application name {app_name!r} of {where} is declared twice in this stack: by {other} "
                f"and by {owner}. Plivo would hold two applications of that name, or one managed twice, "
                "each resource undoing the other's changes. Keep one declaration (bind both sets of "
                f"numbers to its app_id), or give one another app_name. {owner} was not sent to Plivo "
                "(`pulumi up` refuses this at its preview)."
            )

    def forget(self) -> None:
        """Start afresh (for tests that run several deployments' provider calls in one process)."""
        with self._lock:
            self._numbers.clear()
            self._applications.clear()
            self._released.clear()
            self._app_owners.clear()
            self._claims.clear()
            self._app_names.clear()


# The deployment of this provider process (the engine starts one per deployment).
DEPLOYMENT = Deployment()
