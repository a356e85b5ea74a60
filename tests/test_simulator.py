"""Conformance of the simulator with the Number API reference, over real HTTP with plain requests."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from plivo_pulumi.core.client import PlivoClient
from plivo_pulumi.simulator.seed import DEFAULT_MAIN_ACCOUNT, DEFAULT_SUBACCOUNT
from plivo_pulumi.simulator.testing import SimulatorProcess, SimulatorStartError

MAIN = DEFAULT_MAIN_ACCOUNT
SUB = DEFAULT_SUBACCOUNT
APP = "72509666337566"
APP2 = "72509666337567"
SUB_APP = "31415926535897"
DEFAULT_NUMBERS = ["14155550123", "15676988323", "15676988324", "18005550100", "447700900123"]
REFERENCE_FIELDS = {
    "voice_enabled",
    "description",
    "plivo_number",
    "sms_enabled",
    "number",
    "application",
    "number_type",
    "added_on",
    "resource_uri",
}


# The live API's number object (reference/plivo-number-object-current.txt): field -> JSON types.
DATE = "date"
CURRENT_FIELDS: dict[str, tuple] = {
    "added_on": (DATE,),
    "active": (bool,),
    "alias": (str, None),
    "api_id": (str,),
    "application": (str, None),
    "carrier": (str,),
    "monthly_rental_rate": ("decimal",),
    "number": (str,),
    "number_type": (str,),
    "city": (str,),
    "cnam_lookup": (str,),
    "compliance_application_id": (str, None),
    "compliance_status": (str, None),
    "country": (str,),
    "mms_enabled": (bool,),
    "mms_rate": ("decimal",),
    "tendlc_campaign_id": (str, None),
    "tendlc_registration_status": (str,),
    "toll_free_sms_verification": (str, None),
    "renewal_date": (DATE,),
    "region": (str,),
    "resource_uri": (str,),
    "sms_enabled": (bool,),
    "sms_rate": ("decimal",),
    "sub_account": (str, None),
    "sub_account_name": (str, None),
    "voice_enabled": (bool,),
    "voice_rate": ("decimal",),
}


def of_type(value, kinds) -> bool:
    for kind in kinds:
        if kind is None and value is None:
            return True
        if kind == DATE and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return True
        if kind == "decimal" and isinstance(value, str) and re.fullmatch(r"\d+\.\d{5}", value):
            return True
        if isinstance(kind, type) and type(value) is kind:
            return True
    return False


def call(sim_builtin, method, suffix="", *, auth=None, account=None, **kwargs):
    account = account or sim_builtin.auth_id
    url = f"{sim_builtin.base_url}/Account/{account}/Number/{suffix}"
    return requests.request(
        method, url, auth=auth or (sim_builtin.auth_id, sim_builtin.auth_token), timeout=10, **kwargs
    )


def sub_auth(sim_builtin):
    return (SUB, sim_builtin.account(SUB)["auth_token"])


def assert_error(response, status, fragment=None):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"api_id", "error"}
    assert body["api_id"]
    if fragment:
        assert fragment in body["error"]
    return body


# -- list ----------------------------------------------------------------------------------------


def test_list_returns_reference_shape_sorted_by_number(sim_builtin):
    sim_builtin.set_number_shape("subaccount")  # the reference's fields, plus the subaccount's URI
    response = call(sim_builtin, "GET")
    assert response.status_code == 200
    body = response.json()
    assert body["api_id"]
    assert body["meta"] == {"previous": None, "next": None, "total_count": 5, "offset": 0, "limit": 20}
    numbers = [o["number"] for o in body["objects"]]
    assert numbers == DEFAULT_NUMBERS
    toledo = body["objects"][1]
    assert REFERENCE_FIELDS <= set(toledo)
    assert toledo["application"] == f"/v1/Account/{MAIN}/Application/{APP}/"
    assert toledo["resource_uri"] == f"/v1/Account/{MAIN}/Number/15676988323/"
    assert toledo["subaccount"] is None
    assert toledo["plivo_number"] is True
    assert toledo["added_on"] == "2012-03-21"
    sub_number = body["objects"][0]
    assert sub_number["subaccount"] == f"/v1/Account/{MAIN}/Subaccount/{SUB}/"
    assert sub_number["alias"] == "support-line"
    assert body["objects"][2]["application"] is None


def test_list_without_number_type_lists_every_type(sim_builtin):
    types = {o["number_type"] for o in call(sim_builtin, "GET").json()["objects"]}
    assert types == {"local", "tollfree", "mobile"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"number_type": "tollfree"}, ["18005550100"]),
        ({"number_type": "mobile"}, ["447700900123"]),
        ({"number_type": "local"}, ["14155550123", "15676988323", "15676988324"]),
        ({"number_startswith": "1567"}, ["15676988323", "15676988324"]),
        ({"number_startswith": "44"}, ["447700900123"]),
        ({"subaccount": SUB}, ["14155550123"]),
        ({"services": "sms"}, ["14155550123", "15676988323", "15676988324", "447700900123"]),
        ({"services": "voice"}, DEFAULT_NUMBERS),
        ({"services": "voice,sms"}, ["14155550123", "15676988323", "15676988324", "447700900123"]),
        ({"services": "mms"}, []),
        ({"number_type": "local", "number_startswith": "1415"}, ["14155550123"]),
    ],
)
def test_list_filters(sim_builtin, params, expected):
    response = call(sim_builtin, "GET", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [o["number"] for o in body["objects"]] == expected
    assert body["meta"]["total_count"] == len(expected)


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"limit": "21"}, "limit must be between 1 and 20"),
        ({"limit": "0"}, "limit must be between 1 and 20"),
        ({"limit": "ten"}, "limit must be an integer"),
        ({"offset": "-1"}, "offset"),
        ({"number_type": "premium"}, "invalid number_type"),
        ({"number_startswith": "+1"}, "number_startswith"),
        ({"subaccount": "SA123"}, "invalid subaccount"),
        ({"subaccount": "SAUNKNOWNSUBACCOUNT0"}, "not found"),
        ({"services": "fax"}, "invalid services"),
        ({"numbertype": "local"}, "unknown parameter(s) numbertype"),
        ({"type": "local", "number_type": "tollfree"}, "type and number_type disagree"),
        ({"type": "premium"}, "invalid number_type"),
        ({"renewal_date__gte": "soon"}, "invalid renewal_date__gte"),
    ],
)
def test_list_rejects_bad_parameters_with_400(sim_builtin, params, fragment):
    assert_error(call(sim_builtin, "GET", params=params), 400, fragment)


def test_paging_follows_meta_links(sim_builtin):
    sim_builtin.reset({"generate": {"count": 45, "prefix": "1555", "account": MAIN}})
    seen = []
    url = f"{sim_builtin.base_url}/Account/{MAIN}/Number/?limit=20"
    pages = []
    while url:
        body = requests.get(url, auth=(sim_builtin.auth_id, sim_builtin.auth_token), timeout=10).json()
        pages.append(body["meta"])
        seen += [o["number"] for o in body["objects"]]
        nxt = body["meta"]["next"]
        url = f"{sim_builtin.base_url.removesuffix('/v1')}{nxt}" if nxt else None
    assert len(pages) == 3
    assert seen == [f"1555{i:07d}" for i in range(45)]
    assert [p["offset"] for p in pages] == [0, 20, 40]
    assert pages[0]["previous"] is None
    assert pages[1]["previous"] == f"/v1/Account/{MAIN}/Number/?limit=20&offset=0"
    assert pages[2]["next"] is None
    assert all(p["total_count"] == 45 for p in pages)


def test_paging_links_keep_filters_and_offset_past_end_is_empty(sim_builtin):
    sim_builtin.reset(
        {
            "generate": [
                {"count": 12, "prefix": "1555"},
                {"count": 3, "prefix": "1800", "number_type": "tollfree"},
            ]
        }
    )
    body = call(sim_builtin, "GET", params={"number_type": "local", "limit": 5, "offset": 5}).json()
    assert body["meta"]["next"] == f"/v1/Account/{MAIN}/Number/?limit=5&offset=10&number_type=local"
    assert body["meta"]["previous"] == f"/v1/Account/{MAIN}/Number/?limit=5&offset=0&number_type=local"
    assert body["meta"]["total_count"] == 12
    past = call(sim_builtin, "GET", params={"offset": 100}).json()
    assert past["objects"] == [] and past["meta"]["next"] is None and past["meta"]["total_count"] == 15


# -- get -----------------------------------------------------------------------------------------


def test_get_number(sim_builtin):
    sim_builtin.set_number_shape("subaccount")
    response = call(sim_builtin, "GET", "15676988323/")
    assert response.status_code == 200
    body = response.json()
    assert REFERENCE_FIELDS | {"api_id", "subaccount", "alias"} <= set(body)
    assert body["number"] == "15676988323"
    assert body["description"] == "TOLEDO"
    assert body["number_type"] == "local"
    assert body["voice_enabled"] is True and body["sms_enabled"] is True
    assert body["application"] == f"/v1/Account/{MAIN}/Application/{APP}/"


def test_the_default_shape_is_the_live_api_object(sim_builtin):
    """Shape `current` (the default): every field of the live object, of its JSON type; the
    subaccount as `sub_account`, the bare auth id beside `sub_account_name` (the SDKs' 2026
    fixtures), both null for the main account's number."""
    assert sim_builtin.number_shape() == "current"
    for number, sub_account, name in (("15676988323", None, None), ("14155550123", SUB, "support")):
        got = call(sim_builtin, "GET", f"{number}/").json()
        assert set(got) == set(CURRENT_FIELDS), set(got) ^ set(CURRENT_FIELDS)
        wrong = {k: got[k] for k, kinds in CURRENT_FIELDS.items() if not of_type(got[k], kinds)}
        assert wrong == {}
        assert (got["sub_account"], got["sub_account_name"]) == (sub_account, name)
        assert got["renewal_date"] > got["added_on"] and got["renewal_date"][8:] == got["added_on"][8:]
        listed = [o for o in call(sim_builtin, "GET").json()["objects"] if o["number"] == number]
        assert listed == [{k: v for k, v in got.items() if k != "api_id"}], "List objects: the same fields"
    toledo = call(sim_builtin, "GET", "15676988323/").json()
    assert toledo["application"] == f"/v1/Account/{MAIN}/Application/{APP}/"
    assert (toledo["country"], toledo["number_type"], toledo["alias"]) == ("United States", "local", None)


def test_edit_takes_the_sdk_forms(sim_builtin):
    """The Python SDK repeats `number` in the body and unlinks with the text "null"."""
    body = {"number": "15676988323", "app_id": "null", "cnam_lookup": "enabled"}
    assert call(sim_builtin, "POST", "15676988323/", json=body).status_code == 202
    stored = sim_builtin.number("15676988323")
    assert (stored["app_id"], stored["cnam_lookup"]) == (None, "enabled")
    with_info = {"app_id": APP, "verification_info": {"business": "x"}}
    assert call(sim_builtin, "POST", "15676988323/", json=with_info).status_code == 202
    assert sim_builtin.number("15676988323")["app_id"] == APP
    for bad, fragment in (
        ({"number": "15676988324", "app_id": None}, "does not match"),
        ({"verification_info": "yes"}, "verification_info"),
        ({"cnam_lookup": "on"}, "cnam_lookup"),
        ({"subaccount": "null"}, "invalid subaccount"),
        ({"app": APP}, "unknown parameter(s) app"),
    ):
        assert_error(call(sim_builtin, "POST", "15676988323/", json=bad), 400, fragment)
    assert sim_builtin.number("15676988323")["app_id"] == APP, "a refused edit changes nothing"


def test_bodies_on_delete_and_get(sim_builtin):
    """DELETE may carry a JSON body (the SDKs send one); GET may not, and an unrent takes nothing."""
    assert_error(call(sim_builtin, "DELETE", "15676988324/", json={"number": "15676988324"}), 400, "number")
    assert_error(
        call(sim_builtin, "DELETE", "15676988324/", json={"cascade": True}), 400, "unknown parameter"
    )
    assert_error(call(sim_builtin, "GET", "15676988324/", json={"a": 1}), 400, "GET requests take no body")
    assert sim_builtin.number("15676988324") is not None
    assert call(sim_builtin, "DELETE", "15676988324/", json={}).status_code == 204
    assert sim_builtin.number("15676988324") is None


def test_get_without_trailing_slash(sim_builtin):
    assert call(sim_builtin, "GET", "15676988323").json()["number"] == "15676988323"
    assert requests.get(
        f"{sim_builtin.base_url}/Account/{MAIN}/Number", auth=(sim_builtin.auth_id, sim_builtin.auth_token)
    ).ok


@pytest.mark.parametrize("number", ["19999999999/", "+15676988323/", "abc/"])
def test_get_unknown_number_is_404_json(sim_builtin, number):
    assert_error(call(sim_builtin, "GET", number), 404, "not found")


# -- edit ----------------------------------------------------------------------------------------


def test_edit_json_changes_application_and_answers_202(sim_builtin):
    response = call(sim_builtin, "POST", "15676988323/", json={"app_id": APP2})
    assert response.status_code == 202
    body = response.json()
    assert body["message"] == "changed" and body["api_id"]
    assert sim_builtin.number("15676988323")["app_id"] == APP2
    assert call(sim_builtin, "GET", "15676988323/").json()["application"].endswith(f"/Application/{APP2}/")


def test_edit_null_app_id_unlinks(sim_builtin):
    assert call(sim_builtin, "POST", "15676988323/", json={"app_id": None}).status_code == 202
    assert sim_builtin.number("15676988323")["app_id"] is None
    assert call(sim_builtin, "GET", "15676988323/").json()["application"] is None


def test_edit_form_body_and_empty_value_unlinks(sim_builtin):
    response = call(sim_builtin, "POST", "15676988324/", data={"app_id": APP})
    assert response.status_code == 202
    assert sim_builtin.number("15676988324")["app_id"] == APP
    assert call(sim_builtin, "POST", "15676988324/", data={"app_id": ""}).status_code == 202
    assert sim_builtin.number("15676988324")["app_id"] is None


def test_edit_subaccount_and_back_to_main(sim_builtin):
    assert call(sim_builtin, "POST", "15676988323/", json={"subaccount": SUB}).status_code == 202
    assert sim_builtin.number("15676988323")["subaccount"] == SUB
    assert sim_builtin.number("15676988323")["app_id"] == APP  # the application link is kept
    got = call(sim_builtin, "GET", "15676988323/").json()
    assert got["sub_account"] == SUB  # the default shape, current: the bare auth id
    assert call(sim_builtin, "POST", "15676988323/", json={"subaccount": None}).status_code == 202
    assert sim_builtin.number("15676988323")["subaccount"] is None
    assert call(sim_builtin, "GET", "15676988323/").json()["sub_account"] is None


def test_edit_with_no_parameters_changes_nothing(sim_builtin):
    before = sim_builtin.number("15676988323")
    assert call(sim_builtin, "POST", "15676988323/", json={}).status_code == 202
    assert sim_builtin.number("15676988323") == before


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"app_id": "99999999"}, "application 99999999 not found"),
        ({"app_id": "abc"}, "invalid app_id"),
        ({"app_id": f"/v1/Account/{MAIN}/Application/{APP}/"}, "invalid app_id"),
        ({"subaccount": "SAUNKNOWNSUBACCOUNT0"}, "subaccount SAUNKNOWNSUBACCOUNT0 not found"),
        ({"subaccount": MAIN}, "invalid subaccount"),
        ({"application": APP}, "unknown parameter"),
        ({"app_id": APP, "subaccount": "SAUNKNOWNSUBACCOUNT0"}, "not found"),
    ],
)
def test_edit_rejects_bad_values_with_400_and_changes_nothing(sim_builtin, body, fragment):
    before = sim_builtin.number("15676988323")
    assert_error(call(sim_builtin, "POST", "15676988323/", json=body), 400, fragment)
    assert sim_builtin.number("15676988323") == before


def test_edit_malformed_json_is_400(sim_builtin):
    response = call(
        sim_builtin, "POST", "15676988323/", data="{nope", headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "malformed JSON")


def test_edit_application_of_another_main_account_is_400(sim_builtin):
    other = "MAOTHERACCOUNT000001"
    sim_builtin.reset(
        {
            "accounts": [{"auth_id": MAIN}, {"auth_id": other}],
            "applications": [{"app_id": "1", "account": MAIN}, {"app_id": "2", "account": other}],
            "numbers": [{"number": "15550000001", "account": MAIN}],
        }
    )
    assert_error(
        call(sim_builtin, "POST", "15550000001/", json={"app_id": "2"}), 400, "application 2 not found"
    )
    assert call(sim_builtin, "POST", "15550000001/", json={"app_id": "1"}).status_code == 202


def test_edit_unknown_number_is_404(sim_builtin):
    assert_error(call(sim_builtin, "POST", "19999999999/", json={"app_id": APP}), 404)


# -- unrent --------------------------------------------------------------------------------------


def test_unrent_is_204_then_404(sim_builtin):
    response = call(sim_builtin, "DELETE", "15676988324/")
    assert response.status_code == 204
    assert response.content == b""
    assert sim_builtin.number("15676988324") is None
    assert_error(call(sim_builtin, "GET", "15676988324/"), 404)
    assert_error(call(sim_builtin, "DELETE", "15676988324/"), 404)
    assert call(sim_builtin, "GET").json()["meta"]["total_count"] == 4


def test_unrent_with_the_node_sdks_empty_json_string_body(sim_builtin):
    """Plivo's Node SDK 4.79.0 unrents with a DELETE whose JSON body is the string "" (two bytes):
    no parameters, so 204 (it was 400 "the JSON body must be an object"). Any other string, or a
    JSON value that is not an object, stays 400; a GET with that body too."""
    node_form = {"data": b'""', "headers": {"Content-Type": "application/json"}}
    assert_error(call(sim_builtin, "GET", "15676988324/", **node_form), 400, "GET requests take no body")
    for body in (b'"x"', b"null", b"[]", b"0"):
        refused = call(sim_builtin, "DELETE", "15676988324/", data=body, headers=node_form["headers"])
        assert_error(refused, 400, "must be an object")
    response = call(sim_builtin, "DELETE", "15676988324/", **node_form)
    assert response.status_code == 204, response.text
    assert sim_builtin.number("15676988324") is None
    assert [(r["method"], r["status"]) for r in sim_builtin.requests_log()["requests"]][-1] == ("DELETE", 204)


# -- authentication and accounts -----------------------------------------------------------------


def test_missing_credentials_is_401_with_challenge(sim_builtin):
    response = requests.get(f"{sim_builtin.base_url}/Account/{MAIN}/Number/", timeout=10)
    assert_error(response, 401, "authentication required")
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_wrong_token_is_401(sim_builtin):
    assert_error(call(sim_builtin, "GET", auth=(MAIN, "not-the-token")), 401, "authentication failed")
    assert_error(call(sim_builtin, "GET", auth=("MAUNKNOWNACCOUNT0000", sim_builtin.auth_token)), 401)


def test_malformed_basic_header_is_401(sim_builtin):
    response = requests.get(
        f"{sim_builtin.base_url}/Account/{MAIN}/Number/", headers={"Authorization": "Basic %%%"}, timeout=10
    )
    assert_error(response, 401)


def test_path_account_must_match_credentials(sim_builtin):
    body = assert_error(call(sim_builtin, "GET", account=SUB), 401, "does not match")
    assert sim_builtin.auth_token not in json.dumps(body)
    assert_error(call(sim_builtin, "GET", "15676988323/", auth=sub_auth(sim_builtin)), 401, "does not match")


def test_subaccount_sees_and_edits_only_its_numbers(sim_builtin):
    auth = sub_auth(sim_builtin)
    listed = call(sim_builtin, "GET", auth=auth, account=SUB).json()
    assert [o["number"] for o in listed["objects"]] == ["14155550123"]
    assert listed["objects"][0]["resource_uri"] == f"/v1/Account/{SUB}/Number/14155550123/"
    assert_error(call(sim_builtin, "GET", "15676988323/", auth=auth, account=SUB), 404)
    assert_error(
        call(sim_builtin, "POST", "15676988323/", auth=auth, account=SUB, json={"app_id": None}), 404
    )
    assert_error(call(sim_builtin, "DELETE", "15676988323/", auth=auth, account=SUB), 404)
    assert sim_builtin.number("15676988323") is not None
    # Its own number: may relink the application, may not move it between subaccounts.
    assert (
        call(sim_builtin, "POST", "14155550123/", auth=auth, account=SUB, json={"app_id": None}).status_code
        == 202
    )
    assert sim_builtin.number("14155550123")["app_id"] is None
    response = call(sim_builtin, "POST", "14155550123/", auth=auth, account=SUB, json={"subaccount": None})
    assert_error(response, 400, "only the main account")
    assert sim_builtin.number("14155550123")["subaccount"] == SUB


def test_unknown_paths_and_methods(sim_builtin):
    assert_error(
        requests.get(f"{sim_builtin.base_url}/Account/{MAIN}/Call/", auth=(MAIN, sim_builtin.auth_token)), 404
    )
    assert_error(
        requests.get(f"{sim_builtin.base_url.removesuffix('/v1')}/v2/x", auth=(MAIN, sim_builtin.auth_token)),
        404,
    )
    response = call(sim_builtin, "PUT", "15676988323/", json={})
    assert_error(response, 405)
    assert response.headers["Allow"] == "GET, POST, DELETE"
    response = call(sim_builtin, "POST", "", json={"app_id": APP})
    assert_error(response, 405)
    assert response.headers["Allow"] == "GET"
    assert_error(call(sim_builtin, "DELETE", ""), 405)


# -- request log ---------------------------------------------------------------------------------


def test_request_log_counts_api_requests_only(sim_builtin):
    call(sim_builtin, "GET")
    call(sim_builtin, "GET", "15676988323/")
    call(sim_builtin, "GET", "15676988323")
    call(sim_builtin, "POST", "15676988323/", json={"app_id": None})
    call(sim_builtin, "DELETE", "15676988324/")
    call(sim_builtin, "GET", auth=(MAIN, "wrong"))
    sim_builtin.state()
    sim_builtin.number("15676988323")
    log = sim_builtin.requests_log()
    base = f"/v1/Account/{MAIN}/Number/"
    assert log["by_method"] == {"GET": 4, "POST": 1, "DELETE": 1}
    assert log["counts"] == {
        f"GET {base}": 2,
        f"GET {base}15676988323/": 2,
        f"POST {base}15676988323/": 1,
        f"DELETE {base}15676988324/": 1,
    }
    assert log["by_route"]["GET /v1/Account/{auth_id}/Number/{number}/"] == 2
    assert [(r["method"], r["status"]) for r in log["requests"]] == [
        ("GET", 200),
        ("GET", 200),
        ("GET", 200),
        ("POST", 202),
        ("DELETE", 204),
        ("GET", 401),
    ]
    assert log["requests"][0]["account"] == MAIN
    assert log["requests"][-1]["account"] is None
    sim_builtin.clear_log()
    assert sim_builtin.requests_log()["requests"] == []
    assert sim_builtin.requests_log()["by_method"] == {}


# -- admin API -----------------------------------------------------------------------------------


def test_state_dump_hides_tokens_unless_asked(sim_builtin):
    state = sim_builtin.state()
    assert {a["auth_id"] for a in state["accounts"]} == {MAIN, SUB}
    assert all("auth_token" not in a for a in state["accounts"])
    assert sim_builtin.auth_token not in json.dumps(state)
    with_tokens = sim_builtin.state(credentials=True)
    assert {a["auth_id"]: a["auth_token"] for a in with_tokens["accounts"]}[MAIN] == sim_builtin.auth_token
    assert [a["app_id"] for a in state["applications"]] == [SUB_APP, APP, APP2]
    toledo = next(n for n in state["numbers"] if n["number"] == "15676988323")
    assert toledo["account"] == MAIN and toledo["app_id"] == APP and toledo["subaccount"] is None


def test_out_of_band_edit_is_seen_by_the_api_and_not_logged(sim_builtin):
    sim_builtin.edit_out_of_band("15676988323", app_id=None, subaccount=SUB, alias="moved")
    got = call(sim_builtin, "GET", "15676988323/").json()
    assert got["application"] is None
    assert got["sub_account"] == SUB
    assert got["alias"] == "moved"
    assert sim_builtin.requests_log()["by_method"] == {"GET": 1}


def test_out_of_band_edit_validates(sim_builtin):
    for fields, status in (
        ({"app_id": "424242"}, 400),
        ({"colour": "red"}, 400),
        ({"subaccount": "SAX"}, 400),
    ):
        response = requests.post(f"{sim_builtin.admin_url}/numbers/15676988323", json=fields, timeout=10)
        assert response.status_code == status, response.text
        assert "error" in response.json()
    assert (
        requests.post(f"{sim_builtin.admin_url}/numbers/19999999999", json={}, timeout=10).status_code == 404
    )


def test_out_of_band_rent_and_unrent(sim_builtin):
    created = sim_builtin.rent_out_of_band("15550001111", app_id=APP, number_type="tollfree", alias="new")
    assert created["account"] == MAIN and created["app_id"] == APP and created["number_type"] == "tollfree"
    got = call(sim_builtin, "GET", "15550001111/").json()
    assert got["application"].endswith(f"/{APP}/") and got["alias"] == "new"
    again = requests.put(f"{sim_builtin.admin_url}/numbers/15550001111", json={}, timeout=10)
    assert again.status_code == 409
    sim_builtin.unrent_out_of_band("15550001111")
    assert_error(call(sim_builtin, "GET", "15550001111/"), 404)
    assert requests.delete(f"{sim_builtin.admin_url}/numbers/15550001111", timeout=10).status_code == 404


def test_applications_can_be_added_and_removed(sim_builtin):
    sim_builtin.add_application("5555", name="late")
    assert call(sim_builtin, "POST", "15676988324/", json={"app_id": "5555"}).status_code == 202
    assert requests.delete(f"{sim_builtin.admin_url}/applications/5555", timeout=10).status_code == 200
    assert sim_builtin.number("15676988324")["app_id"] is None


def test_reset_accepts_yaml_and_keeps_tokens_of_known_accounts(sim_builtin):
    token = sim_builtin.auth_token
    yaml_seed = "numbers:\n  - {number: 15550000001, app_id: 72509666337566}\n"
    response = requests.post(f"{sim_builtin.admin_url}/reset", data=yaml_seed, timeout=10)
    assert response.status_code == 200, response.text
    assert response.json()["numbers"] == 1
    assert response.json()["auth_token"] == token
    assert [n["number"] for n in sim_builtin.state()["numbers"]] == ["15550000001"]
    assert call(sim_builtin, "GET", "15550000001/").json()["application"].endswith(f"/{APP}/")
    sim_builtin.reset()
    assert [n["number"] for n in sim_builtin.state()["numbers"]] == DEFAULT_NUMBERS


def test_reset_with_new_accounts_returns_their_credentials(sim_builtin):
    sim_builtin.reset({"accounts": [{"auth_id": "MANEWACCOUNT00000001", "auth_token": "secret-token-1234"}]})
    assert sim_builtin.auth_id == "MANEWACCOUNT00000001" and sim_builtin.auth_token == "secret-token-1234"
    assert call(sim_builtin, "GET").json()["meta"]["total_count"] == 0
    sim_builtin.reset()
    assert sim_builtin.auth_id == MAIN


@pytest.mark.parametrize(
    ("seed", "fragment"),
    [
        ({"numbers": [{"number": "123"}]}, "numbers[0].number"),
        ({"numbers": [{"number": "15550000001", "app_id": "9"}]}, "numbers[0].app_id"),
        ({"numbers": [{"number": "15550000001", "colour": "red"}]}, "numbers[0]: unknown field"),
        ({"accounts": [{"auth_id": "MAshort"}]}, "accounts[0].auth_id"),
        ({"accounts": []}, "at least one main account"),
        ({"generate": {"count": 5, "prefix": "1555", "length": 5}}, "generate.length"),
        ({"numbers": [{"number": "15550000001"}, {"number": "+1 555 000 0001"}]}, "listed twice"),
        ({"surprise": 1}, "unknown field"),
    ],
)
def test_invalid_seed_is_400_naming_the_entry_and_keeps_the_state(sim_builtin, seed, fragment):
    response = requests.post(f"{sim_builtin.admin_url}/seed", json=seed, timeout=10)
    assert response.status_code == 400
    assert fragment in response.json()["error"]
    assert len(sim_builtin.state()["numbers"]) == 5


def test_seed_endpoint_requires_a_body(sim_builtin):
    assert requests.post(f"{sim_builtin.admin_url}/seed", timeout=10).status_code == 400


def test_unknown_admin_endpoint_is_404(sim_builtin):
    assert requests.get(f"{sim_builtin.admin_url}/nope", timeout=10).status_code == 404
    assert requests.put(f"{sim_builtin.admin_url}/requests", timeout=10).status_code == 405


# -- faults --------------------------------------------------------------------------------------


def test_fault_settings_round_trip_and_validation(sim_builtin):
    sim_builtin.set_faults(error_rate=0.25, seed=3)
    assert sim_builtin.faults()["error_rate"] == 0.25 and sim_builtin.faults()["seed"] == 3
    assert sim_builtin.faults()["latency_ms"] == 0
    for bad in ({"error_rate": 2}, {"error_statuses": [200]}, {"nope": 1}, {"retry_after": -1}):
        response = requests.post(f"{sim_builtin.admin_url}/faults", json=bad, timeout=10)
        assert response.status_code == 400, bad
    sim_builtin.clear_faults()
    assert sim_builtin.faults()["error_rate"] == 0.0


def test_injected_errors_and_admin_is_never_faulted(sim_builtin):
    sim_builtin.set_faults(error_rate=1.0, error_statuses=[502, 504])
    statuses = {call(sim_builtin, "GET", "15676988323/").status_code for _ in range(20)}
    assert statuses == {502, 504}
    assert sim_builtin.state()["numbers"]  # the admin API still answers
    log = sim_builtin.requests_log()
    assert log["by_method"] == {"GET": 20}
    assert {r["fault"] for r in log["requests"]} == {"error"}


def test_injected_error_rate_is_roughly_respected_and_seeded(sim_builtin):
    sim_builtin.set_faults(error_rate=0.3, seed=42)
    first = [call(sim_builtin, "GET", "15676988323/").status_code for _ in range(60)]
    sim_builtin.set_faults(error_rate=0.3, seed=42)
    second = [call(sim_builtin, "GET", "15676988323/").status_code for _ in range(60)]
    assert first == second
    failures = sum(s != 200 for s in first)
    assert 6 <= failures <= 36


def test_injected_rate_limit_sends_retry_after(sim_builtin):
    sim_builtin.set_faults(rate_limit_rate=1.0, retry_after=7)
    response = call(sim_builtin, "GET", "15676988323/")
    assert_error(response, 429)
    assert response.headers["Retry-After"] == "7"


def test_injected_drop_closes_without_response(sim_builtin):
    sim_builtin.set_faults(drop_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        call(sim_builtin, "GET", "15676988323/")
    log = sim_builtin.requests_log()
    assert log["requests"][-1]["status"] is None and log["requests"][-1]["fault"] == "drop"


def test_scripted_faults_apply_in_order_then_stop(sim_builtin):
    sim_builtin.set_faults(script=["error:502", "rate_limit", "ok", "error"])
    assert sim_builtin.faults()["script"] == ["error:502", "rate_limit", "ok", "error"]
    statuses = [call(sim_builtin, "GET", "15676988323/").status_code for _ in range(6)]
    assert statuses == [502, 429, 200, 500, 200, 200]
    assert sim_builtin.faults()["script"] == []
    bad = requests.post(f"{sim_builtin.admin_url}/faults", json={"script": ["explode"]}, timeout=10)
    assert bad.status_code == 400


def test_a_late_step_carries_the_request_out_and_holds_its_answer(sim_builtin):
    # Only the matching request uses up the step: the GET before it is answered at once.
    assert sim_builtin.number("15676988323")["app_id"] is not None
    sim_builtin.set_faults(script=["late:1500"], script_match="POST")
    assert call(sim_builtin, "GET", "15676988323/").status_code == 200
    with pytest.raises(requests.Timeout):
        requests.post(
            f"{sim_builtin.base_url}/Account/{sim_builtin.auth_id}/Number/15676988323/",
            json={"app_id": None},
            auth=(sim_builtin.auth_id, sim_builtin.auth_token),
            timeout=0.5,
        )
    assert sim_builtin.faults()["script"] == []
    wait = time.monotonic() + 5
    while sim_builtin.number("15676988323")["app_id"] is not None and time.monotonic() < wait:
        time.sleep(0.05)
    assert sim_builtin.number("15676988323")["app_id"] is None, "the edit was made"
    assert sim_builtin.requests_log()["requests"][-1]["fault"] == "late"
    for bad in ({"script": ["late:60001"]}, {"script_match": "PUT /x"}, {"script_match": 3}):
        assert requests.post(f"{sim_builtin.admin_url}/faults", json=bad, timeout=10).status_code == 400


def test_injected_latency_does_not_serialize_requests(sim_builtin):
    sim_builtin.set_faults(latency_ms=200)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda _: call(sim_builtin, "GET", "15676988323/").status_code, range(20)))
    elapsed = time.monotonic() - started
    assert statuses == [200] * 20
    assert elapsed >= 0.2
    assert elapsed < 1.5, f"20 concurrent requests with 200 ms latency took {elapsed:.2f}s"


def test_many_concurrent_connections(sim_builtin):
    sim_builtin.set_faults(latency_ms=50)
    with ThreadPoolExecutor(max_workers=64) as pool:
        statuses = list(pool.map(lambda _: call(sim_builtin, "GET").status_code, range(200)))
    assert statuses == [200] * 200
    assert sim_builtin.requests_log()["by_method"] == {"GET": 200}


# -- asynchronous mode ---------------------------------------------------------------------------


def test_async_get_answers_at_once_and_posts_the_response(sim_builtin, callback_receiver):
    response = call(sim_builtin, "GET", "15676988323/", params={"callback_url": callback_receiver.url})
    assert response.status_code == 202
    body = response.json()
    assert body["message"] == "async api spawned"
    hit = callback_receiver.get()
    assert hit["method"] == "POST" and hit["path"] == "/hook"
    assert hit["content_type"] == "application/x-www-form-urlencoded"
    assert hit["form"]["api_id"] == body["api_id"]
    assert hit["form"]["status"] == "200"
    delivered = json.loads(hit["form"]["response"])
    assert delivered["number"] == "15676988323"
    assert delivered["application"].endswith(f"/{APP}/")


def test_async_edit_with_get_callback_applies_the_change(sim_builtin, callback_receiver):
    response = call(
        sim_builtin,
        "POST",
        "15676988323/",
        json={"app_id": None, "callback_url": callback_receiver.url, "callback_method": "GET"},
    )
    assert response.status_code == 202
    assert sim_builtin.number("15676988323")["app_id"] is None
    hit = callback_receiver.get()
    assert hit["method"] == "GET"
    assert hit["query"]["status"] == "202"
    assert json.loads(hit["query"]["response"])["message"] == "changed"


def test_async_errors_are_delivered_to_the_callback(sim_builtin, callback_receiver):
    response = call(sim_builtin, "DELETE", "19999999999/", params={"callback_url": callback_receiver.url})
    assert response.status_code == 202
    hit = callback_receiver.get()
    assert hit["form"]["status"] == "404"
    assert json.loads(hit["form"]["response"])["error"] == "not found"
    deadline = time.monotonic() + 5
    while not sim_builtin.callbacks() and time.monotonic() < deadline:
        time.sleep(0.02)  # the delivery is recorded once the receiver has answered
    assert sim_builtin.callbacks()[-1]["delivered"] == 200


def test_async_unrent_and_bad_callback_parameters(sim_builtin, callback_receiver):
    response = call(sim_builtin, "DELETE", "15676988324/", params={"callback_url": callback_receiver.url})
    assert response.status_code == 202
    hit = callback_receiver.get()
    assert hit["form"]["status"] == "204"
    assert json.loads(hit["form"]["response"]) == {"api_id": response.json()["api_id"]}
    assert sim_builtin.number("15676988324") is None
    assert_error(call(sim_builtin, "GET", params={"callback_url": "ftp://x"}), 400, "callback_url")
    assert_error(
        call(sim_builtin, "GET", params={"callback_url": callback_receiver.url, "callback_method": "PUT"}),
        400,
    )
    assert_error(call(sim_builtin, "GET", params={"callback_method": "GET"}), 400)


# -- the process ---------------------------------------------------------------------------------


def _run(args, timeout=20):
    return subprocess.run(
        [sys.executable, "-m", "plivo_pulumi.simulator", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=Path(__file__).resolve().parents[1],
    )


def test_invalid_seed_file_exits_2_naming_file_and_entry(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text("numbers:\n  - {number: '12'}\n")
    result = _run(["--seed", str(seed), "--port", "0"])
    assert result.returncode == 2
    assert str(seed) in result.stderr and "numbers[0].number" in result.stderr
    missing = _run(["--seed", str(tmp_path / "nope.yaml")])
    assert missing.returncode == 2 and "nope.yaml" in missing.stderr


def test_startup_line_hides_token_and_sigterm_stops_cleanly(tmp_path):
    ready = tmp_path / "ready.json"
    seed = tmp_path / "seed.yaml"
    seed.write_text("accounts:\n  - {auth_id: MAPROCESSTEST0000001, auth_token: tok-very-secret-12345}\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "plivo_pulumi.simulator", "--seed", str(seed), "--ready-file", str(ready)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        deadline = time.monotonic() + 20
        while not ready.exists():
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        info = json.loads(ready.read_text())
        assert set(info) == {"base_url", "admin_url", "auth_id", "auth_token", "pid"}
        assert info["auth_id"] == "MAPROCESSTEST0000001" and info["auth_token"] == "tok-very-secret-12345"
        assert info["pid"] == proc.pid
        assert info["base_url"].startswith("http://127.0.0.1:") and info["base_url"].endswith("/v1")
        assert oct(ready.stat().st_mode & 0o777) == "0o600"
        answer = requests.get(
            f"{info['base_url']}/Account/MAPROCESSTEST0000001/Number/",
            auth=("MAPROCESSTEST0000001", "tok-very-secret-12345"),
            timeout=10,
        )
        assert answer.status_code == 200
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    assert "tok-very-secret-12345" not in out + err
    assert info["base_url"] in out and "MAPROCESSTEST0000001" in out
    assert "ready.json" in out
    assert not ready.exists()


def test_show_credentials_prints_the_token_and_sigint_stops(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "plivo_pulumi.simulator", "--show-credentials"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        line = proc.stdout.readline()
        assert "auth token " in line and MAIN in line
        token = line.split("auth token ")[1].split(")")[0]
        assert len(token) == 40 and token.isalnum()
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0


def test_simulator_process_reports_startup_failure(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("accounts: nope\n")
    with pytest.raises(SimulatorStartError, match="accounts"):
        SimulatorProcess(bad).start()


def test_port_in_use_is_a_clear_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run(["--port", str(port)])
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_stop_is_graceful(simulator):
    assert requests.get(simulator.admin_url + "/health", timeout=5).json()["ok"] is True
    assert simulator.stop() == 0


def test_stop_and_kill(simulator):
    pid = simulator.pid
    assert pid == simulator.process.pid
    simulator.kill()
    with pytest.raises(requests.ConnectionError):
        requests.get(simulator.admin_url + "/health", timeout=2)
    assert simulator.stop() == -signal.SIGKILL
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


# -- number shapes (docs/simulator.md) ------------------------------------------------------


@pytest.mark.parametrize("shape", ["subaccount", "sub_account", "reference", "current", "current_uri"])
def test_simulator_number_shapes(sim_builtin, shape):
    sim_builtin.set_number_shape(shape)
    client = PlivoClient(sim_builtin.auth_id, sim_builtin.auth_token, sim_builtin.base_url)
    listed = client.list_numbers(subaccount=SUB)["objects"]
    in_sub = {o["number"] for o in listed}
    assert in_sub and in_sub == {
        n["number"] for n in sim_builtin.state()["numbers"] if n["subaccount"] == SUB
    }, "the subaccount filter works in every shape"
    got = client.get_number(sorted(in_sub)[0])
    fields = set(got) - {"api_id"}
    if shape == "reference":
        assert fields == REFERENCE_FIELDS and set(listed[0]) == REFERENCE_FIELDS
    elif shape == "current":
        assert got["sub_account"] == SUB and got["sub_account_name"] == "support" and "subaccount" not in got
        assert fields == set(CURRENT_FIELDS) - {"api_id"} and set(listed[0]) == fields
    elif shape == "current_uri":  # older answers: the URI, and no name
        assert got["sub_account"] == f"/v1/Account/{MAIN}/Subaccount/{SUB}/" and "subaccount" not in got
        assert fields == set(CURRENT_FIELDS) - {"api_id", "sub_account_name"} and set(listed[0]) == fields
    else:
        other = "sub_account" if shape == "subaccount" else "subaccount"
        assert got[shape] == f"/v1/Account/{MAIN}/Subaccount/{SUB}/" and other not in got
        assert REFERENCE_FIELDS < fields


def test_number_shape_from_seed_and_bad_values_refused(sim_builtin):
    sim_builtin.reset({"number_shape": "reference"})
    assert sim_builtin.number_shape() == "reference"
    refused = requests.post(f"{sim_builtin.admin_url}/settings", json={"number_shape": "camel"}, timeout=10)
    assert refused.status_code == 400 and "reference" in refused.json()["error"]
    sim_builtin.reset()
    assert sim_builtin.number_shape() == "current", "a reset without a shape returns to the startup one"
