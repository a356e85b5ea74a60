"""The resource adapters of the provider, by type token (one module per resource)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from plivo_pulumi.native import schema
from plivo_pulumi.native.application import ApplicationAdapter
from plivo_pulumi.native.phone_number_order import PhoneNumberOrderAdapter
from plivo_pulumi.native.rented_number import RentedNumberAdapter
from plivo_pulumi.native.rented_number_set import RentedNumberSetAdapter

if TYPE_CHECKING:
    from plivo_pulumi.native.provider import AdapterFactory

ADAPTERS: dict[str, AdapterFactory] = {
    schema.RENTED_NUMBER: RentedNumberAdapter,
    schema.RENTED_NUMBER_SET: RentedNumberSetAdapter,
    schema.APPLICATION: ApplicationAdapter,
    schema.PHONE_NUMBER_ORDER: PhoneNumberOrderAdapter,
}
