"""Old import path of `plivo_pulumi.dynamic.rented_number`, kept for the provider pickles in old states."""

from plivo_pulumi.dynamic.rented_number import RentedNumber, RentedNumberArgs, RentedNumberProvider  # noqa: F401
