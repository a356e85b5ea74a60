"""An `Application` create never leaves a second application of the same name, through the `pulumi`
CLI in project folders against the simulator: a create whose answer comes after the client gave up
(the simulator's `late:<ms>` fault: the application is made, the answer held back), a rerun after a
run that could not find out, `kill -9` during the create followed by the README's crash recovery, an
application of that name made elsewhere with other fields (refused, naming its id, nothing written),
and a stack configured with a subaccount's credentials (the create sends no `subaccount`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.accounts import MAIN, NUMBERS, SUB, SUB_TOKEN, TOKEN
from tests.support.cli_project import CliProject, plivo_config
from tests.support.fault_kit import wait_for
from tests.support.processes import kill_tree

ANSWER = "https://voice.example.com/answer"
N5 = NUMBERS[4]
APP_PATH = f"/v1/Account/{MAIN}/Application/"
PROGRAM = (
    "import pulumi\n"
    "from plivo_pulumi import Application\n"
    'app = Application("ivr", app_name="ivr-late", answer_url="{answer}"{more})\n'
    'pulumi.export("app_id", app.app_id)\n'
)


def program(more: str = "") -> str:
    return PROGRAM.format(answer=ANSWER, more=more)


@pytest.fixture
def make_project(tmp_path: Path, sim_e2e):
    count = 0

    def factory(source: str, auth_id: str = MAIN, token: str = TOKEN, **settings: str) -> CliProject:
        nonlocal count
        count += 1
        project = CliProject(tmp_path / f"p{count}", source)
        config = plivo_config(sim_e2e.base_url, auth_id, token)
        config.update({f"plivo:{key}": (value, False) for key, value in settings.items()})
        project.init(config)
        return project

    return factory


def named(sim, app_name: str) -> list[dict]:
    return [a for a in sim.applications() if a["app_name"] == app_name]


def app_creates(sim, path: str = APP_PATH) -> int:
    return sum(1 for r in sim.requests_log()["requests"] if (r["method"], r["path"]) == ("POST", path))


def assert_one_application_in_the_state(project: CliProject, sim, app_name: str = "ivr-late") -> dict:
    apps = named(sim, app_name)
    assert len(apps) == 1, f"exactly one application named {app_name}: {apps}"
    state = project.resources("Application")
    assert state["ivr"]["id"] == apps[0]["app_id"], state
    return apps[0]


@pytest.mark.parametrize("found_by", ["the-same-run", "the-rerun"])
def test_a_create_whose_answer_is_lost_leaves_one_application(make_project, sim_e2e, found_by):
    # A read timeout of 3 s; the API makes the application at once and answers after 15 s.
    if found_by == "the-same-run":
        project = make_project(program(), timeoutSeconds="3")
        sim_e2e.set_faults(script=["late:15000"], script_match=f"POST {APP_PATH}")
    else:
        # The look-up before the POST, the POST (answered late), then the look-up after it fails too.
        project = make_project(program(), timeoutSeconds="3", maxRetries="0")
        sim_e2e.set_faults(script=["ok", "late:15000", "error:503"])
    first = project.up()
    assert len(named(sim_e2e, "ivr-late")) == 1, "the API made the application"
    if found_by == "the-same-run":
        assert first.ok, first.output
        assert "answer" in first.output and "ivr-late" in first.output, first.output
    else:
        assert first.code != 0, first.output
        assert "ivr-late" in first.output and "pulumi up" in first.output, first.output
        assert TOKEN not in first.output
        sim_e2e.clear_faults()
        rerun = project.up()
        assert rerun.ok, rerun.output
    assert app_creates(sim_e2e) == 1, "one POST, never a second create"
    app = assert_one_application_in_the_state(project, sim_e2e)

    again = project.up()
    assert again.ok, again.output
    assert app_creates(sim_e2e) == 1 and len(named(sim_e2e, "ivr-late")) == 1
    gate = project.gate()
    assert gate.ok, gate.output
    destroyed = project.destroy()
    assert destroyed.ok, destroyed.output
    if found_by == "the-same-run":
        assert sim_e2e.application(app["app_id"]) is None, "made by this stack's create: destroy deletes it"
    else:
        assert sim_e2e.application(app["app_id"]) is not None, "found by name, not proven ours: kept"
        assert "delete_adopted" in destroyed.output, destroyed.output


def test_sigkill_during_the_create_then_the_recovery_leaves_one_application(make_project, sim_e2e):
    project = make_project(program())
    # The application is made at once; its answer is held for 20 s, while the run is killed.
    sim_e2e.set_faults(script=["late:20000"], script_match=f"POST {APP_PATH}")
    run = project.start_up()
    try:
        wait_for(lambda: len(named(sim_e2e, "ivr-late")) == 1, 120, "the create to reach the API")
        kill_tree(run.pid)
    finally:
        run.kill()
        run.wait(30)
    sim_e2e.clear_faults()
    locked = project.up()
    assert locked.code != 0 and "pulumi cancel" in locked.output, locked.output
    # The audit shows what the interrupted create made (the state has it only as a pending create).
    (made,) = named(sim_e2e, "ivr-late")
    audit = project.plivo_numbers("audit", "--stack", "dev", "--json")
    assert audit.returncode == 1, audit.stdout + audit.stderr
    found = {(f["kind"], f["app_id"], f["live"]) for f in json.loads(audit.stdout)["findings"]}
    assert ("unmanaged_app", made["app_id"], "ivr-late") in found, found

    # The README's recovery recipe.
    up = project.recover()
    assert up.ok, up.output
    gate = project.gate()
    assert gate.ok, gate.output
    assert app_creates(sim_e2e) == 1, "the recovery's up created nothing"
    assert_one_application_in_the_state(project, sim_e2e)


def test_an_application_of_that_name_with_other_fields_is_refused_naming_its_id(make_project, sim_e2e):
    made_by_hand = sim_e2e.add_application(
        "44444444444444", app_name="ivr-late", answer_url="https://other.example.com/a"
    )
    project = make_project(program())
    sim_e2e.clear_log()
    refused = project.up()
    assert refused.code != 0
    assert made_by_hand["app_id"] in refused.output and "answer_url" in refused.output, refused.output
    assert "import_" in refused.output, "the fix: adopt it, or rename, or delete it in the console"
    assert [r for r in sim_e2e.requests_log()["requests"] if r["method"] != "GET"] == [], "nothing written"
    assert len(named(sim_e2e, "ivr-late")) == 1

    # Two of that name already (the mark of an earlier duplicate): refused, naming both.
    sim_e2e.add_application("44444444444445", app_name="ivr-late", answer_url=ANSWER, hangup_url=ANSWER)
    both = project.up()
    assert both.code != 0
    assert "44444444444444" in both.output and "44444444444445" in both.output, both.output
    assert len(named(sim_e2e, "ivr-late")) == 2, "nothing created"


def test_a_stack_with_a_subaccounts_credentials_creates_its_application(make_project, sim_e2e):
    sim_e2e.edit_out_of_band(N5, subaccount=SUB)  # a number of the subaccount, bound to the new app
    line = f'from plivo_pulumi import RentedNumber\nRentedNumber("line", number="{N5}", app_id=app.app_id)\n'
    project = make_project(program() + line, auth_id=SUB, token=SUB_TOKEN)
    up = project.up()
    assert up.ok, up.output
    (app,) = named(sim_e2e, "ivr-late")
    assert app["account"] == SUB, "a subaccount's application is its own"
    assert sim_e2e.number(N5)["app_id"] == app["app_id"]
    sub_path = f"/v1/Account/{SUB}/Application/"
    creates = [
        r for r in sim_e2e.requests_log()["requests"] if (r["method"], r["path"]) == ("POST", sub_path)
    ]
    assert len(creates) == 1 and "subaccount" not in creates[0]["fields"], creates
    assert project.resources("Application")["ivr"]["outputs"]["subaccount"] == SUB
    gate = project.gate()
    assert gate.ok, gate.output
    again = project.up()
    assert again.ok, again.output
    assert len(named(sim_e2e, "ivr-late")) == 1
    # (What a destroy with a subaccount's credentials may delete is the delete's rule, not tested here.)


def test_a_subaccounts_credentials_cannot_own_an_application_for_another_account(make_project, sim_e2e):
    project = make_project(program(more=', subaccount=""'), auth_id=SUB, token=SUB_TOKEN)
    preview = project.preview()
    assert preview.code != 0
    assert "property subaccount" in preview.output and SUB in preview.output, preview.output
    assert sim_e2e.requests_log()["requests"] == [], "refused at preview, before any API call"


def test_one_name_declared_by_two_applications_of_a_stack_is_refused_at_preview(make_project, sim_e2e):
    project = make_project(
        "from plivo_pulumi import Application\n"
        f'Application("a", app_name="ivr-twice", answer_url="{ANSWER}")\n'
        f'Application("b", app_name="ivr-twice", answer_url="{ANSWER}", message_method="GET")\n'
    )
    preview = project.preview()
    assert preview.code != 0
    assert "'ivr-twice'" in preview.output and "declared twice" in preview.output, preview.output
    up = project.pulumi(*project._stack_args("up", "--yes"))  # with its preview, as users run it
    assert up.code != 0 and "declared twice" in up.output, up.output
    assert named(sim_e2e, "ivr-twice") == []
    assert sim_e2e.requests_log()["requests"] == [], "nothing sent to Plivo"
