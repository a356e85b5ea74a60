"""`Application`: a Plivo application (answer and message URLs), as a Pulumi dynamic resource, so that
numbers bind to an application declared beside them: `RentedNumber(..., app_id=app.app_id)`.

Lifecycle and API calls (docs/design.md, "Applications"):
  check   validate the fields (`app_name` rules, URLs, methods, flags), fill in the reference's
          defaults; no API call; unknown values (other resources' outputs) pass through
  diff    per field; a new `app_name` replaces (the API cannot rename); no API call
  create  POST (201, the `app_id` output); with `import_` = app_id: GET, no write, and a failure
          that names every field that differs
  read    GET; gone (refresh drops it) only on the API's own 404, confirmed by a List call
  update  one POST with the changed fields only (never defaults the code did not change)
  delete  an adopted application is kept unless `delete_adopted=True`; otherwise list the numbers
          still linked to it (the whole account, 8 pages in flight): numbers this deployment
          released (their resources were deleted or left a set) are unlinked first, any other
          number makes the delete fail, naming it; then DELETE with `cascade=false` (SIP endpoints
          that use it are kept)
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

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

from plivo_pulumi.applications import (
    APP_FIELDS,
    REPLACE_FIELDS,
    REQUIRED,
    app_changes,
    app_field_rule,
    desired_application,
    live_application,
    validate_app_field,
)
from plivo_pulumi.contract import live_binding
from plivo_pulumi.errors import ApplicationNotFoundError, PlivoError
from plivo_pulumi.numbers import application_uri, normalize_app_id
from plivo_pulumi.resources._binding import (
    IMPORT_KEY,
    SECRETS_KEY,
    adopted_in_this_deployment,
    check_failure,
    is_unknown,
    note_application_owner,
    released_in_this_deployment,
    secret_fields,
    secret_inputs,
    take_import_id,
    with_unknown_markers,
)
from plivo_pulumi.resources._lifecycle import import_mismatch
from plivo_pulumi.resources._parallel import run_all
from plivo_pulumi.resources._program import require_secret_token
from plivo_pulumi.resources._provider import PlivoResourceProvider, explain_refused_credentials, log

# The code's values (with defaults): a refresh rebuilds the inputs from the live ones, and the audit
# reads what the code declares from here (as for RentedNumber).
DECLARED_KEY = "__declared"
_FLAGS = ("delete_adopted",)
_SHOWN = 20
_UNLINK_IN_FLIGHT = 8  # as the set's writes


class ApplicationProvider(PlivoResourceProvider):
    """Dynamic provider for `Application`."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        news = with_unknown_markers(news)
        secret = secret_fields(news, APP_FIELDS)
        account = self.configured_auth_id()
        fields, failures = _validated(news, account, secret)
        inputs: dict[str, Any] = {**desired_application(fields)}
        inputs["delete_adopted"] = news.get("delete_adopted")
        if inputs["delete_adopted"] is None:
            inputs["delete_adopted"] = False
        elif not isinstance(inputs["delete_adopted"], bool) and not is_unknown(inputs["delete_adopted"]):
            failures.append(CheckFailure("delete_adopted", "must be true or false"))
        import_id = news.get(IMPORT_KEY)
        if import_id is not None:
            try:
                inputs[IMPORT_KEY] = normalize_app_id(import_id) or None
            except ValueError as exc:
                failures.append(CheckFailure("import_", str(exc)))
            if inputs.get(IMPORT_KEY) is None and not failures:
                failures.append(CheckFailure("import_", "give the app_id of the application to adopt"))
        # From the program's own copy: `ignore_changes` has already put state values in the fields.
        declared = news.get(DECLARED_KEY)
        declared_fields = fields
        if isinstance(declared, Mapping):
            declared_fields = _validated(declared, account, secret)[0]
        inputs[DECLARED_KEY] = desired_application(declared_fields)
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        news = with_unknown_markers(news)
        replaces = [
            name
            for name in REPLACE_FIELDS
            if not is_unknown(news.get(name)) and olds.get(name) != news.get(name)
        ]
        if DECLARED_KEY in olds:
            # As for RentedNumber: the engine diffs the old inputs (set to the live values by a
            # refresh) with the new ones: per-property detail, `ignore_changes` and
            # `replace_on_changes` all work.
            return DiffResult(changes=None, replaces=replaces, delete_before_replace=False)
        changed = app_changes(olds, news) or any(olds.get(f) != news.get(f) for f in _FLAGS)
        return DiffResult(changes=bool(replaces or changed), replaces=replaces, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        desired = {name: props[name] for name in APP_FIELDS}
        import_id = props.get(IMPORT_KEY)
        if import_id:
            try:
                live = live_application(self.api().get_application(import_id))
            except ApplicationNotFoundError:
                raise PlivoError(
                    f"cannot import application {import_id}: the account has no such application; fix "
                    "the id in `import_` or drop `import_` to create the application. Nothing was changed."
                ) from None
            differing = app_changes(live, desired)
            if differing:
                shown = [
                    f"{f} is {live.get(f)!r} in Plivo but {v!r} in the code" for f, v in differing.items()
                ]
                raise import_mismatch(f"application {import_id}", shown)
            return CreateResult(import_id, _outputs(props, live, import_id, adopted=True, api=self.api()))
        created = self.api().create_application(**desired)
        app_id = created["app_id"]
        log(f"application {desired['app_name']} created: {app_id}")
        return CreateResult(app_id, _outputs(props, desired, app_id, adopted=False, api=self.api()))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            with explain_refused_credentials():
                live = live_application(self.api().get_application(id_))
        except ApplicationNotFoundError:
            log(f"application {id_} no longer exists; refresh removes it from the stack")
            return ReadResult("", {})
        outs = _outputs(props, live, id_, adopted=bool(props.get("adopted")), api=self.api())
        if DECLARED_KEY not in props:
            return ReadResult(id_, outs)
        inputs = {name: outs[name] for name in (*APP_FIELDS, *_FLAGS)}
        import_id = props[DECLARED_KEY].get(IMPORT_KEY)
        if import_id:
            inputs[IMPORT_KEY] = import_id
        inputs[DECLARED_KEY] = props[DECLARED_KEY]
        return ReadResult(id_, outs, inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        changes = app_changes(olds, news)
        for name in REPLACE_FIELDS:
            changes.pop(name, None)
        if changes:
            self.api().modify_application(id_, **changes)
        live = {**{name: olds.get(name) for name in APP_FIELDS}, **changes}
        return UpdateResult(_outputs(news, live, id_, adopted=bool(olds.get("adopted")), api=self.api()))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        name = props.get("app_name") or id_
        if props.get("adopted") and not props.get("delete_adopted"):
            log(f"application {name} ({id_}) is kept: it was adopted (set delete_adopted=True to delete it)")
            return
        api = self.api()
        with explain_refused_credentials():
            linked = sorted(
                live["number"]
                for live in (live_binding(obj) for obj in api.list_all_numbers())
                if live["app_id"] == id_
            )
            ours = [n for n in linked if released_in_this_deployment(n) and not adopted_in_this_deployment(n)]
            others = [n for n in linked if n not in ours]
            if others:
                shown = ", ".join(others[:_SHOWN]) + (" ..." if len(others) > _SHOWN else "")
                raise PlivoError(
                    f"cannot delete application {name} ({id_}): {len(others)} number(s) outside this stack "
                    f"still point to it: {shown}. "
                    "Deleting it would leave their calls and messages with no application. Link them to "
                    "another application (or declare them in this stack), then run again. Nothing was "
                    "deleted."
                )
            run_all(
                lambda n: api.update_number(n, app_id=None),
                ours,
                _UNLINK_IN_FLIGHT,
                f"unlink numbers from application {name} ({id_})",
                afterwards=(
                    "the application was not deleted. The numbers not unlinked still point to it and have "
                    "left the stack, so a rerun refuses them as numbers outside it: link them to another "
                    "application or unlink them in the console, then run again"
                ),
            )
            if ours:
                log(f"application {name}: {len(ours)} number(s) of this stack unlinked before its deletion")
            try:
                api.delete_application(id_, cascade=False)
            except ApplicationNotFoundError:
                log(f"application {name} ({id_}) was already deleted")


def _validated(
    news: Mapping[str, Any], account: str | None, secret: Collection[str]
) -> tuple[dict[str, Any], list[CheckFailure]]:
    """The normalized fields, and a failure per bad one (never quoting a field of `secret`)."""
    fields: dict[str, Any] = {}
    failures: list[CheckFailure] = []
    for name in APP_FIELDS:
        value = news.get(name)
        if value is None:
            if name in REQUIRED:
                example = '"ivr-main"' if name == "app_name" else '"https://example.com/answer"'
                failures.append(CheckFailure(name, f"is required, like {example}"))
            continue
        if is_unknown(value):
            fields[name] = value
            continue
        try:
            fields[name] = validate_app_field(name, value, account)
        except ValueError as exc:
            rule = app_field_rule(name, value) if name in secret else None
            failures.append(check_failure(name, value, str(exc), secret_rule=rule))
    return fields, failures


def _outputs(
    inputs: Mapping[str, Any], live: Mapping[str, Any], app_id: str, *, adopted: bool, api: Any
) -> dict[str, Any]:
    """The fields as they now are in Plivo, the id, where it lives, and the code's declared values."""
    outs: dict[str, Any] = {name: live.get(name) for name in APP_FIELDS}
    owner = live.get("subaccount") or api.auth_id
    note_application_owner(app_id, owner)  # the numbers bound to it report its URI
    outs.update(
        app_id=app_id,
        resource_uri=application_uri(owner, app_id),
        adopted=adopted,
        delete_adopted=bool(inputs.get("delete_adopted")),
    )
    declared = inputs.get(DECLARED_KEY)
    outs[DECLARED_KEY] = (
        dict(declared) if isinstance(declared, Mapping) else {n: inputs.get(n) for n in APP_FIELDS}
    )
    if inputs.get(IMPORT_KEY):
        outs[DECLARED_KEY][IMPORT_KEY] = inputs[IMPORT_KEY]
    return outs


class Application(Resource, module="plivo", name="Application"):
    """A Plivo application. Every field the code leaves out is managed at the API's default
    (`hangup_url` defaults to `answer_url`); `app_name` is 1-100 letters, digits, "-" and "_", and a
    new name replaces the application. `subaccount` (auth_id or URI; "" = main account) owns it.

    Adopt an existing one with `opts=ResourceOptions(import_="<app_id>")`: no write, and it fails if
    a field differs. An adopted application is never deleted unless `delete_adopted=True`.
    """

    if TYPE_CHECKING:  # for type checkers only, as for RentedNumber
        app_id: pulumi.Output[str]
        app_name: pulumi.Output[str]
        answer_url: pulumi.Output[str]
        answer_method: pulumi.Output[str]
        hangup_url: pulumi.Output[str]
        hangup_method: pulumi.Output[str]
        fallback_answer_url: pulumi.Output[str]
        fallback_method: pulumi.Output[str]
        message_url: pulumi.Output[str]
        message_method: pulumi.Output[str]
        default_number_app: pulumi.Output[bool]
        default_endpoint_app: pulumi.Output[bool]
        subaccount: pulumi.Output[str]
        log_incoming_messages: pulumi.Output[bool]
        resource_uri: pulumi.Output[str]
        adopted: pulumi.Output[bool]
        delete_adopted: pulumi.Output[bool]

    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        app_name: pulumi.Input[str] | None = None,
        answer_url: pulumi.Input[str] | None = None,
        answer_method: pulumi.Input[str] | None = None,
        hangup_url: pulumi.Input[str] | None = None,
        hangup_method: pulumi.Input[str] | None = None,
        fallback_answer_url: pulumi.Input[str] | None = None,
        fallback_method: pulumi.Input[str] | None = None,
        message_url: pulumi.Input[str] | None = None,
        message_method: pulumi.Input[str] | None = None,
        default_number_app: pulumi.Input[bool] | None = None,
        default_endpoint_app: pulumi.Input[bool] | None = None,
        subaccount: pulumi.Input[str] | None = None,
        log_incoming_messages: pulumi.Input[bool] | None = None,
        delete_adopted: pulumi.Input[bool] | None = None,
    ) -> None:
        require_secret_token()
        given = {
            "app_name": app_name,
            "answer_url": answer_url,
            "answer_method": answer_method,
            "hangup_url": hangup_url,
            "hangup_method": hangup_method,
            "fallback_answer_url": fallback_answer_url,
            "fallback_method": fallback_method,
            "message_url": message_url,
            "message_method": message_method,
            "default_number_app": default_number_app,
            "default_endpoint_app": default_endpoint_app,
            "subaccount": subaccount,
            "log_incoming_messages": log_incoming_messages,
        }
        # The defaults as check fills them in: the engine prints the program's inputs beside the
        # state's (the "refreshing" line of `up --refresh`), where a left-out field read as removed.
        declared = desired_application(given)
        props: dict[str, Any] = {
            **declared,
            "delete_adopted": False if delete_adopted is None else delete_adopted,
        }
        props.update(app_id=None, resource_uri=None, adopted=None)
        opts, props[IMPORT_KEY] = take_import_id(opts)
        # The code's values apart from the fields themselves, which `ignore_changes` may replace.
        props[DECLARED_KEY] = dict(declared)
        props[SECRETS_KEY] = secret_inputs(declared)
        super().__init__(ApplicationProvider(), resource_name, props, opts)
