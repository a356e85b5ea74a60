"""The audit's values: what a stack manages, what the account has, the findings and the report."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from dataclasses import field as dataclass_field
from decimal import Decimal  # `Finding` has a field named `field`
from typing import Any

from plivo_pulumi.core.contract import (
    live_binding,
)

FINDING_KINDS = (
    "unmanaged",
    "drifted",
    "gone",
    "duplicated",
    "unmanaged_app",
    "drifted_app",
    "gone_app",
    "broken_link",
    "unrecorded_buy",
)
# Kinds that have a section of their own only when there is something to report.
QUIET_KINDS = ("duplicated", "unmanaged_app", "drifted_app", "gone_app", "broken_link", "unrecorded_buy")
FILTER_NAMES = ("number_type", "number_startswith", "subaccount", "services")

RENTED_NUMBER_TYPE = "pulumi-python:dynamic/plivo:RentedNumber"
RENTED_NUMBER_SET_TYPE = "pulumi-python:dynamic/plivo:RentedNumberSet"
APPLICATION_TYPE = "pulumi-python:dynamic/plivo:Application"
# The native provider's type tokens (every language, YAML included); its properties are camelCase.
NATIVE_RENTED_NUMBER_TYPE = "plivo:index:RentedNumber"
NATIVE_RENTED_NUMBER_SET_TYPE = "plivo:index:RentedNumberSet"
NATIVE_APPLICATION_TYPE = "plivo:index:Application"
APPLICATION_TYPES = (APPLICATION_TYPE, NATIVE_APPLICATION_TYPE)
PHONE_NUMBER_ORDER_TYPE = "pulumi-python:dynamic/plivo:PhoneNumberOrder"
NATIVE_PHONE_NUMBER_ORDER_TYPE = "plivo:index:PhoneNumberOrder"
PHONE_NUMBER_ORDER_TYPES = (PHONE_NUMBER_ORDER_TYPE, NATIVE_PHONE_NUMBER_ORDER_TYPE)
# The native provider's own resource: an explicit `plivo.Provider`, or the default one.
PROVIDER_TYPE = "pulumi:providers:plivo"

_APP_OWNER_RE = re.compile(r"/Account/([A-Z0-9]+)/Application/")

# The key Pulumi puts in a serialized secret value ({SIG: SECRET_SIG, "ciphertext": ...}).
_SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"


class AuditError(Exception):
    """The audit could not run (exit 2). The message names the cause and the fix."""


class EngineError(AuditError):
    """The Pulumi engine failed or is missing."""


@dataclass(frozen=True)
class ManagedNumber:
    """One number as the stack declares it. ``app_id`` / ``subaccount``: ``None`` = not managed,
    ``""`` = managed as "no application" / "main account". ``provider``: the reference (``urn::id``)
    of the explicit `plivo.Provider` whose account holds it; ``""`` = the stack config's account."""

    number: str
    app_id: str | None
    subaccount: str | None
    resource: str
    type: str = RENTED_NUMBER_TYPE
    provider: str = ""


@dataclass(frozen=True)
class LiveNumber:
    """One number as the API reports it (bare ids; ``""`` = no application / main account)."""

    number: str
    app_id: str = ""
    subaccount: str | None = ""  # None: the API's number object carries no subaccount
    # The account its application URI names (None: not known); facts for the audit, not a binding.
    app_owner: str | None = field(default=None, compare=False)
    # The number's alias: a `PhoneNumberOrder` marks what it bought with its key there.
    alias: str | None = field(default=None, compare=False)

    @classmethod
    def from_api(cls, obj: Mapping[str, Any]) -> LiveNumber:
        """From an API number object; raises :class:`AuditError` if its ids cannot be read."""
        try:
            uri = obj.get("application") if isinstance(obj, Mapping) else None
            owner = _APP_OWNER_RE.search(uri) if isinstance(uri, str) else None
            alias = obj.get("alias")
            return cls(
                **live_binding(obj),
                app_owner=owner.group(1) if owner else None,
                alias=alias if isinstance(alias, str) and alias else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            shown = obj.get("number") if isinstance(obj, Mapping) else None
            raise AuditError(
                f"the API returned a number object this audit cannot read ({shown!r}): {exc}"
            ) from None


@dataclass(frozen=True)
class ManagedApplication:
    """One application as the stack declares it: its id and the declared fields (with defaults,
    snake_case); ``provider`` as for :class:`ManagedNumber`."""

    app_id: str
    resource: str
    fields: Mapping[str, Any]
    provider: str = ""


@dataclass(frozen=True)
class ManagedOrder:
    """One `PhoneNumberOrder` of the state: its key (the alias of what it bought), its reservation
    application, and the numbers it holds with their monthly rate (USD; None = not known).
    ``app_id`` / ``subaccount``: what the order declares for its numbers (``None`` = not declared:
    the binding is not managed after the buy); ``provider`` as for :class:`ManagedNumber`."""

    key: str
    resource: str
    numbers: tuple[tuple[str, Decimal | None], ...] = ()
    reservation_app: str | None = None
    recorded: bool = True  # False: a create a crashed run left pending (the state lists no numbers)
    app_id: str | None = None
    subaccount: str | None = None
    provider: str = ""
    type: str = PHONE_NUMBER_ORDER_TYPE

    @property
    def monthly_cost(self) -> Decimal:
        return sum((rate or Decimal(0) for _, rate in self.numbers), Decimal(0))

    def managed_numbers(self) -> list[ManagedNumber]:
        """Its numbers as managed numbers: compared like a `RentedNumber`'s (gone, drift on what the
        order declares), but never `duplicated` with a `RentedNumber` that binds them."""
        return [
            ManagedNumber(number, self.app_id, self.subaccount, self.resource, self.type, self.provider)
            for number, _ in self.numbers
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "order_key": self.key,
            "numbers": [
                {"number": n, "monthly_cost": None if r is None else float(r)} for n, r in self.numbers
            ],
            "monthly_cost": float(self.monthly_cost),
            "reservation_app_id": self.reservation_app,
            "recorded": self.recorded,
        }


@dataclass(frozen=True)
class Finding:
    """One finding. Application findings have ``number`` ``""`` (``broken_link``: the number) and
    ``app_id`` set. ``account``: the auth_id whose live data it was compared with (set by the run;
    not part of equality, so the pure comparison's findings compare equal without it)."""

    kind: str  # one of FINDING_KINDS
    number: str
    resource: str | None = None
    field: str | None = None
    expected: str | None = None
    live: str | None = None
    app_id: str | None = None
    account: str | None = dataclass_field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "number": self.number,
            "app_id": self.app_id,
            "resource": self.resource,
            "field": self.field,
            "expected": self.expected,
            "live": self.live,
            "account": self.account,
        }

    def sort_key(self) -> tuple[Any, ...]:
        return (
            FINDING_KINDS.index(self.kind),
            self.number,
            self.app_id or "",
            self.resource or "",
            self.field or "",
        )


@dataclass(frozen=True)
class AccountView:
    """One account as the audit sees it: what the stacks declare in it (``managed``, ``apps``) and
    what its own credentials list (``listed``, ``looked_up``: ``None`` = not rented, ``live_apps``)."""

    auth_id: str
    managed: list[ManagedNumber]
    apps: list[ManagedApplication]
    listed: Mapping[str, LiveNumber]
    looked_up: Mapping[str, LiveNumber | None]
    live_apps: Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class AccountSummary:
    """One account the audited stacks manage resources in: its auth_id, the providers that name it
    (`(stack config)` for the default one), and what was listed and declared there."""

    account: str
    providers: tuple[str, ...]
    live_total: int
    managed_total: int
    live_apps: int
    managed_apps: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "providers": list(self.providers),
            "live_total": self.live_total,
            "managed_total": self.managed_total,
            "live_applications": self.live_apps,
            "managed_applications": self.managed_apps,
        }


@dataclass
class AuditReport:
    stack: str
    account: str
    live_total: int
    managed_total: int
    findings: list[Finding]
    filters: dict[str, str] = field(default_factory=dict)
    looked_up: int = 0
    live_apps: int | None = None  # applications listed (None: not listed)
    managed_apps: int = 0
    # (number, app_id) links to an application the credentials cannot list (a subaccount's numbers
    # bound to the main account's application): neither broken nor checked, so not a finding.
    unverified_links: list[tuple[str, str]] = field(default_factory=list)
    # Every account audited (one unless explicit providers name others); empty for hand-made reports.
    accounts: list[AccountSummary] = field(default_factory=list)
    # The stacks' `PhoneNumberOrder`s (recorded ones): the numbers bought and their monthly cost.
    orders: list[ManagedOrder] = field(default_factory=list)

    @property
    def orders_monthly_total(self) -> Decimal:
        return sum((o.monthly_cost for o in self.orders), Decimal(0))

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(FINDING_KINDS, 0)
        for finding in self.findings:
            counts[finding.kind] += 1
        return counts

    @property
    def exit_code(self) -> int:
        return 1 if self.findings else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "account": self.account,
            "filters": dict(self.filters),
            "live_total": self.live_total,
            "managed_total": self.managed_total,
            "live_applications": self.live_apps,
            "managed_applications": self.managed_apps,
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
            "unverified_links": [{"number": n, "app_id": a} for n, a in self.unverified_links],
            "accounts": [a.to_dict() for a in self.accounts],
            "orders": [o.to_dict() for o in self.orders],
            "orders_monthly_total": float(self.orders_monthly_total),
        }
