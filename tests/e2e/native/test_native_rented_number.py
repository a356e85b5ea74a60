"""`plivo:index:RentedNumber` through the native plugin and the real engine, as a user runs it: the
lifecycle (adopt, gate, drift, reconcile, destroy keeping the numbers), bad input at preview with
zero API calls, imports (`pulumi import` and `import_`), a rename with an alias, one number declared
twice. What is checked: the simulator's numbers and request log, the exit code and plan, the state."""

from __future__ import annotations

import json
import re

import pytest

from tests.support.accounts import APPS, NUMBERS, SUB

N1, N2, N3 = NUMBERS[:3]
TYPE = "plivo:index:RentedNumber"


def calls(sim) -> dict[str, int]:
    return sim.requests_log()["by_method"]


def native_resources(project, type_token: str = TYPE) -> dict[str, dict]:
    return {
        r["urn"].rsplit("::", 1)[-1]: r
        for r in project.export().get("resources", [])
        if r["type"] == type_token
    }


def program(*declarations: str, header: str = "") -> str:
    """A program through the generated SDK, as users write it."""
    lines = ["import pulumi", "import pulumi_plivo as plivo", header, *declarations]
    return "\n".join(lines) + "\n"


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def number(name: str, args: dict, opts: str = "None") -> str:
    """`plivo.RentedNumber(name, ...)` with `args` in the schema's names (camelCase)."""
    keywords = ", ".join(f"{snake(key)}={value!r}" for key, value in args.items())
    return f"plivo.RentedNumber({name!r}, {keywords}, opts={opts})"


LIFECYCLE = program(
    number("support", {"number": "+1 (555) 000-0001", "appId": APPS[0]}),
    number("sales", {"number": N2, "appId": APPS[1], "subaccount": SUB}),
)


def test_lifecycle(native_project, sim_e2e):
    project = native_project(LIFECYCLE)
    preview = project.preview()
    assert preview.ok, preview.output
    assert "+ 3 to create" in preview.output  # the stack and two numbers
    assert calls(sim_e2e) == {}, "preview makes no API call"

    up = project.up()
    assert up.ok, up.output
    assert sim_e2e.number(N1)["app_id"] == APPS[0]
    assert (sim_e2e.number(N2)["app_id"], sim_e2e.number(N2)["subaccount"]) == (APPS[1], SUB)
    assert calls(sim_e2e) == {"GET": 2, "POST": 2}, "adopt: a GET per number, a POST where it differs"
    state = native_resources(project)
    assert state["support"]["id"] == N1
    assert state["support"]["outputs"]["appId"] == APPS[0]
    assert state["support"]["inputs"]["number"] == N1, "inputs in the schema's names, normalized"

    sim_e2e.clear_log()
    gate = project.gate()
    assert gate.ok, gate.output
    assert calls(sim_e2e) == {"GET": 2}

    sim_e2e.edit_out_of_band(N1, app_id=APPS[2])
    drifted = project.gate()
    assert drifted.code != 0, "the gate fails on a binding changed by hand"
    assert "support" in drifted.output and "appId" in drifted.output
    assert APPS[2] in drifted.output and "__declared" not in drifted.output

    sim_e2e.clear_log()
    reconcile = project.up("--refresh", "--run-program")
    assert reconcile.ok, reconcile.output
    assert sim_e2e.number(N1)["app_id"] == APPS[0]
    assert calls(sim_e2e).get("POST") == 1, "only the drifted number is written"
    assert project.gate().ok

    sim_e2e.clear_log()
    destroy = project.destroy()
    assert destroy.ok, destroy.output
    assert sim_e2e.number(N1)["app_id"] == APPS[0] and sim_e2e.number(N2)["subaccount"] == SUB
    assert calls(sim_e2e) == {}, "destroy without unrentOnDelete makes no API call"
    assert native_resources(project) == {}


@pytest.mark.parametrize(
    ("args", "prop"),
    [
        ({"number": "12ab"}, "number"),
        ({"number": N2, "appId": "not-an-id"}, "appId"),
        ({"number": N3, "subaccount": "SA1"}, "subaccount"),
    ],
)
def test_bad_input_fails_preview_before_any_call(native_project, sim_e2e, args, prop):
    project = native_project(program(number("bad", args)))
    preview = project.preview()
    assert preview.code != 0
    assert f"property {prop} value" in preview.output, preview.output
    assert "Traceback" not in preview.output
    assert calls(sim_e2e) == {}
    assert project.up().code != 0
    assert calls(sim_e2e) == {}


def test_one_number_declared_twice_fails_at_check_naming_both(native_project, sim_e2e):
    project = native_project(
        program(number("first", {"number": N1, "appId": APPS[0]}), number("second", {"number": f"+{N1}"}))
    )
    preview = project.preview()
    assert preview.code != 0
    assert "'first'" in preview.output and "'second'" in preview.output
    assert calls(sim_e2e) == {}


def test_cli_import_then_code_that_matches(native_project, sim_e2e):
    sim_e2e.edit_out_of_band(N1, app_id=APPS[1])
    project = native_project(program())
    imported = project.pulumi(
        "import", TYPE, "support", N1, "--yes", "--generate-code=false", "--stack", "dev", "--non-interactive"
    )
    assert imported.ok, imported.output
    assert calls(sim_e2e).get("POST", 0) == 0
    state = native_resources(project)
    assert state["support"]["outputs"]["appId"] == APPS[1]

    # What `pulumi import` declares (a YAML project prints it): both fields as they are live.
    project.write_program(program(number("support", {"number": N1, "appId": APPS[1], "subaccount": ""})))
    gate = project.gate()  # straight after the import: the code that matches shows no change
    assert gate.ok, gate.output
    sim_e2e.clear_log()
    up = project.up()
    assert up.ok, up.output
    assert calls(sim_e2e).get("POST", 0) == 0, "adoption never writes"
    assert project.gate().ok
    project.write_program(program(number("support", {"number": N1, "appId": APPS[2]})))
    changed = project.up()
    assert changed.ok, changed.output
    assert sim_e2e.number(N1)["app_id"] == APPS[2], "once adopted, a change of the code is written"


def test_cli_import_then_code_that_changes_the_binding_is_an_update(native_project, sim_e2e):
    """`pulumi import` finished the adoption: the next run's code change is written, not refused
    as an import that would have to write."""
    sim_e2e.edit_out_of_band(N1, app_id=APPS[1])
    project = native_project(program())
    imported = project.pulumi(
        "import", TYPE, "support", N1, "--yes", "--generate-code=false", "--stack", "dev", "--non-interactive"
    )
    assert imported.ok, imported.output
    project.write_program(program(number("support", {"number": N1, "appId": APPS[2]})))
    up = project.up()
    assert up.ok, up.output
    assert sim_e2e.number(N1)["app_id"] == APPS[2]
    assert project.gate().ok


def test_import_option_adopts_without_writing_and_refuses_differing_code(native_project, sim_e2e):
    sim_e2e.edit_out_of_band(N1, app_id=APPS[1])
    opts = f"pulumi.ResourceOptions(import_={N1!r})"
    project = native_project(program(number("support", {"number": N1, "appId": APPS[0]}, opts)))
    preview = project.preview()
    assert preview.code != 0, "refused at preview already"
    assert "without a write" in preview.output and "appId" in preview.output
    assert calls(sim_e2e) == {"GET": 1}, "the import's read, nothing else"
    assert project.preview().code != 0, "a preview commits nothing: the next one imports and refuses again"
    up = project.up()
    assert up.code != 0
    assert "app_id" in up.output and APPS[1] in up.output and APPS[0] in up.output
    assert calls(sim_e2e).get("POST", 0) == 0, "adoption never writes"
    assert sim_e2e.number(N1)["app_id"] == APPS[1]
    # The refused `up` left the import in the state (the engine commits an import before it checks
    # the code), so the engine imports no more; tests/e2e/native/test_native_parents_and_import.py
    # shows the next `up` applying the code's bindings once `import_` is dropped.

    project.write_program(program(number("support", {"number": N1, "appId": APPS[1]}, opts)))
    up = project.up()
    assert up.ok, up.output
    assert calls(sim_e2e).get("POST", 0) == 0
    assert project.gate().ok
    project.write_program(program(number("support", {"number": N1, "appId": APPS[2]}, opts)))
    assert project.up().ok
    assert sim_e2e.number(N1)["app_id"] == APPS[2]


def test_rename_with_alias_moves_no_number(native_project, sim_e2e):
    project = native_project(program(number("old-name", {"number": N1, "appId": APPS[0]})))
    assert project.up().ok
    opts = 'pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old-name")])'
    project.write_program(program(number("new-name", {"number": N1, "appId": APPS[0]}, opts)))
    sim_e2e.clear_log()
    up = project.up()
    assert up.ok, up.output
    assert calls(sim_e2e).get("POST", 0) == 0 and calls(sim_e2e).get("DELETE", 0) == 0
    assert set(native_resources(project)) == {"new-name"}
    assert sim_e2e.number(N1)["app_id"] == APPS[0]


def test_a_secret_app_id_stays_secret(native_project, sim_e2e):
    project = native_project(
        program(
            number("support", {"number": N1, "appId": "SECRET"}).replace(
                "'SECRET'", f"pulumi.Output.secret({APPS[0]!r})"
            ),
        )
    )
    up = project.up()
    assert up.ok, up.output
    exported = json.dumps(project.export())
    outputs = native_resources(project)["support"]["outputs"]
    assert "ciphertext" in json.dumps(outputs["appId"])
    assert "ciphertext" in json.dumps(outputs.get("application")), "the URI carries the app id"
    assert APPS[0] not in exported


def test_ignore_changes_keeps_the_live_value_and_the_gate_passes(native_project, sim_e2e):
    opts = 'pulumi.ResourceOptions(ignore_changes=["appId"])'
    project = native_project(program(number("support", {"number": N1, "appId": APPS[0]}, opts)))
    assert project.up().ok
    sim_e2e.edit_out_of_band(N1, app_id=APPS[1])
    gate = project.gate()
    assert gate.ok, gate.output
    sim_e2e.clear_log()
    assert project.up("--refresh", "--run-program").ok
    assert calls(sim_e2e).get("POST", 0) == 0
    assert sim_e2e.number(N1)["app_id"] == APPS[1], "an ignored field is left as it is"
