"""The schema of `plivo:index:PhoneNumberOrder` and its detail type (kept apart from schema.py, which
adds them to the package)."""

from __future__ import annotations

from typing import Any

PHONE_NUMBER_ORDER = "plivo:index:PhoneNumberOrder"
ORDER_DETAIL_TYPE = "plivo:index:PhoneNumberOrderDetail"

_STRING = {"type": "string"}


def _prop(kind: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {**kind, "description": description, **extra}


_INPUTS: dict[str, dict[str, Any]] = {
    "country": _prop(_STRING, "The country to buy in: a two-letter ISO 3166-1 code like `US`."),
    "type": _prop(
        _STRING, "The kind of number: `local`, `fixed`, `mobile`, `national`, `tollfree` or `any`."
    ),
    "pattern": _prop(_STRING, "Digits the number must contain, like `415` (an area code)."),
    "region": _prop(_STRING, "A region or state name or code, like `CA` (local numbers)."),
    "services": _prop(
        {"type": "array", "items": _STRING},
        "What every number must support: a subset of `voice`, `sms`, `mms`.",
    ),
    "count": _prop({"type": "integer"}, "How many numbers the order holds (1 or more)."),
    "appId": _prop(
        _STRING,
        "The application the bought numbers answer with. Left out: the account's default number "
        "application (the one flagged `defaultNumberApp`), else none.",
    ),
    "subaccount": _prop(_STRING, "The subaccount (`SA...`) the bought numbers move to (default: main)."),
    "releaseOnDelete": _prop(
        {"type": "boolean"},
        "Default false: deleting the order keeps its numbers rented. True: they are released (unrented), "
        "except a number another resource of the stack declares.",
        default=False,
    ),
    "maxMonthlyCost": _prop(
        {"type": "number"},
        "Required: the most the order's numbers may cost per month, in USD (the sum of their monthly "
        "rental rates). A plan above it is refused before anything is bought.",
    ),
}


def phone_number_order() -> dict[str, Any]:
    outputs = {
        **_INPUTS,
        "numbers": _prop({"type": "array", "items": _STRING}, "The numbers the order holds, sorted."),
        "details": _prop(
            {"type": "array", "items": {"$ref": f"#/types/{ORDER_DETAIL_TYPE}"}},
            "Per number: its rates and status (`active`, or `pending` while Plivo awaits documents).",
        ),
        "monthlyCost": _prop({"type": "number"}, "The order's monthly rental, in USD."),
        "setupCost": _prop({"type": "number"}, "The setup fees of what the order bought, in USD."),
        "orderKey": _prop(
            _STRING,
            "The order's identity (`po-` and 10 hex digits, from the project, the stack and the "
            "resource's name, under any parent): the `alias` of its numbers.",
        ),
        "reservationAppId": _prop(
            _STRING,
            "The application every buy is made with until the number is tagged (internal; deleted "
            "once every number bought is, so normally empty).",
        ),
    }
    return {
        "description": (
            "Numbers bought by declaration: `count` numbers matching the filters, bought through "
            "Plivo's PhoneNumber API, never more than `maxMonthlyCost` per month.\n\n"
            "Preview searches (read only) and shows which numbers a run would buy and what they "
            "cost; only `up` buys. A bought number carries the order's key as its alias, so a run "
            "whose buy answer was lost, or that was killed, is followed by one that adopts what was "
            "bought instead of buying again. A lowered `count` releases nothing; deleting the order "
            "keeps its numbers unless `releaseOnDelete` is true. A refresh shows a binding changed "
            "by hand (`appId`, `subaccount`) or a number released by hand (`count`) as a change the "
            "next `up` sets right.\n\n"
            "Import: `pulumi import plivo:index:PhoneNumberOrder NAME ORDER_KEY` is refused: an order "
            "is not imported but declared; declared under the same name, it adopts the numbers that "
            "carry its key (`orderKey`) and buys only what is missing."
        ),
        "properties": outputs,
        "required": ["country", "count", "maxMonthlyCost", "numbers", "details", "monthlyCost", "orderKey"],
        "inputProperties": _INPUTS,
        "requiredInputs": ["country", "count", "maxMonthlyCost"],
    }


def order_detail_type() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "One number a `PhoneNumberOrder` holds.",
        "properties": {
            "number": _prop(_STRING, "The number, digits with the country code."),
            "monthlyRentalRate": _prop(_STRING, "Its monthly rental in USD, as Plivo writes it."),
            "setupRate": _prop(_STRING, "Its setup fee in USD (unknown for a number adopted later)."),
            "status": _prop(_STRING, "`active`, or `pending` while Plivo awaits documents."),
            "restrictionText": _prop(_STRING, "For a pending number: what Plivo needs."),
        },
    }
