"""Conformance of the simulator with the Application API reference, over real HTTP with plain requests:
create, get, list, modify, delete, who sees what, what happens to linked numbers, the admin's
out-of-band edits, seeds, faults, the request log and asynchronous mode."""

from __future__ import annotations

import json

import pytest
import requests

from plivo_pulumi.simulator.seed import DEFAULT_MAIN_ACCOUNT, DEFAULT_SUBACCOUNT
from tests.test_simulator import assert_error, sub_auth

MAIN = DEFAULT_MAIN_ACCOUNT
SUB = DEFAULT_SUBACCOUNT
APP = "72509666337566"  # the default seed's, linked to 15676988323
SUB_APP = "31415926535897"  # owned by the subaccount
ANSWER = "https://voice.example.com/answer"


def app_call(sim, method, suffix="", *, auth=None, account=None, **kwargs):
    account = account or sim.auth_id
    url = f"{sim.base_url}/Account/{account}/Application/{suffix}"
    return requests.request(method, url, auth=auth or (sim.auth_id, sim.auth_token), timeout=10, **kwargs)


def create(sim, **fields):
    response = app_call(sim, "POST", json={"app_name": "ivr", "answer_url": ANSWER, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def test_create_answers_201_with_the_app_id_and_applies_the_defaults(sim_builtin):
    body = create(sim_builtin, message_url="https://sms.example.com/in")
    assert set(body) == {"message", "app_id", "api_id"} and body["message"] == "created"
    got = app_call(sim_builtin, "GET", f"{body['app_id']}/").json()
    assert got["app_name"] == "ivr" and got["answer_url"] == ANSWER
    assert got["hangup_url"] == ANSWER, "hangup_url defaults to the answer_url"
    assert (got["answer_method"], got["message_method"], got["default_app"]) == ("POST", "POST", False)
    assert got["log_incoming_messages"] is True and got["sub_account"] is None
    assert got["resource_uri"] == f"/v1/Account/{MAIN}/Application/{body['app_id']}/"


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"app_name": "has space"}, "app_name"),
        ({"answer_url": None}, "answer_url"),
        ({"answer_url": "ftp://x"}, "answer_url"),
        ({"hangup_method": "PUT"}, "hangup_method"),
        ({"default_number_app": "maybe"}, "default_number_app"),
        ({"colour": "red"}, "colour"),
        ({"subaccount": "SANOSUCHSUBACCOUNT01"}, "subaccount"),
    ],
)
def test_create_refuses_bad_fields_with_400_naming_them(sim_builtin, fields, fragment):
    body = {"app_name": "ivr", "answer_url": ANSWER, **fields}
    assert_error(app_call(sim_builtin, "POST", json=body), 400, fragment)
    assert len(sim_builtin.applications()) == 3, "nothing created"


def test_form_bodies_carry_booleans_as_text(sim_builtin):
    response = app_call(
        sim_builtin,
        "POST",
        data={"app_name": "form", "answer_url": ANSWER, "default_number_app": "true"},
    )
    assert response.status_code == 201, response.text
    assert sim_builtin.application(response.json()["app_id"])["default_number_app"] is True


def test_list_pages_with_meta(sim_builtin):
    for i in range(22):
        create(sim_builtin, app_name=f"app-{i}")
    first = app_call(sim_builtin, "GET", params={"limit": 20}).json()
    assert first["meta"]["total_count"] == 25 and len(first["objects"]) == 20
    assert first["meta"]["next"] and first["meta"]["previous"] is None
    rest = app_call(sim_builtin, "GET", params={"limit": 20, "offset": 20}).json()
    assert len(rest["objects"]) == 5 and rest["meta"]["next"] is None
    ids = [o["app_id"] for o in first["objects"] + rest["objects"]]
    assert ids == sorted(ids) and len(set(ids)) == 25
    assert_error(app_call(sim_builtin, "GET", params={"limit": 21}), 400, "limit")


def test_subaccounts_see_their_own_and_main_sees_all(sim_builtin):
    sub = sub_auth(sim_builtin)
    mine = app_call(sim_builtin, "GET", auth=sub, account=SUB).json()
    assert [o["app_id"] for o in mine["objects"]] == [SUB_APP]
    assert_error(app_call(sim_builtin, "GET", f"{APP}/", auth=sub, account=SUB), 404, APP)
    main_view = app_call(sim_builtin, "GET", f"{SUB_APP}/").json()
    assert main_view["sub_account"] == f"/v1/Account/{MAIN}/Subaccount/{SUB}/"
    filtered = app_call(sim_builtin, "GET", params={"subaccount": SUB}).json()
    assert [o["app_id"] for o in filtered["objects"]] == [SUB_APP]

    made_by_sub = app_call(
        sim_builtin, "POST", auth=sub, account=SUB, json={"app_name": "s", "answer_url": ANSWER}
    )
    assert made_by_sub.status_code == 201
    assert sim_builtin.application(made_by_sub.json()["app_id"])["account"] == SUB, "a subaccount's own"
    assert_error(
        app_call(
            sim_builtin,
            "POST",
            auth=sub,
            account=SUB,
            json={"app_name": "s", "answer_url": ANSWER, "subaccount": SUB},
        ),
        400,
        "only the main account",
    )
    for_sub = create(sim_builtin, subaccount=SUB)
    assert sim_builtin.application(for_sub["app_id"])["account"] == SUB


def test_modify_changes_only_the_given_fields(sim_builtin):
    app_id = create(sim_builtin, message_url="https://sms.example.com/in", hangup_method="GET")["app_id"]
    response = app_call(sim_builtin, "POST", f"{app_id}/", json={"answer_url": "https://new.example.com/a"})
    assert response.status_code == 202 and response.json()["message"] == "changed"
    app = sim_builtin.application(app_id)
    assert app["answer_url"] == "https://new.example.com/a"
    assert (app["hangup_url"], app["hangup_method"], app["message_url"]) == (
        ANSWER,
        "GET",
        "https://sms.example.com/in",
    ), "everything else as it was (hangup_url keeps its value)"
    assert_error(app_call(sim_builtin, "POST", f"{app_id}/", json={"app_name": "x"}), 400, "app_name")
    assert_error(app_call(sim_builtin, "POST", "99999/", json={"answer_url": ANSWER}), 404, "99999")


def test_delete_answers_204_and_unlinks_the_numbers(sim_builtin):
    assert sim_builtin.number("15676988323")["app_id"] == APP
    assert_error(app_call(sim_builtin, "DELETE", f"{APP}/", params={"new_endpoint_application": "1"}), 404)
    response = app_call(sim_builtin, "DELETE", f"{APP}/", params={"cascade": "false"})
    assert response.status_code == 204 and response.content == b""
    assert sim_builtin.application(APP) is None
    assert sim_builtin.number("15676988323")["app_id"] is None, "linked numbers lose the link (assumed)"
    assert_error(app_call(sim_builtin, "GET", f"{APP}/"), 404, APP)
    assert_error(app_call(sim_builtin, "DELETE", f"{APP}/"), 404)


def test_admin_edits_and_a_deleted_application_that_keeps_its_links(sim_builtin):
    edited = sim_builtin.edit_application(APP, app_name="renamed-in-console", answer_method="GET")
    assert (edited["app_name"], edited["answer_method"]) == ("renamed-in-console", "GET")
    response = requests.post(
        f"{sim_builtin.admin_url}/applications/{APP}", json={"answer_url": "nope"}, timeout=5
    )
    assert response.status_code == 400 and "answer_url" in response.text
    removed = sim_builtin.remove_application(APP, keep_links=True)
    assert removed["unlinked"] == []
    number = requests.get(
        f"{sim_builtin.base_url}/Account/{MAIN}/Number/15676988323/",
        auth=(sim_builtin.auth_id, sim_builtin.auth_token),
        timeout=5,
    ).json()
    assert number["application"] == f"/v1/Account/{MAIN}/Application/{APP}/", "the link to a gone app stays"


def test_seed_with_every_field_and_seed_errors(sim_builtin):
    seed = {
        "accounts": [{"auth_id": MAIN, "auth_token": "tok-seed-app-1234"}],
        "applications": [
            {
                "app_id": "123",
                "app_name": "full",
                "answer_url": ANSWER,
                "message_method": "get",
                "enabled": False,
            }
        ],
    }
    sim_builtin.reset(seed)
    app = sim_builtin.application("123")
    assert (app["app_name"], app["message_method"], app["enabled"], app["hangup_url"]) == (
        "full",
        "GET",
        False,
        ANSWER,
    )
    bad = {**seed, "applications": [{"app_id": "123", "answer_url": "ftp://x"}]}
    response = requests.post(f"{sim_builtin.admin_url}/reset", json=bad, timeout=5)
    assert response.status_code == 400 and "applications[0].answer_url" in response.text


def test_faults_and_the_request_log_cover_the_application_routes(sim_builtin):
    app_id = create(sim_builtin)["app_id"]
    app_call(sim_builtin, "POST", f"{app_id}/", json={"message_url": "https://m.example.com"})
    log = sim_builtin.requests_log()
    assert log["by_route"] == {
        "POST /v1/Account/{auth_id}/Application/": 1,
        "POST /v1/Account/{auth_id}/Application/{app_id}/": 1,
    }
    assert [r["fields"] for r in log["requests"]] == [["answer_url", "app_name"], ["message_url"]]
    sim_builtin.set_faults(error_rate=1.0, error_statuses=[500])
    assert app_call(sim_builtin, "GET", f"{app_id}/").status_code == 500


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
    assert sim_builtin.application(delivered["app_id"])["app_name"] == "async"
    assert [a["app_name"] for a in sim_builtin.applications()].count("async") == 1
