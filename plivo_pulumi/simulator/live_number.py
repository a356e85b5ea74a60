"""The number object as Plivo's live API answers it today (shape `current`), and the List filters
that the official SDKs send on its fields (`alias`, `renewal_date*`, `tendlc_*`, `cnam_lookup`...).

The fields and their JSON types are those of reference/plivo-number-object-current.txt (recorded
answers of the real API). What the simulator does not model gets the value a plain rented number
has there: no compliance application, an unregistered 10DLC status, fixed rates. The renewal date
is derived from `added_on` (the next monthly anniversary), so the `renewal_date` filters have
something to compare."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from typing import Any

from ..core.numbers import application_uri, number_uri, subaccount_uri
from .errors import BadRequest
from .models import Number, PlivoState

# Country (as the object names it), city and region of a number, by calling code (longest first).
_PLACES = (
    ("44", ("United Kingdom", "UK", "UNITED KINGDOM")),
    ("1", ("United States", "USA", "UNITED STATES")),
)
_ELSEWHERE = ("Unknown", "", "")
_MONTHLY_RATE = {"local": "0.80000", "tollfree": "1.00000", "mobile": "1.20000"}
TENDLC_STATUSES = ("UNREGISTERED", "PROCESSING", "REGISTERED")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")

# The List filters on the live object's fields: parameter -> (object field, comparison).
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "": lambda live, want: live == want,
    "__lt": lambda live, want: live < want,
    "__lte": lambda live, want: live <= want,
    "__gt": lambda live, want: live > want,
    "__gte": lambda live, want: live >= want,
}
_EXACT_FILTERS = (
    "alias",
    "tendlc_registration_status",
    "tendlc_campaign_id",
    "toll_free_sms_verification",
    "toll_free_sms_verification_order_status",
    "cnam_lookup",
)
LIVE_FILTERS = (
    *_EXACT_FILTERS,
    *(f"renewal_date{suffix}" for suffix in _COMPARE),
)


def renewal_date(added_on: str, today: _dt.date | None = None) -> str:
    """The first monthly anniversary of `added_on` after today (a month's last day when shorter)."""
    today = today or _dt.date.today()
    start = _dt.date.fromisoformat(added_on)
    months = max(1, (today.year - start.year) * 12 + today.month - start.month)
    while True:
        year, month = divmod(start.month - 1 + months, 12)
        year, month = start.year + year, month + 1
        last_day = (_dt.date(year + month // 12, month % 12 + 1, 1) - _dt.timedelta(days=1)).day
        due = _dt.date(year, month, min(start.day, last_day))
        if due > today:
            return due.isoformat()
        months += 1


def live_fields(number: Number) -> dict[str, Any]:
    """The fields of the live object that the simulator derives rather than stores."""
    country, city, region = next((p for code, p in _PLACES if number.number.startswith(code)), _ELSEWHERE)
    return {
        # A number bought "pending" (documents required) is not active until they are accepted.
        "active": number.compliance_status != "pending",
        "carrier": "Plivo",
        "city": city,
        "cnam_lookup": number.cnam_lookup,
        "compliance_application_id": None,
        "compliance_status": number.compliance_status,
        "country": country,
        "monthly_rental_rate": number.monthly_rental_rate or _MONTHLY_RATE.get(number.number_type, "0.80000"),
        "mms_rate": "0.00000",
        "region": region,
        "renewal_date": renewal_date(number.added_on),
        "sms_rate": "0.00000",
        "tendlc_campaign_id": None,
        "tendlc_registration_status": "UNREGISTERED",
        "toll_free_sms_verification": None,
        "voice_rate": "0.00850",
    }


def current_object(
    state: PlivoState, number: Number, caller_id: str, *, subaccount_as_uri: bool = False
) -> dict[str, Any]:
    """The number object in the `current` shape: exactly the live API's fields (the reference's
    `description` and `plivo_number` are not among them). The subaccount is `sub_account`, the bare
    auth id beside `sub_account_name` (the SDKs' 2026 fixtures), both null for a main-account number;
    with `subaccount_as_uri` (shape `current_uri`, older answers) its URI, and no name."""
    app = state.application(number.app_id) if number.app_id else None
    owner = app.account if app else number.account
    obj: dict[str, Any] = {
        "added_on": number.added_on,
        "alias": number.alias,
        "application": application_uri(owner, number.app_id) if number.app_id else None,
        "mms_enabled": number.mms_enabled,
        "number": number.number,
        "number_type": number.number_type,
        "resource_uri": number_uri(caller_id, number.number),
        "sms_enabled": number.sms_enabled,
        "voice_enabled": number.voice_enabled,
        **live_fields(number),
    }
    if subaccount_as_uri:
        obj["sub_account"] = subaccount_uri(number.account, number.subaccount) if number.subaccount else None
        return obj
    sub = state.account(number.subaccount) if number.subaccount else None
    obj["sub_account"] = number.subaccount or None
    obj["sub_account_name"] = (sub.name if sub else "") if number.subaccount else None
    return obj


def live_filter(params: dict[str, Any]) -> Callable[[Number], bool] | None:
    """The predicate of the live-field filters among `params` (None when there are none); a
    malformed date is a 400 naming the parameter."""
    given = {k: v for k, v in params.items() if k in LIVE_FILTERS}
    if not given:
        return None
    for key, value in given.items():
        if not isinstance(value, str):
            raise BadRequest(f"invalid {key}: expected text")
        if key.startswith("renewal_date") and not _DATE_RE.fullmatch(value):
            raise BadRequest(f"invalid {key} {value[:40]!r}: expected a date like 2024-01-31")

    def keep(number: Number) -> bool:
        fields = live_fields(number)
        fields["alias"] = number.alias
        for key, want in given.items():
            name, _, suffix = key.partition("__")
            live = fields.get(name)  # toll_free_sms_verification_order_status is not in the object
            if live is None or not _COMPARE[f"__{suffix}" if suffix else ""](str(live), want):
                return False
        return True

    return keep
