"""The report as a table or as JSON (pure)."""

from __future__ import annotations

import json

from plivo_pulumi.audit.model import FINDING_KINDS, AuditReport, Finding

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
        "Numbers managed more than once",
        "declared by more than one resource, in one stack or across the stacks audited",
        "keep one declaration: the resources undo each other's writes, and deleting one may unrent "
        "what the other manages",
    ),
    "gone": (
        "Managed numbers no longer rented",
        "in the stack, not rented by the account",
        "`pulumi refresh --run-program` drops them from the state; remove them from the code",
    ),
}
_COLUMNS = ("KIND", "NUMBER", "RESOURCE", "FIELD", "EXPECTED", "LIVE")


def _show(value: str | None, field_name: str | None) -> str:
    if value is None:
        return "-"
    if value == "":
        return "(main account)" if field_name == "subaccount" else "(none)"
    return value


def _row(f: Finding) -> tuple[str, ...]:
    return (
        f.kind,
        f.number,
        f.resource or "-",
        f.field or "-",
        _show(f.expected, f.field),
        _show(f.live, f.field),
    )


def render_table(report: AuditReport) -> str:
    """The human-readable report: a header, one section per kind with its count, one line per finding."""
    filters = ", ".join(f"{k}={v}" for k, v in report.filters.items()) or "none"
    lines = [
        f"Audit of stack{'s' if ', ' in report.stack else ''} {report.stack} against Plivo account "
        f"{report.account}",
        f"  live numbers listed: {report.live_total} (filters: {filters})",
        f"  managed numbers in the stack: {report.managed_total}",
    ]
    if report.looked_up:
        lines.append(f"  managed numbers outside the listing, checked one by one: {report.looked_up}")
    rows = [_row(f) for f in report.findings]
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(_COLUMNS)]

    def fmt(cells: tuple[str, ...]) -> str:
        return "  " + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    counts = report.counts()
    for kind in FINDING_KINDS:
        if kind == "duplicated" and not counts[kind]:
            continue  # a section of its own only when there is something to say
        title, meaning, fix = _SECTIONS[kind]
        lines.append("")
        lines.append(f"{title}: {counts[kind]} ({meaning})")
        section = [f for f in report.findings if f.kind == kind]
        if section:
            lines.append(fmt(_COLUMNS))
            lines.extend(fmt(_row(f)) for f in section)
            lines.append(f"  fix: {fix}")
    lines.append("")
    total = len(report.findings)
    if total:
        detail = ", ".join(f"{counts[k]} {k}" for k in FINDING_KINDS if k != "duplicated" or counts[k])
        lines.append(f"Result: {total} finding{'s' if total != 1 else ''} ({detail}).")
    else:
        lines.append("Result: no findings; the account matches the stack.")
    return "\n".join(lines) + "\n"


def render_json(report: AuditReport) -> str:
    return json.dumps(report.to_dict(), indent=2) + "\n"
