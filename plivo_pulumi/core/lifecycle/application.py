"""The lifecycle of `Application`: a Plivo application (answer and message URLs), declared beside the
numbers that bind to it.

Lifecycle and API calls (docs/design.md, "Applications"):
  check   validate the fields (`app_name` rules, URLs, methods, flags), fill in the reference's
          defaults; no API call; unknown values (other resources' outputs) pass through
  diff    per field; a new `app_name` replaces (the API cannot rename); no API call. One that
          replaces nothing notes the app as declared in the run's memory (an original left pending
          by a killed replacement keeps it)
  create  List (all pages) for an application of the declared name and owner: none, POST (201, the
          `app_id` output); one that matches, adopted with no write, unless a read of this run
          found it made by the stack (`up --replace --refresh`): then it stays the stack's own; a
          targeted replace with no such read is refused; one that differs or several, refused
          naming them. After a POST whose answer was lost, List again and take the one it
          made: never a second application of a name. With `import_` = app_id: GET, no write, and
          a failure that names every field that differs
  read    GET; gone (refresh drops it) only on the API's own 404, confirmed by a List call; an
          application the state says the stack made is noted so in the run's memory
  update  one POST with the changed fields only (never defaults the code did not change)
  delete  an adopted application is kept unless `delete_adopted=True`; otherwise list the numbers
          still linked to it (the whole account, 8 pages in flight): numbers this deployment
          released (their resources were deleted or left a set) are unlinked first, even when the
          delete is then refused (a rerun could not tell them from numbers outside the stack); a
          number the stack still declares or one outside it, or a subaccount's credentials (which
          cannot list the main account's numbers), make the delete fail, naming each and the fix;
          then DELETE with `cascade=false` (SIP endpoints that use it are kept)
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from plivo_pulumi.core.applications import (
    APP_FIELDS,
    REPLACE_FIELDS,
    REQUIRED,
    app_changes,
    app_field_rule,
    desired_application,
    live_application,
    validate_app_field,
)
from plivo_pulumi.core.client import PlivoClient
from plivo_pulumi.core.contract import live_binding
from plivo_pulumi.core.deployment import Deployment
from plivo_pulumi.core.errors import (
    ApplicationNotFoundError,
    MalformedResponseError,
    NumberNotFoundError,
    PlivoError,
    ServerError,
    TransportError,
)
from plivo_pulumi.core.lifecycle.binding import failure
from plivo_pulumi.core.lifecycle.context import Context
from plivo_pulumi.core.lifecycle.keys import DECLARED_KEY, IMPORT_KEY, SECRETS_KEY
from plivo_pulumi.core.lifecycle.results import Checked, Failure, Observed, Planned, Written
from plivo_pulumi.core.lifecycle.safety import import_mismatch, import_refusal, listed
from plivo_pulumi.core.numbers import application_uri, is_subaccount_id, normalize_app_id
from plivo_pulumi.core.parallel import run_all
from plivo_pulumi.core.run_journal import RunMemoryUnavailable
from plivo_pulumi.core.unknown import is_unknown

_FLAGS = ("delete_adopted",)
_SHOWN = 20
_UNLINK_IN_FLIGHT = 8  # as the set's writes
# An application's field left out of the code is managed at the API's default, not left alone.
_IMPORT_FIX = (
    "Set each of these fields in the code to its value in Plivo (a field left out means the API's "
    "default, not the live value), or change the application in the Plivo console, then run again; "
    "once adopted, a change in the code is written with one update. Nothing was changed."
)


class ApplicationLifecycle:
    def __init__(self, context: Context) -> None:
        self.context = context

    def check(self, olds: dict[str, Any], news: dict[str, Any], secret: frozenset[str]) -> Checked:
        account = self.context.account
        fields, failures = _validated(news, account, secret)
        failures += _owner_failures(fields, account)
        inputs: dict[str, Any] = {**desired_application(fields)}
        inputs["delete_adopted"] = news.get("delete_adopted")
        if inputs["delete_adopted"] is None:
            inputs["delete_adopted"] = False
        elif not isinstance(inputs["delete_adopted"], bool) and not is_unknown(inputs["delete_adopted"]):
            failures.append(Failure("delete_adopted", "must be true or false"))
        import_id = news.get(IMPORT_KEY)
        if import_id is not None:
            try:
                inputs[IMPORT_KEY] = normalize_app_id(import_id) or None
            except ValueError as exc:
                failures.append(Failure("import_", str(exc)))
            if inputs.get(IMPORT_KEY) is None and not failures:
                failures.append(Failure("import_", "give the app_id of the application to adopt"))
            # Before the engine deletes the dropped ones: such a delete keeps this application.
            self.context.deployment.note_declared_application(inputs.get(IMPORT_KEY))
        # From the program's own copy: `ignore_changes` has already put state values in the fields.
        declared = news.get(DECLARED_KEY)
        declared_fields = fields
        if isinstance(declared, Mapping):
            declared_fields = _validated(declared, account, secret)[0]
        inputs[DECLARED_KEY] = desired_application(declared_fields)
        if secret:  # kept (only then, so other states do not change): messages never quote these
            inputs[SECRETS_KEY] = sorted(secret)
        return Checked(inputs, failures)

    def diff(self, id: str, olds: dict[str, Any], news: dict[str, Any]) -> Planned:
        replaces = [
            name
            for name in REPLACE_FIELDS
            if not is_unknown(news.get(name)) and olds.get(name) != news.get(name)
        ]
        if self._still_declared(replaces, news):
            # The program still declares this application: a delete later in this run (the
            # original of a replacement that an interrupted run left pending) keeps it.
            self.context.deployment.note_declared_application(id)
        if DECLARED_KEY in olds:
            # As for RentedNumber: the engine may diff the old inputs (set to the live values by a
            # refresh) with the new ones: per-property detail, `ignore_changes` and
            # `replace_on_changes` all work.
            changed = [n for n in (*APP_FIELDS, *_FLAGS) if olds.get(n) != news.get(n)]
            return Planned(changed, replaces, engine_may_compare=True)
        changed = [*app_changes(olds, news), *(f for f in _FLAGS if olds.get(f) != news.get(f))]
        return Planned([*replaces, *(n for n in changed if n not in replaces)], replaces)

    def _still_declared(self, replaces: list[str], news: Mapping[str, Any]) -> bool:
        """Whether this Diff is of an application the program registers in this run, unreplaced.
        The engine also diffs during a refresh (`destroy --refresh`, `up --refresh`, an
        Application's refresh before update), where `news` are the state's inputs, not the code's:
        only a name the run's code claimed counts, or a destroy would keep what it must delete."""
        if replaces or any(is_unknown(news.get(name)) for name in REPLACE_FIELDS):
            return False
        app_name = news.get("app_name")
        if not isinstance(app_name, str):
            return False
        return self.context.deployment.declares_application_name(app_name, news.get("subaccount") or "")

    def create(self, props: dict[str, Any]) -> Written:
        desired = {name: props[name] for name in APP_FIELDS}
        deployment = self.context.deployment
        import_id = props.get(IMPORT_KEY)
        if import_id:
            api = self.context.client()
            try:
                live = live_application(api.get_application(import_id))
            except ApplicationNotFoundError:
                raise PlivoError(
                    f"cannot import application {import_id}: the account has no such application; fix "
                    "the id in `import_` or drop `import_` to create the application. Nothing was changed."
                ) from None
            differing = app_changes(live, desired)
            if differing:
                shown = _differences(live, differing, props.get(SECRETS_KEY))
                raise import_mismatch(f"application {import_id}", shown, _IMPORT_FIX)
            deployment.note_declared_application(import_id)
            return Written(
                import_id, _outputs(props, live, import_id, adopted=True, api=api, deployment=deployment)
            )
        api = self.context.client()
        # Never a second application of one name: a create whose answer was lost (a timeout, a 5xx,
        # a killed run) has made one, and a rerun must find it (docs/design.md, "Applications").
        found = self._same_name(desired)
        if found:
            live = _adoptable(found, desired, before=True, secret=props.get(SECRETS_KEY))
            app_id = live["app_id"]
            if deployment.owns_application(app_id):
                return self._replacement(desired, live, props, api)
            if self.context.replacing_unread() and not deployment.saw_application(app_id):
                raise PlivoError(_replace_unread(desired, app_id))
            deployment.note_declared_application(app_id)
            self.context.notify(
                f"application {desired['app_name']} already exists with the declared fields ({app_id}; "
                "perhaps made by an earlier run whose answer was lost): the stack manages it now, with no "
                "write. Not made by this stack for sure, it is kept on destroy unless delete_adopted=True"
            )
            return Written(
                app_id, _outputs(props, live, app_id, adopted=True, api=api, deployment=deployment)
            )
        try:
            app_id = api.create_application(**desired)["app_id"]
        except (ServerError, TransportError, MalformedResponseError) as exc:
            live = self._after_lost_answer(desired, exc, props.get(SECRETS_KEY))
            app_id = live["app_id"]
            deployment.note_declared_application(app_id)
            self.context.notify(
                f"application {desired['app_name']}: the answer to the create was lost, but it was "
                f"created ({app_id}); the stack manages it"
            )
            return Written(
                app_id, _outputs(props, live, app_id, adopted=False, api=api, deployment=deployment)
            )
        deployment.note_declared_application(app_id)
        self.context.notify(f"application {desired['app_name']} created: {app_id}")
        return Written(
            app_id, _outputs(props, desired, app_id, adopted=False, api=api, deployment=deployment)
        )

    def _replacement(
        self, desired: Mapping[str, Any], live: Mapping[str, Any], props: Mapping[str, Any], api: PlivoClient
    ) -> Written:
        """The create of the new half of a replacement (`up --replace --refresh`) that finds the
        application the state says the stack made: it stays the stack's own (destroy deletes it),
        with no write; the old half's delete keeps it, since this resource now declares it."""
        app_id = live["app_id"]
        deployment = self.context.deployment
        deployment.note_declared_application(app_id)
        self.context.notify(
            f"application {desired['app_name']} ({app_id}) is the one this stack made: the replacement "
            "keeps it the stack's own, with no write (destroy deletes it)"
        )
        return Written(app_id, _outputs(props, live, app_id, adopted=False, api=api, deployment=deployment))

    def check_import(
        self, olds: dict[str, Any], news: dict[str, Any], secret: frozenset[str]
    ) -> list[Failure]:
        """For an engine that imports by `read(id, {})` and then checks the program's inputs
        against what it returned (`olds`): a failure per field that adopting the application as it
        is would have to write (nothing is written on an import). No API call."""
        desired = {name: news.get(name) for name in APP_FIELDS if not is_unknown(news.get(name))}
        differing = app_changes(olds, desired)
        app_id = olds.get(IMPORT_KEY) or olds.get("app_id")
        return [
            Failure(field, import_refusal(f"application {app_id}", [line], _IMPORT_FIX))
            for field, line in zip(differing, _differences(olds, differing, secret), strict=True)
        ]

    def read(self, id: str, props: dict[str, Any]) -> Observed:
        """`props` empty: an engine import of application `id`, adopted as it is (see
        `check_import`)."""
        try:
            with self.context.explaining_refusals():
                live = live_application(self.context.client().get_application(id))
        except ApplicationNotFoundError:
            self.context.notify(f"application {id} no longer exists; refresh removes it from the stack")
            return Observed("", {}, None)
        if not props:
            props = _adopted(id, live)
        elif props.get("adopted") is False:
            # The state says the stack made it: a replacement later in this run keeps it so.
            self.context.deployment.note_own_application(id)
        else:  # adopted: a replacement later in this run adopts it again, as the state says
            self.context.deployment.note_seen_application(id)
        outs = _outputs(
            props,
            live,
            id,
            adopted=bool(props.get("adopted")),
            api=self.context.client(),
            deployment=self.context.deployment,
        )
        if DECLARED_KEY not in props:
            return Observed(id, outs, None)
        inputs = {name: outs[name] for name in (*APP_FIELDS, *_FLAGS)}
        declared = dict(props[DECLARED_KEY])
        # The outputs keep `import_` among the declared values (the audit reads them); the program's
        # `__declared` input never holds it, so the inputs a refresh leaves must not either, or every
        # refresh would plan an update of an adopted application (and of every number bound to it).
        import_id = declared.pop(IMPORT_KEY, None)
        if import_id:
            inputs[IMPORT_KEY] = import_id
        inputs[DECLARED_KEY] = declared
        if outs.get(SECRETS_KEY):
            inputs[SECRETS_KEY] = outs[SECRETS_KEY]
        return Observed(id, outs, inputs)

    def update(self, id: str, olds: dict[str, Any], news: dict[str, Any]) -> Written:
        changes = app_changes(olds, news)
        for name in REPLACE_FIELDS:
            changes.pop(name, None)
        api = self.context.client()
        if changes:
            api.modify_application(id, **changes)
        live = {**{name: olds.get(name) for name in APP_FIELDS}, **changes}
        adopted = bool(olds.get("adopted"))
        return Written(
            id, _outputs(news, live, id, adopted=adopted, api=api, deployment=self.context.deployment)
        )

    def delete(self, id: str, props: dict[str, Any]) -> None:
        name = props.get("app_name") or id
        notify = self.context.notify
        if props.get("adopted") and not props.get("delete_adopted"):
            notify(
                f"application {name} ({id}) is kept: it was adopted (set delete_adopted=True to delete it)"
            )
            return
        try:
            declared = self.context.deployment.declares_application(id)
        except RunMemoryUnavailable as exc:  # fail closed: another Application may declare it
            raise PlivoError(f"application {name} ({id}) not deleted: {exc}") from None
        if declared:
            notify(f"application {name} ({id}) is kept: another Application of the stack declares it")
            return
        api = self.context.client()
        with self.context.explaining_refusals():
            linked = [
                live["number"]
                for live in (live_binding(obj) for obj in api.list_all_numbers())
                if live["app_id"] == id
            ]
            try:
                links = _Links.of(linked, self.context.deployment)
            except RunMemoryUnavailable as exc:
                raise PlivoError(f"application {name} ({id}) not deleted: {exc}") from None
            refusal = links.refusal(name, id, api.auth_id)
            # The stack's own released numbers are unlinked even when the delete is then refused:
            # their resources have left the state, so a rerun could not tell them from numbers
            # outside the stack (docs/design.md, "Applications").
            run_all(
                lambda n: self._unlink(api, n),
                links.ours,
                _UNLINK_IN_FLIGHT,
                f"unlink numbers from application {name} ({id})",
                afterwards=(
                    "the application was not deleted. The numbers not unlinked still point to it and have "
                    "left the stack, so a rerun refuses them as numbers outside it: run `pulumi up` with the "
                    "program that declares them (it takes them back with no write) and then this command "
                    "again, or unlink them in the console"
                ),
            )
            if links.ours:
                notify(f"application {name}: {len(links.ours)} number(s) of this stack unlinked from it")
            if refusal:
                raise PlivoError(refusal)
            try:
                api.delete_application(id, cascade=False)
            except ApplicationNotFoundError:
                notify(f"application {name} ({id}) was already deleted")

    def _unlink(self, api: PlivoClient, number: str) -> None:
        """Unlink a number from its application; a number no longer rented has no link left (done)."""
        try:
            api.update_number(number, app_id=None)
        except NumberNotFoundError:
            self.context.notify(f"number {number} is no longer rented: nothing to unlink")

    def _same_name(self, desired: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The applications of the declared owner that bear the declared `app_name` (one List, all pages)."""
        with self.context.explaining_refusals():
            return self.context.client().applications_named(
                desired["app_name"], desired.get("subaccount") or ""
            )

    def _after_lost_answer(
        self, desired: Mapping[str, Any], error: PlivoError, secret: Any = None
    ) -> dict[str, Any]:
        """After a create whose outcome is unknown: the application it made, found by name (never a
        second POST); else the error, saying that a rerun finds it before creating anything."""
        name = desired["app_name"]
        rerun = (
            f"Run `pulumi up` again once the API answers: before creating, it looks for an application "
            f"named {name} of {_owner_shown(desired)} and adopts it, so no second one is made"
        )
        try:
            found = self._same_name(desired)
        except PlivoError as exc:
            raise PlivoError(f"{error}\nLooking for it by name failed too: {exc}\n{rerun}.") from None
        if not found:
            raise PlivoError(f"{error}\nNo application named {name} was found afterwards. {rerun}.") from None
        return _adoptable(found, desired, before=False, secret=secret)


@dataclass(frozen=True)
class _Links:
    """The numbers linked to an application that is being deleted, by whose they are."""

    ours: list[str]  # their resources were deleted or released in this deployment: unlinked first
    declared: list[str]  # a resource of this deployment still declares them (ignore_changes, unmanaged)
    outside: list[str]  # no resource of the stack declares them

    @classmethod
    def of(cls, linked: Iterable[str], deployment: Deployment) -> _Links:
        numbers = sorted(set(linked))
        declared = [n for n in numbers if deployment.declares(n)]
        ours = [n for n in numbers if deployment.released(n) and n not in declared]
        outside = [n for n in numbers if n not in declared and n not in ours]
        return cls(ours, declared, outside)

    def refusal(self, name: str, app_id: str, auth_id: str) -> str | None:
        """Why the application may not be deleted (None: it may), naming the numbers and the fix."""
        reasons: list[str] = []
        if is_subaccount_id(auth_id):
            reasons.append(
                f"plivo:authId is subaccount {auth_id}, whose credentials cannot list the numbers of the "
                "main account or of other subaccounts, and any of them may point to it. Delete it with "
                "the main account's credentials: set plivo:authId and plivo:authToken to the main "
                "account's and run again (a destroy with --run-program: without it, a destroy uses the "
                "config saved in the state); or keep the application by removing it from the stack "
                "(`pulumi state delete` with its URN)."
            )
        if self.declared:
            reasons.append(
                f"{len(self.declared)} number(s) that this stack declares still point to it: "
                f"{listed(self.declared)}. Their resources keep them on this application "
                '(ignore_changes=["app_id"], or app_id left unmanaged), and deleting it would unlink them: '
                'bind them to another application in the code (drop "app_id" from ignore_changes), then '
                "run again."
            )
        if self.outside:
            reasons.append(
                f"{len(self.outside)} number(s) outside this stack still point to it: "
                f"{listed(self.outside)}. Deleting it would leave their calls and messages with no "
                "application: link them to another application (or declare them in this stack), then run "
                "again. (If some are this stack's own, released by an earlier run that failed or was killed "
                "before this delete, `pulumi up` with the program that declares them takes them back with no "
                "write, and the next delete unlinks them.)"
            )
        if not reasons:
            return None
        released = (
            f" The {len(self.ours)} number(s) that this stack released in this run were unlinked from it "
            f"({listed(self.ours)}), so that a rerun does not take them for numbers outside the stack."
            if self.ours
            else " Nothing was written."
        )
        why = " ".join(reasons)
        return (
            f"cannot delete application {name} ({app_id}): {why} The application was not deleted.{released}"
        )


def _adopted(app_id: str, live: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs that adopt an application as the API reports it (an engine import)."""
    fields = desired_application({name: live.get(name) for name in APP_FIELDS})
    declared = {**fields, IMPORT_KEY: app_id}
    return {**fields, "delete_adopted": False, "adopted": True, IMPORT_KEY: app_id, DECLARED_KEY: declared}


def _replace_unread(desired: Mapping[str, Any], app_id: str) -> str:
    """Why the create of a replacement whose old state the engine did not show is refused, and the fix."""
    name = desired["app_name"]
    return (
        f"cannot create application {name}: this run replaces an Application (`--replace`), and "
        f"{_owner_shown(desired)} already has an application of that name, {app_id}. Whether this stack "
        "made it (destroy deletes it) or adopted it (destroy keeps it) is recorded in the state, which "
        "the engine shows the provider during a replacement only when the run refreshes first, so "
        "taking it over now could turn an application that existed before the stack into one that "
        "destroy deletes, or the reverse. Run the same command with `--refresh` (`pulumi up --replace "
        "<urn> --refresh`, without --run-program): the replacement then keeps it as the state says. "
        "Nothing was changed."
    )


def _owner_shown(desired: Mapping[str, Any]) -> str:
    return f"subaccount {desired['subaccount']}" if desired.get("subaccount") else "the main account"


def _differences(live: Mapping[str, Any], differing: Mapping[str, Any], secret: Any) -> list[str]:
    """One line per differing field; a secret field (and the hangup_url that defaults to a secret
    answer_url) is named, never quoted."""
    hidden = set(secret or ())
    if "answer_url" in hidden:
        hidden.add("hangup_url")
    return [
        f"{f} differs (a secret value in the code: neither value is shown)"
        if f in hidden
        else f"{f} is {live.get(f)!r} in Plivo but {v!r} in the code"
        for f, v in differing.items()
    ]


def _adoptable(
    found: list[dict[str, Any]], desired: Mapping[str, Any], *, before: bool, secret: Any = None
) -> dict[str, Any]:
    """The one application of the declared name whose fields all match the code; else the error that
    names it (or them) and the fix. Updating it instead could take over live call routing made by
    someone else, so a difference is refused, never written."""
    name = desired["app_name"]
    where = _owner_shown(desired)
    # After a lost answer, the create itself may have made one of them.
    outcome = (
        "Nothing was changed." if before else "The create whose answer was lost may have made one of them."
    )
    if len(found) > 1:
        ids = ", ".join(sorted(str(obj.get("app_id")) for obj in found))
        raise PlivoError(
            f"cannot create application {name}: {where} already has {len(found)} applications of that "
            f"name ({ids}), so it cannot tell which one the code declares, and a create would add one "
            "more. Delete the extra ones in the Plivo console (keep the one to manage; `plivo-numbers "
            'audit` lists them), or adopt one with `opts=ResourceOptions(import_="<app_id>")`, or give '
            f"this Application another app_name. {outcome}"
        )
    live = live_application(found[0])
    differing = app_changes(live, desired)
    if differing:
        app_id = live["app_id"]
        shown = "; ".join(_differences(live, differing, secret))
        how = (
            "It may be what an earlier run created before its answer was lost, or one made elsewhere"
            if before
            else "It appeared while this create's answer was lost"
        )
        raise PlivoError(
            f"cannot create application {name}: {where} already has an application of that name, "
            f"{app_id}, and it differs: {shown}. {how}; a second one of the same name is not made, and "
            "it is not overwritten (it may route live calls). To manage it, set those fields in the code "
            f'to its values (the next `up` adopts it with no write; `import_="{app_id}"` says so '
            "explicitly), then change them in the code; or delete it in the Plivo console if it is a "
            f"leftover; or give this Application another app_name. {outcome}"
        )
    return live


def _owner_failures(fields: dict[str, Any], account: str | None) -> list[Failure]:
    """With a subaccount's credentials an application can only be that subaccount's own (the API
    refuses `subaccount` from them): a left-out owner means it, any other is refused at preview."""
    if not is_subaccount_id(account):
        return []
    owner = fields.setdefault("subaccount", account)
    if is_unknown(owner) or owner == account:
        return []
    shown = '"" (the main account)' if owner == "" else repr(owner)
    return [
        Failure(
            "subaccount",
            f"{shown} cannot own an application made with subaccount {account}'s credentials "
            "(plivo:authId): a subaccount's applications are its own. Leave subaccount out (or set it "
            f'to "{account}"), or configure the main account\'s credentials to create it for another owner',
        )
    ]


def _validated(
    news: Mapping[str, Any], account: str | None, secret: Collection[str]
) -> tuple[dict[str, Any], list[Failure]]:
    """The normalized fields, and a failure per bad one (never quoting a field of `secret`)."""
    fields: dict[str, Any] = {}
    failures: list[Failure] = []
    for name in APP_FIELDS:
        value = news.get(name)
        if value is None:
            if name in REQUIRED:
                example = '"ivr-main"' if name == "app_name" else '"https://example.com/answer"'
                failures.append(Failure(name, f"is required, like {example}"))
            continue
        if is_unknown(value):
            fields[name] = value
            continue
        try:
            fields[name] = validate_app_field(name, value, account)
        except ValueError as exc:
            rule = app_field_rule(name, value) if name in secret else None
            failures.append(failure(name, value, str(exc), secret_rule=rule))
    return fields, failures


def _outputs(
    inputs: Mapping[str, Any],
    live: Mapping[str, Any],
    app_id: str,
    *,
    adopted: bool,
    api: PlivoClient,
    deployment: Deployment,
) -> dict[str, Any]:
    """The fields as they now are in Plivo, the id, where it lives, and the code's declared values."""
    outs: dict[str, Any] = {name: live.get(name) for name in APP_FIELDS}
    owner = live.get("subaccount") or api.auth_id
    deployment.note_application_owner(app_id, owner)  # the numbers bound to it report its URI
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
    if inputs.get(SECRETS_KEY):  # which fields are secret, for a refresh to rebuild the inputs
        outs[SECRETS_KEY] = inputs[SECRETS_KEY]
    return outs
