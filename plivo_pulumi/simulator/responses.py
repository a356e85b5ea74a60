"""The real Number API of the reference: authentication, parameters, list / get / edit / unrent, and
the number object in the state's shape. The rules themselves live in the model (`models/`)."""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..core.numbers import application_uri, number_uri, subaccount_uri
from .application_responses import ApplicationApi
from .errors import ApiError, BadRequest, MethodNotAllowed, NotFound, Unauthorized
from .live_number import LIVE_FILTERS, current_object, live_filter
from .models import NUMBER_TYPES, SERVICES, UNSET, Account, Number, PlivoState, SimError
from .params import ASYNC_KEYS, MAX_PAGE_SIZE, no_params, page_meta, page_params, same_id
from .phone_number_responses import PhoneNumberApi
from .wire import HandlerBase, Reply, new_api_id

__all__ = ["MAX_PAGE_SIZE", "ROUTES", "NumberApi", "page_meta", "render_number"]

MAX_API_BODY = 1 << 20
_API_RE = re.compile(
    r"/v1/Account/(?P<account>[^/]+)/(?P<kind>Number|Application|PhoneNumber)(?:/(?P<key>[^/]+))?/?"
)
# The API's kinds of object: URL segment -> (collection, one object, the route's name of its key).
_KINDS = {
    "Number": ("numbers", "number", "{number}"),
    "Application": ("applications", "application", "{app_id}"),
    "PhoneNumber": ("phone_numbers", "phone_number", "{number}"),
}
# The reference's List parameters, `type` (the Python SDK's name of `number_type`) and the filters
# on the live object's fields that the SDKs send (`live_number.LIVE_FILTERS`).
_LIST_KEYS = (
    "number_type",
    "type",
    "number_startswith",
    "subaccount",
    "services",
    *LIVE_FILTERS,
    "limit",
    "offset",
)
# The reference's Edit parameters, and what the SDKs add: the Python SDK repeats the path's
# `number` in the body and may send `cnam_lookup` and `verification_info`.
_EDIT_KEYS = ("app_id", "subaccount", "alias", "number", "cnam_lookup", "verification_info")


def render_number(state: PlivoState, number: Number, caller_id: str) -> dict[str, Any]:
    """A number object as the API returns it to ``caller_id``, in the state's `number_shape`."""
    shape = state.number_shape
    if shape in ("current", "current_uri"):
        return current_object(state, number, caller_id, subaccount_as_uri=shape == "current_uri")
    app = state.application(number.app_id) if number.app_id else None
    # A link to an application that no longer exists (admin `keep_links`) still shows its URI.
    app_uri = (
        application_uri(app.account if app else number.account, number.app_id) if number.app_id else None
    )
    obj: dict[str, Any] = {  # the fields of the reference's List and Get answers
        "number": number.number,
        "description": number.description,
        "number_type": number.number_type,
        "voice_enabled": number.voice_enabled,
        "sms_enabled": number.sms_enabled,
        "plivo_number": number.plivo_number,
        "added_on": number.added_on,
        "application": app_uri,
        "resource_uri": number_uri(caller_id, number.number),
    }
    if shape == "reference":
        return obj
    obj["alias"] = number.alias
    obj["mms_enabled"] = number.mms_enabled
    key = "sub_account" if shape == "sub_account" else "subaccount"
    obj[key] = subaccount_uri(number.account, number.subaccount) if number.subaccount else None
    return obj


class NumberApi(HandlerBase):
    """The entry path of every API request, and the `/v1/Account/{auth_id}/Number/` routes."""

    def _api_entry(self, method: str, path: str, query: str) -> None:
        started = time.monotonic()
        match = _API_RE.fullmatch(path)
        route = "(unknown)"
        if match is not None:
            key_name = _KINDS[match["kind"]][2]
            route = f"/v1/Account/{{auth_id}}/{match['kind']}/" + (f"{key_name}/" if match["key"] else "")
        self._fields_sent: list[str] | None = None
        self._drop_answer = False
        account_id: str | None = None
        try:
            raw_body = self._read_body(MAX_API_BODY)
        except ApiError as exc:
            reply = Reply(exc.status, {"api_id": new_api_id(), "error": exc.message})
            self.server.request_log.add(method, path, route, reply.status, None, None)
            self._send(reply)
            return
        fault = self.server.faults.decide(method, path)
        if fault.latency:
            time.sleep(fault.latency)
        if fault.kind == "drop":
            self.server.request_log.add(method, path, route, None, None, "drop")
            self.server.log_line(f"{method} {path} -> dropped (fault)")
            self._drop()
            return
        if fault.kind == "rate_limit":
            retry_after = self.server.faults.current()["retry_after"]
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            reply = Reply(429, {"api_id": new_api_id(), "error": "too many requests, slow down"}, headers)
        elif fault.kind == "error":
            reply = Reply(
                fault.status or 500, {"api_id": new_api_id(), "error": "injected fault: server error"}
            )
        else:
            reply, account_id = self._api(method, path, query, raw_body, match)
        if self._drop_answer:
            # A buy made, then its answer lost (a `buy_lost` fault): the connection closes unanswered.
            self.server.request_log.add(
                method, path, route, reply.status, account_id, "drop_after", fields=self._fields_sent
            )
            self.server.log_line(f"{method} {path} -> {reply.status}, answer dropped (fault)")
            self._drop()
            return
        # Logged before the answer goes out, so a client that reads the log right after its answer
        # always finds its request there.
        self.server.request_log.add(
            method,
            path,
            route,
            reply.status,
            account_id,
            fault.kind or ("late" if fault.late else None),
            fields=self._fields_sent,
        )
        if fault.late:
            # Carried out, answered late: a client whose read timeout is shorter has given up.
            time.sleep(fault.late)
        try:
            self._send(reply)
        except OSError:
            if not fault.late:
                raise
            self.server.log_line(f"{method} {path} -> {reply.status} (late; the client had gone)")
            return
        self.server.log_line(
            f"{method} {path} -> {reply.status}{' (fault)' if fault.kind else ''} "
            f"{(time.monotonic() - started) * 1000:.0f} ms"
        )

    def _authenticate(self) -> Account:
        header = self.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic" or not value:
            raise Unauthorized(
                "authentication required: use HTTP Basic auth with your auth_id and auth_token",
                {"WWW-Authenticate": 'Basic realm="plivo-sim"'},
            )
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthorized(
                "malformed Basic auth header", {"WWW-Authenticate": 'Basic realm="plivo-sim"'}
            ) from None
        auth_id, sep, token = decoded.partition(":")
        account = self.server.state.authenticate(auth_id, token) if sep else None
        if account is None:
            raise Unauthorized(
                "authentication failed: invalid auth_id or auth_token",
                {"WWW-Authenticate": 'Basic realm="plivo-sim"'},
            )
        return account

    def _api(
        self, method: str, path: str, query: str, raw_body: bytes, match: re.Match[str] | None
    ) -> tuple[Reply, str | None]:
        api_id = new_api_id()
        account: Account | None = None
        try:
            if not path.startswith("/v1/"):
                raise NotFound("not found: the API lives under /v1/")
            account = self._authenticate()
            if match is None:
                raise NotFound(f"not found: no resource at {path[:100]}")
            if match["account"] != account.auth_id:
                raise Unauthorized(
                    f"the auth_id in the URL ({match['account'][:40]}) does not match the credentials "
                    f"({account.auth_id})",
                )
            key = match["key"]
            collection, one, _ = _KINDS[match["kind"]]
            resource = one if key else collection
            allowed = tuple(m for (r, m) in ROUTES if r == resource)
            if method not in allowed:
                raise MethodNotAllowed(
                    f"method {method} not allowed here; allowed: {', '.join(allowed)}",
                    {"Allow": ", ".join(allowed)},
                )
            params = self._params(method, query, raw_body)
            if method == "POST":
                self._fields_sent = sorted(k for k in params if k not in ASYNC_KEYS)
            callback = self._callback(params)
            if callback is None:
                return self._operate(method, account, resource, key, params, api_id), account.auth_id
            # Asynchronous mode: run now, answer with the api_id, deliver the result to the callback.
            try:
                result = self._operate(method, account, resource, key, params, api_id)
            except ApiError as exc:
                result = Reply(exc.status, {"api_id": api_id, "error": exc.message})
            self.server.deliver_callback(callback[0], callback[1], api_id, result.status, result.body)
            return Reply(202, {"api_id": api_id, "message": "async api spawned"}), account.auth_id
        except ApiError as exc:
            return Reply(exc.status, {"api_id": api_id, "error": exc.message}, exc.headers), (
                account.auth_id if account else None
            )

    def _params(self, method: str, query: str, raw_body: bytes) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for key, value in parse_qsl(query, keep_blank_values=True):
            if key in params:
                raise BadRequest(f"parameter {key} given twice")
            params[key] = value
        if raw_body.strip():
            # The SDKs send the parameters of every non-GET call as a JSON body, a DELETE's too.
            if method == "GET":
                raise BadRequest("GET requests take no body; send the parameters in the query string")
            ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            if ctype == "application/x-www-form-urlencoded":
                try:
                    form = dict(
                        parse_qsl(raw_body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
                    )
                except (UnicodeDecodeError, ValueError):
                    raise BadRequest("malformed form body") from None
                # Form bodies cannot carry null: "" (or "null") means null.
                body = {k: (None if v in ("", "null") else v) for k, v in form.items()}
            elif ctype in ("application/json", ""):
                try:
                    body = json.loads(raw_body)
                except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: nested too deep
                    raise BadRequest("malformed JSON body") from None
                if body == "":
                    # Plivo's Node SDK (4.79.0) sends a call without parameters (its unrent) with
                    # the JSON string "" as the body: no parameters, as the live API takes it.
                    body = {}
                if not isinstance(body, dict):
                    raise BadRequest("the JSON body must be an object")
            else:
                raise BadRequest(f"unsupported Content-Type {ctype[:60]}; send JSON or a form")
            params.update(body)
        return params

    @staticmethod
    def _callback(params: dict[str, Any]) -> tuple[str, str] | None:
        url = params.pop("callback_url", None)
        method = params.pop("callback_method", None)
        if url is None:
            if method is not None:
                raise BadRequest("callback_method requires callback_url")
            return None
        if (
            not isinstance(url, str)
            or urlsplit(url).scheme not in ("http", "https")
            or not urlsplit(url).netloc
        ):
            raise BadRequest("callback_url must be an http or https URL")
        method = "POST" if method is None else str(method).upper()
        if method not in ("GET", "POST"):
            raise BadRequest("callback_method must be GET or POST")
        return url, method

    def _operate(
        self,
        method: str,
        account: Account,
        resource: str,
        key: str | None,
        params: dict[str, Any],
        api_id: str,
    ) -> Reply:
        """Answer with the route of `ROUTES` for this resource and method."""
        answer = ROUTES[(resource, method)]
        if key is not None and not (key.isascii() and key.isdigit()):
            raise NotFound(f"{resource} {key[:40]} not found")
        try:
            return answer(self, account, key or "", params, api_id)
        except SimError as exc:
            raise ApiError.of(exc.status, exc.message) from None

    def _get(self, account: Account, number: str, params: dict[str, Any], api_id: str) -> Reply:
        no_params(params, ())
        state = self.server.state
        obj = render_number(state, state.get_number(account, number), account.auth_id)
        return Reply(200, dict(obj, api_id=api_id))

    def _edit(self, account: Account, number: str, params: dict[str, Any], api_id: str) -> Reply:
        no_params(params, _EDIT_KEYS)
        same_id(params, "number", number)
        info = params.get("verification_info")
        if info is not None and not isinstance(info, dict):
            raise BadRequest("invalid verification_info: expected an object")
        self.server.state.edit_number(
            account,
            number,
            app_id=self._app_id_param(params["app_id"]) if "app_id" in params else UNSET,
            subaccount=self._subaccount_param(params["subaccount"]) if "subaccount" in params else UNSET,
            alias=params["alias"] if "alias" in params else UNSET,
            cnam_lookup=params["cnam_lookup"] if "cnam_lookup" in params else UNSET,
        )
        return Reply(202, {"message": "changed", "api_id": api_id})

    def _unrent(self, account: Account, number: str, params: dict[str, Any], api_id: str) -> Reply:
        no_params(params, ())
        self.server.state.unrent_number(account, number)
        return Reply(204, None)

    @staticmethod
    def _app_id_param(value: Any) -> str | None:
        # The text "null" unlinks too: the Python SDK leaves out None and the Go SDK empty values,
        # so they unlink with it (reference/plivo-number-object-current.txt).
        if value is None or value in ("", "null"):
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            value = str(value)
        if not isinstance(value, str) or not (value.isascii() and value.isdigit() and len(value) <= 32):
            raise BadRequest("invalid app_id: expected the numeric application id, or null to unlink")
        return value

    @staticmethod
    def _subaccount_param(value: Any) -> str | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not re.fullmatch(r"SA[A-Z0-9]{18}", value):
            raise BadRequest("invalid subaccount: expected a subaccount auth_id (SA...), or null")
        return value

    def _list(self, account: Account, _key: str, params: dict[str, Any], api_id: str) -> Reply:
        no_params(params, _LIST_KEYS)
        if "type" in params:
            if params.get("number_type", params["type"]) != params["type"]:
                raise BadRequest("type and number_type disagree; send one of them (they are the same filter)")
            params["number_type"] = params.pop("type")
        number_type = params.get("number_type")
        if number_type is not None and number_type not in NUMBER_TYPES:
            raise BadRequest(
                f"invalid number_type {str(number_type)[:40]!r}; use one of {', '.join(NUMBER_TYPES)}"
            )
        prefix = params.get("number_startswith")
        if prefix is not None and not (prefix.isascii() and prefix.isdigit() and len(prefix) <= 15):
            raise BadRequest("invalid number_startswith: expected leading digits")
        subaccount = params.get("subaccount")
        if subaccount is not None and not re.fullmatch(r"SA[A-Z0-9]{18}", subaccount):
            raise BadRequest("invalid subaccount: expected a subaccount auth_id (SA...)")
        services: list[str] = []
        if params.get("services") is not None:
            for item in params["services"].split(","):
                if item.strip() not in SERVICES:
                    raise BadRequest(
                        f"invalid services: use a comma-separated subset of {', '.join(SERVICES)}"
                    )
                services.append(item.strip())
        limit, offset = page_params(params)
        try:
            page, total = self.server.state.list_numbers(
                account,
                number_type=number_type,
                number_startswith=prefix,
                subaccount=subaccount,
                services=services,
                limit=limit,
                offset=offset,
                where=live_filter(params),
            )
        except SimError as exc:
            raise ApiError.of(exc.status, exc.message) from None
        filters: dict[str, Any] = {
            k: params[k]
            for k in ("number_type", "number_startswith", "subaccount", "services", *LIVE_FILTERS)
            if k in params
        }
        meta = page_meta(f"/v1/Account/{account.auth_id}/Number/", limit, offset, total, filters)
        objects = [render_number(self.server.state, n, account.auth_id) for n in page]
        return Reply(200, {"api_id": api_id, "meta": meta, "objects": objects})


# The API's routes as data: (resource, method) -> the method that answers, called with (handler,
# account, key, params, api_id). `numbers` is the collection (`/Number/`), `number` one number
# (`/Number/{number}/`); the same for `applications` and `application` (`application_responses.py`).
# The server's handler class has both halves.
Answer = Callable[[Any, Account, str, dict[str, Any], str], Reply]
ROUTES: dict[tuple[str, str], Answer] = {
    ("numbers", "GET"): NumberApi._list,
    ("number", "GET"): NumberApi._get,
    ("number", "POST"): NumberApi._edit,
    ("number", "DELETE"): NumberApi._unrent,
    ("applications", "GET"): ApplicationApi._app_list,
    ("applications", "POST"): ApplicationApi._app_create,
    ("application", "GET"): ApplicationApi._app_get,
    ("application", "POST"): ApplicationApi._app_modify,
    ("application", "DELETE"): ApplicationApi._app_delete,
    ("phone_numbers", "GET"): PhoneNumberApi._search,
    ("phone_number", "POST"): PhoneNumberApi._buy,
}
