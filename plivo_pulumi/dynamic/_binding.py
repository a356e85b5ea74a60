"""What a binding is, shared by every resource: validation of the desired fields, the live view of a
number as outputs, and the comparison of the two.

A binding is the number's application (`app_id`) and subaccount (`subaccount`). `None` means "not
managed": never compared, never written. `""` means "managed as none" (no application, main account).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure
from pulumi.output import Unknown
from pulumi.runtime import rpc

from plivo_pulumi.core.contract import (
    BINDING_FIELDS,
    FIELD_RULES,
    MANAGED_FIELDS,
    binding_changes,
    live_binding,
    subaccount_to_check,
    validate_field,
)
from plivo_pulumi.core.numbers import (
    application_uri,
)
from plivo_pulumi.dynamic._declared import forget_declared

# The engine's placeholder for a value that is not known until apply (an output of another resource),
# as the SDK spells it: `UNKNOWN` is re-exported from here for the tests.
UNKNOWN = rpc.UNKNOWN

__all__ = ["MANAGED_FIELDS", "binding_changes"]  # re-exported: the rules live in plivo_pulumi.core.contract

# Input that carries `opts.import_` to the provider (see `take_import_id`).
IMPORT_KEY = "import_id"
# Hidden input of every resource: what the code declares, apart from the fields that `ignore_changes`
# may replace; copied into the outputs, where a refresh rebuilds the inputs from it and the audit
# reads it.
DECLARED_KEY = "__declared"

# Fields the API reports that become outputs, as they are named in the API's number object.
API_FIELDS = (
    "application",
    "alias",
    "number_type",
    "voice_enabled",
    "sms_enabled",
    "description",
    "added_on",
    "resource_uri",
    "plivo_number",
)


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN)


def with_unknown_markers(value: Any) -> Any:
    """`value` with every unknown as the engine's string marker. The dynamic-provider host hands
    check and diff unknowns as `pulumi.output.Unknown` objects (the outputs of other resources at
    preview, like an `Application`'s app_id); the marker is what the host can send back."""
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {k: with_unknown_markers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [with_unknown_markers(v) for v in value]
    return value


# The engine prints a failing property's whole value beside the reason. Past this size the failure
# names the property in its reason instead, so a huge input is not echoed back.
_ECHO_AT_MOST = 200

# Input naming the fields the program marked secret (see `secret_inputs`); check drops it.
SECRETS_KEY = "__secrets"
NOT_SHOWN = "(the value is a secret, so it is not shown)"


def secret_inputs(fields: Mapping[str, Any]) -> Any:
    """The names of the fields that hold a secret anywhere inside (an Output marked secret), as an
    input for the provider. Why: the engine strips the secret mark before the dynamic provider's
    check sees the values (its host accepts no secrets), and a reason quoting the value would print
    the secret, though the engine itself shows the property's value as [secret]."""
    outputs = {name: value for name, value in fields.items() if _holds_output(value)}
    if not outputs:
        return []

    async def names() -> list[str]:
        return sorted([n for n, v in outputs.items() if await pulumi.Output.from_input(v).is_secret()])

    return pulumi.Output.from_input(names())


def _holds_output(value: Any) -> bool:
    if isinstance(value, pulumi.Output):
        return True
    if isinstance(value, Mapping):
        return any(_holds_output(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_output(v) for v in value)
    return False


def secret_fields(news: dict[str, Any], names: Iterable[str]) -> frozenset[str]:
    """Pop `SECRETS_KEY` from `news`: the fields among `names` whose value is secret (all of them
    while the list is unknown or unreadable, since a value must never be echoed by mistake)."""
    listed = news.pop(SECRETS_KEY, None)
    if listed is None:
        return frozenset()
    if isinstance(listed, list) and all(isinstance(n, str) for n in listed):
        return frozenset(listed)
    return frozenset(names)


def check_failure(prop: str, value: Any, reason: str, *, secret_rule: str | None = None) -> CheckFailure:
    """A failure naming `prop`. For a secret input pass `secret_rule` (the rule, not quoting the
    value): the reason is that rule, and the engine prints the value as [secret]."""
    if secret_rule is not None:
        return CheckFailure(prop, f"{secret_rule} {NOT_SHOWN}")
    if len(repr(value)) > _ECHO_AT_MOST:
        return CheckFailure("", f"property {prop}: {reason}")
    return CheckFailure(prop, reason)


def check_binding(
    news: Mapping[str, Any],
    prefix: str = "",
    account: str | None = None,
    secret: Collection[str] = (),
) -> tuple[dict[str, Any], list[CheckFailure]]:
    """Normalize `number`, `app_id`, `subaccount` and `unrent_on_delete`; one failure per bad field,
    never quoting the value of a field in `secret`.

    Unknown values pass through untouched: they are checked again once they are known.
    """
    inputs = dict(news)
    failures: list[CheckFailure] = []
    if news.get("number") is None:
        failures.append(CheckFailure(f"{prefix}number", "is required: the rented number, like 15676988323"))
    if news.get("unrent_on_delete") is None:
        inputs["unrent_on_delete"] = False
    inputs, problems = validate_fields(inputs, BINDING_FIELDS, account)
    failures.extend(
        check_failure(
            f"{prefix}{name}", value, reason, secret_rule=FIELD_RULES[name] if name in secret else None
        )
        for name, value, reason in problems
    )
    return inputs, failures


def validate_fields(
    values: Mapping[str, Any], names: Iterable[str], account: str | None
) -> tuple[dict[str, Any], list[tuple[str, Any, str]]]:
    """`values` with the fields `names` normalized (absent and unknown ones untouched), and the
    (field, value, reason) of every field that is not valid."""
    normalized = dict(values)
    problems: list[tuple[str, Any, str]] = []
    for name in names:
        value = values.get(name)
        if value is None or is_unknown(value):
            continue
        try:
            normalized[name] = validate_field(name, value, account)
        except ValueError as exc:
            problems.append((name, value, str(exc)))
    return normalized, problems


def live_outputs(api_number: Mapping[str, Any]) -> dict[str, Any]:
    """The outputs that describe a number as the API reports it (app and subaccount as bare ids;
    subaccount None when the API's object carries none: see `learn_subaccount`)."""
    outs = {name: api_number.get(name) for name in API_FIELDS}
    outs.update(live_binding(api_number))
    return outs


def learn_subaccount(api: Any, live: dict[str, Any], hint: str | None) -> dict[str, Any]:
    """Fill in a subaccount the API's object did not carry, with one List call, when `hint` (the
    desired or last seen value) names a subaccount to check; otherwise leave it as it is."""
    subaccount = subaccount_to_check(hint)
    if live.get("subaccount") is not None or subaccount is None:
        return live
    from plivo_pulumi.core.contract import resolve_subaccounts

    return {**live, "subaccount": resolve_subaccounts(api, {live["number"]: subaccount})[live["number"]]}


def after_write(live: Mapping[str, Any], changes: Mapping[str, str], account_id: str) -> dict[str, Any]:
    """The live outputs once a POST of `changes` succeeded, without another GET. The `application`
    URI names the application's owner when an `Application` of this deployment saw it (a
    subaccount's application), else `account_id`."""
    outs = {**live, **changes}
    if "app_id" in changes:
        app_id = changes["app_id"]
        owner = application_owner(app_id, account_id)
        outs["application"] = application_uri(owner, app_id) if app_id else None
    return outs


# Numbers whose resource this deployment deleted or released (the stack stopped managing them). An
# `Application` deleted later in the same deployment may unlink these; any other number still linked
# to it is declared by the stack or belongs to something else, and the delete is refused. (What the
# code declares in this deployment: resources/_declared.py.)
_RELEASED: set[str] = set()
_RELEASED_LOCK = threading.Lock()
# The account that owns each application an `Application` of this deployment created or read.
_APP_OWNERS: dict[str, str] = {}


def mark_released(numbers: Iterable[str]) -> None:
    with _RELEASED_LOCK:
        _RELEASED.update(numbers)


def released_in_this_deployment(number: str) -> bool:
    with _RELEASED_LOCK:
        return number in _RELEASED


def note_application_owner(app_id: str, owner: str) -> None:
    with _RELEASED_LOCK:
        _APP_OWNERS[app_id] = owner


def application_owner(app_id: str, default: str) -> str:
    with _RELEASED_LOCK:
        return _APP_OWNERS.get(app_id, default)


def forget_deployment() -> None:
    """Start afresh (for tests that run several deployments' provider calls in one process)."""
    with _RELEASED_LOCK:
        _RELEASED.clear()
        _APP_OWNERS.clear()
    forget_declared()


def take_import_id(opts: pulumi.ResourceOptions | None) -> tuple[pulumi.ResourceOptions | None, str | None]:
    """Turn `opts.import_` into an "adopt with no write" input.

    The engine imports by calling the provider's read with neither inputs nor state, and Pulumi's
    Python dynamic-provider host needs the serialized provider from one of them, so an engine import
    of any Python dynamic resource fails. Adoption gives the same result: create reads the number and
    makes no write; with `import_id` set it fails instead of writing when a binding differs, just as
    an engine import fails when the code does not match the resource.
    """
    if opts is None or not opts.import_:
        return opts, None
    import_id = opts.import_
    stripped = copy.copy(opts)
    stripped.import_ = None
    return stripped, str(import_id)
