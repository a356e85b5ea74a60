"""The rules of an application, in one place and free of Pulumi: the `Application` resource, the
bindings file, the client and the audit use them (docs/design.md, "Applications").

* Fields are those of the Application API's create call, with the reference's defaults: a field the
  code leaves out is managed at its default (an application is whole, unlike a number's binding),
  except `hangup_url`, whose default is the `answer_url`.
* `app_name` cannot be changed by the API's modify call: a new name replaces the application.
* `subaccount`: `""` = owned by the main account, else the subaccount's auth_id (`SA...`). The API's
  object calls it `sub_account` (a URI or null); the create and modify calls `subaccount`.
* A field differs when its live value is not the desired one; an update sends exactly the fields
  that differ (never defaults the code did not change: Plivo's own SDK re-sends them and so undoes
  changes made elsewhere).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from plivo_pulumi.core.contract import type_name
from plivo_pulumi.core.numbers import describe_value, normalize_subaccount, subaccount_from_uri

__all__ = [
    "APP_FIELDS",
    "APP_NAME_MAX",
    "METHODS",
    "app_changes",
    "app_field_rule",
    "desired_application",
    "live_application",
    "url_problem",
    "validate_app_field",
]

APP_NAME_MAX = 100
METHODS = ("GET", "POST")
_APP_NAME_RE = re.compile(r"[A-Za-z0-9_-]+")
URL_MAX = 2000  # characters, as the simulator

# name -> default (`hangup_url`'s default is the answer_url: see `desired_application`).
APP_DEFAULTS: dict[str, Any] = {
    "answer_method": "POST",
    "hangup_url": None,
    "hangup_method": "POST",
    "fallback_answer_url": "",
    "fallback_method": "POST",
    "message_url": "",
    "message_method": "POST",
    "default_number_app": False,
    "default_endpoint_app": False,
    "subaccount": "",
    "log_incoming_messages": True,
}
REQUIRED = ("app_name", "answer_url")
APP_FIELDS = (*REQUIRED, *APP_DEFAULTS)
# Fields the modify call does not take: changing one replaces the application.
REPLACE_FIELDS = ("app_name",)


def _app_name(value: Any, _account: str | None) -> str:
    if not isinstance(value, str):
        raise ValueError(f'must be a string like "ivr-main", got {type_name(value)} {describe_value(value)}')
    if not value or len(value) > APP_NAME_MAX or not _APP_NAME_RE.fullmatch(value):
        raise ValueError(
            f"{describe_value(value)} is not a valid application name: use 1-{APP_NAME_MAX} letters, "
            'digits, "-" and "_" (no spaces or dots), like "ivr-main"'
        )
    return value


# Characters RFC 3986 never allows unencoded in a URL, besides whitespace and control characters.
_URL_UNSAFE = frozenset('<>"{}|\\^`')


def url_problem(text: str) -> str | None:
    """What makes `text` unfit for an application's URL field, or None: the rule the API's 400 would
    give at `up`, checked at preview instead (the simulator applies the same one). The answer never
    quotes the URL, which may be a secret (credentials in it)."""
    if not text:
        return "is empty"
    if len(text) > URL_MAX:
        return f"is longer than {URL_MAX} characters"
    for char in text:
        if char.isspace():
            return "has a space or other whitespace in it (write a space as %20)"
        if not char.isprintable():
            return "has a control character in it"
        if char in _URL_UNSAFE:
            return f"has {char!r} in it, which a URL must percent-encode"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return "has a malformed host or port (a port is 1-65535; an IPv6 host goes in [brackets])"
    if parts.scheme not in ("http", "https"):
        return "is not an http(s) URL: it must start with http:// or https://"
    if not parts.hostname:
        return "has no host: write it like https://example.com/answer"
    if port == 0:
        return "has port 0: a port is 1-65535"
    return None


def _url(required: bool) -> Any:
    def check(value: Any, _account: str | None) -> str:
        if not isinstance(value, str):
            raise ValueError(
                f'must be an http(s) URL string like "https://example.com/answer", got {type_name(value)}'
            )
        text = value.strip()
        if text == "" and not required:
            return ""
        problem = url_problem(text)
        if problem:
            empty = "" if required else ' (or "" for none)'
            raise ValueError(
                f'{describe_value(value)} {problem}; give a URL like "https://example.com/answer"{empty}'
            )
        return text

    return check


def _method(value: Any, _account: str | None) -> str:
    if isinstance(value, str) and value.strip().upper() in METHODS:
        return value.strip().upper()
    raise ValueError(f'must be "GET" or "POST", got {describe_value(value)}')


def _flag(value: Any, _account: str | None) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"must be true or false, got {type_name(value)} {describe_value(value)}")


def _owner(value: Any, account: str | None) -> str:
    return normalize_subaccount(value, account)


_VALIDATORS = {
    "app_name": _app_name,
    "answer_url": _url(required=True),
    "hangup_url": _url(required=False),
    "fallback_answer_url": _url(required=False),
    "message_url": _url(required=False),
    "answer_method": _method,
    "hangup_method": _method,
    "fallback_method": _method,
    "message_method": _method,
    "default_number_app": _flag,
    "default_endpoint_app": _flag,
    "log_incoming_messages": _flag,
    "subaccount": _owner,
}


_URL_FIELDS = ("answer_url", "hangup_url", "fallback_answer_url", "message_url")
# What each field must be, in words that never quote the value (for an input marked secret).
_APP_FIELD_RULES = {
    "app_name": f'must be 1-{APP_NAME_MAX} letters, digits, "-" and "_", like "ivr-main"',
    **{name: 'must be an http(s) URL like "https://example.com/answer"' for name in _URL_FIELDS},
    **{name: 'must be "GET" or "POST"' for name in _VALIDATORS if name.endswith("_method")},
    "default_number_app": "must be true or false",
    "default_endpoint_app": "must be true or false",
    "log_incoming_messages": "must be true or false",
    "subaccount": 'must be a subaccount auth_id ("SA" + 18 letters or digits) or its URI in the '
    'configured account, or "" for the main account',
}


def app_field_rule(name: str, value: Any) -> str:
    """Why `value` is not valid for field `name`, without quoting it: the check's reason for an
    input marked secret (a URL with credentials in it, say). For a URL it names the broken rule."""
    if name in _URL_FIELDS and isinstance(value, str):
        problem = url_problem(value.strip())
        if problem:
            return f'{problem}; give a URL like "https://example.com/answer"'
    return _APP_FIELD_RULES[name]


def validate_app_field(name: str, value: Any, account: str | None = None) -> Any:
    """The normalized value of one application field (not None); ValueError says what is wrong and
    the fix. `account` (the configured main account, when known) refuses another account's URIs."""
    return _VALIDATORS[name](value, account)


def desired_application(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Every field of `APP_FIELDS`: the given (already validated) values, the defaults for the rest.
    Unknown values (outputs of other resources at preview) are kept as they are."""
    desired = {name: fields.get(name) for name in REQUIRED}
    for name, default in APP_DEFAULTS.items():
        value = fields.get(name)
        desired[name] = default if value is None else value
    if desired["hangup_url"] is None:
        desired["hangup_url"] = desired["answer_url"]
    return desired


def live_application(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of `APP_FIELDS` as the API's application object reports them, plus `app_id`
    (`default_app` is the object's name of `default_number_app`; `sub_account` a URI or null).
    A field the object does not carry is None. Raises ValueError on an unreadable subaccount."""
    live: dict[str, Any] = {"app_id": str(obj.get("app_id") or "")}
    for name in APP_FIELDS:
        live[name] = obj.get(name)
    if live["default_number_app"] is None:
        live["default_number_app"] = obj.get("default_app")
    owner = obj.get("sub_account", obj.get("subaccount"))
    live["subaccount"] = subaccount_from_uri(owner or None)
    for name in ("answer_method", "hangup_method", "fallback_method", "message_method"):
        if isinstance(live[name], str):
            live[name] = live[name].upper()
    for name in ("fallback_answer_url", "message_url", "hangup_url"):
        if live[name] is None and name in obj:
            live[name] = ""
    return live


def app_changes(live: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, Any]:
    """The fields whose live value differs from the desired one (`app_name` included: the caller
    decides that it replaces). A field the API did not report (None) is not written for nothing: it
    differs only from a desired value that is not its default."""
    changes: dict[str, Any] = {}
    for name in APP_FIELDS:
        want, have = desired.get(name), live.get(name)
        if want is None:
            continue
        if have is None and want == APP_DEFAULTS.get(name, object()):
            continue
        if want != have:
            changes[name] = want
    return changes
