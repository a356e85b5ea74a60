"""`plivo:index:RentedNumberSet`: the core's `RentedNumberSetLifecycle`, adapted.

Import id: the set's numbers separated by commas (`15676988323,15676988324`), since a set has no
identity in Plivo; each number is adopted with its live binding (the core's read of an import), and
the imported set gets the id a create would give it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from plivo_pulumi.core.lifecycle import RentedNumberSetLifecycle
from plivo_pulumi.native import schema
from plivo_pulumi.native.adapter import LifecycleAdapter


class RentedNumberSetAdapter(LifecycleAdapter):
    lifecycle_class = RentedNumberSetLifecycle
    type_token: ClassVar[str] = schema.RENTED_NUMBER_SET
    claim_field: ClassVar[str] = "bindings"

    def claim(self, owner: str, inputs: Mapping[str, Any], key: str) -> None:
        bindings = inputs.get("bindings")
        if isinstance(bindings, Mapping):
            self.provider.deployment.claim(owner, [str(number) for number in bindings], key)
