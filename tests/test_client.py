"""PlivoClient over real HTTP: against the simulator process, and against a tiny scripted fake API for
the answers the simulator never gives (HTML pages, missing fields, echoed tokens, redirects)."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from urllib3.util.retry import Retry

from plivo_pulumi import __version__
from plivo_pulumi.core.client import DEFAULT_BASE_URL, UNSET, PlivoClient
from plivo_pulumi.core.contract import binding_changes, live_binding
from plivo_pulumi.core.errors import (
    ApplicationNotFoundError,
    AuthenticationError,
    BadRequestError,
    MalformedResponseError,
    NotFoundError,
    NumberNotFoundError,
    PlivoError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from plivo_pulumi.simulator.seed import DEFAULT_MAIN_ACCOUNT, DEFAULT_SUBACCOUNT
from tests.support.http_stub import LocalHTTPServer, StubRequest

MAIN = DEFAULT_MAIN_ACCOUNT
SUB = DEFAULT_SUBACCOUNT
APP = "72509666337566"
APP2 = "72509666337567"
NUMBER_PATH = f"/v1/Account/{MAIN}/Number/"


@pytest.fixture
def client(sim_builtin) -> Iterator[PlivoClient]:
    with PlivoClient(
        sim_builtin.auth_id, sim_builtin.auth_token, sim_builtin.base_url, backoff_factor=0.01, timeout=(2, 5)
    ) as c:
        yield c


def log_statuses(sim_builtin) -> list[Any]:
    return [r["status"] for r in sim_builtin.requests_log()["requests"]]


# -- construction --------------------------------------------------------------------------------


def test_construction_defaults_and_retry_configuration():
    c = PlivoClient(MAIN, "tok-abcdefgh-1234")
    assert DEFAULT_BASE_URL == "https://api.plivo.com/v1"
    assert c.base_url == DEFAULT_BASE_URL and c.auth_id == MAIN
    assert c.session.headers["User-Agent"] == f"plivo-pulumi/{__version__}"
    adapter = c.session.get_adapter("https://api.plivo.com/v1")
    retry = adapter.max_retries
    assert isinstance(retry, Retry)
    assert retry.total == 5
    assert set(retry.status_forcelist) == {429, 500, 502, 503, 504}
    assert set(retry.allowed_methods) == {"GET", "POST", "DELETE"}
    assert retry.respect_retry_after_header is True
    assert retry.raise_on_status is False
    assert adapter._pool_maxsize == 16
    assert "tok-abcdefgh-1234" not in repr(c) and "tok-abcdefgh-1234" not in repr(c.session.auth)
    c.close()


def test_construction_validates_inputs():
    with pytest.raises(AuthenticationError, match="PLIVO_AUTH_TOKEN"):
        PlivoClient(MAIN, "")
    with pytest.raises(AuthenticationError, match="plivo:authId"):
        PlivoClient("", "token-123456")
    with pytest.raises(ValueError, match="plivo:baseUrl"):
        PlivoClient(MAIN, "token-123456", "ftp://example.com")
    with pytest.raises(ValueError):
        PlivoClient(MAIN, "token-123456", max_retries=-1)
    assert PlivoClient(MAIN, "token-123456", "http://127.0.0.1:9/v1/").base_url == "http://127.0.0.1:9/v1"


def test_unset_sentinel():
    assert repr(UNSET) == "UNSET"
    assert not UNSET


# -- list and iterate ----------------------------------------------------------------------------


def test_list_numbers_returns_the_raw_page(client, sim_builtin):
    page = client.list_numbers()
    assert page["meta"]["total_count"] == 5 and page["meta"]["limit"] == 20
    assert [o["number"] for o in page["objects"]][:2] == ["14155550123", "15676988323"]
    assert page["objects"][1]["application"] == f"/v1/Account/{MAIN}/Application/{APP}/"
    assert sim_builtin.requests_log()["counts"] == {f"GET {NUMBER_PATH}": 1}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"number_type": "tollfree"}, ["18005550100"]),
        ({"number_type": "LOCAL"}, ["14155550123", "15676988323", "15676988324"]),
        ({"number_startswith": "1567"}, ["15676988323", "15676988324"]),
        ({"number_startswith": "+44"}, ["447700900123"]),
        ({"number_startswith": 1800}, ["18005550100"]),
        ({"subaccount": SUB}, ["14155550123"]),
        ({"subaccount": f"/v1/Account/{MAIN}/Subaccount/{SUB}/"}, ["14155550123"]),
        ({"services": "sms"}, ["14155550123", "15676988323", "15676988324", "447700900123"]),
        ({"services": ["voice", "sms"]}, ["14155550123", "15676988323", "15676988324", "447700900123"]),
        ({"services": "mms"}, []),
        ({"number_type": "local", "services": "voice", "number_startswith": "1415"}, ["14155550123"]),
    ],
)
def test_list_numbers_filters(client, filters, expected):
    page = client.list_numbers(**filters)
    assert [o["number"] for o in page["objects"]] == expected


def test_list_numbers_paging_parameters(client):
    page = client.list_numbers(limit=2, offset=1)
    assert [o["number"] for o in page["objects"]] == ["15676988323", "15676988324"]
    assert page["meta"]["offset"] == 1 and page["meta"]["limit"] == 2
    assert page["meta"]["next"] is not None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"limit": 21},
        {"limit": 0},
        {"limit": True},
        {"offset": -1},
        {"number_type": "local;drop"},
        {"number_startswith": "15x"},
        {"subaccount": "sa123"},
        {"subaccount": ""},
        {"services": "fax"},
        {"services": []},
        {"callback_method": "POST"},
        {"callback_url": "not a url"},
    ],
)
def test_list_numbers_refuses_bad_arguments_without_a_request(client, sim_builtin, kwargs):
    with pytest.raises(ValueError):
        client.list_numbers(**kwargs)
    assert sim_builtin.requests_log()["total"] == 0


def test_limit_over_20_message_points_to_iter_numbers(client):
    with pytest.raises(ValueError, match=r"1 to 20.*iter_numbers"):
        client.list_numbers(limit=50)


def test_iter_numbers_walks_every_page(client, sim_builtin):
    sim_builtin.reset({"generate": {"count": 65, "prefix": "1555", "account": MAIN}})
    progress: list[tuple[int, int]] = []
    numbers = [
        o["number"] for o in client.iter_numbers(on_page=lambda done, total: progress.append((done, total)))
    ]
    assert numbers == [f"1555{i:07d}" for i in range(65)]
    assert progress == [(20, 65), (40, 65), (60, 65), (65, 65)]
    log = sim_builtin.requests_log()
    assert log["by_method"] == {"GET": 4}
    assert [r["path"] for r in log["requests"]] == [NUMBER_PATH] * 4


def test_iter_numbers_with_filters_and_small_pages(client, sim_builtin):
    sim_builtin.reset(
        {
            "generate": [
                {"count": 30, "prefix": "1555"},
                {"count": 7, "prefix": "1800", "number_type": "tollfree"},
            ]
        }
    )
    tollfree = list(client.iter_numbers(number_type="tollfree", page_size=3))
    assert [o["number"] for o in tollfree] == [f"1800{i:07d}" for i in range(7)]
    assert sim_builtin.requests_log()["by_method"] == {"GET": 3}
    with pytest.raises(ValueError):
        list(client.iter_numbers(page_size=25))


def test_iter_numbers_on_empty_account(client, sim_builtin):
    sim_builtin.reset({"numbers": []})
    progress = []
    assert list(client.iter_numbers(on_page=lambda *a: progress.append(a))) == []
    assert progress == [(0, 0)]


def test_iter_numbers_does_not_repeat_numbers_when_pages_shift(client, sim_builtin):
    sim_builtin.reset({"generate": {"count": 25, "prefix": "1555", "start": 10}})
    iterator = client.iter_numbers(page_size=10)
    first = [next(iterator)["number"] for _ in range(10)]
    # A number rented meanwhile sorts first: every later item moves one place down.
    sim_builtin.rent_out_of_band("15550000001")
    rest = [o["number"] for o in iterator]
    everything = first + rest
    assert len(everything) == len(set(everything))
    assert set(everything) >= {f"1555{i:07d}" for i in range(10, 35)}


# -- get / update / unrent -----------------------------------------------------------------------


def test_get_number_normalizes_the_input(client, sim_builtin):
    obj = client.get_number("+1 (567) 698-8323")
    assert obj["number"] == "15676988323"
    assert obj["resource_uri"].endswith("/Number/15676988323/")
    assert obj["application"].endswith(f"/Application/{APP}/")
    assert sim_builtin.requests_log()["counts"] == {f"GET {NUMBER_PATH}15676988323/": 1}


def test_get_number_rejects_bad_numbers_without_a_request(client, sim_builtin):
    with pytest.raises(ValueError, match="8-15 digits"):
        client.get_number("12345")
    assert sim_builtin.requests_log()["total"] == 0


def test_get_unknown_number_is_not_found_naming_number_account_and_fix(client):
    with pytest.raises(NotFoundError) as info:
        client.get_number("19999999999")
    err = info.value
    assert err.status == 404 and err.number == "19999999999" and err.api_id
    message = str(err)
    assert "number 19999999999 is not rented by account " + MAIN in message
    assert "rent it in the Plivo console or the buy API, or fix the number" in message


def test_a_404_is_gone_only_once_the_accounts_number_list_answers(client, sim_builtin):
    sim_builtin.clear_log()
    with pytest.raises(NumberNotFoundError):
        client.get_number("19999999999")
    assert sim_builtin.requests_log()["by_method"] == {"GET": 2}, "the 404, then one List call to confirm it"
    with pytest.raises(NumberNotFoundError):
        client.get_number("19999999998")
    assert sim_builtin.requests_log()["by_method"] == {"GET": 3}, "confirmed once per client"


@pytest.mark.parametrize("wrong", ["{origin}", "{origin}/v2", "{origin}/v1/v1"])
def test_a_wrong_base_url_never_reads_as_not_rented(sim_builtin, wrong):
    """JSON 404s for every path (a base URL without /v1, say) must not be taken for "unrented": that
    is what would make a refresh drop every number from the state."""
    origin = sim_builtin.base_url.rsplit("/v1", 1)[0]
    bad = PlivoClient(sim_builtin.auth_id, sim_builtin.auth_token, wrong.format(origin=origin), max_retries=0)
    for call in (bad.get_number, bad.unrent_number):
        with pytest.raises(NotFoundError) as info:
            call("15676988323")
        assert not isinstance(info.value, NumberNotFoundError)
        assert "plivo:baseUrl" in str(info.value) and "endpoint is wrong" in str(info.value)
    assert sim_builtin.number("15676988323") is not None


def test_update_app_id(client, sim_builtin):
    result = client.update_number("15676988324", app_id=APP)
    assert result["message"] == "changed" and result["api_id"]
    assert sim_builtin.number("15676988324")["app_id"] == APP


@pytest.mark.parametrize("unlink", [None, ""])
def test_update_unlinks_application(client, sim_builtin, unlink):
    client.update_number("15676988323", app_id=unlink)
    assert sim_builtin.number("15676988323")["app_id"] is None


def test_update_accepts_uri_forms(client, sim_builtin):
    client.update_number(
        "15676988324",
        app_id=f"https://api.plivo.com/v1/Account/{MAIN}/Application/{APP2}/",
        subaccount=f"/v1/Account/{MAIN}/Subaccount/{SUB}/",
    )
    stored = sim_builtin.number("15676988324")
    assert stored["app_id"] == APP2 and stored["subaccount"] == SUB


@pytest.mark.parametrize("main", [None, ""])
def test_update_subaccount_back_to_main(client, sim_builtin, main):
    client.update_number("14155550123", subaccount=main)
    assert sim_builtin.number("14155550123")["subaccount"] is None
    assert sim_builtin.number("14155550123")["app_id"] == "31415926535897"


def test_update_sends_only_given_fields(client, sim_builtin):
    sim_builtin.edit_out_of_band("15676988323", subaccount=SUB)
    client.update_number("15676988323", app_id=APP2)
    assert sim_builtin.number("15676988323")["subaccount"] == SUB
    client.update_number("15676988323", subaccount=None)
    assert sim_builtin.number("15676988323")["app_id"] == APP2


def test_update_refuses_bad_ids_without_a_request(client, sim_builtin):
    for kwargs in ({"app_id": "abc"}, {"subaccount": "sa-lower"}, {"subaccount": MAIN}, {"app_id": 1.5}):
        with pytest.raises(ValueError):
            client.update_number("15676988323", **kwargs)
    assert sim_builtin.requests_log()["total"] == 0


def test_update_bad_request_passes_the_api_message(client, sim_builtin):
    with pytest.raises(BadRequestError) as info:
        client.update_number("15676988323", app_id="999999")
    err = info.value
    assert err.status == 400 and err.number == "15676988323"
    assert "application 999999 not found" in str(err)
    assert "15676988323" in str(err)
    assert sim_builtin.number("15676988323")["app_id"] == APP


def test_update_unknown_number_is_not_found(client):
    with pytest.raises(NotFoundError, match="19999999999"):
        client.update_number("19999999999", app_id=None)


def test_unrent_number(client, sim_builtin):
    assert client.unrent_number("1-567-698-8324") is None
    assert sim_builtin.number("15676988324") is None
    with pytest.raises(NotFoundError):
        client.unrent_number("15676988324")
    assert sim_builtin.requests_log()["counts"] == {
        f"DELETE {NUMBER_PATH}15676988324/": 2,
        f"GET {NUMBER_PATH}": 1,  # the List call that confirms the 404 (once per client)
    }


def test_subaccount_client_sees_only_its_numbers(sim_builtin):
    token = sim_builtin.account(SUB)["auth_token"]
    with PlivoClient(SUB, token, sim_builtin.base_url) as sub_client:
        assert [o["number"] for o in sub_client.iter_numbers()] == ["14155550123"]
        with pytest.raises(NotFoundError):
            sub_client.get_number("15676988323")
        with pytest.raises(BadRequestError, match="only the main account"):
            sub_client.update_number("14155550123", subaccount=None)


# -- authentication ------------------------------------------------------------------------------


def test_wrong_token_is_authentication_error_naming_config_keys(sim_builtin):
    with PlivoClient(sim_builtin.auth_id, "wrong-token-value-123", sim_builtin.base_url) as bad:
        with pytest.raises(AuthenticationError) as info:
            bad.get_number("15676988323")
    message = str(info.value)
    assert info.value.status == 401
    for key in ("plivo:authId", "plivo:authToken", "PLIVO_AUTH_ID", "PLIVO_AUTH_TOKEN"):
        assert key in message
    assert "wrong-token-value-123" not in message
    assert sim_builtin.requests_log()["by_method"] == {"GET": 1}  # 401 is not retried


# -- retries -------------------------------------------------------------------------------------


def test_thirty_percent_503s_every_call_succeeds_with_bounded_retries(client, sim_builtin):
    sim_builtin.reset({"generate": {"count": 30, "prefix": "1555"}})
    sim_builtin.set_faults(error_rate=0.3, error_statuses=[503], seed=7)
    calls = 0
    for i in range(30):
        number = f"1555{i:07d}"
        assert client.get_number(number)["number"] == number
        client.update_number(number, app_id=APP if i % 2 else None)
        calls += 2
    assert len(list(client.iter_numbers())) == 30
    calls += 2
    assert client.unrent_number("15550000000") is None
    calls += 1
    log = sim_builtin.requests_log()
    statuses = [r["status"] for r in log["requests"]]
    failures = statuses.count(503)
    assert failures > 0, "no fault was injected: the test proves nothing"
    assert len(statuses) == calls + failures
    assert statuses.count(503) + statuses.count(200) + statuses.count(202) + statuses.count(204) == len(
        statuses
    )
    # Bounded: never more than max_retries (5) failures in a row for one call.
    run = longest = 0
    for status in statuses:
        run = run + 1 if status == 503 else 0
        longest = max(longest, run)
    assert longest <= 5
    assert sim_builtin.number("15550000001")["app_id"] == APP


def test_server_errors_exhaust_retries_and_say_how_many_attempts(sim_builtin):
    sim_builtin.set_faults(error_rate=1.0, error_statuses=[500])
    with PlivoClient(
        sim_builtin.auth_id, sim_builtin.auth_token, sim_builtin.base_url, max_retries=3, backoff_factor=0.01
    ) as c:
        with pytest.raises(ServerError) as info:
            c.update_number("15676988323", app_id=None)
    message = str(info.value)
    assert "gave up after 4 attempts" in message
    assert f"POST {NUMBER_PATH}15676988323/" in message
    assert info.value.attempts == 4 and info.value.status == 500
    assert log_statuses(sim_builtin) == [500] * 4


def test_rate_limit_honours_retry_after(client, sim_builtin):
    sim_builtin.set_faults(script=["rate_limit"], retry_after=1)
    started = time.monotonic()
    assert client.get_number("15676988323")["number"] == "15676988323"
    elapsed = time.monotonic() - started
    assert elapsed >= 0.95, f"Retry-After: 1 was not honoured ({elapsed:.2f}s)"
    log = sim_builtin.requests_log()["requests"]
    assert [r["status"] for r in log] == [429, 200]
    assert log[1]["time"] - log[0]["time"] >= 0.95


def test_rate_limited_after_retries(sim_builtin):
    sim_builtin.set_faults(rate_limit_rate=1.0, retry_after=0)
    with PlivoClient(
        sim_builtin.auth_id, sim_builtin.auth_token, sim_builtin.base_url, max_retries=2, backoff_factor=0.01
    ) as c:
        with pytest.raises(RateLimitedError) as info:
            c.list_numbers()
    assert "gave up after 3 attempts" in str(info.value)
    assert info.value.status == 429
    assert log_statuses(sim_builtin) == [429] * 3


@pytest.mark.parametrize("operation", ["get", "update", "unrent"])
def test_dropped_connection_is_retried(client, sim_builtin, operation):
    sim_builtin.set_faults(script=["drop", "drop"])
    if operation == "get":
        assert client.get_number("15676988323")["number"] == "15676988323"
    elif operation == "update":
        client.update_number("15676988323", app_id=APP2)
        assert sim_builtin.number("15676988323")["app_id"] == APP2
    else:
        client.unrent_number("15676988323")
        assert sim_builtin.number("15676988323") is None
    assert log_statuses(sim_builtin)[:2] == [None, None]
    assert len(log_statuses(sim_builtin)) == 3


def test_dropped_connections_exhaust_into_transport_error(sim_builtin):
    sim_builtin.set_faults(drop_rate=1.0)
    with PlivoClient(
        sim_builtin.auth_id, sim_builtin.auth_token, sim_builtin.base_url, max_retries=2, backoff_factor=0.01
    ) as c:
        with pytest.raises(TransportError) as info:
            c.get_number("15676988323")
    message = str(info.value)
    assert "gave up after 3 attempts" in message
    assert "connection dropped" in message
    assert f"GET {NUMBER_PATH}15676988323/" in message
    assert info.value.attempts == 3
    assert log_statuses(sim_builtin) == [None] * 3


def test_connection_refused_is_transport_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with PlivoClient(
        MAIN, "token-123456", f"http://127.0.0.1:{port}/v1", max_retries=2, backoff_factor=0.01
    ) as c:
        with pytest.raises(TransportError) as info:
            c.list_numbers()
    assert "connection refused" in str(info.value)
    assert "gave up after 3 attempts" in str(info.value)
    assert "plivo:baseUrl" in str(info.value)


# -- asynchronous mode ---------------------------------------------------------------------------


def test_async_get_returns_api_id_and_the_callback_gets_the_response(client, callback_receiver):
    answer = client.get_number("15676988323", callback_url=callback_receiver.url)
    assert answer["message"] == "async api spawned" and answer["api_id"]
    hit = callback_receiver.get()
    assert hit["method"] == "POST"
    assert hit["form"]["api_id"] == answer["api_id"]
    assert json.loads(hit["form"]["response"])["number"] == "15676988323"


def test_async_update_unrent_and_list(client, sim_builtin, callback_receiver):
    answer = client.update_number("15676988323", app_id=None, callback_url=callback_receiver.url)
    assert json.loads(callback_receiver.get()["form"]["response"])["message"] == "changed"
    assert sim_builtin.number("15676988323")["app_id"] is None
    assert answer["api_id"]
    api_id = client.unrent_number("15676988324", callback_url=callback_receiver.url, callback_method="GET")
    assert isinstance(api_id, str) and api_id
    hit = callback_receiver.get()
    assert hit["method"] == "GET" and hit["query"]["api_id"] == api_id and hit["query"]["status"] == "204"
    page_answer = client.list_numbers(number_type="tollfree", callback_url=callback_receiver.url)
    assert set(page_answer) == {"api_id", "message"}
    delivered = json.loads(callback_receiver.get()["form"]["response"])
    assert [o["number"] for o in delivered["objects"]] == ["18005550100"]


# -- a scripted fake API for what the simulator never answers ------------------------------------


class FakeAPI:
    """Answers every request with ``respond(record) -> (status, headers, body)``; records requests."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.respond: Callable[[dict[str, Any]], tuple[int, dict[str, str], bytes]] = lambda r: (
            200,
            {},
            b"{}",
        )
        self._server = LocalHTTPServer(self._answer)
        self.base_url = f"{self._server.origin}/v1"

    def _answer(self, request: StubRequest) -> tuple[int, dict[str, str], bytes]:
        record = {
            "method": request.method,
            "path": request.path,
            "headers": request.headers,
            "body": request.body,
        }
        self.requests.append(record)
        return self.respond(record)

    def close(self) -> None:
        self._server.close()


TOKEN = "Zk3sEcReTtOkEn0000000000000000000000abcd"


@pytest.fixture
def fake() -> Iterator[FakeAPI]:
    api = FakeAPI()
    yield api
    api.close()


@pytest.fixture
def fake_client(fake) -> Iterator[PlivoClient]:
    with PlivoClient(MAIN, TOKEN, fake.base_url, max_retries=1, backoff_factor=0.01, timeout=(1, 0.5)) as c:
        yield c


def number_object(number: str = "15676988323", **extra: Any) -> dict[str, Any]:
    obj = {
        "number": number,
        "application": None,
        "voice_enabled": True,
        "sms_enabled": True,
        "number_type": "local",
        "resource_uri": f"{NUMBER_PATH}{number}/",
    }
    obj.update(extra)
    return obj


def as_json(status: int, data: Any, headers: dict[str, str] | None = None):
    return lambda r: (
        status,
        {"Content-Type": "application/json", **(headers or {})},
        json.dumps(data).encode(),
    )


def test_requests_carry_user_agent_basic_auth_and_json_bodies(fake, fake_client):
    fake.respond = as_json(202, {"message": "changed", "api_id": "x"})
    fake_client.update_number("15676988323", app_id=None)
    fake_client.update_number("15676988323", subaccount="")
    fake_client.update_number("15676988323", app_id=APP, subaccount=SUB)
    fake_client.update_number("15676988323")
    bodies = [json.loads(r["body"]) for r in fake.requests]
    assert bodies == [{"app_id": None}, {"subaccount": None}, {"app_id": APP, "subaccount": SUB}, {}]
    first = fake.requests[0]
    assert first["method"] == "POST" and first["path"] == f"{NUMBER_PATH}15676988323/"
    assert first["headers"]["User-Agent"] == f"plivo-pulumi/{__version__}"
    assert first["headers"]["Content-Type"] == "application/json"
    assert first["headers"]["Authorization"] == requests.auth._basic_auth_str(MAIN, TOKEN)


def test_query_parameters_of_list(fake, fake_client):
    fake.respond = as_json(
        200, {"meta": {"total_count": 0, "limit": 5, "offset": 10, "next": None}, "objects": []}
    )
    fake_client.list_numbers(
        number_type="tollfree",
        number_startswith="+1 800",
        subaccount=SUB,
        services=["sms", "voice"],
        limit=5,
        offset=10,
    )
    path = fake.requests[0]["path"]
    assert path == (
        f"{NUMBER_PATH}?number_type=tollfree&number_startswith=1800&subaccount={SUB}"
        "&services=sms%2Cvoice&limit=5&offset=10"
    )


@pytest.mark.parametrize(
    ("respond", "fragment"),
    [
        (
            lambda r: (200, {"Content-Type": "text/html"}, b"<html><body>Proxy login</body></html>"),
            "Proxy login",
        ),
        (as_json(200, {"description": "no number field", "application": None}), "'number' is missing"),
        (as_json(200, number_object(application="not-a-uri")), "bad 'application'"),
        (
            as_json(200, {k: v for k, v in number_object().items() if k != "application"}),
            "'application' is missing",
        ),
        (as_json(200, number_object("15550000000")), "describes number 15550000000"),
        (as_json(200, number_object(voice_enabled="yes")), "'voice_enabled' is not a boolean"),
        (as_json(200, number_object(subaccount="/v1/Account/x/")), "bad 'subaccount'"),
        (as_json(200, ["not", "an", "object"]), "expected a number object"),
    ],
)
def test_malformed_number_responses(fake, fake_client, respond, fragment):
    fake.respond = respond
    with pytest.raises(MalformedResponseError) as info:
        fake_client.get_number("15676988323")
    assert fragment in str(info.value)
    assert "15676988323" in str(info.value)


@pytest.mark.parametrize(
    "page",
    [
        {"objects": []},
        {"meta": {"total_count": 1, "limit": 20, "offset": 0}},
        {"meta": {"limit": 20, "offset": 0}, "objects": []},
        {"meta": {"total_count": 1, "limit": 20, "offset": 0}, "objects": [{"application": None}]},
    ],
)
def test_malformed_pages(fake, fake_client, page):
    fake.respond = as_json(200, page)
    with pytest.raises(MalformedResponseError, match="expected"):
        fake_client.list_numbers()


def test_iter_numbers_stops_a_server_that_ignores_offset(fake, fake_client):
    page = {"meta": {"total_count": 10_000_000, "limit": 2, "offset": 0, "next": "more"}, "objects": []}
    page["objects"] = [number_object("15550000001"), number_object("15550000002")]
    fake.respond = as_json(200, page)
    got = []
    with pytest.raises(MalformedResponseError, match="ignore offset"):
        for obj in fake_client.iter_numbers(page_size=2):
            got.append(obj["number"])
    assert got == ["15550000001", "15550000002"]
    assert len(fake.requests) == 4


def test_iter_numbers_trusts_total_count_over_a_missing_next(fake, fake_client):
    def respond(r):
        offset = int(r["path"].split("offset=")[1].split("&")[0])
        objects = [number_object(f"1555{n:07d}") for n in range(offset, min(offset + 2, 5))]
        page = {"meta": {"total_count": 5, "limit": 2, "offset": offset}, "objects": objects}
        return 200, {"Content-Type": "application/json"}, json.dumps(page).encode()

    fake.respond = respond
    assert [o["number"] for o in fake_client.iter_numbers(page_size=2)] == [f"1555{n:07d}" for n in range(5)]
    assert len(fake.requests) == 3


def test_iter_numbers_stops_a_server_that_pages_forever(fake, fake_client):
    counter = iter(range(10_000))

    def respond(r):
        n = next(counter)
        page = {
            "meta": {"total_count": 5, "limit": 1, "offset": 0, "next": "more"},
            "objects": [number_object(f"1555{n:07d}")],
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(page).encode()

    fake.respond = respond
    # total_count says 5: the client stops after 5 numbers even though "next" never ends.
    assert len(list(fake_client.iter_numbers(page_size=1))) == 5
    assert len(fake.requests) == 5


def test_html_404_points_to_the_base_url(fake, fake_client):
    fake.respond = lambda r: (404, {"Content-Type": "text/html"}, b"<h1>Not Found</h1>")
    with pytest.raises(NotFoundError) as info:
        fake_client.get_number("15676988323")
    assert "plivo:baseUrl" in str(info.value)


def test_redirect_is_not_followed(fake, fake_client):
    fake.respond = lambda r: (301, {"Location": "https://api.plivo.com/v1/"}, b"")
    with pytest.raises(PlivoError, match="redirect.*plivo:baseUrl"):
        fake_client.update_number("15676988323", app_id=None)
    assert len(fake.requests) == 1


def test_read_timeout_is_retried_then_transport_error(fake, fake_client):
    def slow(r):
        time.sleep(0.8)
        return 200, {}, b"{}"

    fake.respond = slow
    with pytest.raises(TransportError) as info:
        fake_client.get_number("15676988323")
    assert "timed out" in str(info.value)
    assert "gave up after 2 attempts" in str(info.value)
    assert len(fake.requests) == 2


def test_403_and_unexpected_4xx(fake, fake_client):
    fake.respond = as_json(403, {"api_id": "a", "error": "forbidden for this account"})
    with pytest.raises(AuthenticationError, match="forbidden for this account.*plivo:authToken"):
        fake_client.get_number("15676988323")
    fake.respond = as_json(409, {"api_id": "b", "error": "conflict"})
    with pytest.raises(BadRequestError, match="conflict"):
        fake_client.update_number("15676988323", app_id=None)


def test_async_answer_without_api_id_is_malformed(fake, fake_client):
    fake.respond = as_json(202, {"message": "async api spawned"})
    with pytest.raises(MalformedResponseError, match="api_id"):
        fake_client.unrent_number("15676988323", callback_url="http://127.0.0.1:1/hook")


# -- the token never leaks -----------------------------------------------------------------------


def test_auth_token_never_appears_in_errors_or_logs(fake, fake_client, caplog):
    import base64

    encoded = base64.b64encode(f"{MAIN}:{TOKEN}".encode()).decode()
    echo = f"token {TOKEN} header Basic {encoded}"
    answers = [
        as_json(400, {"api_id": TOKEN, "error": f"bad request, you sent {TOKEN}"}),
        as_json(401, {"error": f"invalid token {TOKEN}"}),
        lambda r: (500, {"Content-Type": "text/html"}, f"<pre>{echo}</pre>".encode()),
        lambda r: (200, {"Content-Type": "text/html"}, f"<p>{echo}</p>".encode()),
        as_json(200, {"number": TOKEN, "application": None}),
        as_json(200, number_object(application=f"/v1/Account/{MAIN}/Application/{TOKEN}/")),
        as_json(404, {"error": echo}),
        lambda r: (302, {"Location": f"https://x.example/?t={TOKEN}"}, b""),
    ]
    errors: list[BaseException] = []
    with caplog.at_level(logging.DEBUG):
        for logger in ("urllib3", "requests", "plivo_pulumi"):
            logging.getLogger(logger).setLevel(logging.DEBUG)
        for respond in answers:
            fake.respond = respond
            with pytest.raises(PlivoError) as info:
                fake_client.get_number("15676988323")
            errors.append(info.value)
        # Transport errors too: a closed port.
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        with PlivoClient(MAIN, TOKEN, f"http://127.0.0.1:{port}/v1", max_retries=1, backoff_factor=0) as dead:
            with pytest.raises(TransportError) as info:
                dead.list_numbers()
            errors.append(info.value)
            assert TOKEN not in repr(dead)
    assert len(errors) == len(answers) + 1
    assert any("***" in str(e) for e in errors), "the echoed token was not scrubbed but dropped: weak test"
    # Not even a truncated piece of the token (12 characters or more) may show.
    pieces = {TOKEN[i : i + 12] for i in range(len(TOKEN) - 11)} | {
        encoded[i : i + 12] for i in range(len(encoded) - 11)
    }
    for err in errors:
        for text in (str(err), repr(err), str(err.args), str(err.api_id)):
            assert not any(piece in text for piece in pieces), text
    assert caplog.records, "no log records captured: the log check proves nothing"
    assert any("plivo_pulumi" in r.name for r in caplog.records)
    assert not any(piece in caplog.text for piece in pieces)


def test_auth_token_absent_from_simulator_client_errors_and_logs(sim_builtin, caplog):
    token = sim_builtin.auth_token
    sim_builtin.set_faults(script=["error:503", "drop", "rate_limit"], retry_after=0)
    with caplog.at_level(logging.DEBUG):
        with PlivoClient(
            sim_builtin.auth_id, token, sim_builtin.base_url, backoff_factor=0.01, max_retries=1
        ) as c:
            for call in (
                lambda: c.get_number("15676988323"),
                lambda: c.list_numbers(),
                lambda: c.get_number("19999999999"),
                lambda: c.update_number("15676988323", app_id="42"),
            ):
                try:
                    call()
                except PlivoError as exc:
                    assert token not in str(exc) and token not in repr(exc)
        with PlivoClient(sim_builtin.auth_id, token + "x", sim_builtin.base_url) as wrong:
            with pytest.raises(AuthenticationError) as info:
                wrong.list_numbers()
            assert token not in str(info.value)
    assert caplog.records
    assert token not in caplog.text


# -- proxy settings from the environment ----------------------------------------------------------


def test_proxy_from_the_environment_is_used_and_no_proxy_is_honoured(fake, monkeypatch):
    """The client reads HTTP(S)_PROXY / NO_PROXY once, when it is built (not on every request), and
    still sends every call through the proxy they name."""
    fake.respond = as_json(200, number_object())
    for name in ("http_proxy", "https_proxy", "no_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    proxy = fake.base_url.removesuffix("/v1")
    monkeypatch.setenv("HTTP_PROXY", proxy)
    with PlivoClient(MAIN, TOKEN, "http://api.plivo.invalid/v1", max_retries=0) as c:
        assert c.get_number("15676988323")["number"] == "15676988323"
        assert c.get_number("15676988323")["number"] == "15676988323"
    # A proxy sees the absolute URL in the request line.
    assert [r["path"] for r in fake.requests] == [
        f"http://api.plivo.invalid/v1/Account/{MAIN}/Number/15676988323/"
    ] * 2

    monkeypatch.setenv("NO_PROXY", "api.plivo.invalid")
    with PlivoClient(MAIN, TOKEN, "http://api.plivo.invalid/v1", max_retries=0, timeout=(1, 1)) as c:
        with pytest.raises(TransportError):  # direct: the .invalid host does not resolve
            c.get_number("15676988323")
    assert len(fake.requests) == 2


ANSWER = "https://voice.example.com/answer"


# -- applications, against the simulator -------------------------------------------------------


def test_application_create_get_modify_delete(client, sim_builtin):
    created = client.create_application("ivr-main", ANSWER, message_url="https://sms.example.com/in")
    app_id = created["app_id"]
    assert created["message"] == "created" and app_id.isdigit()
    app = client.get_application(app_id)
    assert (app["app_name"], app["answer_url"], app["hangup_url"]) == ("ivr-main", ANSWER, ANSWER)

    client.modify_application(app_id, hangup_method="get")
    after = client.get_application(app_id)
    assert after["hangup_method"] == "GET"
    assert after["message_url"] == "https://sms.example.com/in", "a modify leaves the other fields alone"

    client.delete_application(app_id, cascade=False)
    with pytest.raises(ApplicationNotFoundError) as gone:
        client.get_application(app_id)
    assert app_id in str(gone.value) and TOKEN not in str(gone.value)
    assert sim_builtin.application(app_id) is None


def test_a_create_sends_no_default_owner_and_a_modify_sends_null(client, sim_builtin):
    sim_builtin.clear_log()
    main_app = client.create_application("ivr-main", ANSWER, subaccount="")["app_id"]
    moved = client.create_application("ivr-sub", ANSWER, subaccount=SUB)["app_id"]
    client.modify_application(moved, subaccount="")
    sent = [r["fields"] for r in sim_builtin.requests_log()["requests"] if r["method"] == "POST"]
    assert sent == [["answer_url", "app_name"], ["answer_url", "app_name", "subaccount"], ["subaccount"]]
    assert sim_builtin.application(main_app)["account"] == MAIN
    assert sim_builtin.application(moved)["account"] == MAIN, "a modify moves it back with null"
    with PlivoClient(SUB, sim_builtin.account(SUB)["auth_token"], sim_builtin.base_url) as sub:
        own = sub.create_application("sub-own", ANSWER, subaccount=SUB)["app_id"]
    assert sim_builtin.application(own)["account"] == SUB, "its own: the API refuses the field from it"


def test_applications_named_finds_every_page_and_the_owner(client):
    for i in range(25):
        client.create_application(f"filler-{i}", ANSWER)
    first = client.create_application("twin", ANSWER)["app_id"]
    for_sub = client.create_application("twin", ANSWER, subaccount=SUB)["app_id"]
    assert [a["app_id"] for a in client.applications_named("twin")] == [first]
    assert [a["app_id"] for a in client.applications_named("twin", SUB)] == [for_sub]
    assert client.applications_named("nobody") == []


def test_iter_applications_reads_every_page(client):
    made = {client.create_application(f"app-{i}", ANSWER)["app_id"] for i in range(45)}
    pages: list[tuple[int, int]] = []
    listed = {a["app_id"] for a in client.iter_applications(on_page=lambda f, t: pages.append((f, t)))}
    assert made <= listed
    assert len(pages) == -(-len(listed) // 20), "one GET per page of 20"


def test_modify_refuses_app_name_and_unknown_fields_before_any_call(client, sim_builtin):
    sim_builtin.clear_log()
    with pytest.raises(ValueError, match="app_name cannot be changed"):
        client.modify_application("123", app_name="x")
    with pytest.raises(ValueError, match="unknown application field"):
        client.modify_application("123", colour="red")
    with pytest.raises(ValueError, match="answer_url"):
        client.create_application("ok", "not a url")
    assert sim_builtin.requests_log()["total"] == 0


# -- applications, against a scripted API -------------------------------------------------------


def test_modify_sends_only_the_given_fields(fake, fake_client):
    fake.respond = lambda r: (202, {}, b'{"message": "changed", "api_id": "a1"}')
    fake_client.modify_application("123", answer_url=ANSWER, default_number_app=True)
    (request,) = fake.requests
    assert request["method"] == "POST" and request["path"] == f"/v1/Account/{MAIN}/Application/123/"
    assert json.loads(request["body"]) == {"answer_url": ANSWER, "default_number_app": True}


def test_create_is_not_retried_after_a_server_error(fake, fake_client):
    fake.respond = lambda r: (500, {}, b'{"error": "boom"}')
    with pytest.raises(ServerError) as failed:
        fake_client.create_application("ivr", ANSWER)
    assert len(fake.requests) == 1, "a 500 may follow a creation: never sent twice"
    assert "may have been created" in str(failed.value)


def test_create_is_retried_after_a_429(fake, fake_client):
    answers = iter(
        [
            (429, {"Retry-After": "0"}, b'{"error": "slow down"}'),
            (201, {}, b'{"app_id": "77", "api_id": "x"}'),
        ]
    )
    fake.respond = lambda r: next(answers)
    assert fake_client.create_application("ivr", ANSWER)["app_id"] == "77"
    assert len(fake.requests) == 2


def test_create_is_not_retried_after_a_dropped_answer(fake, fake_client):
    def slow(_r):
        time.sleep(1.0)  # longer than the read timeout: the request was sent, the answer never came
        return 201, {}, b'{"app_id": "1", "api_id": "x"}'

    fake.respond = slow
    with pytest.raises(TransportError):
        fake_client.create_application("ivr", ANSWER)
    assert len(fake.requests) == 1


def test_a_404_everywhere_is_not_taken_for_a_deleted_application(fake, fake_client):
    fake.respond = lambda r: (404, {}, b'{"error": "not found"}')
    with pytest.raises(NotFoundError) as failed:
        fake_client.get_application("123")
    assert not isinstance(failed.value, ApplicationNotFoundError)
    assert "endpoint is wrong" in str(failed.value)


def test_list_all_numbers_reads_every_page_in_parallel(client, sim_builtin):
    seed = {"accounts": [{"auth_id": sim_builtin.auth_id, "auth_token": sim_builtin.auth_token}]}
    sim_builtin.reset({**seed, "generate": {"count": 45, "prefix": "1777"}})
    sim_builtin.clear_log()
    numbers = [obj["number"] for obj in client.list_all_numbers(in_flight=4)]
    assert sorted(numbers) == [f"1777{i:07d}" for i in range(45)]
    assert sim_builtin.requests_log()["by_method"] == {"GET": 3}, "45 numbers: 3 pages of 20"


def live_api_object(number: str, **extra: Any) -> dict[str, Any]:
    """A number object with the fields and values of the live API's recorded answers
    (reference/plivo-number-object-current.txt): no `description` nor `plivo_number`."""
    obj = {
        "added_on": "2014-02-14",
        "active": False,
        "alias": None,
        "application": f"/v1/Account/{MAIN}/Application/29986316244302815/",
        "carrier": "Plivo",
        "monthly_rental_rate": "0.80000",
        "number": number,
        "number_type": "local",
        "city": "USA",
        "cnam_lookup": "enabled",
        "compliance_application_id": None,
        "compliance_status": None,
        "country": "United States",
        "mms_enabled": False,
        "mms_rate": "0.00000",
        "tendlc_campaign_id": None,
        "tendlc_registration_status": "UNREGISTERED",
        "toll_free_sms_verification": None,
        "renewal_date": "2014-03-14",
        "region": "California, UNITED STATES",
        "resource_uri": f"{NUMBER_PATH}{number}/",
        "sms_enabled": True,
        "sms_rate": "0.00000",
        "sub_account": None,
        "voice_enabled": True,
        "voice_rate": "0.00850",
    }
    obj.update(extra)
    return obj


def test_the_live_api_objects_are_read_as_they_are(fake, fake_client):
    """The live API's object (extra fields, `sub_account: null`, no `description`): read whole, its
    binding is the application's id and the main account, and nothing else is a binding."""
    fake.respond = as_json(200, {**live_api_object("17609915566"), "api_id": "88625e5e"})
    got = fake_client.get_number("17609915566")
    assert got["tendlc_registration_status"] == "UNREGISTERED" and "description" not in got
    assert live_binding(got) == {"number": "17609915566", "app_id": "29986316244302815", "subaccount": ""}
    assert binding_changes(live_binding(got), {"app_id": "29986316244302815", "subaccount": ""}) == {}

    # The subaccount's number as older answers carry it (the URI) and as the SDKs' 2026 fixtures do
    # (the bare auth id beside `sub_account_name`): the same binding.
    in_sub = live_api_object("18135401302", sub_account=f"/v1/Account/{MAIN}/Subaccount/{SUB}/", alias="")
    in_sub_now = live_api_object("18135401303", sub_account=SUB, sub_account_name="Marketing")
    page = {
        "api_id": "114de006",
        "meta": {"limit": 20, "next": None, "offset": 0, "previous": None, "total_count": 3},
        "objects": [live_api_object("14153661106", application=None), in_sub, in_sub_now],
    }
    fake.respond = as_json(200, page)
    listed = [live_binding(o) for o in fake_client.list_all_numbers()]
    assert listed == [
        {"number": "14153661106", "app_id": "", "subaccount": ""},
        {"number": "18135401302", "app_id": "29986316244302815", "subaccount": SUB},
        {"number": "18135401303", "app_id": "29986316244302815", "subaccount": SUB},
    ]
