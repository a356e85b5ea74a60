"""`PhoneNumberOrder`: numbers bought by declaration, as a Pulumi dynamic resource. The lifecycle (the
plan and its cost, the cap, the order's key on what it buys, never buying twice) is the core's:
`plivo_pulumi.core.lifecycle.phone_number_order`.

Dynamic-specific: a dynamic provider gets no URN, so the program derives the order's key from the
project, the stack and the resource's name (`order_key_for`, as the native resource does: stable
across runs and parents, distinct per stack), claims it in the run's memory (two orders of one name
are refused) and passes it as a hidden input; and check, which the engine runs at preview, shows the
read-only plan there (numbers and cost), refusing a plan over the cap or with nothing on offer
before any `up` can buy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, Resource

from plivo_pulumi.core.lifecycle.phone_number_order import KEY, PhoneNumberOrderLifecycle, order_key_for
from plivo_pulumi.dynamic._program import claim_order_key, require_secret_token
from plivo_pulumi.dynamic._provider import PlivoResourceProvider

OUTPUTS = ("order_key", "numbers", "details", "monthly_cost", "setup_cost", "reservation_app_id")


class PhoneNumberOrderProvider(PlivoResourceProvider):
    """Dynamic provider for `PhoneNumberOrder`."""

    lifecycle = PhoneNumberOrderLifecycle
    secret_candidates = ()

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        checked = super().check(_olds, news)
        if checked.failures:
            return checked
        refused = self._lifecycle().check_plan(checked.inputs)  # type: ignore[attr-defined]
        failures = [CheckFailure(refused.field, refused.reason)] if refused else []
        return CheckResult(checked.inputs, failures)


class PhoneNumberOrder(Resource, module="plivo", name="PhoneNumberOrder"):
    """Numbers bought by declaration: `count` numbers of `country` (and `type`, `pattern`, `region`,
    `services`), bound to `app_id` / `subaccount`. Preview shows what a run would buy and its cost;
    a plan costing more per month than `max_monthly_cost` (USD, required) is refused before anything
    is bought. Every number bought carries the order's key as its alias, so a lost answer or a killed
    run never leads to a second purchase. A lower `count` releases nothing; destroy keeps the numbers
    unless `release_on_delete=True`. docs/buying-numbers.md.
    """

    if TYPE_CHECKING:
        country: pulumi.Output[str]
        type: pulumi.Output[str | None]
        pattern: pulumi.Output[str | None]
        region: pulumi.Output[str | None]
        services: pulumi.Output[list[str] | None]
        count: pulumi.Output[int]
        app_id: pulumi.Output[str | None]
        subaccount: pulumi.Output[str | None]
        release_on_delete: pulumi.Output[bool]
        max_monthly_cost: pulumi.Output[float]
        order_key: pulumi.Output[str]
        numbers: pulumi.Output[list[str]]
        details: pulumi.Output[list[dict[str, Any]]]
        monthly_cost: pulumi.Output[float]
        setup_cost: pulumi.Output[float]
        reservation_app_id: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        country: pulumi.Input[str] | None = None,
        type: pulumi.Input[str] | None = None,  # the API's and the native resource's name
        pattern: pulumi.Input[str] | None = None,
        region: pulumi.Input[str] | None = None,
        services: pulumi.Input[list[str]] | None = None,
        count: pulumi.Input[int] | None = None,
        app_id: pulumi.Input[str] | None = None,
        subaccount: pulumi.Input[str] | None = None,
        release_on_delete: pulumi.Input[bool] | None = None,
        max_monthly_cost: pulumi.Input[float] | None = None,
    ) -> None:
        require_secret_token()
        if isinstance(app_id, int) and not isinstance(app_id, bool):
            app_id = str(app_id)  # the wire format would turn an int into a float, losing digits
        props: dict[str, Any] = {
            "country": country,
            "type": type,
            "pattern": pattern,
            "region": region,
            "services": services,
            "count": count,
            "app_id": app_id,
            "subaccount": subaccount,
            "release_on_delete": False if release_on_delete is None else release_on_delete,
            "max_monthly_cost": max_monthly_cost,
        }
        props.update({name: None for name in OUTPUTS})
        props[KEY] = order_key_for(pulumi.get_project(), pulumi.get_stack(), resource_name)
        claim_order_key(f"PhoneNumberOrder {resource_name!r}", props[KEY])
        super().__init__(PhoneNumberOrderProvider(), resource_name, props, opts)
