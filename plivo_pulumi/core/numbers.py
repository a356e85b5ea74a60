"""Normalization and validation of Plivo identifiers (pure functions, no I/O).

Shared by the client, the simulator and the Pulumi provider so that all three agree on what a phone
number, an application id and a subaccount id look like.

Every ``normalize_*`` function returns the canonical bare form or raises :class:`ValueError` (never
any other exception type, whatever the input) with a message that says what is wrong and what the
expected form is. Messages never echo more than about 40 characters of the input.

Canonical forms:

* phone number: ASCII digits in international form without ``+``, 8 to 15 digits
  (``15676988323``);
* application id: Plivo's numeric application id (``72509666337566``), 1 to 32 ASCII digits;
  ``""`` means "no application";
* subaccount: ``SA`` followed by 18 uppercase ASCII letters or digits; ``""`` means "the main
  account". Auth ids are case sensitive, so lowercase input is rejected rather than uppercased.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "NUMBER_MIN_DIGITS",
    "NUMBER_MAX_DIGITS",
    "normalize_number",
    "normalize_app_id",
    "normalize_subaccount",
    "app_id_from_uri",
    "subaccount_from_uri",
    "application_uri",
    "subaccount_uri",
    "number_uri",
    "is_main_account_id",
    "is_subaccount_id",
    "describe_value",
]

NUMBER_MIN_DIGITS = 8
NUMBER_MAX_DIGITS = 15
APP_ID_MAX_DIGITS = 32

# Longest string we look at before refusing it outright (a phone number with generous formatting).
_MAX_INPUT_CHARS = 64
_SHOW_CHARS = 40

_NUMBER_EXAMPLE = "15676988323"
_APP_EXAMPLE = "72509666337566"
_SUB_EXAMPLE = "SAMJY2ZWNJYWMZK1MWVK"

_NUMBER_PUNCTUATION = str.maketrans("", "", " \t+-().")

_MAIN_RE = re.compile(r"MA[A-Z0-9]{18}")
_SUB_RE = re.compile(r"SA[A-Z0-9]{18}")
_ACCOUNT_RE = re.compile(r"[MS]A[A-Z0-9]{18}")
_APP_ID_RE = re.compile(rf"[0-9]{{1,{APP_ID_MAX_DIGITS}}}")

# URI forms the API returns, optionally preceded by scheme and host.
_URI_PREFIX = r"(?:https?://[A-Za-z0-9.\-]+(?::[0-9]{1,5})?)?/v1/Account/(?P<account>[^/?#\s]*)/"
_APP_URI_RE = re.compile(_URI_PREFIX + r"Application/(?P<id>[^/?#\s]*)/?")
_SUB_URI_RE = re.compile(_URI_PREFIX + r"Subaccount/(?P<id>[^/?#\s]*)/?")


def describe_value(value: Any, limit: int = _SHOW_CHARS) -> str:
    """A short, safe rendering of ``value`` for error messages (repr, truncated to ``limit``)."""
    try:
        text = repr(value)
    except Exception:  # pragma: no cover - pathological __repr__
        text = f"<{type(value).__name__}>"
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def _as_text(value: Any, what: str, example: str, *, allow_int: bool) -> str:
    """Accept str (and, when allowed, non-negative int); anything else is a ValueError."""
    kind = "a string or an integer" if allow_int else "a string"
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{what} must be {kind} like {example!r}, got {describe_value(value)}")
    if isinstance(value, int):
        if not allow_int:
            raise ValueError(f"{what} must be a string like {example!r}, got {describe_value(value)}")
        if value < 0:
            raise ValueError(
                f"{what} must not be negative, got {describe_value(value)}; expected {example!r}"
            )
        if value.bit_length() > 128:
            raise ValueError(f"{what} is far too long; expected something like {example!r}")
        return str(value)
    if not isinstance(value, str):
        raise ValueError(
            f"{what} must be {kind} like {example!r}, got {type(value).__name__} {describe_value(value)}"
        )
    if len(value) > _MAX_INPUT_CHARS * 4:
        raise ValueError(
            f"{what} is far too long ({len(value)} characters, starting {describe_value(value)}); "
            f"expected something like {example!r}"
        )
    return value


def normalize_number(value: Any) -> str:
    """Return the phone number in Plivo's digits-only international form (``15676988323``).

    Accepts ``+1 (567) 698-8323``, ``1.567.698.8323``, ``15676988323`` and non-negative ints. Spaces,
    tabs, ``+``, ``-``, ``(``, ``)`` and ``.`` are removed; what remains must be 8 to 15 ASCII digits.
    """
    what = "phone number"
    expected = (
        f"must be {NUMBER_MIN_DIGITS}-{NUMBER_MAX_DIGITS} digits in international form, "
        f"like {_NUMBER_EXAMPLE}"
    )
    text = _as_text(value, what, _NUMBER_EXAMPLE, allow_int=True)
    if len(text) > _MAX_INPUT_CHARS:
        raise ValueError(f"{what} {describe_value(text)} is too long ({len(text)} characters); {expected}")
    digits = text.translate(_NUMBER_PUNCTUATION)
    if not digits:
        raise ValueError(f"{what} {describe_value(text)} is empty; {expected}")
    if not digits.isascii():
        if any(ch.isdigit() for ch in digits if not ch.isascii()):
            raise ValueError(
                f"{what} {describe_value(text)} contains non-ASCII digits; "
                f"use the ASCII digits 0-9: {expected}"
            )
        raise ValueError(f"{what} {describe_value(text)} contains non-ASCII characters; {expected}")
    if not digits.isdigit():
        bad = sorted({ch for ch in digits if not ch.isdigit()})
        shown = "".join(bad)[:10]
        raise ValueError(
            f"{what} {describe_value(text)} contains characters other than digits ({shown!r}); {expected}"
        )
    if len(digits) < NUMBER_MIN_DIGITS:
        raise ValueError(f"{what} {describe_value(text)} has only {len(digits)} digits; {expected}")
    if len(digits) > NUMBER_MAX_DIGITS:
        raise ValueError(f"{what} {describe_value(text)} has {len(digits)} digits; {expected}")
    return digits


def _check_app_id(candidate: str, shown: Any) -> str:
    if _APP_ID_RE.fullmatch(candidate):
        return candidate
    expected = (
        f"expected Plivo's numeric application id (1-{APP_ID_MAX_DIGITS} digits, like {_APP_EXAMPLE!r}) "
        f"or its URI '/v1/Account/<auth_id>/Application/<app_id>/'"
    )
    if not candidate.isascii():
        raise ValueError(f"application id {describe_value(shown)} contains non-ASCII characters; {expected}")
    if len(candidate) > APP_ID_MAX_DIGITS and candidate.isdigit():
        raise ValueError(f"application id {describe_value(shown)} is too long; {expected}")
    raise ValueError(f"application id {describe_value(shown)} is not numeric; {expected}")


def _not_blank(raw: str, what: str, none_means: str) -> str:
    """`""` is the explicit "none"; a value of only spaces is a mistake, never taken for it."""
    text = raw.strip()
    if text == "" and raw != "":
        raise ValueError(
            f'{what} is blank ({describe_value(raw)}); write "" to manage it as {none_means}, or leave '
            "it unset (None) to leave it unmanaged"
        )
    return text


def _check_account(uri_account: str, account: str | None, text: str, what: str) -> None:
    """Refuse a URI naming another main account than the one configured: reducing it to its id
    would silently bind to an id of a different account."""
    if account and _MAIN_RE.fullmatch(account) and _MAIN_RE.fullmatch(uri_account) and uri_account != account:
        raise ValueError(
            f"{what} {describe_value(text)} belongs to account {uri_account}, not to the configured "
            f"account {account}; use an id or URI of account {account}"
        )


def normalize_app_id(value: Any, account: str | None = None) -> str:
    """Return the bare numeric application id; ``""`` stays ``""`` (no application).

    Accepts the id (str or int), the URI ``/v1/Account/MA.../Application/725.../`` (trailing slash
    optional) and the full ``https://api.plivo.com/v1/Account/...`` URL. A blank value is refused;
    with `account` (the configured main account), so is a URI of another main account.
    """
    text = _not_blank(
        _as_text(value, "application id", _APP_EXAMPLE, allow_int=True), "application id", "no application"
    )
    if text == "":
        return ""
    if "/" in text:
        match = _APP_URI_RE.fullmatch(text)
        if not match:
            raise ValueError(
                f"application id {describe_value(text)} is neither a numeric id nor an application URI "
                f"like '/v1/Account/MAXXXXXXXXXXXXXXXXXX/Application/{_APP_EXAMPLE}/'"
            )
        if not _ACCOUNT_RE.fullmatch(match["account"]):
            raise ValueError(
                f"application URI {describe_value(text)} does not contain a valid account auth_id "
                "(MA or SA followed by 18 uppercase letters or digits)"
            )
        _check_account(match["account"], account, text, "application URI")
        return _check_app_id(match["id"], text)
    return _check_app_id(text, text)


def _check_subaccount(candidate: str, shown: Any) -> str:
    if _SUB_RE.fullmatch(candidate):
        return candidate
    expected = f"expected 'SA' followed by 18 uppercase letters or digits, like {_SUB_EXAMPLE!r}, or its URI"
    if _MAIN_RE.fullmatch(candidate):
        raise ValueError(
            f"subaccount {describe_value(shown)} is a main account auth_id, not a subaccount; "
            'use "" to assign the number to the main account'
        )
    if candidate.isascii() and _SUB_RE.fullmatch(candidate.upper()):
        raise ValueError(
            f"subaccount {describe_value(shown)} is not uppercase; auth ids are case sensitive, "
            f"did you mean {candidate.upper()!r}?"
        )
    raise ValueError(f"subaccount {describe_value(shown)} is not a subaccount auth_id; {expected}")


def normalize_subaccount(value: Any, account: str | None = None) -> str:
    """Return the bare subaccount auth_id; ``""`` stays ``""`` (the main account).

    Accepts ``SA`` + 18 uppercase letters/digits or the URI
    ``/v1/Account/MA.../Subaccount/SA.../`` (trailing slash optional, scheme and host optional).
    Lowercase ids are rejected (auth ids are case sensitive); so is a blank value, and, with
    `account` (the configured main account), a URI of another main account.
    """
    text = _not_blank(
        _as_text(value, "subaccount", _SUB_EXAMPLE, allow_int=False), "subaccount", "the main account"
    )
    if text == "":
        return ""
    if "/" in text:
        match = _SUB_URI_RE.fullmatch(text)
        if not match:
            raise ValueError(
                f"subaccount {describe_value(text)} is neither a subaccount auth_id nor a URI like "
                f"'/v1/Account/MAXXXXXXXXXXXXXXXXXX/Subaccount/{_SUB_EXAMPLE}/'"
            )
        if not _MAIN_RE.fullmatch(match["account"]):
            raise ValueError(
                f"subaccount URI {describe_value(text)} does not contain a valid main account auth_id "
                "(MA followed by 18 uppercase letters or digits)"
            )
        _check_account(match["account"], account, text, "subaccount URI")
        return _check_subaccount(match["id"], text)
    return _check_subaccount(text, text)


def app_id_from_uri(uri_or_none: Any) -> str:
    """Parse the ``application`` field of an API response: None or ``""`` → ``""``, URI → bare id."""
    if uri_or_none is None:
        return ""
    return normalize_app_id(uri_or_none)


def subaccount_from_uri(uri_or_none: Any) -> str:
    """Parse the ``subaccount`` / ``sub_account`` field of an API number object: None or ``""`` →
    ``""``; the URI (older answers) or the bare auth id (the SDKs' 2026 fixtures) → the auth id."""
    if uri_or_none is None:
        return ""
    return normalize_subaccount(uri_or_none)


def application_uri(account_id: str, app_id: str) -> str:
    """``/v1/Account/{account_id}/Application/{app_id}/``"""
    return f"/v1/Account/{account_id}/Application/{app_id}/"


def subaccount_uri(account_id: str, subaccount_id: str) -> str:
    """``/v1/Account/{account_id}/Subaccount/{subaccount_id}/``"""
    return f"/v1/Account/{account_id}/Subaccount/{subaccount_id}/"


def number_uri(account_id: str, number: str) -> str:
    """``/v1/Account/{account_id}/Number/{number}/``"""
    return f"/v1/Account/{account_id}/Number/{number}/"


def is_main_account_id(value: Any) -> bool:
    """True for ``MA`` + 18 uppercase ASCII letters or digits."""
    return isinstance(value, str) and _MAIN_RE.fullmatch(value) is not None


def is_subaccount_id(value: Any) -> bool:
    """True for ``SA`` + 18 uppercase ASCII letters or digits."""
    return isinstance(value, str) and _SUB_RE.fullmatch(value) is not None
