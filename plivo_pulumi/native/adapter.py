"""The one adapter between the SDK's requests and a core lifecycle class (`plivo_pulumi.core.lifecycle`):
names and values converted at the edge, the core's rules applied as they are. Each resource module
(rented_number.py, rented_number_set.py, application.py) only says which lifecycle it adapts, which
numbers a resource claims, and how its import id reads.

What is native-specific, and why:
* Check claims the resource's numbers for its URN (`Deployment.claim`), since the engine sends each
  resource's inputs here (there is no program-side register as in the dynamic front-end): two
  resources declaring one number fail at check, naming both.
* The dynamic front-end's program side is done here, in Check: the code's own values are recorded
  in `__declared` (a refresh rebuilds the inputs from them) as the dynamic resources' constructors do.
* An import (`pulumi import`, or `opts.import_`) is, as the engine v3.274.1 runs it, `Read(id)` with
  no state, then `Check(olds = what Read returned, news = the program's inputs)`, then `Diff` and
  `Update` (never `Create`). So the Read of an import records the id in the outputs
  (`ADOPTING_KEY`) and in the inputs (`IMPORT_KEY`, carried by every later Check as the dynamic
  program carries `import_`); Diff then always plans an update, and that Update is the core's
  create with `IMPORT_KEY`: the adoption, with its rule "adoption never writes" (a GET, no write, a
  failure naming every field that differs). Until it succeeds the marker stays, so a rerun refuses
  again; once it does, later changes of the code are ordinary updates.
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
from plivo_pulumi.core.lifecycle import IMPORT_KEY, SECRETS_KEY
from plivo_pulumi.native import schema
from plivo_pulumi.native.convert import (
    camel_path,
    inputs_from_engine,
    properties_to_engine,
    to_camel,
    to_snake,
)

if TYPE_CHECKING:
    from plivo_pulumi.native.provider import PlivoProvider

# In the outputs of an imported resource until its adoption ran (see the module docstring).
ADOPTING_KEY = "__adopting"


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
    type_token: ClassVar[str] = ""

    def __init__(self, provider: PlivoProvider) -> None:
        self.provider = provider
        self.lifecycle = self.make_lifecycle()

    def make_lifecycle(self) -> Any:
        from plivo_pulumi.core import lifecycle

        return getattr(lifecycle, self.lifecycle_name)(self.provider.lifecycle_context())

    # -- per resource -------------------------------------------------------------------------

    def claim(self, owner: str, inputs: Mapping[str, Any]) -> None:
        """Claim what a resource with these checked inputs manages for `owner` (its URN's label);
        raises the core's PlivoError naming both owners when another resource holds it."""

    claim_field: ClassVar[str] = "number"

    def with_declared(self, news: dict[str, Any]) -> dict[str, Any]:
        """The program's inputs as the dynamic resource's constructor sends them (`__declared`)."""
        return news

    def import_props(self, resource_id: str) -> dict[str, Any]:
        """The properties the core's read gets for an import (no state yet)."""
        return {}

    def import_inputs(self, outputs: Mapping[str, Any], resource_id: str) -> dict[str, Any]:
        """The inputs an import leaves: the schema's inputs at their live values, and `IMPORT_KEY`."""
        names = {to_snake(name) for name in self.input_names()}
        inputs = {name: value for name, value in outputs.items() if name in names}
        inputs[IMPORT_KEY] = resource_id
        return inputs

    def input_names(self) -> Iterable[str]:
        """The schema's input names of this resource."""
        return schema.schema()["resources"][self.type_token]["inputProperties"]

    # -- the calls ----------------------------------------------------------------------------

    def check(self, request: CheckRequest) -> CheckResponse:
        olds, _ = inputs_from_engine(request.old_inputs)
        news, secret = inputs_from_engine(request.new_inputs)
        if olds.get(IMPORT_KEY) is not None and news.get(IMPORT_KEY) is None:
            news[IMPORT_KEY] = olds[IMPORT_KEY]  # an imported resource stays adopted, as with `import_`
        checked = self.lifecycle.check(olds, self.with_declared(news), secret)
        failures = [CheckFailure(camel_path(f.field), f.reason) for f in checked.failures]
        if not failures:
            try:
                self.claim(resource_label(request.urn), checked.inputs)
            except PlivoError as exc:
                failures.append(CheckFailure(to_camel(self.claim_field), str(exc)))
        return CheckResponse(inputs=properties_to_engine(checked.inputs, secret), failures=failures)

    def diff(self, request: DiffRequest) -> DiffResponse:
        olds, _ = inputs_from_engine(request.old_state)
        news, _ = inputs_from_engine(request.new_inputs)
        planned = self.lifecycle.diff(request.resource_id, olds, news)
        replaces = [to_camel(name) for name in planned.replaces]
        if olds.get(ADOPTING_KEY) is not None and not replaces:
            # Imported, not yet adopted: the update is the adoption (it writes nothing).
            changed = [to_camel(name) for name in planned.changed] or [ADOPTING_KEY]
            return DiffResponse(changes=True, diffs=changed)
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
        secret = secret_names(request.properties, outputs=written.outputs) | set(written.secret_outputs)
        return CreateResponse(written.id, properties_to_engine(written.outputs, secret))

    def read(self, request: ReadRequest) -> ReadResponse:
        importing = not request.properties and not request.inputs
        if importing:
            props = self.import_props(request.resource_id)
        else:
            props, _ = inputs_from_engine(request.properties)
        observed = self.lifecycle.read(request.resource_id, props)
        if not observed.id:
            return ReadResponse(resource_id="")
        secret = secret_names(request.properties, request.inputs, outputs=observed.outputs)
        secret |= set(observed.secret_outputs)
        outputs = dict(observed.outputs)
        if importing:
            outputs[ADOPTING_KEY] = request.resource_id
            inputs = properties_to_engine(self.import_inputs(outputs, request.resource_id))
        elif props.get(ADOPTING_KEY) is not None:  # a refresh before the adoption ran keeps it pending
            outputs[ADOPTING_KEY] = props[ADOPTING_KEY]
            inputs = dict(request.inputs)
        elif observed.inputs is None:
            inputs = dict(request.inputs)
        else:
            inputs = properties_to_engine(observed.inputs, secret & set(observed.inputs))
        return ReadResponse(observed.id, properties_to_engine(outputs, secret), inputs)

    def update(self, request: UpdateRequest) -> UpdateResponse:
        olds, _ = inputs_from_engine(request.olds)
        news, _ = inputs_from_engine(request.news)
        if olds.get(ADOPTING_KEY) is not None:
            written = self.lifecycle.create({**news, IMPORT_KEY: news.get(IMPORT_KEY) or olds[ADOPTING_KEY]})
        else:
            written = self.lifecycle.update(request.resource_id, olds, news)
        secret = secret_names(request.news, outputs=written.outputs) | set(written.secret_outputs)
        return UpdateResponse(properties_to_engine(written.outputs, secret))

    def delete(self, request: DeleteRequest) -> None:
        props, _ = inputs_from_engine(request.properties)
        self.lifecycle.delete(request.resource_id, props)
