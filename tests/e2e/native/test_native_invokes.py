"""The native provider's functions through the real engine: a program calls the invokes and exports
what they return; the plugin is loaded from the project's `plugins:` path."""

from __future__ import annotations

import json

from tests.support.accounts import APPS, NUMBERS, SUB

INVOKES = """
import pulumi
from pulumi.runtime import invoke

every = invoke("plivo:index:getRentedNumbers", {}).value
filters = {"numberStartswith": "155500000", "numberType": "local"}
local_2 = invoke("plivo:index:getRentedNumbers", filters).value
one = invoke("plivo:index:getRentedNumber", {"number": "+1 (555) 000-0002"}).value
app = invoke("plivo:index:getApplication", {"appId": "%s"}).value
pulumi.export("every", [n["number"] for n in every["numbers"]])
pulumi.export("filtered", len(local_2["numbers"]))
pulumi.export("one", one)
pulumi.export("app", app)
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
        from pulumi.runtime import invoke
        invoke("plivo:index:getRentedNumber", {"number": "15559999999"})
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
        from pulumi.runtime import invoke
        found = invoke("plivo:index:getRentedNumbers", {{"subaccount": "{SUB}"}}).value
        pulumi.export("found", [n["number"] for n in found["numbers"]])
        """
    )
    up = project.up()
    assert up.ok, up.output
    outputs = json.loads(project.pulumi("stack", "output", "--json", "--stack", "dev").output)
    assert outputs["found"] == [NUMBERS[0]]
