"""`Application` through the `pulumi` CLI in project folders: create, numbers bound to its output,
drift of a field and of a binding, the reconcile's calls, rename with an alias, a new name that
replaces, the destroy order, adoption, and the refusals (bad input at preview, a delete that would
strand numbers outside the stack). Checked against the simulator's applications, numbers and request
log, the engine's exit codes and output, and the state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from tests.support.accounts import APPS, MAIN, NUMBERS, SUB, TOKEN
from tests.support.cli_project import CliProject, plivo_config

N1, N2, N3, N4, N5 = NUMBERS
ANSWER = "https://voice.example.com/answer"
MESSAGE = "https://sms.example.com/inbound"
APP_PATH = f"/v1/Account/{MAIN}/Application/"

PROGRAM = """
import pulumi
from plivo_pulumi import Application, RentedNumber, RentedNumberSet

ivr = Application("{name}", app_name="{app_name}", answer_url="{answer}", message_url="{message}"{opts})
RentedNumber("support", number="{n1}", app_id=ivr.app_id)
RentedNumberSet("fleet", {{"{n2}": {{"app_id": ivr.app_id}}, "{n3}": {{"app_id": "{other}"}}}})
pulumi.export("app_id", ivr.app_id)
"""


def program(name: str = "ivr", app_name: str = "ivr-main", opts: str = "") -> str:
    return PROGRAM.format(
        name=name,
        app_name=app_name,
        answer=ANSWER,
        message=MESSAGE,
        opts=opts,
        n1=f"+1 ({N1[1:4]}) {N1[4:7]}-{N1[7:]}",  # as people write it; the state holds 15550000001
        n2=N2,
        n3=N3,
        other=APPS[0],
    )


@pytest.fixture
def make_project(tmp_path: Path, sim_e2e):
    count = 0

    def factory(source: str) -> CliProject:
        nonlocal count
        count += 1
        project = CliProject(tmp_path / f"p{count}", source)
        project.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
        return project

    return factory


def app_named(sim, app_name: str) -> dict:
    found = [a for a in sim.applications() if a["app_name"] == app_name]
    assert len(found) == 1, f"one application named {app_name}: {found}"
    return found[0]


def api_calls(sim) -> list[tuple[str, str]]:
    """(method, path) of every API request since the log was cleared, in order."""
    return [(r["method"], r["path"]) for r in sim.requests_log()["requests"]]


def test_application_lifecycle_through_the_cli(make_project, sim_e2e):
    project = make_project(program())

    preview = project.preview()
    assert preview.ok, preview.output
    assert "+ 4 to create" in preview.output, "the app's id is unknown at preview and passes through"
    assert api_calls(sim_e2e) == [], "preview makes no API call"

    up = project.up()
    assert up.ok, up.output
    app = app_named(sim_e2e, "ivr-main")
    app_id = app["app_id"]
    assert (app["answer_url"], app["hangup_url"], app["message_url"]) == (ANSWER, ANSWER, MESSAGE)
    assert (app["answer_method"], app["log_incoming_messages"]) == ("POST", True), "the reference's defaults"
    assert sim_e2e.number(N1)["app_id"] == app_id and sim_e2e.number(N2)["app_id"] == app_id
    assert sim_e2e.number(N3)["app_id"] == APPS[0]
    calls = api_calls(sim_e2e)
    assert calls.count(("POST", APP_PATH)) == 1, "one create"
    first_number_write = min(i for i, (m, p) in enumerate(calls) if m == "POST" and "/Number/" in p)
    assert calls.index(("POST", APP_PATH)) < first_number_write, "the application exists before numbers bind"
    state = project.resources("Application")
    assert state["ivr"]["id"] == app_id and state["ivr"]["outputs"]["app_id"] == app_id
    assert project.pulumi("stack", "output", "app_id", "--stack", "dev").output.strip() == app_id

    sim_e2e.clear_log()
    gate = project.gate()
    assert gate.ok, gate.output
    assert ("GET", f"{APP_PATH}{app_id}/") in api_calls(sim_e2e), "refresh reads the application"

    # The deploy recipe on a clean stack writes nothing and shows no field as changing (the engine
    # prints the program's inputs beside the state's: defaults and number formats must agree).
    sim_e2e.clear_log()
    again = project.up("--refresh", "--run-program")
    assert again.ok, again.output
    assert [c for c in api_calls(sim_e2e) if c[0] != "GET"] == []
    shown = [
        line
        for line in again.output.splitlines()
        if "diff:" in line and ("plivo:Application" in line or "plivo:RentedNumber " in line)
    ]
    assert shown == [], again.output

    # Drift of an application field and of a number's binding, made by hand in the console.
    sim_e2e.edit_application(app_id, answer_url="https://evil.example.com/x")
    sim_e2e.edit_out_of_band(N1, app_id=APPS[2])
    drifted = project.gate()
    assert drifted.code != 0, "the gate fails on an application field changed by hand"
    assert "answer_url" in drifted.output and "app_id" in drifted.output, drifted.output

    sim_e2e.clear_log()
    reconcile = project.up("--refresh", "--run-program")
    assert reconcile.ok, reconcile.output
    assert sim_e2e.application(app_id)["answer_url"] == ANSWER
    assert sim_e2e.number(N1)["app_id"] == app_id
    writes = [c for c in api_calls(sim_e2e) if c[0] != "GET"]
    assert sorted(writes) == sorted(
        [("POST", f"{APP_PATH}{app_id}/"), ("POST", f"/v1/Account/{MAIN}/Number/{N1}/")]
    ), "one modify of the application and one edit of the drifted number"
    app_writes = [
        r["fields"]
        for r in sim_e2e.requests_log()["requests"]
        if r["method"] == "POST" and r["path"] == f"{APP_PATH}{app_id}/"
    ]
    assert app_writes == [["answer_url"]], "the modify sends the drifted field only, no defaults"
    assert project.gate().ok

    # A rename with an alias keeps the application: no create, no delete.
    project.write_program(
        program(name="ivr-renamed", opts=', opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="ivr")])')
    )
    sim_e2e.clear_log()
    renamed = project.up()
    assert renamed.ok, renamed.output
    assert [c for c in api_calls(sim_e2e) if c[0] != "GET"] == []
    assert project.resources("Application")["ivr-renamed"]["id"] == app_id

    # Destroy: numbers are unlinked before their application is deleted; every number stays rented.
    sim_e2e.clear_log()
    destroy = project.destroy()
    assert destroy.ok, destroy.output
    calls = api_calls(sim_e2e)
    delete = calls.index(("DELETE", f"{APP_PATH}{app_id}/"))
    unlinks = [i for i, (m, p) in enumerate(calls) if m == "POST" and "/Number/" in p]
    assert len(unlinks) == 2 and max(unlinks) < delete, calls
    assert sim_e2e.application(app_id) is None
    assert sim_e2e.number(N1)["app_id"] is None and sim_e2e.number(N2)["app_id"] is None
    assert sim_e2e.number(N3)["app_id"] == APPS[0], "a number bound to another application is untouched"
    assert project.resources("Application") == {}


def test_new_app_name_replaces_and_rebinds_before_the_old_one_goes(make_project, sim_e2e):
    project = make_project(program())
    assert project.up().ok
    old_id = app_named(sim_e2e, "ivr-main")["app_id"]

    project.write_program(program(app_name="ivr-v2"))
    preview = project.preview()
    assert preview.ok and "replace" in preview.output, preview.output
    sim_e2e.clear_log()
    up = project.up()
    assert up.ok, up.output
    new_id = app_named(sim_e2e, "ivr-v2")["app_id"]
    assert new_id != old_id and sim_e2e.application(old_id) is None
    assert sim_e2e.number(N1)["app_id"] == new_id and sim_e2e.number(N2)["app_id"] == new_id
    calls = api_calls(sim_e2e)
    rebinds = [i for i, (m, p) in enumerate(calls) if m == "POST" and "/Number/" in p]
    assert rebinds and max(rebinds) < calls.index(("DELETE", f"{APP_PATH}{old_id}/")), (
        "the numbers move to the new application before the old one is deleted"
    )


@pytest.mark.parametrize("keep_links", [False, True], ids=["numbers-unlinked", "numbers-left-pointing"])
def test_application_deleted_by_hand_is_recreated_and_the_numbers_rebound(make_project, sim_e2e, keep_links):
    project = make_project(program())
    assert project.up().ok
    old_id = app_named(sim_e2e, "ivr-main")["app_id"]
    # Deleted in the console: its numbers lose the link, or (an API that would not unlink them) keep
    # pointing at an application that no longer exists.
    sim_e2e.remove_application(old_id, keep_links=keep_links)

    gate = project.gate()
    assert gate.code != 0, gate.output
    assert "+ 1 to create" in gate.output and "~ 2 to update" in gate.output, gate.output

    sim_e2e.clear_log()
    reconcile = project.up("--refresh", "--run-program")
    assert reconcile.ok, reconcile.output
    new_id = app_named(sim_e2e, "ivr-main")["app_id"]
    assert new_id != old_id
    assert sim_e2e.number(N1)["app_id"] == new_id and sim_e2e.number(N2)["app_id"] == new_id
    assert sim_e2e.number(N3)["app_id"] == APPS[0]
    writes = [c for c in api_calls(sim_e2e) if c[0] != "GET"]
    number_path = f"/v1/Account/{MAIN}/Number/"
    assert sorted(writes) == [
        ("POST", APP_PATH),
        ("POST", f"{number_path}{N1}/"),
        ("POST", f"{number_path}{N2}/"),
    ]
    assert writes[0] == ("POST", APP_PATH), "the application exists before the numbers bind to it"
    assert project.resources("Application")["ivr"]["id"] == new_id
    assert project.gate().ok


def test_a_subaccount_application_and_the_numbers_bound_to_it(make_project, sim_e2e):
    project = make_project(
        "from plivo_pulumi import Application, RentedNumber\n"
        f'app = Application("team", app_name="team-app", answer_url="{ANSWER}", subaccount="{SUB}")\n'
        f'RentedNumber("line", number="{N5}", app_id=app.app_id, subaccount="{SUB}")\n'
    )
    up = project.up()
    assert up.ok, up.output
    app = app_named(sim_e2e, "team-app")
    app_id = app["app_id"]
    assert app["account"] == SUB, "the application belongs to the subaccount"
    assert (sim_e2e.number(N5)["app_id"], sim_e2e.number(N5)["subaccount"]) == (app_id, SUB)
    reported = requests.get(
        f"{sim_e2e.base_url}/Account/{MAIN}/Number/{N5}/", auth=(MAIN, TOKEN), timeout=10
    ).json()["application"]
    assert reported == f"/v1/Account/{SUB}/Application/{app_id}/"
    line = project.resources()["line"]["outputs"]
    assert line["application"] == reported, "the output is the URI the API reports, before any refresh"
    assert project.resources("Application")["team"]["outputs"]["resource_uri"] == reported
    assert project.gate().ok

    sim_e2e.clear_log()
    assert project.destroy().ok
    calls = api_calls(sim_e2e)
    assert calls.index(("POST", f"/v1/Account/{MAIN}/Number/{N5}/")) < calls.index(
        ("DELETE", f"{APP_PATH}{app_id}/")
    ), calls
    assert sim_e2e.application(app_id) is None
    assert (sim_e2e.number(N5)["app_id"], sim_e2e.number(N5)["subaccount"]) == (None, SUB)


def test_delete_refused_while_numbers_outside_the_stack_point_to_it(make_project, sim_e2e):
    project = make_project(
        "from plivo_pulumi import Application\n"
        f'Application("ivr", app_name="lonely", answer_url="{ANSWER}")\n'
    )
    assert project.up().ok
    app_id = app_named(sim_e2e, "lonely")["app_id"]
    sim_e2e.edit_out_of_band(N4, app_id=app_id)  # someone links a number by hand

    sim_e2e.clear_log()
    refused = project.destroy()
    assert refused.code != 0
    assert N4 in refused.output and "outside this stack" in refused.output, refused.output
    assert sim_e2e.application(app_id) is not None and sim_e2e.number(N4)["app_id"] == app_id
    assert [c for c in api_calls(sim_e2e) if c[0] != "GET"] == [], "nothing written or deleted"

    sim_e2e.edit_out_of_band(N4, app_id=APPS[1])
    assert project.destroy().ok
    assert sim_e2e.application(app_id) is None


@pytest.mark.parametrize(
    ("fields", "prop", "says"),
    [
        (f'app_name="ivr main!", answer_url="{ANSWER}"', "app_name", "letters, digits"),
        ('app_name="ivr", answer_url="ftp://x"', "answer_url", "http(s) URL"),
        (f'app_name="ivr", answer_url="{ANSWER}", answer_method="PUT"', "answer_method", "GET"),
        ('app_name="ivr"', "answer_url", "required"),
    ],
)
def test_bad_application_input_fails_preview_before_any_call(make_project, sim_e2e, fields, prop, says):
    project = make_project(f"from plivo_pulumi import Application\nApplication('bad', {fields})\n")
    preview = project.preview()
    assert preview.code != 0
    assert f"property {prop}" in preview.output and says in preview.output, preview.output
    assert api_calls(sim_e2e) == []


def test_adopted_application_is_not_written_and_kept_on_destroy(make_project, sim_e2e):
    sim_e2e.edit_application(APPS[0], app_name="legacy", answer_url=ANSWER, hangup_url=ANSWER)
    source = """
import pulumi
from plivo_pulumi import Application, RentedNumber
app = Application("legacy", app_name="legacy", answer_url="{answer}"{more},
                  opts=pulumi.ResourceOptions(import_="{app}"))
RentedNumber("line", number="{n1}", app_id=app.app_id)
"""
    project = make_project(source.format(answer=ANSWER, more="", app=APPS[0], n1=N1))
    sim_e2e.clear_log()
    up = project.up()
    assert up.ok, up.output
    assert ("POST", APP_PATH) not in api_calls(sim_e2e), "adoption creates nothing"
    assert not [c for c in api_calls(sim_e2e) if c[0] == "POST" and "/Application/" in c[1]]
    assert sim_e2e.number(N1)["app_id"] == APPS[0]

    mismatch = make_project(source.format(answer=ANSWER, more=', message_method="GET"', app=APPS[0], n1=N2))
    failed = mismatch.up()
    assert failed.code != 0 and "message_method" in failed.output, failed.output

    assert project.destroy().ok
    assert sim_e2e.application(APPS[0]) is not None, "an adopted application is kept"


def test_audit_reports_application_findings(make_project, sim_e2e):
    project = make_project(program())
    assert project.up().ok
    app_id = app_named(sim_e2e, "ivr-main")["app_id"]
    sim_e2e.edit_application(app_id, message_method="GET")
    sim_e2e.remove_application(APPS[0], keep_links=True)  # N3 now points to an application that is gone

    result = project.plivo_numbers("audit", "--stack", "dev", "--json")
    assert result.returncode == 1, result.stdout + result.stderr
    doc = json.loads(result.stdout)
    kinds = {(f["kind"], f["app_id"], f["field"], f["number"]) for f in doc["findings"]}
    assert ("drifted_app", app_id, "message_method", "") in kinds
    assert ("broken_link", APPS[0], "app_id", N3) in kinds
    assert ("unmanaged_app", APPS[1], None, "") in kinds, (
        "the stack declares applications: others are reported"
    )

    sim_e2e.remove_application(app_id)
    gone = json.loads(project.plivo_numbers("audit", "--stack", "dev", "--json").stdout)
    assert ("gone_app", app_id) in {(f["kind"], f["app_id"]) for f in gone["findings"]}


def test_a_set_from_a_bindings_file_with_applications(make_project, sim_e2e, tmp_path):
    bindings = tmp_path / "fleet.yaml"
    bindings.write_text(
        f"""
applications:
  inbox:
    answer_url: {ANSWER}
    message_url: {MESSAGE}
defaults:
  application: inbox
numbers:
  - number: "{N1}"
  - number: "{N2}"
    app_id: "{APPS[1]}"
"""
    )
    project = make_project(
        f"from plivo_pulumi import RentedNumberSet\nRentedNumberSet.from_yaml('fleet', {str(bindings)!r})\n"
    )
    preview = project.preview()
    assert preview.ok and "+ 3 to create" in preview.output, preview.output
    assert project.up().ok
    inbox = app_named(sim_e2e, "inbox")
    assert inbox["message_url"] == MESSAGE
    assert sim_e2e.number(N1)["app_id"] == inbox["app_id"] and sim_e2e.number(N2)["app_id"] == APPS[1]
    assert project.gate().ok
    assert project.destroy().ok
    assert sim_e2e.application(inbox["app_id"]) is None and sim_e2e.number(N1)["app_id"] is None
    assert sim_e2e.number(N2)["app_id"] == APPS[1]
