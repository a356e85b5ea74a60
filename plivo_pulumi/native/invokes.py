"""The provider's functions (data sources): read-only views of the account through the core's client.

`getRentedNumbers` is the List call with its filters, every page; `getRentedNumber` one GET;
`getApplication` one GET.

* Results use the schema's names in every language (`schema._NUMBER_INFO_PROPERTIES`): the provider's
  edge renames only top-level properties, so the objects inside a list (`numbers`) are given their
  schema names here; a snake_case item would reach YAML as `app_id` (so `${found[0].appId}` is
  silently empty) and TypeScript and Go as fields their types do not declare.
* Arguments are checked before any API call: a bad one is a failure naming the argument as the
  program spells it (`numberType`, `number_type` in Python) and the fix, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from plivo_pulumi.core.applications import APP_FIELDS, live_application
from plivo_pulumi.core.client import list_filter_params
from plivo_pulumi.core.contract import live_binding
from plivo_pulumi.core.numbers import (
    describe_value,
    normalize_app_id,
    normalize_number,
    normalize_subaccount,
)
from plivo_pulumi.native import schema
from plivo_pulumi.native.convert import to_camel, to_snake
from plivo_pulumi.native.provider import InvokeInputError, PlivoProvider

# The number fields the API object carries under the schema's names (number, appId, subaccount
# come from `live_binding`, which turns URIs into bare ids).
_BINDING_FIELDS = ("number", "app_id", "subaccount")
_API_NUMBER_FIELDS = tuple(
    name for name in map(to_snake, schema.NUMBER_INFO_FIELDS) if name not in _BINDING_FIELDS
)


def number_info(api_number: Mapping[str, Any]) -> dict[str, Any]:
    """A number object of the API as the schema's `RentedNumberInfo`, in snake_case (subaccount
    empty for the main account; None when the API's object does not say)."""
    info = {name: api_number.get(name) for name in _API_NUMBER_FIELDS}
    info.update(live_binding(api_number))
    return info


def schema_names(values: Mapping[str, Any]) -> dict[str, Any]:
    """An object inside a function's result under the schema's (camelCase) names."""
    return {to_camel(name): value for name, value in values.items()}


def argument_name(snake: str) -> str:
    """An argument as programs spell it: the schema's name, and Python's when it differs."""
    camel = to_camel(snake)
    return camel if camel == snake else f"{camel} ({snake} in Python)"


def check_arguments(function: str, args: Mapping[str, Any]) -> None:
    """Refuse an argument the function does not take (a typo the SDK did not catch: YAML, a
    hand-written invoke), naming the ones it does."""
    known = schema.function_arguments(function)
    for name in args:
        if to_camel(name) not in known:
            raise InvokeInputError(
                f"{function.rsplit(':', 1)[-1]} has no argument {to_camel(name)!r}; "
                f"its arguments: {', '.join(known)}",
                argument=to_camel(name),
            )


def _given(args: Mapping[str, Any], name: str) -> Any:
    """The argument, or None when left out (an empty string is left out too: the SDKs' default)."""
    value = args.get(name)
    return None if value == "" else value


# Each filter of getRentedNumbers, by snake name: what a bad value is not, and what to write.
_FILTERS = {
    "number_type": (
        "a number type",
        "one word: local, tollfree, mobile... (or leave it out for every type)",
    ),
    "number_startswith": (
        "leading digits",
        "the first digits of the numbers, like '1567' (or leave it out)",
    ),
    "subaccount": (
        "a subaccount of this account",
        "a subaccount auth id like 'SAXXXXXXXXXXXXXXXXXX' or its URI (or leave it out)",
    ),
    "services": (
        "a list of services",
        "voice, sms, mms or several of them, like 'voice,sms' (or leave it out)",
    ),
}


def list_filters(provider: PlivoProvider, args: Mapping[str, Any]) -> dict[str, Any]:
    """getRentedNumbers' filters as the core's list filters, each checked on its own so that a
    failure names the one that is wrong."""
    check_arguments(schema.GET_RENTED_NUMBERS, args)
    account = provider.config.auth_id()
    main = account if account and account.startswith("MA") else None
    filters: dict[str, Any] = {}
    for name, (kind, fix) in _FILTERS.items():
        value = _given(args, name)
        if value is None:
            continue
        try:
            if not isinstance(value, str):
                raise ValueError(value)
            list_filter_params(**{name: value})
            if name == "subaccount":  # a URI of another main account: not this account's
                normalize_subaccount(value, main)
        except ValueError:
            raise InvokeInputError(
                f"{argument_name(name)}: {describe_value(value)} is not {kind}; write {fix}",
                argument=to_camel(name),
            ) from None
        filters[name] = value
    return filters


def get_rented_numbers(provider: PlivoProvider, args: dict[str, Any]) -> dict[str, Any]:
    filters = list_filters(provider, args)  # before the client: no credentials needed to refuse
    numbers = provider.client().iter_numbers(**filters)
    return {"numbers": [schema_names(number_info(obj)) for obj in numbers]}


def get_rented_number(provider: PlivoProvider, args: dict[str, Any]) -> dict[str, Any]:
    check_arguments(schema.GET_RENTED_NUMBER, args)
    raw = _given(args, "number")
    if raw is None:
        raise InvokeInputError(
            "number is required: the rented number, in any usual form like '+1 (567) 698-8323'",
            argument="number",
        )
    try:
        number = normalize_number(raw)
    except ValueError as exc:
        raise InvokeInputError(f"number: {exc}", argument="number") from None
    return number_info(provider.client().get_number(number))


def get_application(provider: PlivoProvider, args: dict[str, Any]) -> dict[str, Any]:
    check_arguments(schema.GET_APPLICATION, args)
    raw = _given(args, "app_id")
    if raw is None:
        raise InvokeInputError(
            f"{argument_name('app_id')} is required: the application's id, like '72509666337566'",
            argument="appId",
        )
    try:
        app_id = normalize_app_id(raw, provider.config.auth_id())
    except ValueError as exc:
        raise InvokeInputError(f"{argument_name('app_id')}: {exc}", argument="appId") from None
    obj = provider.client().get_application(app_id)
    live = live_application(obj)
    result = {name: live.get(name) for name in ("app_id", *APP_FIELDS)}
    result["resource_uri"] = obj.get("resource_uri")
    return result


INVOKES: dict[str, Callable[[PlivoProvider, dict[str, Any]], dict[str, Any]]] = {
    schema.GET_RENTED_NUMBERS: get_rented_numbers,
    schema.GET_RENTED_NUMBER: get_rented_number,
    schema.GET_APPLICATION: get_application,
}
