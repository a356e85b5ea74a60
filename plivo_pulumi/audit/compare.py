"""The comparison of the declared numbers with the live ones: the findings (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from plivo_pulumi.audit.model import Finding, LiveNumber, ManagedApplication, ManagedNumber
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
) -> list[Finding]:
    """The findings, sorted by kind (unmanaged, drifted, gone), number, resource and field.

    ``listed``: the live numbers the (possibly filtered) listing returned, by number. ``looked_up``:
    the result of a GET for managed numbers missing from the listing (``None`` = 404, not rented).
    ``filtered``: the listing had filters, so a managed number missing from it and not looked up is
    not known to be gone (it is skipped rather than reported).
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
    owners: dict[str, set[str]] = {}
    for m in managed:
        owners.setdefault(m.number, set()).add(m.resource)
    for number, resources in owners.items():
        if len(resources) > 1:
            findings.append(Finding("duplicated", number, resource=", ".join(sorted(resources))))
    findings.sort(key=Finding.sort_key)
    return findings


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
) -> list[Finding]:
    """The application findings. ``live``: every application of the account by app_id (the fields of
    `plivo_pulumi.core.applications.live_application`). ``listed``: the live numbers, for links to an
    application that does not exist (``auth_id``: the credentials, which may not see every
    application: `unverified_links`). Applications no stack manages are reported when the audited
    stacks manage at least one or have one pending creation (``pending``: their `app_name`s, after
    a crash), and whatever the stacks declare when they bear the name of another application of the
    same owner: the mark of a create whose answer was lost and that was made again (a stack that
    binds numbers to console-made applications by id is not expected to declare them). One
    application managed by several resources is `duplicated`: they would undo each other's writes."""
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
    owners: dict[str, set[str]] = {}
    for m in managed:
        owners.setdefault(m.app_id, set()).add(m.resource)
    for app_id, resources in owners.items():
        if len(resources) > 1:
            findings.append(Finding("duplicated", "", resource=", ".join(sorted(resources)), app_id=app_id))
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
