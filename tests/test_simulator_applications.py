"""Conformance of the simulator with the Application API reference, over real HTTP with plain requests:
create, get, list, modify, delete, who sees what, what happens to linked numbers, the admin's
out-of-band edits, seeds, faults, the request log and asynchronous mode."""

from __future__ import annotations

import json
import time

import pytest
import requests

from plivo_pulumi.simulator.seed import DEFAULT_MAIN_ACCOUNT, DEFAULT_SUBACCOUNT
from tests.test_simulator import assert_error, sub_auth

MAIN = DEFAULT_MAIN_ACCOUNT
SUB = DEFAULT_SUBACCOUNT
APP = "72509666337566"  # the default seed's voice-prod, linked to 15676988323
APP2 = "72509666337567"  # voice-staging, linked to 18005550100
SUB_APP = "31415926535897"  # owned by the subaccount, linked to 14155550123
ANSWER = "https://voice.example.com/answer"
OTHER_MAIN = "MAOTHERACCOUNT000001"
OTHER_TOKEN = "other-main-token-123"
OBJECT_FIELDS = {
    "app_id",
    "app_name",
    "answer_url",
    "answer_method",
    "hangup_url",
    "hangup_method",
    "fallback_answer_url",
    "fallback_method",
    "message_url",
    "message_method",
    "default_app",
    "default_endpoint_app",
    "enabled",
    "public_uri",
    "sip_uri",
    "sub_account",
    "log_incoming_messages",
    "resource_uri",
}
STORED_FIELDS = {
    "app_id",
    "account",
    "app_name",
    "answer_url",
    "answer_method",
    "hangup_url",
    "hangup_method",
    "fallback_answer_url",
    "fallback_method",
    "message_url",
    "message_method",
    "default_number_app",
    "default_endpoint_app",
    "log_incoming_messages",
    "enabled",
    "public_uri",
}


def app_call(sim, method, suffix="", *, auth=None, account=None, **kwargs):
    account = account or sim.auth_id
    url = f"{sim.base_url}/Account/{account}/Application/{suffix}"
    return requests.request(method, url, auth=auth or (sim.auth_id, sim.auth_token), timeout=10, **kwargs)


def number_call(sim, method, number, *, auth=None, account=None, **kwargs):
    account = account or sim.auth_id
    url = f"{sim.base_url}/Account/{account}/Number/{number}/"
    return requests.request(method, url, auth=auth or (sim.auth_id, sim.auth_token), timeout=10, **kwargs)


def sub_call(sim, method, suffix="", **kwargs):
    return app_call(sim, method, suffix, auth=sub_auth(sim), account=SUB, **kwargs)


def create(sim, **fields):
    response = app_call(sim, "POST", json={"app_name": "ivr", "answer_url": ANSWER, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def get(sim, app_id):
    response = app_call(sim, "GET", f"{app_id}/")
    assert response.status_code == 200, response.text
    return response.json()


def with_other_main_account(sim):
    """A seed with a second main account that has an application of its own ("900")."""
    sim.reset(
        {
            "accounts": [
                {"auth_id": MAIN, "subaccounts": [{"auth_id": SUB}]},
                {"auth_id": OTHER_MAIN, "auth_token": OTHER_TOKEN},
            ],
            "applications": [
                {"app_id": APP, "account": MAIN, "name": "voice-prod"},
                {"app_id": "900", "account": OTHER_MAIN, "app_name": "theirs"},
            ],
            "numbers": [{"number": "15676988324", "account": MAIN}],
        }
    )


# -- create ----------------------------------------------------------------------------------------


def test_create_answers_201_with_a_new_app_id_and_the_defaults(sim_builtin):
    body = create(sim_builtin)
    assert set(body) == {"message", "app_id", "api_id"} and body["message"] == "created"
    app_id = body["app_id"]
    assert isinstance(app_id, str) and app_id.isdigit() and len(app_id) == 17
    got = get(sim_builtin, app_id)
    assert set(got) == OBJECT_FIELDS | {"api_id"}
    assert {k: v for k, v in got.items() if k != "api_id"} == {
        "app_id": app_id,
        "app_name": "ivr",
        "answer_url": ANSWER,
        "answer_method": "POST",
        "hangup_url": ANSWER,  # defaults to the answer_url
        "hangup_method": "POST",
        "fallback_answer_url": "",
        "fallback_method": "POST",
        "message_url": "",
        "message_method": "POST",
        "default_app": False,
        "default_endpoint_app": False,
        "enabled": True,
        "public_uri": False,
        "sip_uri": f"sip:{app_id}@app.plivo.com",
        "sub_account": None,
        "log_incoming_messages": True,
        "resource_uri": f"/v1/Account/{MAIN}/Application/{app_id}/",
    }
    assert sim_builtin.application(app_id)["account"] == MAIN


def test_create_stores_every_field_given(sim_builtin):
    app_id = create(
        sim_builtin,
        answer_method="get",
        hangup_url="https://voice.example.com/hangup",
        hangup_method="Get",
        fallback_answer_url="http://fallback.example.com/",
        fallback_method="GET",
        message_url="https://sms.example.com/in",
        message_method="GET",
        default_number_app=True,
        default_endpoint_app="true",
        log_incoming_messages=False,
    )["app_id"]
    got = get(sim_builtin, app_id)
    assert (got["answer_method"], got["hangup_method"], got["fallback_method"], got["message_method"]) == (
        "GET",
        "GET",
        "GET",
        "GET",
    ), "methods are case-insensitive and stored upper-case"
    assert got["hangup_url"] == "https://voice.example.com/hangup"
    assert got["fallback_answer_url"] == "http://fallback.example.com/"
    assert got["message_url"] == "https://sms.example.com/in"
    assert (got["default_app"], got["default_endpoint_app"], got["log_incoming_messages"]) == (
        True,
        True,
        False,
    )


def test_new_app_ids_are_unique_and_names_may_repeat(sim_builtin):
    ids = [create(sim_builtin, app_name="same")["app_id"] for _ in range(5)]
    assert len(set(ids)) == 5
    assert [a["app_name"] for a in sim_builtin.applications()].count("same") == 5


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"app_name": "has space"}, "app_name"),
        ({"app_name": "dots.are.not.allowed"}, "app_name"),
        ({"app_name": "x" * 101}, "app_name"),
        ({"app_name": 123}, "app_name"),
        ({"app_name": None}, "app_name is required"),
        ({"answer_url": None}, "answer_url is required"),
        ({"answer_url": "ftp://x.example.com"}, "answer_url"),
        ({"answer_url": "not a url"}, "answer_url"),
        ({"hangup_url": "example.com/hangup"}, "hangup_url"),
        ({"hangup_method": "PUT"}, "hangup_method"),
        ({"answer_method": None}, "answer_method"),
        ({"default_number_app": "maybe"}, "default_number_app"),
        ({"log_incoming_messages": 1}, "log_incoming_messages"),
        ({"colour": "red"}, "unknown parameter(s) colour"),
        ({"enabled": False}, "unknown parameter(s) enabled"),
        ({"subaccount": "not-an-auth-id"}, "subaccount"),
        ({"subaccount": "SANOSUCHSUBACCOUNT01"}, "subaccount SANOSUCHSUBACCOUNT01 not found"),
    ],
)
def test_create_refuses_bad_fields_with_400_naming_them(sim_builtin, fields, fragment):
    body = {"app_name": "ivr", "answer_url": ANSWER, **fields}
    assert_error(app_call(sim_builtin, "POST", json=body), 400, fragment)
    assert len(sim_builtin.applications()) == 3, "nothing created"


def test_create_without_a_name_or_answer_url_says_what_to_give(sim_builtin):
    error = assert_error(app_call(sim_builtin, "POST", json={"answer_url": ANSWER}), 400)["error"]
    assert "app_name is required" in error and "ivr-main" in error
    error = assert_error(app_call(sim_builtin, "POST", json={"app_name": "x"}), 400)["error"]
    assert "answer_url is required" in error and "https://" in error


def test_form_bodies_carry_booleans_as_text_and_empty_as_null(sim_builtin):
    response = app_call(
        sim_builtin,
        "POST",
        data={
            "app_name": "form",
            "answer_url": ANSWER,
            "default_number_app": "true",
            "log_incoming_messages": "false",
            "message_url": "",
        },
    )
    assert response.status_code == 201, response.text
    stored = sim_builtin.application(response.json()["app_id"])
    assert (stored["default_number_app"], stored["log_incoming_messages"], stored["message_url"]) == (
        True,
        False,
        "",
    )
    blank_name = app_call(sim_builtin, "POST", data={"app_name": "", "answer_url": ANSWER})
    assert_error(blank_name, 400, "app_name is required")


# -- get -----------------------------------------------------------------------------------------


def test_get_unknown_or_malformed_ids_are_404_json(sim_builtin):
    assert_error(app_call(sim_builtin, "GET", "99999/"), 404, "application 99999 not found")
    assert_error(app_call(sim_builtin, "GET", "abc/"), 404, "not found")
    assert get(sim_builtin, APP)["app_name"] == "voice-prod"
    assert get(sim_builtin, APP)["answer_url"] == f"https://example.invalid/answer/{APP}", "a seed's default"
    assert app_call(sim_builtin, "GET", APP).status_code == 200, "the trailing slash is optional"
    assert_error(app_call(sim_builtin, "GET", f"{APP}/", params={"verbose": "1"}), 400, "verbose")


def test_wrong_methods_and_credentials(sim_builtin):
    response = app_call(sim_builtin, "PUT", f"{APP}/", json={})
    assert_error(response, 405)
    assert response.headers["Allow"] == "GET, POST, DELETE"
    response = app_call(sim_builtin, "DELETE", "")
    assert_error(response, 405)
    assert response.headers["Allow"] == "GET, POST"
    assert_error(app_call(sim_builtin, "GET", auth=(MAIN, "wrong-token-1234")), 401)
    assert_error(app_call(sim_builtin, "GET", auth=sub_auth(sim_builtin)), 401, "does not match")


# -- list ----------------------------------------------------------------------------------------


def test_list_pages_with_meta_past_twenty(sim_builtin):
    for i in range(22):
        create(sim_builtin, app_name=f"app-{i}")
    first = app_call(sim_builtin, "GET").json()
    assert set(first) == {"api_id", "meta", "objects"}
    assert first["meta"] == {
        "previous": None,
        "next": f"/v1/Account/{MAIN}/Application/?limit=20&offset=20",
        "total_count": 25,
        "offset": 0,
        "limit": 20,
    }
    assert len(first["objects"]) == 20 and set(first["objects"][0]) == OBJECT_FIELDS
    rest = app_call(sim_builtin, "GET", params={"limit": 20, "offset": 20}).json()
    assert len(rest["objects"]) == 5 and rest["meta"]["next"] is None
    assert rest["meta"]["previous"] == f"/v1/Account/{MAIN}/Application/?limit=20&offset=0"
    ids = [o["app_id"] for o in first["objects"] + rest["objects"]]
    assert ids == sorted(ids) and len(set(ids)) == 25, "ordered by app_id, each once"
    small = app_call(sim_builtin, "GET", params={"limit": 2, "offset": 3}).json()
    assert [o["app_id"] for o in small["objects"]] == ids[3:5]
    past = app_call(sim_builtin, "GET", params={"offset": 100}).json()
    assert past["objects"] == [] and past["meta"]["total_count"] == 25


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"limit": 21}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"subaccount": "nope"}, "subaccount"),
        ({"subaccount": "SANOSUCHSUBACCOUNT01"}, "not found"),
        ({"name": "voice-prod"}, "unknown parameter(s) name"),
    ],
)
def test_list_refuses_bad_parameters(sim_builtin, params, fragment):
    assert_error(app_call(sim_builtin, "GET", params=params), 400, fragment)


# -- who sees what ---------------------------------------------------------------------------------


def test_a_subaccount_sees_only_its_own_applications(sim_builtin):
    mine = sub_call(sim_builtin, "GET").json()
    assert [o["app_id"] for o in mine["objects"]] == [SUB_APP] and mine["meta"]["total_count"] == 1
    assert mine["objects"][0]["resource_uri"] == f"/v1/Account/{SUB}/Application/{SUB_APP}/"
    assert sub_call(sim_builtin, "GET", params={"subaccount": SUB}).status_code == 200
    for method, kwargs in (("GET", {}), ("POST", {"json": {"message_url": ANSWER}}), ("DELETE", {})):
        assert_error(sub_call(sim_builtin, method, f"{APP}/", **kwargs), 404, f"application {APP} not found")
    assert sim_builtin.application(APP)["message_url"] == "", "the main account's application is untouched"


def test_a_main_account_sees_its_subaccounts_applications(sim_builtin):
    listed = app_call(sim_builtin, "GET").json()
    assert sorted(o["app_id"] for o in listed["objects"]) == sorted([APP, APP2, SUB_APP])
    theirs = get(sim_builtin, SUB_APP)
    assert theirs["sub_account"] == f"/v1/Account/{MAIN}/Subaccount/{SUB}/"
    assert theirs["resource_uri"] == f"/v1/Account/{MAIN}/Application/{SUB_APP}/"
    filtered = app_call(sim_builtin, "GET", params={"subaccount": SUB}).json()
    assert [o["app_id"] for o in filtered["objects"]] == [SUB_APP]
    assert filtered["meta"]["total_count"] == 1
    assert app_call(sim_builtin, "POST", f"{SUB_APP}/", json={"message_url": ANSWER}).status_code == 202
    assert sim_builtin.application(SUB_APP)["message_url"] == ANSWER


def test_another_main_accounts_applications_are_invisible(sim_builtin):
    with_other_main_account(sim_builtin)
    assert_error(app_call(sim_builtin, "GET", "900/"), 404, "application 900 not found")
    assert_error(app_call(sim_builtin, "DELETE", "900/"), 404)
    assert "900" not in [o["app_id"] for o in app_call(sim_builtin, "GET").json()["objects"]]
    theirs = app_call(sim_builtin, "GET", auth=(OTHER_MAIN, OTHER_TOKEN), account=OTHER_MAIN).json()
    assert [o["app_id"] for o in theirs["objects"]] == ["900"]
    assert_error(
        app_call(sim_builtin, "GET", f"{APP}/", auth=(OTHER_MAIN, OTHER_TOKEN), account=OTHER_MAIN), 404
    )
    assert_error(number_call(sim_builtin, "POST", "15676988324", json={"app_id": "900"}), 400, "900")


def test_subaccount_rules_of_create(sim_builtin):
    made_by_sub = sub_call(sim_builtin, "POST", json={"app_name": "s", "answer_url": ANSWER})
    assert made_by_sub.status_code == 201, made_by_sub.text
    app_id = made_by_sub.json()["app_id"]
    assert sim_builtin.application(app_id)["account"] == SUB, "a subaccount's application is its own"
    assert get(sim_builtin, app_id)["sub_account"] == f"/v1/Account/{MAIN}/Subaccount/{SUB}/"
    for value in (SUB, None, ""):
        refused = sub_call(
            sim_builtin, "POST", json={"app_name": "s", "answer_url": ANSWER, "subaccount": value}
        )
        assert_error(refused, 400, "only the main account")
    for_sub = create(sim_builtin, subaccount=SUB)["app_id"]
    assert sim_builtin.application(for_sub)["account"] == SUB
    assert [o["app_id"] for o in sub_call(sim_builtin, "GET").json()["objects"]] == sorted(
        [SUB_APP, app_id, for_sub]
    )
    for value in (None, ""):
        own = create(sim_builtin, subaccount=value)["app_id"]
        assert (
            sim_builtin.application(own)["account"] == MAIN and get(sim_builtin, own)["sub_account"] is None
        )


# -- modify --------------------------------------------------------------------------------------


def test_modify_changes_only_the_given_fields(sim_builtin):
    app_id = create(sim_builtin, message_url="https://sms.example.com/in", hangup_method="GET")["app_id"]
    before = sim_builtin.application(app_id)
    response = app_call(sim_builtin, "POST", f"{app_id}/", json={"answer_url": "https://new.example.com/a"})
    assert response.status_code == 202 and set(response.json()) == {"message", "api_id"}
    assert response.json()["message"] == "changed"
    after = sim_builtin.application(app_id)
    assert after == {**before, "answer_url": "https://new.example.com/a"}, "hangup_url keeps its value"
    app_call(sim_builtin, "POST", f"{app_id}/", json={"default_number_app": True, "message_method": "get"})
    assert sim_builtin.application(app_id) == {
        **after,
        "default_number_app": True,
        "message_method": "GET",
    }
    assert app_call(sim_builtin, "POST", f"{app_id}/", json={}).status_code == 202
    assert sim_builtin.application(app_id)["default_number_app"] is True, "an empty modify changes nothing"


def test_modify_with_a_form_body_clears_a_url(sim_builtin):
    app_id = create(sim_builtin, message_url="https://sms.example.com/in")["app_id"]
    response = app_call(sim_builtin, "POST", f"{app_id}/", data={"message_url": ""})
    assert response.status_code == 202, response.text
    assert sim_builtin.application(app_id)["message_url"] == ""


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"app_name": "renamed"}, "app_name cannot be changed"),
        ({"answer_url": None}, "answer_url"),
        ({"answer_url": "ftp://x"}, "answer_url"),
        ({"fallback_method": "DELETE"}, "fallback_method"),
        ({"default_endpoint_app": "yes"}, "default_endpoint_app"),
        ({"public_uri": "sometimes"}, "public_uri"),
        ({"enabled": False}, "unknown parameter(s) enabled"),
        ({"message_url": ANSWER, "colour": "red"}, "colour"),
    ],
)
def test_modify_refuses_bad_fields_and_changes_nothing(sim_builtin, body, fragment):
    before = sim_builtin.application(APP)
    assert_error(app_call(sim_builtin, "POST", f"{APP}/", json=body), 400, fragment)
    assert sim_builtin.application(APP) == before


def test_modify_moves_an_application_between_owners(sim_builtin):
    assert app_call(sim_builtin, "POST", f"{APP2}/", json={"subaccount": SUB}).status_code == 202
    assert sim_builtin.application(APP2)["account"] == SUB
    assert APP2 in [o["app_id"] for o in sub_call(sim_builtin, "GET").json()["objects"]]
    assert_error(sub_call(sim_builtin, "POST", f"{APP2}/", json={"subaccount": None}), 400, "only the main")
    assert app_call(sim_builtin, "POST", f"{APP2}/", json={"subaccount": None}).status_code == 202
    assert sim_builtin.application(APP2)["account"] == MAIN
    assert_error(app_call(sim_builtin, "POST", "99999/", json={"message_url": ANSWER}), 404, "99999")


# -- delete --------------------------------------------------------------------------------------


def test_delete_answers_204_and_unlinks_the_numbers(sim_builtin):
    assert sim_builtin.number("15676988323")["app_id"] == APP
    response = app_call(sim_builtin, "DELETE", f"{APP}/")
    assert response.status_code == 204 and response.content == b""
    assert sim_builtin.application(APP) is None
    assert sim_builtin.number("15676988323")["app_id"] is None, "linked numbers lose the link (assumed)"
    assert number_call(sim_builtin, "GET", "15676988323").json()["application"] is None
    assert_error(app_call(sim_builtin, "GET", f"{APP}/"), 404, f"application {APP} not found")
    assert_error(app_call(sim_builtin, "DELETE", f"{APP}/"), 404)
    assert_error(number_call(sim_builtin, "POST", "15676988324", json={"app_id": APP}), 400, APP)


def test_a_subaccount_deletes_its_own_application(sim_builtin):
    assert sub_call(sim_builtin, "DELETE", f"{SUB_APP}/").status_code == 204
    assert sim_builtin.number("14155550123")["app_id"] is None
    assert sim_builtin.application(SUB_APP) is None


def test_a_main_account_number_may_use_a_subaccounts_application_that_the_subaccount_cannot_see(
    sim_builtin,
):
    """Nothing in the references forbids the link (the main account sees and manages its
    subaccounts' applications), so the simulator allows it; the subaccount cannot see the number,
    and its delete of the application unlinks it: why a subaccount's credentials never delete one."""
    linked = number_call(sim_builtin, "POST", "15676988324", json={"app_id": SUB_APP})
    assert linked.status_code == 202, linked.text
    shown = number_call(sim_builtin, "GET", "15676988324").json()
    assert shown["application"] == f"/v1/Account/{SUB}/Application/{SUB_APP}/"
    mine = requests.get(
        f"{sim_builtin.base_url}/Account/{SUB}/Number/", auth=sub_auth(sim_builtin), timeout=10
    )
    assert "15676988324" not in [o["number"] for o in mine.json()["objects"]]
    assert_error(number_call(sim_builtin, "GET", "15676988324", auth=sub_auth(sim_builtin), account=SUB), 404)
    assert sub_call(sim_builtin, "DELETE", f"{SUB_APP}/").status_code == 204
    assert sim_builtin.number("15676988324")["app_id"] is None, "the main account's number lost its link"


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"new_endpoint_application": "1"}, "new_endpoint_application"),
        ({"new_endpoint_application": APP}, "new_endpoint_application"),  # the one being deleted
        ({"new_endpoint_application": "abc"}, "new_endpoint_application"),
        ({"cascade": "maybe"}, "cascade"),
        ({"force": "true"}, "unknown parameter(s) force"),
    ],
)
def test_delete_checks_its_parameters_and_deletes_nothing(sim_builtin, params, fragment):
    assert_error(app_call(sim_builtin, "DELETE", f"{APP}/", params=params), 400, fragment)
    assert sim_builtin.application(APP) is not None
    assert sim_builtin.number("15676988323")["app_id"] == APP


def test_delete_with_valid_endpoint_parameters(sim_builtin):
    response = app_call(
        sim_builtin, "DELETE", f"{APP}/", params={"cascade": "false", "new_endpoint_application": APP2}
    )
    assert response.status_code == 204
    assert sim_builtin.application(APP) is None and sim_builtin.application(APP2) is not None
    invisible = sub_call(sim_builtin, "DELETE", f"{SUB_APP}/", params={"new_endpoint_application": APP2})
    assert_error(invisible, 400, "new_endpoint_application")  # the subaccount does not see APP2


@pytest.mark.parametrize(
    "body",
    [
        {"app_id": APP, "cascade": False, "new_endpoint_application": APP2},  # Python's form
        {"cascade": "false"},  # Node's: the boolean as text
        {},  # Node's delete with no options
    ],
)
def test_delete_takes_the_sdks_json_bodies(sim_builtin, body):
    assert app_call(sim_builtin, "DELETE", f"{APP}/", json=body).status_code == 204
    assert sim_builtin.application(APP) is None


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"app_id": APP2}, "does not match"),
        ({"app_id": APP, "force": True}, "unknown parameter(s) force"),
        ({"cascade": "maybe"}, "cascade"),
    ],
)
def test_delete_bodies_are_checked_and_delete_nothing(sim_builtin, body, fragment):
    assert_error(app_call(sim_builtin, "DELETE", f"{APP}/", json=body), 400, fragment)
    assert sim_builtin.application(APP) is not None


def test_sdk_forms_of_get_list_and_create(sim_builtin):
    """The Python SDK's asynchronous get repeats app_id in the query; its list filters by app_name;
    create and modify may send public_uri."""
    assert get(sim_builtin, APP)["app_name"] == "voice-prod"
    assert app_call(sim_builtin, "GET", f"{APP}/", params={"app_id": APP}).json()["app_id"] == APP
    assert_error(app_call(sim_builtin, "GET", f"{APP}/", params={"app_id": APP2}), 400, "does not match")
    named = app_call(sim_builtin, "GET", params={"app_name": "voice-staging"}).json()
    assert [a["app_id"] for a in named["objects"]] == [APP2] and named["meta"]["total_count"] == 1
    assert app_call(sim_builtin, "GET", params={"app_name": "nope"}).json()["objects"] == []
    created = create(sim_builtin, public_uri=True)
    assert sim_builtin.application(created["app_id"])["public_uri"] is True


# -- out of band (admin) ---------------------------------------------------------------------------


def test_admin_application_dicts_carry_every_stored_field(sim_builtin):
    app = sim_builtin.application(APP)
    assert set(app) == STORED_FIELDS
    assert (app["app_id"], app["account"], app["app_name"]) == (APP, MAIN, "voice-prod")
    assert sim_builtin.application("424242") is None
    assert [a["app_id"] for a in sim_builtin.applications()] == [SUB_APP, APP, APP2]
    assert [a["app_id"] for a in sim_builtin.state()["applications"]] == [SUB_APP, APP, APP2]


def test_admin_add_takes_every_field_and_the_old_name(sim_builtin):
    added = sim_builtin.add_application(
        "5555",
        SUB,
        app_name="console-app",
        answer_url=ANSWER,
        message_method="get",
        enabled=False,
        public_uri=True,
    )
    assert (added["account"], added["app_name"], added["message_method"]) == (SUB, "console-app", "GET")
    assert (added["enabled"], added["public_uri"], added["hangup_url"]) == (False, True, ANSWER)
    got = get(sim_builtin, "5555")
    assert (got["enabled"], got["public_uri"]) == (False, True)
    short = sim_builtin.add_application("5556", name="old-style")
    assert (short["app_name"], short["account"]) == ("old-style", MAIN)
    assert short["answer_url"] == "https://example.invalid/answer/5556"
    assert sim_builtin.add_application("5557")["app_name"] == "app-5557"
    bad = requests.put(f"{sim_builtin.admin_url}/applications/5558", json={"answer_url": "x"}, timeout=10)
    assert bad.status_code == 400 and "answer_url" in bad.json()["error"]
    unknown = requests.put(f"{sim_builtin.admin_url}/applications/5558", json={"colour": 1}, timeout=10)
    assert unknown.status_code == 400 and "colour" in unknown.json()["error"]
    assert sim_builtin.application("5558") is None


def test_admin_edit_changes_any_field_and_validates(sim_builtin):
    edited = sim_builtin.edit_application(APP, app_name="renamed-in-console", answer_method="get")
    assert (edited["app_name"], edited["answer_method"]) == ("renamed-in-console", "GET")
    assert get(sim_builtin, APP)["app_name"] == "renamed-in-console", "the API sees the console's change"
    assert sim_builtin.edit_application(APP, enabled=False)["enabled"] is False
    assert sim_builtin.requests_log()["total"] == 1, "admin requests are not logged"
    for body, fragment in (
        ({"answer_url": "nope"}, "answer_url"),
        ({"app_name": "bad name"}, "app_name"),
        ({"enabled": "perhaps"}, "enabled"),
        ({"colour": "red"}, "colour"),
        ({"account": "MANOSUCHACCOUNT00001"}, "account"),
    ):
        response = requests.post(f"{sim_builtin.admin_url}/applications/{APP}", json=body, timeout=10)
        assert response.status_code == 400 and fragment in response.json()["error"], (body, response.text)
    assert sim_builtin.application(APP)["answer_url"] == f"https://example.invalid/answer/{APP}"
    missing = requests.post(f"{sim_builtin.admin_url}/applications/424242", json={}, timeout=10)
    assert missing.status_code == 404


def test_admin_delete_unlinks_or_keeps_the_links(sim_builtin):
    sim_builtin.add_application("5555")
    assert sim_builtin.remove_application("5555") == {"deleted": "5555", "unlinked": []}
    assert sim_builtin.remove_application(APP2) == {"deleted": APP2, "unlinked": ["18005550100"]}
    sim_builtin.edit_out_of_band("15676988324", app_id=APP)
    assert sim_builtin.remove_application(APP) == {"deleted": APP, "unlinked": ["15676988323", "15676988324"]}
    assert sim_builtin.number("15676988323")["app_id"] is None
    gone = requests.delete(f"{sim_builtin.admin_url}/applications/{APP}", timeout=10)
    assert gone.status_code == 404


def test_a_deleted_application_that_keeps_its_links_is_still_rendered(sim_builtin):
    removed = sim_builtin.remove_application(SUB_APP, True)
    assert removed == {"deleted": SUB_APP, "unlinked": []}
    assert sim_builtin.number("14155550123")["app_id"] == SUB_APP
    number = number_call(sim_builtin, "GET", "14155550123").json()
    assert number["application"] == f"/v1/Account/{MAIN}/Application/{SUB_APP}/", "the number's main account"
    listed = requests.get(
        f"{sim_builtin.base_url}/Account/{MAIN}/Number/",
        params={"number_startswith": "1415555"},
        auth=(sim_builtin.auth_id, sim_builtin.auth_token),
        timeout=10,
    ).json()
    assert listed["objects"][0]["application"] == f"/v1/Account/{MAIN}/Application/{SUB_APP}/"
    assert_error(app_call(sim_builtin, "GET", f"{SUB_APP}/"), 404)


# -- seeds ---------------------------------------------------------------------------------------


def test_seed_with_every_field(sim_builtin):
    seed = {
        "accounts": [{"auth_id": MAIN, "auth_token": "tok-seed-app-1234"}],
        "applications": [
            {
                "app_id": "123",
                "app_name": "full",
                "answer_url": ANSWER,
                "answer_method": "GET",
                "hangup_url": "",
                "hangup_method": "get",
                "fallback_answer_url": "https://fallback.example.com/",
                "fallback_method": "GET",
                "message_url": "https://sms.example.com/",
                "message_method": "get",
                "default_number_app": True,
                "default_endpoint_app": True,
                "log_incoming_messages": False,
                "enabled": False,
                "public_uri": True,
            },
            {"app_id": "124", "name": "short"},
        ],
        "numbers": [{"number": "15550000001", "app_id": "123"}],
    }
    assert sim_builtin.reset(seed)["applications"] == 2
    assert sim_builtin.application("123") == {
        "app_id": "123",
        "account": MAIN,
        "app_name": "full",
        "answer_url": ANSWER,
        "answer_method": "GET",
        "hangup_url": "",
        "hangup_method": "GET",
        "fallback_answer_url": "https://fallback.example.com/",
        "fallback_method": "GET",
        "message_url": "https://sms.example.com/",
        "message_method": "GET",
        "default_number_app": True,
        "default_endpoint_app": True,
        "log_incoming_messages": False,
        "enabled": False,
        "public_uri": True,
    }
    short = sim_builtin.application("124")
    assert (short["app_name"], short["answer_url"], short["hangup_url"]) == (
        "short",
        "https://example.invalid/answer/124",
        "https://example.invalid/answer/124",
    )
    assert number_call(sim_builtin, "GET", "15550000001").json()["application"].endswith("/Application/123/")


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ({"app_id": "1", "answer_url": "ftp://x"}, "applications[0].answer_url"),
        ({"app_id": "1", "app_name": "no spaces"}, "applications[0].app_name"),
        ({"app_id": "1", "name": "no spaces"}, "applications[0].name"),
        ({"app_id": "1", "message_method": "PATCH"}, "applications[0].message_method"),
        ({"app_id": "1", "public_uri": "sometimes"}, "applications[0].public_uri"),
        ({"app_id": "1", "colour": "red"}, "applications[0]: unknown field(s) colour"),
        ({"app_id": "x1"}, "applications[0].app_id"),
        ({"app_id": "1", "account": "MANOSUCHACCOUNT00001"}, "applications[0].account"),
    ],
)
def test_seed_errors_name_the_entry_and_field(sim_builtin, entry, fragment):
    seed = {"accounts": [{"auth_id": MAIN}], "applications": [entry]}
    response = requests.post(f"{sim_builtin.admin_url}/reset", json=seed, timeout=10)
    assert response.status_code == 400 and fragment in response.json()["error"], response.text
    assert sim_builtin.application(APP) is not None, "the state is unchanged"


# -- faults, request log, asynchronous mode ---------------------------------------------------------


def test_faults_apply_to_the_application_routes(sim_builtin):
    sim_builtin.set_faults(error_rate=1.0, error_statuses=[500])
    assert_error(app_call(sim_builtin, "POST", json={"app_name": "x", "answer_url": ANSWER}), 500)
    assert_error(app_call(sim_builtin, "DELETE", f"{APP}/"), 500)
    assert len(sim_builtin.applications()) == 3 and sim_builtin.application(APP), (
        "a faulted request does nothing"
    )
    sim_builtin.set_faults(script=["rate_limit", "ok"], retry_after=3)
    limited = app_call(sim_builtin, "GET")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3"
    assert app_call(sim_builtin, "GET").status_code == 200
    sim_builtin.set_faults(latency_ms=300)
    started = time.monotonic()
    assert app_call(sim_builtin, "GET", f"{APP}/").status_code == 200
    assert time.monotonic() - started >= 0.3
    sim_builtin.set_faults(drop_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        app_call(sim_builtin, "GET", f"{APP}/")
    faults = [r["fault"] for r in sim_builtin.requests_log()["requests"]]
    assert faults == ["error", "error", "rate_limit", None, None, "drop"]


def test_request_log_names_the_application_routes(sim_builtin):
    app_id = create(sim_builtin)["app_id"]
    app_call(sim_builtin, "GET")
    app_call(sim_builtin, "GET", f"{app_id}/")
    app_call(sim_builtin, "POST", f"{app_id}/", json={"message_url": "https://m.example.com"})
    sub_call(sim_builtin, "GET", f"{APP}/")
    app_call(sim_builtin, "DELETE", f"{app_id}/")
    log = sim_builtin.requests_log()
    assert log["by_route"] == {
        "POST /v1/Account/{auth_id}/Application/": 1,
        "GET /v1/Account/{auth_id}/Application/": 1,
        "GET /v1/Account/{auth_id}/Application/{app_id}/": 2,
        "POST /v1/Account/{auth_id}/Application/{app_id}/": 1,
        "DELETE /v1/Account/{auth_id}/Application/{app_id}/": 1,
    }
    rows = [(r["method"], r["status"], r["account"], r["fields"]) for r in log["requests"]]
    assert rows == [
        ("POST", 201, MAIN, ["answer_url", "app_name"]),
        ("GET", 200, MAIN, None),
        ("GET", 200, MAIN, None),
        ("POST", 202, MAIN, ["message_url"]),
        ("GET", 404, SUB, None),
        ("DELETE", 204, MAIN, None),
    ]
    assert log["counts"][f"DELETE /v1/Account/{MAIN}/Application/{app_id}/"] == 1


def test_asynchronous_create(sim_builtin, callback_receiver):
    response = app_call(
        sim_builtin,
        "POST",
        json={"app_name": "async", "answer_url": ANSWER, "callback_url": callback_receiver.url},
    )
    assert response.status_code == 202 and response.json()["message"] == "async api spawned"
    hit = callback_receiver.get()
    assert hit["form"]["api_id"] == response.json()["api_id"] and hit["form"]["status"] == "201"
    delivered = json.loads(hit["form"]["response"])
    assert delivered["message"] == "created"
    assert sim_builtin.application(delivered["app_id"])["app_name"] == "async"
    assert [a["app_name"] for a in sim_builtin.applications()].count("async") == 1
    assert sim_builtin.requests_log()["requests"][0]["fields"] == ["answer_url", "app_name"]


def test_asynchronous_errors_and_delete_go_to_the_callback(sim_builtin, callback_receiver):
    bad = app_call(
        sim_builtin,
        "POST",
        json={"app_name": "bad name", "answer_url": ANSWER, "callback_url": callback_receiver.url},
    )
    assert bad.status_code == 202
    hit = callback_receiver.get()
    assert hit["form"]["status"] == "400" and "app_name" in json.loads(hit["form"]["response"])["error"]
    gone = app_call(sim_builtin, "DELETE", f"{APP2}/", params={"callback_url": callback_receiver.url})
    assert gone.status_code == 202
    hit = callback_receiver.get()
    assert hit["form"]["status"] == "204" and json.loads(hit["form"]["response"]) == {
        "api_id": gone.json()["api_id"]
    }
    assert sim_builtin.application(APP2) is None
