"""`plivo:index:RentedNumber`: the core's `RentedNumberLifecycle`, adapted. Import id: the number."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from plivo_pulumi.native.adapter import LifecycleAdapter


class RentedNumberAdapter(LifecycleAdapter):
    lifecycle_name: ClassVar[str] = "RentedNumberLifecycle"

    def claimed_numbers(self, inputs: Mapping[str, Any]) -> Iterable[str]:
        number = inputs.get("number")
        return [number] if isinstance(number, str) else []
