"""The report as a table or as JSON (pure)."""

from __future__ import annotations

import json
from decimal import Decimal

from plivo_pulumi.audit.model import FINDING_KINDS, QUIET_KINDS, AuditReport, Finding

# -- rendering (pure) -----------------------------------------------------------------------------

_SECTIONS = {
    "unmanaged": (
        "Unmanaged numbers",
        "rented by the account, not in the stack",
        "declare them (bindings file or RentedNumber with import_) or unrent them",
    ),
    "drifted": (
        "Drifted bindings",
        "a managed field differs from the live account",
        "`pulumi up --refresh --run-program` restores the declared values; or change the code",
    ),
    "duplicated": (
        "Numbers and applications managed more than once",
        "declared by more than one resource, in one stack or across the stacks audited",
        "keep one declaration: the resources undo each other's writes, and deleting one may unrent the "
        "number (or delete the application) that the other manages",
    ),
    "gone": (
        "Managed numbers no longer rented",
        "in the stack, not rented by the account",
        "`pulumi refresh --run-program` drops them from the state; remove them from the code",
    ),
    "unmanaged_app": (
        "Unmanaged applications",
        "in the account, not in the stack (LIVE is the app_name)",
        "declare them (Application with import_) or delete them in the console; one that bears the "
        "name of another is most likely left by a create whose answer was lost",
    ),
    "drifted_app": (
        "Drifted applications",
        "a field differs from the live application",
        "`pulumi up --refresh --run-program` restores the declared values; or change the code",
    ),
    "gone_app": (
        "Managed applications that no longer exist",
        "in the stack, not in the account",
        "`pulumi up --refresh --run-program` creates them again (numbers bound to them are relinked)",
    ),
    "broken_link": (
        "Numbers linked to an application that does not exist",
        "calls and messages to them reach no application",
        "link them to an existing application (in the code, then `pulumi up --refresh --run-program`)",
    ),
    "unrecorded_buy": (
        "Bought numbers the state does not list",
        "they carry a PhoneNumberOrder's key (alias) or its reservation app: a run died after the buy",
        "`pulumi up --refresh` adopts them into the order (after a crash: the README's recovery); "
        "never buy them again by hand",
    ),
}
# The fix for an order's number (RESOURCE is a PhoneNumberOrder), where it differs: the order's
# refresh shows both as changes of its own inputs, which the `up` then sets right.
_ORDER_FIX = {
    "drifted": (
        "for an order's number: `pulumi up --refresh` links it back to what the order declares "
        "(its refresh shows the live value as a change of app_id/subaccount)"
    ),
    "gone": (
        "for an order's number: `pulumi up --refresh` buys a replacement within max_monthly_cost (its "
        "refresh shows the lower count held; `pulumi preview --refresh` shows the buy and its cost)"
    ),
}
_COLUMNS = ("KIND", "NUMBER", "APP_ID", "RESOURCE", "FIELD", "EXPECTED", "LIVE")
# A reconcile restores one declaration: with a duplicate, it undoes the other's.
_FIGHT = (
    " (first keep one declaration of what is duplicated: a reconcile restores one stack's values over "
    "the other's)"
)


def _show(value: str | None, field_name: str | None) -> str:
    if value is None:
        return "-"
    if value == "":
        return "(main account)" if field_name == "subaccount" else "(none)"
    return value


def _row(f: Finding, with_app: bool, with_account: bool = False) -> tuple[str, ...]:
    cells = [f.kind, f.number or "-"] + ([f.app_id or "-"] if with_app else [])
    cells += [f.resource or "-", f.field or "-", _show(f.expected, f.field), _show(f.live, f.field)]
    return (*cells, *([f.account or "-"] if with_account else []))


def render_table(report: AuditReport) -> str:
    """The human-readable report: a header, one section per kind with its count, one line per finding."""
    filters = ", ".join(f"{k}={v}" for k, v in report.filters.items()) or "none"
    several = len(report.accounts) > 1
    against = f"account {report.account}"
    if several:
        against = f"accounts {', '.join(a.account for a in report.accounts)}"
    lines = [
        f"Audit of stack{'s' if ', ' in report.stack else ''} {report.stack} against Plivo {against}",
        f"  live numbers listed: {report.live_total} (filters: {filters})",
        f"  managed numbers in the stack: {report.managed_total}",
    ]
    if several:  # which provider each account comes from, and what was compared there
        lines.extend(
            f"  account {a.account} [{', '.join(a.providers)}]: {a.live_total} numbers listed, "
            f"{a.managed_total} managed; {a.live_apps} applications listed, {a.managed_apps} managed"
            for a in report.accounts
        )
    if report.live_apps is not None:
        lines.append(
            f"  applications listed: {report.live_apps}; managed in the stack: {report.managed_apps}"
            + (
                ""
                if report.managed_apps
                else " (unmanaged applications are reported once the stack declares one, or when they "
                "share a name)"
            )
        )
    if report.looked_up:
        lines.append(f"  managed numbers outside the listing, checked one by one: {report.looked_up}")
    with_app = any(f.app_id for f in report.findings)
    columns = _COLUMNS if with_app else tuple(c for c in _COLUMNS if c != "APP_ID")
    if several:
        columns = (*columns, "ACCOUNT")
    rows = [_row(f, with_app, several) for f in report.findings]
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(columns)]

    def fmt(cells: tuple[str, ...]) -> str:
        return "  " + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    counts = report.counts()
    for kind in FINDING_KINDS:
        if kind in QUIET_KINDS and not counts[kind]:
            continue  # a section of its own only when there is something to say
        title, meaning, fix = _SECTIONS[kind]
        lines.append("")
        lines.append(f"{title}: {counts[kind]} ({meaning})")
        section = [f for f in report.findings if f.kind == kind]
        if section:
            lines.append(fmt(columns))
            lines.extend(fmt(_row(f, with_app, several)) for f in section)
            fight = kind in ("drifted", "drifted_app") and counts["duplicated"]
            lines.append(f"  fix: {fix}{_FIGHT if fight else ''}")
            if kind in _ORDER_FIX and {f.resource for f in section} & {o.resource for o in report.orders}:
                lines.append(f"  {_ORDER_FIX[kind]}")
    if report.orders:
        lines.append("")
        lines.append(
            f"Bought numbers (PhoneNumberOrder): {sum(len(o.numbers) for o in report.orders)}, "
            f"{_usd(report.orders_monthly_total)} per month"
        )
        for order in report.orders:
            line = f"  {order.resource} ({order.key}): {_usd(order.monthly_cost)} per month"
            if not order.recorded:
                line += " (create pending in the state: a run died; see unrecorded_buy)"
            if order.reservation_app:
                line += f"; reservation application {order.reservation_app}"
            lines.append(line)
            lines.extend(
                f"    {number}  {'unknown' if rate is None else _usd(rate)}/month"
                for number, rate in order.numbers
            )
    if report.unverified_links:
        lines.append("")
        lines.append(
            f"Links these credentials cannot check: {len(report.unverified_links)} (the application "
            "belongs to another account, which a subaccount cannot list; not a finding)"
        )
        lines.extend(f"  {number}  app_id {app_id}" for number, app_id in report.unverified_links)
        lines.append("  check: audit with the main account's credentials")
    lines.append("")
    total = len(report.findings)
    if total:
        detail = ", ".join(f"{counts[k]} {k}" for k in FINDING_KINDS if k not in QUIET_KINDS or counts[k])
        lines.append(f"Result: {total} finding{'s' if total != 1 else ''} ({detail}).")
    else:
        lines.append("Result: no findings; the account matches the stack.")
    return "\n".join(lines) + "\n"


def _usd(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01'))} USD"


def render_json(report: AuditReport) -> str:
    return json.dumps(report.to_dict(), indent=2) + "\n"
