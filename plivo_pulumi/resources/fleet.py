"""Fleets: one `RentedNumber` per entry of a bindings file (the file's rules: plivo_pulumi.bindings)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pulumi

from plivo_pulumi.bindings import Binding, resolve_bindings
from plivo_pulumi.resources.rented_number import RentedNumber

__all__ = ["declare_bindings"]


def declare_bindings(
    path_or_bindings: str | os.PathLike[str] | Mapping[str, Any] | Iterable[Binding],
    opts: pulumi.ResourceOptions | Callable[[Binding], pulumi.ResourceOptions | None] | None = None,
) -> dict[str, RentedNumber]:
    """Declare one ``RentedNumber`` per binding, inside a Pulumi program; returns {resource name: resource}.

    ``path_or_bindings``: a YAML file path, an already parsed mapping of the same schema, or a list of
    :class:`Binding`. Everything is validated before the first resource is declared (a
    :class:`BindingsError` lists every problem). ``opts`` is applied to every resource, or is a
    function of the binding returning that resource's options (for ``import_``, ``aliases``, ...).
    """
    bindings = resolve_bindings(path_or_bindings)
    declared: dict[str, RentedNumber] = {}
    for binding in bindings:
        resource_opts = opts(binding) if callable(opts) else opts
        declared[binding.name] = RentedNumber(
            binding.name,
            number=binding.number,
            app_id=binding.app_id,
            subaccount=binding.subaccount,
            unrent_on_delete=binding.unrent_on_delete,
            opts=resource_opts,
        )
    return declared
