"""Rented numbers: the Number API (list, get, edit, unrent) and the console's edits (rent, edit,
unrent).

A main account sees every number it rents, including those assigned to its subaccounts; a subaccount
sees (lists, gets, edits, unrents) only the numbers assigned to it. Edit: ``app_id`` must name an
existing application of the same main account family, else 400; ``None``/``""`` unlinks.
``subaccount`` must name a subaccount of the caller's main account, else 400; ``None``/``""`` moves
the number back to the main account. Only a main account may change ``subaccount``: a subaccount gets
400 (not 401/403, so that the API's message reaches the user instead of a credentials hint). Moving a
number between subaccounts keeps its application link.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as _dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ...core.numbers import describe_value, normalize_number
from .accounts import Account
from .applications import Application, ApplicationsBackend, seed_app_id
from .base import (
    UNSET,
    SeedError,
    SimError,
    seed_bool,
    seed_list,
    seed_mapping,
    seed_optional_str,
    seed_place,
    seed_str,
)

__all__ = [
    "CNAM_LOOKUP",
    "DEFAULT_NUMBER_SHAPE",
    "NUMBER_FIELDS",
    "NUMBER_SHAPES",
    "NUMBER_TYPES",
    "SERVICES",
    "Number",
    "NumbersBackend",
    "check_number_shape",
]


NUMBER_TYPES = ("local", "tollfree", "mobile")
SERVICES = ("voice", "sms", "mms")
CNAM_LOOKUP = ("enabled", "disabled")
DEFAULT_ADDED_ON = "2024-01-01"
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ALIAS_MAX = 100


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
    # "pending" for a number bought where documents are required (inventory.py), else None.
    compliance_status: str | None = None
    # The rate it was bought at (inventory.py); None: the simulator's fixed rate of its type.
    monthly_rental_rate: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def has_services(self, services: Iterable[str]) -> bool:
        return all(getattr(self, f"{service}_enabled") for service in services)


NUMBER_FIELDS = (
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
    "compliance_status",
    "monthly_rental_rate",
)
COMPLIANCE_STATUSES = ("pending",)
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


class NumbersBackend(ApplicationsBackend):
    """The numbers part of `PlivoState` (state.py): a number belongs to a main account, maybe one of
    its subaccounts, and may link to an application of the same family."""

    numbers: dict[str, Number]

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
        sub = seed_optional_str(entry.get("subaccount"), f"{where}.subaccount") or None
        if sub is not None:
            if sub not in accounts or accounts[sub].is_main:
                raise SeedError(f"{where}.subaccount: unknown subaccount {sub!r}; define it under accounts")
        account = seed_optional_str(entry.get("account"), f"{where}.account")
        if account is None:
            account = accounts[sub].main_id if sub else self._first_main(accounts)
        if account not in accounts or not accounts[account].is_main:
            raise SeedError(f"{where}.account: {account!r} is not a main account defined under accounts")
        if sub is not None and accounts[sub].parent != account:
            raise SeedError(f"{where}.subaccount: {sub} is not a subaccount of {account}")
        app_id = None
        if entry.get("app_id") not in (None, ""):
            app_id = seed_app_id(entry.get("app_id"), f"{where}.app_id")
            if app_id not in applications:
                raise SeedError(f"{where}.app_id: unknown application {app_id}; define it under applications")
            if accounts[applications[app_id].account].main_id != account:
                raise SeedError(f"{where}.app_id: application {app_id} belongs to another main account")
        number_type = seed_str(entry.get("number_type"), f"{where}.number_type", default="local")
        if number_type not in NUMBER_TYPES:
            raise SeedError(
                f"{where}.number_type: must be one of {', '.join(NUMBER_TYPES)}, got {number_type!r}"
            )
        added_on = seed_str(
            entry.get("added_on"),
            f"{where}.added_on",
            default=_dt.date.today().isoformat() if today else DEFAULT_ADDED_ON,
        )
        if not _DATE_RE.fullmatch(str(added_on)):
            raise SeedError(f"{where}.added_on: expected a date like 2024-01-31, got {added_on!r}")
        alias = seed_optional_str(entry.get("alias"), f"{where}.alias")
        cnam_lookup = seed_str(entry.get("cnam_lookup"), f"{where}.cnam_lookup", default="disabled")
        if cnam_lookup not in CNAM_LOOKUP:
            raise SeedError(f"{where}.cnam_lookup: must be enabled or disabled, got {cnam_lookup!r}")
        if alias is not None and len(alias) > _ALIAS_MAX:
            raise SeedError(f"{where}.alias: at most {_ALIAS_MAX} characters")
        compliance = seed_optional_str(entry.get("compliance_status"), f"{where}.compliance_status")
        if compliance not in (None, *COMPLIANCE_STATUSES):
            raise SeedError(f"{where}.compliance_status: must be pending or null, got {compliance!r}")
        rate = seed_optional_str(entry.get("monthly_rental_rate"), f"{where}.monthly_rental_rate")
        if rate is not None and not re.fullmatch(r"\d{1,6}(\.\d{1,5})?", rate):
            raise SeedError(f"{where}.monthly_rental_rate: expected a decimal amount like 0.80000")
        return Number(
            number=number,
            account=account,
            subaccount=sub,
            app_id=app_id,
            alias=alias,
            description=str(seed_str(entry.get("description"), f"{where}.description", default="")),
            number_type=str(number_type),
            voice_enabled=seed_bool(entry.get("voice_enabled"), f"{where}.voice_enabled", True),
            sms_enabled=seed_bool(
                entry.get("sms_enabled"), f"{where}.sms_enabled", number_type != "tollfree"
            ),
            mms_enabled=seed_bool(entry.get("mms_enabled"), f"{where}.mms_enabled", False),
            added_on=str(added_on),
            cnam_lookup=str(cnam_lookup),
            compliance_status=compliance,
            monthly_rental_rate=rate,
        )

    def _parse_numbers(
        self, entries: Any, accounts: dict[str, Account], applications: dict[str, Application]
    ) -> dict[str, Number]:
        numbers: dict[str, Number] = {}
        for i, raw in enumerate(seed_list(entries, "numbers")):
            where = seed_place("numbers", i)
            entry = seed_mapping(raw, where, NUMBER_FIELDS)
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
            where = "generate" if not isinstance(spec, list) else seed_place("generate", i)
            entry = seed_mapping(raw, where, _GENERATE_FIELDS)
            count = entry.get("count")
            if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 1_000_000:
                raise SeedError(f"{where}.count: expected an integer from 0 to 1000000, got {count!r}")
            prefix = str(seed_str(entry.get("prefix"), f"{where}.prefix", default="1555"))
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

    def _visible(self, caller: Account, number: Number) -> bool:
        if caller.is_main:
            return number.account == caller.auth_id
        return number.subaccount == caller.auth_id

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

    def oob_get(self, number: str) -> Number | None:
        with self.lock:
            found = self.numbers.get(number)
            return copy.copy(found) if found else None

    def oob_edit(self, number: str, fields: dict[str, Any]) -> Number:
        """Edit any field of a rented number as a person in the console would (validated)."""
        allowed = set(NUMBER_FIELDS) - {"number", "account"}
        unknown = sorted(set(fields) - allowed)
        if unknown:
            raise SimError(
                400, f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
            )
        with self.lock:
            found = self.numbers.get(number)
            if found is None:
                raise SimError(404, f"number {number} is not rented")
            entry = {k: v for k, v in found.to_dict().items() if k in NUMBER_FIELDS}
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
        allowed = set(NUMBER_FIELDS) - {"number"}
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

    @staticmethod
    def _checked(build: Callable[[], Number]) -> Number:
        try:
            return build()
        except SeedError as exc:
            raise SimError(400, str(exc)) from None
