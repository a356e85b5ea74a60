"""Pulumi resources for Plivo numbers. One resource per module."""

from plivo_pulumi.resources.rented_number import RentedNumber, RentedNumberArgs, RentedNumberProvider
from plivo_pulumi.resources.rented_number_set import (
    RentedNumberSet,
    RentedNumberSetArgs,
    RentedNumberSetProvider,
)

__all__ = [
    "RentedNumber",
    "RentedNumberArgs",
    "RentedNumberProvider",
    "RentedNumberSet",
    "RentedNumberSetArgs",
    "RentedNumberSetProvider",
]
