"""A diagnostic variant, not a product: `RentedNumber` without the 9 API-reported outputs that
docs/design.md requires (`application`, `alias`, `number_type`, ...). It runs RentedNumber's own provider
(same checks, same GET and POST per number) and keeps only the binding outputs, so a run shows what
those 9 outputs cost the engine, apart from the API calls."""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CreateResult, Resource

from plivo_pulumi.core.lifecycle import API_FIELDS
from plivo_pulumi.dynamic.rented_number import RentedNumberProvider


class SlimRentedNumberProvider(RentedNumberProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        result = super().create(props)
        return CreateResult(result.id, {k: v for k, v in result.outs.items() if k not in API_FIELDS})


class SlimRentedNumber(Resource, module="bench", name="SlimRentedNumber"):
    def __init__(self, name: str, number: str, app_id: str) -> None:
        props = {"number": number, "app_id": app_id, "subaccount": None, "unrent_on_delete": False}
        super().__init__(SlimRentedNumberProvider(), name, props)
