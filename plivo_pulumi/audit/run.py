"""The API side and the whole run: list the account, look up, learn subaccounts, compare."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from plivo_pulumi.audit.accounts import (
    STACK_CONFIG,
    AccountGroup,
    account_key,
    group_by_account,
    merge_groups,
)
from plivo_pulumi.audit.compare import compare_accounts, numbers_to_look_up
from plivo_pulumi.audit.engine import PulumiCLI, read_settings
from plivo_pulumi.audit.model import (
    FILTER_NAMES,
    AccountSummary,
    AccountView,
    AuditError,
    AuditReport,
    Finding,
    LiveNumber,
    ManagedNumber,
    ManagedOrder,
)
from plivo_pulumi.audit.state import (
    explicit_providers,
    managed_applications_from_state,
    managed_from_state,
    orders_from_state,
    pending_application_names,
)
from plivo_pulumi.core.applications import live_application
from plivo_pulumi.core.config import (
    ProviderSettings,
)
from plivo_pulumi.core.contract import subaccount_to_check
from plivo_pulumi.core.errors import NumberNotFoundError, PlivoError, Scrubber
from plivo_pulumi.core.lifecycle.phone_number_order import reservation_name
from plivo_pulumi.core.live import resolve_subaccounts
from plivo_pulumi.core.numbers import is_subaccount_id

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
    """Read the stack's state and credentials through the engine, list each account, compare.

    `stack` may name several stacks of the same account (same project folder): the managed numbers
    are their union (resources named `stack:name`), and a number managed by more than one resource
    is a `duplicated` finding. Resources of an explicit `plivo.Provider` of another account are
    compared with that account's listing (`plivo_pulumi.audit.accounts`). Raises :class:`AuditError`
    (engine, credentials, API) with a message that never contains a token.
    """
    filters = _filters(filters)
    stacks = [stack] if isinstance(stack, str) else list(stack)
    if not stacks or any(not isinstance(s, str) or not s.strip() for s in stacks):
        raise AuditError(
            "a stack name is required (--stack NAME); an empty name would audit whichever is selected"
        )
    environ = os.environ if environ is None else environ
    several = len(stacks) > 1
    groups: list[AccountGroup] = []
    pending: list[str] = []
    orders: list[ManagedOrder] = []
    first: tuple[str, ProviderSettings] | None = None
    for name in stacks:
        this = engine if engine is not None and not several else PulumiCLI(name, cwd)
        state = this.export()
        label = f"{name}:" if several else ""
        managed = [replace(m, resource=label + m.resource) for m in managed_from_state(state)]
        apps = [replace(a, resource=label + a.resource) for a in managed_applications_from_state(state)]
        pending += pending_application_names(state)
        stack_orders = [replace(o, resource=label + o.resource) for o in orders_from_state(state)]
        orders += stack_orders
        managed += [m for o in stack_orders for m in o.managed_numbers()]
        # The stack config's account is audited whenever it has credentials; without them, only a
        # stack whose every resource names an explicit provider can be audited.
        refs = [m.provider for m in managed] + [a.provider for a in apps]
        needed = not refs or not all(refs)
        default = _default_settings(this, environ, note, needed=needed)
        if default is not None and first is not None and account_key(default) != account_key(first[1]):
            raise AuditError(
                f"stack {name} is configured for account {default.auth_id} at {default.base_url}, stack "
                f"{first[0]} for {first[1].auth_id} at {first[1].base_url}: audit the stacks of one "
                "account together"
            )
        first = first or ((name, default) if default is not None else None)
        groups += group_by_account(
            default, managed, apps, explicit_providers(state), _decrypter(this), environ, label
        )
    return _audit_accounts(
        ", ".join(stacks),
        merge_groups(groups),
        filters,
        Progress(note, on_page),
        client_factory,
        pending,
        orders,
    )


def _default_settings(
    engine: PulumiCLI, environ: Mapping[str, str], note: Callable[[str], Any] | None, *, needed: bool
) -> ProviderSettings | None:
    try:
        return read_settings(engine, environ, note=note)
    except AuditError:
        if needed:
            raise
        if note is not None:
            note("the stack config names no usable Plivo account: auditing the explicit providers' accounts")
        return None


def _decrypter(engine: PulumiCLI) -> Callable[[], dict[str, dict[str, Any]]]:
    """The explicit providers of a decrypted export, read once and only when asked."""
    found: list[dict[str, dict[str, Any]]] = []

    def decrypted() -> dict[str, dict[str, Any]]:
        if not found:
            found.append(explicit_providers(engine.export(show_secrets=True)))
        return found[0]

    return decrypted


def _filtered_out(auth_id: str, filters: Mapping[str, str]) -> bool:
    """Whether `--subaccount` names another subaccount than `auth_id`'s: that account's listing
    would be empty (and a subaccount may not filter by another), so it is not listed; its managed
    numbers are still looked up one by one."""
    wanted = filters.get("subaccount")
    return bool(wanted) and is_subaccount_id(auth_id) and wanted != auth_id


@dataclass
class _Listed:
    """What one account's credentials returned."""

    listed: dict[str, LiveNumber]
    looked_up: dict[str, LiveNumber | None]
    live_apps: dict[str, dict[str, Any]]


def _audit_accounts(
    stack: str,
    groups: list[AccountGroup],
    filters: dict[str, str],
    progress: Progress,
    client_factory: Callable[[ProviderSettings], Any] | None,
    pending: Sequence[str] = (),
    orders: Sequence[ManagedOrder] = (),
) -> AuditReport:
    views: list[AccountView] = []
    summaries: list[AccountSummary] = []
    looked_up = 0
    for group in groups:
        if len(groups) > 1 and progress.note is not None:
            progress.note(f"account {group.settings.auth_id} [{', '.join(group.providers)}]")
        live = _list_account(group, filters, progress, client_factory, several=len(groups) > 1)
        looked_up += len(live.looked_up)
        auth_id = group.settings.auth_id
        views.append(
            AccountView(auth_id, group.managed, group.apps, live.listed, live.looked_up, live.live_apps)
        )
        summaries.append(
            AccountSummary(
                group.settings.auth_id,
                tuple(group.providers),
                len(live.listed),
                len(group.managed),
                len(live.live_apps),
                len(group.apps),
            )
        )
    findings, unverified = compare_accounts(views, filtered=bool(filters), pending=pending)
    findings = bought_findings(findings, views, orders)
    reservations = order_reservations(views, orders)
    shown = [
        o if o.reservation_app else replace(o, reservation_app=_reservation_of(o, reservations))
        for o in orders
    ]
    return AuditReport(
        stack=stack,
        account=groups[0].settings.auth_id,
        live_total=len({n for v in views for n in v.listed}),
        managed_total=sum(len(g.managed) for g in groups),
        findings=findings,
        filters=filters,
        looked_up=looked_up,
        live_apps=len({a for v in views for a in v.live_apps}),
        managed_apps=sum(len(g.apps) for g in groups),
        unverified_links=unverified,
        accounts=summaries,
        orders=shown,
    )


def order_reservations(
    views: Sequence[AccountView], orders: Sequence[ManagedOrder]
) -> dict[str, ManagedOrder]:
    """The orders' reservation applications by app_id: the one the state records, and every live
    application named `<key>-reservation` after an order's key (a killed run's, which the state
    does not record; twins left by a lost create answer too). They belong to the order."""
    by_name = {reservation_name(o.key): o for o in orders}
    found: dict[str, ManagedOrder] = {}
    for view in views:
        for app_id, fields in view.live_apps.items():
            owner = by_name.get(str(fields.get("app_name") or ""))
            if owner is not None:
                found[app_id] = owner
    found.update({o.reservation_app: o for o in orders if o.reservation_app})
    return found


def _reservation_of(order: ManagedOrder, reservations: Mapping[str, ManagedOrder]) -> str | None:
    mine = sorted(app_id for app_id, owner in reservations.items() if owner.key == order.key)
    return mine[0] if mine else None


def bought_findings(
    findings: Sequence[Finding], views: Sequence[AccountView], orders: Sequence[ManagedOrder]
) -> list[Finding]:
    """The findings with the orders accounted for: a number an order of the state holds is managed
    (not `unmanaged`); an order's reservation application is the order's (never `unmanaged_app`); a
    number that carries an order's key as its alias, or is linked to its reservation application
    (`<key>-reservation`), but that the state does not list is `unrecorded_buy`: bought by a run
    that died before the state was saved (`pulumi up --refresh` adopts it)."""
    if not orders:
        return list(findings)
    held = {number for o in orders for number, _ in o.numbers}
    by_key = {o.key: o for o in orders}
    reservations = order_reservations(views, orders)
    stray: dict[str, Finding] = {}
    for view in views:
        for number, live in view.listed.items():
            if number in held or number in stray:
                continue
            order, field, value = None, "", ""
            if live.alias in by_key:
                order, field, value = by_key[live.alias], "alias", live.alias
            elif live.app_id in reservations:
                order, field, value = reservations[live.app_id], "app_id", live.app_id
            if order is not None:
                stray[number] = Finding(
                    "unrecorded_buy", number, order.resource, field, None, value, account=view.auth_id
                )
    kept = [
        f
        for f in findings
        if not (f.kind == "unmanaged" and f.app_id is None and (f.number in held or f.number in stray))
        and not (f.kind == "unmanaged_app" and f.app_id in reservations)
    ]
    return sorted([*kept, *stray.values()], key=Finding.sort_key)


def _list_account(
    group: AccountGroup,
    filters: dict[str, str],
    progress: Progress,
    client_factory: Callable[[ProviderSettings], Any] | None,
    *,
    several: bool,
) -> _Listed:
    """List one account with its own credentials: numbers (filtered; the managed ones outside the
    listing one by one), their subaccounts where the API omits them, and applications."""
    settings = group.settings
    scrub = Scrubber(settings.auth_id, [settings.auth_token])
    where = f" of account {settings.auth_id}" if several else ""
    explicit = [p for p in group.providers if not p.endswith(STACK_CONFIG)]
    if explicit and len(explicit) == len(group.providers):
        names = ", ".join(f"'{p}'" for p in explicit)
        whose = (
            f" (the credentials of the plivo provider {names}: its authId, authToken and baseUrl inputs "
            "in the program, not the stack config)"
        )
    else:
        whose = ""
    try:
        client = client_factory(settings) if client_factory else settings.client()
    except (PlivoError, ValueError) as exc:
        raise AuditError(scrub(f"cannot create the Plivo client{where}: {exc}{whose}")) from None
    try:
        try:
            listed: dict[str, LiveNumber] = {}
            if not _filtered_out(settings.auth_id, filters):  # the filters were checked in _filters
                listed = list_live(client, filters, progress.on_page)
        except PlivoError as exc:
            what = f"the numbers{where}" if several else "the account's numbers"
            raise AuditError(scrub(f"listing {what} failed: {exc}{whose}")) from None
        to_check = numbers_to_look_up(group.managed, listed, filtered=bool(filters))
        if to_check and progress.note is not None:
            progress.note(f"checking {len(to_check)} managed numbers outside the filtered listing")
        try:
            looked_up = look_up(client, to_check)
        except PlivoError as exc:
            raise AuditError(scrub(f"checking a managed number{where} failed: {exc}{whose}")) from None
        try:
            learn_subaccounts(client, group.managed, listed, looked_up, progress.note)
        except PlivoError as exc:
            raise AuditError(scrub(f"listing a subaccount's numbers{where} failed: {exc}{whose}")) from None
        try:
            live_apps = list_applications(client)
        except PlivoError as exc:
            what = f"the applications{where}" if several else "the account's applications"
            raise AuditError(scrub(f"listing {what} failed: {exc}{whose}")) from None
    finally:
        close = getattr(client, "close", None)
        if close is not None:
            close()
    return _Listed(listed, looked_up, live_apps)
