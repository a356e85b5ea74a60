"""What `RentedNumber` and `RentedNumberSet` share about one binding: the check of its declared
fields, the live view of a number as outputs, and the subaccount learned when the API's object does
not carry it. The rules themselves are in `plivo_pulumi.core.contract`."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from plivo_pulumi.core.client import PlivoClient
from plivo_pulumi.core.contract import (
    BINDING_FIELDS,
    FIELD_RULES,
    live_binding,
    subaccount_to_check,
    validate_field,
)
from plivo_pulumi.core.deployment import Deployment
from plivo_pulumi.core.lifecycle.results import Failure
from plivo_pulumi.core.live import resolve_subaccounts
from plivo_pulumi.core.numbers import application_uri
from plivo_pulumi.core.unknown import is_unknown

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

# The engine prints a failing property's whole value beside the reason. Past this size the failure
# names the property in its reason instead, so a huge input is not echoed back.
_ECHO_AT_MOST = 200
NOT_SHOWN = "(the value is a secret, so it is not shown)"


def failure(prop: str, value: Any, reason: str, *, secret_rule: str | None = None) -> Failure:
    """A failure naming `prop`. For a secret input pass `secret_rule` (the rule, not quoting the
    value): the reason is that rule, and the engine prints the value as [secret]."""
    if secret_rule is not None:
        return Failure(prop, f"{secret_rule} {NOT_SHOWN}")
    if len(repr(value)) > _ECHO_AT_MOST:
        return Failure("", f"property {prop}: {reason}")
    return Failure(prop, reason)


def check_binding(
    news: Mapping[str, Any],
    prefix: str = "",
    account: str | None = None,
    secret: Collection[str] = (),
) -> tuple[dict[str, Any], list[Failure]]:
    """Normalize `number`, `app_id`, `subaccount` and `unrent_on_delete`; one failure per bad field,
    never quoting the value of a field in `secret`.

    Unknown values pass through untouched: they are checked again once they are known.
    """
    inputs = dict(news)
    failures: list[Failure] = []
    if news.get("number") is None:
        failures.append(Failure(f"{prefix}number", "is required: the rented number, like 15676988323"))
    if news.get("unrent_on_delete") is None:
        inputs["unrent_on_delete"] = False
    inputs, problems = validate_fields(inputs, BINDING_FIELDS, account)
    failures.extend(
        failure(f"{prefix}{name}", value, reason, secret_rule=FIELD_RULES[name] if name in secret else None)
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


def learn_subaccount(api: PlivoClient, live: dict[str, Any], hint: str | None) -> dict[str, Any]:
    """Fill in a subaccount the API's object did not carry, with one List call, when `hint` (the
    desired or last seen value) names a subaccount to check; otherwise leave it as it is."""
    subaccount = subaccount_to_check(hint)
    if live.get("subaccount") is not None or subaccount is None:
        return live
    return {**live, "subaccount": resolve_subaccounts(api, {live["number"]: subaccount})[live["number"]]}


def after_write(
    live: Mapping[str, Any], changes: Mapping[str, str], account_id: str, deployment: Deployment
) -> dict[str, Any]:
    """The live outputs once a POST of `changes` succeeded, without another GET. The `application`
    URI names the application's owner when an `Application` of this deployment saw it (a
    subaccount's application), else `account_id`."""
    outs = {**live, **changes}
    if "app_id" in changes:
        app_id = changes["app_id"]
        owner = deployment.application_owner(app_id, account_id)
        outs["application"] = application_uri(owner, app_id) if app_id else None
    return outs
