"""The one adapter between the SDK's requests and a core lifecycle class (`plivo_pulumi.core.lifecycle`):
names and values converted at the edge, the core's rules applied as they are. Each resource module
(rented_number.py, rented_number_set.py, application.py) only says which lifecycle it adapts, which
numbers a resource claims, and how its import id reads.

What is native-specific, and why:
* Check claims the resource's numbers for its URN (`Deployment.claim`), since the engine sends each
  resource's inputs here (there is no program-side register as in the dynamic front-end): two
  resources declaring one number fail at check, naming both.
* An import is the engine's `Read(id)` with no state, then `Check(olds = what Read returned, news =
  the program's inputs)`, then `Diff`/`Update` (never `Create`). The core's read of an import returns
  inputs carrying `IMPORT_KEY`, and its check refuses, field by field, code that differs from them:
  adoption never writes, and it fails already at preview.
* Secrets: an output named like a secret input (or listed in the core's `__secrets`) is sent secret.
* Diff: the core says when the engine may compare old and new inputs itself (it then reports each
  changed key, `bindings["<number>"]` for a set, and honours `ignoreChanges`); otherwise our answer
  carries a detailed diff built from the core's changed and replaced names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    PropertyDiff,
    PropertyDiffKind,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)

from plivo_pulumi.core.errors import PlivoError
from plivo_pulumi.native.convert import camel_path, inputs_from_engine, properties_to_engine, to_camel

if TYPE_CHECKING:
    from plivo_pulumi.native.provider import PlivoProvider

SECRETS_KEY = "__secrets"


def resource_label(urn: str) -> str:
    """`RentedNumber 'support'` for a URN: how the dynamic front-end names an owner in a message."""
    parts = urn.split("::")
    type_name = parts[-2].rsplit(":", 1)[-1] if len(parts) > 2 else urn
    name = parts[-1] if len(parts) > 1 else urn
    return f"{type_name} '{name}'"


def secret_names(*maps: Mapping[str, PropertyValue], outputs: Mapping[str, Any] | None = None) -> set[str]:
    """The snake names to send secret: those secret in any of `maps`, and those the core lists in
    the outputs' `__secrets`."""
    names: set[str] = set()
    for values in maps:
        names |= inputs_from_engine(values)[1]
    listed = (outputs or {}).get(SECRETS_KEY) or ()
    if isinstance(listed, list | tuple):
        names |= {str(name) for name in listed}
    return names


def _map_key_diff(name: str, olds: Any, news: Any) -> dict[str, PropertyDiff]:
    """Per-key entries (`bindings["1555"]`) of a map property that changed."""
    if not isinstance(olds, Mapping) or not isinstance(news, Mapping):
        return {name: PropertyDiff(PropertyDiffKind.UPDATE, input_diff=True)}
    entries: dict[str, PropertyDiff] = {}
    for key in sorted(set(olds) | set(news)):
        if key not in olds:
            kind = PropertyDiffKind.ADD
        elif key not in news:
            kind = PropertyDiffKind.DELETE
        elif olds[key] != news[key]:
            kind = PropertyDiffKind.UPDATE
        else:
            continue
        entries[f'{name}["{key}"]'] = PropertyDiff(kind, input_diff=True)
    return entries


class LifecycleAdapter:
    """Adapts one core lifecycle class to the SDK's requests (see the module docstring)."""

    # Set by each resource module.
    lifecycle_name: ClassVar[str] = ""

    def __init__(self, provider: PlivoProvider) -> None:
        self.provider = provider
        self.lifecycle = self.make_lifecycle()

    def make_lifecycle(self) -> Any:
        from plivo_pulumi.core import lifecycle

        return getattr(lifecycle, self.lifecycle_name)(self.provider.lifecycle_context())

    # -- per resource -------------------------------------------------------------------------

    def claimed_numbers(self, inputs: Mapping[str, Any]) -> Iterable[str]:
        """The numbers a resource with these checked inputs manages (claimed for its URN)."""
        return ()

    claim_field: ClassVar[str] = "number"

    # -- the calls ----------------------------------------------------------------------------

    def check(self, request: CheckRequest) -> CheckResponse:
        olds, _ = inputs_from_engine(request.old_inputs)
        news, secret = inputs_from_engine(request.new_inputs)
        checked = self.lifecycle.check(olds, news, secret)
        failures = [CheckFailure(camel_path(f.field), f.reason) for f in checked.failures]
        if not failures:
            try:
                self.provider.deployment.claim(
                    resource_label(request.urn), self.claimed_numbers(checked.inputs)
                )
            except PlivoError as exc:
                failures.append(CheckFailure(to_camel(self.claim_field), str(exc)))
        return CheckResponse(inputs=properties_to_engine(checked.inputs, secret), failures=failures)

    def diff(self, request: DiffRequest) -> DiffResponse:
        olds, _ = inputs_from_engine(request.old_state)
        news, _ = inputs_from_engine(request.new_inputs)
        planned = self.lifecycle.diff(request.resource_id, olds, news)
        replaces = [to_camel(name) for name in planned.replaces]
        if planned.engine_may_compare:
            return DiffResponse(
                changes=None, replaces=replaces, delete_before_replace=planned.delete_before_replace
            )
        changed = list(dict.fromkeys([*planned.changed, *planned.replaces]))
        detailed: dict[str, PropertyDiff] = {}
        for name in changed:
            if name in planned.replaces:
                detailed[to_camel(name)] = PropertyDiff(PropertyDiffKind.UPDATE_REPLACE, input_diff=True)
            elif isinstance(news.get(name), Mapping):
                detailed.update(_map_key_diff(to_camel(name), olds.get(name), news.get(name)))
            else:
                detailed[to_camel(name)] = PropertyDiff(PropertyDiffKind.UPDATE, input_diff=True)
        return DiffResponse(
            changes=bool(changed),
            replaces=replaces,
            delete_before_replace=planned.delete_before_replace,
            diffs=[to_camel(name) for name in changed],
            detailed_diff=detailed,
        )

    def create(self, request: CreateRequest) -> CreateResponse:
        props, _ = inputs_from_engine(request.properties)
        written = self.lifecycle.create(props)
        secret = secret_names(request.properties, outputs=written.outputs)
        return CreateResponse(written.id, properties_to_engine(written.outputs, secret))

    def read(self, request: ReadRequest) -> ReadResponse:
        props, _ = inputs_from_engine(request.properties)
        observed = self.lifecycle.read(request.resource_id, props)
        if not observed.id:
            return ReadResponse(resource_id="")
        secret = secret_names(request.properties, request.inputs, outputs=observed.outputs)
        inputs = (
            dict(request.inputs)
            if observed.inputs is None
            else properties_to_engine(observed.inputs, secret & set(observed.inputs))
        )
        return ReadResponse(observed.id, properties_to_engine(observed.outputs, secret), inputs)

    def update(self, request: UpdateRequest) -> UpdateResponse:
        olds, _ = inputs_from_engine(request.olds)
        news, _ = inputs_from_engine(request.news)
        written = self.lifecycle.update(request.resource_id, olds, news)
        secret = secret_names(request.news, outputs=written.outputs)
        return UpdateResponse(properties_to_engine(written.outputs, secret))

    def delete(self, request: DeleteRequest) -> None:
        props, _ = inputs_from_engine(request.properties)
        self.lifecycle.delete(request.resource_id, props)
