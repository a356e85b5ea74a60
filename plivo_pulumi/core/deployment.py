"""The memory of one deployment (one engine run), and the rule of one number, one owner.

The engine calls Check for every resource the program registers (only the targeted ones under
`--target` / `--exclude`) and deletes the resources the program dropped only after the program has
registered all the others (pending deletes of replaced resources included). So by the time a delete
runs, every number and every adopted application that the code declares has been noted here, by a
Check or by a create/update:

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

One engine run, one memory: the engine runs each provider instance (and the dynamic provider, and
the program) in a process of its own, so a front-end that runs under an engine backs its
`Deployment` with the run's journal (`plivo_pulumi.core.run_journal`), which every process of that
run reads and appends to. Without an engine (in-process tests) the memory is this object's own.
When the journal cannot be used (`unavailable`), the questions that guard a delete (`declares`,
`declares_application`) raise instead of answering: a delete that would unrent a number or delete
an application refuses, saying why (fail closed); what the process itself notes still counts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any, TypeGuard

from plivo_pulumi.core.errors import PlivoError
from plivo_pulumi.core.run_journal import Journal, RunMemoryUnavailable


def _digits(value: object) -> TypeGuard[str]:
    """Only normalized digit strings are numbers or app ids of the stack (not unknowns, not typos)."""
    return isinstance(value, str) and value.isascii() and value.isdigit()


class Deployment:
    """What the code of the current deployment declares and what it let go; thread-safe, and shared
    with the other processes of the engine run through `journal` when one is given."""

    def __init__(self, journal: Journal | None = None, unavailable: str | None = None) -> None:
        self._lock = threading.Lock()
        self._journal = journal
        self._unavailable = unavailable
        self._numbers: set[str] = set()
        self._applications: set[str] = set()
        self._own_applications: set[str] = set()
        self._seen_applications: set[str] = set()
        self._released: set[str] = set()
        self._app_owners: dict[str, str] = {}
        self._claims: dict[str, tuple[str, str]] = {}  # number: (owner key, label)
        self._app_names: dict[tuple[str, ...], tuple[str, str]] = {}
        self._order_keys: dict[tuple[str, ...], tuple[str, str]] = {}

    @property
    def shared(self) -> bool:
        """Whether this memory is the engine run's (journal), not this process's alone."""
        return self._journal is not None

    # -- the journal ------------------------------------------------------------------------------

    def _apply(self, record: dict[str, Any]) -> None:
        kind, value = record.get("k"), record.get("v")
        if kind == "n" and isinstance(value, list):
            self._numbers.update(v for v in value if _digits(v))
        elif kind == "a" and _digits(value):
            self._applications.add(value)
        elif kind == "own" and _digits(value):
            self._own_applications.add(value)
            self._seen_applications.add(value)
        elif kind == "seen" and _digits(value):
            self._seen_applications.add(value)
        elif kind == "r" and isinstance(value, list):
            self._released.update(v for v in value if isinstance(v, str))
        elif kind == "o" and isinstance(value, list) and len(value) == 2:
            self._app_owners[str(value[0])] = str(value[1])
        elif kind == "c" and isinstance(value, list):
            owner = (str(record.get("o")), str(record.get("l")))
            for number in value:
                self._claims.setdefault(str(number), owner)
        elif kind == "an" and isinstance(value, list) and len(value) == 2:
            owner = (str(record.get("o")), str(record.get("l")))
            self._app_names.setdefault((str(value[0]), str(value[1])), owner)
        elif kind == "ok" and isinstance(value, list) and len(value) == 1:
            self._order_keys.setdefault((str(value[0]),), (str(record.get("o")), str(record.get("l"))))

    def _sync(self) -> None:
        """Take in what the other processes of the run noted since the last look (lock held)."""
        if self._journal is not None:
            with self._journal.locked():
                for record in self._journal.read_new():
                    self._apply(record)

    def _note(self, record: dict[str, Any]) -> None:
        """Note `record` here and, for the other processes of the run, in the journal (lock held)."""
        if self._journal is not None:
            with self._journal.locked():
                for seen in self._journal.read_new():
                    self._apply(seen)
                self._journal.append(record)
                self._journal.read_new()  # our own line: already applied below
        self._apply(record)

    def _answerable(self) -> None:
        """Refuse to answer a question that guards a delete when the run's memory is unavailable."""
        if self._unavailable is not None:
            raise RunMemoryUnavailable(self._unavailable)

    # -- what the code declares ------------------------------------------------------------------

    def note_declared(self, numbers: Iterable[object]) -> None:
        """Record the numbers a Check saw or a create/update adopted."""
        known = sorted({n for n in numbers if _digits(n)})
        if known:
            with self._lock:
                self._note({"k": "n", "v": known})

    def declares(self, number: str) -> bool:
        """Whether any resource of this engine run declares `number`; raises `RunMemoryUnavailable`
        when that cannot be known (the caller must then keep the number)."""
        with self._lock:
            self._answerable()
            if number not in self._numbers:
                self._sync()
            return number in self._numbers

    def note_declared_application(self, app_id: object) -> None:
        """Record an application an `Application` of this deployment adopts (`import_`) or created."""
        if _digits(app_id):
            with self._lock:
                self._note({"k": "a", "v": app_id})

    def declares_application(self, app_id: str) -> bool:
        """Like `declares`, for an application (raises when it cannot be known)."""
        with self._lock:
            self._answerable()
            if app_id not in self._applications:
                self._sync()
            return app_id in self._applications

    def note_own_application(self, app_id: object) -> None:
        """Record an application that a resource of the state says the stack made (not adopted), as
        a read of this run found it: a replacement of that resource keeps it the stack's own."""
        if _digits(app_id):
            with self._lock:
                self._note({"k": "own", "v": app_id})

    def note_seen_application(self, app_id: object) -> None:
        """Record an application a read of this run found in the state as adopted."""
        if _digits(app_id):
            with self._lock:
                self._note({"k": "seen", "v": app_id})

    def saw_application(self, app_id: str) -> bool:
        """Whether a read of this run found `app_id` in the state (made by the stack or adopted)."""
        with self._lock:
            if self._unavailable is not None:
                return False
            if app_id not in self._seen_applications:
                self._sync()
            return app_id in self._seen_applications

    def owns_application(self, app_id: str) -> bool:
        """Whether a read of this run found `app_id` made by the stack (unknown: False, so the
        caller adopts it, which keeps it on destroy)."""
        with self._lock:
            if self._unavailable is not None:
                return False
            if app_id not in self._own_applications:
                self._sync()
            return app_id in self._own_applications

    # -- what it let go, and who owns which application ------------------------------------------

    def mark_released(self, numbers: Iterable[str]) -> None:
        """Numbers whose resource this deployment deleted or released (the stack stopped managing
        them): an `Application` deleted later in the deployment may unlink them."""
        released = sorted(set(numbers))
        if released:
            with self._lock:
                self._note({"k": "r", "v": released})

    def released(self, number: str) -> bool:
        with self._lock:
            if number not in self._released:
                self._sync()
            return number in self._released

    def note_application_owner(self, app_id: str, owner: str) -> None:
        """The account that owns an application an `Application` of this deployment created or read:
        the numbers bound to it report its URI under that account."""
        with self._lock:
            if self._app_owners.get(app_id) != owner:
                self._note({"k": "o", "v": [app_id, owner]})

    def application_owner(self, app_id: str, default: str) -> str:
        with self._lock:
            if app_id not in self._app_owners:
                self._sync()
            return self._app_owners.get(app_id, default)

    # -- one owner per number, and per application name ------------------------------------------

    def claim(self, owner: str, numbers: Iterable[str], key: str | None = None) -> None:
        """Note `numbers` (normalized) as `owner`'s; refuse, before noting any, a number that another
        owner of this deployment holds. `key` tells owners apart (the resource's URN; `owner`, the
        label in messages, by default): claiming again for the same key is fine."""
        numbers = list(dict.fromkeys(numbers))
        key = owner if key is None else key
        with self._lock:
            if self._journal is None:
                self._refuse_claimed(owner, key, numbers)
                self._apply({"k": "c", "o": key, "l": owner, "v": numbers})
                return
            with self._journal.locked():
                for record in self._journal.read_new():
                    self._apply(record)
                self._refuse_claimed(owner, key, numbers)
                new = [n for n in numbers if n not in self._claims]
                if new:
                    self._journal.append({"k": "c", "o": key, "l": owner, "v": new})
                    self._journal.read_new()
                self._apply({"k": "c", "o": key, "l": owner, "v": new})

    def _refuse_claimed(self, owner: str, key: str, numbers: list[str]) -> None:
        for number in numbers:
            other = self._claims.get(number)
            if other is not None and other[0] != key:
                raise PlivoError(
                    f"number {number} is declared twice in this stack: by {other[1]} and by {owner}. "
                    "Two resources managing one number would undo each other's writes on every "
                    "`pulumi up`, and deleting one could unrent what the other manages. Keep exactly "
                    "one declaration (to move a number between resources without a gap, see README, "
                    '"Moving a number"). Nothing was sent to Plivo for it.'
                )

    def claim_application_name(self, owner: str, app_name: str, account: str, key: str | None = None) -> None:
        """One application name of one owner (`account`: "" for the main account, else the
        subaccount), one resource: two would make two applications of that name in parallel, or
        the second would adopt the first's and each would undo the other's changes."""
        key = owner if key is None else key
        other = self._claim_once("an", self._app_names, (app_name, account), key, owner)
        if other[0] != key:
            where = f"subaccount {account}" if account else "the main account"
            raise PlivoError(
                f"application name {app_name!r} of {where} is declared twice in this stack: by {other[1]} "
                f"and by {owner}. Plivo would hold two applications of that name, or one managed twice, "
                "each resource undoing the other's changes. Keep one declaration (bind both sets of "
                f"numbers to its app_id), or give one another app_name. {owner} was not sent to Plivo "
                "(`pulumi up` refuses this at its preview)."
            )

    def claim_order_key(self, owner: str, order_key: str, key: str) -> None:
        """One PhoneNumberOrder key, one resource: two orders with one key (one name in one stack)
        would hold, and report, one set of numbers between them."""
        other = self._claim_once("ok", self._order_keys, (order_key,), key, owner)
        if other[0] != key:
            raise PlivoError(
                f"{owner} and {other[1]} share the order key {order_key}: an order's key comes from the "
                "project, the stack and the resource's name, so two orders of one name in a stack would "
                "hold one set of numbers between them. Give each order its own name (use `aliases` to "
                "rename one that already bought). Nothing was bought."
            )

    def _claim_once(
        self,
        kind: str,
        table: dict[tuple[str, ...], tuple[str, str]],
        value: tuple[str, ...],
        key: str,
        owner: str,
    ) -> tuple[str, str]:
        """Note `value` in `table` as the resource `key`'s unless a resource holds it already (in this
        process or, through the journal, another of the run); the holder, (key, owner label)."""
        with self._lock:
            if self._journal is None:
                return table.setdefault(value, (key, owner))
            with self._journal.locked():
                for record in self._journal.read_new():
                    self._apply(record)
                other = table.get(value)
                if other is None:
                    record = {"k": kind, "o": key, "l": owner, "v": list(value)}
                    self._journal.append(record)
                    self._journal.read_new()
                    self._apply(record)
                    other = (key, owner)
                return other

    def declares_application_name(self, app_name: str, account: str) -> bool:
        """Whether a resource the program registers in this run claimed `app_name` of `account`
        (checked, or claimed by the program). A refresh's calls claim nothing: what they see is the
        state, not the code. False when the memory is unavailable."""
        with self._lock:
            if self._unavailable is not None:
                return False
            if (app_name, account) not in self._app_names:
                self._sync()
            return (app_name, account) in self._app_names

    def forget(self) -> None:
        """Start afresh (for tests that run several deployments' provider calls in one process)."""
        with self._lock:
            self._numbers.clear()
            self._applications.clear()
            self._own_applications.clear()
            self._seen_applications.clear()
            self._released.clear()
            self._app_owners.clear()
            self._claims.clear()
            self._app_names.clear()
            self._order_keys.clear()


# The deployment of this process when no engine run is known (in-process tests, tools).
DEPLOYMENT = Deployment()
