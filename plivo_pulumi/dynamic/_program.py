"""Checks that only the program can make, at preview, before any API call, once per program run.

* The stack config: the provider receives config values already decrypted, so it cannot tell a
  secret from plain text; the program can (`pulumi.runtime.is_config_secret`).
* One number, one resource: two resources of one stack that manage the same number would fight
  (every `up` flips the binding, the gate never passes) and an `unrent_on_delete` on one side could
  unrent what the other still manages. Each provider only sees its own resource, so the program
  keeps the register.

State is kept per run (per resource monitor), since an Automation API process runs many programs.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from typing import Any

import pulumi
import pulumi.runtime
from pulumi.runtime.settings import get_monitor

from plivo_pulumi.core.applications import validate_app_field
from plivo_pulumi.core.config import CONFIG_KEYS
from plivo_pulumi.core.numbers import normalize_number

_LOCK = threading.Lock()
_RUN: dict[str, Any] = {"monitor": None, "token_checked": False, "numbers": {}, "app_names": {}}


def _this_run() -> dict[str, Any]:
    monitor = get_monitor()
    if _RUN["monitor"] is not monitor:
        _RUN.update(monitor=monitor, token_checked=False, numbers={}, app_names={})
    return _RUN


def require_secret_token() -> None:
    """Refuse a `plivo:authToken` kept in plain text in the stack config: it would sit unencrypted in
    Pulumi.<stack>.yaml, in the state (as the provider's input), in its history and in backups."""
    with _LOCK:
        run = _this_run()
        if run["token_checked"]:
            return
        key = CONFIG_KEYS["auth_token"]
        if pulumi.runtime.get_config(key) is not None and not pulumi.runtime.is_config_secret(key):
            raise pulumi.RunError(
                f"{key} is stored in plain text in the stack config. Make it a secret: "
                f'`printf %s "$PLIVO_AUTH_TOKEN" | pulumi config set --secret {key}` (the token from '
                "standard input, never on a command line; or use the PLIVO_AUTH_TOKEN environment "
                "variable). Nothing was sent to Plivo."
            )
        run["token_checked"] = True


def claim_numbers(owner: str, numbers: Iterable[Any]) -> list[Any]:
    """Register that `owner` (like "RentedNumber 'support'") manages `numbers`; refuse a number that
    another resource of this program already manages. A number given as an output of another
    resource is claimed once its value is known: the returned output fails (and with it the
    resource's registration, before any write of it) when another resource holds the number. Values
    that are not valid numbers are skipped (the provider's check reports them). Returns the numbers
    in the form check gives them (the others as they are): the engine shows the program's inputs
    beside the state's, where `+1 555...` would read as a change."""
    numbers = list(numbers)
    plain = {
        i: number
        for i, raw in enumerate(numbers)
        if not isinstance(raw, pulumi.Output) and (number := _plain_number(raw)) is not None
    }
    _register(owner, plain.values())
    return [
        raw.apply(functools.partial(_claim, owner)) if isinstance(raw, pulumi.Output) else plain.get(i, raw)
        for i, raw in enumerate(numbers)
    ]


def _claim(owner: str, value: Any) -> Any:
    """Claim one number that was an output (now known) for `owner`."""
    number = _plain_number(value)
    if number is not None:
        _register(owner, [number])
    return value if number is None else number


def _register(owner: str, numbers: Iterable[str]) -> None:
    """Refuse any of `numbers` another resource holds, then note them all as `owner`'s."""
    numbers = list(numbers)
    with _LOCK:
        for number in numbers:
            _refuse_if_claimed(owner, number)
        for number in numbers:
            _this_run()["numbers"][number] = owner


def _refuse_if_claimed(owner: str, number: str) -> None:
    other = _this_run()["numbers"].get(number)
    if other is not None and other != owner:
        raise pulumi.RunError(
            f"number {number} is declared twice in this stack: by {other} and by {owner}. "
            "Two resources managing one number would undo each other's writes on every "
            "`pulumi up`, and deleting one could unrent what the other manages. Keep exactly one "
            "declaration (to move a number between resources without a gap, see README, "
            '"Moving a number"). Nothing was sent to Plivo for it.'
        )


def claim_application_name(owner: str, app_name: Any, subaccount: Any) -> None:
    """One application name (of one owner), one `Application` of the program: two would make two
    applications of that name in parallel, or the second would adopt the first's and each would undo
    the other's changes. Values not known yet (outputs) or not valid (check reports them) pass."""
    if not isinstance(app_name, str) or not (subaccount is None or isinstance(subaccount, str)):
        return
    try:
        account = validate_app_field("subaccount", subaccount) if subaccount else ""
    except ValueError:
        return
    with _LOCK:
        other = _this_run()["app_names"].setdefault((app_name, account), owner)
    if other != owner:
        where = f"subaccount {account}" if account else "the main account"
        raise pulumi.RunError(
            f"application name {app_name!r} of {where} is declared twice in this stack: by {other} and "
            f"by {owner}. Plivo would hold two applications of that name, or one managed twice, each "
            "resource undoing the other's changes. Keep one declaration (bind both sets of numbers to its "
            f"app_id), or give one another app_name. {owner} was not sent to Plivo (`pulumi up` refuses "
            "this at its preview)."
        )


def _plain_number(raw: Any) -> str | None:
    """`raw` in Plivo's digits form, or None when it is no plain valid number (yet)."""
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        return None
    try:
        return normalize_number(raw)
    except ValueError:
        return None
