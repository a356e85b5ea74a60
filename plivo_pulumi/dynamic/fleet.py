"""Fleets: one `RentedNumber` per entry of a bindings file, and one `Application` per application the
file declares (the file's rules: plivo_pulumi.core.fleet_file)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from plivo_pulumi.core.fleet_file import Binding, Fleet, resolve_fleet
from plivo_pulumi.dynamic.application import Application
from plivo_pulumi.dynamic.rented_number import RentedNumber

__all__ = ["DeclaredFleet", "declare_applications", "declare_bindings", "declare_fleet", "app_id_of"]


@dataclass
class DeclaredFleet:
    """The resources of a bindings file: {resource name: Application} and {resource name: RentedNumber}."""

    applications: dict[str, Application]
    numbers: dict[str, RentedNumber]


def declare_applications(fleet: Fleet, opts: pulumi.ResourceOptions | None = None) -> dict[str, Application]:
    """One `Application` per entry of the file's `applications` (the key is the resource name)."""
    return {name: Application(name, opts=opts, **spec.fields) for name, spec in fleet.applications.items()}


def app_id_of(binding: Binding, applications: Mapping[str, Application]) -> Any:
    """The binding's app_id: the declared application's output when it names one."""
    if binding.application is not None:
        return applications[binding.application].app_id
    return binding.app_id


def declare_fleet(
    path_or_bindings: str | os.PathLike[str] | Mapping[str, Any] | Iterable[Binding],
    opts: pulumi.ResourceOptions | Callable[[Binding], pulumi.ResourceOptions | None] | None = None,
) -> DeclaredFleet:
    """Declare the file's applications, then one ``RentedNumber`` per binding (bound to the
    application's output where the entry names one, so the engine orders them). ``opts`` as for
    `declare_bindings` (a callable applies to the numbers only)."""
    fleet = resolve_fleet(path_or_bindings)
    applications = declare_applications(fleet, None if callable(opts) else opts)
    declared: dict[str, RentedNumber] = {}
    for binding in fleet.bindings:
        resource_opts = opts(binding) if callable(opts) else opts
        declared[binding.name] = RentedNumber(
            binding.name,
            number=binding.number,
            app_id=app_id_of(binding, applications),
            subaccount=binding.subaccount,
            unrent_on_delete=binding.unrent_on_delete,
            opts=resource_opts,
        )
    return DeclaredFleet(applications, declared)


def declare_bindings(
    path_or_bindings: str | os.PathLike[str] | Mapping[str, Any] | Iterable[Binding],
    opts: pulumi.ResourceOptions | Callable[[Binding], pulumi.ResourceOptions | None] | None = None,
) -> dict[str, RentedNumber]:
    """Declare one ``RentedNumber`` per binding, inside a Pulumi program; returns {resource name: resource}.

    ``path_or_bindings``: a YAML file path, an already parsed mapping of the same schema, or a list of
    :class:`Binding`. Everything is validated before the first resource is declared (a
    :class:`BindingsError` lists every problem). ``opts`` is applied to every resource, or is a
    function of the binding returning that resource's options (for ``import_``, ``aliases``, ...).
    The applications the file declares are declared too (see `declare_fleet`, which returns them).
    """
    return declare_fleet(path_or_bindings, opts).numbers
