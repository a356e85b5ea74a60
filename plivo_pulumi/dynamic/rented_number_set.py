"""`RentedNumberSet`: one resource authoritative for the bindings of many numbers (the fleet path).

Why: a `RentedNumber` per number costs the engine's per-resource overhead and one API round trip per
number on every refresh. A set reads the whole account with the List API (20 numbers a page, pages
in parallel) or GETs its numbers, whichever is fewer calls, and writes only the numbers that changed,
several requests in flight.

State is compact: `bindings` maps each number to `"<app>/<subaccount>"`, where a part is `*` when the
field is not managed and empty for "none" (no application / main account). Inputs hold the declared
bindings, outputs the written ones plus what a refresh found different (`__live`), and a refresh sets
each drifted binding in the inputs to its live value, so `pulumi preview --refresh --diff` shows
drift per number and only the drifted numbers (see `read` and docs/design.md).

Safety rules are those of `RentedNumber`: creating adopts (every number must already be rented;
checked before any write), nothing is unrented unless `unrent_on_delete=True` and the whole set is
deleted, a number removed from the set is released as it is (never unrented), and a number that a
resource of the current deployment declares is never unrented. `opts=ResourceOptions(import_=...)`
adopts every number with no write, and fails instead of writing if a binding differs.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    UpdateResult,
)

from plivo_pulumi.bindings import load_fleet
from plivo_pulumi.core.client import PlivoClient
from plivo_pulumi.core.contract import (
    BINDING_FIELDS,
    PAGE_SIZE,
    changed_numbers,
    declared_bindings,
    declared_masks,
    decode,
    encode,
    live_binding,
    resolve_subaccounts,
    subaccount_to_check,
    with_drift,
)
from plivo_pulumi.core.errors import (
    NumberNotFoundError,
    PlivoError,
)
from plivo_pulumi.dynamic._binding import (
    DECLARED_KEY,
    IMPORT_KEY,
    MANAGED_FIELDS,
    SECRETS_KEY,
    UNKNOWN,
    check_binding,
    is_unknown,
    mark_released,
    secret_fields,
    secret_inputs,
    take_import_id,
    with_unknown_markers,
)
from plivo_pulumi.dynamic._declared import note_declared
from plivo_pulumi.dynamic._lifecycle import import_mismatch, not_rented, numbers_to_unrent, unrent
from plivo_pulumi.dynamic._parallel import run_all
from plivo_pulumi.dynamic._program import claim_numbers, require_secret_token
from plivo_pulumi.dynamic._provider import PlivoResourceProvider, explain_refused_credentials, log

DEFAULT_IN_FLIGHT = 8
NOT_MANAGED_BINDING = encode(None, None)
_KEY_SHOWN = 40  # characters of a mapping key shown in a failure's property path
# The live bindings a refresh found different from the written ones (see `read`), and the value of
# a number no longer rented there.
LIVE_KEY = "__live"
GONE = "(not rented)"


def _entries(bindings: Any, secret: bool = False) -> Iterable[tuple[str, Any]]:
    """Accept {number: {app_id, subaccount}} or [{number, app_id, subaccount}, ...] (or Binding objects).
    A secret mapping's entries are labelled by their position in key order (the keys are numbers,
    and secret; the engine does not keep the program's order of a mapping)."""
    if isinstance(bindings, Mapping):
        items = sorted(bindings.items(), key=lambda item: str(item[0])) if secret else bindings.items()
        for index, (key, value) in enumerate(items):
            label = f"[{index}]" if secret else _key_label(key)
            if isinstance(value, Mapping) or value is None:
                yield label, {**(value or {}), "number": str(key)}
            else:
                yield label, value
        return
    for index, entry in enumerate(bindings):
        yield f"[{index}]", _fields_of(entry)


def _key_label(key: Any) -> str:
    """`["<key>"]` for the property path of a failure: JSON-quoted (a `"` or `:` in the key cannot
    blur the path) and cut when too long, since the engine prints the property with the failure."""
    text = str(key)
    if len(text) > _KEY_SHOWN:
        text = f"{text[:_KEY_SHOWN]}... ({len(text)} characters)"
    return f"[{json.dumps(text, ensure_ascii=False)}]"


def _fields_of(entry: Any) -> Any:
    """A `Binding`-like object (anything with a `number` attribute) as a plain mapping; anything else
    as it is."""
    if isinstance(entry, Mapping | str) or not hasattr(entry, "number"):
        return entry
    return {f: getattr(entry, f, None) for f in ("number", *MANAGED_FIELDS)}


def check_bindings(
    raw: Any, account: str | None = None, secret: bool = False
) -> tuple[dict[str, str], list[CheckFailure]]:
    """Normalize the declared bindings into `{number: "<app>/<sub>"}`; one failure per bad field.
    `secret`: the program marked (part of) the bindings secret, so no failure quotes a value."""
    if raw is None or not isinstance(raw, (Mapping, Sequence)) or isinstance(raw, str):
        return {}, [CheckFailure("bindings", "must be a mapping of number to binding, or a list of bindings")]
    encoded: dict[str, str] = {}
    failures: list[CheckFailure] = []
    for label, entry in _entries(raw, secret):
        if not isinstance(entry, Mapping):
            failures.append(
                CheckFailure(f"bindings{label}", "must be a known mapping with number, app_id, subaccount")
            )
            continue
        # A set's entries have no unrent_on_delete of their own: the set's flag covers them all.
        fields = {k: v for k, v in entry.items() if k != "unrent_on_delete"}
        normalized, problems = check_binding(
            fields, f"bindings{label}.", account, BINDING_FIELDS if secret else ()
        )
        if is_unknown(normalized.get("number")):
            problems.append(
                CheckFailure(
                    f"bindings{label}.number",
                    "must be known at preview time (a set is keyed by its numbers); the app_id may be "
                    "another resource's output",
                )
            )
        failures.extend(problems)
        if problems:
            continue
        number = normalized["number"]
        if number in encoded:
            shown = "a number" if secret else f"number {number}"
            failures.append(CheckFailure(f"bindings{label}.number", f"{shown} is listed twice"))
            continue
        if any(is_unknown(normalized.get(f)) for f in MANAGED_FIELDS):
            # An output of another resource (an Application's app_id) during preview: known at apply.
            encoded[number] = UNKNOWN
            continue
        encoded[number] = encode(normalized.get("app_id"), normalized.get("subaccount"))
    return dict(sorted(encoded.items())), failures


class RentedNumberSetProvider(PlivoResourceProvider):
    """Dynamic provider for `RentedNumberSet`."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        news = with_unknown_markers(news)
        secret = "bindings" in secret_fields(news, ["bindings"])
        inputs = dict(news)
        bindings, failures = check_bindings(news.get("bindings"), self.configured_auth_id(), secret)
        note_declared(bindings)  # before the engine deletes what the program dropped
        inputs["bindings"] = bindings
        for name, default in (("unrent_on_delete", False), ("max_in_flight", DEFAULT_IN_FLIGHT)):
            value = news.get(name)
            inputs[name] = default if value is None else value
        if not isinstance(inputs["unrent_on_delete"], bool):
            failures.append(CheckFailure("unrent_on_delete", "must be true or false"))
        in_flight = inputs["max_in_flight"]
        if isinstance(in_flight, float) and in_flight.is_integer():
            inputs["max_in_flight"] = in_flight = int(in_flight)
        if not isinstance(in_flight, int) or isinstance(in_flight, bool) or not 1 <= in_flight <= 32:
            failures.append(CheckFailure("max_in_flight", "must be a whole number from 1 to 32"))
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        news = with_unknown_markers(news)
        if isinstance(olds.get(DECLARED_KEY), Mapping):
            # "Unknown" makes the engine diff the old inputs (a refresh set each drifted binding to
            # its live value, see `_inputs_after_read`) with the new ones itself, and keep that diff
            # per key: the plan then lists `bindings["<number>"]` for each number that changes, with
            # its marker, instead of the whole fleet (the dynamic-provider host of pulumi 3.272
            # cannot return a detailed diff). It also honours `ignore_changes`.
            return DiffResult(changes=None, replaces=[], delete_before_replace=False)
        # State written before the declared bindings were kept in the outputs: compare here.
        live = olds.get("bindings") or {}
        wanted = news.get("bindings") or {}
        if is_unknown(wanted) or any(is_unknown(b) for b in wanted.values()):
            return DiffResult(changes=True, replaces=[], delete_before_replace=False)
        changes = bool(changed_numbers(live, wanted)) or set(live) != set(wanted)
        changes = changes or any(olds.get(k) != news.get(k) for k in ("unrent_on_delete", "max_in_flight"))
        return DiffResult(changes=changes, replaces=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        wanted = props["bindings"]
        live = self._read_live(wanted, props)
        gone = sorted(n for n, b in live.items() if b is None)
        if gone:
            raise not_rented("RentedNumberSet", gone, "remove them from `bindings`")
        present = {n: b for n, b in live.items() if b is not None}
        if props.get(IMPORT_KEY):
            differing = changed_numbers(present, wanted)
            if differing:
                shown = [f"{n}: {live[n]!r} in Plivo, {wanted[n]!r} in the code" for n in sorted(differing)]
                raise import_mismatch(f"{len(differing)} number(s)", shown)
        outs = self._apply(wanted, present, props)
        note_declared(wanted)
        return CreateResult(_set_id(wanted), outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        numbers = {**(props.get("bindings") or {}), **_live_view(props)}  # the last seen values as hints
        with explain_refused_credentials():
            live = self._read_live(numbers, props)
        gone = sorted(n for n, b in live.items() if b is None)
        if gone:
            log(f"{len(gone)} number(s) of set {id_} are no longer rented: {', '.join(gone[:20])}")
        declared = props.get(DECLARED_KEY)
        if not isinstance(declared, Mapping) or "mask" not in declared:  # earlier state: diff compares
            outs = {**_plain(props), "bindings": {n: b for n, b in sorted(live.items()) if b is not None}}
            return ReadResult(id_, outs)
        # `bindings` stays as last written and what differs now goes to the hidden `__live`: the
        # engine prints a changed map output whole, so a live `bindings` would print the fleet.
        written = props.get("bindings") or {}
        changed = {n: GONE if b is None else b for n, b in sorted(live.items()) if written.get(n) != b}
        outs = {**_plain(props), "bindings": written, LIVE_KEY: changed, DECLARED_KEY: declared}
        wanted = declared_bindings(written, declared)
        return ReadResult(id_, outs, _inputs_after_read(wanted, _live_view(outs), outs, declared))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        wanted = news["bindings"]
        known = _live_view(olds)
        new_numbers = {n: b for n, b in wanted.items() if n not in known}
        live = dict(known)
        if new_numbers:  # adopt the numbers added to the set, with the same checks as create
            fresh = self._read_live(new_numbers, news)
            gone = sorted(n for n, b in fresh.items() if b is None)
            if gone:
                raise PlivoError(
                    f"cannot add {', '.join(gone[:20])} to set {id_}: not rented by this account. "
                    "Rent them first or remove them from `bindings`. Nothing was changed."
                )
            live.update({n: b for n, b in fresh.items() if b is not None})
            note_declared(new_numbers)
        released = sorted(set(known) - set(wanted))
        mark_released(released)
        if released:
            log(f"{len(released)} number(s) left set {id_}, still rented: {', '.join(released[:20])}")
        return UpdateResult(self._apply(wanted, live, news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        numbers = _live_view(props)
        mark_released(numbers)
        doomed = numbers_to_unrent(numbers, bool(props.get("unrent_on_delete")), owner=f"set {id_}")
        if not doomed:
            return
        api = self.api()
        with explain_refused_credentials():
            _run_all(lambda n: unrent(api, n), doomed, props, f"unrent numbers of set {id_}")
        log(f"set {id_}: {len(doomed)} number(s) unrented (unrent_on_delete is true)")

    # -- helpers ---------------------------------------------------------------------------------

    def _apply(self, wanted: dict[str, str], live: dict[str, str], props: dict[str, Any]) -> dict[str, Any]:
        """POST every number whose managed fields differ; outputs are the live bindings after it."""
        changes = changed_numbers(live, wanted)
        api = self.api()
        _run_all(lambda n: api.update_number(n, **changes[n]), sorted(changes), props, "update bindings")
        result = {}
        for number in wanted:
            have = decode(live.get(number, "/"))
            have = {f: have[f] or "" for f in MANAGED_FIELDS}
            have.update(changes.get(number, {}))
            result[number] = encode(have["app_id"], have["subaccount"])
        return {**_plain(props), "bindings": dict(sorted(result.items())), DECLARED_KEY: _declared(props)}

    def _read_live(self, hints: Mapping[str, str], props: dict[str, Any]) -> dict[str, str | None]:
        """Live bindings of the numbers of `hints` (None: not rented), in at most min(N, pages) + 1
        calls, plus the List calls that learn subaccounts the API's objects do not carry (for numbers
        whose hint, the desired or last seen binding, names one: see plivo_pulumi.core.contract)."""
        in_flight = _in_flight(props)
        live = read_live_bindings(self.api(), list(hints), in_flight)
        to_check = {}
        for number, binding in live.items():
            if binding is not None and decode(binding)["subaccount"] is None:
                subaccount = subaccount_to_check(decode(hints[number])["subaccount"])
                if subaccount:
                    to_check[number] = subaccount
        for number, subaccount in resolve_subaccounts(self.api(), to_check, in_flight).items():
            live[number] = encode(decode(live[number] or NOT_MANAGED_BINDING)["app_id"], subaccount)
        return live


def read_live_bindings(api: PlivoClient, numbers: list[str], in_flight: int) -> dict[str, str | None]:
    """Page 1 of the List API tells the account's size M. Then either GET the N numbers it did not
    return, or list the remaining pages in parallel, whichever is fewer calls. Numbers a full listing
    did not return are confirmed with a GET, so a number that moved between pages is never taken
    for gone."""
    wanted = set(numbers)
    if not wanted:
        return {}
    first = api.list_numbers(limit=PAGE_SIZE, offset=0)
    found = _pick(first["objects"], wanted)
    pages = math.ceil(int(first["meta"].get("total_count") or 0) / PAGE_SIZE)
    missing = sorted(wanted - found.keys())
    if missing and len(missing) > pages - 1:
        offsets = range(PAGE_SIZE, pages * PAGE_SIZE, PAGE_SIZE)
        with ThreadPoolExecutor(max_workers=in_flight) as pool:
            for page in pool.map(lambda off: api.list_numbers(limit=PAGE_SIZE, offset=off), offsets):
                found.update(_pick(page["objects"], wanted))
        missing = sorted(wanted - found.keys())

    def get(number: str) -> str | None:
        try:
            live = live_binding(api.get_number(number))
        except NumberNotFoundError:
            return None
        return encode(live["app_id"], live["subaccount"])

    with ThreadPoolExecutor(max_workers=in_flight) as pool:
        found.update(zip(missing, pool.map(get, missing), strict=True))
    return found


def _pick(objects: Iterable[Mapping[str, Any]], wanted: set[str]) -> dict[str, str | None]:
    """The compact binding of each listed object whose number is wanted. Only the binding fields are
    read: the other API fields of 10,000 objects would be built only to be dropped."""
    picked: dict[str, str | None] = {}
    for obj in objects:
        if obj.get("number") in wanted:
            live = live_binding(obj)
            picked[live["number"]] = encode(live["app_id"], live["subaccount"])
    return picked


def _run_all(action: Callable[[str], Any], numbers: list[str], props: dict[str, Any], what: str) -> None:
    run_all(
        action,
        numbers,
        _in_flight(props),
        what,
        afterwards="state keeps the previous bindings, so a rerun retries exactly what is left",
    )


def _in_flight(props: Mapping[str, Any]) -> int:
    value = props.get("max_in_flight")
    return int(value) if isinstance(value, (int, float)) and value >= 1 else DEFAULT_IN_FLIGHT


def _declared(props: Mapping[str, Any]) -> dict[str, Any]:
    """What the code declares beyond the written bindings, kept in the outputs: a refresh rebuilds
    the inputs from it, since the provider's read sees only the outputs (`declared_masks`)."""
    declared: dict[str, Any] = declared_masks(props["bindings"])
    if props.get(IMPORT_KEY):
        declared[IMPORT_KEY] = props[IMPORT_KEY]
    return declared


def _live_view(outs: Mapping[str, Any]) -> dict[str, str]:
    """The live bindings an output set records: `bindings` as last written, overlaid with what the
    last refresh found different (`__live`); numbers no longer rented are left out."""
    view = {**(outs.get("bindings") or {}), **(outs.get(LIVE_KEY) or {})}
    return {n: b for n, b in view.items() if b != GONE}


def _inputs_after_read(
    wanted: Mapping[str, str], live: Mapping[str, str], outs: Mapping[str, Any], declared: Mapping[str, Any]
) -> dict[str, Any]:
    """The inputs a refresh leaves in the state: the declared bindings, except that a managed field
    whose live value differs takes the live value (a number no longer rented is left out). The
    engine's diff of these with the program's inputs is then exactly the drift, key by key."""
    bindings: dict[str, str] = {}
    for number, binding in wanted.items():
        if number not in live:
            continue
        fields = with_drift(decode(binding), decode(live[number]))
        bindings[number] = encode(fields.get("app_id"), fields.get("subaccount"))
    inputs: dict[str, Any] = {
        "bindings": bindings,
        "unrent_on_delete": outs.get("unrent_on_delete", False),
        "max_in_flight": outs.get("max_in_flight", DEFAULT_IN_FLIGHT),
    }
    if declared.get(IMPORT_KEY):
        inputs[IMPORT_KEY] = declared[IMPORT_KEY]
    return inputs


def _plain(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if not k.startswith("__") and k not in ("bindings", IMPORT_KEY)}


def _set_id(bindings: Mapping[str, str]) -> str:
    digest = hashlib.sha256(",".join(sorted(bindings)).encode()).hexdigest()[:12]
    return f"numberset-{digest}"


@dataclass
class RentedNumberSetArgs:
    """The inputs of a `RentedNumberSet`, for callers that prefer an args object (as generated SDKs do)."""

    bindings: Mapping[str, Any] | Sequence[Any]
    unrent_on_delete: bool = False
    max_in_flight: int = DEFAULT_IN_FLIGHT


class RentedNumberSet(Resource, module="plivo", name="RentedNumberSet"):
    """Many rented numbers and their bindings as one resource (see the module docstring).

    `bindings`: `{number: {"app_id": ..., "subaccount": ...}}` or a list of
    `{"number", "app_id", "subaccount"}` (or `plivo_pulumi.bindings.Binding` objects). As with
    `RentedNumber`, `None` leaves a field unmanaged and `""` manages it as "none".
    """

    if TYPE_CHECKING:  # for type checkers only, as for RentedNumber
        bindings: pulumi.Output[dict[str, str]]
        unrent_on_delete: pulumi.Output[bool]
        max_in_flight: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        args: RentedNumberSetArgs | Mapping[str, Any] | Sequence[Any] | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        bindings: Mapping[str, Any] | Sequence[Any] | None = None,
        unrent_on_delete: bool | None = None,
        max_in_flight: int | None = None,
    ) -> None:
        """`RentedNumberSet(name, RentedNumberSetArgs(...), opts)` or `RentedNumberSet(name, bindings=...,
        unrent_on_delete=..., max_in_flight=..., opts=...)`, as for `RentedNumber`; the bindings may
        also come second on their own (`RentedNumberSet("fleet", {...})`)."""
        if not isinstance(args, RentedNumberSetArgs):
            if args is not None and bindings is not None:
                raise TypeError("RentedNumberSet takes the bindings once: second or as bindings=, not both")
            args = RentedNumberSetArgs(
                bindings=args if args is not None else bindings if bindings is not None else {},
                unrent_on_delete=False if unrent_on_delete is None else unrent_on_delete,
                max_in_flight=DEFAULT_IN_FLIGHT if max_in_flight is None else max_in_flight,
            )
        elif any(v is not None for v in (bindings, unrent_on_delete, max_in_flight)):
            raise TypeError(
                "RentedNumberSet takes either a RentedNumberSetArgs or keyword arguments, not both"
            )
        require_secret_token()
        plain = _plain_bindings(args.bindings)
        owner = f"RentedNumberSet '{resource_name}'"
        if isinstance(plain, Mapping):
            claim_numbers(owner, plain)
        else:  # a listed number may be an output: it is claimed once known (see claim_numbers)
            entries = [e for e in plain if isinstance(e, dict)]
            for entry, claimed in zip(
                entries, claim_numbers(owner, [e.get("number") for e in entries]), strict=True
            ):
                if isinstance(claimed, pulumi.Output):
                    entry["number"] = claimed
        props = {
            "bindings": plain,
            "unrent_on_delete": args.unrent_on_delete,
            "max_in_flight": args.max_in_flight,
        }
        opts, props[IMPORT_KEY] = take_import_id(opts)
        props[SECRETS_KEY] = secret_inputs({"bindings": plain})
        super().__init__(RentedNumberSetProvider(), resource_name, props, opts)

    @classmethod
    def from_yaml(
        cls,
        resource_name: str,
        path: str | Path,
        *,
        max_in_flight: int = DEFAULT_IN_FLIGHT,
        opts: pulumi.ResourceOptions | None = None,
    ) -> RentedNumberSet:
        """Declare the set from a bindings file (see docs/bindings.md), and the `Application` of each
        entry of the file's `applications` (named by its key). Every entry must agree on
        `unrent_on_delete`, since a set is deleted as a whole."""
        fleet = load_fleet(path)
        entries = fleet.bindings
        flags = {b.unrent_on_delete for b in entries}
        if len(flags) > 1:
            raise ValueError(
                f"{path}: entries disagree on unrent_on_delete; a RentedNumberSet is unrented as a whole, "
                "so set it once under `defaults` (or declare the numbers as RentedNumber resources)"
            )
        from plivo_pulumi.dynamic.fleet import app_id_of, declare_applications

        applications = declare_applications(fleet)
        bindings = [
            {"number": b.number, "app_id": app_id_of(b, applications), "subaccount": b.subaccount}
            for b in entries
        ]
        return cls(
            resource_name,
            bindings,
            unrent_on_delete=bool(flags and flags.pop()),
            max_in_flight=max_in_flight,
            opts=opts,
        )


def _plain_bindings(bindings: Mapping[str, Any] | Sequence[Any]) -> Any:
    """Turn Binding objects into plain dicts so the engine can serialize them; integer numbers and
    app ids become strings (the wire would make them floats, losing digits)."""

    def plain(entry: Any) -> Any:
        entry = _fields_of(entry)
        if not isinstance(entry, Mapping):
            return entry
        return {
            k: str(v) if isinstance(v, int) and not isinstance(v, bool) and k in ("number", "app_id") else v
            for k, v in entry.items()
        }

    if isinstance(bindings, Mapping):
        return {str(k): plain(v) for k, v in bindings.items()}
    return [plain(e) for e in bindings]
