"""The Application API of the reference (create, get, list, modify, delete) over HTTP: parameters,
statuses and the application object. The rules live in the model (`model.py`); authentication,
faults, the request log and asynchronous mode are the number routes' own (`responses.py`)."""

from __future__ import annotations

import re
from typing import Any

from ..applications import validate_app_field
from ..numbers import subaccount_uri
from .errors import BadRequest
from .model import APP_API_FIELDS, APP_MODIFIABLE, Account, Application, PlivoState
from .wire import HandlerBase, Reply

_FLAGS = ("default_number_app", "default_endpoint_app", "log_incoming_messages")
_DELETE_KEYS = ("cascade", "new_endpoint_application")
_SUBACCOUNT_RE = re.compile(r"SA[A-Z0-9]{18}")


def render_application(state: PlivoState, app: Application, caller_id: str) -> dict[str, Any]:
    """An application object as GET and List return it (the reference's field names)."""
    owner = state.account(app.account)
    sub_account = subaccount_uri(owner.main_id, app.account) if owner and not owner.is_main else None
    return {
        "app_id": app.app_id,
        "app_name": app.app_name,
        "answer_url": app.answer_url,
        "answer_method": app.answer_method,
        "hangup_url": app.hangup_url,
        "hangup_method": app.hangup_method,
        "fallback_answer_url": app.fallback_answer_url,
        "fallback_method": app.fallback_method,
        "message_url": app.message_url,
        "message_method": app.message_method,
        "default_app": app.default_number_app,
        "default_endpoint_app": app.default_endpoint_app,
        "enabled": app.enabled,
        "public_uri": app.public_uri,
        "sip_uri": f"sip:{app.app_id}@app.plivo.com",
        "sub_account": sub_account,
        "log_incoming_messages": app.log_incoming_messages,
        "resource_uri": f"/v1/Account/{caller_id}/Application/{app.app_id}/",
    }


class ApplicationApi(HandlerBase):
    """The `/v1/Account/{auth_id}/Application/` routes (dispatched from `responses.ROUTES`)."""

    _no_params: Any  # from NumberApi, with which this class is combined in the server's handler
    _page_params: Any

    def _app_create(self, account: Account, params: dict[str, Any], api_id: str) -> Reply:
        app = self.server.state.create_application(account, _fields(params, APP_API_FIELDS))
        return Reply(201, {"message": "created", "app_id": app.app_id, "api_id": api_id})

    def _app_get(self, account: Account, app_id: str, params: dict[str, Any], api_id: str) -> Reply:
        self._no_params(params, ())
        state = self.server.state
        return Reply(
            200,
            {
                **render_application(state, state.get_application(account, app_id), account.auth_id),
                "api_id": api_id,
            },
        )

    def _app_list(self, account: Account, params: dict[str, Any], api_id: str) -> Reply:
        from .responses import page_meta

        self._no_params(params, ("subaccount", "limit", "offset"))
        subaccount = params.get("subaccount")
        if subaccount is not None and not _SUBACCOUNT_RE.fullmatch(str(subaccount)):
            raise BadRequest("invalid subaccount: expected a subaccount auth_id (SA...)")
        limit, offset = self._page_params(params)
        state = self.server.state
        page, total = state.list_applications(account, subaccount=subaccount, limit=limit, offset=offset)
        filters = {"subaccount": subaccount} if subaccount is not None else {}
        meta = page_meta(f"/v1/Account/{account.auth_id}/Application/", limit, offset, total, filters)
        objects = [render_application(state, a, account.auth_id) for a in page]
        return Reply(200, {"api_id": api_id, "meta": meta, "objects": objects})

    def _app_modify(self, account: Account, app_id: str, params: dict[str, Any], api_id: str) -> Reply:
        if "app_name" in params:
            raise BadRequest("app_name cannot be changed; create a new application instead")
        self.server.state.modify_application(account, app_id, _fields(params, APP_MODIFIABLE))
        return Reply(202, {"message": "changed", "api_id": api_id})

    def _app_delete(self, account: Account, app_id: str, params: dict[str, Any], api_id: str) -> Reply:
        self._no_params(params, _DELETE_KEYS)
        if params.get("cascade") is not None:
            _flag("cascade", params["cascade"])  # endpoints are not modelled: checked, then ignored
        other = params.get("new_endpoint_application")
        if other is not None and not (str(other).isascii() and str(other).isdigit()):
            raise BadRequest("invalid new_endpoint_application: expected an application id")
        self.server.state.delete_application(
            account, app_id, new_endpoint_application=None if other is None else str(other)
        )
        return Reply(204, None)


def _flag(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise BadRequest(f"invalid {name}: expected true or false")


def _fields(params: dict[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """The validated fields of a create or modify; unknown parameters are refused by name."""
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise BadRequest(
            f"unknown parameter(s) {', '.join(k[:40] for k in unknown[:5])}; allowed: {', '.join(allowed)}"
        )
    fields: dict[str, Any] = {}
    for name, value in params.items():
        if name == "subaccount":
            if value in (None, ""):
                fields[name] = None
            elif isinstance(value, str) and _SUBACCOUNT_RE.fullmatch(value):
                fields[name] = value
            else:
                raise BadRequest("invalid subaccount: expected a subaccount auth_id (SA...), or null")
        elif name in _FLAGS:
            fields[name] = _flag(name, value)
        elif value is None and name not in ("app_name", "answer_url"):
            fields[name] = "" if name.endswith("_url") else "POST"
        else:
            try:
                fields[name] = validate_app_field(name, value)
            except ValueError as exc:
                raise BadRequest(f"invalid {name}: {exc}") from None
    return fields
