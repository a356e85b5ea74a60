"""The PhoneNumber API over HTTP: search (`GET /v1/Account/{auth_id}/PhoneNumber/`) and buy
(`POST /v1/Account/{auth_id}/PhoneNumber/{number}/`). This module reads and checks the parameters
and renders the answers; the rules live in the model (`models/inventory.py`)."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from .errors import BadRequest
from .models import SEARCH_TYPES, SERVICES, Account, Offer, SearchFilter, SimError
from .params import no_params, page_meta, page_params, same_id
from .wire import HandlerBase, Reply

__all__ = ["PhoneNumberApi", "render_offer"]

_SEARCH_KEYS = (
    "country_iso",
    "type",
    "pattern",
    "region",
    "services",
    "lata",
    "rate_center",
    "city",
    "npanxx",
    "local_calling_area",
    "eligible",
    "limit",
    "offset",
)
# The reference's buy parameters, and the path's number, which the Python SDK repeats in the body.
_BUY_KEYS = ("app_id", "cnam_lookup", "verification_info", "compliance_application_id", "ha_enable", "number")
_TRUE = ("true", "True", "1")
_FALSE = ("false", "False", "0")


def render_offer(offer: Offer, caller_id: str) -> dict[str, Any]:
    """A search object: exactly the reference's fields."""
    return {
        "number": offer.number,
        "prefix": offer.prefix,
        "city": offer.city,
        "country": offer.country,
        "region": offer.region,
        "rate_center": offer.rate_center,
        "lata": offer.lata,
        "type": offer.type,
        "sub_type": offer.sub_type,
        "setup_rate": offer.setup_rate,
        "monthly_rental_rate": offer.monthly_rental_rate,
        "sms_enabled": "sms" in offer.services,
        "mms_enabled": "mms" in offer.services,
        "voice_enabled": "voice" in offer.services,
        "sms_rate": offer.sms_rate,
        "mms_rate": offer.mms_rate,
        "voice_rate": offer.voice_rate,
        "restriction": offer.restriction,
        "restriction_text": offer.restriction_text,
        "resource_uri": f"/v1/Account/{caller_id}/PhoneNumber/{offer.number}/",
    }


def _text(params: dict[str, Any], key: str, limit: int = 100) -> str | None:
    value = params.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise BadRequest(f"invalid {key}: expected text of at most {limit} characters")
    return value.strip()


def _flag(params: dict[str, Any], key: str) -> bool:
    value = params.get(key)
    if value is None or value in _FALSE or value is False:
        return False
    if value in _TRUE or value is True:
        return True
    raise BadRequest(f"invalid {key} {str(value)[:40]!r}: use true or false")


def _digits(params: dict[str, Any], key: str, sizes: range, what: str) -> str | None:
    value = _text(params, key)
    if value is not None and not (value.isascii() and value.isdigit() and len(value) in sizes):
        raise BadRequest(f"invalid {key} {value[:40]!r}: expected {what}")
    return value


class PhoneNumberApi(HandlerBase):
    """The `/v1/Account/{auth_id}/PhoneNumber/` routes."""

    # Set by a buy that a `buy_lost` fault hits: the server drops the connection instead of answering.
    _drop_answer: bool = False

    def _search(self, account: Account, _key: str, params: dict[str, Any], api_id: str) -> Reply:
        no_params(params, _SEARCH_KEYS)
        country = _text(params, "country_iso") if params.get("country_iso") not in (None, "") else None
        if country is None:
            raise BadRequest(
                "country_iso is required: the ISO 3166-1 alpha-2 code of the country to search, e.g. US"
            )
        if not re.fullmatch(r"[A-Za-z]{2}", country):
            raise BadRequest(f"invalid country_iso {country[:40]!r}: expected a two-letter code like US")
        kind = _text(params, "type")
        if kind is not None and kind not in SEARCH_TYPES:
            raise BadRequest(f"invalid type {kind[:40]!r}; use one of {', '.join(SEARCH_TYPES)}")
        services: list[str] = []
        if params.get("services") is not None:
            for item in str(params["services"]).split(","):
                if item.strip() not in SERVICES:
                    raise BadRequest(
                        f"invalid services: use a comma-separated subset of {', '.join(SERVICES)}"
                    )
                services.append(item.strip())
        lata = _digits(params, "lata", range(1, 7), "the LATA, digits")
        search = SearchFilter(
            country_iso=country.upper(),
            type=kind,
            pattern=_digits(params, "pattern", range(1, 16), "the digits the number must contain"),
            region=_text(params, "region"),
            services=tuple(services),
            lata=int(lata) if lata is not None else None,
            rate_center=_text(params, "rate_center"),
            city=_text(params, "city"),
            npanxx=_digits(params, "npanxx", range(6, 7), "six digits (area code and exchange)"),
            local_calling_area=_flag(params, "local_calling_area"),
            eligible=_flag(params, "eligible"),
        )
        limit, offset = page_params(params)
        page, total = self.server.state.search_numbers(account, search, limit=limit, offset=offset)
        filters = {k: params[k] for k in _SEARCH_KEYS if k in params and k not in ("limit", "offset")}
        meta = page_meta(f"/v1/Account/{account.auth_id}/PhoneNumber/", limit, offset, total, filters)
        objects = [render_offer(offer, account.auth_id) for offer in page]
        return Reply(200, {"api_id": api_id, "meta": meta, "objects": objects})

    def _buy(self, account: Account, number: str, params: dict[str, Any], api_id: str) -> Reply:
        no_params(params, _BUY_KEYS)
        same_id(params, "number", number)
        app_id = params.get("app_id")
        if app_id in ("", "null"):
            app_id = None  # as absent: the account's default number application
        if isinstance(app_id, int) and not isinstance(app_id, bool) and app_id >= 0:
            app_id = str(app_id)
        if app_id is not None and not (
            isinstance(app_id, str) and app_id.isascii() and app_id.isdigit() and len(app_id) <= 32
        ):
            raise BadRequest("invalid app_id: expected the numeric application id")
        cnam = params.get("cnam_lookup")
        if cnam is not None and not isinstance(cnam, str):
            raise BadRequest("invalid cnam_lookup: use enabled or disabled")
        info = params.get("verification_info")
        if info is not None and not isinstance(info, dict):
            raise BadRequest("invalid verification_info: expected an object")
        compliance = params.get("compliance_application_id")
        if compliance is not None and not isinstance(compliance, str):
            raise BadRequest("invalid compliance_application_id: expected text")
        if params.get("ha_enable") is not None:
            _flag(params, "ha_enable")
        state = self.server.state
        if self.server.faults.buy_taken(number):
            # Someone else bought it between the caller's search and this buy.
            with contextlib.suppress(SimError):  # not on offer anyway: the buy below answers 404
                state.oob_take_offer(number)
            self.server.log_line(f"buy of {number}: taken by someone else (fault)")
        rented, purchase = state.buy_number(account, number, app_id=app_id, cnam_lookup=cnam)
        # Only a buy that was made uses up a `buy_lost`: its answer is then dropped.
        self._drop_answer = self.server.faults.buy_lost()
        return Reply(
            201,
            {
                "api_id": api_id,
                "message": "created",
                "status": "fulfilled",
                "numbers": [{"number": rented.number, "status": purchase.status}],
            },
        )
