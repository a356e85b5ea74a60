"""Issue #29, items 3, 4, 7 and 8, through the real `pulumi` CLI, the native plugin and the simulator:

* parented resources (a Python ComponentResource's children, a YAML `options: parent`, a move into a
  component with an alias) are served by their own type token;
* no import leaves a stack stuck (a refused `import_` then dropped, a set imported with `pulumi
  import` then changed, `pulumi import` printing the Python declaration);
* what users see (no internal keys in `preview --diff`, no Python traceback for a malformed import id,
  a 401 under an explicit provider naming its inputs, long failure lists capped);
* bad input refused naming the number (a YAML set entry that is `null`, a Python set keyed by an int).

What is checked: the simulator's numbers and request log, the engine's exit code and output, the state.
"""

from __future__ import annotations

import textwrap

from tests.e2e import test_yaml
from tests.e2e.native.test_native_rented_number import calls, native_resources, number, program
from tests.e2e.native.test_native_set_and_application import set_program
from tests.support.accounts import APPS, MAIN, NUMBERS, TOKEN, WRONG_CLI_TOKEN

N1, N2, N3, N4, N5 = NUMBERS
yaml_project = test_yaml.yaml_project  # the YAML tests' fixture (a `runtime: yaml` project)
NUMBER = "plivo:index:RentedNumber"
SET = "plivo:index:RentedNumberSet"
APP = "plivo:index:Application"


def fill(template: str, **values: str) -> str:
    """A program template with `@name@` placeholders filled in (the programs hold braces of their own)."""
    for name, value in values.items():
        template = template.replace(f"@{name}@", value)
    return template


TEAM = """
import pulumi
import pulumi_plivo as plivo


class Team(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("review:index:Team", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        app = plivo.Application(f"{name}-ivr", app_name=f"{name}-ivr",
                                answer_url="https://voice.example.com/answer", opts=child)
        plivo.RentedNumber(f"{name}-line", number="@n1@", app_id=app.app_id, opts=child)
        plivo.RentedNumberSet(f"{name}-fleet", bindings={
            "@n2@": plivo.RentedNumberSetBindingArgs(app_id="@app@"),
            "@n3@": plivo.RentedNumberSetBindingArgs(app_id="@app@"),
        }, opts=child)
        # A number parented to a plain resource (`parent=app`), not a component.
        plivo.RentedNumber(f"{name}-desk", number="@n4@", app_id="@app@",
                           opts=pulumi.ResourceOptions(parent=app))
        self.register_outputs({})


Team("review")
"""
TEAM = fill(TEAM, n1=N1, n2=N2, n3=N3, n4=N4, app=APPS[0])


def by_name(project) -> dict[str, dict]:
    return {r["urn"].rsplit("::", 1)[-1]: r for r in project.export().get("resources", [])}


def test_children_of_a_component_are_managed(native_project, sim_e2e):
    """Was: "the plivo provider ... has no resource type review:index:Team$plivo:index:RentedNumber"."""
    project = native_project(TEAM)
    preview = project.preview()
    assert preview.ok, preview.output
    assert "has no resource type" not in preview.output
    up = project.up()
    assert up.ok, up.output
    state = by_name(project)
    app_id = state["review-ivr"]["outputs"]["appId"]
    assert sim_e2e.number(N1)["app_id"] == app_id
    assert sim_e2e.number(N2)["app_id"] == APPS[0] and sim_e2e.number(N3)["app_id"] == APPS[0]
    assert sim_e2e.number(N4)["app_id"] == APPS[0]
    assert "review:index:Team$plivo:index:RentedNumber" in state["review-line"]["urn"]
    assert "plivo:index:Application$plivo:index:RentedNumber" in state["review-desk"]["urn"]
    gate = project.gate()
    assert gate.ok, gate.output

    sim_e2e.clear_log()
    destroy = project.destroy()
    assert destroy.ok, destroy.output
    assert sim_e2e.application(app_id) is None, "the application the stack created is deleted"
    assert all(sim_e2e.number(n) is not None for n in (N1, N2, N3, N4)), "numbers stay rented"
    assert calls(sim_e2e).get("DELETE") == 1 and calls(sim_e2e).get("POST", 0) <= 1, "unlink + delete app"


def test_a_number_declared_twice_under_two_components_fails_naming_both(native_project, sim_e2e):
    source = textwrap.dedent(
        f"""
        import pulumi
        import pulumi_plivo as plivo

        class Team(pulumi.ComponentResource):
            def __init__(self, kind, name):
                super().__init__(kind, name, None, None)
                plivo.RentedNumber("line", number="{N1}", opts=pulumi.ResourceOptions(parent=self))

        Team("review:index:Team", "a")
        Team("review:index:Desk", "b")
        """
    )
    project = native_project(source)
    preview = project.preview()
    assert preview.code != 0
    assert "declared twice" in preview.output, preview.output
    assert "review:index:Team" in preview.output and "review:index:Desk" in preview.output
    assert calls(sim_e2e) == {}


MOVED = """
import pulumi
import pulumi_plivo as plivo


class Team(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__("review:index:Team", name, None, None)
        moved = pulumi.ResourceOptions(parent=self, aliases=[pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)])
        plivo.RentedNumber("support", number="@n1@", app_id="@app@", opts=moved)
        binding = plivo.RentedNumberSetBindingArgs(app_id="@app@")
        plivo.RentedNumberSet("fleet", bindings={"@n2@": binding}, opts=moved)
        self.register_outputs({})


Team("review")
"""
MOVED = fill(MOVED, n1=N1, n2=N2, app=APPS[0])


def test_a_move_into_a_component_with_an_alias_replaces_nothing_and_writes_nothing(native_project, sim_e2e):
    project = native_project(
        program(number("support", {"number": N1, "appId": APPS[0]}))
        + f"binding = plivo.RentedNumberSetBindingArgs(app_id={APPS[0]!r})\n"
        + f"plivo.RentedNumberSet('fleet', bindings={{{N2!r}: binding}})\n"
    )
    first = project.up()
    assert first.ok, first.output
    project.write_program(MOVED)
    preview = project.preview("--diff")
    assert preview.ok, preview.output
    assert "replace" not in preview.output.split("Resources:")[-1], preview.output
    sim_e2e.clear_log()
    up = project.up()
    assert up.ok, up.output
    assert calls(sim_e2e).get("POST", 0) == 0 and calls(sim_e2e).get("DELETE", 0) == 0, calls(sim_e2e)
    state = by_name(project)
    assert "review:index:Team$plivo:index:RentedNumber" in state["support"]["urn"]
    assert "review:index:Team$plivo:index:RentedNumberSet" in state["fleet"]["urn"]
    assert sim_e2e.number(N1)["app_id"] == APPS[0] and sim_e2e.number(N2)["app_id"] == APPS[0]
    assert project.gate().ok


# -- item 4: import never leaves a stack stuck ------------------------------------------------


def test_a_refused_import_option_then_dropped_writes_the_code_with_one_post(native_project, sim_e2e):
    sim_e2e.edit_out_of_band(N1, app_id=APPS[1])
    opts = f"pulumi.ResourceOptions(import_={N1!r})"
    project = native_project(program(number("support", {"number": N1, "appId": APPS[0]}, opts)))
    refused = project.up()
    assert refused.code != 0, refused.output
    assert "drop `import_`" in refused.output, refused.output
    assert calls(sim_e2e).get("POST", 0) == 0

    # As the message advises: drop `import_` (a refresh that runs the program changes nothing here).
    project.write_program(program(number("support", {"number": N1, "appId": APPS[0]})))
    assert project.refresh("--run-program").ok
    sim_e2e.clear_log()
    up = project.up()
    assert up.ok, up.output
    assert calls(sim_e2e).get("POST") == 1, calls(sim_e2e)
    assert sim_e2e.number(N1)["app_id"] == APPS[0]
    state = native_resources(project)["support"]
    assert "import_id" not in state["inputs"], state["inputs"]
    assert project.gate().ok


def test_a_set_imported_by_the_cli_then_changed_is_an_update(native_project, sim_e2e):
    """Was: refused with advice about an `import_` the user never wrote; the state kept `import_id`."""
    sim_e2e.edit_out_of_band(N1, app_id=APPS[0])
    sim_e2e.edit_out_of_band(N2, app_id=APPS[1])
    project = native_project("import pulumi\n")
    out = project.dir / "imported.py"
    imported = project.pulumi(
        "import", SET, "fleet", f"{N1},{N2}", "--yes", "--out", str(out),
        "--stack", "dev", "--non-interactive",
    )  # fmt: skip
    assert imported.ok, imported.output
    assert "failed to validate" not in imported.output, imported.output
    assert "import_id" not in native_resources(project, SET)["fleet"]["inputs"]
    code = out.read_text()
    assert N1 in code and APPS[0] in code and N2 in code and APPS[1] in code, code
    project.write_program("import pulumi\n" + code.replace("protect=True", "protect=False"))
    gate = project.gate()  # the printed code, pasted, shows no change
    assert gate.ok, gate.output

    project.write_program(set_program({N1: {"appId": APPS[2]}, N2: {"appId": APPS[1]}}))
    sim_e2e.clear_log()
    up = project.up()
    assert up.ok, up.output
    assert "import_" not in up.output
    assert calls(sim_e2e).get("POST") == 1, calls(sim_e2e)
    assert sim_e2e.number(N1)["app_id"] == APPS[2] and sim_e2e.number(N2)["app_id"] == APPS[1]
    assert "import_id" not in native_resources(project, SET)["fleet"]["inputs"]
    assert project.gate().ok


def test_cli_import_prints_the_python_declaration_and_exits_0(native_project, sim_e2e):
    """Was: rc 1, "GenerateProgram not implemented", although the import itself had succeeded."""
    sim_e2e.edit_out_of_band(N1, app_id=APPS[1])
    project = native_project("import pulumi\n")
    out = project.dir / "imported.py"
    imported = project.pulumi(
        "import", NUMBER, "support", N1, "--yes", "--out", str(out), "--stack", "dev", "--non-interactive",
    )  # fmt: skip
    assert imported.ok, imported.output
    assert "not implemented" not in imported.output
    code = out.read_text()
    assert "import pulumi_plivo as plivo" in code, code
    assert 'plivo.RentedNumber("support"' in code and f'number="{N1}"' in code, code
    assert f'app_id="{APPS[1]}"' in code, code
    assert calls(sim_e2e).get("POST", 0) == 0
    # Pasted under the program, it shows no change and keeps the binding.
    project.write_program("import pulumi\n" + code)
    gate = project.gate()
    assert gate.ok, gate.output


# -- item 7: what users see --------------------------------------------------------------------


def test_preview_diff_shows_no_internal_keys(native_project, sim_e2e):
    project = native_project(program(number("support", {"number": N1, "appId": APPS[0]})))
    assert project.up().ok
    project.write_program(program(number("support", {"number": N1, "appId": APPS[1]})))
    preview = project.preview("--diff")
    assert preview.ok, preview.output
    assert "appId" in preview.output and APPS[1] in preview.output, preview.output
    assert "__declared" not in preview.output and "import_id" not in preview.output, preview.output

    sim_e2e.edit_out_of_band(N2, app_id=APPS[1])
    opts = f"pulumi.ResourceOptions(import_={N2!r})"
    imported = native_project(program(number("adopted", {"number": N2, "appId": APPS[1]}, opts)))
    assert imported.up().ok
    imported.write_program(program(number("adopted", {"number": N2, "appId": APPS[2]})))
    preview = imported.preview("--diff")
    assert preview.ok, preview.output
    assert "__declared" not in preview.output and "import_id" not in preview.output, preview.output


def test_a_malformed_import_id_is_refused_without_a_traceback(native_project, sim_e2e):
    project = native_project("import pulumi\n")
    for type_token, bad_id in ((NUMBER, "12ab"), (SET, "15550000001,xyz"), (APP, "not an id")):
        imported = project.pulumi(
            "import", type_token, "bad", bad_id, "--yes", "--generate-code=false",
            "--stack", "dev", "--non-interactive",
        )  # fmt: skip
        assert imported.code != 0, imported.output
        assert "Traceback" not in imported.output and "Unexpected <class" not in imported.output, (
            imported.output
        )
        assert bad_id in imported.output, imported.output
    assert calls(sim_e2e).get("POST", 0) == 0 and calls(sim_e2e).get("DELETE", 0) == 0


EXPLICIT = """
import pulumi
import pulumi_plivo as plivo

token = pulumi.Config().require_secret("teamToken")
team = plivo.Provider("team", auth_id="@main@", auth_token=token,
                      base_url=pulumi.Config("plivo").require("baseUrl"))
plivo.RentedNumber("support", number="@n1@", app_id="@app@", opts=pulumi.ResourceOptions(provider=team))
"""
EXPLICIT = fill(EXPLICIT, main=MAIN, n1=N1, app=APPS[0])


def test_a_401_under_an_explicit_provider_names_its_inputs(native_project, sim_e2e):
    project = native_project(EXPLICIT)
    project.config_set("teamToken", WRONG_CLI_TOKEN, secret=True)
    up = project.up()
    assert up.code != 0
    assert "401" in up.output, up.output
    assert "plivo.Provider 'team'" in up.output and "authToken" in up.output, up.output
    assert "plivo:authToken" not in up.output, up.output

    project.config_set("teamToken", TOKEN, secret=True)
    assert project.up().ok
    project.config_set("teamToken", WRONG_CLI_TOKEN, secret=True)
    refresh = project.refresh("--run-program")
    assert refresh.code != 0
    assert "plivo.Provider 'team'" in refresh.output and "plivo:authToken" not in refresh.output, (
        refresh.output
    )


def test_three_thousand_bad_entries_print_a_capped_list(native_project, sim_e2e):
    bindings = {f"1555{i:07d}": {"appId": "bad"} for i in range(3000)}
    project = native_project(set_program(bindings))
    preview = project.preview()
    assert preview.code != 0
    assert "and 2980 more" in preview.output, preview.output[-3000:]
    assert len(preview.output.splitlines()) < 100, len(preview.output.splitlines())
    assert calls(sim_e2e) == {}


# -- item 8: bad input refused, naming the number ----------------------------------------------


def test_a_set_keyed_by_an_int_fails_in_the_program_before_any_call(native_project, sim_e2e):
    """Not the provider's to refuse: Pulumi's Python SDK fails to serialize a mapping keyed by an int
    (a TypeError in its protobuf step, inside the program) before any request reaches the engine or
    the plugin. The generated SDK types `bindings` as `Mapping[str, ...]`, so a type checker flags it;
    docs/native-provider.md says to quote the numbers. What a user sees: the run fails, with no API
    call and nothing in the state."""
    source = (
        "import pulumi_plivo as plivo\n"
        f"binding = plivo.RentedNumberSetBindingArgs(app_id={APPS[0]!r})\n"
        f"plivo.RentedNumberSet('fleet', bindings={{{N1}: binding}})\n"
    )
    project = native_project(source)
    up = project.up()
    assert up.code != 0
    assert "TypeError" in up.output, up.output
    assert calls(sim_e2e) == {}
    assert native_resources(project, SET) == {}
    assert sim_e2e.number(N1)["app_id"] in ("", None)


# -- YAML: `options: parent`, a set entry that is null -----------------------------------------


def test_yaml_resources_with_a_parent(yaml_project, sim_e2e):
    project = yaml_project(
        f"""
        resources:
          ivr:
            type: plivo:Application
            properties:
              appName: yaml-parent-ivr
              answerUrl: https://voice.example.com/answer
          line:
            type: plivo:RentedNumber
            properties:
              number: "{N1}"
              appId: ${{ivr.appId}}
            options:
              parent: ${{ivr}}
          fleet:
            type: plivo:RentedNumberSet
            properties:
              bindings:
                "{N2}":
                  appId: "{APPS[0]}"
            options:
              parent: ${{ivr}}
        """
    )
    up = project.up()
    assert up.ok, up.output
    state = by_name(project)
    app_id = state["ivr"]["outputs"]["appId"]
    assert "plivo:index:Application$plivo:index:RentedNumber" in state["line"]["urn"]
    assert sim_e2e.number(N1)["app_id"] == app_id and sim_e2e.number(N2)["app_id"] == APPS[0]
    gate = project.gate()
    assert gate.ok, gate.output


def test_yaml_set_entry_that_is_null_is_refused_naming_the_number(yaml_project, sim_e2e):
    project = yaml_project(
        f"""
        resources:
          fleet:
            type: plivo:RentedNumberSet
            properties:
              bindings:
                "{N1}": null
                "{N2}":
                  appId: "{APPS[0]}"
        """
    )
    preview = project.preview()
    assert preview.code != 0, preview.output
    assert N1 in preview.output and "null" in preview.output, preview.output
    up = project.up()
    assert up.code != 0
    assert calls(sim_e2e) == {}
    assert native_resources(project, SET) == {}
