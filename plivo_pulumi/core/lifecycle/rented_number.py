"""The lifecycle of `RentedNumber`: one rented Plivo number and its bindings.

API calls (docs/design.md, "RentedNumber"):
  check   normalize and validate inputs; no API call
  diff    compare managed fields; `number` change replaces; no API call
  create  adopt: GET, then one POST only if a managed field differs
  read    one GET; gone (empty id, refresh drops it from state) only on the API's own 404
          create and read add one List call when the API's number object carries no subaccount and
          the subaccount is managed as `SA...` (plivo_pulumi.core.contract)
  update  one POST with only the changed managed fields (none if only `unrent_on_delete` changed)
  delete  no call by default (the number stays rented); DELETE only with `unrent_on_delete=True`
  import  `import_id` set: adopt with no write (create fails if a binding differs)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from plivo_pulumi.core.contract import MANAGED_FIELDS, binding_changes, with_drift
from plivo_pulumi.core.errors import NumberNotFoundError
from plivo_pulumi.core.lifecycle.binding import (
    API_FIELDS,
    after_write,
    check_binding,
    learn_subaccount,
    live_outputs,
    validate_fields,
)
from plivo_pulumi.core.lifecycle.context import Context
from plivo_pulumi.core.lifecycle.keys import DECLARED_KEY, IMPORT_KEY, SECRETS_KEY
from plivo_pulumi.core.lifecycle.results import Checked, Failure, Observed, Planned, Written, changed_inputs
from plivo_pulumi.core.lifecycle.safety import (
    import_mismatch,
    import_refusal,
    not_rented,
    numbers_to_unrent,
    unrent,
)
from plivo_pulumi.core.numbers import normalize_number
from plivo_pulumi.core.unknown import is_unknown

INPUTS = ("number", *MANAGED_FIELDS, "unrent_on_delete")


class RentedNumberLifecycle:
    def __init__(self, context: Context) -> None:
        self.context = context

    def check(self, olds: dict[str, Any], news: dict[str, Any], secret: frozenset[str]) -> Checked:
        news = {k: v for k, v in news.items() if k != SECRETS_KEY}  # `secret` says which they are
        account = self.context.account
        inputs, failures = check_binding(news, account=account, secret=secret)
        # Before the engine deletes what the program dropped: such a delete never unrents this number.
        self.context.deployment.note_declared([inputs.get("number")])
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
                failures.append(Failure("import_", str(exc)))
            else:
                if inputs[IMPORT_KEY] != inputs["number"]:
                    number = "another number" if "number" in secret else inputs["number"]
                    reason = f"imports number {inputs[IMPORT_KEY]} but `number` is {number}"
                    failures.append(Failure("import_", reason))
        return Checked(inputs, failures)

    def diff(self, id: str, olds: dict[str, Any], news: dict[str, Any]) -> Planned:
        replaces = ["number"] if olds.get("number") != news.get("number") else []
        if DECLARED_KEY in olds:
            # The engine may diff the old inputs (which a refresh set to the live values of the
            # managed fields, see `_inputs_after_read`) with the new ones itself: it then honours
            # `ignore_changes`, reports the changed properties, and applies `replace_on_changes`.
            return Planned(changed_inputs(olds, news, INPUTS), replaces, engine_may_compare=True)
        # State written before the declared values were kept in the outputs: compare here.
        changed = [*replaces, *binding_changes(olds, news)]
        if bool(olds.get("unrent_on_delete")) != bool(news.get("unrent_on_delete")):
            changed.append("unrent_on_delete")
        return Planned(changed, replaces)

    def create(self, props: dict[str, Any]) -> Written:
        number = props["number"]
        api = self.context.client()
        try:
            live = learn_subaccount(api, live_outputs(api.get_number(number)), props.get("subaccount"))
        except NumberNotFoundError:
            raise not_rented("RentedNumber", [number], "fix `number`") from None
        changes = binding_changes(live, props)
        if changes and props.get(IMPORT_KEY):
            shown = _import_differences(live, changes, props.get(SECRETS_KEY) or ())
            raise import_mismatch(f"number {number}", list(shown.values()))
        if changes:
            api.update_number(number, **changes)
        self.context.deployment.note_declared([number])
        outs = _outputs(props, after_write(live, changes, api.auth_id, self.context.deployment))
        return Written(number, outs, _secret_outputs(outs))

    def check_import(
        self, olds: dict[str, Any], news: dict[str, Any], secret: frozenset[str]
    ) -> list[Failure]:
        """For an engine that imports by `read(id, {})` and then checks the program's inputs
        against what it returned (`olds`): a failure per field that adopting the number as it is
        would have to write (nothing is written on an import). No API call."""
        number = olds.get("number")
        if news.get("number") != number:
            shown = "another number" if "number" in secret else news.get("number")
            return [Failure("number", f"imports number {number} but `number` is {shown}")]
        changes = {f: v for f, v in binding_changes(olds, news).items() if not is_unknown(v)}
        return [
            Failure(field, import_refusal(f"number {number}", [line]))
            for field, line in _import_differences(olds, changes, secret).items()
        ]

    def read(self, id: str, props: dict[str, Any]) -> Observed:
        """`props` empty: an engine import of number `id`, adopted as it is (see `check_import`)."""
        number = str(id or props.get("number"))
        try:
            with self.context.explaining_refusals():
                api = self.context.client()
                live = live_outputs(api.get_number(number))
                hint = (props.get(DECLARED_KEY) or {}).get("subaccount") or props.get("subaccount")
                live = learn_subaccount(api, live, hint)
        except NumberNotFoundError:
            self.context.notify(
                f"number {number} is no longer rented by this account; refresh removes it from the stack"
            )
            return Observed("", {}, None)
        if not props:
            props = _adopted(number, live)
        outs = _outputs(props, live)
        if DECLARED_KEY not in props:  # state of an earlier version: outputs only, compared in diff
            del outs[DECLARED_KEY]
            return Observed(number, outs, None, _secret_outputs(outs))
        return Observed(number, outs, _inputs_after_read(outs), _secret_outputs(outs))

    def update(self, id: str, olds: dict[str, Any], news: dict[str, Any]) -> Written:
        changes = binding_changes(olds, news)
        client = self.context.client  # called only when there is something to read or write
        if olds.get("subaccount") is None and changes.get("subaccount"):
            # Not managed before, and the API does not report it: look before writing.
            olds = learn_subaccount(client(), {**olds, "number": news["number"]}, changes["subaccount"])
            changes = binding_changes(olds, news)
        live = olds
        if changes:
            client().update_number(news["number"], **changes)
            live = after_write(olds, changes, client().auth_id, self.context.deployment)
        outs = _outputs(news, live)
        return Written(id, outs, _secret_outputs(outs))

    def delete(self, id: str, props: dict[str, Any]) -> None:
        number = str(id or props.get("number"))
        self.context.deployment.mark_released([number])
        for doomed in numbers_to_unrent(self.context, [number], bool(props.get("unrent_on_delete"))):
            with self.context.explaining_refusals():
                unrent(self.context.client(), doomed)
            self.context.notify(f"number {doomed} unrented (unrent_on_delete is true)")


def _import_differences(
    live: dict[str, Any], changes: dict[str, Any], secret: Iterable[str]
) -> dict[str, str]:
    """What an import would have to write, per field, never quoting a secret value of the code."""
    secret = set(secret)
    code = {f: "a secret value" if f in secret else repr(v) for f, v in changes.items()}
    return {f: f"{f} is {live.get(f)!r} in Plivo but {code[f]} in the code" for f in changes}


def _adopted(number: str, live: dict[str, Any]) -> dict[str, Any]:
    """The inputs that adopt a number as the API reports it (an engine import): its binding as
    declared, a subaccount the API does not report left unmanaged."""
    binding = {f: live.get(f) for f in MANAGED_FIELDS}
    return {
        "number": number,
        **binding,
        "unrent_on_delete": False,
        IMPORT_KEY: number,
        DECLARED_KEY: {**binding, IMPORT_KEY: number},
    }


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
        outs[SECRETS_KEY] = secret
    return outs


def _secret_outputs(outs: dict[str, Any]) -> frozenset[str]:
    """The engine marks secret only the outputs named like a secret input; the application's URI
    carries the app id, so a secret app id makes it secret too."""
    if "app_id" in (outs.get(SECRETS_KEY) or ()) and outs.get("application"):
        return frozenset({"application"})
    return frozenset()


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
