"""`plivo:index:RentedNumberSet`: the core's `RentedNumberSetLifecycle`, adapted.

Import id: the set's numbers separated by commas (`15676988323,15676988324`), since a set has no
identity in Plivo; each number is adopted with its live binding (the core's read of an import), and
the imported set gets the id a create would give it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pulumi.provider.experimental.provider import CheckFailure, CheckRequest, CheckResponse

from plivo_pulumi.core.contract import decode, encode
from plivo_pulumi.core.lifecycle import IMPORT_KEY, RentedNumberSetLifecycle
from plivo_pulumi.native import schema
from plivo_pulumi.native.adapter import LifecycleAdapter
from plivo_pulumi.native.yaml_program import null_binding_numbers

NULL_ENTRY = (
    "number {number} has no binding (its value is null), and Pulumi drops such an entry before the "
    "provider sees it: the number would be silently left out of the set. Give it a binding (`appId:`, "
    "`subaccount:`), `{{}}` to keep its live binding unmanaged, or remove the line. Nothing was sent "
    "to Plivo."
)


class RentedNumberSetAdapter(LifecycleAdapter):
    lifecycle_class = RentedNumberSetLifecycle
    type_token: ClassVar[str] = schema.RENTED_NUMBER_SET
    claim_field: ClassVar[str] = "bindings"
    import_id_hint: ClassVar[str] = "the set's numbers separated by commas (like 15676988323,15676988324)"

    def check(self, request: CheckRequest) -> CheckResponse:
        """The adapter's check, plus the null entries of a YAML program, which Pulumi drops before
        they reach us (`plivo_pulumi.native.yaml_program`)."""
        response = super().check(request)
        name = request.urn.rsplit("::", 1)[-1]
        nulls = null_binding_numbers(name)
        if nulls:
            response.failures = [
                *(
                    CheckFailure(f'bindings["{number}"]', NULL_ENTRY.format(number=number))
                    for number in nulls
                ),
                *(response.failures or []),
            ]
        return response

    def as_code_declares(self, read_inputs: dict[str, Any]) -> dict[str, Any]:
        """The read's bindings are the state's short form (`<app>/<sub>`); code declares objects,
        and so do the inputs stored here: the engine checks them, and `pulumi import` prints them as
        the code to paste (`comparable` makes them equal to the short form of that code's Check)."""
        bindings = read_inputs.get("bindings")
        if not isinstance(bindings, Mapping):
            return read_inputs
        declared = {n: _code_form(b) if isinstance(b, str) else b for n, b in bindings.items()}
        checked = super().as_code_declares({**read_inputs, "bindings": declared})
        if checked.get(IMPORT_KEY):
            return read_inputs
        return {**checked, "bindings": {n: _code_form(b) for n, b in checked["bindings"].items()}}

    def comparable(self, old_inputs: dict[str, Any]) -> dict[str, Any]:
        """Old inputs with bindings in the short form Check gives the code's (see `as_code_declares`)."""
        bindings = old_inputs.get("bindings")
        if not isinstance(bindings, Mapping):
            return old_inputs
        short = {
            n: encode(b.get("app_id"), b.get("subaccount")) if isinstance(b, Mapping) else b
            for n, b in bindings.items()
        }
        return {**old_inputs, "bindings": short}

    def claim(self, owner: str, inputs: Mapping[str, Any]) -> None:
        bindings = inputs.get("bindings")
        if isinstance(bindings, Mapping):
            self.provider.deployment.claim(owner, [str(number) for number in bindings])


def _code_form(binding: str) -> dict[str, Any]:
    """`<app>/<sub>` as code declares it: the fields the short form manages (`*`: not managed)."""
    return {field: value for field, value in decode(binding).items() if value is not None}
