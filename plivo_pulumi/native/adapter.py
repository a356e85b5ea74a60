"""The one adapter between the SDK's requests and a core lifecycle class (`plivo_pulumi.core.lifecycle`):
names and values converted at the edge, the core's rules applied as they are. Each resource module
(rented_number.py, rented_number_set.py, application.py) only says which lifecycle it adapts, what a
resource claims, and what the dynamic resource's constructor would record.

What is native-specific, and why:
* Check claims the resource's numbers for its URN (`Deployment.claim`), since the engine sends each
  resource's inputs here (there is no program-side register as in the dynamic front-end): two
  resources declaring one number fail at check, naming both.
* The dynamic front-end's program side is done here, in Check: the code's own values are recorded
  in `__declared` (a refresh rebuilds the inputs from them) as the dynamic resources' constructors do.
* An import (`pulumi import`, or `opts.import_`) is, as the engine v3.274.1 runs it, `Read(id)` with
  no state, then `Check(olds = what Read returned, news = the program's inputs)`, then `Diff` and
  `Update` (never `Create`). The core's read of an import returns inputs carrying `IMPORT_KEY`;
  Check sees it in `olds` and applies the core's `check_import`: adoption never writes, so code that
  differs from the account fails, field by field, at preview. Until the code matches, the state
  keeps those inputs (the engine committed the import), so a rerun refuses again. The checked inputs
  never carry `IMPORT_KEY`: the engine, not the program, imports here. `pulumi import` differs: the
  engine stores Read's inputs and only warns on Check, so there Read returns the inputs Check makes
  of code declaring exactly what was imported (`as_code_declares`): the import is finished.
* Secrets: an output named like a secret input, listed in the core's `__secrets` or in its
  `secret_outputs`, is sent secret, and so are the hidden copies of the values.
* Diff: the core says when the engine may compare old and new inputs itself (it then reports each
  changed key, per number for a set); with `ignoreChanges` we compare them ourselves, leaving the
  ignored properties out of `__declared` too (see `_compare_inputs`); otherwise our answer carries a
  detailed diff built from the core's changed and replaced names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

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
from plivo_pulumi.core.lifecycle import DECLARED_KEY, IMPORT_KEY, SECRETS_KEY, Lifecycle
from plivo_pulumi.engine.invocation import run_is_cli_import
from plivo_pulumi.native.convert import (
    camel_path,
    inputs_from_engine,
    is_hidden,
    properties_to_engine,
    to_camel,
    to_snake,
)
from plivo_pulumi.native.provider import PlivoProvider


def resource_label(urn: str) -> str:
    """`RentedNumber 'support'` for a URN: how the dynamic front-end names an owner in a message; a
    parented resource's label names its parent's type (`RentedNumber 'a' (in review:index:Team)`),
    since two resources under parents of different types may share a name (the claims tell owners
    apart by this label)."""
    parts = urn.split("::")
    if len(parts) < 3:
        return urn
    *parents, own = parts[-2].split("$")
    label = f"{own.rsplit(':', 1)[-1]} '{parts[-1]}'"
    return f"{label} (in {parents[-1]})" if parents else label


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


def ignored_names(paths: Iterable[str]) -> frozenset[str]:
    """The snake names of `ignoreChanges` when every path is a whole top-level property (else empty:
    the engine's own comparison then handles the finer paths)."""
    paths = list(paths)
    if any(not path.isidentifier() for path in paths):
        return frozenset()
    return frozenset(to_snake(path) for path in paths)


def _without(values: Mapping[str, Any], ignored: frozenset[str]) -> dict[str, Any]:
    result = {name: value for name, value in values.items() if name not in ignored}
    declared = result.get(DECLARED_KEY)
    if isinstance(declared, Mapping):
        result[DECLARED_KEY] = {name: value for name, value in declared.items() if name not in ignored}
    return result


def _compare_inputs(
    old_inputs: Mapping[str, Any], news: Mapping[str, Any], ignored: frozenset[str], planned: Any
) -> DiffResponse:
    """What the engine compares when we answer "unknown" (old inputs with new ones), minus the
    ignored properties, including their copies in `__declared`: the engine puts the state's value of
    an ignored input in the new inputs before Check, which records it as the code's, so its own
    comparison would report `__declared` as changed after every drift of an ignored field."""
    old, new = _without(old_inputs, ignored), _without(news, ignored)
    replaces = [name for name in planned.replaces if name not in ignored]
    detailed: dict[str, PropertyDiff] = {}
    hidden_changed = False
    for name in sorted(set(old) | set(new)):
        if old.get(name) == new.get(name):
            continue
        if is_hidden(name):  # an update all the same, never a line of `preview --diff`
            hidden_changed = True
            continue
        if name in replaces:
            kind = PropertyDiffKind.UPDATE_REPLACE
        elif name not in old:
            kind = PropertyDiffKind.ADD
        elif name not in new:
            kind = PropertyDiffKind.DELETE
        else:
            kind = PropertyDiffKind.UPDATE
        if (
            kind is PropertyDiffKind.UPDATE
            and isinstance(new.get(name), Mapping)
            and not name.startswith("__")
        ):
            detailed.update(_map_key_diff(to_camel(name), old.get(name), new.get(name)))
        else:
            detailed[to_camel(name)] = PropertyDiff(kind, input_diff=True)
    return DiffResponse(
        changes=bool(detailed) or hidden_changed,
        replaces=[to_camel(name) for name in replaces],
        delete_before_replace=planned.delete_before_replace,
        diffs=list(dict.fromkeys(key.split("[")[0] for key in detailed)),
        detailed_diff=detailed,
    )


# Failures shown one by one; the engine prints each (twice), so a set with thousands of bad entries
# would print thousands of lines: the rest are counted, as the core's messages list 20 numbers.
FAILURES_SHOWN = 20


def capped(failures: list[CheckFailure]) -> list[CheckFailure]:
    """The first `FAILURES_SHOWN` failures, and one that counts the others (under the first's
    top-level property, e.g. `bindings`)."""
    if len(failures) <= FAILURES_SHOWN:
        return failures
    rest = len(failures) - FAILURES_SHOWN
    where = failures[FAILURES_SHOWN].property.split("[")[0].split(".")[0]
    return [
        *failures[:FAILURES_SHOWN],
        CheckFailure(
            where,
            f"and {rest} more problem(s) like those above (only the first {FAILURES_SHOWN} are shown); "
            "fix them and run again",
        ),
    ]


def _import_finished(outputs: dict[str, Any]) -> dict[str, Any]:
    """Outputs without the pending-import marker (a refresh rebuilds the inputs from `__declared`)."""
    outputs = {name: value for name, value in outputs.items() if name != IMPORT_KEY}
    declared = outputs.get(DECLARED_KEY)
    if isinstance(declared, Mapping) and IMPORT_KEY in declared:
        outputs[DECLARED_KEY] = {**declared, IMPORT_KEY: None}
    return outputs


class LifecycleAdapter:
    """Adapts one core lifecycle class to the SDK's requests (see the module docstring)."""

    # Set by each resource module: the core class adapted, the type token, the property a refused
    # claim is reported under.
    lifecycle_class: ClassVar[type[Lifecycle]]
    type_token: ClassVar[str] = ""
    claim_field: ClassVar[str] = "number"
    import_id_hint: ClassVar[str] = "the number (like 15676988323)"

    def __init__(self, provider: PlivoProvider) -> None:
        self.provider = provider
        self.lifecycle: Any = self.lifecycle_class(provider.lifecycle_context())

    # -- per resource -------------------------------------------------------------------------

    def claim(self, owner: str, inputs: Mapping[str, Any], key: str) -> None:
        """Claim what a resource with these checked inputs manages for the resource `key` (its URN;
        `owner`, its label, names it in messages) in the engine run's memory, which every provider
        process of the run shares; raises the core's PlivoError naming both owners when another
        resource holds it."""

    def with_declared(self, news: dict[str, Any]) -> dict[str, Any]:
        """The program's inputs as the dynamic resource's constructor sends them (`__declared`)."""
        return news

    def comparable(self, old_inputs: dict[str, Any]) -> dict[str, Any]:
        """The state's inputs in the form Check gives the code's, for Diff's comparison."""
        return old_inputs

    def as_code_declares(self, read_inputs: dict[str, Any]) -> dict[str, Any]:
        """The inputs of `pulumi import`'s Read, as Check makes them of code that declares exactly
        what was imported. The engine stores Read's inputs for `pulumi import` and checks them only
        to warn, so the adoption is complete when the command ends: its state must not carry the
        pending-import marker (else the pasted code would show a change at the next preview, and
        a later change of the code would be refused as an import that has to write)."""
        news = {k: v for k, v in read_inputs.items() if k not in (IMPORT_KEY, DECLARED_KEY)}
        checked = self.lifecycle.check({}, self.with_declared(news), frozenset())
        return read_inputs if checked.failures else checked.inputs

    # -- the calls ----------------------------------------------------------------------------

    def check(self, request: CheckRequest) -> CheckResponse:
        olds, _ = inputs_from_engine(request.old_inputs)
        news, secret = inputs_from_engine(request.new_inputs)
        # An import of this run: this process's Read adopted the resource (see `read`). The marker
        # alone is not enough: a refused import stays in the state with it, and a later run cannot
        # tell whether the code still says `import_` (the engine imports only once), so there the
        # code's values are an ordinary update: the way out the refusal advises.
        importing = olds.get(IMPORT_KEY) is not None and request.urn in self.provider.import_reads
        news.pop(IMPORT_KEY, None)  # `pulumi import` checks the Read's inputs themselves
        checked = self.lifecycle.check(olds, self.with_declared(news), secret)
        found = list(checked.failures)
        if importing and not found:
            found = self.lifecycle.check_import(olds, checked.inputs, secret)
        failures = capped([CheckFailure(camel_path(f.field), f.reason) for f in found])
        if not failures:
            try:
                self.claim(resource_label(request.urn), checked.inputs, request.urn)
            except PlivoError as exc:
                failures.append(CheckFailure(to_camel(self.claim_field), str(exc)))
        return CheckResponse(inputs=properties_to_engine(checked.inputs, secret), failures=failures)

    def diff(self, request: DiffRequest) -> DiffResponse:
        olds, _ = inputs_from_engine(request.old_state)
        news, _ = inputs_from_engine(request.new_inputs)
        planned = self.lifecycle.diff(request.resource_id, olds, news)
        replaces = [to_camel(name) for name in planned.replaces]
        if planned.engine_may_compare:
            ignored = ignored_names(request.ignore_changes)
            old_inputs = getattr(request, "old_inputs", None)
            if old_inputs is not None and (ignored or not request.ignore_changes):
                old = self.comparable(inputs_from_engine(old_inputs)[0])
                return _compare_inputs(old, news, ignored, planned)
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
        props, _ = inputs_from_engine(request.properties)  # empty for an import: the core adopts `id`
        importing = not props
        observed = self._read(request.resource_id, props)
        if importing:
            self.provider.import_reads.add(request.urn)
        if not observed.id:
            return ReadResponse(resource_id="")
        secret = secret_names(request.properties, request.inputs, outputs=observed.outputs)
        secret |= set(observed.secret_outputs)
        outputs = dict(observed.outputs)
        if observed.inputs is None:
            inputs = dict(request.inputs)
        else:
            read_inputs = observed.inputs
            if importing and run_is_cli_import():
                read_inputs = self.as_code_declares(read_inputs)
                outputs = _import_finished(outputs)
            inputs = properties_to_engine(read_inputs, secret & set(read_inputs))
        return ReadResponse(observed.id, properties_to_engine(outputs, secret), inputs)

    def _read(self, resource_id: str, props: dict[str, Any]) -> Any:
        """The core's read; for an import, an id the core cannot use (`12ab` as a number) is the
        user's input error, named with the id, not a Python exception."""
        if props:
            return self.lifecycle.read(resource_id, props)
        try:
            return self.lifecycle.read(resource_id, props)
        except (ValueError, TypeError) as exc:
            kind = self.type_token.rsplit(":", 1)[-1]
            raise PlivoError(
                f"cannot import {kind} {resource_id!r}: {exc}. Give {self.import_id_hint} as the import "
                "id. Nothing was imported or sent to Plivo."
            ) from None

    def update(self, request: UpdateRequest) -> UpdateResponse:
        olds, _ = inputs_from_engine(request.olds)
        news, _ = inputs_from_engine(request.news)
        written = self.lifecycle.update(request.resource_id, olds, news)
        secret = secret_names(request.news, outputs=written.outputs) | set(written.secret_outputs)
        return UpdateResponse(properties_to_engine(written.outputs, secret))

    def delete(self, request: DeleteRequest) -> None:
        props, _ = inputs_from_engine(request.properties)
        self.lifecycle.delete(request.resource_id, props)
