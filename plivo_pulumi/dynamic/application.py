"""`Application`: a Plivo application (answer and message URLs), as a Pulumi dynamic resource, so that
numbers bind to an application declared beside them: `RentedNumber(..., app_id=app.app_id)`. The
lifecycle (lookup by name, adoption, a create whose answer was lost, the delete's refusals) is the
core's: `plivo_pulumi.core.lifecycle.application`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import Resource

from plivo_pulumi.core.applications import APP_FIELDS, desired_application
from plivo_pulumi.core.config import CONFIG_KEYS, ENV_VARS
from plivo_pulumi.core.lifecycle import DECLARED_KEY, IMPORT_KEY, SECRETS_KEY, ApplicationLifecycle
from plivo_pulumi.core.numbers import is_subaccount_id
from plivo_pulumi.dynamic._binding import secret_inputs, take_import_id
from plivo_pulumi.dynamic._program import claim_application_name, require_secret_token
from plivo_pulumi.dynamic._provider import PlivoResourceProvider


class ApplicationProvider(PlivoResourceProvider):
    """Dynamic provider for `Application`."""

    lifecycle = ApplicationLifecycle
    secret_candidates = APP_FIELDS


def credentials_subaccount() -> str | None:
    """The configured auth_id (stack config, then environment) when it is a subaccount's: the owner
    the code means by leaving `subaccount` out, as the API makes such an application the
    subaccount's own."""
    value = pulumi.runtime.get_config(CONFIG_KEYS["auth_id"]) or os.environ.get(ENV_VARS["auth_id"], "")
    value = str(value).strip()
    return value if is_subaccount_id(value) else None


class Application(Resource, module="plivo", name="Application"):
    """A Plivo application. Every field the code leaves out is managed at the API's default
    (`hangup_url` defaults to `answer_url`); `app_name` is 1-100 letters, digits, "-" and "_", and a
    new name replaces the application. `subaccount` (auth_id or URI; "" = main account) owns it;
    left out with a subaccount's credentials, that subaccount owns it (the only owner it may set).
    An application of the same name and owner that already exists is adopted if every field
    matches (kept on destroy unless `delete_adopted=True`), else refused: never a second one.

    Adopt an existing one with `opts=ResourceOptions(import_="<app_id>")`: no write, and it fails if
    a field differs. An adopted application is never deleted unless `delete_adopted=True`.
    """

    if TYPE_CHECKING:  # for type checkers only, as for RentedNumber
        app_id: pulumi.Output[str]
        app_name: pulumi.Output[str]
        answer_url: pulumi.Output[str]
        answer_method: pulumi.Output[str]
        hangup_url: pulumi.Output[str]
        hangup_method: pulumi.Output[str]
        fallback_answer_url: pulumi.Output[str]
        fallback_method: pulumi.Output[str]
        message_url: pulumi.Output[str]
        message_method: pulumi.Output[str]
        default_number_app: pulumi.Output[bool]
        default_endpoint_app: pulumi.Output[bool]
        subaccount: pulumi.Output[str]
        log_incoming_messages: pulumi.Output[bool]
        resource_uri: pulumi.Output[str]
        adopted: pulumi.Output[bool]
        delete_adopted: pulumi.Output[bool]

    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        app_name: pulumi.Input[str] | None = None,
        answer_url: pulumi.Input[str] | None = None,
        answer_method: pulumi.Input[str] | None = None,
        hangup_url: pulumi.Input[str] | None = None,
        hangup_method: pulumi.Input[str] | None = None,
        fallback_answer_url: pulumi.Input[str] | None = None,
        fallback_method: pulumi.Input[str] | None = None,
        message_url: pulumi.Input[str] | None = None,
        message_method: pulumi.Input[str] | None = None,
        default_number_app: pulumi.Input[bool] | None = None,
        default_endpoint_app: pulumi.Input[bool] | None = None,
        subaccount: pulumi.Input[str] | None = None,
        log_incoming_messages: pulumi.Input[bool] | None = None,
        delete_adopted: pulumi.Input[bool] | None = None,
    ) -> None:
        require_secret_token()
        given = {
            "app_name": app_name,
            "answer_url": answer_url,
            "answer_method": answer_method,
            "hangup_url": hangup_url,
            "hangup_method": hangup_method,
            "fallback_answer_url": fallback_answer_url,
            "fallback_method": fallback_method,
            "message_url": message_url,
            "message_method": message_method,
            "default_number_app": default_number_app,
            "default_endpoint_app": default_endpoint_app,
            "subaccount": credentials_subaccount() if subaccount is None else subaccount,
            "log_incoming_messages": log_incoming_messages,
        }
        # The defaults as check fills them in: the engine prints the program's inputs beside the
        # state's (the "refreshing" line of `up --refresh`), where a left-out field read as removed.
        declared = desired_application(given)
        props: dict[str, Any] = {
            **declared,
            "delete_adopted": False if delete_adopted is None else delete_adopted,
        }
        props.update(app_id=None, resource_uri=None, adopted=None)
        opts, props[IMPORT_KEY] = take_import_id(opts)
        claim_application_name(f"Application '{resource_name}'", app_name, given["subaccount"])
        # The code's values apart from the fields themselves, which `ignore_changes` may replace.
        props[DECLARED_KEY] = dict(declared)
        props[SECRETS_KEY] = secret_inputs(declared)
        super().__init__(ApplicationProvider(), resource_name, props, opts)
        # The app_id is the resource's id. An update never changes it, and the engine hands a known
        # id to the program even in a preview, where a dynamic resource's other outputs are unknown:
        # numbers bound to `app_id` then show no change for an update of one field (the SDK's
        # DiffResult.stables would say the same, but neither the dynamic provider host of 3.272 nor
        # the engine uses it).
        self.app_id = self.id
