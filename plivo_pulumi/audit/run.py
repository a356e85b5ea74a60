"""The API side and the whole run: list the account, look up, learn subaccounts, compare."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from plivo_pulumi.audit.compare import compare, compare_applications, numbers_to_look_up, unverified_links
from plivo_pulumi.audit.engine import PulumiCLI, read_settings
from plivo_pulumi.audit.model import (
    FILTER_NAMES,
    AuditError,
    AuditReport,
    Finding,
    LiveNumber,
    ManagedApplication,
    ManagedNumber,
)
from plivo_pulumi.audit.state import (
    managed_applications_from_state,
    managed_from_state,
    pending_application_names,
)
from plivo_pulumi.core.applications import live_application
from plivo_pulumi.core.config import (
    ProviderSettings,
)
from plivo_pulumi.core.contract import subaccount_to_check
from plivo_pulumi.core.errors import NumberNotFoundError, PlivoError, Scrubber
from plivo_pulumi.core.live import resolve_subaccounts

# -- I/O: the API ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """Where a run reports progress: `note(text)` for events, `on_page(fetched, total)` for the listing."""

    note: Callable[[str], Any] | None = None
    on_page: Callable[[int, int], Any] | None = None


def list_live(
    client: Any, filters: Mapping[str, str], on_page: Callable[[int, int], Any] | None = None
) -> dict[str, LiveNumber]:
    """Every live number matching ``filters``, across all pages, by number."""

    live: dict[str, LiveNumber] = {}
    for obj in client.iter_numbers(**dict(filters), on_page=on_page):
        item = LiveNumber.from_api(obj)
        live[item.number] = item
    return live


def look_up(client: Any, numbers: Iterable[str], workers: int = 8) -> dict[str, LiveNumber | None]:
    """One GET per number (concurrently): the live binding, or ``None`` when the account does not rent
    it (404)."""

    def one(number: str) -> tuple[str, LiveNumber | None]:
        try:
            return number, LiveNumber.from_api(client.get_number(number))
        except NumberNotFoundError:
            return number, None

    numbers = list(numbers)
    if not numbers:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(numbers)))) as pool:
        return dict(pool.map(one, numbers))


def list_applications(client: Any) -> dict[str, dict[str, Any]]:
    """Every application of the account (all pages), as `live_application` fields, by app_id."""
    apps: dict[str, dict[str, Any]] = {}
    for obj in client.iter_applications():
        try:
            fields = live_application(obj)
        except ValueError as exc:
            raise AuditError(f"the API returned an application this audit cannot read: {exc}") from None
        apps[fields["app_id"]] = fields
    return apps


def learn_subaccounts(
    client: Any,
    managed: Iterable[ManagedNumber],
    listed: dict[str, LiveNumber],
    looked_up: dict[str, LiveNumber | None],
    note: Callable[[str], Any] | None = None,
) -> int:
    """Where the API's number objects carry no subaccount, learn it for the managed numbers whose
    subaccount is declared as `SA...`, from the List filter `subaccount=` (plivo_pulumi.core.live;
    calls per subaccount: at most 1 + min(pages - 1, numbers)). Returns how many were checked."""
    to_check: dict[str, str] = {}
    for m in managed:
        live = listed.get(m.number) or looked_up.get(m.number)
        subaccount = subaccount_to_check(m.subaccount)
        if live is not None and live.subaccount is None and subaccount:
            to_check[m.number] = subaccount
    if to_check and note is not None:
        note(f"checking the subaccount of {len(to_check)} managed numbers (the API does not report it)")
    for number, subaccount in resolve_subaccounts(client, to_check).items():
        if number in listed:
            listed[number] = replace(listed[number], subaccount=subaccount)
        current = looked_up.get(number)
        if current is not None:
            looked_up[number] = replace(current, subaccount=subaccount)
    return len(to_check)


def _filters(given: Mapping[str, str | None] | None) -> dict[str, str]:
    """The filters that are set; an empty or blank one is an error, never "no filter"."""
    filters: dict[str, str] = {}
    for name, value in (given or {}).items():
        if value is None:
            continue
        if not str(value).strip():
            option = "--" + name.replace("_", "-")
            raise AuditError(
                f"{option} is empty: give it a value, or leave the option out to list every number"
            )
        filters[name] = str(value)
    unknown = set(filters) - set(FILTER_NAMES)
    if unknown:
        raise AuditError(f"unknown filter(s) {', '.join(sorted(unknown))}; valid: {', '.join(FILTER_NAMES)}")
    _check_filters(filters)
    return filters


def _check_filters(filters: Mapping[str, str]) -> None:
    """Reject bad filter values before any engine or API call, with the client's own rules."""
    from plivo_pulumi.core.client import list_filter_params

    try:
        list_filter_params(**{name: filters.get(name) for name in FILTER_NAMES})
    except ValueError as exc:
        raise AuditError(f"invalid filter: {exc}") from None


def run_audit(
    stack: str | Sequence[str],
    *,
    cwd: str | os.PathLike[str] | None = None,
    filters: Mapping[str, str | None] | None = None,
    engine: PulumiCLI | None = None,
    environ: Mapping[str, str] | None = None,
    note: Callable[[str], Any] | None = None,
    on_page: Callable[[int, int], Any] | None = None,
    client_factory: Callable[[ProviderSettings], Any] | None = None,
) -> AuditReport:
    """Read the stack's state and credentials through the engine, list the account, compare.

    `stack` may name several stacks of the same account (same project folder): the managed numbers
    are their union (resources named `stack:name`), and a number managed by more than one resource
    is a `duplicated` finding. Raises :class:`AuditError` (engine, credentials, API) with a message
    that never contains the token.
    """
    filters = _filters(filters)
    stacks = [stack] if isinstance(stack, str) else list(stack)
    if not stacks or any(not isinstance(s, str) or not s.strip() for s in stacks):
        raise AuditError(
            "a stack name is required (--stack NAME); an empty name would audit whichever is selected"
        )
    if len(stacks) > 1:
        return _run_audit_of_stacks(
            stacks,
            cwd=cwd,
            filters=filters,
            environ=environ,
            note=note,
            on_page=on_page,
            client_factory=client_factory,
        )
    stack = stacks[0]
    engine = engine or PulumiCLI(stack, cwd)
    state = engine.export()
    managed = managed_from_state(state)
    apps = managed_applications_from_state(state)
    settings = read_settings(engine, environ, note=note)
    return _audit_account(
        stack,
        managed,
        apps,
        settings,
        filters,
        Progress(note, on_page),
        client_factory,
        pending_application_names(state),
    )


def _run_audit_of_stacks(
    stacks: list[str],
    *,
    cwd: str | os.PathLike[str] | None,
    filters: dict[str, str],
    environ: Mapping[str, str] | None,
    note: Callable[[str], Any] | None,
    on_page: Callable[[int, int], Any] | None,
    client_factory: Callable[[ProviderSettings], Any] | None,
) -> AuditReport:
    managed: list[ManagedNumber] = []
    apps: list[ManagedApplication] = []
    pending: list[str] = []
    settings: ProviderSettings | None = None
    for name in stacks:
        engine = PulumiCLI(name, cwd)
        state = engine.export()
        pending += pending_application_names(state)
        managed.extend(replace(m, resource=f"{name}:{m.resource}") for m in managed_from_state(state))
        apps.extend(
            replace(a, resource=f"{name}:{a.resource}") for a in managed_applications_from_state(state)
        )
        these = read_settings(engine, environ, note=note)
        if settings is not None and (these.auth_id, these.base_url) != (settings.auth_id, settings.base_url):
            raise AuditError(
                f"stack {name} is configured for account {these.auth_id} at {these.base_url}, stack "
                f"{stacks[0]} for {settings.auth_id} at {settings.base_url}: audit the stacks of one "
                "account together"
            )
        settings = settings or these
    assert settings is not None
    return _audit_account(
        ", ".join(stacks), managed, apps, settings, filters, Progress(note, on_page), client_factory, pending
    )


def _audit_account(
    stack: str,
    managed: list[ManagedNumber],
    apps: list[ManagedApplication],
    settings: ProviderSettings,
    filters: dict[str, str],
    progress: Progress,
    client_factory: Callable[[ProviderSettings], Any] | None,
    pending: Sequence[str] = (),
) -> AuditReport:
    scrub = Scrubber(settings.auth_id, [settings.auth_token])
    try:
        client = client_factory(settings) if client_factory else settings.client()
    except (PlivoError, ValueError) as exc:
        raise AuditError(scrub(f"cannot create the Plivo client: {exc}")) from None
    try:
        try:
            listed = list_live(client, filters, progress.on_page)  # filters were checked in _filters
        except PlivoError as exc:
            raise AuditError(scrub(f"listing the account's numbers failed: {exc}")) from None
        to_check = numbers_to_look_up(managed, listed, filtered=bool(filters))
        if to_check and progress.note is not None:
            progress.note(f"checking {len(to_check)} managed numbers outside the filtered listing")
        try:
            looked_up = look_up(client, to_check)
        except PlivoError as exc:
            raise AuditError(scrub(f"checking a managed number failed: {exc}")) from None
        try:
            learn_subaccounts(client, managed, listed, looked_up, progress.note)
        except PlivoError as exc:
            raise AuditError(scrub(f"listing a subaccount's numbers failed: {exc}")) from None
        try:
            live_apps = list_applications(client)
        except PlivoError as exc:
            raise AuditError(scrub(f"listing the account's applications failed: {exc}")) from None
    finally:
        close = getattr(client, "close", None)
        if close is not None:
            close()
    findings = compare(managed, listed, looked_up, filtered=bool(filters))
    findings += compare_applications(apps, live_apps, listed, pending=pending, auth_id=settings.auth_id)
    findings.sort(key=Finding.sort_key)
    unverified = unverified_links(listed, live_apps, settings.auth_id)
    return AuditReport(
        stack=stack,
        account=settings.auth_id,
        live_total=len(listed),
        managed_total=len(managed),
        findings=findings,
        filters=filters,
        looked_up=len(to_check),
        live_apps=len(live_apps),
        managed_apps=len(apps),
        unverified_links=[(n, listed[n].app_id) for n in unverified],
    )
