"""Checks the plugin cannot make: Pulumi's Python SDK drops a `None` value from a map and
fails on a non-string key while serializing, both before a request reaches the plugin."""

from collections.abc import Mapping
from typing import Any

import pulumi


def refuse_unusable_bindings(resource_name: str, bindings: Any) -> None:
    """A set's numbers are strings and each has a binding: say which entry is not, before any call."""
    if not isinstance(bindings, Mapping):
        return
    for number, binding in bindings.items():
        if not isinstance(number, str):
            raise pulumi.RunError(
                f"RentedNumberSet {resource_name!r}: bindings key {number!r} is {type(number).__name__}, "
                f'not a string: write the number quoted, bindings={{"{number}": ...}}. '
                "Nothing was sent to Plivo."
            )
        if binding is None:
            raise pulumi.RunError(
                f'RentedNumberSet {resource_name!r}: bindings["{number}"] is None, which Pulumi would '
                "drop silently (the number left out of the set): give it a binding, "
                "RentedNumberSetBindingArgs(app_id=..., subaccount=...), or remove the entry. "
                "Nothing was sent to Plivo."
            )
