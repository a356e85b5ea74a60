"""Pulumi resources for Plivo numbers and applications. One resource per module."""

from plivo_pulumi.resources.application import Application, ApplicationProvider
from plivo_pulumi.resources.rented_number import RentedNumber, RentedNumberArgs, RentedNumberProvider
from plivo_pulumi.resources.rented_number_set import (
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
