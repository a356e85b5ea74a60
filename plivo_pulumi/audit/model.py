"""The audit's values: what a stack manages, what the account has, the findings and the report."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
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
)
# Kinds that have a section of their own only when there is something to report.
QUIET_KINDS = ("duplicated", "unmanaged_app", "drifted_app", "gone_app", "broken_link")
FILTER_NAMES = ("number_type", "number_startswith", "subaccount", "services")

RENTED_NUMBER_TYPE = "pulumi-python:dynamic/plivo:RentedNumber"
RENTED_NUMBER_SET_TYPE = "pulumi-python:dynamic/plivo:RentedNumberSet"
APPLICATION_TYPE = "pulumi-python:dynamic/plivo:Application"

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
    ``""`` = managed as "no application" / "main account"."""

    number: str
    app_id: str | None
    subaccount: str | None
    resource: str
    type: str = RENTED_NUMBER_TYPE


@dataclass(frozen=True)
class LiveNumber:
    """One number as the API reports it (bare ids; ``""`` = no application / main account)."""

    number: str
    app_id: str = ""
    subaccount: str | None = ""  # None: the API's number object carries no subaccount
    # The account its application URI names (None: not known); facts for the audit, not a binding.
    app_owner: str | None = field(default=None, compare=False)

    @classmethod
    def from_api(cls, obj: Mapping[str, Any]) -> LiveNumber:
        """From an API number object; raises :class:`AuditError` if its ids cannot be read."""
        try:
            uri = obj.get("application") if isinstance(obj, Mapping) else None
            owner = _APP_OWNER_RE.search(uri) if isinstance(uri, str) else None
            return cls(**live_binding(obj), app_owner=owner.group(1) if owner else None)
        except (KeyError, TypeError, ValueError) as exc:
            shown = obj.get("number") if isinstance(obj, Mapping) else None
            raise AuditError(
                f"the API returned a number object this audit cannot read ({shown!r}): {exc}"
            ) from None


@dataclass(frozen=True)
class ManagedApplication:
    """One application as the stack declares it: its id and the declared fields (with defaults)."""

    app_id: str
    resource: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class Finding:
    """One finding. Application findings have ``number`` ``""`` (``broken_link``: the number) and
    ``app_id`` set."""

    kind: str  # one of FINDING_KINDS
    number: str
    resource: str | None = None
    field: str | None = None
    expected: str | None = None
    live: str | None = None
    app_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "number": self.number,
            "app_id": self.app_id,
            "resource": self.resource,
            "field": self.field,
            "expected": self.expected,
            "live": self.live,
        }

    def sort_key(self) -> tuple[Any, ...]:
        return (
            FINDING_KINDS.index(self.kind),
            self.number,
            self.app_id or "",
            self.resource or "",
            self.field or "",
        )


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
        }
