"""`plivo:index:RentedNumberSet`: the core's `RentedNumberSetLifecycle`, adapted.

Import id: the set's numbers separated by commas (`15676988323,15676988324`), since a set has no
identity in Plivo; each number is adopted with its live binding."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from plivo_pulumi.native.adapter import LifecycleAdapter


class RentedNumberSetAdapter(LifecycleAdapter):
    lifecycle_name: ClassVar[str] = "RentedNumberSetLifecycle"
    claim_field: ClassVar[str] = "bindings"

    def claimed_numbers(self, inputs: Mapping[str, Any]) -> Iterable[str]:
        bindings = inputs.get("bindings")
        return [str(number) for number in bindings] if isinstance(bindings, Mapping) else []
