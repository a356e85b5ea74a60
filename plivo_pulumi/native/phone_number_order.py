"""`plivo:index:PhoneNumberOrder`: the core's `PhoneNumberOrderLifecycle`, adapted.

Native-specific: Check gets the URN, so the order's key is derived here (`order_key_of_urn`: the
project, the stack and the name, as the dynamic resource's) and carried as a hidden input, claimed
in the engine run's memory so that two orders of one name are refused; and Check is where a preview
can read, so it runs the core's read-only plan there: the numbers and the cost are a line of the
engine's log, and a plan over the cap or with nothing on offer fails the preview, before any `up`
can buy. (The provider does not take part in previews of creates and updates,
`supports_preview=False`, so Create runs only under `up`.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pulumi.provider.experimental.provider import CheckFailure, CheckRequest, CheckResponse

from plivo_pulumi.core.errors import PlivoError
from plivo_pulumi.core.lifecycle.phone_number_order import KEY, PhoneNumberOrderLifecycle, order_key_of_urn
from plivo_pulumi.native import schema
from plivo_pulumi.native.adapter import LifecycleAdapter, resource_label
from plivo_pulumi.native.convert import inputs_from_engine, properties_to_engine, to_camel


class PhoneNumberOrderAdapter(LifecycleAdapter):
    lifecycle_class = PhoneNumberOrderLifecycle
    type_token: ClassVar[str] = schema.PHONE_NUMBER_ORDER
    claim_field: ClassVar[str] = "count"
    import_id_hint: ClassVar[str] = "nothing: a PhoneNumberOrder is declared, not imported"

    def with_declared(self, news: dict[str, Any]) -> dict[str, Any]:
        return news

    def check(self, request: CheckRequest) -> CheckResponse:
        olds, _ = inputs_from_engine(request.old_inputs)
        news, secret = inputs_from_engine(request.new_inputs)
        news[KEY] = olds.get(KEY) or order_key_of_urn(request.urn)
        checked = self.lifecycle.check(olds, news, secret)
        failures = [CheckFailure(f.field and to_camel(f.field), f.reason) for f in checked.failures]
        if not failures:
            try:
                self.provider.deployment.claim_order_key(resource_label(request.urn), news[KEY], request.urn)
            except PlivoError as exc:
                failures.append(CheckFailure("", str(exc)))
        refused = None if failures else self.lifecycle.check_plan(checked.inputs)
        if refused:
            failures.append(CheckFailure(to_camel(refused.field) if refused.field else "", refused.reason))
        return CheckResponse(inputs=properties_to_engine(checked.inputs, secret), failures=failures)

    def claim(self, owner: str, inputs: Mapping[str, Any], key: str) -> None:
        """An order claims no number at check: it does not know yet which it will hold."""
