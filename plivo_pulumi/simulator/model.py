"""Domain model of the simulated Plivo account world: accounts, applications, rented numbers.

No HTTP here (see :mod:`plivo_pulumi.simulator.responses` and :mod:`plivo_pulumi.simulator.admin`).
Every operation runs under one lock, so the model is safe to use from the threads of a threading
HTTP server. Objects handed out are copies.

Rules (where the API reference is silent, the choice is documented in ``docs/simulator.md``):

* A main account sees every number it rents, including those assigned to its subaccounts; a
  subaccount sees (lists, gets, edits, unrents) only the numbers assigned to it.
* Edit: ``app_id`` must name an existing application of the same main account family (the main
  account or any of its subaccounts), else 400; ``None``/``""`` unlinks. ``subaccount`` must name a
  subaccount of the caller's main account, else 400; ``None``/``""`` moves the number back to the
  main account. Only a main account may change ``subaccount``: a subaccount gets 400 (not 401/403,
  so that the API's message reaches the user instead of a credentials hint).
* Moving a number between subaccounts keeps its application link.
* Applications are seen like numbers: a main account sees (gets, lists, modifies, deletes) its own
  and its subaccounts'; a subaccount only its own; any other is 404. Only a main account may set an
  application's `subaccount` (400 otherwise). Deleting an application unlinks its numbers (the
  reference does not say; admin `keep_links` models an API that would not).
* Application fields are checked here by the simulator's own rules (`check_app_field`), not by the
  client's (`plivo_pulumi.core.applications`): a test oracle that shared the client's checks would agree
  with the client's mistakes.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as _dt
import hmac
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..core.applications import url_problem
from ..core.numbers import (
    describe_value,
    is_main_account_id,
    is_subaccount_id,
    normalize_app_id,
    normalize_number,
)

__all__ = [
    "UNSET",
    "NUMBER_TYPES",
    "SERVICES",
    "Account",
    "Application",
    "Number",
    "SimError",
    "SeedError",
    "PlivoState",
    "APP_CREATE_PARAMS",
    "APP_MODIFY_PARAMS",
    "APP_SETTABLE",
    "check_app_field",
    "parse_flag",
]

NUMBER_TYPES = ("local", "tollfree", "mobile")
SERVICES = ("voice", "sms", "mms")
CNAM_LOOKUP = ("enabled", "disabled")
DEFAULT_ADDED_ON = "2024-01-01"
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ALIAS_MAX = 100


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


class SimError(Exception):
    """A domain error with the HTTP status the API answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class SeedError(ValueError):
    """An invalid seed: the message names the section, the entry and the field."""


@dataclass
class Account:
    auth_id: str
    auth_token: str
    is_main: bool
    parent: str | None = None
    name: str = ""

    @property
    def main_id(self) -> str:
        return self.auth_id if self.is_main else str(self.parent)

    def to_dict(self, *, credentials: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "auth_id": self.auth_id,
            "is_main": self.is_main,
            "parent": self.parent,
            "name": self.name,
        }
        if credentials:
            data["auth_token"] = self.auth_token
        return data


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
_FIRST_APP_ID = 20468599130939380
_REQUIRED_HINTS = {
    "app_name": 'give 1-100 letters, digits, "-" and "_", like "ivr-main"',
    "answer_url": 'give the http(s) URL Plivo fetches when a call arrives, like "https://example.com/answer"',
}
_APP_NAME_RE = re.compile(rf"[A-Za-z0-9_-]{{1,{APP_NAME_MAX}}}")


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


@dataclass
class Number:
    number: str
    account: str
    subaccount: str | None = None
    app_id: str | None = None
    alias: str | None = None
    description: str = ""
    number_type: str = "local"
    voice_enabled: bool = True
    sms_enabled: bool = True
    mms_enabled: bool = False
    added_on: str = DEFAULT_ADDED_ON
    plivo_number: bool = True
    cnam_lookup: str = "disabled"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def has_services(self, services: Iterable[str]) -> bool:
        return all(getattr(self, f"{service}_enabled") for service in services)


def _token() -> str:
    # Plivo auth tokens are 40 characters of letters and digits.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(40))


# -- seed parsing --------------------------------------------------------------------------------


def _where(section: str, index: int | None, field: str | None = None) -> str:
    place = section if index is None else f"{section}[{index}]"
    return f"{place}.{field}" if field else place


def _mapping(value: Any, where: str, allowed: Iterable[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SeedError(f"{where}: expected a mapping, got {type(value).__name__}")
    unknown = sorted(str(k) for k in value if k not in allowed)
    if unknown:
        raise SeedError(
            f"{where}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )
    return value


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SeedError(f"{where}: expected a list, got {type(value).__name__}")
    return value


def _optional_str(value: Any, where: str) -> str | None:
    """A seed field that may be absent (None)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise SeedError(f"{where}: expected a string, got {type(value).__name__}")
    return str(value)


def _str(value: Any, where: str, *, default: str | None = None) -> str:
    """A seed field that is required, or takes `default` when absent."""
    text = _optional_str(value, where)
    if text is None:
        if default is None:
            raise SeedError(f"{where}: is required")
        return default
    return text


def _bool(value: Any, where: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise SeedError(f"{where}: expected true or false, got {value!r}")
    return value


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


_ACCOUNT_FIELDS = ("auth_id", "auth_token", "name", "subaccounts")
_SUBACCOUNT_FIELDS = ("auth_id", "auth_token", "name")
_APPLICATION_FIELDS = ("app_id", "account", "name", *APP_SETTABLE)
_NUMBER_FIELDS = (
    "number",
    "account",
    "subaccount",
    "app_id",
    "alias",
    "description",
    "number_type",
    "voice_enabled",
    "sms_enabled",
    "mms_enabled",
    "added_on",
    "cnam_lookup",
)
_GENERATE_FIELDS = (
    "count",
    "prefix",
    "length",
    "start",
    "account",
    "subaccount",
    "app_id",
    "number_type",
    "description",
    "voice_enabled",
    "sms_enabled",
    "mms_enabled",
)
_SEED_SECTIONS = ("accounts", "applications", "numbers", "generate", "number_shape")

# How the API's number object names (or omits) the number's subaccount (docs/simulator.md):
#   reference    exactly the fields of the Number API reference, which has no subaccount field
#   sub_account  those fields plus `sub_account` (as Plivo's newer public docs show it) and extras
#   subaccount   those fields plus `subaccount` and extras (this simulator's original shape)
#   current      the live API's object today (live_number.py): `sub_account` as the bare auth id
#                beside `sub_account_name`, rates, renewal date, 10DLC fields..., and neither
#                `description` nor `plivo_number` (the official SDKs' 2026 fixtures)
#   current_uri  the same object as older answers had it: `sub_account` as the subaccount's URI, no
#                `sub_account_name`
NUMBER_SHAPES = ("subaccount", "sub_account", "reference", "current", "current_uri")
DEFAULT_NUMBER_SHAPE = "current"


def check_number_shape(value: Any, where: str = "number_shape") -> str:
    if value not in NUMBER_SHAPES:
        raise SeedError(f"{where}: must be one of {', '.join(NUMBER_SHAPES)}, got {str(value)[:40]!r}")
    return str(value)


class PlivoState:
    """All accounts, applications and numbers of the simulator, behind one lock."""

    def __init__(
        self,
        seed: dict[str, Any] | None = None,
        *,
        default_seed: dict[str, Any] | None = None,
        number_shape: str | None = None,
    ) -> None:
        """`number_shape` (the `--number-shape` flag) is the shape of every seed that names none."""
        self.lock = threading.RLock()
        self.default_shape = check_number_shape(number_shape) if number_shape else DEFAULT_NUMBER_SHAPE
        self.number_shape = self.default_shape
        self.accounts: dict[str, Account] = {}
        self.applications: dict[str, Application] = {}
        self.numbers: dict[str, Number] = {}
        self._next_app_id = _FIRST_APP_ID
        self._default_seed = copy.deepcopy(default_seed) if default_seed is not None else None
        self._known_tokens: dict[str, str] = {}
        self.startup_seed: dict[str, Any] = {}
        self.startup_seed = self.load_seed(seed if seed is not None else (default_seed or {}))

    # -- seeding ------------------------------------------------------------------------------

    def load_seed(self, seed: Any) -> dict[str, Any]:
        """Replace the whole world with ``seed``; returns the seed with every token filled in.

        Tokens missing from the seed are taken from an account with the same auth_id loaded
        earlier (so ``reset`` keeps credentials stable), else generated at random.
        """
        if seed is None:
            seed = {}
        seed = _mapping(seed, "seed", _SEED_SECTIONS)
        resolved = copy.deepcopy(seed)
        with self.lock:
            accounts, resolved_accounts, defaulted = self._parse_accounts(seed)
            resolved["accounts"] = resolved_accounts
            if "applications" not in seed and defaulted and self._default_seed:
                app_entries = self._default_seed.get("applications", [])
                resolved["applications"] = copy.deepcopy(app_entries)
            else:
                app_entries = seed.get("applications")
            applications = self._parse_applications(app_entries, accounts)
            numbers = self._parse_numbers(seed.get("numbers"), accounts, applications)
            self._generate(seed.get("generate"), accounts, applications, numbers)
            shape = check_number_shape(seed.get("number_shape", self.default_shape))
            self.accounts, self.applications, self.numbers = accounts, applications, numbers
            self.number_shape = shape
            for account in accounts.values():
                self._known_tokens[account.auth_id] = account.auth_token
        return resolved

    def reset(self, seed: Any = None) -> dict[str, Any]:
        """Back to ``seed`` or, without one, to the startup seed."""
        return self.load_seed(copy.deepcopy(self.startup_seed) if seed is None else seed)

    def _parse_accounts(self, seed: dict[str, Any]) -> tuple[dict[str, Account], list[dict[str, Any]], bool]:
        defaulted = "accounts" not in seed
        entries = seed.get("accounts")
        if defaulted:
            entries = copy.deepcopy((self._default_seed or {}).get("accounts", []))
        entries = _list(entries, "accounts")
        if not entries:
            raise SeedError("accounts: at least one main account is required")
        accounts: dict[str, Account] = {}
        resolved: list[dict[str, Any]] = []

        def add(account: Account, where: str) -> None:
            if account.auth_id in accounts:
                raise SeedError(f"{where}.auth_id: {account.auth_id} is defined twice")
            accounts[account.auth_id] = account

        for i, raw in enumerate(entries):
            where = _where("accounts", i)
            entry = _mapping(raw, where, _ACCOUNT_FIELDS)
            auth_id = _str(entry.get("auth_id"), f"{where}.auth_id")
            if not is_main_account_id(auth_id):
                raise SeedError(
                    f"{where}.auth_id: {auth_id!r} is not a main account auth_id "
                    "(MA followed by 18 uppercase letters or digits)"
                )
            token = self._token_for(auth_id, entry.get("auth_token"), f"{where}.auth_token")
            add(
                Account(auth_id, token, True, None, _str(entry.get("name"), f"{where}.name", default="")),
                where,
            )
            subs_resolved = []
            for j, raw_sub in enumerate(_list(entry.get("subaccounts"), f"{where}.subaccounts")):
                swhere = f"{where}.subaccounts[{j}]"
                sub = _mapping(raw_sub, swhere, _SUBACCOUNT_FIELDS)
                sub_id = _str(sub.get("auth_id"), f"{swhere}.auth_id")
                if not is_subaccount_id(sub_id):
                    raise SeedError(
                        f"{swhere}.auth_id: {sub_id!r} is not a subaccount auth_id "
                        "(SA followed by 18 uppercase letters or digits)"
                    )
                sub_token = self._token_for(sub_id, sub.get("auth_token"), f"{swhere}.auth_token")
                name = _str(sub.get("name"), f"{swhere}.name", default="")
                add(Account(sub_id, sub_token, False, auth_id, name), swhere)
                subs_resolved.append({"auth_id": sub_id, "auth_token": sub_token, "name": name})
            resolved.append(
                {
                    "auth_id": auth_id,
                    "auth_token": token,
                    "name": accounts[auth_id].name,
                    "subaccounts": subs_resolved,
                }
            )
        return accounts, resolved, defaulted

    def _token_for(self, auth_id: str, value: Any, where: str) -> str:
        if value is None:
            return self._known_tokens.get(auth_id) or _token()
        token = _str(value, where)
        assert token is not None
        if len(token) < 8 or not token.isascii() or not token.isprintable() or " " in token:
            raise SeedError(f"{where}: must be at least 8 printable ASCII characters without spaces")
        return token

    @staticmethod
    def _first_main(accounts: dict[str, Account]) -> str:
        return next(a.auth_id for a in accounts.values() if a.is_main)

    def _parse_applications(self, entries: Any, accounts: dict[str, Account]) -> dict[str, Application]:
        applications: dict[str, Application] = {}
        for i, raw in enumerate(_list(entries, "applications")):
            where = _where("applications", i)
            entry = _mapping(raw, where, _APPLICATION_FIELDS)
            app_id = self._seed_app_id(entry.get("app_id"), f"{where}.app_id")
            if app_id in applications:
                raise SeedError(f"{where}.app_id: {app_id} is defined twice")
            owner = _str(entry.get("account"), f"{where}.account", default=self._first_main(accounts))
            if owner not in accounts:
                raise SeedError(f"{where}.account: unknown account {owner!r}; define it under accounts")
            applications[app_id] = _application(app_id, str(owner), entry, where)
        return applications

    @staticmethod
    def _seed_app_id(value: Any, where: str) -> str:
        text = _str(value, where)
        try:
            app_id = normalize_app_id(text)
        except ValueError as exc:
            raise SeedError(f"{where}: {exc}") from None
        if not app_id:
            raise SeedError(f"{where}: must not be empty")
        return app_id

    def _number_from_entry(
        self,
        entry: dict[str, Any],
        where: str,
        accounts: dict[str, Account],
        applications: dict[str, Application],
        *,
        number: str | None = None,
        today: bool = False,
    ) -> Number:
        if number is None:
            try:
                number = normalize_number(entry.get("number"))
            except ValueError as exc:
                raise SeedError(f"{where}.number: {exc}") from None
        sub = _optional_str(entry.get("subaccount"), f"{where}.subaccount") or None
        if sub is not None:
            if sub not in accounts or accounts[sub].is_main:
                raise SeedError(f"{where}.subaccount: unknown subaccount {sub!r}; define it under accounts")
        account = _optional_str(entry.get("account"), f"{where}.account")
        if account is None:
            account = accounts[sub].main_id if sub else self._first_main(accounts)
        if account not in accounts or not accounts[account].is_main:
            raise SeedError(f"{where}.account: {account!r} is not a main account defined under accounts")
        if sub is not None and accounts[sub].parent != account:
            raise SeedError(f"{where}.subaccount: {sub} is not a subaccount of {account}")
        app_id = None
        if entry.get("app_id") not in (None, ""):
            app_id = self._seed_app_id(entry.get("app_id"), f"{where}.app_id")
            if app_id not in applications:
                raise SeedError(f"{where}.app_id: unknown application {app_id}; define it under applications")
            if accounts[applications[app_id].account].main_id != account:
                raise SeedError(f"{where}.app_id: application {app_id} belongs to another main account")
        number_type = _str(entry.get("number_type"), f"{where}.number_type", default="local")
        if number_type not in NUMBER_TYPES:
            raise SeedError(
                f"{where}.number_type: must be one of {', '.join(NUMBER_TYPES)}, got {number_type!r}"
            )
        added_on = _str(
            entry.get("added_on"),
            f"{where}.added_on",
            default=_dt.date.today().isoformat() if today else DEFAULT_ADDED_ON,
        )
        if not _DATE_RE.fullmatch(str(added_on)):
            raise SeedError(f"{where}.added_on: expected a date like 2024-01-31, got {added_on!r}")
        alias = _optional_str(entry.get("alias"), f"{where}.alias")
        cnam_lookup = _str(entry.get("cnam_lookup"), f"{where}.cnam_lookup", default="disabled")
        if cnam_lookup not in CNAM_LOOKUP:
            raise SeedError(f"{where}.cnam_lookup: must be enabled or disabled, got {cnam_lookup!r}")
        if alias is not None and len(alias) > _ALIAS_MAX:
            raise SeedError(f"{where}.alias: at most {_ALIAS_MAX} characters")
        return Number(
            number=number,
            account=account,
            subaccount=sub,
            app_id=app_id,
            alias=alias,
            description=str(_str(entry.get("description"), f"{where}.description", default="")),
            number_type=str(number_type),
            voice_enabled=_bool(entry.get("voice_enabled"), f"{where}.voice_enabled", True),
            sms_enabled=_bool(entry.get("sms_enabled"), f"{where}.sms_enabled", number_type != "tollfree"),
            mms_enabled=_bool(entry.get("mms_enabled"), f"{where}.mms_enabled", False),
            added_on=str(added_on),
            cnam_lookup=str(cnam_lookup),
        )

    def _parse_numbers(
        self, entries: Any, accounts: dict[str, Account], applications: dict[str, Application]
    ) -> dict[str, Number]:
        numbers: dict[str, Number] = {}
        for i, raw in enumerate(_list(entries, "numbers")):
            where = _where("numbers", i)
            entry = _mapping(raw, where, _NUMBER_FIELDS)
            num = self._number_from_entry(entry, where, accounts, applications)
            if num.number in numbers:
                raise SeedError(f"{where}.number: {num.number} is listed twice")
            numbers[num.number] = num
        return numbers

    def _generate(
        self,
        spec: Any,
        accounts: dict[str, Account],
        applications: dict[str, Application],
        numbers: dict[str, Number],
    ) -> None:
        if spec is None:
            return
        blocks = spec if isinstance(spec, list) else [spec]
        for i, raw in enumerate(blocks):
            where = "generate" if not isinstance(spec, list) else _where("generate", i)
            entry = _mapping(raw, where, _GENERATE_FIELDS)
            count = entry.get("count")
            if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 1_000_000:
                raise SeedError(f"{where}.count: expected an integer from 0 to 1000000, got {count!r}")
            prefix = str(_str(entry.get("prefix"), f"{where}.prefix", default="1555"))
            if not (prefix.isascii() and prefix.isdigit()):
                raise SeedError(f"{where}.prefix: expected digits, got {prefix!r}")
            length = entry.get("length", 11)
            start = entry.get("start", 0)
            for name, value in (("length", length), ("start", start)):
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise SeedError(f"{where}.{name}: expected a non-negative integer, got {value!r}")
            if not 8 <= length <= 15:
                raise SeedError(f"{where}.length: numbers have 8 to 15 digits, got {length}")
            width = length - len(prefix)
            if width < 0 or (count and len(str(start + count - 1)) > width):
                raise SeedError(
                    f"{where}: {count} numbers starting at {start} do not fit after prefix {prefix} "
                    f"in {length} digits"
                )
            template = {k: v for k, v in entry.items() if k not in ("count", "prefix", "length", "start")}
            for k in range(count):
                number = prefix + str(start + k).zfill(width)
                if number in numbers:
                    raise SeedError(f"{where}: generated number {number} is already listed")
                numbers[number] = self._number_from_entry(
                    template, where, accounts, applications, number=number
                )

    # -- authentication and visibility ----------------------------------------------------------

    def authenticate(self, auth_id: str, auth_token: str) -> Account | None:
        """The account for these credentials, or None (constant-time token comparison)."""
        with self.lock:
            account = self.accounts.get(auth_id)
            expected = account.auth_token if account else "x" * 40
        ok = hmac.compare_digest(expected.encode(), auth_token.encode())
        return copy.copy(account) if account is not None and ok else None

    def account(self, auth_id: str) -> Account | None:
        with self.lock:
            account = self.accounts.get(auth_id)
            return copy.copy(account) if account else None

    def application(self, app_id: str) -> Application | None:
        with self.lock:
            app = self.applications.get(app_id)
            return copy.copy(app) if app else None

    def _visible(self, caller: Account, number: Number) -> bool:
        if caller.is_main:
            return number.account == caller.auth_id
        return number.subaccount == caller.auth_id

    def _family(self, main_id: str) -> set[str]:
        return {a.auth_id for a in self.accounts.values() if a.main_id == main_id}

    # -- API operations -------------------------------------------------------------------------

    def _check_subaccount_filter(self, caller: Account, subaccount: str | None, what: str) -> None:
        """A List call's `subaccount=` filter: a subaccount of the caller's main account, and for a
        subaccount caller only itself."""
        if subaccount is None:
            return
        sub = self.accounts.get(subaccount)
        if sub is None or sub.is_main or sub.parent != caller.main_id:
            raise SimError(400, f"subaccount {subaccount} not found")
        if not caller.is_main and subaccount != caller.auth_id:
            raise SimError(400, f"a subaccount can only list its own {what}")

    def list_numbers(
        self,
        caller: Account,
        *,
        number_type: str | None = None,
        number_startswith: str | None = None,
        subaccount: str | None = None,
        services: Iterable[str] = (),
        limit: int = 20,
        offset: int = 0,
        where: Callable[[Number], bool] | None = None,
    ) -> tuple[list[Number], int]:
        """One page of the caller's numbers, ordered by number, and the total matching count.
        `where` is any further filter of the request (the SDKs' filters on the live object's fields)."""
        services = tuple(services)
        with self.lock:
            self._check_subaccount_filter(caller, subaccount, "numbers")
            # One pass per filter actually given: a page of a 10,000-number account costs the
            # simulator about 1.5 ms of CPU instead of 5 (2 cores, shared with the engine under test).
            matching = [n for n in self.numbers.values() if self._visible(caller, n)]
            if number_type is not None:
                matching = [n for n in matching if n.number_type == number_type]
            if number_startswith is not None:
                matching = [n for n in matching if n.number.startswith(number_startswith)]
            if subaccount is not None:
                matching = [n for n in matching if n.subaccount == subaccount]
            if services:
                matching = [n for n in matching if n.has_services(services)]
            if where is not None:
                matching = [n for n in matching if where(n)]
            matching.sort(key=lambda n: n.number)
            page = [copy.copy(n) for n in matching[offset : offset + limit]]
            return page, len(matching)

    def get_number(self, caller: Account, number: str) -> Number:
        with self.lock:
            return copy.copy(self._find(caller, number))

    def _find(self, caller: Account, number: str) -> Number:
        found = self.numbers.get(number)
        if found is None or not self._visible(caller, found):
            raise SimError(404, "not found")
        return found

    def edit_number(
        self,
        caller: Account,
        number: str,
        *,
        app_id: Any = UNSET,
        subaccount: Any = UNSET,
        alias: Any = UNSET,
        cnam_lookup: Any = UNSET,
    ) -> Number:
        """Apply an edit (all checks first, then all changes). ``None`` unlinks / moves to main."""
        with self.lock:
            found = self._find(caller, number)
            changes: dict[str, Any] = {}
            if subaccount is not UNSET:
                if not caller.is_main:
                    raise SimError(
                        400,
                        "only the main account can change the subaccount of a number; "
                        "use the main account's credentials",
                    )
                if subaccount is not None:
                    sub = self.accounts.get(subaccount)
                    if sub is None or sub.is_main or sub.parent != caller.auth_id:
                        raise SimError(400, f"subaccount {subaccount} not found")
                changes["subaccount"] = subaccount
            if app_id is not UNSET:
                if app_id is not None:
                    app = self.applications.get(app_id)
                    if app is None or app.account not in self._family(caller.main_id):
                        raise SimError(400, f"application {app_id} not found")
                changes["app_id"] = app_id
            if alias is not UNSET:
                if alias is not None and (not isinstance(alias, str) or len(alias) > _ALIAS_MAX):
                    raise SimError(400, f"alias must be a string of at most {_ALIAS_MAX} characters")
                changes["alias"] = alias
            if cnam_lookup is not UNSET:
                if cnam_lookup not in CNAM_LOOKUP:
                    raise SimError(
                        400, f"invalid cnam_lookup {describe_value(cnam_lookup)}; use enabled or disabled"
                    )
                changes["cnam_lookup"] = cnam_lookup
            for key, value in changes.items():
                setattr(found, key, value)
            return copy.copy(found)

    def unrent_number(self, caller: Account, number: str) -> None:
        with self.lock:
            self._find(caller, number)
            del self.numbers[number]

    # -- applications ---------------------------------------------------------------------------

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

    # -- out-of-band operations (the console, not the API) ---------------------------------------

    def oob_get(self, number: str) -> Number | None:
        with self.lock:
            found = self.numbers.get(number)
            return copy.copy(found) if found else None

    def oob_edit(self, number: str, fields: dict[str, Any]) -> Number:
        """Edit any field of a rented number as a person in the console would (validated)."""
        allowed = set(_NUMBER_FIELDS) - {"number", "account"}
        unknown = sorted(set(fields) - allowed)
        if unknown:
            raise SimError(
                400, f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
            )
        with self.lock:
            found = self.numbers.get(number)
            if found is None:
                raise SimError(404, f"number {number} is not rented")
            entry = {k: v for k, v in found.to_dict().items() if k in _NUMBER_FIELDS}
            entry.update(fields)
            if "subaccount" in fields and fields["subaccount"] in (None, ""):
                entry["subaccount"] = None
            if "app_id" in fields and fields["app_id"] in (None, ""):
                entry["app_id"] = None
            updated = self._checked(
                lambda: self._number_from_entry(
                    entry, f"number {number}", self.accounts, self.applications, number=number
                )
            )
            self.numbers[number] = updated
            return copy.copy(updated)

    def oob_unrent(self, number: str) -> Number:
        with self.lock:
            found = self.numbers.pop(number, None)
            if found is None:
                raise SimError(404, f"number {number} is not rented")
            return found

    def oob_rent(self, number: str, fields: dict[str, Any]) -> Number:
        allowed = set(_NUMBER_FIELDS) - {"number"}
        unknown = sorted(set(fields) - allowed)
        if unknown:
            raise SimError(
                400, f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
            )
        with self.lock:
            if number in self.numbers:
                raise SimError(409, f"number {number} is already rented by {self.numbers[number].account}")
            created = self._checked(
                lambda: self._number_from_entry(
                    dict(fields),
                    f"number {number}",
                    self.accounts,
                    self.applications,
                    number=number,
                    today=True,
                )
            )
            self.numbers[number] = created
            return copy.copy(created)

    def oob_rotate_token(self, auth_id: str, auth_token: str) -> Account:
        """Give an account a new auth token, as "regenerate token" in the console does: the old one
        stops working at once."""
        if not isinstance(auth_token, str) or not auth_token.strip() or len(auth_token) > 256:
            raise SimError(400, "auth_token must be a non-empty string of at most 256 characters")
        with self.lock:
            account = self.accounts.get(auth_id)
            if account is None:
                raise SimError(404, f"account {auth_id} not found")
            account.auth_token = auth_token
            return copy.copy(account)

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

    @staticmethod
    def _checked(build: Callable[[], Number]) -> Number:
        try:
            return build()
        except SeedError as exc:
            raise SimError(400, str(exc)) from None

    # -- dump -----------------------------------------------------------------------------------

    def snapshot(self, *, credentials: bool = False) -> dict[str, Any]:
        with self.lock:
            return {
                "accounts": [a.to_dict(credentials=credentials) for a in self.accounts.values()],
                "applications": [
                    a.to_dict() for a in sorted(self.applications.values(), key=lambda a: a.app_id)
                ],
                "numbers": [n.to_dict() for n in sorted(self.numbers.values(), key=lambda n: n.number)],
            }

    def main_account(self) -> Account:
        with self.lock:
            return copy.copy(self.accounts[self._first_main(self.accounts)])
