"""The rules of a binding, in one place and free of Pulumi: the provider, `RentedNumberSet`, the audit
and the bench all use these (docs/design.md, "Bindings").

* Managed fields: `app_id` and `subaccount`. `None` = not managed (never compared, never written);
  `""` = managed as none (no application, main account).
* A field differs when it is managed and its live value is not the desired one; a live value that
  the API did not report (None) never makes a `""` differ, so nothing is written because a value
  could not be read.
* The live binding of an API number object: the app id from the `application` URI; the subaccount
  from `subaccount` or `sub_account` when the object has either (its URI, or the bare auth id the
  live API answers today; `sub_account_name` is never read), else unknown (None): the Number API
  reference's object has no subaccount field at all.
* An unknown subaccount is learned, only for numbers whose subaccount is managed as some `SA...`,
  from the List filter the reference documents (`subaccount=<auth_id>`, with `number_startswith=`):
  `plivo_pulumi.core.live.resolve_subaccounts` makes those calls (this module does no I/O). A
  number not listed under that subaccount is reported as `(not in SA...)`, which differs from the
  desired value, so drift shows and `up` writes it back. A number managed as main account (`""`)
  whose object carries no subaccount is taken to be in the main account: the documented API cannot
  show otherwise (docs/design.md).
* The compact form of `RentedNumberSet`: `"<app>/<sub>"`, `*` for not managed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from plivo_pulumi.core.numbers import (
    app_id_from_uri,
    describe_value,
    normalize_app_id,
    normalize_number,
    normalize_subaccount,
    subaccount_from_uri,
)

MANAGED_FIELDS = ("app_id", "subaccount")
PAGE_SIZE = 20  # the List API's maximum
NOT_MANAGED = "*"
SUBACCOUNT_FIELDS = ("subaccount", "sub_account")  # the names under which a number object may carry it
_ELSEWHERE = re.compile(r"\(not in (SA[A-Z0-9]{18})\)")


# -- the declared fields: one validator for resource inputs, set entries and YAML entries ----------

BINDING_FIELDS = ("number", *MANAGED_FIELDS, "unrent_on_delete")


def type_name(value: Any) -> str:
    """How an error message names a value's kind ("a list", "the text", ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, int):
        return "the integer"
    if isinstance(value, str):
        return "the text"
    return f"a {type(value).__name__}"


def _number(value: Any, _account: str | None) -> str:
    if isinstance(value, list | Mapping | float):
        raise ValueError(
            'must be one phone number as a string like "+1 (567) 698-8323" or digits like 15676988323, '
            f"got {type_name(value)} {describe_value(value)}"
        )
    return normalize_number(value)


def _app_id(value: Any, account: str | None) -> str:
    if isinstance(value, list | Mapping | float):
        raise ValueError(
            f'must be an application id like "72509666337566" or its URI, got {type_name(value)}'
        )
    return normalize_app_id(value, account)


def _subaccount(value: Any, account: str | None) -> str:
    if isinstance(value, list | Mapping):
        raise ValueError(f'must be a subaccount auth_id like "SA..." or its URI, got {type_name(value)}')
    return normalize_subaccount(value, account)


def _unrent_on_delete(value: Any, _account: str | None) -> bool:
    if isinstance(value, bool):
        return value
    hint = "write true or false without quotes"
    if isinstance(value, str) and value.strip().lower() in ("yes", "no", "on", "off", "y", "n"):
        hint = f"write {'true' if value.strip().lower() in ('yes', 'on', 'y') else 'false'} instead"
    raise ValueError(f"must be true or false, got {type_name(value)} {describe_value(value)}; {hint}")


_VALIDATORS = {
    "number": _number,
    "app_id": _app_id,
    "subaccount": _subaccount,
    "unrent_on_delete": _unrent_on_delete,
}


# What each declared field must be, in words that never quote the value: the reason a check gives
# for an input the program marked secret (docs/design.md, "Configuration and secrets").
FIELD_RULES = {
    "number": 'must be one phone number of 8-15 digits, like "+1 (567) 698-8323" or 15676988323',
    "app_id": 'must be an application id like "72509666337566" or its URI in the configured account, '
    'or "" for none',
    "subaccount": 'must be a subaccount auth_id ("SA" + 18 letters or digits) or its URI in the '
    'configured account, or "" for the main account',
    "unrent_on_delete": "must be true or false",
}


def validate_field(name: str, value: Any, account: str | None = None) -> Any:
    """The normalized value of one declared field (not None); ValueError says what is wrong and the
    fix. `account` (the configured main account, when known) refuses URIs of another account."""
    return _VALIDATORS[name](value, account)


# -- live bindings ---------------------------------------------------------------------------------


def subaccount_field(obj: Mapping[str, Any]) -> str | None:
    """The key under which this number object carries its subaccount, or None if it has none."""
    for key in SUBACCOUNT_FIELDS:
        if key in obj:
            return key
    return None


def live_binding(obj: Mapping[str, Any]) -> dict[str, Any]:
    """{"number", "app_id", "subaccount"} of an API number object: bare ids, `""` for none, and
    subaccount None when the object does not carry one. Raises ValueError on unreadable ids."""
    key = subaccount_field(obj)
    return {
        "number": normalize_number(obj["number"]),
        "app_id": app_id_from_uri(obj.get("application")),
        "subaccount": subaccount_from_uri(obj[key]) if key else None,
    }


def elsewhere(subaccount: str) -> str:
    """The live value of a number that the List API does not show under `subaccount`."""
    return f"(not in {subaccount})"


def subaccount_to_check(value: str | None) -> str | None:
    """The subaccount whose listing tells whether a number is in it: the desired (or last seen)
    `SA...` value, or the one a previous `(not in SA...)` named; None when there is nothing to ask."""
    if not value:
        return None
    match = _ELSEWHERE.fullmatch(value)
    if match:
        return match.group(1)
    return value if value.startswith("SA") else None


def field_differs(want: str | None, live: str | None) -> bool:
    if want is None:
        return False
    if live is None and want == "":
        return False  # not reported by the API: never written because it could not be read
    return want != (live or "")


def with_drift(declared: Mapping[str, Any], live: Mapping[str, Any]) -> dict[str, Any]:
    """The managed fields (those declared not None) as a refresh leaves them in the inputs: the
    declared value, or the live one where it differs. The engine's diff of these with the program's
    inputs is then exactly the drift (and `ignore_changes` keeps a field at its live value)."""
    return {
        f: live.get(f) if field_differs(want, live.get(f)) else want
        for f in MANAGED_FIELDS
        if (want := declared.get(f)) is not None
    }


def binding_changes(live: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, str]:
    """Managed fields whose desired value differs from the live one: exactly what a POST must send."""
    return {f: desired[f] for f in MANAGED_FIELDS if field_differs(desired.get(f), live.get(f))}


def encode(app_id: str | None, subaccount: str | None) -> str:
    """One binding as a short string: `None` (not managed, or not reported) is `*`, "" stays empty."""
    return f"{NOT_MANAGED if app_id is None else app_id}/{NOT_MANAGED if subaccount is None else subaccount}"


def decode(value: str) -> dict[str, str | None]:
    app_id, _, subaccount = value.partition("/")
    return {
        "app_id": None if app_id == NOT_MANAGED else app_id,
        "subaccount": None if subaccount == NOT_MANAGED else subaccount,
    }


def declared_masks(bindings: Mapping[str, str]) -> dict[str, Any]:
    """Which parts of each declared binding the code manages ("=" managed, "*" not; "=*" = the app
    only), as the commonest mask and the numbers that differ from it: with the written bindings,
    which hold the declared value of every managed part, this rebuilds the declared bindings
    (`declared_bindings`) at a few bytes per fleet instead of a second copy of the map."""
    masks = {
        number: "".join("*" if part is None else "=" for part in decode(binding).values())
        for number, binding in bindings.items()
    }
    common = Counter(masks.values()).most_common(1)[0][0] if masks else "=="
    return {"mask": common, "except": {n: m for n, m in sorted(masks.items()) if m != common}}


def declared_bindings(written: Mapping[str, str], masks: Mapping[str, Any]) -> dict[str, str]:
    """The declared bindings of a set, from the bindings it last wrote and `declared_masks`."""
    common = str(masks.get("mask") or "==")
    exceptions = masks.get("except") or {}
    declared = {}
    for number, binding in written.items():
        mask = exceptions.get(number, common)
        parts = [None if m == "*" else (v or "") for m, v in zip(mask, decode(binding).values(), strict=True)]
        declared[number] = encode(parts[0], parts[1])
    return declared


def changed_numbers(live: Mapping[str, str], desired: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """For each desired number (compact form), the managed fields whose live value differs."""
    changes: dict[str, dict[str, str]] = {}
    for number, wanted in desired.items():
        fields = binding_changes(decode(live.get(number, "*/*")), decode(wanted))
        if fields:
            changes[number] = fields
    return changes
