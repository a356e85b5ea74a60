"""Old import path of `plivo_pulumi.dynamic.rented_number_set`, kept for pickles in old states."""

from plivo_pulumi.dynamic.rented_number_set import (  # noqa: F401
    RentedNumberSet,
    RentedNumberSetArgs,
    RentedNumberSetProvider,
)
