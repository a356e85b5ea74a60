"""`Application` across runs and accounts, through the `pulumi` CLI in project folders (issue 22,
items 4, 6, 7 and 8): a delete under a subaccount's credentials, a destroy refused and run again, a
replace that a number's `ignore_changes` holds back, the drift gate after `up` for every documented
form, and a plan that shows only what an application's update changes. Checked against the
simulator's applications and numbers, the engine's exit codes and output."""

from __future__ import annotations

import re

from tests.e2e.test_applications import ANSWER, APP_PATH, api_calls, app_named, make_project, program
from tests.support.accounts import APPS, MAIN, NUMBERS, SUB, SUB_TOKEN, TOKEN
from tests.support.cli_project import plivo_config

__all__ = ["make_project"]  # the fixture, shared with test_applications.py

N1, N2, N3, N4, N5 = NUMBERS
SUB_APP = "44444444444444"


def number_updates(output: str) -> list[str]:
    """The plan lines of RentedNumber / RentedNumberSet updates (`~ ... plivo:RentedNumber...`)."""
    return [line for line in output.splitlines() if re.search(r"~ .*plivo:RentedNumber", line)]


# -- item 8: an update never changes app_id ----------------------------------------------------


def test_a_changed_application_field_shows_only_the_application(make_project, sim_e2e):
    project = make_project(program())
    assert project.up().ok
    app_id = app_named(sim_e2e, "ivr-main")["app_id"]

    # Changed in the code: one field of the application, one POST; the numbers bound to its app_id
    # do not change (an update keeps the id), so the plan does not show them.
    project.write_program(program().replace("https://sms.example.com/inbound", "https://sms.example.com/v2"))
    preview = project.preview()
    assert preview.ok, preview.output
    assert "~ 1 to update" in preview.output, preview.output
    assert "[unknown]" not in preview.output and number_updates(preview.output) == [], preview.output

    # Changed in the console: the gate fails on that field alone.
    project.write_program(program())
    sim_e2e.edit_application(app_id, hangup_method="GET")
    gate = project.gate()
    assert gate.code != 0 and "hangup_method" in gate.output, gate.output
    assert "~ 1 to update" in gate.output, gate.output
    assert "[unknown]" not in gate.output and number_updates(gate.output) == [], gate.output

    sim_e2e.clear_log()
    reconcile = project.up("--refresh", "--run-program")
    assert reconcile.ok, reconcile.output
    assert [c for c in api_calls(sim_e2e) if c[0] != "GET"] == [("POST", f"{APP_PATH}{app_id}/")]
    assert project.gate().ok


# -- item 7: the gate is clean after `up`, for every documented form ---------------------------

FORMS = """
import pulumi
from plivo_pulumi import Application, RentedNumber, RentedNumberSet

legacy = Application("legacy", app_name="legacy", answer_url="{answer}",
                     opts=pulumi.ResourceOptions(import_="{adopt}"))
ivr = Application("ivr", app_name="ivr-main", answer_url="{answer}")
RentedNumber("support", number="{n1}", app_id=legacy.app_id)
RentedNumber("sales", number="{n2}", app_id=ivr.app_id)
RentedNumberSet("fleet", {{"{n3}": {{"app_id": legacy.app_id}}, "{n4}": {{"app_id": ivr.app_id}}}})
"""


def test_the_gate_is_clean_after_up_for_adopted_and_created_applications(make_project, sim_e2e):
    sim_e2e.edit_application(APPS[0], app_name="legacy", answer_url=ANSWER, hangup_url=ANSWER)
    project = make_project(FORMS.format(answer=ANSWER, adopt=APPS[0], n1=N1, n2=N2, n3=N3, n4=N4))
    up = project.up()
    assert up.ok, up.output
    for _ in range(2):  # not only once: a refresh must not undo what the next one compares
        gate = project.gate()
        assert gate.ok, gate.output
        assert "[unknown]" not in gate.output and "import_id" not in gate.output, gate.output
    sim_e2e.clear_log()
    again = project.up("--refresh", "--run-program")
    assert again.ok and [c for c in api_calls(sim_e2e) if c[0] != "GET"] == [], again.output


# -- item 6: a refused destroy, run again ------------------------------------------------------


def test_a_destroy_refused_for_a_number_outside_the_stack_finishes_on_the_rerun(make_project, sim_e2e):
    project = make_project(program())
    assert project.up().ok
    app_id = app_named(sim_e2e, "ivr-main")["app_id"]
    sim_e2e.edit_out_of_band(N4, app_id=app_id)  # someone links a number by hand

    refused = project.destroy()
    assert refused.code != 0, refused.output
    assert N4 in refused.output and "outside this stack" in refused.output, refused.output
    named_outside = refused.output.split("outside this stack", 1)[1].split(".")[0]
    assert N1 not in named_outside and N2 not in named_outside, refused.output
    assert sim_e2e.application(app_id) is not None and sim_e2e.number(N4)["app_id"] == app_id
    for number in (N1, N2, N3):
        assert sim_e2e.number(number) is not None, "every number stays rented"

    # Every rerun names only the number outside the stack, never the stack's own.
    again = project.destroy()
    assert again.code != 0 and N4 in again.output, again.output
    assert N1 not in again.output and N2 not in again.output, again.output

    sim_e2e.edit_out_of_band(N4, app_id=APPS[1])  # its owner moves it elsewhere
    rerun = project.destroy()
    assert rerun.ok, rerun.output
    assert sim_e2e.application(app_id) is None and project.resources("Application") == {}
    assert sim_e2e.number(N1)["app_id"] is None and sim_e2e.number(N2)["app_id"] is None
    assert sim_e2e.number(N3)["app_id"] == APPS[0] and sim_e2e.number(N4)["app_id"] == APPS[1]


def test_a_destroy_whose_unlinks_failed_is_finished_by_up_then_destroy(make_project, sim_e2e):
    project = make_project(program())
    assert project.up().ok
    app_id = app_named(sim_e2e, "ivr-main")["app_id"]

    sim_e2e.set_faults(script=["ok", "error:400", "error:400"])  # the listing answers, both unlinks fail
    failed = project.destroy()
    sim_e2e.clear_faults()
    assert failed.code != 0 and "could not unlink numbers" in failed.output, failed.output
    assert sim_e2e.application(app_id) is not None
    assert sim_e2e.number(N1)["app_id"] == app_id and sim_e2e.number(N2)["app_id"] == app_id

    # Their resources have left the state: the rerun cannot tell them from numbers outside the stack,
    # and says how to take them back without touching the console.
    rerun = project.destroy()
    assert rerun.code != 0 and f"{N1}, {N2}" in rerun.output, rerun.output
    assert "`pulumi up` with the program that declares them" in rerun.output, rerun.output

    sim_e2e.clear_log()
    back = project.up()
    assert back.ok, back.output
    assert [c for c in api_calls(sim_e2e) if c[0] != "GET"] == [], "taken back with no write"
    done = project.destroy()
    assert done.ok, done.output
    assert sim_e2e.application(app_id) is None
    assert sim_e2e.number(N1)["app_id"] is None and sim_e2e.number(N2)["app_id"] is None


HELD = """
import pulumi
from plivo_pulumi import Application, RentedNumber, RentedNumberSet

ivr = Application("ivr", app_name="{app_name}", answer_url="{answer}")
RentedNumber("support", number="{n1}", app_id=ivr.app_id{opts})
RentedNumberSet("fleet", {{"{n2}": {{"app_id": ivr.app_id}}}})
"""


def test_a_replace_held_back_by_ignore_changes_names_the_stacks_own_number(make_project, sim_e2e):
    held = ', opts=pulumi.ResourceOptions(ignore_changes=["app_id"])'
    project = make_project(HELD.format(app_name="ivr-main", answer=ANSWER, n1=N1, n2=N2, opts=held))
    assert project.up().ok
    old_id = app_named(sim_e2e, "ivr-main")["app_id"]

    project.write_program(HELD.format(app_name="ivr-v2", answer=ANSWER, n1=N1, n2=N2, opts=held))
    for _ in range(2):  # the first run and its rerun say the same
        up = project.up()
        assert up.code != 0, up.output
        assert N1 in up.output and "outside this stack" not in up.output, up.output
        assert "declares" in up.output and "ignore_changes" in up.output, up.output
        assert sim_e2e.application(old_id) is not None and sim_e2e.number(N1)["app_id"] == old_id
    new_id = app_named(sim_e2e, "ivr-v2")["app_id"]
    assert sim_e2e.number(N2)["app_id"] == new_id

    project.write_program(HELD.format(app_name="ivr-v2", answer=ANSWER, n1=N1, n2=N2, opts=""))
    up = project.up()
    assert up.ok, up.output
    assert sim_e2e.number(N1)["app_id"] == new_id and sim_e2e.application(old_id) is None
    assert project.gate().ok


# -- item 4: what a subaccount's credentials may touch ------------------------------------------

TEAM = """
import pulumi
from plivo_pulumi import Application, RentedNumber

team = Application("team", app_name="team-app", answer_url="{answer}", subaccount="{sub}",
                   delete_adopted=True, opts=pulumi.ResourceOptions(import_="{app}"))
RentedNumber("line", number="{n5}", app_id=team.app_id)
"""


def test_a_subaccount_cannot_delete_an_application_a_main_account_number_may_use(make_project, sim_e2e):
    sim_e2e.add_application(SUB_APP, account=SUB, app_name="team-app", answer_url=ANSWER)
    sim_e2e.edit_out_of_band(N5, subaccount=SUB)
    sim_e2e.edit_out_of_band(N1, app_id=SUB_APP)  # the main account links its own number to it
    project = make_project(TEAM.format(answer=ANSWER, sub=SUB, app=SUB_APP, n5=N5))
    project.config_set("plivo:authId", SUB, secret=False)
    project.config_set("plivo:authToken", SUB_TOKEN, secret=True)
    up = project.up()
    assert up.ok, up.output
    assert sim_e2e.number(N5)["app_id"] == SUB_APP

    sim_e2e.clear_log()
    refused = project.destroy()
    assert refused.code != 0, refused.output
    assert "subaccount" in refused.output and "main account" in refused.output, refused.output
    assert "plivo:authId" in refused.output, "the message names the fix"
    assert sim_e2e.application(SUB_APP) is not None, "the application is kept"
    assert sim_e2e.number(N1)["app_id"] == SUB_APP, "the main account's number keeps its application"
    assert ("DELETE", f"/v1/Account/{SUB}/Application/{SUB_APP}/") not in api_calls(sim_e2e)

    # With the main account's credentials (the fix the message names) the delete sees every number:
    # it refuses for the main account's number until that one is moved, then finishes.
    for key, (value, secret) in plivo_config(sim_e2e.base_url, MAIN, TOKEN).items():
        project.config_set(key, value, secret=secret)
    main_run = project.destroy("--run-program")
    assert main_run.code != 0 and N1 in main_run.output, main_run.output
    assert N5 not in main_run.output.split("outside this stack", 1)[-1], main_run.output
    sim_e2e.edit_out_of_band(N1, app_id=APPS[1])
    done = project.destroy("--run-program")
    assert done.ok, done.output
    assert sim_e2e.application(SUB_APP) is None and sim_e2e.number(N5)["app_id"] is None
    assert sim_e2e.number(N1)["app_id"] == APPS[1]
