"""Account audit: compare the live Plivo account with what a Pulumi stack manages (see docs/audit.md).

Two halves, kept apart so the comparison is testable without an engine or an API:

* pure functions: :func:`managed_from_state` (what the stack's state declares, through one extractor
  per resource type), :func:`numbers_to_look_up`, :func:`compare` (the findings), :func:`render_table`
  and :func:`render_json`;
* I/O: :class:`PulumiCLI` (``pulumi stack export`` / ``pulumi config`` as subprocesses),
  :func:`read_settings` (credentials: stack config first, environment second), :func:`list_live` and
  :func:`look_up` (the Number API), and :func:`run_audit`, which wires them together.

Findings:

* ``unmanaged``: a number the account rents (and the listing, with its filters, returned) that no
  resource of the stack manages;
* ``drifted``: a managed field (``app_id`` / ``subaccount`` whose desired value in the state's inputs is
  not ``None``) whose live value differs;
* ``gone``: a number the stack manages that the account no longer rents.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from plivo_pulumi.config import (
    CONFIG_KEYS,
    ENV_VARS,
    MissingCredentialsError,
    ProviderSettings,
    resolve_settings,
)
from plivo_pulumi.contract import (
    MANAGED_FIELDS,
    decode,
    field_differs,
    live_binding,
    resolve_subaccounts,
    subaccount_to_check,
)
from plivo_pulumi.errors import NumberNotFoundError, PlivoError, Scrubber
from plivo_pulumi.numbers import normalize_app_id, normalize_number, normalize_subaccount

__all__ = [
    "FINDING_KINDS",
    "FILTER_NAMES",
    "AuditError",
    "AuditReport",
    "EngineError",
    "Finding",
    "LiveNumber",
    "ManagedNumber",
    "PulumiCLI",
    "RENTED_NUMBER_TYPE",
    "RENTED_NUMBER_SET_TYPE",
    "compare",
    "extractor_for",
    "list_live",
    "look_up",
    "managed_from_state",
    "numbers_to_look_up",
    "read_settings",
    "register_extractor",
    "render_json",
    "render_table",
    "run_audit",
]

FINDING_KINDS = ("unmanaged", "drifted", "gone", "duplicated")
FILTER_NAMES = ("number_type", "number_startswith", "subaccount", "services")

RENTED_NUMBER_TYPE = "pulumi-python:dynamic/plivo:RentedNumber"
RENTED_NUMBER_SET_TYPE = "pulumi-python:dynamic/plivo:RentedNumberSet"

# The key Pulumi puts in a serialized secret value ({SIG: SECRET_SIG, "ciphertext": ...}).
_SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"


class AuditError(Exception):
    """The audit could not run (exit 2). The message names the cause and the fix."""


class EngineError(AuditError):
    """The Pulumi engine failed or is missing."""


# -- model ----------------------------------------------------------------------------------------


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

    @classmethod
    def from_api(cls, obj: Mapping[str, Any]) -> LiveNumber:
        """From an API number object; raises :class:`AuditError` if its ids cannot be read."""
        try:
            return cls(**live_binding(obj))
        except (KeyError, TypeError, ValueError) as exc:
            shown = obj.get("number") if isinstance(obj, Mapping) else None
            raise AuditError(
                f"the API returned a number object this audit cannot read ({shown!r}): {exc}"
            ) from None


@dataclass(frozen=True)
class Finding:
    kind: str  # one of FINDING_KINDS
    number: str
    resource: str | None = None
    field: str | None = None
    expected: str | None = None
    live: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "number": self.number,
            "resource": self.resource,
            "field": self.field,
            "expected": self.expected,
            "live": self.live,
        }

    def sort_key(self) -> tuple[Any, ...]:
        return (FINDING_KINDS.index(self.kind), self.number, self.resource or "", self.field or "")


@dataclass
class AuditReport:
    stack: str
    account: str
    live_total: int
    managed_total: int
    findings: list[Finding]
    filters: dict[str, str] = field(default_factory=dict)
    looked_up: int = 0

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
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
        }


# -- state extraction (pure) ----------------------------------------------------------------------

Extractor = Callable[[Mapping[str, Any]], Iterable[ManagedNumber]]
_EXTRACTORS: dict[str, Extractor] = {}


def register_extractor(type_token: str) -> Callable[[Extractor], Extractor]:
    """Register ``fn(resource) -> iterable of ManagedNumber`` for state resources of ``type_token``.

    ``resource`` is one entry of the export's ``deployment.resources`` (``urn``, ``type``, ``id``,
    ``inputs``, ``outputs``, ...). Desired values come from ``inputs``.
    """

    def decorator(fn: Extractor) -> Extractor:
        _EXTRACTORS[type_token] = fn
        return fn

    return decorator


def extractor_for(type_token: str) -> Extractor | None:
    return _EXTRACTORS.get(type_token)


def resource_name(resource: Mapping[str, Any]) -> str:
    """The resource's name: the last ``::`` segment of its URN."""
    urn = str(resource.get("urn", ""))
    return urn.rsplit("::", 1)[-1] if urn else str(resource.get("id", ""))


def _is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and _SECRET_SIG_KEY in value


def _desired(value: Any, normalize: Callable[[Any], str]) -> str | None:
    """A desired value from the state: None stays None (not managed), ids are normalized.

    A value stored as a secret cannot be read without decrypting the whole state; it is treated as
    not managed (never reported as drift). A value that does not normalize is compared as written."""
    if value is None or _is_secret(value):
        return None
    try:
        return normalize(value)
    except ValueError:
        return str(value)


def _state_number(value: Any) -> str | None:
    if value is None or _is_secret(value):
        return None
    try:
        return normalize_number(value)
    except ValueError:
        return None


@register_extractor(RENTED_NUMBER_TYPE)
def _rented_number(resource: Mapping[str, Any]) -> Iterator[ManagedNumber]:
    inputs = resource.get("inputs") or {}
    number = _state_number(inputs.get("number")) or _state_number(resource.get("id"))
    if number is None:
        return
    # A refresh sets drifted inputs to their live values; the declared ones are kept in the outputs.
    declared = (resource.get("outputs") or {}).get("__declared")
    desired = declared if isinstance(declared, Mapping) else inputs
    yield ManagedNumber(
        number=number,
        app_id=_desired(desired.get("app_id"), normalize_app_id),
        subaccount=_desired(desired.get("subaccount"), normalize_subaccount),
        resource=resource_name(resource),
        type=str(resource.get("type", RENTED_NUMBER_TYPE)),
    )


@register_extractor(RENTED_NUMBER_SET_TYPE)
def _rented_number_set(resource: Mapping[str, Any]) -> Iterator[ManagedNumber]:
    bindings = (resource.get("inputs") or {}).get("bindings")
    if not isinstance(bindings, Mapping):
        return
    name = resource_name(resource)
    for raw_number, binding in bindings.items():
        number = _state_number(raw_number)
        if number is None:
            continue
        if isinstance(binding, str):
            binding = decode(binding)
        elif not isinstance(binding, Mapping):
            binding = {}
        yield ManagedNumber(
            number=number,
            app_id=_desired(binding.get("app_id"), normalize_app_id),
            subaccount=_desired(binding.get("subaccount"), normalize_subaccount),
            resource=name,
            type=str(resource.get("type", RENTED_NUMBER_SET_TYPE)),
        )


def managed_from_state(state: Mapping[str, Any]) -> list[ManagedNumber]:
    """Every managed number of a stack state: ``pulumi stack export`` output (``{"version",
    "deployment"}``) or its ``deployment``. Resources pending deletion (the old half of a replacement)
    and resource types without an extractor are skipped."""
    deployment = state.get("deployment", state) if isinstance(state, Mapping) else {}
    resources = (deployment or {}).get("resources") or []
    managed: list[ManagedNumber] = []
    for resource in resources:
        if not isinstance(resource, Mapping) or resource.get("delete"):
            continue
        extract = extractor_for(str(resource.get("type", "")))
        if extract is not None:
            managed.extend(extract(resource))
    return managed


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


# -- I/O: the engine ------------------------------------------------------------------------------

ENGINE_HINT = (
    "check --stack (the stack name), --cwd (the Pulumi project directory) and the backend "
    "(PULUMI_BACKEND_URL or the project's backend setting; `pulumi login` for the default one)"
)


class PulumiCLI:
    """Runs the ``pulumi`` on PATH (or ``executable``) for one stack, in ``cwd`` when given.

    The backend comes from the environment (``PULUMI_BACKEND_URL``, ``PULUMI_HOME``) or the project.
    """

    def __init__(
        self,
        stack: str,
        cwd: str | os.PathLike[str] | None = None,
        *,
        executable: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = 300.0,
    ) -> None:
        self.stack = stack
        self.cwd = os.fspath(cwd) if cwd is not None else None
        self.executable = executable
        self.env = env
        self.timeout = timeout

    def _command(self, *args: str) -> list[str]:
        exe = self.executable or shutil.which("pulumi")
        if exe is None:
            raise EngineError(
                "the Pulumi CLI `pulumi` is not on PATH; install Pulumi (or run `make tools` in this "
                "repository and put .tools/bin on PATH)"
            )
        cmd = [exe, *args, "--stack", self.stack, "--non-interactive", "--color", "never"]
        if self.cwd is not None:
            cmd += ["--cwd", self.cwd]
        return cmd

    def run(self, *args: str, hint: str = ENGINE_HINT) -> str:
        """Run one command; a failure is an :class:`EngineError` with the engine's message and ``hint``."""
        cmd = self._command(*args)
        env = dict(os.environ if self.env is None else self.env)
        env.setdefault("PULUMI_SKIP_UPDATE_CHECK", "1")
        shown = "pulumi " + " ".join(args) + f" --stack {self.stack}"
        try:
            proc = subprocess.run(
                cmd,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                env=env,
                timeout=self.timeout,
                check=False,
            )
        except FileNotFoundError:
            raise EngineError(f"the Pulumi CLI {cmd[0]!r} cannot be run: it does not exist") from None
        except OSError as exc:
            raise EngineError(f"the Pulumi CLI {cmd[0]!r} cannot be run: {exc}") from None
        except subprocess.TimeoutExpired:
            raise EngineError(f"`{shown}` did not finish within {self.timeout:.0f} s") from None
        if proc.returncode != 0:
            message = " ".join((proc.stderr or proc.stdout or "").split()) or "no message"
            raise EngineError(
                f"`{shown}` failed (exit {proc.returncode}): {message[:800]}" + (f"; {hint}" if hint else "")
            )
        return proc.stdout

    def _json(self, *args: str, hint: str = ENGINE_HINT) -> Any:
        out = self.run(*args, hint=hint)
        try:
            return json.loads(out)
        except ValueError:
            raise EngineError(
                f"`pulumi {' '.join(args)}` printed something that is not JSON: {out[:200]!r}"
            ) from None

    def export(self) -> dict[str, Any]:
        """``pulumi stack export``: the state, without decrypting secrets."""
        data = self._json("stack", "export")
        if not isinstance(data, dict):
            raise EngineError("`pulumi stack export` did not print a JSON object")
        return data

    def config(self, *, show_secrets: bool) -> dict[str, Any]:
        """``pulumi config --json`` (``--show-secrets`` needs the stack's passphrase or secrets manager)."""
        args = ["config", "--json"] + (["--show-secrets"] if show_secrets else [])
        data = self._json(*args, hint="")
        return data if isinstance(data, dict) else {}


def read_settings(
    engine: PulumiCLI, environ: Mapping[str, str] | None = None, note: Callable[[str], Any] | None = None
) -> ProviderSettings:
    """Credentials and endpoint: the stack config (one ``pulumi config --show-secrets --json``) first,
    the environment second. If the config cannot be decrypted, its plain values still count and the
    secret ones come from the environment; if nothing supplies the token, the error says both."""
    environ = os.environ if environ is None else environ
    decrypt_error: EngineError | None = None
    try:
        raw = engine.config(show_secrets=True)
    except EngineError as exc:
        decrypt_error = exc
        try:
            raw = engine.config(show_secrets=False)
        except EngineError:
            raw = {}
    values = {
        key: entry["value"]
        for key, entry in raw.items()
        if isinstance(entry, Mapping) and isinstance(entry.get("value"), str)
    }
    try:
        settings = resolve_settings(values.get, environ)
    except MissingCredentialsError as exc:
        if decrypt_error is not None:
            raise AuditError(
                f"{exc}\nThe stack config could not be read with its secrets: {decrypt_error}\n"
                f"Set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) so that the secret "
                f"{CONFIG_KEYS['auth_token']} can be decrypted, or set {ENV_VARS['auth_token']}."
            ) from None
        raise AuditError(str(exc)) from None
    token_entry = raw.get(CONFIG_KEYS["auth_token"])
    if decrypt_error is not None and isinstance(token_entry, Mapping) and note is not None:
        note(
            f"the secret {CONFIG_KEYS['auth_token']} could not be decrypted (set PULUMI_CONFIG_PASSPHRASE); "
            f"using {ENV_VARS['auth_token']} from the environment"
        )
    return settings


# -- I/O: the API ---------------------------------------------------------------------------------


def list_live(
    client: Any, filters: Mapping[str, str], progress: Callable[[str], Any] | None = None
) -> dict[str, LiveNumber]:
    """Every live number matching ``filters``, across all pages, by number."""

    def on_page(fetched: int, total: int) -> None:
        if progress is not None:
            progress(f"listed {fetched}/{total} numbers")

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


def learn_subaccounts(
    client: Any,
    managed: Iterable[ManagedNumber],
    listed: dict[str, LiveNumber],
    looked_up: dict[str, LiveNumber | None],
    progress: Callable[[str], Any] | None = None,
) -> int:
    """Where the API's number objects carry no subaccount, learn it for the managed numbers whose
    subaccount is declared as `SA...`, from the List filter `subaccount=` (plivo_pulumi.contract;
    calls per subaccount: at most 1 + min(pages - 1, numbers)). Returns how many were checked."""
    to_check: dict[str, str] = {}
    for m in managed:
        live = listed.get(m.number) or looked_up.get(m.number)
        subaccount = subaccount_to_check(m.subaccount)
        if live is not None and live.subaccount is None and subaccount:
            to_check[m.number] = subaccount
    if to_check and progress is not None:
        progress(f"checking the subaccount of {len(to_check)} managed numbers (the API does not report it)")
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
    from plivo_pulumi.client import list_filter_params

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
    progress: Callable[[str], Any] | None = None,
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
            progress=progress,
            client_factory=client_factory,
        )
    stack = stacks[0]
    engine = engine or PulumiCLI(stack, cwd)
    managed = managed_from_state(engine.export())
    settings = read_settings(engine, environ, note=progress)
    return _audit_account(stack, managed, settings, filters, progress, client_factory)


def _run_audit_of_stacks(
    stacks: list[str],
    *,
    cwd: str | os.PathLike[str] | None,
    filters: dict[str, str],
    environ: Mapping[str, str] | None,
    progress: Callable[[str], Any] | None,
    client_factory: Callable[[ProviderSettings], Any] | None,
) -> AuditReport:
    managed: list[ManagedNumber] = []
    settings: ProviderSettings | None = None
    for name in stacks:
        engine = PulumiCLI(name, cwd)
        managed.extend(
            replace(m, resource=f"{name}:{m.resource}") for m in managed_from_state(engine.export())
        )
        these = read_settings(engine, environ, note=progress)
        if settings is not None and (these.auth_id, these.base_url) != (settings.auth_id, settings.base_url):
            raise AuditError(
                f"stack {name} is configured for account {these.auth_id} at {these.base_url}, stack "
                f"{stacks[0]} for {settings.auth_id} at {settings.base_url}: audit the stacks of one "
                "account together"
            )
        settings = settings or these
    assert settings is not None
    return _audit_account(", ".join(stacks), managed, settings, filters, progress, client_factory)


def _audit_account(
    stack: str,
    managed: list[ManagedNumber],
    settings: ProviderSettings,
    filters: dict[str, str],
    progress: Callable[[str], Any] | None,
    client_factory: Callable[[ProviderSettings], Any] | None,
) -> AuditReport:
    scrub = Scrubber(settings.auth_id, [settings.auth_token])
    try:
        client = client_factory(settings) if client_factory else settings.client()
    except (PlivoError, ValueError) as exc:
        raise AuditError(scrub(f"cannot create the Plivo client: {exc}")) from None
    try:
        try:
            listed = list_live(client, filters, progress)
        except ValueError as exc:
            raise AuditError(scrub(f"invalid filter: {exc}")) from None
        except PlivoError as exc:
            raise AuditError(scrub(f"listing the account's numbers failed: {exc}")) from None
        to_check = numbers_to_look_up(managed, listed, filtered=bool(filters))
        if to_check and progress is not None:
            progress(f"checking {len(to_check)} managed numbers outside the filtered listing")
        try:
            looked_up = look_up(client, to_check)
        except PlivoError as exc:
            raise AuditError(scrub(f"checking a managed number failed: {exc}")) from None
        try:
            learn_subaccounts(client, managed, listed, looked_up, progress)
        except PlivoError as exc:
            raise AuditError(scrub(f"listing a subaccount's numbers failed: {exc}")) from None
    finally:
        close = getattr(client, "close", None)
        if close is not None:
            close()
    findings = compare(managed, listed, looked_up, filtered=bool(filters))
    return AuditReport(
        stack=stack,
        account=settings.auth_id,
        live_total=len(listed),
        managed_total=len(managed),
        findings=findings,
        filters=filters,
        looked_up=len(to_check),
    )
