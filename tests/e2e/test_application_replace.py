"""`pulumi up --replace <urn>` of an `Application` (dynamic front-end) through the CLI against the
simulator. The engine (v3.274.1) creates the new half, which finds the old application by name, then
deletes the old half, and shows the provider nothing of the old half's state before that create
(Check gets no old inputs; no Diff, no Read). With `--refresh` the refresh reads the old half first:
the application the stack made stays its own (no second one, no DELETE, `adopted` false, destroy
deletes it), one that existed before the stack stays adopted (destroy keeps it). Without it the
create refuses, changing nothing, and names the fix; a replace run that fails on an API error, then
the rerun, ends as one that never failed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.accounts import MAIN, TOKEN
from tests.support.cli_project import CliProject, plivo_config

ANSWER = "https://voice.example.com/answer"
APP_PATH = f"/v1/Account/{MAIN}/Application/"
PROGRAM = (
    "import pulumi\n"
    "from plivo_pulumi import Application\n"
    'app = Application("ivr", app_name="{name}", answer_url="{answer}")\n'
    'pulumi.export("app_id", app.app_id)\n'
)


def program(name: str = "ivr-replace") -> str:
    return PROGRAM.format(name=name, answer=ANSWER)


@pytest.fixture
def make_project(tmp_path: Path, sim_e2e):
    count = 0

    def factory(source: str, **settings: str) -> CliProject:
        nonlocal count
        count += 1
        project = CliProject(tmp_path / f"p{count}", source)
        config = plivo_config(sim_e2e.base_url, MAIN, TOKEN)
        config.update({f"plivo:{key}": (value, False) for key, value in settings.items()})
        project.init(config)
        return project

    return factory


def named(sim: Any, app_name: str) -> list[dict[str, Any]]:
    return [a for a in sim.applications() if a["app_name"] == app_name]


def app_writes(sim: Any) -> list[tuple[str, str]]:
    """(method, path) of every write to an application since the log was cleared."""
    return [
        (r["method"], r["path"])
        for r in sim.requests_log()["requests"]
        if r["method"] != "GET" and "/Application/" in r["path"]
    ]


def replace(project: CliProject, *more: str) -> Any:
    urn = project.resources("Application")["ivr"]["urn"]
    return project.up("--replace", urn, *more)


def test_up_replace_keeps_the_created_application_the_stacks_own(make_project, sim_e2e):
    project = make_project(program())
    up = project.up()
    assert up.ok, up.output
    (app,) = named(sim_e2e, "ivr-replace")

    # Without a refresh the replacement cannot know whether the stack made it: refused, no change.
    sim_e2e.clear_log()
    refused = replace(project)
    assert refused.code != 0, refused.output
    assert "--refresh" in refused.output and app["app_id"] in refused.output, refused.output
    assert "Traceback" not in refused.output
    assert app_writes(sim_e2e) == [] and named(sim_e2e, "ivr-replace") == [app]
    assert project.resources("Application")["ivr"]["outputs"]["adopted"] is False

    sim_e2e.clear_log()
    replaced = replace(project, "--refresh")
    assert replaced.ok, replaced.output
    assert named(sim_e2e, "ivr-replace") == [app], "the same application, unchanged: no second one"
    assert app_writes(sim_e2e) == [], "no create, no DELETE: the old half's delete keeps it"
    state = project.resources("Application")["ivr"]
    assert state["id"] == app["app_id"]
    assert state["outputs"]["adopted"] is False, "still the stack's own"
    assert project.gate().ok

    destroyed = project.destroy()
    assert destroyed.ok, destroyed.output
    assert named(sim_e2e, "ivr-replace") == [], "the stack made it: destroy deletes it"


def test_up_replace_keeps_an_application_made_before_the_stack_adopted(make_project, sim_e2e):
    existing = "80000000000000000009"
    sim_e2e.add_application(existing, app_name="ivr-legacy", answer_url=ANSWER)
    project = make_project(program("ivr-legacy"))
    up = project.up()
    assert up.ok, up.output
    assert project.resources("Application")["ivr"]["outputs"]["adopted"] is True, "adopted by name"

    replaced = replace(project, "--refresh")
    assert replaced.ok, replaced.output
    assert project.resources("Application")["ivr"]["outputs"]["adopted"] is True, "still adopted"
    assert sim_e2e.application(existing) is not None

    destroyed = project.destroy()
    assert destroyed.ok, destroyed.output
    assert sim_e2e.application(existing) is not None, "it existed before the stack: destroy keeps it"
    assert "delete_adopted" in destroyed.output, destroyed.output


def test_a_failed_replace_then_the_rerun_keeps_it_the_stacks_own(make_project, sim_e2e):
    project = make_project(program("ivr-retry"), maxRetries="0")
    assert project.up().ok
    (app,) = named(sim_e2e, "ivr-retry")

    # The new half's look-up by name fails: the replace run fails, the old half stays in the state.
    sim_e2e.set_faults(script=["error:503"], script_match=f"GET {APP_PATH}")
    failed = replace(project, "--refresh")
    assert failed.code != 0, failed.output
    assert named(sim_e2e, "ivr-retry") == [app], "nothing made, nothing deleted"
    sim_e2e.clear_faults()

    sim_e2e.clear_log()
    rerun = replace(project, "--refresh")
    assert rerun.ok, rerun.output
    assert named(sim_e2e, "ivr-retry") == [app] and app_writes(sim_e2e) == []
    assert project.resources("Application")["ivr"]["outputs"]["adopted"] is False
    assert project.up().ok, "an ordinary run afterwards changes nothing"
    assert project.gate().ok

    destroyed = project.destroy()
    assert destroyed.ok, destroyed.output
    assert named(sim_e2e, "ivr-retry") == [], "still the stack's own: destroy deletes it"


def leave_original_pending_delete(project: CliProject) -> None:
    """The state a run killed between the replacement's create and the original's delete leaves:
    the original, marked `delete`, beside the replacement (`pulumi stack import` of that state)."""
    deployment = project.export()
    resources = deployment["resources"]
    index = next(i for i, r in enumerate(resources) if r["type"].endswith("Application"))
    resources.insert(index, {**resources[index], "delete": True})
    path = project.dir / "interrupted-state.json"
    path.write_text(json.dumps({"version": 3, "deployment": deployment}))
    done = project.pulumi("stack", "import", "--stack", project.stack, "--file", str(path))
    assert done.ok, done.output


def test_the_original_left_pending_by_a_killed_replace_keeps_the_application(make_project, sim_e2e):
    project = make_project(program("ivr-pending"))
    assert project.up().ok
    (app,) = named(sim_e2e, "ivr-pending")
    leave_original_pending_delete(project)

    sim_e2e.clear_log()
    finished = project.up()
    assert finished.ok, finished.output
    assert named(sim_e2e, "ivr-pending") == [app], "the replacement still declares it: kept"
    assert app_writes(sim_e2e) == []
    assert [r for r in project.export()["resources"] if r.get("delete")] == [], "the original is gone"
    assert project.gate().ok

    assert project.destroy().ok
    assert named(sim_e2e, "ivr-pending") == [], "still the stack's own: destroy deletes it"


def test_destroy_with_refresh_deletes_the_stacks_application(make_project, sim_e2e):
    """A refresh diffs the state's own inputs, not the code's: `destroy --refresh` and `up --refresh`
    of a program that dropped the application still delete the application the stack made."""
    project = make_project(program("ivr-refreshed"))
    assert project.up().ok
    destroyed = project.destroy("--refresh")
    assert destroyed.ok, destroyed.output
    assert named(sim_e2e, "ivr-refreshed") == [], destroyed.output

    dropped = make_project(program("ivr-dropped"))
    assert dropped.up().ok
    dropped.write_program("import pulumi\n")
    up = dropped.up("--refresh")
    assert up.ok, up.output
    assert named(sim_e2e, "ivr-dropped") == [], up.output
