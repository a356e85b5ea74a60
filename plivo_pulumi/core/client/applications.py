"""The Application API: create, get, list (all pages), find by name, modify (only the fields
given), delete.

Same retries, typed errors and secret hygiene as the number operations, with one difference: a
create is not idempotent, so it is retried only when the request cannot have reached the API (a
refused connection, a 429). After a read error or a 5xx the application may exist: the error says
so, and how to find it (`applications_named`, which the `Application` resource calls before and
after a create, so that no second application of a name is made).

A create sends `subaccount` only to name a subaccount as the owner: the main account is the
default owner of a main account's create, and the API refuses the field from a subaccount's
credentials (whose applications are always their own).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import requests

from ..applications import APP_FIELDS, validate_app_field
from ..errors import ApplicationNotFoundError, NotFoundError, ServerError, TransportError
from ..numbers import describe_value, normalize_app_id, subaccount_from_uri
from .transport import Transport

# The create/modify calls' name of the owner field, and the value for "the main account".
_SUBACCOUNT_ARG = "subaccount"


class ApplicationOperations(Transport):
    """Mixed into `PlivoClient`, which sets the sessions and URLs and provides paging."""

    create_session: requests.Session
    _applications_url: str
    _endpoint_confirmed: bool
    _check_limit: Callable[[Any, str], int]
    _iter_pages: Callable[..., Iterator[dict[str, Any]]]
    _confirmed_absent: Callable[[NotFoundError, str], NotFoundError]

    def create_application(self, app_name: str, answer_url: str, **fields: Any) -> dict[str, Any]:
        """Create an application; returns the API's ``{"message": "created", "app_id", "api_id"}``.

        ``fields``: any of the other create fields (`plivo_pulumi.core.applications.APP_FIELDS`); only
        the fields given are sent. ``subaccount=""`` or None (the main account) and the credentials'
        own subaccount are the default owner: not sent.
        """
        body = _body({"app_name": app_name, "answer_url": answer_url, **fields}, creating=self.auth_id)
        url = self._applications_url
        try:
            result = self._request(
                "POST", url, json_body=body, operation="create application", session=self.create_session
            )
        except (ServerError, TransportError) as exc:
            raise type(exc)(
                f"{exc}. The application {app_name!r} may have been created all the same: look for it "
                "by name (`applications_named`) before creating it again",
                status=exc.status,
                method=exc.method,
                path=exc.path,
                attempts=exc.attempts,
            ) from None
        app_id = result.get("app_id") if isinstance(result, dict) else None
        if isinstance(app_id, int) and not isinstance(app_id, bool):
            app_id = str(app_id)
        if not isinstance(app_id, str) or not (app_id.isascii() and app_id.isdigit()):
            raise self._malformed(
                "POST", url, None, 'a JSON object like {"message": "created", "app_id": "..."}', result
            )
        return {**result, "app_id": app_id}

    def get_application(self, app_id: str) -> dict[str, Any]:
        """One application object. Raises :class:`ApplicationNotFoundError` when the account has no
        such application (confirmed: see `PlivoClient._confirmed_absent`)."""
        app = normalize_app_id(app_id)
        url = self._application_url(app)
        try:
            body = self._request("GET", url, application=app, operation="get application")
        except ApplicationNotFoundError as exc:
            raise self._confirmed_absent(exc, "application") from None
        return self._check_application_object(body, "GET", url, app)

    def list_applications(
        self, *, subaccount: str | None = None, limit: int = 20, offset: int = 0
    ) -> dict[str, Any]:
        """One page of applications: the raw ``{"meta": {...}, "objects": [...], "api_id"}``."""
        params: dict[str, Any] = {"limit": self._check_limit(limit, "limit"), "offset": offset}
        if subaccount:
            params["subaccount"] = validate_app_field("subaccount", subaccount)
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise ValueError(f"offset must be an integer >= 0, got {describe_value(offset)}")
        url = self._applications_url
        page = self._request("GET", url, params=params, operation="list applications")
        return self._check_page(page, url, "application")

    def iter_applications(
        self,
        *,
        subaccount: str | None = None,
        page_size: int = 20,
        on_page: Callable[[int, int], Any] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every application of the account (its subaccounts' too, for a main account), all pages."""
        base = {"subaccount": validate_app_field("subaccount", subaccount)} if subaccount else {}
        page_size = self._check_limit(page_size, "page_size")
        return self._iter_pages(
            self._applications_url, base, page_size, "application", "list applications", on_page
        )

    def applications_named(self, app_name: str, subaccount: str = "") -> list[dict[str, Any]]:
        """The application objects named `app_name` owned by `subaccount` (`""`: the main account;
        under a subaccount's credentials its own id), from every page of the List call (the API has
        no name filter). More than one means the account already holds duplicates."""
        owner = validate_app_field("subaccount", subaccount) if subaccount else ""
        return [
            obj
            for obj in self.iter_applications()
            if obj.get("app_name") == app_name
            and subaccount_from_uri(obj.get("sub_account", obj.get("subaccount")) or None) == owner
        ]

    def modify_application(self, app_id: str, **fields: Any) -> dict[str, Any]:
        """Change the given fields, and only those; returns ``{"message": "changed", "api_id"}``.
        `app_name` cannot be changed (the API's modify does not take it)."""
        if "app_name" in fields:
            raise ValueError("app_name cannot be changed by the API: create a new application instead")
        if not fields:
            raise ValueError("modify_application needs at least one field to change")
        app = normalize_app_id(app_id)
        url = self._application_url(app)
        result = self._request(
            "POST", url, json_body=_body(fields), application=app, operation="modify application"
        )
        if not isinstance(result, dict) or not isinstance(result.get("api_id"), str) or "error" in result:
            raise self._malformed(
                "POST",
                url,
                None,
                'a JSON object like {"message": "changed", "api_id": "..."}',
                result,
                problem="the change was not confirmed",
            )
        return result

    def delete_application(
        self, app_id: str, *, cascade: bool | None = None, new_endpoint_application: str | None = None
    ) -> None:
        """Delete an application (permanent). ``cascade`` (API default true) also deletes the SIP
        endpoints that use it; ``new_endpoint_application`` moves them to that application instead.
        Raises :class:`ApplicationNotFoundError` when there is no such application (confirmed)."""
        app = normalize_app_id(app_id)
        params: dict[str, Any] = {}
        if cascade is not None:
            params["cascade"] = "true" if cascade else "false"
        if new_endpoint_application is not None:
            params["new_endpoint_application"] = normalize_app_id(new_endpoint_application)
        url = self._application_url(app)
        try:
            self._request(
                "DELETE", url, params=params or None, application=app, operation="delete application"
            )
        except ApplicationNotFoundError as exc:
            raise self._confirmed_absent(exc, "application") from None

    def _application_url(self, app_id: str) -> str:
        if not app_id:
            raise ValueError("an application id is required")
        return f"{self._applications_url}{app_id}/"


def _body(fields: dict[str, Any], creating: str | None = None) -> dict[str, Any]:
    """The JSON body of a create or modify: known fields only, validated and normalized. A modify
    sends the main account as owner as null; a create (`creating`: the credentials' auth_id) leaves
    out the default owner (the main account, or the credentials' own subaccount)."""
    unknown = sorted(set(fields) - set(APP_FIELDS))
    if unknown:
        raise ValueError(f"unknown application field(s) {', '.join(unknown)}; valid: {', '.join(APP_FIELDS)}")
    body: dict[str, Any] = {}
    for name, value in fields.items():
        if value is None:
            if name == _SUBACCOUNT_ARG and creating is None:
                body[name] = None
            continue
        try:
            body[name] = validate_app_field(name, value)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
        if name == _SUBACCOUNT_ARG and body[name] in ("", creating):
            if creating is not None:
                del body[name]
            else:
                body[name] = None
    return body
