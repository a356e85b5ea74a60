"""Pulumi dynamic resources for Plivo numbers and applications, one resource per module: thin adapters
over the core's lifecycles (`plivo_pulumi.core.lifecycle`)."""

from plivo_pulumi.dynamic.application import Application, ApplicationProvider
from plivo_pulumi.dynamic.phone_number_order import PhoneNumberOrder, PhoneNumberOrderProvider
from plivo_pulumi.dynamic.rented_number import RentedNumber, RentedNumberArgs, RentedNumberProvider
from plivo_pulumi.dynamic.rented_number_set import (
    RentedNumberSet,
    RentedNumberSetArgs,
    RentedNumberSetProvider,
)

__all__ = [
    "Application",
    "ApplicationProvider",
    "PhoneNumberOrder",
    "PhoneNumberOrderProvider",
    "RentedNumber",
    "RentedNumberArgs",
    "RentedNumberProvider",
    "RentedNumberSet",
    "RentedNumberSetArgs",
    "RentedNumberSetProvider",
]
