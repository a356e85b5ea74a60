"""Plivo phone-number bindings as code, for Pulumi.

`RentedNumber` binds one rented number to an application and a subaccount, `RentedNumberSet` many
numbers as one resource, `Application` declares the application they bind to, `PhoneNumberOrder`
buys numbers by declaration; `PlivoClient` (plivo_pulumi.core.client) talks to the Plivo Number and
Application APIs; `plivo_pulumi.simulator` is a local stand-in for them.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time the SDK loads on first use
    from plivo_pulumi.dynamic import (
        Application,
        PhoneNumberOrder,
        RentedNumber,
        RentedNumberArgs,
        RentedNumberSet,
        RentedNumberSetArgs,
    )

from plivo_pulumi.version import __version__

__all__ = [
    "Application",
    "PhoneNumberOrder",
    "RentedNumber",
    "RentedNumberArgs",
    "RentedNumberSet",
    "RentedNumberSetArgs",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # Resources import the Pulumi SDK, which is slow to load: the simulator and the CLI do not need it.
    if name in __all__:
        from plivo_pulumi import dynamic

        return getattr(dynamic, name)
    raise AttributeError(f"module 'plivo_pulumi' has no attribute {name!r}")
