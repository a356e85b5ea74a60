"""The admin API under `/__sim__/`, which the real API does not have: health, the request log, state,
the numbers on offer and the purchase log, out-of-band edits of numbers and applications (what a
person does in the console), token rotation, faults, settings, reset and seed, callbacks. Routing is
data: each row of `ROUTES` names a path pattern, its methods and the method that answers it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from .errors import ApiError, BadRequest, MethodNotAllowed, NotFound
from .models import SeedError, SimError, check_number_shape
from .seed import parse_seed_text
from .wire import HandlerBase, Reply

ADMIN_PREFIX = "/__sim__"
MAX_ADMIN_BODY = 64 << 20


@dataclass
class AdminRequest:
    method: str
    path: str  # below the prefix, like "/numbers/15550000001"
    args: dict[str, str]  # the query string
    raw: bytes
    params: dict[str, str]  # the path's named parts

    def json(self) -> dict[str, Any]:
        if not self.raw.strip():
            return {}
        try:
            data = json.loads(self.raw)
        except (ValueError, RecursionError):
            raise BadRequest("the body must be a JSON object") from None
        if not isinstance(data, dict):
            raise BadRequest("the body must be a JSON object")
        return data

    def flag(self, name: str) -> bool:
        return self.args.get(name, "") in ("1", "true", "yes")


def _digits(request: AdminRequest, name: str, what: str) -> str:
    value = request.params[name]
    if not (value.isascii() and value.isdigit()):
        raise BadRequest(f"the {what} in the path must be digits")
    return value


def _model_errors(operation: Callable[[], Reply]) -> Reply:
    try:
        return operation()
    except SimError as exc:
        raise ApiError.of(exc.status, exc.message) from None


class AdminApi(HandlerBase):
    """The `/__sim__/` routes."""

    def _admin(self, method: str, sub: str, query: str) -> Reply:
        raw = self._read_body(MAX_ADMIN_BODY)
        for pattern, methods, answer in ROUTES:
            match = pattern.fullmatch(sub.rstrip("/") or "/")
            if match is None:
                continue
            if method not in methods:
                raise MethodNotAllowed(
                    f"{method} not allowed on {ADMIN_PREFIX}{sub}", {"Allow": ", ".join(methods)}
                )
            return answer(self, AdminRequest(method, sub, dict(parse_qsl(query)), raw, match.groupdict()))
        raise NotFound(f"no admin endpoint {ADMIN_PREFIX}{sub[:80]}; see {ADMIN_PREFIX}/health")

    # -- one method per endpoint ------------------------------------------------------------------

    def _health(self, request: AdminRequest) -> Reply:
        server = self.server
        body = {
            "ok": True,
            "base_url": server.base_url,
            "admin_url": server.admin_url,
            "endpoints": ENDPOINTS,
        }
        return Reply(200, body)

    def _requests(self, request: AdminRequest) -> Reply:
        if request.method == "DELETE":
            self.server.request_log.clear()
            return Reply(200, {"cleared": True})
        return Reply(200, self.server.request_log.dump())

    def _state(self, request: AdminRequest) -> Reply:
        return Reply(200, self.server.state.snapshot(credentials=request.flag("credentials")))

    def _numbers(self, request: AdminRequest) -> Reply:
        return Reply(200, {"numbers": self.server.state.snapshot()["numbers"]})

    def _number(self, request: AdminRequest) -> Reply:
        number = _digits(request, "number", "number")
        state = self.server.state

        def operate() -> Reply:
            if request.method == "GET":
                found = state.oob_get(number)
                if found is None:
                    raise NotFound(f"number {number} is not rented")
                return Reply(200, found.to_dict())
            if request.method == "POST":
                return Reply(200, state.oob_edit(number, request.json()).to_dict())
            if request.method == "PUT":
                return Reply(201, state.oob_rent(number, request.json()).to_dict())
            return Reply(200, {"unrented": state.oob_unrent(number).to_dict()})

        return _model_errors(operate)

    def _applications(self, request: AdminRequest) -> Reply:
        return Reply(200, {"applications": self.server.state.snapshot()["applications"]})

    def _application(self, request: AdminRequest) -> Reply:
        app_id = _digits(request, "app_id", "application id")
        state = self.server.state

        def operate() -> Reply:
            if request.method == "GET":
                found = state.oob_get_application(app_id)
                if found is None:
                    raise NotFound(f"application {app_id} not found")
                return Reply(200, found.to_dict())
            if request.method == "PUT":
                data = request.json()
                account = data.pop("account", None)
                return Reply(201, state.oob_add_application(app_id, account, data).to_dict())
            if request.method == "POST":
                return Reply(200, state.oob_edit_application(app_id, request.json()).to_dict())
            unlinked = state.oob_remove_application(app_id, keep_links=request.flag("keep_links"))
            return Reply(200, {"deleted": app_id, "unlinked": unlinked})

        return _model_errors(operate)

    def _inventory(self, request: AdminRequest) -> Reply:
        return Reply(200, {"inventory": [o.to_dict() for o in self.server.state.oob_inventory()]})

    def _offer(self, request: AdminRequest) -> Reply:
        number = _digits(request, "number", "number")
        state = self.server.state

        def operate() -> Reply:
            if request.method == "GET":
                found = state.oob_get_offer(number)
                if found is None:
                    raise NotFound(f"number {number} is not in the inventory")
                return Reply(200, found.to_dict())
            if request.method == "PUT":
                return Reply(201, state.oob_add_offer(number, request.json()).to_dict())
            return Reply(200, {"removed": state.oob_take_offer(number).to_dict()})

        return _model_errors(operate)

    def _purchases(self, request: AdminRequest) -> Reply:
        if request.method == "DELETE":
            self.server.state.oob_clear_purchases()
        return Reply(200, self.server.state.purchase_log())

    def _account(self, request: AdminRequest) -> Reply:
        body = request.json()
        if "default_number_app" in body and "auth_token" not in body:
            app_id = body["default_number_app"]
            if app_id is not None and not (isinstance(app_id, str) and app_id.isascii() and app_id.isdigit()):
                raise BadRequest("default_number_app must be a numeric application id, or null")
            return _model_errors(
                lambda: Reply(
                    200,
                    self.server.state.oob_set_default_app(request.params["auth_id"], app_id).to_dict(
                        credentials=False
                    ),
                )
            )
        token = str(body.get("auth_token") or "")
        return _model_errors(
            lambda: Reply(
                200,
                self.server.state.oob_rotate_token(request.params["auth_id"], token).to_dict(
                    credentials=False
                ),
            )
        )

    def _faults(self, request: AdminRequest) -> Reply:
        faults = self.server.faults
        if request.method == "GET":
            return Reply(200, faults.current())
        try:
            return Reply(200, faults.configure({} if request.method == "DELETE" else request.json()))
        except ValueError as exc:
            raise BadRequest(str(exc)) from None

    def _settings(self, request: AdminRequest) -> Reply:
        state = self.server.state
        if request.method == "POST":
            try:
                shape = check_number_shape(request.json().get("number_shape"))
            except SeedError as exc:
                raise BadRequest(str(exc)) from None
            with state.lock:
                state.number_shape = shape
        return Reply(200, {"number_shape": state.number_shape})

    def _reset(self, request: AdminRequest) -> Reply:
        server, state = self.server, self.server.state
        try:
            seed = parse_seed_text(request.raw.decode("utf-8"), "seed body") if request.raw.strip() else None
        except (SeedError, UnicodeDecodeError) as exc:
            raise BadRequest(str(exc)) from None
        if request.path.strip("/") == "seed" and seed is None:
            raise BadRequest(
                "POST /__sim__/seed needs a seed (JSON or YAML body); use /__sim__/reset to restore"
            )
        try:
            state.reset(seed)
        except SeedError as exc:
            raise BadRequest(str(exc)) from None
        if not request.flag("keep_log"):
            server.request_log.clear()
        main = state.main_account()
        snap = state.snapshot()
        return Reply(
            200,
            {
                "auth_id": main.auth_id,
                "auth_token": main.auth_token,
                "accounts": len(snap["accounts"]),
                "applications": len(snap["applications"]),
                "numbers": len(snap["numbers"]),
                "inventory": len(snap["inventory"]),
            },
        )

    def _callbacks(self, request: AdminRequest) -> Reply:
        server = self.server
        with server.callbacks_lock:
            if request.method == "DELETE":
                server.callbacks.clear()
            return Reply(200, {"callbacks": list(server.callbacks)})


Answer = Callable[[AdminApi, AdminRequest], Reply]

# (path below the prefix, methods, answer). The first pattern that matches the path answers.
ROUTES: list[tuple[re.Pattern[str], tuple[str, ...], Answer]] = [
    (re.compile(pattern), methods, answer)
    for pattern, methods, answer in [
        (r"/|/health", ("GET",), AdminApi._health),
        (r"/requests", ("GET", "DELETE"), AdminApi._requests),
        (r"/state", ("GET",), AdminApi._state),
        (r"/numbers", ("GET",), AdminApi._numbers),
        (r"/numbers/(?P<number>[^/]+)", ("GET", "POST", "PUT", "DELETE"), AdminApi._number),
        (r"/applications", ("GET",), AdminApi._applications),
        (r"/applications/(?P<app_id>[^/]+)", ("GET", "PUT", "POST", "DELETE"), AdminApi._application),
        (r"/inventory", ("GET",), AdminApi._inventory),
        (r"/inventory/(?P<number>[^/]+)", ("GET", "PUT", "DELETE"), AdminApi._offer),
        (r"/purchases", ("GET", "DELETE"), AdminApi._purchases),
        (r"/accounts/(?P<auth_id>[^/]+)", ("POST",), AdminApi._account),
        (r"/faults", ("GET", "POST", "DELETE"), AdminApi._faults),
        (r"/settings", ("GET", "POST"), AdminApi._settings),
        (r"/reset|/seed", ("POST",), AdminApi._reset),
        (r"/callbacks", ("GET", "DELETE"), AdminApi._callbacks),
    ]
]

# What `GET /__sim__/health` lists (and docs/simulator.md documents).
ENDPOINTS = [
    "GET /__sim__/health",
    "GET|DELETE /__sim__/requests",
    "GET /__sim__/state[?credentials=1]",
    "GET /__sim__/numbers",
    "GET|POST|PUT|DELETE /__sim__/numbers/{number}",
    "GET /__sim__/applications",
    "GET|PUT|POST|DELETE /__sim__/applications/{app_id}[?keep_links=1]",
    "GET /__sim__/inventory",
    "GET|PUT|DELETE /__sim__/inventory/{number}",
    "GET|DELETE /__sim__/purchases",
    "POST /__sim__/accounts/{auth_id} {auth_token} | {default_number_app}",
    "GET|POST|DELETE /__sim__/faults",
    "GET|POST /__sim__/settings {number_shape}",
    "POST /__sim__/reset[?keep_log=1]",
    "POST /__sim__/seed",
    "GET|DELETE /__sim__/callbacks",
]
