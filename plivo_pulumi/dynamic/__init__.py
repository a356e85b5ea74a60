"""Pulumi resources for Plivo numbers and applications. One resource per module."""

from plivo_pulumi.dynamic.application import Application, ApplicationProvider
from plivo_pulumi.dynamic.rented_number import RentedNumber, RentedNumberArgs, RentedNumberProvider
from plivo_pulumi.dynamic.rented_number_set import (
    RentedNumberSet,
    RentedNumberSetArgs,
    RentedNumberSetProvider,
)

__all__ = [
    "Application",
    "ApplicationProvider",
    "RentedNumber",
    "RentedNumberArgs",
    "RentedNumberProvider",
    "RentedNumberSet",
    "RentedNumberSetArgs",
    "RentedNumberSetProvider",
]
