"""`RentedNumber`: one rented Plivo number and its bindings, as a Pulumi dynamic resource.

Lifecycle and API calls (docs/design.md, "RentedNumber"):
  check   normalize and validate inputs; no API call
  diff    compare managed fields; `number` change replaces; no API call
  create  adopt: GET, then one POST only if a managed field differs
  read    one GET; gone (empty id, refresh drops it from state) only on the API's own 404
          create and read add one List call when the API's number object carries no subaccount and
          the subaccount is managed as `SA...` (plivo_pulumi.core.contract)
  update  one POST with only the changed managed fields (none if only `unrent_on_delete` changed)
  delete  no call by default (the number stays rented); DELETE only with `unrent_on_delete=True`
  import  `opts=ResourceOptions(import_=number)`: adopt with no write (create fails if a binding differs)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    UpdateResult,
)
from pulumi.runtime import rpc

from plivo_pulumi.core.contract import BINDING_FIELDS, with_drift
from plivo_pulumi.core.errors import NumberNotFoundError
from plivo_pulumi.core.numbers import normalize_number
from plivo_pulumi.dynamic._binding import (
    API_FIELDS,
    DECLARED_KEY,
    IMPORT_KEY,
    MANAGED_FIELDS,
    SECRETS_KEY,
    after_write,
    binding_changes,
    check_binding,
    is_unknown,
    learn_subaccount,
    live_outputs,
    mark_released,
    secret_fields,
    secret_inputs,
    take_import_id,
    validate_fields,
    with_unknown_markers,
)
from plivo_pulumi.dynamic._declared import note_declared
from plivo_pulumi.dynamic._lifecycle import import_mismatch, not_rented, numbers_to_unrent, unrent
from plivo_pulumi.dynamic._program import claim_numbers, require_secret_token
from plivo_pulumi.dynamic._provider import PlivoResourceProvider, explain_refused_credentials, log


class RentedNumberProvider(PlivoResourceProvider):
    """Dynamic provider for `RentedNumber`."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        news = with_unknown_markers(news)
        secret = secret_fields(news, BINDING_FIELDS)
        account = self.configured_auth_id()
        inputs, failures = check_binding(news, account=account, secret=secret)
        note_declared([inputs.get("number")])  # before the engine deletes what the program dropped
        if secret:  # kept (only then, so other states do not change) for the outputs derived from them
            inputs[SECRETS_KEY] = sorted(secret)
        declared = news.get(DECLARED_KEY)
        if isinstance(declared, dict):  # the same values as the fields (failures already reported there)
            inputs[DECLARED_KEY] = validate_fields(declared, MANAGED_FIELDS, account)[0]
        import_id = news.get(IMPORT_KEY)
        if import_id is not None and not failures and not is_unknown(inputs.get("number")):
            try:
                inputs[IMPORT_KEY] = normalize_number(import_id)
            except ValueError as exc:
                failures.append(CheckFailure("import_", str(exc)))
            else:
                if inputs[IMPORT_KEY] != inputs["number"]:
                    number = "another number" if "number" in secret else inputs["number"]
                    reason = f"imports number {inputs[IMPORT_KEY]} but `number` is {number}"
                    failures.append(CheckFailure("import_", reason))
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        news = with_unknown_markers(news)
        replaces = ["number"] if olds.get("number") != news.get("number") else []
        if DECLARED_KEY in olds:
            # "Unknown" lets the engine diff the old inputs (which a refresh set to the live values of
            # the managed fields, see `_inputs_after_read`) with the new ones itself: it then honours
            # `ignore_changes`, reports the changed properties, and applies `replace_on_changes`.
            return DiffResult(changes=None, replaces=replaces, delete_before_replace=False)
        # State written before the declared values were kept in the outputs: compare here.
        changed = list(binding_changes(olds, news))
        if bool(olds.get("unrent_on_delete")) != bool(news.get("unrent_on_delete")):
            changed.append("unrent_on_delete")
        return DiffResult(changes=bool(replaces or changed), replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        number = props["number"]
        try:
            live = learn_subaccount(
                self.api(), live_outputs(self.api().get_number(number)), props.get("subaccount")
            )
        except NumberNotFoundError:
            raise not_rented("RentedNumber", [number], "fix `number`") from None
        changes = binding_changes(live, props)
        if changes and props.get(IMPORT_KEY):
            secret = props.get(SECRETS_KEY) or ()
            code = {f: "a secret value" if f in secret else repr(v) for f, v in changes.items()}
            shown = [f"{f} is {live.get(f)!r} in Plivo but {code[f]} in the code" for f in changes]
            raise import_mismatch(f"number {number}", shown)
        if changes:
            self.api().update_number(number, **changes)
        note_declared([number])
        return CreateResult(number, _outputs(props, after_write(live, changes, self.api().auth_id)))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        number = str(id_ or props.get("number"))
        try:
            with explain_refused_credentials():
                live = live_outputs(self.api().get_number(number))
                hint = (props.get(DECLARED_KEY) or {}).get("subaccount") or props.get("subaccount")
                live = learn_subaccount(self.api(), live, hint)
        except NumberNotFoundError:
            log(f"number {number} is no longer rented by this account; refresh removes it from the stack")
            return ReadResult("", {})
        if DECLARED_KEY not in props:  # state of an earlier version: outputs only, compared in diff
            outs = _outputs(props, live)
            del outs[DECLARED_KEY]
            return ReadResult(number, outs)
        outs = _outputs(props, live)
        return ReadResult(number, outs, _inputs_after_read(outs))

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        changes = binding_changes(olds, news)
        if olds.get("subaccount") is None and changes.get("subaccount"):
            # Not managed before, and the API does not report it: look before writing.
            olds = learn_subaccount(self.api(), {**olds, "number": news["number"]}, changes["subaccount"])
            changes = binding_changes(olds, news)
        if changes:
            self.api().update_number(news["number"], **changes)
        live = after_write(olds, changes, self.api().auth_id) if changes else olds
        return UpdateResult(_outputs(news, live))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        number = str(id_ or props.get("number"))
        mark_released([number])
        for doomed in numbers_to_unrent([number], bool(props.get("unrent_on_delete"))):
            with explain_refused_credentials():
                unrent(self.api(), doomed)
            log(f"number {doomed} unrented (unrent_on_delete is true)")


def _outputs(inputs: dict[str, Any], live: dict[str, Any]) -> dict[str, Any]:
    """Inputs as declared (normalized), overlaid with what the API reports, plus the declared values
    of the managed fields (`DECLARED_KEY`), which a refresh needs to rebuild the inputs."""
    outs = {k: v for k, v in inputs.items() if not k.startswith("__") and k != IMPORT_KEY}
    outs.setdefault("unrent_on_delete", False)
    for name in ("number", *MANAGED_FIELDS, *API_FIELDS):
        if name in live:
            outs[name] = live[name]
    declared = inputs.get(DECLARED_KEY)
    if not isinstance(declared, dict):
        declared = {name: inputs.get(name) for name in (*MANAGED_FIELDS, IMPORT_KEY)}
    outs[DECLARED_KEY] = declared
    secret = inputs.get(SECRETS_KEY)
    if secret:
        # The engine marks secret only the outputs named like a secret input; the application's URI
        # carries the app id, so a secret app id makes it secret too.
        outs[SECRETS_KEY] = secret
        if "app_id" in secret and outs.get("application"):
            outs["application"] = rpc.wrap_rpc_secret(outs["application"])
    return outs


def _inputs_after_read(outs: dict[str, Any]) -> dict[str, Any]:
    """The inputs a refresh leaves in the state: as declared, except that a managed field whose live
    value differs takes the live value. The engine's diff of these with the program's inputs is then
    exactly the drift (and `ignore_changes` keeps a field at its live value)."""
    declared = outs[DECLARED_KEY]
    inputs: dict[str, Any] = {
        "number": outs["number"],
        "unrent_on_delete": outs.get("unrent_on_delete", False),
    }
    inputs.update(with_drift(declared, outs))
    if declared.get(IMPORT_KEY) is not None:
        inputs[IMPORT_KEY] = declared[IMPORT_KEY]
    if outs.get(SECRETS_KEY):
        inputs[SECRETS_KEY] = outs[SECRETS_KEY]
    inputs[DECLARED_KEY] = declared
    return inputs


@dataclass
class RentedNumberArgs:
    """The inputs of a `RentedNumber`, for callers that prefer an args object (as generated SDKs do)."""

    number: pulumi.Input[str]
    app_id: pulumi.Input[str] | None = None
    subaccount: pulumi.Input[str] | None = None
    unrent_on_delete: pulumi.Input[bool] = False


class RentedNumber(Resource, module="plivo", name="RentedNumber"):
    """A rented Plivo number bound to an application and a subaccount.

    `app_id` / `subaccount`: `None` leaves the binding unmanaged; `""` manages it as "none" (unlink /
    main account). Deleting the resource keeps the number rented unless `unrent_on_delete=True`.
    """

    if TYPE_CHECKING:
        # For type checkers and IDEs only. At run time the SDK would re-evaluate these annotations
        # for every resource it resolves (an uncached `get_type_hints`, about a quarter of the SDK's
        # work per RentedNumber under cProfile); the values are plain JSON and need no converting.
        number: pulumi.Output[str]
        app_id: pulumi.Output[str]
        subaccount: pulumi.Output[str]
        unrent_on_delete: pulumi.Output[bool]
        application: pulumi.Output[str | None]
        alias: pulumi.Output[str | None]
        number_type: pulumi.Output[str | None]
        voice_enabled: pulumi.Output[bool | None]
        sms_enabled: pulumi.Output[bool | None]
        description: pulumi.Output[str | None]
        added_on: pulumi.Output[str | None]
        resource_uri: pulumi.Output[str | None]
        plivo_number: pulumi.Output[bool | None]

    def __init__(
        self,
        resource_name: str,
        args: RentedNumberArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        number: pulumi.Input[str] | None = None,
        app_id: pulumi.Input[str] | None = None,
        subaccount: pulumi.Input[str] | None = None,
        unrent_on_delete: pulumi.Input[bool] | None = None,
    ) -> None:
        if args is not None and any(v is not None for v in (number, app_id, subaccount, unrent_on_delete)):
            raise TypeError("RentedNumber takes either a RentedNumberArgs or keyword arguments, not both")
        if args is None:
            # Not `bool(unrent_on_delete)`: an Output is always truthy, and would unrent on delete.
            args = RentedNumberArgs(
                number=cast(pulumi.Input[str], number),  # None: check reports `number` as required
                app_id=app_id,
                subaccount=subaccount,
                unrent_on_delete=False if unrent_on_delete is None else unrent_on_delete,
            )
        require_secret_token()
        raw_number = args.number
        if isinstance(raw_number, int) and not isinstance(raw_number, bool):
            raw_number = str(raw_number)  # the wire format would turn an int into a float
        (raw_number,) = claim_numbers(f"RentedNumber '{resource_name}'", [raw_number])
        app_id = args.app_id
        if isinstance(app_id, int) and not isinstance(app_id, bool):
            app_id = str(app_id)  # as for `number`: the wire would make it a float, losing digits
        props: dict[str, Any] = {
            "number": raw_number,
            "app_id": app_id,
            "subaccount": args.subaccount,
            "unrent_on_delete": args.unrent_on_delete,
        }
        props.update({name: None for name in API_FIELDS})
        opts, props[IMPORT_KEY] = take_import_id(opts)
        # The code's values, apart from the fields themselves: `ignore_changes` replaces a field by
        # its state value, never this, so the state always records what the code declares.
        props[DECLARED_KEY] = {"app_id": app_id, "subaccount": args.subaccount, IMPORT_KEY: props[IMPORT_KEY]}
        props[SECRETS_KEY] = secret_inputs({name: props[name] for name in BINDING_FIELDS})
        super().__init__(RentedNumberProvider(), resource_name, props, opts)
