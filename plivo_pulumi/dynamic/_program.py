"""Checks that only the program can make, at preview, before any API call, once per program run.

* The stack config: the provider receives config values already decrypted, so it cannot tell a
  secret from plain text; the program can (`pulumi.runtime.is_config_secret`).
* One number, one resource (and one application name, one `Application`): the rule is the core's
  (`Deployment.claim`), but each dynamic provider only sees its own resource, so the program keeps
  the register, and refuses a second claim before the resource registers.

State is kept per run (per resource monitor), since an Automation API process runs many programs.
A program started by the engine (`pulumi up`) claims in the engine run's memory, shared with the
native plugins' Check, so one number declared by a dynamic and a native resource fails at preview;
an inline Automation API program (not a child of the engine) keeps its claims to itself.
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
from plivo_pulumi.core.deployment import Deployment
from plivo_pulumi.core.errors import PlivoError
from plivo_pulumi.core.numbers import normalize_number
from plivo_pulumi.engine.invocation import process_engine_address, run_deployment

_LOCK = threading.Lock()
_RUN: dict[str, Any] = {"monitor": None, "token_checked": False, "claims": Deployment()}


def _this_run() -> dict[str, Any]:
    monitor = get_monitor()
    if _RUN["monitor"] is not monitor:
        claims = run_deployment() if process_engine_address() is not None else Deployment()
        _RUN.update(monitor=monitor, token_checked=False, claims=claims)
    return _RUN


def _claims() -> Deployment:
    with _LOCK:
        claims: Deployment = _this_run()["claims"]
    return claims


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
    try:
        _claims().claim(owner, numbers)
    except PlivoError as exc:
        raise pulumi.RunError(str(exc)) from None


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
    try:
        _claims().claim_application_name(owner, app_name, account)
    except PlivoError as exc:
        raise pulumi.RunError(str(exc)) from None


def claim_order_key(owner: str, key: str) -> None:
    """One order key, one `PhoneNumberOrder` of the run (native ones included, through the run's
    memory): two orders of one name would hold one set of numbers between them."""
    try:
        _claims().claim_order_key(owner, key, owner)
    except PlivoError as exc:
        raise pulumi.RunError(str(exc)) from None


def _plain_number(raw: Any) -> str | None:
    """`raw` in Plivo's digits form, or None when it is no plain valid number (yet)."""
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        return None
    try:
        return normalize_number(raw)
    except ValueError:
        return None
