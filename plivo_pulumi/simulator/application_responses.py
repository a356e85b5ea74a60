"""The Application API of the reference (create, get, list, modify, delete) over HTTP: which
parameters each call takes, its status and the application object. The rules and the checks of the
fields live in the model (`models/applications.py`); authentication, faults, the request log and
asynchronous mode are the shared entry path of `responses.py`, whose `ROUTES` table dispatches here."""

from __future__ import annotations

from typing import Any

from ..core.numbers import is_subaccount_id, subaccount_uri
from .errors import BadRequest
from .models import Account, Application, PlivoState
from .params import no_params, page_meta, page_params, same_id
from .wire import HandlerBase, Reply

_LIST_KEYS = ("subaccount", "app_name", "limit", "offset")  # app_name: the SDKs' filter
_DELETE_KEYS = ("cascade", "new_endpoint_application")


def render_application(state: PlivoState, app: Application, caller_id: str) -> dict[str, Any]:
    """An application object as GET and List return it to `caller_id` (the reference's names:
    `default_app` is `default_number_app`, set too on the application its account names as
    `default_number_app` (the admin's and the seed's way to say it); `sub_account` null for the
    main account's)."""
    owner = state.account(app.account)
    default = app.default_number_app or bool(owner and owner.default_number_app == app.app_id)
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
        "default_app": default,
        "default_endpoint_app": app.default_endpoint_app,
        "enabled": app.enabled,
        "public_uri": app.public_uri,
        "sip_uri": f"sip:{app.app_id}@app.plivo.com",
        "sub_account": sub_account,
        "log_incoming_messages": app.log_incoming_messages,
        "resource_uri": f"/v1/Account/{caller_id}/Application/{app.app_id}/",
    }


class ApplicationApi(HandlerBase):
    """The `/v1/Account/{auth_id}/Application/` routes. Every answer takes (account, key, params,
    api_id), `key` being the app_id ("" on the collection), as `responses.ROUTES` calls them."""

    def _app_create(self, account: Account, _key: str, params: dict[str, Any], api_id: str) -> Reply:
        app = self.server.state.create_application(account, params)
        return Reply(201, {"message": "created", "app_id": app.app_id, "api_id": api_id})

    def _app_get(self, account: Account, app_id: str, params: dict[str, Any], api_id: str) -> Reply:
        same_id(params, "app_id", app_id)  # the Python SDK's asynchronous get repeats it
        no_params(params, ())
        state = self.server.state
        obj = render_application(state, state.get_application(account, app_id), account.auth_id)
        return Reply(200, {**obj, "api_id": api_id})

    def _app_list(self, account: Account, _key: str, params: dict[str, Any], api_id: str) -> Reply:
        no_params(params, _LIST_KEYS)
        subaccount = params.get("subaccount")
        if subaccount == "":
            subaccount = None
        if subaccount is not None and not is_subaccount_id(subaccount):
            raise BadRequest("invalid subaccount: expected a subaccount auth_id (SA...)")
        app_name = params.get("app_name")
        if app_name is not None and not isinstance(app_name, str):
            raise BadRequest("invalid app_name: expected text")
        limit, offset = page_params(params)
        state = self.server.state
        page, total = state.list_applications(account, subaccount, limit, offset, app_name=app_name)
        filters = {"subaccount": subaccount} if subaccount is not None else {}
        if app_name is not None:
            filters["app_name"] = app_name
        meta = page_meta(f"/v1/Account/{account.auth_id}/Application/", limit, offset, total, filters)
        objects = [render_application(state, a, account.auth_id) for a in page]
        return Reply(200, {"api_id": api_id, "meta": meta, "objects": objects})

    def _app_modify(self, account: Account, app_id: str, params: dict[str, Any], api_id: str) -> Reply:
        self.server.state.modify_application(account, app_id, params)
        return Reply(202, {"message": "changed", "api_id": api_id})

    def _app_delete(self, account: Account, app_id: str, params: dict[str, Any], api_id: str) -> Reply:
        same_id(params, "app_id", app_id)  # the Python SDK's delete sends it in its JSON body
        no_params(params, _DELETE_KEYS)
        self.server.state.delete_application(
            account, app_id, params.get("cascade", True), params.get("new_endpoint_application")
        )
        return Reply(204, None)
