"""The native provider's functions through the real engine: a program calls the invokes and exports
what they return; the plugin is loaded from the project's `plugins:` path."""

from __future__ import annotations

import json

from tests.support.accounts import APPS, NUMBERS, SUB

INVOKES = """
import pulumi
import pulumi_plivo as plivo

every = plivo.get_rented_numbers()
local_2 = plivo.get_rented_numbers(number_startswith="155500000", number_type="local")
one = plivo.get_rented_number(number="+1 (555) 000-0002")
app = plivo.get_application(app_id="%s")
pulumi.export("every", [n.number for n in every.numbers])
pulumi.export("filtered", len(local_2.numbers))
pulumi.export("one", {"number": one.number, "appId": one.app_id, "subaccount": one.subaccount})
pulumi.export("app", {"appId": app.app_id, "answerMethod": app.answer_method})
"""


def test_invokes_read_the_account(native_project, sim_e2e):
    sim_e2e.edit_out_of_band(NUMBERS[1], app_id=APPS[2])
    project = native_project(INVOKES % APPS[0])
    up = project.up()
    assert up.ok, up.output
    assert "using pulumi-resource-plivo from $PATH" not in up.output
    outputs = json.loads(project.pulumi("stack", "output", "--json", "--stack", "dev").output)
    assert sorted(outputs["every"]) == sorted(NUMBERS)
    assert outputs["filtered"] == len(NUMBERS)
    assert outputs["one"]["number"] == NUMBERS[1]
    assert outputs["one"]["appId"] == APPS[2]
    assert outputs["one"]["subaccount"] == ""
    assert outputs["app"]["appId"] == APPS[0]
    assert outputs["app"]["answerMethod"] in ("GET", "POST")
    assert sim_e2e.requests_log()["by_method"].get("POST", 0) == 0


def test_invoke_of_a_number_not_rented_fails_naming_it(native_project, sim_e2e):
    project = native_project(
        """
        import pulumi_plivo as plivo
        plivo.get_rented_number(number="15559999999")
        """
    )
    up = project.up()
    assert not up.ok
    assert "15559999999" in up.output
    assert "plivo_pulumi/native" not in up.output  # the message alone, not the provider's stack


def test_subaccount_filter(native_project, sim_e2e):
    sim_e2e.edit_out_of_band(NUMBERS[0], subaccount=SUB)
    project = native_project(
        f"""
        import pulumi
        import pulumi_plivo as plivo
        found = plivo.get_rented_numbers(subaccount="{SUB}")
        pulumi.export("found", [n.number for n in found.numbers])
        """
    )
    up = project.up()
    assert up.ok, up.output
    outputs = json.loads(project.pulumi("stack", "output", "--json", "--stack", "dev").output)
    assert outputs["found"] == [NUMBERS[0]]
