"""A client for the Plivo Number API (list, get, edit, unrent), built on ``requests``.

* Basic auth with the account's auth_id / auth_token; the token never appears in messages, reprs or
  log lines (every error message is scrubbed).
* Retries through urllib3's ``Retry`` mounted on the session: 429 (honouring ``Retry-After``),
  500/502/503/504, connection errors, read errors and timeouts, for GET, POST and DELETE (all three
  are idempotent for this API: an edit sets absolute values, an unrent of an unrented number is a
  404). When the retries are exhausted the typed error says how many attempts were made.
* JSON request bodies; responses are checked for the fields each operation needs
  (:class:`~plivo_pulumi.core.errors.MalformedResponseError` otherwise).
* Asynchronous mode: every operation accepts ``callback_url`` / ``callback_method``; the API then
  answers at once with an ``api_id`` and delivers the real response to the callback.

Example::

    with PlivoClient("MA...", token) as client:
        for obj in client.iter_numbers(number_type="local"):
            print(obj["number"], obj["application"])
        client.update_number("+1 567 698 8323", app_id="72509666337566")
        client.update_number("15676988323", app_id=None)  # unlink the application
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter

from ..errors import (
    CONFIG_HINT,
    AuthenticationError,
    MalformedResponseError,
    NotFoundError,
    NumberNotFoundError,
    Scrubber,
)
from ..numbers import describe_value, normalize_app_id, normalize_number, normalize_subaccount
from .applications import ApplicationOperations
from .checks import BASE_URL_HINT
from .phone_numbers import BuyOutcomeUnknownError, NumberTakenError, PhoneNumberOperations
from .transport import (
    CALLBACK_METHODS,
    DEFAULT_BASE_URL,
    MAX_PAGE_SIZE,
    RETRY_METHODS,
    RETRY_STATUSES,
    SERVICES,
    USER_AGENT,
    Transport,
    _BasicAuth,
    _CountingRetry,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_PAGE_SIZE",
    "UNSET",
    "USER_AGENT",
    "BuyOutcomeUnknownError",
    "NumberTakenError",
    "PlivoClient",
]


class _Unset:
    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()
"""Sentinel for :meth:`PlivoClient.update_number`: the field is not sent at all."""


class PlivoClient(PhoneNumberOperations, ApplicationOperations, Transport):
    """Client for ``/Account/{auth_id}/Number/`` and ``/Account/{auth_id}/Application/`` of the Plivo
    REST API (the application operations: `plivo_pulumi.core.client.applications`)."""

    def __init__(
        self,
        auth_id: str,
        auth_token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: tuple[float, float] = (5.0, 30.0),
        max_retries: int = 5,
        backoff_factor: float = 0.5,
        pool_maxsize: int = 16,
    ) -> None:
        if not isinstance(auth_id, str) or not auth_id.strip():
            raise AuthenticationError(f"no Plivo auth_id given; {CONFIG_HINT}")
        if not isinstance(auth_token, str) or not auth_token:
            raise AuthenticationError(f"no Plivo auth token given for account {auth_id}; {CONFIG_HINT}")
        auth_id = auth_id.strip()
        if not isinstance(base_url, str) or not base_url.strip():
            base_url = DEFAULT_BASE_URL
        base_url = base_url.strip().rstrip("/")
        parts = urlsplit(base_url)
        self._scrub = Scrubber(auth_id, [auth_token])
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"base URL {self._scrub(describe_value(base_url, 80))} is not an http(s) URL; {BASE_URL_HINT}"
            )
        if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
            raise ValueError(f"max_retries must be a non-negative integer, got {max_retries!r}")
        self.auth_id: str = auth_id
        self.base_url: str = base_url
        if isinstance(timeout, int | float) and not isinstance(timeout, bool):
            timeout = (float(timeout), float(timeout))
        connect, read = timeout
        self.timeout: tuple[float, float] = (float(connect), float(read))
        self.max_retries = max_retries
        self.retry = _CountingRetry(
            total=max_retries,
            backoff_factor=backoff_factor,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=RETRY_METHODS,
            respect_retry_after_header=True,
            raise_on_status=False,
            raise_on_redirect=False,
        )
        self.session = _session(auth_id, auth_token, base_url, self.retry, pool_maxsize)
        # A create is not idempotent: retried only when the request surely did not reach the API
        # (connection refused, 429), never after a read error or a 5xx, which may follow a creation.
        self.create_retry = _CountingRetry(
            total=max_retries,
            connect=max_retries,
            read=0,
            other=0,
            status=max_retries,
            backoff_factor=backoff_factor,
            status_forcelist=(429,),
            allowed_methods=frozenset({"POST"}),
            respect_retry_after_header=True,
            raise_on_status=False,
            raise_on_redirect=False,
        )
        self.create_session = _session(auth_id, auth_token, base_url, self.create_retry, 4)
        account_url = f"{base_url}/Account/{quote(auth_id, safe='')}"
        self._numbers_url = f"{account_url}/Number/"
        self._applications_url = f"{account_url}/Application/"
        self._phone_numbers_url = f"{account_url}/PhoneNumber/"
        # Set once a List answer proved this base URL and account real (see `_confirmed_absent`).
        self._endpoint_confirmed = False

    def __repr__(self) -> str:
        return f"PlivoClient(auth_id={self.auth_id!r}, base_url={self._scrub(self.base_url)!r})"

    # -- context management -------------------------------------------------------------------

    def close(self) -> None:
        self.session.close()
        self.create_session.close()

    def __enter__(self) -> PlivoClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- operations -----------------------------------------------------------------------------

    def list_numbers(
        self,
        *,
        number_type: str | None = None,
        number_startswith: str | int | None = None,
        subaccount: str | None = None,
        services: str | Iterable[str] | None = None,
        limit: int = MAX_PAGE_SIZE,
        offset: int = 0,
        callback_url: str | None = None,
        callback_method: str | None = None,
    ) -> dict[str, Any]:
        """One page of rented numbers: the raw ``{"meta": {...}, "objects": [...], "api_id": ...}``.

        Filters (all optional): ``number_type`` (``local``, ``tollfree``, ...), ``number_startswith``
        (leading digits), ``subaccount`` (auth_id or URI), ``services`` (``"voice"``, ``"sms"``,
        ``"voice,sms"`` or a list of them). ``limit`` is 1-20 (the API's maximum; larger values are
        refused here rather than silently truncated), ``offset`` >= 0. In asynchronous mode
        (``callback_url``) returns the API's ``{"api_id": ..., "message": ...}``.
        """
        params = list_filter_params(number_type, number_startswith, subaccount, services)
        params["limit"] = self._check_limit(limit, "limit")
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise ValueError(f"offset must be an integer >= 0, got {describe_value(offset)}")
        params["offset"] = offset
        params.update(self._async_params(callback_url, callback_method))
        page = self._request("GET", self._numbers_url, params=params, operation="list rented numbers")
        if callback_url is not None:
            return self._check_async(page, "GET", self._numbers_url, None)
        checked = self._check_page(page, self._numbers_url)
        self._endpoint_confirmed = True
        return checked

    def iter_numbers(
        self,
        *,
        number_type: str | None = None,
        number_startswith: str | int | None = None,
        subaccount: str | None = None,
        services: str | Iterable[str] | None = None,
        alias: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
        on_page: Callable[[int, int], Any] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every rented number matching the filters, across all pages (one GET per page).

        ``alias`` filters on the number's alias (a filter the live API takes and its SDKs send, not
        in the reference): callers that depend on it check each object's alias themselves.

        ``on_page(fetched_so_far, total_count)`` is called after each page, for progress reports.
        A number seen on an earlier page is not yielded again (pages can shift when numbers are
        rented or unrented while paging).
        """
        page_size = self._check_limit(page_size, "page_size")
        base = list_filter_params(number_type, number_startswith, subaccount, services)
        if alias is not None:
            if not isinstance(alias, str) or not alias:
                raise ValueError(f"alias filter must be a non-empty string, got {describe_value(alias)}")
            base["alias"] = alias
        return self._iter_pages(self._numbers_url, base, page_size, "number", "list rented numbers", on_page)

    def list_all_numbers(self, in_flight: int = 8) -> list[dict[str, Any]]:
        """Every rented number of the account: page 1 tells the size, the other pages are fetched
        `in_flight` at a time (for whole-account reads where waiting page after page would cost
        pages × latency). A number on two pages (the account changed meanwhile) is kept once."""
        first = self.list_numbers(limit=MAX_PAGE_SIZE, offset=0)
        total = int(first["meta"]["total_count"])
        offsets = range(MAX_PAGE_SIZE, total, MAX_PAGE_SIZE)
        with ThreadPoolExecutor(max_workers=max(1, in_flight)) as pool:
            pages = list(pool.map(lambda off: self.list_numbers(limit=MAX_PAGE_SIZE, offset=off), offsets))
        seen: dict[str, dict[str, Any]] = {}
        for page in (first, *pages):
            for obj in page["objects"]:
                seen.setdefault(str(obj["number"]), obj)
        return list(seen.values())

    def _iter_pages(
        self,
        url: str,
        base: dict[str, Any],
        page_size: int,
        kind: str,
        operation: str,
        on_page: Callable[[int, int], Any] | None,
    ) -> Iterator[dict[str, Any]]:
        """Every object of a List endpoint, page after page; `kind` ("number" or "application")
        says how objects are checked and what identifies one (`number` / `app_id`)."""
        key = "number" if kind == "number" else "app_id"
        path = urlsplit(url).path
        offset = 0
        fetched = 0
        seen: set[str] = set()
        max_pages: int | None = None
        pages = 0
        stale_pages = 0
        while True:
            params = dict(base, limit=page_size, offset=offset)
            page = self._check_page(self._request("GET", url, params=params, operation=operation), url, kind)
            pages += 1
            objects = page["objects"]
            total = page["meta"]["total_count"]
            if max_pages is None:
                # Guard against a server that never stops paging; allow for growth while we page.
                max_pages = total // page_size + 10
            fresh = [obj for obj in objects if str(obj[key]) not in seen]
            stale_pages = stale_pages + 1 if objects and not fresh else 0
            # A page of repeats can happen when many objects are added while paging; three in a row
            # means the server ignores offset.
            if stale_pages >= 3:
                raise MalformedResponseError(
                    f"GET {path} answered offset {offset} with objects it had already returned; "
                    "the API seems to ignore offset, stopping to avoid an endless loop",
                    method="GET",
                    path=path,
                )
            for obj in fresh:
                seen.add(str(obj[key]))
                fetched += 1
                yield obj
            if on_page is not None:
                on_page(fetched, total)
            offset += len(objects)
            # total_count decides, not meta.next: a missing "next" must not silently cut the listing.
            if not objects or offset >= total:
                return
            if pages >= max_pages:
                raise MalformedResponseError(
                    f"GET {path} kept announcing more pages after {pages} pages "
                    f"(total_count {total}); stopping to avoid an endless loop",
                    method="GET",
                    path=path,
                )

    def get_number(
        self, number: str, *, callback_url: str | None = None, callback_method: str | None = None
    ) -> dict[str, Any]:
        """Details of one rented number (raw API object, with ``application`` as a URI or null).

        Raises :class:`NotFoundError` when the account does not rent the number.
        """
        num = normalize_number(number)
        url = self._number_url(num)
        params = self._async_params(callback_url, callback_method)
        try:
            body = self._request("GET", url, params=params or None, number=num, operation="get number")
        except NumberNotFoundError as exc:
            raise self._confirmed_absent(exc) from None
        if callback_url is not None:
            return self._check_async(body, "GET", url, num)
        return self._check_number_object(body, "GET", url, num)

    def update_number(
        self,
        number: str,
        *,
        app_id: Any = UNSET,
        subaccount: Any = UNSET,
        alias: Any = UNSET,
        callback_url: str | None = None,
        callback_method: str | None = None,
    ) -> dict[str, Any]:
        """Edit a number's application, subaccount and/or alias; returns ``{"message": "changed", "api_id"}``.

        Only the fields given are sent. ``app_id=None`` or ``""`` unlinks the application (sent as
        JSON ``null``); ``subaccount=None`` or ``""`` moves the number back to the main account (sent
        as JSON ``null``). Ids may be given bare or as the URIs the API returns.
        """
        num = normalize_number(number)
        body: dict[str, Any] = {}
        if app_id is not UNSET:
            body["app_id"] = None if app_id is None else (normalize_app_id(app_id) or None)
        if subaccount is not UNSET:
            body["subaccount"] = None if subaccount is None else (normalize_subaccount(subaccount) or None)
        if alias is not UNSET:
            if alias is not None and not isinstance(alias, str):
                raise ValueError(f"alias must be text or None, got {describe_value(alias)}")
            body["alias"] = alias
        body.update(self._async_params(callback_url, callback_method))
        url = self._number_url(num)
        result = self._request("POST", url, json_body=body, number=num, operation="edit number")
        if callback_url is not None:
            return self._check_async(result, "POST", url, num)
        expected = 'a JSON object like {"message": "changed", "api_id": "..."}'
        if not isinstance(result, dict):
            raise self._malformed("POST", url, num, expected, result)
        # Every Plivo answer carries an api_id; a 2xx without one (`{}` from a proxy or a stub) is not
        # proof that the edit happened, and the provider would record a binding that was never applied.
        if "error" in result or not isinstance(result.get("api_id"), str) or not result["api_id"]:
            raise self._malformed(
                "POST", url, num, expected, result, problem="no api_id: the edit was not confirmed"
            )
        return result

    def unrent_number(
        self, number: str, *, callback_url: str | None = None, callback_method: str | None = None
    ) -> str | None:
        """Unrent (release) a number. Returns None, or the ``api_id`` in asynchronous mode.

        Raises :class:`NotFoundError` when the number is not rented by this account.
        """
        num = normalize_number(number)
        url = self._number_url(num)
        params = self._async_params(callback_url, callback_method)
        try:
            result = self._request(
                "DELETE", url, params=params or None, number=num, operation="unrent number"
            )
        except NumberNotFoundError as exc:
            raise self._confirmed_absent(exc) from None
        if callback_url is not None:
            return self._check_async(result, "DELETE", url, num)["api_id"]
        return None

    def _confirmed_absent(self, error: NotFoundError, kind: str = "number") -> NotFoundError:
        """A 404 for one number (or application) proves it absent only if the account's list of them
        answers at the same base URL: a wrong base URL, a proxy or a gateway can answer JSON 404s for
        every path, and taking those for "gone" would empty a stack's state. Costs one List call, once
        per client, and only after a 404."""
        if not self._endpoint_confirmed:
            try:
                if kind == "number":
                    self.list_numbers(limit=1)
                else:
                    self.list_applications(limit=1)
            except NotFoundError as exc:
                gone = "unrented" if kind == "number" else "deleted"
                return NotFoundError(
                    f"{error.method} {error.path} answered 404, and so did the account's {kind} list "
                    f"({exc.method} {exc.path}): the endpoint is wrong, not the {kind}, so nothing is "
                    f"taken for {gone}; {BASE_URL_HINT}",
                    status=404,
                    number=error.number,
                    method=error.method,
                    path=error.path,
                    attempts=error.attempts,
                )
            self._endpoint_confirmed = True
        return error

    # -- parameter helpers ----------------------------------------------------------------------

    def _number_url(self, number: str) -> str:
        return f"{self._numbers_url}{number}/"

    @staticmethod
    def _check_limit(value: Any, name: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_PAGE_SIZE:
            raise ValueError(
                f"{name} must be an integer from 1 to {MAX_PAGE_SIZE} (the API's maximum page size), "
                f"got {describe_value(value)}; use iter_numbers() to fetch more"
            )
        return value

    @staticmethod
    def _async_params(callback_url: Any, callback_method: Any) -> dict[str, Any]:
        if callback_url is None:
            if callback_method is not None:
                raise ValueError("callback_method is only meaningful together with callback_url")
            return {}
        if not isinstance(callback_url, str) or urlsplit(callback_url).scheme not in ("http", "https"):
            raise ValueError(f"callback_url must be an http(s) URL, got {describe_value(callback_url)}")
        params = {"callback_url": callback_url}
        if callback_method is not None:
            method = str(callback_method).upper()
            if method not in CALLBACK_METHODS:
                raise ValueError(
                    f"callback_method must be GET or POST, got {describe_value(callback_method)}"
                )
            params["callback_method"] = method
        return params


def list_filter_params(
    number_type: Any = None, number_startswith: Any = None, subaccount: Any = None, services: Any = None
) -> dict[str, Any]:
    """The List API query parameters for these filters, normalized; ValueError names a bad one.

    Public so that callers (the audit) can refuse bad filters before any other work."""
    params: dict[str, Any] = {}
    if number_type is not None:
        if not isinstance(number_type, str) or not number_type.isascii() or not number_type.isalpha():
            raise ValueError(
                f"number_type must be a word like 'local' or 'tollfree', got {describe_value(number_type)}"
            )
        params["number_type"] = number_type.lower()
    if number_startswith is not None:
        if isinstance(number_startswith, bool) or not isinstance(number_startswith, str | int):
            raise ValueError(
                "number_startswith must be leading digits like '1567', "
                f"got {describe_value(number_startswith)}"
            )
        prefix = str(number_startswith).strip().lstrip("+").replace(" ", "").replace("-", "")
        if not (prefix.isascii() and prefix.isdigit() and len(prefix) <= 15):
            raise ValueError(
                "number_startswith must be 1-15 ASCII digits like '1567', "
                f"got {describe_value(number_startswith)}"
            )
        params["number_startswith"] = prefix
    if subaccount is not None:
        sub = normalize_subaccount(subaccount)
        if not sub:
            raise ValueError('subaccount filter must be a subaccount auth_id, not ""')
        params["subaccount"] = sub
    if services is not None:
        items = services.split(",") if isinstance(services, str) else list(services)
        cleaned = []
        for item in items:
            word = item.strip().lower() if isinstance(item, str) else None
            if word not in SERVICES:
                raise ValueError(
                    f"services must be a comma-separated subset of {', '.join(SERVICES)} "
                    f"(like 'voice,sms'), got {describe_value(services)}"
                )
            if word not in cleaned:
                cleaned.append(word)
        if not cleaned:
            raise ValueError("services must name at least one of " + ", ".join(SERVICES))
        params["services"] = ",".join(cleaned)
    return params


def _session(
    auth_id: str, auth_token: str, base_url: str, retry: _CountingRetry, pool_maxsize: int
) -> requests.Session:
    """A Session with Basic auth, our headers, and `retry` mounted for http and https."""
    session = requests.Session()
    session.auth = _BasicAuth(auth_id, auth_token)
    session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
    adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=pool_maxsize)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    # Proxy and CA settings from the environment are read once, here: with `trust_env` on,
    # requests scans the whole environment again on every request (a quarter of a call's CPU).
    session.proxies.update(requests.utils.get_environ_proxies(base_url))
    ca_bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if ca_bundle:
        session.verify = ca_bundle
    session.trust_env = False
    return session
