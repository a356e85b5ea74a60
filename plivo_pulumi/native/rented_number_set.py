"""`plivo:index:RentedNumberSet`: the core's `RentedNumberSetLifecycle`, adapted.

Import id: the set's numbers separated by commas (`15676988323,15676988324`), since a set has no
identity in Plivo; each number is adopted with its live binding."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from plivo_pulumi.core.contract import NOT_MANAGED, encode
from plivo_pulumi.core.errors import PlivoError
from plivo_pulumi.core.lifecycle import IMPORT_KEY
from plivo_pulumi.core.lifecycle.rented_number_set import DEFAULT_IN_FLIGHT
from plivo_pulumi.core.numbers import normalize_number
from plivo_pulumi.native import schema
from plivo_pulumi.native.adapter import LifecycleAdapter

NOT_MANAGED_BINDING = encode(None, None)


def import_numbers(import_id: str) -> list[str]:
    """The numbers of a set's import id; a PlivoError names the part that is not a number."""
    numbers = []
    for part in import_id.split(","):
        try:
            numbers.append(normalize_number(part.strip()))
        except ValueError as exc:
            raise PlivoError(
                f"a RentedNumberSet's import id is its numbers separated by commas: {exc}. Nothing was read."
            ) from None
    return numbers


class RentedNumberSetAdapter(LifecycleAdapter):
    lifecycle_name: ClassVar[str] = "RentedNumberSetLifecycle"
    type_token: ClassVar[str] = schema.RENTED_NUMBER_SET
    claim_field: ClassVar[str] = "bindings"

    def claim(self, owner: str, inputs: Mapping[str, Any]) -> None:
        bindings = inputs.get("bindings")
        if isinstance(bindings, Mapping):
            self.provider.deployment.claim(owner, [str(number) for number in bindings])

    def import_props(self, resource_id: str) -> dict[str, Any]:
        return {"bindings": dict.fromkeys(import_numbers(resource_id), NOT_MANAGED_BINDING)}

    def import_inputs(self, outputs: Mapping[str, Any], resource_id: str) -> dict[str, Any]:
        return {
            "bindings": dict(outputs.get("bindings") or {}),
            "unrent_on_delete": False,
            "max_in_flight": DEFAULT_IN_FLIGHT,
            IMPORT_KEY: resource_id,
        }


__all__ = ["NOT_MANAGED", "RentedNumberSetAdapter", "import_numbers"]
