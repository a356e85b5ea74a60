"""`plivo:index:RentedNumberSet`: the core's `RentedNumberSetLifecycle`, adapted.

Import id: the set's numbers separated by commas (`15676988323,15676988324`), since a set has no
identity in Plivo; each number is adopted with its live binding (the core's read of an import), and
the imported set gets the id a create would give it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from plivo_pulumi.core.contract import decode
from plivo_pulumi.core.lifecycle import IMPORT_KEY, RentedNumberSetLifecycle
from plivo_pulumi.native import schema
from plivo_pulumi.native.adapter import LifecycleAdapter


class RentedNumberSetAdapter(LifecycleAdapter):
    lifecycle_class = RentedNumberSetLifecycle
    type_token: ClassVar[str] = schema.RENTED_NUMBER_SET
    claim_field: ClassVar[str] = "bindings"
    import_id_hint: ClassVar[str] = "the set's numbers separated by commas (like 15676988323,15676988324)"

    def as_code_declares(self, read_inputs: dict[str, Any]) -> dict[str, Any]:
        """The read's bindings are the state's short form (`<app>/<sub>`); code declares objects."""
        bindings = read_inputs.get("bindings")
        if not isinstance(bindings, Mapping):
            return read_inputs
        declared = {n: decode(b) if isinstance(b, str) else b for n, b in bindings.items()}
        checked = super().as_code_declares({**read_inputs, "bindings": declared})
        return read_inputs if checked.get(IMPORT_KEY) else checked

    def claim(self, owner: str, inputs: Mapping[str, Any]) -> None:
        bindings = inputs.get("bindings")
        if isinstance(bindings, Mapping):
            self.provider.deployment.claim(owner, [str(number) for number in bindings])
