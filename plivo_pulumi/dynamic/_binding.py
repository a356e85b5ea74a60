"""What the dynamic front-end adds around the core's values: the SDK's unknowns as the core's marker,
the names of the secret inputs (the dynamic-provider host strips the secret mark, so the program
sends them as a hidden input), and `opts.import_` as an input."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

import pulumi
from pulumi.output import Unknown

from plivo_pulumi.core import UNKNOWN
from plivo_pulumi.core.lifecycle import SECRETS_KEY


def with_unknown_markers(value: Any) -> Any:
    """`value` with every unknown as the engine's string marker. The dynamic-provider host hands
    check and diff unknowns as `pulumi.output.Unknown` objects (the outputs of other resources at
    preview, like an `Application`'s app_id); the marker is what the core reads and the host can
    send back."""
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, dict):
        return {k: with_unknown_markers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [with_unknown_markers(v) for v in value]
    return value


def secret_inputs(fields: Mapping[str, Any]) -> Any:
    """The names of the fields that hold a secret anywhere inside (an Output marked secret), as an
    input for the provider. Why: the engine strips the secret mark before the dynamic provider's
    check sees the values (its host accepts no secrets), and a reason quoting the value would print
    the secret, though the engine itself shows the property's value as [secret]."""
    outputs = {name: value for name, value in fields.items() if _holds_output(value)}
    if not outputs:
        return []

    async def names() -> list[str]:
        return sorted([n for n, v in outputs.items() if await pulumi.Output.from_input(v).is_secret()])

    return pulumi.Output.from_input(names())


def _holds_output(value: Any) -> bool:
    if isinstance(value, pulumi.Output):
        return True
    if isinstance(value, Mapping):
        return any(_holds_output(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_output(v) for v in value)
    return False


def secret_fields(news: dict[str, Any], names: Iterable[str]) -> frozenset[str]:
    """Pop `SECRETS_KEY` from `news`: the fields among `names` whose value is secret (all of them
    while the list is unknown or unreadable, since a value must never be echoed by mistake)."""
    listed = news.pop(SECRETS_KEY, None)
    if listed is None:
        return frozenset()
    if isinstance(listed, list) and all(isinstance(n, str) for n in listed):
        return frozenset(listed)
    return frozenset(names)


def take_import_id(opts: pulumi.ResourceOptions | None) -> tuple[pulumi.ResourceOptions | None, str | None]:
    """Turn `opts.import_` into an "adopt with no write" input.

    The engine imports by calling the provider's read with neither inputs nor state, and Pulumi's
    Python dynamic-provider host needs the serialized provider from one of them, so an engine import
    of any Python dynamic resource fails. Adoption gives the same result: create reads the number and
    makes no write; with `import_id` set it fails instead of writing when a binding differs, just as
    an engine import fails when the code does not match the resource.
    """
    if opts is None or not opts.import_:
        return opts, None
    import_id = opts.import_
    stripped = copy.copy(opts)
    stripped.import_ = None
    return stripped, str(import_id)
