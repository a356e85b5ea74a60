"""The Application provider's methods against the simulator over real HTTP, without the engine: the
checks at preview, the calls each lifecycle method makes, the delete rules; and the audit's
comparison of applications (pure)."""

from __future__ import annotations

import pytest
from pulumi.dynamic import Config, ConfigureRequest

from plivo_pulumi.audit import Finding, LiveNumber, ManagedApplication, compare_applications
from plivo_pulumi.core import UNKNOWN
from plivo_pulumi.core.deployment import DEPLOYMENT
from plivo_pulumi.core.errors import PlivoError
from plivo_pulumi.core.lifecycle import DECLARED_KEY
from plivo_pulumi.dynamic.application import ApplicationProvider
from plivo_pulumi.simulator.testing import SimulatorProcess

MAIN = "MAAPPPROVIDERTEST001"
SUB = "SAAPPPROVIDERSUB0001"
TOKEN = "tok-appprov-Vb7Nq2Lw"
SUB_TOKEN = "tok-sub-Appprov1"
OLD_APP = "66666666666666"
N1, N2 = "15551240001", "15551240002"
ANSWER = "https://voice.example.com/answer"


@pytest.fixture(scope="module")
def sim_module():
    with SimulatorProcess() as sim:
        yield sim


@pytest.fixture
def sim(sim_module):
    sim_module.reset(
        {
            "accounts": [
                {
                    "auth_id": MAIN,
                    "auth_token": TOKEN,
                    "subaccounts": [{"auth_id": SUB, "auth_token": SUB_TOKEN}],
                }
            ],
            "applications": [{"app_id": OLD_APP, "account": MAIN, "app_name": "old", "answer_url": ANSWER}],
            "numbers": [{"number": N1, "account": MAIN}, {"number": N2, "account": MAIN}],
        }
    )
    sim_module.clear_log()
    DEPLOYMENT.forget()
    return sim_module


def provider_for(sim) -> ApplicationProvider:
    provider = ApplicationProvider()
    raw = {"plivo:authId": MAIN, "plivo:baseUrl": sim.base_url, "plivo:authToken": TOKEN}
    provider.configure(ConfigureRequest(Config(raw, "test")))
    return provider


def checked(**fields):
    result = ApplicationProvider().check({}, {**fields, DECLARED_KEY: dict(fields)})
    assert result.failures == [], result.failures
    return result.inputs


def calls(sim) -> list[tuple[str, str]]:
    return [(r["method"], r["path"]) for r in sim.requests_log()["requests"]]


def test_check_fills_the_reference_defaults_and_reports_each_bad_field():
    inputs = checked(app_name="ivr", answer_url=ANSWER, answer_method="get")
    assert inputs["hangup_url"] == ANSWER and inputs["answer_method"] == "GET"
    assert (inputs["message_url"], inputs["default_number_app"], inputs["log_incoming_messages"]) == (
        "",
        False,
        True,
    )
    assert inputs["subaccount"] == "" and inputs[DECLARED_KEY]["hangup_url"] == ANSWER

    bad = ApplicationProvider().check(
        {},
        {
            "app_name": "has space",
            "answer_url": "ftp://x",
            "hangup_method": "PUT",
            "default_endpoint_app": "yes",
        },
    )
    assert sorted(f.property for f in bad.failures) == [
        "answer_url",
        "app_name",
        "default_endpoint_app",
        "hangup_method",
    ]
    missing = ApplicationProvider().check({}, {})
    assert sorted(f.property for f in missing.failures) == ["answer_url", "app_name"]


def test_unknown_values_pass_through_check_and_diff():
    result = ApplicationProvider().check({}, {"app_name": "ivr", "answer_url": UNKNOWN})
    assert result.failures == [] and result.inputs["answer_url"] == UNKNOWN
    assert result.inputs["hangup_url"] == UNKNOWN, "defaults to the answer_url, known later"
    olds = checked(app_name="ivr", answer_url=ANSWER)
    diff = ApplicationProvider().diff("1", olds, {**olds, "app_name": UNKNOWN})
    assert diff.replaces == []


def test_a_new_app_name_replaces():
    olds = checked(app_name="ivr", answer_url=ANSWER)
    assert ApplicationProvider().diff("1", olds, {**olds, "app_name": "ivr2"}).replaces == ["app_name"]
    assert ApplicationProvider().diff("1", olds, {**olds, "answer_url": ANSWER + "2"}).replaces == []


def test_create_read_update_make_one_call_each(sim):
    provider = provider_for(sim)
    inputs = checked(app_name="ivr", answer_url=ANSWER, message_url="https://sms.example.com/in")
    created = provider.create(inputs)
    app_id = created.id
    # One List (a page: the account has few applications) for an application of that name, one POST.
    assert calls(sim) == [
        ("GET", f"/v1/Account/{MAIN}/Application/"),
        ("POST", f"/v1/Account/{MAIN}/Application/"),
    ]
    assert sim.application(app_id)["message_url"] == "https://sms.example.com/in"
    assert created.outs["app_id"] == app_id and created.outs["adopted"] is False

    sim.edit_application(app_id, hangup_method="GET")
    sim.clear_log()
    read = provider.read(app_id, created.outs)
    assert calls(sim) == [("GET", f"/v1/Account/{MAIN}/Application/{app_id}/")]
    assert read.outs["hangup_method"] == "GET" and read.inputs["hangup_method"] == "GET"
    assert read.inputs[DECLARED_KEY]["hangup_method"] == "POST", "what the code declares survives the refresh"

    sim.clear_log()
    provider.update(app_id, read.outs, inputs)
    assert calls(sim) == [("POST", f"/v1/Account/{MAIN}/Application/{app_id}/")]
    assert sim.application(app_id)["hangup_method"] == "POST"

    sim.remove_application(app_id)
    assert provider.read(app_id, read.outs).id == "", "gone on the API's own 404"


def test_import_adopts_without_writing_and_refuses_a_difference(sim):
    provider = provider_for(sim)
    adopted = provider.create({**checked(app_name="old", answer_url=ANSWER), "import_id": OLD_APP})
    assert adopted.id == OLD_APP and adopted.outs["adopted"] is True
    assert [m for m, _ in calls(sim)] == ["GET"]
    refreshed = provider.read(OLD_APP, adopted.outs)
    assert refreshed.inputs["import_id"] == OLD_APP, "a refresh keeps the adoption (no diff on import_)"
    program = {**checked(app_name="old", answer_url=ANSWER), "import_id": OLD_APP}
    assert refreshed.inputs[DECLARED_KEY] == program[DECLARED_KEY], (
        "the refreshed inputs are the program's: the engine's diff of the two finds nothing"
    )
    assert adopted.outs[DECLARED_KEY]["import_id"] == OLD_APP, "the outputs keep it for the audit"
    with pytest.raises(PlivoError, match="message_method"):
        provider.create(
            {**checked(app_name="old", answer_url=ANSWER, message_method="GET"), "import_id": OLD_APP}
        )
    sim.clear_log()
    provider.delete(OLD_APP, adopted.outs)
    assert calls(sim) == [] and sim.application(OLD_APP) is not None, "an adopted application is kept"


def app_linked_to_both_numbers(sim):
    """A created application `ivr` that N1 and N2 point to: (provider, create result, app id)."""
    provider = provider_for(sim)
    created = provider.create(checked(app_name="ivr", answer_url=ANSWER))
    for number in (N1, N2):
        sim.edit_out_of_band(number, app_id=created.id)
    DEPLOYMENT.forget()  # the delete comes in a later deployment (one that created it keeps it)
    return provider, created, created.id


def test_delete_unlinks_released_numbers_and_refuses_others(sim):
    provider, created, app_id = app_linked_to_both_numbers(sim)
    DEPLOYMENT.mark_released([N1])  # its resource was deleted earlier in this deployment

    sim.clear_log()
    with pytest.raises(PlivoError) as refused:
        provider.delete(app_id, created.outs)
    message = str(refused.value)
    outside = message.split("outside this stack still point to it:")[1].split(".")[0]
    assert N2 in outside and N1 not in outside, message
    assert f"were unlinked from it ({N1})" in message and "The application was not deleted" in message
    # The stack's own number, which has left the state, is unlinked even so: a rerun could not tell it
    # from a number outside the stack. The other one and the application are untouched.
    assert calls(sim) == [
        ("GET", f"/v1/Account/{MAIN}/Number/"),
        ("POST", f"/v1/Account/{MAIN}/Number/{N1}/"),
    ]
    assert sim.number(N1)["app_id"] is None and sim.number(N2)["app_id"] == app_id
    assert sim.application(app_id) is not None

    # The rerun is a new deployment (nothing released in it); once N2 has moved, it deletes.
    DEPLOYMENT.forget()
    sim.edit_out_of_band(N2, app_id=OLD_APP)
    sim.clear_log()
    provider.delete(app_id, created.outs)
    assert [m for m, _ in calls(sim)] == ["GET", "DELETE"]
    assert sim.application(app_id) is None and sim.number(N2)["app_id"] == OLD_APP


def test_delete_names_a_number_the_stack_still_declares_as_its_own(sim):
    provider, created, app_id = app_linked_to_both_numbers(sim)
    DEPLOYMENT.note_declared(
        [N1]
    )  # a RentedNumber of this deployment keeps N1 here (ignore_changes=["app_id"])
    DEPLOYMENT.mark_released([N2])
    sim.clear_log()
    with pytest.raises(PlivoError) as refused:
        provider.delete(app_id, created.outs)
    message = str(refused.value)
    assert f"1 number(s) that this stack declares still point to it: {N1}" in message
    assert "outside this stack still point" not in message and "ignore_changes" in message
    assert sim.number(N1)["app_id"] == app_id, "a number the stack declares is never unlinked here"
    assert sim.number(N2)["app_id"] is None and sim.application(app_id) is not None


def test_subaccount_credentials_never_delete_an_application(sim):
    """A subaccount cannot list the main account's numbers, which may point to its application."""
    sim.add_application("77777777777777", account=SUB, app_name="team", answer_url=ANSWER)
    sim.edit_out_of_band(N1, app_id="77777777777777")  # a main-account number uses it
    provider = ApplicationProvider()
    raw = {"plivo:authId": SUB, "plivo:baseUrl": sim.base_url, "plivo:authToken": SUB_TOKEN}
    provider.configure(ConfigureRequest(Config(raw, "test")))
    outs = {"app_name": "team", "adopted": True, "delete_adopted": True}
    sim.clear_log()
    with pytest.raises(PlivoError) as refused:
        provider.delete("77777777777777", outs)
    message = str(refused.value)
    assert f"plivo:authId is subaccount {SUB}" in message and "main account's credentials" in message
    assert [m for m, _ in calls(sim)] == ["GET"], "the listing only: nothing written or deleted"
    assert sim.application("77777777777777") is not None
    assert sim.number(N1)["app_id"] == "77777777777777"


def test_compare_applications():
    declared = {"app_name": "ivr", "answer_url": ANSWER, "answer_method": "POST"}
    managed = [ManagedApplication("1", "ivr", declared), ManagedApplication("2", "gone", declared)]
    live = {
        "1": {**declared, "answer_method": "GET"},
        "3": {"app_name": "console-made"},
    }
    listed = {N1: LiveNumber(N1, app_id="9"), N2: LiveNumber(N2, app_id="1")}
    assert compare_applications(managed, live, listed) == [
        Finding("unmanaged_app", "", live="console-made", app_id="3"),
        Finding("drifted_app", "", "ivr", "answer_method", "POST", "GET", "1"),
        Finding("gone_app", "", resource="gone", app_id="2"),
        Finding("broken_link", N1, field="app_id", live="9", app_id="9"),
    ]
    assert [f.kind for f in compare_applications([], live, listed)] == ["broken_link"], (
        "a stack that declares no application is not told about the others"
    )


def test_a_failed_unlink_names_every_number_and_deletes_nothing(sim):
    provider, created, app_id = app_linked_to_both_numbers(sim)
    DEPLOYMENT.mark_released([N1, N2])
    sim.set_faults(script=["ok", "error:400", "error:400"])  # the listing answers, both unlinks fail
    sim.clear_log()
    try:
        with pytest.raises(PlivoError) as failed:
            provider.delete(app_id, created.outs)
    finally:
        sim.clear_faults()
    message = str(failed.value)
    assert "could not unlink numbers from application ivr" in message and "2 of 2 number(s)" in message
    assert N1 in message and N2 in message, "every failed number is named, not only the first"
    assert "the application was not deleted" in message
    assert "DELETE" not in [m for m, _ in calls(sim)]
    assert sim.application(app_id) is not None
    assert sim.number(N1)["app_id"] == app_id and sim.number(N2)["app_id"] == app_id
    assert "a rerun refuses them" in message and "unlink them in the console" in message

    # The rerun (a new deployment: the numbers left the stack in the last one) refuses as it said.
    DEPLOYMENT.forget()
    with pytest.raises(PlivoError) as refused:
        provider.delete(app_id, created.outs)
    assert f"{N1}, {N2}" in str(refused.value) and "outside this stack" in str(refused.value)
    assert sim.application(app_id) is not None


def test_a_number_unrented_before_its_unlink_does_not_stop_the_delete(sim):
    provider, created, app_id = app_linked_to_both_numbers(sim)
    DEPLOYMENT.mark_released([N1, N2])
    sim.set_faults(script=["ok", "error:404", "error:404"])  # gone between the listing and the unlinks
    sim.clear_log()
    try:
        provider.delete(app_id, created.outs)
    finally:
        sim.clear_faults()
    assert [m for m, _ in calls(sim)] == ["GET", "POST", "POST", "DELETE"]
    assert sim.application(app_id) is None


def _provider(sim, **settings: str) -> ApplicationProvider:
    provider = ApplicationProvider()
    raw = {"plivo:authId": MAIN, "plivo:baseUrl": sim.base_url, "plivo:authToken": TOKEN, **settings}
    provider.configure(ConfigureRequest(Config(raw, "test")))
    return provider


def test_a_create_whose_answer_is_lost_takes_the_application_it_made(sim):
    provider = _provider(sim, **{"plivo:timeoutSeconds": "1.5"})
    sim.set_faults(script=["late:10000"], script_match=f"POST /v1/Account/{MAIN}/Application/")
    created = provider.create(checked(app_name="ivr", answer_url=ANSWER))
    (made,) = [a for a in sim.applications() if a["app_name"] == "ivr"]
    assert created.id == made["app_id"] and created.outs["adopted"] is False, "made by this create"
    assert calls(sim).count(("POST", f"/v1/Account/{MAIN}/Application/")) == 1, "never POSTed twice"


def test_a_create_that_cannot_look_after_a_lost_answer_says_a_rerun_finds_it(sim):
    provider = _provider(sim, **{"plivo:timeoutSeconds": "1.5", "plivo:maxRetries": "0"})
    sim.set_faults(script=["ok", "late:10000", "error:503"])
    with pytest.raises(PlivoError) as failed:
        provider.create(checked(app_name="ivr", answer_url=ANSWER))
    assert "Looking for it by name failed too" in str(failed.value)
    assert "Run `pulumi up` again" in str(failed.value) and TOKEN not in str(failed.value)
    sim.clear_faults()
    rerun = _provider(sim).create(checked(app_name="ivr", answer_url=ANSWER))
    assert [a["app_id"] for a in sim.applications() if a["app_name"] == "ivr"] == [rerun.id]
    assert rerun.outs["adopted"] is True, "found by name: not proven the stack's, kept on destroy"


def test_a_subaccounts_credentials_default_the_owner_and_refuse_another(sim):
    sub = ApplicationProvider()
    sub.configure(ConfigureRequest(Config({"plivo:authId": SUB}, "test")))
    result = sub.check({}, {"app_name": "ivr", "answer_url": ANSWER})
    assert result.failures == [] and result.inputs["subaccount"] == SUB
    for other in ("", "SAAPPPROVIDERSUB0002"):
        refused = sub.check({}, {"app_name": "ivr", "answer_url": ANSWER, "subaccount": other})
        assert [f.property for f in refused.failures] == ["subaccount"]
        assert SUB in refused.failures[0].reason and "Leave subaccount out" in refused.failures[0].reason
    assert calls(sim) == []
