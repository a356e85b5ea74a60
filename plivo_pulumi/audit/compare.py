"""The comparison of the declared numbers with the live ones: the findings (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from plivo_pulumi.audit.model import (
    PHONE_NUMBER_ORDER_TYPES,
    AccountView,
    Finding,
    LiveNumber,
    ManagedApplication,
    ManagedNumber,
)
from plivo_pulumi.core.applications import app_changes
from plivo_pulumi.core.contract import (
    MANAGED_FIELDS,
    field_differs,
)
from plivo_pulumi.core.numbers import is_subaccount_id

# -- comparison (pure) ----------------------------------------------------------------------------


def numbers_to_look_up(
    managed: Iterable[ManagedNumber], listed: Mapping[str, LiveNumber], *, filtered: bool
) -> list[str]:
    """Managed numbers the listing did not return and that need one GET each to tell "gone" from
    "outside the filters". Without filters the listing is complete, so nothing needs a look-up."""
    if not filtered:
        return []
    return sorted({m.number for m in managed if m.number not in listed})


def compare(
    managed: Iterable[ManagedNumber],
    listed: Mapping[str, LiveNumber],
    looked_up: Mapping[str, LiveNumber | None] | None = None,
    *,
    filtered: bool = False,
    duplicates: bool = True,
) -> list[Finding]:
    """The findings, sorted by kind (unmanaged, drifted, gone), number, resource and field.

    ``listed``: the live numbers the (possibly filtered) listing returned, by number. ``looked_up``:
    the result of a GET for managed numbers missing from the listing (``None`` = 404, not rented).
    ``filtered``: the listing had filters, so a managed number missing from it and not looked up is
    not known to be gone (it is skipped rather than reported). ``duplicates``: also report numbers
    managed by more than one resource (`compare_accounts` does it once over every account).
    """
    managed = list(managed)
    looked_up = looked_up or {}
    findings: list[Finding] = []
    managed_numbers = {m.number for m in managed}
    for number in listed:
        if number not in managed_numbers:
            findings.append(Finding("unmanaged", number))
    for m in managed:
        live: LiveNumber | None
        if m.number in listed:
            live = listed[m.number]
        elif m.number in looked_up:
            live = looked_up[m.number]
        elif filtered:
            continue
        else:
            live = None
        if live is None:
            findings.append(Finding("gone", m.number, resource=m.resource))
            continue
        for name in MANAGED_FIELDS:
            want = getattr(m, name)
            have = getattr(live, name)
            if field_differs(want, have):
                findings.append(Finding("drifted", m.number, m.resource, name, want, have or ""))
    if duplicates:
        findings += _duplicated(managed, [])
    findings.sort(key=Finding.sort_key)
    return findings


def _duplicated(
    managed: Iterable[ManagedNumber],
    apps: Iterable[ManagedApplication],
    account_of: Mapping[str, str] | None = None,
) -> list[Finding]:
    """A number or an application declared by more than one resource: they undo each other's writes.
    An order's number bound by a `RentedNumber`/`RentedNumberSet` is not one (the order's `numbers`
    feeding a binding is the documented use, and an order binds only when it buys): orders and the
    other resources are counted apart. ``account_of``: provider reference -> auth_id, to name the
    accounts involved."""
    account_of = account_of or {}
    managed = list(managed)
    ordered = [m for m in managed if m.type in PHONE_NUMBER_ORDER_TYPES]
    bound = [m for m in managed if m.type not in PHONE_NUMBER_ORDER_TYPES]
    findings: list[Finding] = []
    for key, owners in (
        ("number", _owners(bound, "number")),
        ("number", _owners(ordered, "number")),
        ("app_id", _owners(apps, "app_id")),
    ):
        for value, declared in owners.items():
            resources = {resource for resource, _ in declared}
            if len(resources) < 2:
                continue
            accounts = sorted({account_of[p] for _, p in declared if p in account_of})
            findings.append(
                Finding(
                    "duplicated",
                    value if key == "number" else "",
                    resource=", ".join(sorted(resources)),
                    app_id=value if key == "app_id" else None,
                    account=", ".join(accounts) or None,
                )
            )
    return findings


def _owners(items: Iterable[Any], key: str) -> dict[str, set[tuple[str, str]]]:
    owners: dict[str, set[tuple[str, str]]] = {}
    for item in items:
        owners.setdefault(getattr(item, key), set()).add((item.resource, item.provider))
    return owners


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def unverified_links(listed: Mapping[str, LiveNumber], live: Mapping[str, Any], auth_id: str) -> list[str]:
    """The listed numbers linked to an application the credentials cannot list: with a subaccount's
    credentials (`SA...`), one that its URI does not name as the subaccount's own (the main
    account's: a subaccount sees only its own applications). Not known to be broken."""
    if not is_subaccount_id(auth_id):
        return []
    return sorted(
        number
        for number, item in listed.items()
        if item.app_id and item.app_id not in live and item.app_owner != auth_id
    )


def compare_applications(
    managed: Iterable[ManagedApplication],
    live: Mapping[str, Mapping[str, Any]],
    listed: Mapping[str, LiveNumber],
    *,
    pending: Iterable[str] = (),
    auth_id: str = "",
    duplicates: bool = True,
) -> list[Finding]:
    """The application findings. ``live``: every application of the account by app_id (the fields of
    `plivo_pulumi.core.applications.live_application`). ``listed``: the live numbers, for links to an
    application that does not exist (``auth_id``: the credentials, which may not see every
    application: `unverified_links`). Applications no stack manages are reported when the audited
    stacks manage at least one or have one pending creation (``pending``: their `app_name`s, after
    a crash), and whatever the stacks declare when they bear the name of another application of the
    same owner: the mark of a create whose answer was lost and that was made again (a stack that
    binds numbers to console-made applications by id is not expected to declare them). One
    application managed by several resources is `duplicated` (with ``duplicates``): they would undo
    each other's writes."""
    managed = list(managed)
    findings: list[Finding] = []
    managed_ids = {m.app_id for m in managed}
    pending = set(pending)
    names: dict[tuple[Any, Any], int] = {}
    for fields in live.values():
        key = (fields.get("app_name"), fields.get("subaccount"))
        names[key] = names.get(key, 0) + 1
    for app_id, fields in live.items():
        if app_id in managed_ids:
            continue
        twin = names[(fields.get("app_name"), fields.get("subaccount"))] > 1
        if managed or twin or fields.get("app_name") in pending:
            findings.append(Finding("unmanaged_app", "", live=_shown(fields.get("app_name")), app_id=app_id))
    if duplicates:
        findings += _duplicated([], managed)
    for m in managed:
        have = live.get(m.app_id)
        if have is None:
            findings.append(Finding("gone_app", "", resource=m.resource, app_id=m.app_id))
            continue
        for name, want in app_changes(have, m.fields).items():
            findings.append(
                Finding("drifted_app", "", m.resource, name, _shown(want), _shown(have.get(name)), m.app_id)
            )
    unchecked = set(unverified_links(listed, live, auth_id))
    for number, item in listed.items():
        if item.app_id and item.app_id not in live and number not in unchecked:
            findings.append(
                Finding("broken_link", number, field="app_id", live=item.app_id, app_id=item.app_id)
            )
    findings.sort(key=Finding.sort_key)
    return findings


def compare_accounts(
    views: Sequence[AccountView], *, filtered: bool = False, pending: Iterable[str] = ()
) -> tuple[list[Finding], list[tuple[str, str]]]:
    """The findings of every account the audited stacks use, each compared with its own listing
    (its findings carry its auth_id), and the links no audited account could check.

    A number (or application) listed by one account and managed in another that holds it (a
    subaccount's, listed by its main account too) is not unmanaged in the first; one that another
    account's resource declares without holding it stays unmanaged where it is, and is `gone` for
    that resource. What several accounts list is reported once: under the account that holds it
    (the number's subaccount, the application's owner), else the first (the stack config's).
    Duplicates are counted over every account."""
    pending = list(pending)
    held_numbers = [set(v.listed) | {n for n, live in v.looked_up.items() if live is not None} for v in views]
    managed_numbers = [{m.number for m in v.managed} for v in views]
    managed_apps = [{a.app_id for a in v.apps} for v in views]
    findings: list[Finding] = []
    for i, view in enumerate(views):
        others = [j for j in range(len(views)) if j != i]
        numbers_elsewhere = set().union(*(managed_numbers[j] & held_numbers[j] for j in others))
        apps_elsewhere = set().union(*(managed_apps[j] & set(views[j].live_apps) for j in others))
        found = compare(view.managed, view.listed, view.looked_up, filtered=filtered, duplicates=False)
        found += compare_applications(
            view.apps, view.live_apps, view.listed, pending=pending, auth_id=view.auth_id, duplicates=False
        )
        for finding in found:
            if finding.kind == "unmanaged" and finding.number in numbers_elsewhere:
                continue
            if finding.kind == "unmanaged_app" and finding.app_id in apps_elsewhere:
                continue
            findings.append(replace(finding, account=view.auth_id))
    findings = _reported_once(findings, views)
    account_of = {m.provider: v.auth_id for v in views for m in v.managed}
    account_of.update({a.provider: v.auth_id for v in views for a in v.apps})
    findings += _duplicated(
        [m for v in views for m in v.managed], [a for v in views for a in v.apps], account_of
    )
    findings.sort(key=Finding.sort_key)
    checked = {n for v in views if not is_subaccount_id(v.auth_id) for n in v.listed}
    unverified = {
        (number, view.listed[number].app_id)
        for view in views
        for number in unverified_links(view.listed, view.live_apps, view.auth_id)
        if number not in checked
    }
    return findings, sorted(unverified)


def _reported_once(findings: list[Finding], views: Sequence[AccountView]) -> list[Finding]:
    """One finding per listed number or application that several accounts see: the one of the
    account that holds it, else the first."""

    def holder(finding: Finding) -> str | None:
        if finding.kind == "unmanaged_app":
            for view in views:
                owner = (view.live_apps.get(finding.app_id or "") or {}).get("subaccount")
                if owner:
                    return str(owner)
            return None
        for view in views:
            live = view.listed.get(finding.number)
            if live is not None and live.subaccount:
                return live.subaccount
        return None

    kept: dict[tuple[str, str], Finding] = {}
    result: list[Finding] = []
    for finding in findings:
        if finding.kind not in ("unmanaged", "unmanaged_app", "broken_link"):
            result.append(finding)
            continue
        key = (finding.kind, (finding.app_id if finding.kind == "unmanaged_app" else finding.number) or "")
        first = kept.get(key)
        owner = holder(finding)
        if first is None or (first.account != owner and finding.account == owner):
            kept[key] = finding
    return result + list(kept.values())
