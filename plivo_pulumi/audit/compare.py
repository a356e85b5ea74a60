"""The comparison of the declared numbers with the live ones: the findings (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from plivo_pulumi.audit.model import Finding, LiveNumber, ManagedNumber
from plivo_pulumi.contract import (
    MANAGED_FIELDS,
    field_differs,
)

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
