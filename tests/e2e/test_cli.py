"""The `pulumi` CLI in project folders, as users and deploy pipelines run it, against the simulator.

Each project names its virtualenv in Pulumi.yaml and runs with no virtualenv on PATH; config is set
with `pulumi config set [--secret]`. These tests check what a user checks: the exit code, what the
CLI printed, the simulator's numbers and request log, and the state (`pulumi stack export`).
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest
import yaml

from tests.support.accounts import APPS, MAIN, NUMBERS, ROTATED_TOKEN, SUB, TOKEN, WRONG_CLI_TOKEN
from tests.support.cli_project import REPO, CliProject, plivo_config

N1, N2, N3 = NUMBERS[:3]
# Kept in plain text in Pulumi.dev.yaml on purpose (the user's mistake under test): not a token the
# simulator knows, and not one the secrets scan looks for.
PLAIN_TEXT_TOKEN = "plaintext-config-value-under-test"

LIFECYCLE = f"""
import sys
import pulumi
from plivo_pulumi import RentedNumber

support = RentedNumber("support", number="+1 (555) 000-0001", app_id="{APPS[0]}")
RentedNumber("sales", number="{N2}", app_id="{APPS[1]}", subaccount="{SUB}")
pulumi.export("support_app", support.app_id)
pulumi.export("python_prefix", sys.prefix)
"""


@pytest.fixture
def make_project(tmp_path: Path, sim_e2e):
    """make_project(program, virtualenv=..., token=..., secret=True): a project folder with a stack
    whose config (set through the CLI) points at the simulator."""
    count = 0

    def factory(
        program: str, *, virtualenv: str = "relative", token: str = TOKEN, secret: bool = True
    ) -> CliProject:
        nonlocal count
        count += 1
        project = CliProject(tmp_path / f"p{count}", program, virtualenv=virtualenv)
        project.init(plivo_config(sim_e2e.base_url, MAIN, token, secret=secret))
        return project

    return factory


def calls(sim_e2e) -> dict[str, int]:
    return sim_e2e.requests_log()["by_method"]


@pytest.mark.parametrize("virtualenv", ["relative", "absolute"])
def test_cli_lifecycle(make_project, sim_e2e, virtualenv):
    project = make_project(LIFECYCLE, virtualenv=virtualenv)

    preview = project.preview()
    assert preview.ok, preview.output
    assert "+ 3 to create" in preview.output
    assert calls(sim_e2e) == {}, "preview makes no API call"

    up = project.up()
    assert up.ok, up.output
    assert sim_e2e.number(N1)["app_id"] == APPS[0]
    assert (sim_e2e.number(N2)["app_id"], sim_e2e.number(N2)["subaccount"]) == (APPS[1], SUB)
    assert calls(sim_e2e) == {"GET": 2, "POST": 2}, (
        "adopt: one GET per number, one POST where a binding differs"
    )
    prefix = project.pulumi("stack", "output", "python_prefix", "--stack", "dev")
    assert Path(prefix.output.strip()).resolve() == Path(sys.prefix).resolve(), (
        "the program ran with the virtualenv of Pulumi.yaml"
    )
    state = project.resources()
    assert state["support"]["id"] == N1 and state["support"]["outputs"]["app_id"] == APPS[0]

    sim_e2e.clear_log()
    gate = project.gate()
    assert gate.ok, gate.output
    assert calls(sim_e2e) == {"GET": 2}

    sim_e2e.edit_out_of_band(N1, app_id=APPS[2])
    drifted = project.gate()
    assert drifted.code != 0, "the gate fails on a binding changed by hand"
    assert "support" in drifted.output and "app_id" in drifted.output

    sim_e2e.clear_log()
    reconcile = project.up("--refresh", "--run-program")
    assert reconcile.ok, reconcile.output
    assert sim_e2e.number(N1)["app_id"] == APPS[0]
    assert calls(sim_e2e).get("POST") == 1, "only the drifted number is written"
    assert project.gate().ok

    assert project.refresh().ok

    sim_e2e.clear_log()
    destroy = project.destroy()
    assert destroy.ok, destroy.output
    assert sim_e2e.number(N1)["app_id"] == APPS[0] and sim_e2e.number(N2)["subaccount"] == SUB, (
        "numbers kept, bound"
    )
    assert calls(sim_e2e) == {}, "destroy without unrent_on_delete makes no API call"
    assert project.resources() == {}


@pytest.mark.parametrize(
    ("declaration", "prop", "says"),
    [
        ('number="12ab"', "number", "number"),
        (f'number="{N2}", app_id="not-an-id"', "app_id", "not numeric"),
        (f'number="{N3}", subaccount="SA1"', "subaccount", "SA"),
    ],
)
def test_cli_bad_input_fails_preview_before_any_call(make_project, sim_e2e, declaration, prop, says):
    project = make_project(f"from plivo_pulumi import RentedNumber\nRentedNumber('bad', {declaration})\n")
    preview = project.preview()
    assert preview.code != 0
    assert "resource 'bad'" in preview.output and f"property {prop}" in preview.output, preview.output
    assert says in preview.output
    assert calls(sim_e2e) == {}


def test_cli_import_adopts_without_writing(make_project, sim_e2e):
    sim_e2e.edit_out_of_band(N3, app_id=APPS[2])
    project = make_project(
        f"""
        import pulumi
        from plivo_pulumi import RentedNumber
        RentedNumber("imported", number="{N3}", app_id="{APPS[2]}",
                     opts=pulumi.ResourceOptions(import_="{N3}"))
        """
    )
    up = project.up()
    assert up.ok, up.output
    assert calls(sim_e2e) == {"GET": 1}, "import writes nothing"
    assert project.resources()["imported"]["id"] == N3

    mismatch = make_project(
        f"""
        import pulumi
        from plivo_pulumi import RentedNumber
        RentedNumber("imported", number="{N1}", app_id="{APPS[0]}",
                     opts=pulumi.ResourceOptions(import_="{N1}"))
        """
    )
    sim_e2e.clear_log()
    failed = mismatch.up()
    assert failed.code != 0 and "cannot import number" in failed.output
    assert "POST" not in calls(sim_e2e) and sim_e2e.number(N1)["app_id"] is None


def test_cli_rename_and_destroy_unrent_only_when_opted_in(make_project, sim_e2e):
    program = """
        from plivo_pulumi import RentedNumber
        RentedNumber("{name}", number="{n1}", app_id="{app}", unrent_on_delete=True)
        RentedNumber("kept", number="{n2}", app_id="{app}")
        """
    project = make_project(program.format(name="line", n1=N1, n2=N2, app=APPS[0]))
    assert project.up().ok

    # A rename without an alias creates the new resource and deletes the old one: the number that
    # the new one adopted in the same run is never unrented, even with unrent_on_delete.
    project.write_program(program.format(name="line-renamed", n1=N1, n2=N2, app=APPS[0]))
    sim_e2e.clear_log()
    renamed = project.up()
    assert renamed.ok, renamed.output
    assert sim_e2e.number(N1) is not None and "DELETE" not in calls(sim_e2e)
    assert set(project.resources()) == {"line-renamed", "kept"}

    sim_e2e.clear_log()
    assert project.destroy().ok
    assert sim_e2e.number(N1) is None, "unrent_on_delete=True unrents on destroy"
    assert sim_e2e.number(N2)["app_id"] == APPS[0], "the default keeps the number rented and bound"
    assert calls(sim_e2e) == {"DELETE": 1}


def test_cli_token_rotation_goes_through_the_recipe(make_project, sim_e2e):
    project = make_project(LIFECYCLE)
    assert project.up().ok

    sim_e2e.rotate_token(MAIN, ROTATED_TOKEN)  # the old token is revoked
    project.config_set("plivo:authToken", ROTATED_TOKEN, secret=True)

    stale = project.refresh()
    assert stale.code != 0, "a plain refresh reads with the config saved at the last deployment"
    assert "did not run the program" in stale.output and "--run-program" in stale.output
    assert "pulumi refresh" in stale.output

    gate = project.gate()
    assert gate.ok, gate.output

    sim_e2e.edit_out_of_band(N1, app_id=APPS[2])
    assert project.gate().code != 0
    reconcile = project.up("--refresh", "--run-program")
    assert reconcile.ok, reconcile.output
    assert sim_e2e.number(N1)["app_id"] == APPS[0]

    # The run that ran the program saved the new config: plain commands work again.
    assert project.refresh().ok
    assert project.destroy().ok
    assert sim_e2e.number(N1)["app_id"] == APPS[0]


def test_cli_gate_fails_naming_the_token_when_config_holds_a_wrong_one(make_project, sim_e2e):
    project = make_project(LIFECYCLE)
    assert project.up().ok
    project.config_set("plivo:authToken", WRONG_CLI_TOKEN, secret=True)
    sim_e2e.clear_log()
    gate = project.gate()
    assert gate.code != 0
    assert "plivo:authToken" in gate.output and "401" in gate.output
    assert "current config" in gate.output
    assert "POST" not in calls(sim_e2e)


def test_cli_plain_text_token_is_refused_at_preview(make_project, sim_e2e):
    project = make_project(LIFECYCLE, token=PLAIN_TEXT_TOKEN, secret=False)
    preview = project.preview()
    assert preview.code != 0
    assert "pulumi config set --secret plivo:authToken" in preview.output
    assert PLAIN_TEXT_TOKEN not in preview.output
    assert calls(sim_e2e) == {}
    assert project.up().code != 0 and calls(sim_e2e) == {}


def test_cli_repository_root_demo_project(tmp_path, sim_e2e):
    """`pulumi up` in the repository root (the demo project of Pulumi.yaml) against the simulator."""
    assert (REPO / ".venv" / "bin" / "python").exists(), "the demo project's virtualenv is .venv (make venv)"
    fleet = REPO / "examples" / "fleet"
    seed = yaml.safe_load((fleet / "seed.yaml").read_text())
    sim_e2e.reset(seed)
    account = seed["accounts"][0]
    bindings = yaml.safe_load((fleet / "bindings.yaml").read_text())
    stack = f"e2e-{uuid.uuid4().hex[:8]}"
    project = CliProject(tmp_path, "", stack=stack, project_dir=REPO)
    try:
        project.init(plivo_config(sim_e2e.base_url, account["auth_id"], account["auth_token"]))
        up = project.up()
        assert up.ok, up.output
        numbers = project.resources()
        assert len(numbers) == len(bindings["numbers"])
        some = bindings["numbers"][0]
        number = "".join(c for c in str(some["number"]) if c.isdigit())
        expected_app = some.get("app_id", bindings["defaults"].get("app_id"))
        assert sim_e2e.number(number)["app_id"] == expected_app
        gate = project.gate()
        assert gate.ok, gate.output
        assert project.destroy().ok
        assert sim_e2e.number(number)["app_id"] == expected_app
    finally:
        project.remove_stack()
