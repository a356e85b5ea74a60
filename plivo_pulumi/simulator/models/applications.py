"""Applications: the Application API (create, get, list, modify, delete) and the console's edits.

Applications are seen like numbers: a main account sees (gets, lists, modifies, deletes) its own and
its subaccounts'; a subaccount only its own; any other is 404. Only a main account may set an
application's `subaccount` (400 otherwise). Deleting an application unlinks its numbers (the
reference does not say; admin `keep_links` models an API that would not). Fields are checked by the
simulator's own rules (`check_app_field`), not by the client's (`plivo_pulumi.core.applications`): a
test oracle that shared the client's checks would agree with the client's mistakes.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ...core.applications import url_problem
from ...core.numbers import describe_value, is_subaccount_id, normalize_app_id
from .accounts import Account, AccountsBackend
from .base import SeedError, SimError, seed_list, seed_mapping, seed_place, seed_str

__all__ = [
    "APP_CREATE_PARAMS",
    "APP_MODIFY_PARAMS",
    "APP_SETTABLE",
    "Application",
    "ApplicationsBackend",
    "check_app_field",
    "parse_flag",
    "seed_app_id",
]


@dataclass
class Application:
    """An application, owned by a main account or a subaccount (`account`). Fields as in the
    Application API; `hangup_url` defaults to the answer_url when created."""

    app_id: str
    account: str
    app_name: str = ""
    answer_url: str = ""
    answer_method: str = "POST"
    hangup_url: str = ""
    hangup_method: str = "POST"
    fallback_answer_url: str = ""
    fallback_method: str = "POST"
    message_url: str = ""
    message_method: str = "POST"
    default_number_app: bool = False
    default_endpoint_app: bool = False
    log_incoming_messages: bool = True
    enabled: bool = True
    public_uri: bool = False

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# The fields a seed or the console may set (every field but the id and the owner).
APP_SETTABLE = tuple(f.name for f in dataclasses.fields(Application) if f.name not in ("app_id", "account"))
# The parameters of the API's create call, and of its modify call (the same but app_name).
APP_CREATE_PARAMS = (
    "app_name",
    "answer_url",
    "answer_method",
    "hangup_url",
    "hangup_method",
    "fallback_answer_url",
    "fallback_method",
    "message_url",
    "message_method",
    "default_number_app",
    "default_endpoint_app",
    "subaccount",
    "log_incoming_messages",
    "public_uri",  # not in the reference's list; the Python and Go SDKs send it
)
APP_MODIFY_PARAMS = tuple(p for p in APP_CREATE_PARAMS if p != "app_name")
APP_REQUIRED = ("app_name", "answer_url")
APP_URL_FIELDS = ("answer_url", "hangup_url", "fallback_answer_url", "message_url")
APP_METHOD_FIELDS = ("answer_method", "hangup_method", "fallback_method", "message_method")
APP_FLAG_FIELDS = (
    "default_number_app",
    "default_endpoint_app",
    "log_incoming_messages",
    "enabled",
    "public_uri",
)
APP_NAME_MAX = 100
URL_MAX = 2000
# First id handed out by a create: 17 digits, as in Plivo's examples.
FIRST_APP_ID = 20468599130939380
_REQUIRED_HINTS = {
    "app_name": 'give 1-100 letters, digits, "-" and "_", like "ivr-main"',
    "answer_url": 'give the http(s) URL Plivo fetches when a call arrives, like "https://example.com/answer"',
}
_APP_NAME_RE = re.compile(rf"[A-Za-z0-9_-]{{1,{APP_NAME_MAX}}}")
_APPLICATION_FIELDS = ("app_id", "account", "name", *APP_SETTABLE)


def parse_flag(value: Any) -> bool:
    """A boolean parameter: JSON true/false, or the text "true"/"false" a form body carries."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError(f"must be true or false, got {describe_value(value)}")


def _is_http_url(value: str) -> bool:
    # The rule the provider checks at preview (spaces, control characters, a host, a valid port...):
    # the two must agree, or a preview passes what `up` then fails on (docs/simulator.md).
    return url_problem(value) is None


def check_app_field(name: str, value: Any) -> Any:
    """The value to store for application field `name` (methods upper-cased, "true"/"false" as
    booleans, null as "" for the optional URLs, which is how a form body clears one), else a
    ValueError saying what is wrong and how to fix it."""
    if name == "app_name":
        if isinstance(value, str) and _APP_NAME_RE.fullmatch(value):
            return value
        raise ValueError(
            f"{describe_value(value)} is not a valid application name: use 1-{APP_NAME_MAX} letters, "
            'digits, "-" and "_" (no spaces or dots), like "ivr-main"'
        )
    if name in APP_URL_FIELDS:
        optional = name != "answer_url"
        if optional and value in (None, ""):
            return ""
        if isinstance(value, str) and _is_http_url(value):
            return value
        example = f'"https://example.com/{name.removesuffix("_url")}"'
        raise ValueError(
            f"{describe_value(value)} is not an http(s) URL; give one like {example}"
            + (' (or "" for none)' if optional else "")
        )
    if name in APP_METHOD_FIELDS:
        if isinstance(value, str) and value.upper() in ("GET", "POST"):
            return value.upper()
        raise ValueError(f'must be "GET" or "POST", got {describe_value(value)}')
    if name in APP_FLAG_FIELDS:
        return parse_flag(value)
    raise ValueError(f"{name} is not an application field")


def _subaccount_param(value: Any) -> str | None:
    """The `subaccount` parameter of a create or modify: a subaccount auth_id, or None for the main
    account (null or "")."""
    if value is None or value == "":
        return None
    if is_subaccount_id(value):
        return str(value)
    raise SimError(
        400,
        f"invalid subaccount: {describe_value(value)} is not a subaccount auth_id (SA followed by 18 "
        "uppercase letters or digits); use null for the main account",
    )


def _api_fields(params: Mapping[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """The checked values of a create's or modify's parameters; unknown ones are refused by name."""
    unknown = sorted(str(k) for k in params if k not in allowed)
    if unknown:
        raise SimError(
            400,
            f"unknown parameter(s) {', '.join(k[:40] for k in unknown[:5])}; allowed: {', '.join(allowed)}",
        )
    fields: dict[str, Any] = {}
    for name, value in params.items():
        if name == "subaccount":
            fields[name] = _subaccount_param(value)
            continue
        try:
            fields[name] = check_app_field(name, value)
        except ValueError as exc:
            raise SimError(400, f"invalid {name}: {exc}") from None
    return fields


def _app_field(name: str, value: Any, where: str) -> Any:
    """One application field set by a seed or the console: checked like the API's."""
    try:
        return check_app_field(name, value)
    except ValueError as exc:
        raise SeedError(f"{where}: {exc}") from None


def _application(app_id: str, owner: str, entry: Mapping[str, Any], where: str) -> Application:
    """An application from a seed or console entry: every field may be given (absent or null: the
    default); `name` is the older spelling of `app_name`. Short seeds get a name (`name`, else
    `app-<app_id>`) and an answer URL of their own; `hangup_url` defaults to the answer URL."""
    fields: dict[str, Any] = {}
    for name in APP_SETTABLE:
        if entry.get(name) is not None:
            fields[name] = _app_field(name, entry[name], f"{where}.{name}")
    if "app_name" not in fields:
        old_name = entry.get("name")
        fields["app_name"] = (
            _app_field("app_name", old_name, f"{where}.name") if old_name else f"app-{app_id}"
        )
    fields.setdefault("answer_url", f"https://example.invalid/answer/{app_id}")
    fields.setdefault("hangup_url", fields["answer_url"])
    return Application(app_id, owner, **fields)


def seed_app_id(value: Any, where: str) -> str:
    """An application id given by a seed or the console (digits), else a SeedError naming `where`."""
    text = seed_str(value, where)
    try:
        app_id = normalize_app_id(text)
    except ValueError as exc:
        raise SeedError(f"{where}: {exc}") from None
    if not app_id:
        raise SeedError(f"{where}: must not be empty")
    return app_id


class LinkedNumber(Protocol):
    """What the link rules read of a number (numbers.py owns the `Number` itself)."""

    number: str
    account: str
    app_id: str | None


class ApplicationsBackend(AccountsBackend):
    """The applications part of `PlivoState` (state.py), and the rules of the links numbers hold to
    applications."""

    applications: dict[str, Application]
    numbers: Mapping[str, LinkedNumber]
    _next_app_id: int

    def _parse_applications(self, entries: Any, accounts: dict[str, Account]) -> dict[str, Application]:
        applications: dict[str, Application] = {}
        for i, raw in enumerate(seed_list(entries, "applications")):
            where = seed_place("applications", i)
            entry = seed_mapping(raw, where, _APPLICATION_FIELDS)
            app_id = seed_app_id(entry.get("app_id"), f"{where}.app_id")
            if app_id in applications:
                raise SeedError(f"{where}.app_id: {app_id} is defined twice")
            owner = seed_str(entry.get("account"), f"{where}.account", default=self._first_main(accounts))
            if owner not in accounts:
                raise SeedError(f"{where}.account: unknown account {owner!r}; define it under accounts")
            applications[app_id] = _application(app_id, str(owner), entry, where)
        return applications

    def application(self, app_id: str) -> Application | None:
        with self.lock:
            app = self.applications.get(app_id)
            return copy.copy(app) if app else None

    def _sees_app(self, caller: Account, app_id: str) -> bool:
        """Whether the caller sees the application: a main account its own and its subaccounts', a
        subaccount only its own."""
        app = self.applications.get(app_id)
        owner = self.accounts.get(app.account) if app else None
        if owner is None:
            return False
        return owner.main_id == caller.auth_id if caller.is_main else owner.auth_id == caller.auth_id

    def _find_app(self, caller: Account, app_id: str) -> Application:
        """An application the caller sees; any other (or a malformed id) is 404, as if it did not
        exist, so that one account cannot probe another's ids."""
        if not self._sees_app(caller, app_id):
            raise SimError(404, f"application {str(app_id)[:40]} not found")
        return self.applications[app_id]

    def _owner(self, caller: Account, subaccount: str | None) -> str:
        """The owner that a create's or modify's `subaccount` asks for (None: the main account)."""
        if not caller.is_main:
            raise SimError(
                400,
                "only the main account can set the subaccount of an application; leave subaccount out, "
                "or use the main account's credentials",
            )
        if subaccount is None:
            return caller.auth_id
        sub = self.accounts.get(subaccount)
        if sub is None or sub.is_main or sub.parent != caller.auth_id:
            raise SimError(
                400, f"subaccount {subaccount} not found: give a subaccount of {caller.auth_id}, or null"
            )
        return subaccount

    def _check_links(self, app_id: str, owner: str) -> None:
        """An application may only belong to the main account family of the numbers linked to it."""
        main = self.accounts[owner].main_id
        others = sorted(n.number for n in self.numbers.values() if n.app_id == app_id and n.account != main)
        if others:
            raise SimError(
                400,
                f"account: application {app_id} is linked to numbers of another main account "
                f"({', '.join(others[:3])}); unlink them first",
            )

    def create_application(self, caller: Account, fields: Mapping[str, Any]) -> Application:
        """Create from the API's parameters (JSON values or form text; checked here, 400 naming the
        field). app_name and answer_url are required; a subaccount's application is its own, a main
        account's belongs to `subaccount` when given. Returns the new application."""
        for name in APP_REQUIRED:
            if fields.get(name) in (None, ""):
                raise SimError(400, f"{name} is required: {_REQUIRED_HINTS[name]}")
        values = _api_fields(fields, APP_CREATE_PARAMS)
        with self.lock:
            owner = caller.auth_id
            if "subaccount" in values:
                owner = self._owner(caller, values.pop("subaccount"))
            while str(self._next_app_id) in self.applications:
                self._next_app_id += 1
            app_id = str(self._next_app_id)
            self._next_app_id += 1
            values.setdefault("hangup_url", values["answer_url"])
            app = Application(app_id, owner, **values)
            self.applications[app_id] = app
            return copy.copy(app)

    def get_application(self, caller: Account, app_id: str) -> Application:
        with self.lock:
            return copy.copy(self._find_app(caller, app_id))

    def list_applications(
        self,
        caller: Account,
        subaccount: str | None = None,
        limit: int = 20,
        offset: int = 0,
        app_name: str | None = None,
    ) -> tuple[list[Application], int]:
        """One page of the applications the caller sees, ordered by app_id, and the total count.
        `subaccount` keeps only that subaccount's (a subaccount may name only itself); `app_name`
        only those of that exact name (the SDKs' filter). `limit` and `offset` are checked where the
        request is parsed (`params.page_params`), as for numbers."""
        with self.lock:
            self._check_subaccount_filter(caller, subaccount, "applications")
            matching = [
                app
                for app_id, app in sorted(self.applications.items())
                if self._sees_app(caller, app_id)
                and (subaccount is None or app.account == subaccount)
                and (app_name is None or app.app_name == app_name)
            ]
            return [copy.copy(a) for a in matching[offset : offset + limit]], len(matching)

    def modify_application(self, caller: Account, app_id: str, fields: Mapping[str, Any]) -> Application:
        """Change exactly the given fields (all checks first; `hangup_url` keeps its value when the
        answer_url changes). app_name cannot be changed (400). Returns the application."""
        if "app_name" in fields:
            raise SimError(400, "app_name cannot be changed; create a new application with the new name")
        values = _api_fields(fields, APP_MODIFY_PARAMS)
        with self.lock:
            app = self._find_app(caller, app_id)
            if "subaccount" in values:
                owner = self._owner(caller, values.pop("subaccount"))
                self._check_links(app_id, owner)
                app.account = owner
            for name, value in values.items():
                setattr(app, name, value)
            return copy.copy(app)

    def delete_application(
        self,
        caller: Account,
        app_id: str,
        cascade: Any = True,
        new_endpoint_application: Any = None,
    ) -> list[str]:
        """Delete an application; the numbers linked to it lose the link (an assumption: the
        reference does not say). Endpoints are not modelled: `cascade` (a boolean, or its text) and
        `new_endpoint_application` (another application the caller sees) are checked, then have no
        effect. Returns the numbers unlinked."""
        try:
            parse_flag(cascade)
        except ValueError as exc:
            raise SimError(400, f"invalid cascade: {exc}") from None
        with self.lock:
            self._find_app(caller, app_id)
            if new_endpoint_application not in (None, ""):
                other = str(new_endpoint_application)
                if other == app_id or not self._sees_app(caller, other):
                    raise SimError(
                        400,
                        f"invalid new_endpoint_application: application {other[:40]} not found; give "
                        "another application of the account, or leave it out",
                    )
            return self._remove_application(app_id, keep_links=False)

    def _remove_application(self, app_id: str, *, keep_links: bool) -> list[str]:
        del self.applications[app_id]
        if keep_links:
            return []
        unlinked = sorted(n.number for n in self.numbers.values() if n.app_id == app_id)
        for number in unlinked:
            self.numbers[number].app_id = None
        return unlinked

    def oob_add_application(
        self, app_id: str, account: str | None = None, fields: Mapping[str, Any] | None = None, **more: Any
    ) -> Application:
        """Add (or replace) an application as the console would: `fields` (and/or keyword fields) as
        in a seed entry, every field allowed, `name` the older spelling of `app_name`; `account` the
        owner (default: the first main account). Numbers linked to a replaced application stay linked."""
        entry = {**(fields or {}), **more}
        allowed = ("name", *APP_SETTABLE)
        if "app_id" in entry and str(entry.pop("app_id")) != app_id:
            raise SimError(400, f"app_id: the body names another application than {app_id}; leave it out")
        unknown = sorted(str(k) for k in entry if k not in allowed)
        if unknown:
            raise SimError(400, f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")
        if not (isinstance(app_id, str) and app_id.isascii() and app_id.isdigit()):
            raise SimError(400, f"app_id: {describe_value(app_id)} is not an application id (digits)")
        with self.lock:
            owner = account or self._first_main(self.accounts)
            if owner not in self.accounts:
                raise SimError(400, f"account: unknown account {owner}; use an auth_id of the seed")
            app = self._checked_app(lambda: _application(app_id, owner, entry, f"application {app_id}"))
            self._check_links(app_id, owner)
            self.applications[app_id] = app
            return copy.copy(app)

    def oob_get_application(self, app_id: str) -> Application | None:
        with self.lock:
            app = self.applications.get(app_id)
            return copy.copy(app) if app else None

    def oob_edit_application(
        self, app_id: str, fields: Mapping[str, Any] | None = None, **more: Any
    ) -> Application:
        """Change any field (app_name too, or `name`; `account` within the same main account family)
        as a person in the console would: checked (400 naming the field), all or nothing."""
        entry = {**(fields or {}), **more}
        allowed = ("name", "account", *APP_SETTABLE)
        unknown = sorted(str(k) for k in entry if k not in allowed)
        if unknown:
            raise SimError(400, f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")
        if "name" in entry:
            entry.setdefault("app_name", entry["name"])
            del entry["name"]
        with self.lock:
            app = self.applications.get(app_id)
            if app is None:
                raise SimError(404, f"application {app_id} not found")
            changes: dict[str, Any] = {}
            for name, value in entry.items():
                if name == "account":
                    current = self.accounts.get(app.account)
                    target = self.accounts.get(value) if isinstance(value, str) else None
                    if target is None or (current is not None and target.main_id != current.main_id):
                        raise SimError(
                            400,
                            f"account: {describe_value(value)} is not an account of the application's "
                            "main account family",
                        )
                    changes[name] = value
                    continue
                try:
                    changes[name] = _app_field(name, value, name)
                except SeedError as exc:
                    raise SimError(400, str(exc)) from None
            for name, value in changes.items():
                setattr(app, name, value)
            return copy.copy(app)

    def oob_remove_application(self, app_id: str, keep_links: bool = False) -> list[str]:
        """Delete an application as the console would; numbers linked to it lose the link, unless
        `keep_links` (a model of an API that would leave them pointing at it: their `application`
        URI is still rendered). Returns the numbers unlinked."""
        with self.lock:
            if app_id not in self.applications:
                raise SimError(404, f"application {app_id} not found")
            return self._remove_application(app_id, keep_links=keep_links)

    @staticmethod
    def _checked_app(build: Callable[[], Application]) -> Application:
        try:
            return build()
        except SeedError as exc:
            raise SimError(400, str(exc)) from None
