"""A stack written by the code before the layout of engine/, core/fleet_file.py and simulator/models/
refreshes, updates and destroys with today's code, through the `pulumi` CLI, against the simulator.

The state (fixtures/old_layout/state.json, `pulumi stack export`) and its stack config were made at
dc15725, the last commit before the move, by `pulumi up` of fixtures/old_layout/program.py: the
program a user wrote against that layout, importing `plivo_pulumi.bindings`. Each dynamic resource
stores its provider as a pickle naming its module; the test reads which modules those are, so a move
of one of them fails here first.
"""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import dill
import yaml

from tests.support.accounts import APPS, MAIN, NUMBERS, SUB, e2e_seed
from tests.support.cli_project import CliProject

FIXTURE = Path(__file__).parent / "fixtures" / "old_layout"
OLD_APP = "20468599130939380"  # the Application the old `pulumi up` created
PROVIDER_MODULES = {
    "Application": "plivo_pulumi.dynamic.application",
    "RentedNumber": "plivo_pulumi.dynamic.rented_number",
    "RentedNumberSet": "plivo_pulumi.dynamic.rented_number_set",
}


def old_world() -> dict:
    """The simulator's account as the old `pulumi up` left it."""
    bound = [
        {"number": NUMBERS[0], "app_id": OLD_APP},
        {"number": NUMBERS[1], "app_id": APPS[1]},
        {"number": NUMBERS[2], "subaccount": SUB},
        {"number": NUMBERS[3], "app_id": APPS[0]},
        NUMBERS[4],
    ]
    seed = e2e_seed(bound)
    seed["applications"].append(
        {
            "app_id": OLD_APP,
            "account": MAIN,
            "app_name": "ivr-old-layout",
            "answer_url": "https://example.com/answer",
        }
    )
    return seed


def old_stack(tmp_path: Path, base_url: str) -> CliProject:
    """A project with the old program and the imported old state, its base URL this run's simulator."""
    project = CliProject(tmp_path, (FIXTURE / "program.py").read_text(), project="plivo-old-layout")
    config_text = (FIXTURE / "Pulumi.dev.yaml").read_text()
    old_url = yaml.safe_load(config_text)["config"]["plivo:baseUrl"]
    (project.dir / "Pulumi.dev.yaml").write_text(config_text.replace(old_url, base_url))
    state = tmp_path / "state.json"
    state.write_text((FIXTURE / "state.json").read_text().replace(old_url, base_url))
    created = project.pulumi("stack", "init", "dev", "--non-interactive")
    assert created.ok, created.output
    imported = project.pulumi("stack", "import", "--stack", "dev", "--file", str(state))
    assert imported.ok, imported.output
    return project


def test_the_old_state_names_only_modules_that_did_not_move() -> None:
    deployment = json.loads((FIXTURE / "state.json").read_text())["deployment"]
    named = {}
    for resource in deployment["resources"]:
        pickled = resource.get("outputs", {}).get("__provider")
        if pickled:
            provider = dill.loads(base64.b64decode(pickled))
            named[resource["type"].rsplit(":", 1)[-1]] = type(provider).__module__
    assert named == PROVIDER_MODULES


def test_an_old_layout_stack_refreshes_updates_and_destroys(tmp_path: Path, sim_e2e) -> None:
    assert shutil.which("pulumi"), "the Pulumi engine is not on PATH: run `make tools`"
    sim_e2e.reset(old_world())
    project = old_stack(tmp_path, sim_e2e.base_url)

    refresh = project.refresh()  # the engine loads each provider from its pickle: no program runs
    assert refresh.ok, refresh.output
    assert "5 unchanged" in refresh.output, refresh.output

    gate = project.gate()  # the old program, importing plivo_pulumi.bindings, declares the same
    assert gate.ok, gate.output

    program = (FIXTURE / "program.py").read_text()
    project.write_program(program.replace('FLEET_APP = "22222222222222"', f'FLEET_APP = "{APPS[2]}"'))
    up = project.up()
    assert up.ok, up.output
    assert "1 updated" in up.output, up.output
    assert sim_e2e.number(NUMBERS[1])["app_id"] == APPS[2]
    assert sim_e2e.number(NUMBERS[0])["app_id"] == OLD_APP

    destroy = project.destroy()
    assert destroy.ok, destroy.output
    assert sim_e2e.application(OLD_APP) is None, "destroy deletes the application the stack created"
    assert all(sim_e2e.number(n) is not None for n in NUMBERS), "numbers stay rented (unrent_on_delete off)"
    assert [r["type"] for r in project.export().get("resources", [])] == []
