"""The Pulumi package schema of the native `plivo` provider, as data.

`GetSchema` serves it, and the codegen wrapper generates the language SDKs (`pulumi_plivo`...) from
it, so every description here is what users read in their IDE and in the generated reference. The
property names are camelCase; the provider maps them to the core's snake_case names at its edge
(`plivo_pulumi.native.convert`).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from plivo_pulumi.native.order_schema import (
    ORDER_DETAIL_TYPE,
    PHONE_NUMBER_ORDER,
    order_detail_type,
    phone_number_order,
)
from plivo_pulumi.native.plugin_url import filled_in, plugin_download_url
from plivo_pulumi.version import __version__

__all__ = ["ORDER_DETAIL_TYPE", "PHONE_NUMBER_ORDER"]

PACKAGE = "plivo"
RENTED_NUMBER = "plivo:index:RentedNumber"
RENTED_NUMBER_SET = "plivo:index:RentedNumberSet"
APPLICATION = "plivo:index:Application"
GET_RENTED_NUMBERS = "plivo:index:getRentedNumbers"
GET_RENTED_NUMBER = "plivo:index:getRentedNumber"
GET_APPLICATION = "plivo:index:getApplication"
SET_BINDING_TYPE = "plivo:index:RentedNumberSetBinding"
NUMBER_INFO_TYPE = "plivo:index:RentedNumberInfo"

DEFAULT_MAX_IN_FLIGHT = 8
MAX_IN_FLIGHT_LIMIT = 32

_STRING = {"type": "string"}
_BOOLEAN = {"type": "boolean"}


def _prop(kind: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {**kind, "description": description, **extra}


# -- provider configuration ---------------------------------------------------------------------

_CONFIG: dict[str, dict[str, Any]] = {
    "authId": _prop(
        _STRING,
        "The Plivo auth id of the account the resources live in: the main account's (`MA...`) or a "
        "subaccount's (`SA...`). Falls back to the `PLIVO_AUTH_ID` environment variable.",
    ),
    "authToken": _prop(
        _STRING,
        "The auth token of that account. Always secret: set it with "
        "`pulumi config set --secret plivo:authToken`. Falls back to `PLIVO_AUTH_TOKEN`. A new token "
        "(a rotation) does not replace the provider or its resources.",
        secret=True,
    ),
    "baseUrl": _prop(
        _STRING,
        "The API endpoint, `https://api.plivo.com/v1` by default (the simulator's URL in tests). "
        "Falls back to `PLIVO_BASE_URL`. A new endpoint or auth id is another account: it replaces "
        "an explicit provider, and so its resources move with it.",
    ),
    "timeoutSeconds": _prop(
        {"type": "number"},
        "Read timeout per HTTP attempt, in seconds (default 30; connect: 5 s or less). Falls back to "
        "`PLIVO_TIMEOUT_SECONDS`.",
    ),
    "maxRetries": _prop(
        {"type": "integer"},
        "Retries per API call on 429, 5xx, resets and timeouts (default 5). Falls back to "
        "`PLIVO_MAX_RETRIES`.",
    ),
    "backoffFactor": _prop(
        {"type": "number"},
        "Exponential backoff base in seconds (default 0.5); a 429 waits its Retry-After (at most "
        "60 s). Falls back to `PLIVO_BACKOFF_FACTOR`.",
    ),
}

# -- RentedNumber -------------------------------------------------------------------------------

_NUMBER_INPUTS: dict[str, dict[str, Any]] = {
    "number": _prop(
        _STRING,
        "The rented number, in any usual form: `+1 (567) 698-8323` is normalized to `15676988323`. "
        "It must already be rented by the account: the resource adopts it, never rents it. "
        "Changing it replaces the resource.",
    ),
    "appId": _prop(
        _STRING,
        "The application the number is bound to: its id or URI. Left out: not managed (never "
        'compared or written). Empty string: managed as "no application".',
    ),
    "subaccount": _prop(
        _STRING,
        "The subaccount the number belongs to: its auth id (`SA...`) or URI. Left out: not managed. "
        "Empty string: the main account.",
    ),
    "unrentOnDelete": _prop(
        _BOOLEAN,
        "Default false: deleting the resource leaves the number rented and bound as it is. True: "
        "deleting the resource unrents the number, unless another resource of the same deployment "
        "declares it.",
        default=False,
    ),
}

_NUMBER_API_OUTPUTS: dict[str, dict[str, Any]] = {
    "application": _prop(_STRING, "The bound application's URI, as the API reports it (empty when none)."),
    "alias": _prop(_STRING, "The number's alias in Plivo."),
    "numberType": _prop(_STRING, "`local`, `tollfree`, `mobile`, `national` or `fixed`."),
    "voiceEnabled": _prop(_BOOLEAN, "Whether the number can make and receive calls."),
    "smsEnabled": _prop(_BOOLEAN, "Whether the number can send and receive SMS."),
    "description": _prop(_STRING, "The number's description in Plivo."),
    "addedOn": _prop(_STRING, "The date the number was rented."),
    "resourceUri": _prop(_STRING, "The number's API URI."),
    "plivoNumber": _prop(_BOOLEAN, "True for a number rented from Plivo (false for a carrier's number)."),
}


def _rented_number() -> dict[str, Any]:
    outputs = {
        **_NUMBER_INPUTS,
        "appId": _prop(
            _STRING,
            "The application bound to the number, as an id (empty: none). Follows `appId` when "
            "managed; otherwise what the API reports.",
        ),
        "subaccount": _prop(
            _STRING,
            "The subaccount the number belongs to (empty: the main account). Follows `subaccount` "
            "when managed; otherwise what the API reports.",
        ),
        **_NUMBER_API_OUTPUTS,
    }
    return {
        "description": (
            "A number the Plivo account already rents, and its bindings: which application answers it "
            "and which subaccount holds it.\n\n"
            "Creating the resource adopts the number: one GET, then one POST only if a managed "
            "binding differs. `pulumi refresh` (or `preview --refresh`) reads it back, so a binding "
            "changed by hand shows as drift and the next `up` restores it. Deleting it keeps the "
            "number rented unless `unrentOnDelete` is true.\n\n"
            "Import: `pulumi import plivo:index:RentedNumber NAME NUMBER` (or the `import` resource "
            "option with the number): adoption never writes; an import whose code differs from the "
            "live bindings fails and names the fields."
        ),
        "properties": outputs,
        "required": ["number", "unrentOnDelete"],
        "inputProperties": _NUMBER_INPUTS,
        "requiredInputs": ["number"],
    }


# -- RentedNumberSet ----------------------------------------------------------------------------


def _rented_number_set() -> dict[str, Any]:
    in_flight = _prop(
        {"type": "integer"},
        f"How many API writes may run at once, 1 to {MAX_IN_FLIGHT_LIMIT} (default {DEFAULT_MAX_IN_FLIGHT}).",
        default=DEFAULT_MAX_IN_FLIGHT,
    )
    unrent = _prop(
        _BOOLEAN,
        "Default false. True: deleting the whole set unrents its numbers (never one that another "
        "resource of the deployment declares). A number removed from the set is always released "
        "as it is, never unrented.",
        default=False,
    )
    return {
        "description": (
            "Many rented numbers and their bindings as one resource: the fleet path. A refresh reads "
            "the whole account with the List API (or GETs the numbers, whichever is fewer calls); "
            "an update writes only the numbers whose binding changed, several at a time.\n\n"
            "The rules are those of `RentedNumber`: every number must already be rented (checked "
            "before any write); a number removed from the set is released as it is. "
            '`preview --diff` shows drift and changes per number, as `bindings["<number>"]`.\n\n'
            "Import: `pulumi import plivo:index:RentedNumberSet NAME ID` where ID is the numbers "
            "separated by commas (`15676988323,15676988324`): every number is adopted with its "
            "live binding, with no write."
        ),
        "properties": {
            "bindings": _prop(
                {"type": "object", "additionalProperties": _STRING},
                "Each number (normalized digits) mapped to the binding the stack last wrote or "
                "adopted, as `<appId>/<subaccount>`: a part is empty for none (no application / the "
                "main account). `preview --diff` compares the declared form of the same string, "
                'where a part the code does not manage is `*`: `"/*" => "10000000000002/*"` gives '
                "the number an application and leaves its subaccount alone.",
            ),
            "unrentOnDelete": unrent,
            "maxInFlight": in_flight,
        },
        "required": ["bindings", "unrentOnDelete", "maxInFlight"],
        "inputProperties": {
            "bindings": _prop(
                {"type": "object", "additionalProperties": {"$ref": f"#/types/{SET_BINDING_TYPE}"}},
                "The numbers of the set, each mapped to its binding. A number may be written in any "
                "usual form (`+1 (567) 698-8323`); it must be known at preview (the set is keyed by "
                "its numbers), while its `appId` may be another resource's output.",
            ),
            "unrentOnDelete": unrent,
            "maxInFlight": in_flight,
        },
        "requiredInputs": ["bindings"],
    }


def _set_binding_type() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "One number's binding in a `RentedNumberSet`.",
        "properties": {
            "appId": _prop(
                _STRING,
                "The application's id or URI. Left out: not managed. Empty string: no application.",
            ),
            "subaccount": _prop(
                _STRING,
                "The subaccount's auth id (`SA...`) or URI. Left out: not managed. Empty string: the "
                "main account.",
            ),
        },
    }


# -- Application --------------------------------------------------------------------------------

_METHOD = "`GET` or `POST`"

_APP_INPUTS: dict[str, dict[str, Any]] = {
    "appName": _prop(
        _STRING,
        'The application\'s name: 1-100 letters, digits, "-" and "_". The API cannot rename an '
        "application, so a new name replaces it.",
    ),
    "answerUrl": _prop(_STRING, "The URL Plivo fetches when a call is answered."),
    "answerMethod": _prop(_STRING, f"The method for `answerUrl`: {_METHOD} (default `POST`)."),
    "hangupUrl": _prop(_STRING, "The URL notified when a call hangs up (default: the `answerUrl`)."),
    "hangupMethod": _prop(_STRING, f"The method for `hangupUrl`: {_METHOD} (default `POST`)."),
    "fallbackAnswerUrl": _prop(
        _STRING, "The URL fetched when `answerUrl` fails (default: none, the empty string)."
    ),
    "fallbackMethod": _prop(_STRING, f"The method for `fallbackAnswerUrl`: {_METHOD} (default `POST`)."),
    "messageUrl": _prop(_STRING, "The URL notified of incoming messages (default: none)."),
    "messageMethod": _prop(_STRING, f"The method for `messageUrl`: {_METHOD} (default `POST`)."),
    "defaultNumberApp": _prop(
        _BOOLEAN, "Whether numbers rented later are bound to this application (default false)."
    ),
    "defaultEndpointApp": _prop(
        _BOOLEAN, "Whether SIP endpoints created later use this application (default false)."
    ),
    "subaccount": _prop(
        _STRING,
        "The owner: a subaccount's auth id (`SA...`) or URI; empty string: the main account. Left "
        "out with a subaccount's credentials, that subaccount owns it.",
    ),
    "logIncomingMessages": _prop(_BOOLEAN, "Whether Plivo logs incoming messages (default true)."),
    "deleteAdopted": _prop(
        _BOOLEAN,
        "Default false: an application this resource adopted (it existed before) is kept when the "
        "resource is deleted. True: deleted too.",
        default=False,
    ),
}


def _application() -> dict[str, Any]:
    outputs = {
        **_APP_INPUTS,
        "appId": _prop(_STRING, "The application's id: bind numbers to it with `appId`."),
        "resourceUri": _prop(_STRING, "The application's API URI."),
        "adopted": _prop(
            _BOOLEAN,
            "True when the application existed before this resource (adopted by name or imported): "
            "then it is kept on delete unless `deleteAdopted` is true.",
        ),
    }
    return {
        "description": (
            "A Plivo application: the URLs Plivo calls for the numbers bound to it. Every field the "
            "code leaves out is managed at the API's default.\n\n"
            "Creating it adopts an application of the same name and owner when every field matches, "
            "and refuses one that differs: never a second application of a name. Updates send only "
            "the fields that differ. A delete is refused while numbers outside the stack are still "
            "linked to it.\n\n"
            "Import: `pulumi import plivo:index:Application NAME APP_ID` (or the `import` resource "
            "option): no write, and a failure that names every field that differs."
        ),
        "properties": outputs,
        "required": [
            "appId",
            "appName",
            "answerUrl",
            "answerMethod",
            "hangupUrl",
            "hangupMethod",
            "fallbackAnswerUrl",
            "fallbackMethod",
            "messageUrl",
            "messageMethod",
            "defaultNumberApp",
            "defaultEndpointApp",
            "subaccount",
            "logIncomingMessages",
            "deleteAdopted",
        ],
        "inputProperties": _APP_INPUTS,
        "requiredInputs": ["appName", "answerUrl"],
    }


# -- functions (invokes) ------------------------------------------------------------------------

_NUMBER_INFO_PROPERTIES: dict[str, dict[str, Any]] = {
    "number": _prop(_STRING, "The number, as digits."),
    "appId": _prop(_STRING, "The bound application's id (empty: none)."),
    "subaccount": _prop(
        _STRING,
        "The subaccount holding the number (empty: the main account), when the API reports it.",
    ),
    **_NUMBER_API_OUTPUTS,
}


# The fields of a number that the functions return (by schema name).
NUMBER_INFO_FIELDS = tuple(_NUMBER_INFO_PROPERTIES)


# Always in a function's number: the digits, and the application as an id ("" for none). The other
# fields are the API object's, which may leave one out (None: the object does not say).
_NUMBER_INFO_REQUIRED = ["number", "appId"]


def _number_info_type() -> dict[str, Any]:
    return {
        "type": "object",
        "description": (
            "A rented number as the API reports it, under the schema's names in every language "
            "(`appId`, `numberType`, `addedOn`...; `app_id`, `number_type`, `added_on` in Python)."
        ),
        "properties": _NUMBER_INFO_PROPERTIES,
        "required": _NUMBER_INFO_REQUIRED,
    }


def _functions() -> dict[str, Any]:
    number_ref = {"$ref": f"#/types/{NUMBER_INFO_TYPE}"}
    return {
        GET_RENTED_NUMBERS: {
            "description": (
                "Every rented number of the account that matches the filters (the List API, all "
                "pages). No filter: the whole account."
            ),
            "inputs": {
                "properties": {
                    "numberType": _prop(
                        _STRING, "Only numbers of this type: `local`, `tollfree`, `mobile`..."
                    ),
                    "numberStartswith": _prop(_STRING, "Only numbers whose digits start with these."),
                    "subaccount": _prop(_STRING, "Only numbers of this subaccount (auth id or URI)."),
                    "services": _prop(
                        _STRING, "Only numbers with these services: `voice`, `sms` or `voice,sms`."
                    ),
                },
            },
            "outputs": {
                "properties": {
                    "numbers": _prop(
                        {"type": "array", "items": number_ref}, "The matching numbers, in the API's order."
                    ),
                },
                "required": ["numbers"],
            },
        },
        GET_RENTED_NUMBER: {
            "description": "One rented number as the API reports it (fails if the account does not rent it).",
            "inputs": {
                "properties": {"number": _prop(_STRING, "The number, in any usual form.")},
                "required": ["number"],
            },
            "outputs": {"properties": _NUMBER_INFO_PROPERTIES, "required": _NUMBER_INFO_REQUIRED},
        },
        GET_APPLICATION: {
            "description": "One application as the API reports it, by id.",
            "inputs": {
                "properties": {"appId": _prop(_STRING, "The application's id.")},
                "required": ["appId"],
            },
            "outputs": {
                "properties": {
                    "appId": _prop(_STRING, "The application's id."),
                    **{
                        name: _prop({k: v for k, v in spec.items() if k in ("type",)}, spec["description"])
                        for name, spec in _APP_INPUTS.items()
                        if name != "deleteAdopted"
                    },
                    "resourceUri": _prop(_STRING, "The application's API URI."),
                },
                "required": ["appId"],
            },
        },
    }


def function_arguments(token: str) -> tuple[str, ...]:
    """The arguments (schema names) that function `token` takes."""
    return tuple(_functions()[token]["inputs"]["properties"])


def schema(download_url: str | None = None) -> dict[str, Any]:
    """The package schema (a fresh dict each call: callers may change it). `download_url`: the
    `pluginDownloadURL` the SDKs carry; by default the one this package was built with (plugin_url),
    with `${VERSION}` filled in (plugin_url.filled_in says why). Deep-copied: the parts are built
    from module-level pieces that must not change when a caller edits its copy."""
    return copy.deepcopy(
        {
            "name": PACKAGE,
            "displayName": "Plivo",
            "version": __version__,
            "pluginDownloadURL": filled_in(download_url or plugin_download_url(), __version__),
            "description": (
                "Plivo phone numbers as code: adopt the numbers an account rents, bind each to an "
                "application and a subaccount, catch drift, manage applications."
            ),
            "keywords": ["pulumi", "plivo", "telephony", "category/utility"],
            "license": "Apache-2.0",
            "publisher": "plivo-pulumi",
            "config": {"variables": _CONFIG},
            "provider": {
                "description": (
                    "The Plivo account that resources are managed in. Declare one per account "
                    "(the main account and each subaccount with its own credentials) and pass it with "
                    "the `provider` resource option; without one, the stack config `plivo:*` is used."
                ),
                "inputProperties": _CONFIG,
            },
            "resources": {
                RENTED_NUMBER: _rented_number(),
                RENTED_NUMBER_SET: _rented_number_set(),
                APPLICATION: _application(),
                PHONE_NUMBER_ORDER: phone_number_order(),
            },
            "types": {
                SET_BINDING_TYPE: _set_binding_type(),
                NUMBER_INFO_TYPE: _number_info_type(),
                ORDER_DETAIL_TYPE: order_detail_type(),
            },
            "functions": _functions(),
            "language": {
                "python": {"packageName": "pulumi_plivo", "requires": {"pulumi": ">=3.269.0,<4.0.0"}},
                "nodejs": {"packageName": "@plivo-pulumi/plivo"},
                "go": {"importBasePath": "github.com/plivo-pulumi/pulumi-plivo/sdk/go/plivo"},
            },
        }
    )


def schema_json() -> str:
    return json.dumps(schema(), sort_keys=True)
