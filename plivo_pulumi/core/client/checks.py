"""The response-checking layer: an answer is used only when it has what the operation needs."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from ..contract import subaccount_field
from ..errors import (
    MalformedResponseError,
    Scrubber,
    safe_excerpt,
)
from ..numbers import (
    app_id_from_uri,
    normalize_number,
    subaccount_from_uri,
)

BASE_URL_HINT = "check plivo:baseUrl / PLIVO_BASE_URL (default https://api.plivo.com/v1)"


class ResponseChecks:
    """Checks of API answers; `auth_id` and `_scrub` come from `PlivoClient`."""

    auth_id: str
    _scrub: Scrubber

    def _malformed(
        self,
        method: str,
        url: str,
        number: str | None,
        expected: str,
        got: Any,
        *,
        status: int | None = None,
        problem: str | None = None,
    ) -> MalformedResponseError:
        path = urlsplit(url).path
        if isinstance(got, bytes | str) or got is None:
            excerpt = safe_excerpt(got, self._scrub)
        else:
            excerpt = safe_excerpt(json.dumps(got, default=str), self._scrub)
        target = f" for number {number}" if number else ""
        what = f": {problem}" if problem else ""
        return MalformedResponseError(
            f"unexpected answer to {method} {path}{target}{what}; expected {expected}, got {excerpt}. "
            f"Is the base URL a Plivo API endpoint? {BASE_URL_HINT}",
            status=status,
            number=number,
            method=method,
            path=path,
        )

    def _check_async(self, body: Any, method: str, url: str, number: str | None) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("api_id"), str) or not body["api_id"]:
            raise self._malformed(method, url, number, 'an asynchronous answer {"api_id": ...}', body)
        return body

    def _check_number_object(
        self, obj: Any, method: str, url: str, expected_number: str | None
    ) -> dict[str, Any]:
        expected = "a number object with 'number' and 'application'"
        if not isinstance(obj, dict):
            raise self._malformed(method, url, expected_number, expected, obj)
        raw = obj.get("number")
        if not isinstance(raw, str | int) or isinstance(raw, bool):
            raise self._malformed(method, url, expected_number, expected, obj, problem="'number' is missing")
        try:
            got = normalize_number(raw)
        except ValueError:
            raise self._malformed(
                method,
                url,
                expected_number,
                expected,
                obj,
                problem="'number' is not a phone number of 8-15 digits",
            ) from None
        if expected_number is not None and got != expected_number:
            raise self._malformed(
                method, url, expected_number, expected, obj, problem=f"it describes number {got} instead"
            )
        if "application" not in obj:
            raise self._malformed(method, url, got, expected, obj, problem="'application' is missing")
        fields = [("application", app_id_from_uri, "an application URI")]
        sub_key = subaccount_field(obj)  # none at all in the reference's shape
        if sub_key is not None:
            fields.append((sub_key, subaccount_from_uri, "a subaccount auth id or URI"))
        for key, parse, kind in fields:
            try:
                parse(obj[key])
            except ValueError:
                raise self._malformed(
                    method, url, got, expected, obj, problem=f"bad '{key}' (expected null or {kind})"
                ) from None
        for flag in ("voice_enabled", "sms_enabled"):
            if flag in obj and not isinstance(obj[flag], bool):
                raise self._malformed(method, url, got, expected, obj, problem=f"'{flag}' is not a boolean")
        return obj

    def _check_application_object(
        self, obj: Any, method: str, url: str, app_id: str | None
    ) -> dict[str, Any]:
        expected = "an application object with 'app_id' and 'app_name'"
        if not isinstance(obj, dict):
            raise self._malformed(method, url, None, expected, obj)
        got = obj.get("app_id")
        if isinstance(got, int) and not isinstance(got, bool):
            got = obj["app_id"] = str(got)
        if not isinstance(got, str) or not (got.isascii() and got.isdigit()):
            raise self._malformed(method, url, None, expected, obj, problem="'app_id' is missing")
        if app_id is not None and got != app_id:
            raise self._malformed(
                method,
                url,
                None,
                expected,
                obj,
                problem=f"it describes application {got} instead of {app_id}",
            )
        if not isinstance(obj.get("app_name"), str):
            raise self._malformed(method, url, None, expected, obj, problem="'app_name' is missing")
        try:
            subaccount_from_uri(obj.get("sub_account") or None)
        except ValueError:
            raise self._malformed(
                method,
                url,
                None,
                expected,
                obj,
                problem="bad 'sub_account' (expected null, a subaccount auth id or URI)",
            ) from None
        return obj

    def _check_page(self, page: Any, url: str, kind: str = "number") -> dict[str, Any]:
        expected = "a page {'meta': {'total_count', 'limit', 'offset', ...}, 'objects': [...]}"
        if not isinstance(page, dict):
            raise self._malformed("GET", url, None, expected, page)
        meta = page.get("meta")
        objects = page.get("objects")
        if not isinstance(meta, dict):
            raise self._malformed("GET", url, None, expected, page, problem="'meta' is missing")
        if not isinstance(objects, list):
            raise self._malformed("GET", url, None, expected, page, problem="'objects' is missing")
        for key in ("total_count", "limit", "offset"):
            value = meta.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise self._malformed("GET", url, None, expected, meta, problem=f"meta.{key} is missing")
        for obj in objects:
            if kind == "number":
                self._check_number_object(obj, "GET", url, None)
            else:
                self._check_application_object(obj, "GET", url, None)
        return page
