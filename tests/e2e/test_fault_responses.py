"""Malformed API answers through the real engine: an HTML page from a proxy, a 2xx that confirms
nothing, a 502 error page during a refresh. `up` / `refresh` must fail with a clear error naming the
endpoint, and the state must never hold a binding that was not applied.

The answers come from tiny local HTTP servers standing in for a misbehaving proxy: `ScriptedAPI`
(tests/support/scripted_api.py) answers everything itself, `ForwardingProxy` relays to the simulator until
told to misbehave; the property-based version of the same promise, over arbitrary bodies,
is in tests/test_properties.py.
"""

from __future__ import annotations

import json

import pytest
import requests

from tests.support.accounts import APPS, MAIN, NUMBERS
from tests.support.fault_kit import checkpoint, claimed_bindings, fault_stack, number_program, set_program
from tests.support.http_stub import LocalHTTPServer, StubRequest
from tests.support.scripted_api import HTML_PAGES, ScriptedAPI

NUM = NUMBERS[0]
NUMBER_PATH = f"/v1/Account/{MAIN}/Number/{NUM}/"


def number_object(app: str | None = None) -> dict:
    return {
        "api_id": "g1",
        "number": NUM,
        "application": f"/v1/Account/{MAIN}/Application/{app}/" if app else None,
        "subaccount": None,
        "number_type": "local",
        "voice_enabled": True,
        "sms_enabled": True,
        "resource_uri": NUMBER_PATH,
    }


def as_json(data: object, status: int = 200) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps(data).encode()


@pytest.fixture
def proxy():
    server = ScriptedAPI()
    yield server
    server.close()


class Endpoint:
    """Where the stack's config points: the simulator first, the misbehaving proxy when asked."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url


def test_html_page_from_a_proxy_fails_the_write_and_nothing_is_recorded(tmp_path, proxy):
    proxy.script(GET=as_json(number_object()), POST=(200, "text/html", HTML_PAGES[1]))
    spec = {"bindings": {NUM: {"app_id": APPS[0]}}}
    stack = fault_stack(tmp_path / "dev", Endpoint(proxy.base_url), number_program(spec), retries=0)
    up = stack.up()
    assert up.code != 0
    assert f"unexpected answer to POST {NUMBER_PATH}" in up.output, up.output[-3000:]
    assert "expected a JSON body" in up.output and "Proxy authentication required" in up.output
    assert claimed_bindings(stack) == {}, "no binding recorded for a write that was not confirmed"
    assert [m for m, _, _ in proxy.requests] == ["GET", "POST"]


def test_write_answered_without_confirmation_is_not_recorded_for_a_set(tmp_path, proxy):
    page = {
        "api_id": "l1",
        "meta": {"limit": 20, "offset": 0, "total_count": 1},
        "objects": [number_object()],
    }
    proxy.script(GET=as_json(page), POST=as_json({}))
    spec = {"bindings": {NUM: {"app_id": APPS[0]}}}
    stack = fault_stack(tmp_path / "dev", Endpoint(proxy.base_url), set_program(spec), retries=0)
    up = stack.up()
    assert up.code != 0
    assert "could not update bindings for 1 of 1 number(s)" in up.output, up.output[-3000:]
    assert "no api_id: the edit was not confirmed" in up.output
    assert claimed_bindings(stack) == {}


class ForwardingProxy:
    """A proxy in front of the simulator: forwards every request, unless told to answer a method
    itself (`misbehave(GET=(status, content_type, body))`), as a failing proxy would."""

    def __init__(self, upstream: str) -> None:
        self.override: dict[str, tuple[int, str, bytes]] = {}
        self.seen: list[tuple[str, int]] = []
        self._origin = upstream.split("/v1")[0]
        self._session = requests.Session()
        self._session.trust_env = False
        self._server = LocalHTTPServer(self._relay)
        self.base_url = f"{self._server.origin}/v1"

    def _relay(self, request: StubRequest) -> tuple[int, dict[str, str], bytes]:
        if request.method in self.override:
            status, content_type, payload = self.override[request.method]
        else:
            headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "connection")}
            answer = self._session.request(
                request.method, self._origin + request.path, data=request.body, headers=headers
            )
            status, content_type, payload = (
                answer.status_code,
                answer.headers.get("Content-Type", ""),
                answer.content,
            )
        self.seen.append((request.method, status))
        return status, {"Content-Type": content_type}, payload

    def misbehave(self, **answers: tuple[int, str, bytes]) -> None:
        self.override = dict(answers)
        self.seen = []

    def close(self) -> None:
        self._server.close()


def numbers_in_state(stack) -> list[dict]:
    """The RentedNumber entries of the state file: id, inputs and outputs."""
    return [
        {k: r.get(k) for k in ("urn", "id", "inputs", "outputs")}
        for r in checkpoint(stack)["resources"]
        if r["type"].endswith(":RentedNumber")
    ]


@pytest.fixture
def relay(sim_e2e):
    server = ForwardingProxy(sim_e2e.base_url)
    yield server
    server.close()


def test_error_page_during_refresh_fails_and_keeps_the_state(sim_e2e, tmp_path, relay):
    spec = {"bindings": {NUM: {"app_id": APPS[0]}}}
    stack = fault_stack(
        tmp_path / "dev", Endpoint(relay.base_url), number_program(spec), retries=1, backoff=0
    )
    assert stack.up().ok
    assert sim_e2e.number(NUM)["app_id"] == APPS[0]
    before = numbers_in_state(stack)

    relay.misbehave(GET=(502, "text/html", HTML_PAGES[0]))
    refresh = stack.refresh()
    assert refresh.code != 0
    assert f"Plivo answered 502 to GET {NUMBER_PATH}" in refresh.output, refresh.output[-3000:]
    assert "gave up after 2 attempts" in refresh.output and "502 Bad Gateway" in refresh.output
    assert relay.seen == [("GET", 502), ("GET", 502)]
    assert numbers_in_state(stack) == before, "the state still holds the last known truth"


def test_html_404_from_a_proxy_during_refresh_does_not_forget_the_number(sim_e2e, tmp_path, relay):
    spec = {"bindings": {NUM: {"app_id": APPS[0]}}}
    stack = fault_stack(tmp_path / "dev", Endpoint(relay.base_url), number_program(spec), retries=0)
    assert stack.up().ok

    relay.misbehave(GET=(404, "text/html", b"<html><body><h1>404 Not Found</h1>nginx</body></html>"))
    refresh = stack.refresh()
    assert relay.seen == [("GET", 404)]
    assert sim_e2e.number(NUM)["app_id"] == APPS[0]
    assert claimed_bindings(stack) == {NUM: (APPS[0], "")}, (
        "refresh dropped a number that is rented: " + (refresh.output[-1500:])
    )
