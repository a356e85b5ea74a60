"""`plivo:index:RentedNumber`: the core's `RentedNumberLifecycle`, adapted. Import id: the number."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from plivo_pulumi.core.lifecycle import DECLARED_KEY, IMPORT_KEY, RentedNumberLifecycle
from plivo_pulumi.core.unknown import is_unknown
from plivo_pulumi.native import schema
from plivo_pulumi.native.adapter import LifecycleAdapter


class RentedNumberAdapter(LifecycleAdapter):
    lifecycle_class = RentedNumberLifecycle
    type_token: ClassVar[str] = schema.RENTED_NUMBER

    def with_declared(self, news: dict[str, Any]) -> dict[str, Any]:
        declared = {name: news.get(name) for name in ("app_id", "subaccount", IMPORT_KEY)}
        return {**news, DECLARED_KEY: declared}

    def claim(self, owner: str, inputs: Mapping[str, Any], key: str) -> None:
        number = inputs.get("number")
        if isinstance(number, str) and not is_unknown(number):
            self.provider.deployment.claim(owner, [number], key)
