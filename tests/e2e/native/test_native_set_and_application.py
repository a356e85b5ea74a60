"""`plivo:index:RentedNumberSet` and `plivo:index:Application` through the native plugin and the real
engine: adopt and bind, the gate, drift shown per number, reconcile writing only what drifted, a
number leaving the set (released, still rented), import by id, bad input at preview with zero calls,
an application with numbers bound to its output, and destroy keeping the numbers."""

from __future__ import annotations

from tests.e2e.native.test_native_rented_number import calls, native_resources, snake
from tests.support.accounts import APPS, NUMBERS, SUB

N1, N2, N3, N4, N5 = NUMBERS
SET = "plivo:index:RentedNumberSet"
APP = "plivo:index:Application"


def set_program(bindings: dict, **more: object) -> str:
    """`plivo.RentedNumberSet("fleet", ...)`; `bindings` and `more` in the schema's names."""

    def binding(fields: dict) -> str:
        keywords = ", ".join(f"{snake(key)}={value!r}" for key, value in fields.items())
        return f"plivo.RentedNumberSetBindingArgs({keywords})"

    entries = ", ".join(f"{number!r}: {binding(fields)}" for number, fields in bindings.items())
    keywords = "".join(f", {snake(key)}={value!r}" for key, value in more.items())
    return f"import pulumi_plivo as plivo\nplivo.RentedNumberSet('fleet', bindings={{{entries}}}{keywords})\n"


FLEET = {
    "+1 555 000 0001": {"appId": APPS[0]},
    N2: {"appId": APPS[0], "subaccount": SUB},
    N3: {"appId": APPS[1], "subaccount": ""},
}


def test_set_lifecycle(native_project, sim_e2e):
    project = native_project(set_program(FLEET))
    assert project.preview().ok
    assert calls(sim_e2e) == {}
    up = project.up()
    assert up.ok, up.output
    assert sim_e2e.number(N1)["app_id"] == APPS[0]
    assert (sim_e2e.number(N2)["app_id"], sim_e2e.number(N2)["subaccount"]) == (APPS[0], SUB)
    assert calls(sim_e2e)["POST"] == 3
    fleet = native_resources(project, SET)["fleet"]
    assert fleet["outputs"]["bindings"][N2] == f"{APPS[0]}/{SUB}"
    assert fleet["outputs"]["maxInFlight"] == 8

    assert project.gate().ok
    sim_e2e.edit_out_of_band(N3, app_id=APPS[2])
    drifted = project.gate()
    assert drifted.code != 0
    assert N3 in drifted.output, drifted.output  # the map's changed key, shown alone
    assert N1 not in drifted.output.split("Resources:")[0].split("fleet", 1)[-1], "only the drifted number"

    sim_e2e.clear_log()
    reconcile = project.up("--refresh", "--run-program")
    assert reconcile.ok, reconcile.output
    assert sim_e2e.number(N3)["app_id"] == APPS[1]
    assert calls(sim_e2e).get("POST") == 1
    assert project.gate().ok

    project.write_program(set_program({k: v for k, v in FLEET.items() if k != N2}))
    sim_e2e.clear_log()
    smaller = project.up()
    assert smaller.ok, smaller.output
    assert sim_e2e.number(N2) is not None and sim_e2e.number(N2)["app_id"] == APPS[0], "released as it is"
    assert calls(sim_e2e).get("DELETE", 0) == 0

    sim_e2e.clear_log()
    assert project.destroy().ok
    assert calls(sim_e2e) == {}
    assert all(sim_e2e.number(n) is not None for n in NUMBERS)


def test_set_bad_input_fails_preview_before_any_call(native_project, sim_e2e):
    project = native_project(set_program({N1: {"appId": "x1"}}, maxInFlight=0))
    preview = project.preview()
    assert preview.code != 0
    assert "maxInFlight" in preview.output or "appId" in preview.output
    assert calls(sim_e2e) == {}


def test_set_import_by_numbers(native_project, sim_e2e):
    sim_e2e.edit_out_of_band(N1, app_id=APPS[0])
    sim_e2e.edit_out_of_band(N2, app_id=APPS[1])
    project = native_project("import pulumi\n")
    imported = project.pulumi(
        "import",
        SET,
        "fleet",
        f"{N1},{N2}",
        "--yes",
        "--generate-code=false",
        "--stack",
        "dev",
        "--non-interactive",
    )
    assert imported.ok, imported.output
    assert calls(sim_e2e).get("POST", 0) == 0
    fleet = native_resources(project, SET)["fleet"]
    assert set(fleet["outputs"]["bindings"]) == {N1, N2}
    # The code that declares what was imported (both fields, as live) shows no change straight away.
    imported_code = {N1: {"appId": APPS[0], "subaccount": ""}, N2: {"appId": APPS[1], "subaccount": ""}}
    project.write_program(set_program(imported_code))
    gate = project.gate()
    assert gate.ok, gate.output
    up = project.up()
    assert up.ok, up.output
    assert calls(sim_e2e).get("POST", 0) == 0


APP_PROGRAM = """
import pulumi
import pulumi_plivo as plivo

app = plivo.Application("ivr", app_name="ivr-main", answer_url="{answer}")
plivo.RentedNumber("support", number="{n1}", app_id=app.app_id)
pulumi.export("app_id", app.app_id)
"""


def test_application_with_a_number_bound_to_it(native_project, sim_e2e):
    project = native_project(APP_PROGRAM.format(answer="https://voice.example.com/answer", n1=N1))
    preview = project.preview()
    assert preview.ok, preview.output
    assert calls(sim_e2e) == {}
    up = project.up()
    assert up.ok, up.output
    app = native_resources(project, APP)["ivr"]
    app_id = app["outputs"]["appId"]
    assert sim_e2e.application(app_id)["answer_url"] == "https://voice.example.com/answer"
    assert sim_e2e.number(N1)["app_id"] == app_id
    assert project.gate().ok

    sim_e2e.edit_application(app_id, answer_url="https://elsewhere.example.com/")
    drifted = project.gate()
    assert drifted.code != 0 and "answerUrl" in drifted.output
    assert project.up("--refresh", "--run-program").ok
    assert sim_e2e.application(app_id)["answer_url"] == "https://voice.example.com/answer"

    destroy = project.destroy()
    assert destroy.ok, destroy.output
    assert sim_e2e.application(app_id) is None, "the application it created is deleted"
    assert sim_e2e.number(N1) is not None, "the number stays rented"


def test_application_bad_input_and_import(native_project, sim_e2e):
    bad = native_project(
        'import pulumi_plivo as plivo\nplivo.Application("a", app_name="has space", '
        'answer_url="https://x.example.com/")\n'
    )
    preview = bad.preview()
    assert preview.code != 0 and "appName" in preview.output
    assert calls(sim_e2e) == {}

    live = sim_e2e.application(APPS[0])
    project = native_project("import pulumi\n")
    imported = project.pulumi(
        "import",
        APP,
        "adopted",
        APPS[0],
        "--yes",
        "--generate-code=false",
        "--stack",
        "dev",
        "--non-interactive",
    )
    assert imported.ok, imported.output
    state = native_resources(project, APP)["adopted"]
    assert state["outputs"]["appName"] == live["app_name"]
    assert state["outputs"]["adopted"] is True
    # `pulumi import` protects what it imports.
    unprotect = project.pulumi("state", "unprotect", "--all", "--yes", "--stack", "dev", "--non-interactive")
    assert unprotect.ok, unprotect.output
    sim_e2e.clear_log()
    destroy = project.destroy()
    assert destroy.ok, destroy.output
    assert sim_e2e.application(APPS[0]) is not None, "an adopted application is kept"
    assert calls(sim_e2e).get("DELETE", 0) == 0
