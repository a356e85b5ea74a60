"""`RentedNumber`: one rented Plivo number and its bindings, as a Pulumi dynamic resource. The
lifecycle (API calls per operation, adoption, import, drift, unrent) is the core's:
`plivo_pulumi.core.lifecycle.rented_number`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import pulumi
from pulumi.dynamic import Resource

from plivo_pulumi.core.contract import BINDING_FIELDS
from plivo_pulumi.core.lifecycle import (
    API_FIELDS,
    DECLARED_KEY,
    IMPORT_KEY,
    SECRETS_KEY,
    RentedNumberLifecycle,
)
from plivo_pulumi.dynamic._binding import secret_inputs, take_import_id
from plivo_pulumi.dynamic._program import claim_numbers, require_secret_token
from plivo_pulumi.dynamic._provider import PlivoResourceProvider


class RentedNumberProvider(PlivoResourceProvider):
    """Dynamic provider for `RentedNumber`."""

    lifecycle = RentedNumberLifecycle
    secret_candidates = BINDING_FIELDS


@dataclass
class RentedNumberArgs:
    """The inputs of a `RentedNumber`, for callers that prefer an args object (as generated SDKs do)."""

    number: pulumi.Input[str]
    app_id: pulumi.Input[str] | None = None
    subaccount: pulumi.Input[str] | None = None
    unrent_on_delete: pulumi.Input[bool] = False


class RentedNumber(Resource, module="plivo", name="RentedNumber"):
    """A rented Plivo number bound to an application and a subaccount.

    `app_id` / `subaccount`: `None` leaves the binding unmanaged; `""` manages it as "none" (unlink /
    main account). Deleting the resource keeps the number rented unless `unrent_on_delete=True`.
    """

    if TYPE_CHECKING:
        # For type checkers and IDEs only. At run time the SDK would re-evaluate these annotations
        # for every resource it resolves (an uncached `get_type_hints`, about a quarter of the SDK's
        # work per RentedNumber under cProfile); the values are plain JSON and need no converting.
        number: pulumi.Output[str]
        app_id: pulumi.Output[str]
        subaccount: pulumi.Output[str]
        unrent_on_delete: pulumi.Output[bool]
        application: pulumi.Output[str | None]
        alias: pulumi.Output[str | None]
        number_type: pulumi.Output[str | None]
        voice_enabled: pulumi.Output[bool | None]
        sms_enabled: pulumi.Output[bool | None]
        description: pulumi.Output[str | None]
        added_on: pulumi.Output[str | None]
        resource_uri: pulumi.Output[str | None]
        plivo_number: pulumi.Output[bool | None]

    def __init__(
        self,
        resource_name: str,
        args: RentedNumberArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        number: pulumi.Input[str] | None = None,
        app_id: pulumi.Input[str] | None = None,
        subaccount: pulumi.Input[str] | None = None,
        unrent_on_delete: pulumi.Input[bool] | None = None,
    ) -> None:
        if args is not None and any(v is not None for v in (number, app_id, subaccount, unrent_on_delete)):
            raise TypeError("RentedNumber takes either a RentedNumberArgs or keyword arguments, not both")
        if args is None:
            # Not `bool(unrent_on_delete)`: an Output is always truthy, and would unrent on delete.
            args = RentedNumberArgs(
                number=cast(pulumi.Input[str], number),  # None: check reports `number` as required
                app_id=app_id,
                subaccount=subaccount,
                unrent_on_delete=False if unrent_on_delete is None else unrent_on_delete,
            )
        require_secret_token()
        raw_number = args.number
        if isinstance(raw_number, int) and not isinstance(raw_number, bool):
            raw_number = str(raw_number)  # the wire format would turn an int into a float
        (raw_number,) = claim_numbers(f"RentedNumber '{resource_name}'", [raw_number])
        app_id = args.app_id
        if isinstance(app_id, int) and not isinstance(app_id, bool):
            app_id = str(app_id)  # as for `number`: the wire would make it a float, losing digits
        props: dict[str, Any] = {
            "number": raw_number,
            "app_id": app_id,
            "subaccount": args.subaccount,
            "unrent_on_delete": args.unrent_on_delete,
        }
        props.update({name: None for name in API_FIELDS})
        opts, props[IMPORT_KEY] = take_import_id(opts)
        # The code's values, apart from the fields themselves: `ignore_changes` replaces a field by
        # its state value, never this, so the state always records what the code declares.
        props[DECLARED_KEY] = {"app_id": app_id, "subaccount": args.subaccount, IMPORT_KEY: props[IMPORT_KEY]}
        props[SECRETS_KEY] = secret_inputs({name: props[name] for name in BINDING_FIELDS})
        super().__init__(RentedNumberProvider(), resource_name, props, opts)
