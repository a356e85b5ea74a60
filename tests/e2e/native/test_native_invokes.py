"""The native provider's functions through the real engine: a program calls the invokes and exports
what they return; the plugin is loaded from the project's `plugins:` path."""

from __future__ import annotations

import json

import pytest

from plivo_pulumi.native.convert import to_snake
from plivo_pulumi.native.schema import NUMBER_INFO_FIELDS
from tests.support.accounts import APPS, MAIN, NUMBERS, SUB

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


# -- every field under the schema's names (issue 29, item 10) -----------------------------------

# The number the field tests read: bound to an application, in the subaccount, with an alias.
ITEM = NUMBERS[1]
PYTHON_NAMES = {name: to_snake(name) for name in NUMBER_INFO_FIELDS}  # appId -> app_id...


def expected_item(sim_e2e, shape: str) -> dict:
    """ITEM as the functions must return it, by schema name, from the simulator's own record. The
    `current` shape (the live API's object) has no `description` nor `plivo_number`: None then."""
    stored = sim_e2e.number(ITEM)
    live_only = shape == "current"
    return {
        "number": ITEM,
        "appId": APPS[2],
        "subaccount": SUB,
        "application": f"/v1/Account/{MAIN}/Application/{APPS[2]}/",
        "alias": "front desk",
        "numberType": stored["number_type"],
        "voiceEnabled": stored["voice_enabled"],
        "smsEnabled": stored["sms_enabled"],
        "description": None if live_only else stored["description"],
        "addedOn": stored["added_on"],
        "resourceUri": f"/v1/Account/{MAIN}/Number/{ITEM}/",
        "plivoNumber": None if live_only else stored["plivo_number"],
    }


EVERY_FIELD_PYTHON = """
import pulumi
import pulumi_plivo as plivo

found = plivo.get_rented_numbers(number_startswith="{item}")
listed = found.numbers[0]
one = plivo.get_rented_number(number="{item}")
# Typed attribute access, as a program (and its type checker) reads the SDK's classes.
pulumi.export("listed", {{{listed}}})
pulumi.export("one", {{{one}}})
pulumi.export("count", len(found.numbers))
"""


@pytest.mark.parametrize("shape", ["current", "subaccount"])
def test_every_field_of_a_number_in_python(native_project, sim_e2e, shape):
    """getRentedNumbers' items and getRentedNumber read through the generated SDK's attributes
    (`.app_id`, `.number_type`...): every field of the schema carries the API's value. Before the
    fix the items came back in snake_case, and the SDK found none of the camelCase fields."""
    sim_e2e.set_number_shape(shape)
    sim_e2e.edit_out_of_band(ITEM, app_id=APPS[2], subaccount=SUB, alias="front desk")
    attrs = ", ".join(f'"{name}": listed.{snake}' for name, snake in PYTHON_NAMES.items())
    project = native_project(
        EVERY_FIELD_PYTHON.format(item=ITEM, listed=attrs, one=attrs.replace("listed.", "one."))
    )
    up = project.up()
    assert up.ok, up.output
    outputs = json.loads(project.pulumi("stack", "output", "--json", "--stack", "dev").output)
    want = expected_item(sim_e2e, shape)
    assert outputs["count"] == 1
    for key in ("listed", "one"):
        got = {name: outputs[key].get(name) for name in NUMBER_INFO_FIELDS}
        assert got == want, key
    assert sim_e2e.requests_log()["by_method"].get("POST", 0) == 0


# -- bad arguments: a clear failure naming the argument and the fix (issue 29, item 7) -----------

BAD_ARGUMENTS = [
    # (call, the argument as the message names it, a fragment of the fix)
    ('get_rented_numbers(number_type="tall free")', "numberType (number_type in Python)", "tollfree"),
    ('get_rented_numbers(number_startswith="1-800-FLOWERS")', "numberStartswith", "first digits"),
    ('get_rented_numbers(subaccount="marketing")', "subaccount", "SAXXXXXXXXXXXXXXXXXX"),
    ('get_rented_numbers(services="fax")', "services", "voice,sms"),
    ("get_rented_numbers(number_startswith=1555)", "numberStartswith", "first digits"),
    ('get_rented_number(number="call me")', "number", "digits in international form"),
    ('get_application(app_id="ivr-main")', "appId (app_id in Python)", "72509666337566"),
]


@pytest.mark.parametrize(("call", "argument", "fix"), BAD_ARGUMENTS, ids=[b[0] for b in BAD_ARGUMENTS])
def test_a_bad_argument_is_named_with_its_fix(native_project, sim_e2e, call, argument, fix):
    project = native_project(f"import pulumi_plivo as plivo\nplivo.{call}\n")
    up = project.up()
    assert not up.ok, up.output
    assert argument in up.output and fix in up.output, up.output
    # The message alone: no stack of the provider, no "Unexpected <class ...>" from its gRPC server.
    for internal in ("plivo_pulumi/", "Unexpected <class", "grpc"):
        assert internal not in up.output, up.output
    assert sim_e2e.requests_log()["total"] == 0, "refused before any API call"
