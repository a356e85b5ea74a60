"""`RentedNumberSet`: one resource authoritative for the bindings of many numbers (the fleet path),
as a Pulumi dynamic resource. Why a set, its compact state and its safety rules:
`plivo_pulumi.core.lifecycle.rented_number_set`, which is its lifecycle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import Resource

from plivo_pulumi.core.fleet_file import load_fleet
from plivo_pulumi.core.lifecycle import IMPORT_KEY, SECRETS_KEY
from plivo_pulumi.core.lifecycle.rented_number_set import (
    DEFAULT_IN_FLIGHT,
    RentedNumberSetLifecycle,
    fields_of,
)
from plivo_pulumi.dynamic._binding import secret_inputs, take_import_id
from plivo_pulumi.dynamic._program import claim_numbers, require_secret_token
from plivo_pulumi.dynamic._provider import PlivoResourceProvider


class RentedNumberSetProvider(PlivoResourceProvider):
    """Dynamic provider for `RentedNumberSet`."""

    lifecycle = RentedNumberSetLifecycle
    secret_candidates = ("bindings",)


@dataclass
class RentedNumberSetArgs:
    """The inputs of a `RentedNumberSet`, for callers that prefer an args object (as generated SDKs do)."""

    bindings: Mapping[str, Any] | Sequence[Any]
    unrent_on_delete: bool = False
    max_in_flight: int = DEFAULT_IN_FLIGHT


class RentedNumberSet(Resource, module="plivo", name="RentedNumberSet"):
    """Many rented numbers and their bindings as one resource (see the module docstring).

    `bindings`: `{number: {"app_id": ..., "subaccount": ...}}` or a list of
    `{"number", "app_id", "subaccount"}` (or `plivo_pulumi.core.fleet_file.Binding` objects). As with
    `RentedNumber`, `None` leaves a field unmanaged and `""` manages it as "none".
    """

    if TYPE_CHECKING:  # for type checkers only, as for RentedNumber
        bindings: pulumi.Output[dict[str, str]]
        unrent_on_delete: pulumi.Output[bool]
        max_in_flight: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        args: RentedNumberSetArgs | Mapping[str, Any] | Sequence[Any] | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        bindings: Mapping[str, Any] | Sequence[Any] | None = None,
        unrent_on_delete: bool | None = None,
        max_in_flight: int | None = None,
    ) -> None:
        """`RentedNumberSet(name, RentedNumberSetArgs(...), opts)` or `RentedNumberSet(name, bindings=...,
        unrent_on_delete=..., max_in_flight=..., opts=...)`, as for `RentedNumber`; the bindings may
        also come second on their own (`RentedNumberSet("fleet", {...})`)."""
        if not isinstance(args, RentedNumberSetArgs):
            if args is not None and bindings is not None:
                raise TypeError("RentedNumberSet takes the bindings once: second or as bindings=, not both")
            args = RentedNumberSetArgs(
                bindings=args if args is not None else bindings if bindings is not None else {},
                unrent_on_delete=False if unrent_on_delete is None else unrent_on_delete,
                max_in_flight=DEFAULT_IN_FLIGHT if max_in_flight is None else max_in_flight,
            )
        elif any(v is not None for v in (bindings, unrent_on_delete, max_in_flight)):
            raise TypeError(
                "RentedNumberSet takes either a RentedNumberSetArgs or keyword arguments, not both"
            )
        require_secret_token()
        plain = _plain_bindings(args.bindings)
        owner = f"RentedNumberSet '{resource_name}'"
        if isinstance(plain, Mapping):
            claim_numbers(owner, plain)
        else:  # a listed number may be an output: it is claimed once known (see claim_numbers)
            entries = [e for e in plain if isinstance(e, dict)]
            for entry, claimed in zip(
                entries, claim_numbers(owner, [e.get("number") for e in entries]), strict=True
            ):
                if isinstance(claimed, pulumi.Output):
                    entry["number"] = claimed
        props = {
            "bindings": plain,
            "unrent_on_delete": args.unrent_on_delete,
            "max_in_flight": args.max_in_flight,
        }
        opts, props[IMPORT_KEY] = take_import_id(opts)
        props[SECRETS_KEY] = secret_inputs({"bindings": plain})
        super().__init__(RentedNumberSetProvider(), resource_name, props, opts)

    @classmethod
    def from_yaml(
        cls,
        resource_name: str,
        path: str | Path,
        *,
        max_in_flight: int = DEFAULT_IN_FLIGHT,
        opts: pulumi.ResourceOptions | None = None,
    ) -> RentedNumberSet:
        """Declare the set from a bindings file (see docs/bindings.md), and the `Application` of each
        entry of the file's `applications` (named by its key). Every entry must agree on
        `unrent_on_delete`, since a set is deleted as a whole."""
        fleet = load_fleet(path)
        entries = fleet.bindings
        flags = {b.unrent_on_delete for b in entries}
        if len(flags) > 1:
            raise ValueError(
                f"{path}: entries disagree on unrent_on_delete; a RentedNumberSet is unrented as a whole, "
                "so set it once under `defaults` (or declare the numbers as RentedNumber resources)"
            )
        from plivo_pulumi.dynamic.fleet import app_id_of, declare_applications

        applications = declare_applications(fleet)
        bindings = [
            {"number": b.number, "app_id": app_id_of(b, applications), "subaccount": b.subaccount}
            for b in entries
        ]
        return cls(
            resource_name,
            bindings,
            unrent_on_delete=bool(flags and flags.pop()),
            max_in_flight=max_in_flight,
            opts=opts,
        )


def _plain_bindings(bindings: Mapping[str, Any] | Sequence[Any]) -> Any:
    """Turn Binding objects into plain dicts so the engine can serialize them; integer numbers and
    app ids become strings (the wire would make them floats, losing digits)."""

    def plain(entry: Any) -> Any:
        entry = fields_of(entry)
        if not isinstance(entry, Mapping):
            return entry
        return {
            k: str(v) if isinstance(v, int) and not isinstance(v, bool) and k in ("number", "app_id") else v
            for k, v in entry.items()
        }

    if isinstance(bindings, Mapping):
        return {str(k): plain(v) for k, v in bindings.items()}
    return [plain(e) for e in bindings]
