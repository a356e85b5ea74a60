"""The PhoneNumber API: search the numbers on offer (every filter, all pages) and buy one.

A buy is not idempotent (the API has no idempotency key): it goes through the create session, retried
only when the request cannot have reached the API (a refused connection, a 429). Any other failure
after sending it (a dropped connection, a read timeout, a 5xx) is `BuyOutcomeUnknownError`: the
number may or may not be rented now, and only the account's rented numbers tell (`get_number`).
A number no longer on offer (bought by someone else since the search) is `NumberTakenError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import requests

from ..errors import BadRequestError, NotFoundError, PlivoError, ServerError, TransportError
from ..numbers import describe_value, normalize_app_id, normalize_number
from .transport import MAX_PAGE_SIZE, SERVICES, Transport

__all__ = [
    "SEARCH_TYPES",
    "BuyOutcomeUnknownError",
    "NumberTakenError",
    "PhoneNumberOperations",
    "search_params",
]

SEARCH_TYPES = ("any", "local", "fixed", "mobile", "national", "tollfree")
_TEXT_FILTERS = ("region", "rate_center", "city")


class NumberTakenError(PlivoError):
    """The number is no longer on offer (someone else bought it since the search): buy another."""


class BuyOutcomeUnknownError(PlivoError):
    """The buy was sent but its answer was lost: the number may have been bought. Look it up in the
    account's rented numbers (`get_number`) before buying anything else."""


def search_params(
    country_iso: Any,
    *,
    type: Any = None,
    pattern: Any = None,
    region: Any = None,
    services: Any = None,
    lata: Any = None,
    rate_center: Any = None,
    city: Any = None,
    npanxx: Any = None,
    local_calling_area: Any = None,
    eligible: Any = None,
) -> dict[str, Any]:
    """The search's query parameters, checked; ValueError names the bad filter and its form."""
    if not isinstance(country_iso, str) or len(country_iso.strip()) != 2 or not country_iso.strip().isalpha():
        raise ValueError(
            f"country_iso must be a two-letter ISO 3166-1 code like 'US', got {describe_value(country_iso)}"
        )
    params: dict[str, Any] = {"country_iso": country_iso.strip().upper()}
    if type is not None:
        if not isinstance(type, str) or type.strip().lower() not in SEARCH_TYPES:
            raise ValueError(f"type must be one of {', '.join(SEARCH_TYPES)}, got {describe_value(type)}")
        params["type"] = type.strip().lower()
    for name, value, sizes, what in (
        ("pattern", pattern, range(1, 16), "1-15 digits the number must contain, like '415'"),
        ("npanxx", npanxx, range(6, 7), "six digits (area code and exchange), like '415400'"),
        ("lata", lata, range(1, 7), "the LATA, digits like '722'"),
    ):
        if value is None:
            continue
        text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else None
        if text is None or not (text.isascii() and text.isdigit() and len(text) in sizes):
            raise ValueError(f"{name} must be {what}, got {describe_value(value)}")
        params[name] = text
    for name, value in zip(_TEXT_FILTERS, (region, rate_center, city), strict=True):
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip() or len(value) > 100:
            raise ValueError(
                f"{name} must be non-empty text of at most 100 characters, got {describe_value(value)}"
            )
        params[name] = value.strip()
    if services is not None:
        items = services.split(",") if isinstance(services, str) else services
        if not isinstance(items, list | tuple):
            raise ValueError(
                f"services must be a list of {', '.join(SERVICES)}, got {describe_value(services)}"
            )
        picked: list[str] = []
        for item in items:
            word = item.strip().lower() if isinstance(item, str) else None
            if word not in SERVICES:
                raise ValueError(
                    f"services must be a subset of {', '.join(SERVICES)} (like ['voice', 'sms']), "
                    f"got {describe_value(services)}"
                )
            if word not in picked:
                picked.append(word)
        if picked:
            params["services"] = ",".join(picked)
    for name, flag in (("local_calling_area", local_calling_area), ("eligible", eligible)):
        if flag is None:
            continue
        if not isinstance(flag, bool):
            raise ValueError(f"{name} must be true or false, got {describe_value(flag)}")
        params[name] = "true" if flag else "false"
    return params


class PhoneNumberOperations(Transport):
    """Mixed into `PlivoClient`, which sets the sessions and the account's base URL."""

    create_session: requests.Session
    _phone_numbers_url: str
    _check_limit: Callable[[Any, str], int]

    def search_phone_numbers(
        self, country_iso: str, *, limit: int = MAX_PAGE_SIZE, offset: int = 0, **filters: Any
    ) -> dict[str, Any]:
        """One page of numbers on offer: the raw ``{"meta": {...}, "objects": [...]}``. Filters:
        type, pattern, region, services, lata, rate_center, city, npanxx, local_calling_area,
        eligible (see `search_params`)."""
        params = search_params(country_iso, **filters)
        params["limit"] = self._check_limit(limit, "limit")
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise ValueError(f"offset must be an integer >= 0, got {describe_value(offset)}")
        params["offset"] = offset
        url = self._phone_numbers_url
        page = self._request("GET", url, params=params, operation="search numbers on offer")
        return self._check_offer_page(page, url)

    def iter_phone_numbers(
        self, country_iso: str, *, page_size: int = MAX_PAGE_SIZE, **filters: Any
    ) -> Iterator[dict[str, Any]]:
        """Every number on offer matching the filters, all pages, each once."""
        seen: set[str] = set()
        offset = 0
        pages = 0
        while True:
            page = self.search_phone_numbers(country_iso, limit=page_size, offset=offset, **filters)
            pages += 1
            objects = page["objects"]
            total = page["meta"]["total_count"]
            for obj in objects:
                if obj["number"] not in seen:
                    seen.add(obj["number"])
                    yield obj
            offset += len(objects)
            if not objects or offset >= total:
                return
            if pages > total // page_size + 10:
                raise PlivoError(
                    f"GET {self._phone_numbers_url} kept announcing more pages after {pages} pages; stopping"
                )

    def buy_phone_number(self, number: str, *, app_id: str | None = None) -> dict[str, Any]:
        """Buy `number`, linked to `app_id` (None: the account's default number application).
        Returns ``{"number", "status"}`` where status is "Success" or "pending" (documents needed).
        Raises NumberTakenError, BuyOutcomeUnknownError, or the usual typed errors."""
        num = normalize_number(number)
        body: dict[str, Any] = {}
        if app_id:
            body["app_id"] = normalize_app_id(app_id)
        url = f"{self._phone_numbers_url}{quote(num, safe='')}/"
        try:
            result = self._request(
                "POST", url, json_body=body, number=num, operation="buy number", session=self.create_session
            )
        except NotFoundError as exc:
            raise NumberTakenError(
                f"number {num} is no longer on offer ({exc.method} {exc.path} answered 404): someone else "
                "bought it since the search; buy another",
                status=404,
                number=num,
                method=exc.method,
                path=exc.path,
            ) from None
        except BadRequestError as exc:
            if "not available" in str(exc) or "no longer" in str(exc):
                raise NumberTakenError(
                    f"number {num} is no longer on offer: {exc}", status=exc.status, number=num
                ) from None
            raise
        except (ServerError, TransportError) as exc:
            raise BuyOutcomeUnknownError(
                f"{exc}. The buy of {num} may have been made all the same: look for {num} among the "
                "account's rented numbers before buying again",
                status=exc.status,
                number=num,
                method=exc.method,
                path=exc.path,
                attempts=exc.attempts,
            ) from None
        numbers = result.get("numbers") if isinstance(result, dict) else None
        entry = next((n for n in numbers or () if isinstance(n, dict) and str(n.get("number")) == num), None)
        if entry is None:
            raise BuyOutcomeUnknownError(
                f"POST {url} answered without naming {num} in 'numbers' ({describe_value(result, 200)}); "
                f"look for {num} among the account's rented numbers before buying again",
                number=num,
                method="POST",
            )
        status = str(entry.get("status") or "Success")
        return {"number": num, "status": "pending" if status.lower() == "pending" else "Success"}

    def _check_offer_page(self, page: Any, url: str) -> dict[str, Any]:
        meta = page.get("meta") if isinstance(page, dict) else None
        objects = page.get("objects") if isinstance(page, dict) else None
        if not isinstance(meta, dict) or not isinstance(objects, list):
            raise PlivoError(
                f"GET {url} did not answer a page with 'meta' and 'objects': {describe_value(page, 200)}"
            )
        total = meta.get("total_count")
        if not isinstance(total, int) or isinstance(total, bool) or total < 0:
            raise PlivoError(f"GET {url} answered a page without meta.total_count")
        checked = []
        for obj in objects:
            try:
                number = normalize_number(obj.get("number") if isinstance(obj, dict) else None)
            except ValueError:
                raise PlivoError(
                    f"GET {url} answered an offer without a valid number: {describe_value(obj, 200)}"
                ) from None
            checked.append({**obj, "number": number})
        return {**page, "objects": checked}
