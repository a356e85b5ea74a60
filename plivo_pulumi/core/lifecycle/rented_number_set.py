"""The lifecycle of `RentedNumberSet`: one resource authoritative for the bindings of many numbers
(the fleet path).

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
from typing import Any

from plivo_pulumi.core.client import PlivoClient
from plivo_pulumi.core.contract import (
    BINDING_FIELDS,
    MANAGED_FIELDS,
    PAGE_SIZE,
    changed_numbers,
    declared_bindings,
    declared_masks,
    decode,
    encode,
    live_binding,
    subaccount_to_check,
    with_drift,
)
from plivo_pulumi.core.errors import NumberNotFoundError, PlivoError
from plivo_pulumi.core.lifecycle.binding import check_binding
from plivo_pulumi.core.lifecycle.context import Context
from plivo_pulumi.core.lifecycle.keys import DECLARED_KEY, IMPORT_KEY, LIVE_KEY, SECRETS_KEY
from plivo_pulumi.core.lifecycle.results import Checked, Failure, Observed, Planned, Written, changed_inputs
from plivo_pulumi.core.lifecycle.safety import (
    import_mismatch,
    import_refusal,
    listed,
    not_rented,
    numbers_to_unrent,
    unrent,
)
from plivo_pulumi.core.live import resolve_subaccounts
from plivo_pulumi.core.numbers import normalize_number
from plivo_pulumi.core.parallel import run_all
from plivo_pulumi.core.unknown import UNKNOWN, is_unknown

DEFAULT_IN_FLIGHT = 8
NOT_MANAGED_BINDING = encode(None, None)
INPUTS = ("bindings", "unrent_on_delete", "max_in_flight")
_KEY_SHOWN = 40  # characters of a mapping key shown in a failure's property path
# The value, in `LIVE_KEY`, of a number a refresh found no longer rented.
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
        yield f"[{index}]", fields_of(entry)


def _key_label(key: Any) -> str:
    """`["<key>"]` for the property path of a failure: JSON-quoted (a `"` or `:` in the key cannot
    blur the path) and cut when too long, since the engine prints the property with the failure."""
    text = str(key)
    if len(text) > _KEY_SHOWN:
        text = f"{text[:_KEY_SHOWN]}... ({len(text)} characters)"
    return f"[{json.dumps(text, ensure_ascii=False)}]"


def fields_of(entry: Any) -> Any:
    """A `Binding`-like object (anything with a `number` attribute) as a plain mapping; anything else
    as it is."""
    if isinstance(entry, Mapping | str) or not hasattr(entry, "number"):
        return entry
    return {f: getattr(entry, f, None) for f in ("number", *MANAGED_FIELDS)}


def check_bindings(
    raw: Any, account: str | None = None, secret: bool = False
) -> tuple[dict[str, str], list[Failure]]:
    """Normalize the declared bindings into `{number: "<app>/<sub>"}`; one failure per bad field.
    `secret`: the program marked (part of) the bindings secret, so no failure quotes a value."""
    if raw is None or not isinstance(raw, (Mapping, Sequence)) or isinstance(raw, str):
        return {}, [Failure("bindings", "must be a mapping of number to binding, or a list of bindings")]
    encoded: dict[str, str] = {}
    failures: list[Failure] = []
    for label, entry in _entries(raw, secret):
        if not isinstance(entry, Mapping):
            failures.append(
                Failure(f"bindings{label}", "must be a known mapping with number, app_id, subaccount")
            )
            continue
        # A set's entries have no unrent_on_delete of their own: the set's flag covers them all.
        fields = {k: v for k, v in entry.items() if k != "unrent_on_delete"}
        normalized, problems = check_binding(
            fields, f"bindings{label}.", account, BINDING_FIELDS if secret else ()
        )
        if is_unknown(normalized.get("number")):
            problems.append(
                Failure(
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
            failures.append(Failure(f"bindings{label}.number", f"{shown} is listed twice"))
            continue
        if any(is_unknown(normalized.get(f)) for f in MANAGED_FIELDS):
            # An output of another resource (an Application's app_id) during preview: known at apply.
            encoded[number] = UNKNOWN
            continue
        encoded[number] = encode(normalized.get("app_id"), normalized.get("subaccount"))
    return dict(sorted(encoded.items())), failures


class RentedNumberSetLifecycle:
    def __init__(self, context: Context) -> None:
        self.context = context

    def check(self, olds: dict[str, Any], news: dict[str, Any], secret: frozenset[str]) -> Checked:
        inputs = {k: v for k, v in news.items() if k != SECRETS_KEY}  # `secret` says which they are
        bindings, failures = check_bindings(news.get("bindings"), self.context.account, "bindings" in secret)
        self.context.deployment.note_declared(bindings)  # before the engine deletes what the program dropped
        inputs["bindings"] = bindings
        for name, default in (("unrent_on_delete", False), ("max_in_flight", DEFAULT_IN_FLIGHT)):
            value = news.get(name)
            inputs[name] = default if value is None else value
        if not isinstance(inputs["unrent_on_delete"], bool):
            failures.append(Failure("unrent_on_delete", "must be true or false"))
        in_flight = inputs["max_in_flight"]
        if isinstance(in_flight, float) and in_flight.is_integer():
            inputs["max_in_flight"] = in_flight = int(in_flight)
        if not isinstance(in_flight, int) or isinstance(in_flight, bool) or not 1 <= in_flight <= 32:
            failures.append(Failure("max_in_flight", "must be a whole number from 1 to 32"))
        return Checked(inputs, failures)

    def diff(self, id: str, olds: dict[str, Any], news: dict[str, Any]) -> Planned:
        if isinstance(olds.get(DECLARED_KEY), Mapping):
            # The engine may diff the old inputs (a refresh set each drifted binding to its live
            # value, see `_inputs_after_read`) with the new ones itself, and keep that diff per key:
            # the plan then lists `bindings["<number>"]` for each number that changes, with its
            # marker, instead of the whole fleet (the dynamic-provider host of pulumi 3.272 cannot
            # return a detailed diff). It also honours `ignore_changes`.
            return Planned(changed_inputs(olds, news, INPUTS), [], engine_may_compare=True)
        # State written before the declared bindings were kept in the outputs: compare here.
        live = olds.get("bindings") or {}
        wanted = news.get("bindings") or {}
        flags = [k for k in ("unrent_on_delete", "max_in_flight") if olds.get(k) != news.get(k)]
        if is_unknown(wanted) or any(is_unknown(b) for b in wanted.values()):
            return Planned(["bindings", *flags], [])
        bindings_changed = bool(changed_numbers(live, wanted)) or set(live) != set(wanted)
        return Planned([*(["bindings"] if bindings_changed else []), *flags], [])

    def create(self, props: dict[str, Any]) -> Written:
        wanted = props["bindings"]
        live = self._read_live(wanted, props)
        gone = sorted(n for n, b in live.items() if b is None)
        if gone:
            raise not_rented("RentedNumberSet", gone, "remove them from `bindings`")
        present = {n: b for n, b in live.items() if b is not None}
        if props.get(IMPORT_KEY):
            differing = _import_differences(present, wanted)
            if differing:
                raise import_mismatch(f"{len(differing)} number(s)", differing)
        outs = self._apply(wanted, present, props)
        self.context.deployment.note_declared(wanted)
        return Written(_set_id(wanted), outs)

    def check_import(
        self, olds: dict[str, Any], news: dict[str, Any], secret: frozenset[str]
    ) -> list[Failure]:
        """For an engine that imports by `read(id, {})` and then checks the program's inputs
        against what it returned (`olds`): what adopting the numbers as they are would have to
        write (nothing is written on an import). No API call."""
        live, wanted = olds.get("bindings") or {}, news.get("bindings") or {}
        if is_unknown(wanted):
            return []
        if set(live) != set(wanted):
            if "bindings" in secret:
                return [Failure("bindings", f"imports {len(live)} number(s); `bindings` declares others")]
            reason = (
                f"imports the numbers {listed(sorted(live))} but `bindings` declares {listed(sorted(wanted))}"
            )
            return [Failure("bindings", reason)]
        known = {n: b for n, b in wanted.items() if not is_unknown(b)}
        differing = _import_differences(live, known, secret="bindings" in secret)
        if not differing:
            return []
        count = len(changed_numbers(live, known))
        return [Failure("bindings", import_refusal(f"{count} number(s)", differing))]

    def read(self, id: str, props: dict[str, Any]) -> Observed:
        """`props` empty: an engine import of the numbers of `id` ("<number>,<number>,..."), adopted
        as they are (see `check_import`)."""
        if not props:
            return self._adopt(id)
        numbers = {**(props.get("bindings") or {}), **_live_view(props)}  # the last seen values as hints
        with self.context.explaining_refusals():
            live = self._read_live(numbers, props)
        gone = sorted(n for n, b in live.items() if b is None)
        if gone:
            self.context.notify(
                f"{len(gone)} number(s) of set {id} are no longer rented: {', '.join(gone[:20])}"
            )
        declared = props.get(DECLARED_KEY)
        if not isinstance(declared, Mapping) or "mask" not in declared:  # earlier state: diff compares
            outs = {**_plain(props), "bindings": {n: b for n, b in sorted(live.items()) if b is not None}}
            return Observed(id, outs, None)
        # `bindings` stays as last written and what differs now goes to the hidden `__live`: the
        # engine prints a changed map output whole, so a live `bindings` would print the fleet.
        written = props.get("bindings") or {}
        changed = {n: GONE if b is None else b for n, b in sorted(live.items()) if written.get(n) != b}
        outs = {**_plain(props), "bindings": written, LIVE_KEY: changed, DECLARED_KEY: declared}
        wanted = declared_bindings(written, declared)
        return Observed(id, outs, _inputs_after_read(wanted, _live_view(outs), outs, declared))

    def update(self, id: str, olds: dict[str, Any], news: dict[str, Any]) -> Written:
        wanted = news["bindings"]
        known = _live_view(olds)
        new_numbers = {n: b for n, b in wanted.items() if n not in known}
        live = dict(known)
        if new_numbers:  # adopt the numbers added to the set, with the same checks as create
            fresh = self._read_live(new_numbers, news)
            gone = sorted(n for n, b in fresh.items() if b is None)
            if gone:
                raise PlivoError(
                    f"cannot add {', '.join(gone[:20])} to set {id}: not rented by this account. "
                    "Rent them first or remove them from `bindings`. Nothing was changed."
                )
            live.update({n: b for n, b in fresh.items() if b is not None})
            self.context.deployment.note_declared(new_numbers)
        released = sorted(set(known) - set(wanted))
        self.context.deployment.mark_released(released)
        if released:
            self.context.notify(
                f"{len(released)} number(s) left set {id}, still rented: {', '.join(released[:20])}"
            )
        return Written(id, self._apply(wanted, live, news))

    def delete(self, id: str, props: dict[str, Any]) -> None:
        numbers = _live_view(props)
        self.context.deployment.mark_released(numbers)
        doomed = numbers_to_unrent(
            self.context, numbers, bool(props.get("unrent_on_delete")), owner=f"set {id}"
        )
        if not doomed:
            return
        api = self.context.client()
        with self.context.explaining_refusals():
            _run_all(lambda n: unrent(api, n), doomed, props, f"unrent numbers of set {id}")
        self.context.notify(f"set {id}: {len(doomed)} number(s) unrented (unrent_on_delete is true)")

    # -- helpers ---------------------------------------------------------------------------------

    def _adopt(self, numbers_text: str) -> Observed:
        try:
            numbers = sorted({normalize_number(n) for n in numbers_text.split(",") if n.strip()})
        except ValueError as exc:
            raise PlivoError(
                f"cannot import set {numbers_text!r}: {exc}; give its numbers separated by commas"
            ) from None
        props: dict[str, Any] = {"unrent_on_delete": False, "max_in_flight": DEFAULT_IN_FLIGHT}
        with self.context.explaining_refusals():
            live = self._read_live(dict.fromkeys(numbers, NOT_MANAGED_BINDING), props)
        gone = sorted(n for n, b in live.items() if b is None)
        if gone:
            raise not_rented("RentedNumberSet", gone, "remove them from the import id")
        bindings = {n: b for n, b in sorted(live.items()) if b is not None}
        props.update(bindings=bindings, **{IMPORT_KEY: numbers_text})
        declared = _declared(props)
        outs = {**_plain(props), "bindings": bindings, DECLARED_KEY: declared}
        return Observed(_set_id(bindings), outs, _inputs_after_read(bindings, bindings, outs, declared))

    def _apply(self, wanted: dict[str, str], live: dict[str, str], props: dict[str, Any]) -> dict[str, Any]:
        """POST every number whose managed fields differ; outputs are the live bindings after it."""
        changes = changed_numbers(live, wanted)
        api = self.context.client()
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
        live = read_live_bindings(self.context.client(), list(hints), in_flight)
        to_check = {}
        for number, binding in live.items():
            if binding is not None and decode(binding)["subaccount"] is None:
                subaccount = subaccount_to_check(decode(hints[number])["subaccount"])
                if subaccount:
                    to_check[number] = subaccount
        for number, subaccount in resolve_subaccounts(self.context.client(), to_check, in_flight).items():
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


def _import_differences(
    live: Mapping[str, str], wanted: Mapping[str, str], secret: bool = False
) -> list[str]:
    """What an import would have to write, one line per number (for secret bindings, whose numbers
    are secret too, one line that shows none)."""
    differing = sorted(changed_numbers(live, wanted))
    if secret and differing:
        return [f"{len(differing)} binding(s) differ (the bindings are secret, so none is shown)"]
    return [f"{n}: {live[n]!r} in Plivo, {wanted[n]!r} in the code" for n in differing]


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
