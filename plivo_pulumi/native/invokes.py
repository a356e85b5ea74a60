"""The provider's functions (data sources): read-only views of the account through the core's client.

`getRentedNumbers` is the List call with its filters, every page; `getRentedNumber` one GET;
`getApplication` one GET. Results use the schema's names (see `schema._NUMBER_INFO_PROPERTIES`),
as the plain snake_case values the provider converts at its edge.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plivo_pulumi.core.applications import APP_FIELDS, live_application
from plivo_pulumi.core.contract import live_binding
from plivo_pulumi.core.numbers import normalize_number
from plivo_pulumi.native import schema
from plivo_pulumi.native.convert import to_snake
from plivo_pulumi.native.provider import InvokeInputError, PlivoProvider

# The number fields the API object carries under the schema's names (number, appId, subaccount
# come from `live_binding`, which turns URIs into bare ids).
_BINDING_FIELDS = ("number", "app_id", "subaccount")
_API_NUMBER_FIELDS = tuple(
    name for name in map(to_snake, schema.NUMBER_INFO_FIELDS) if name not in _BINDING_FIELDS
)


def number_info(api_number: Mapping[str, Any]) -> dict[str, Any]:
    """A number object of the API as the schema's `RentedNumberInfo` (subaccount empty for the main
    account; None when the API's object does not say)."""
    info = {name: api_number.get(name) for name in _API_NUMBER_FIELDS}
    info.update(live_binding(api_number))
    return info


def _text(args: Mapping[str, Any], name: str) -> str | None:
    value = args.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvokeInputError(f"{name} must be a string")
    return value


def get_rented_numbers(provider: PlivoProvider, args: dict[str, Any]) -> dict[str, Any]:
    numbers = provider.client().iter_numbers(
        number_type=_text(args, "number_type"),
        number_startswith=_text(args, "number_startswith"),
        subaccount=_text(args, "subaccount"),
        services=_text(args, "services"),
    )
    return {"numbers": [number_info(obj) for obj in numbers]}


def get_rented_number(provider: PlivoProvider, args: dict[str, Any]) -> dict[str, Any]:
    raw = args.get("number")
    try:
        number = normalize_number(raw)
    except ValueError as exc:
        raise InvokeInputError(f"number: {exc}") from None
    return number_info(provider.client().get_number(number))


def get_application(provider: PlivoProvider, args: dict[str, Any]) -> dict[str, Any]:
    app_id = _text(args, "app_id")
    if app_id is None:
        raise InvokeInputError("appId is required")
    obj = provider.client().get_application(app_id)
    live = live_application(obj)
    result = {name: live.get(name) for name in ("app_id", *APP_FIELDS)}
    result["resource_uri"] = obj.get("resource_uri")
    return result


INVOKES = {
    schema.GET_RENTED_NUMBERS: get_rented_numbers,
    schema.GET_RENTED_NUMBER: get_rented_number,
    schema.GET_APPLICATION: get_application,
}
