"""`pulumi up --replace <urn>` of a `plivo:index:Application` through the native plugin and the real
engine, against the simulator (docs/design.md, "Applications"). The engine shows the provider
nothing of the old half's state before the replacement's create, so the plugin marks every
Application `refreshBeforeUpdate`: the engine reads it at the start of each run, plain `up --replace`
included, and an application the stack made stays its own (no second one, no DELETE, `adopted`
false, destroy deletes it) while one that existed before the stack stays adopted (destroy keeps it).
A state written before that mark (simulated by clearing it) is refused without `--refresh`, changing
nothing. A replace run that fails on an API error, then the rerun, ends as one that never failed.
With a number bound to the application's `appId`, nothing is unlinked."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.native.test_native_rented_number import native_resources, program
from tests.support.accounts import MAIN, NUMBERS

APP = "plivo:index:Application"
ANSWER = "https://voice.example.com/answer"
APP_PATH = f"/v1/Account/{MAIN}/Application/"
N1 = NUMBERS[0]


def app_program(app_name: str, *, bound: bool = False) -> str:
    declarations = [f"app = plivo.Application('ivr', app_name={app_name!r}, answer_url={ANSWER!r})"]
    if bound:
        declarations.append(f"plivo.RentedNumber('support', number={N1!r}, app_id=app.app_id)")
    return program(*declarations)


def named(sim: Any, app_name: str) -> list[dict[str, Any]]:
    return [a for a in sim.applications() if a["app_name"] == app_name]


def app_writes(sim: Any) -> list[tuple[str, str]]:
    """(method, path) of every write since the log was cleared."""
    return [(r["method"], r["path"]) for r in sim.requests_log()["requests"] if r["method"] != "GET"]


def replace(project: Any, *more: str) -> Any:
    urn = native_resources(project, APP)["ivr"]["urn"]
    return project.up("--replace", urn, *more)


def test_native_up_replace_keeps_the_created_application_the_stacks_own(native_project, sim_e2e):
    project = native_project(app_program("ivr-native", bound=True))
    up = project.up()
    assert up.ok, up.output
    (app,) = named(sim_e2e, "ivr-native")
    assert sim_e2e.number(N1)["app_id"] == app["app_id"]

    state = native_resources(project, APP)["ivr"]
    assert state.get("refreshBeforeUpdate") is True, state

    sim_e2e.clear_log()
    replaced = replace(project)
    assert replaced.ok, replaced.output
    assert named(sim_e2e, "ivr-native") == [app], "the same application, unchanged: no second one"
    assert app_writes(sim_e2e) == [], "no create, no DELETE, no unlink"
    assert sim_e2e.number(N1)["app_id"] == app["app_id"]
    state = native_resources(project, APP)["ivr"]
    assert state["id"] == app["app_id"] and state["outputs"]["adopted"] is False
    assert project.gate().ok

    destroyed = project.destroy()
    assert destroyed.ok, destroyed.output
    assert named(sim_e2e, "ivr-native") == [], destroyed.output


def test_native_up_replace_keeps_an_application_made_before_the_stack_adopted(native_project, sim_e2e):
    existing = "80000000000000000008"
    sim_e2e.add_application(existing, app_name="ivr-native-legacy", answer_url=ANSWER)
    project = native_project(app_program("ivr-native-legacy"))
    up = project.up()
    assert up.ok, up.output
    assert native_resources(project, APP)["ivr"]["outputs"]["adopted"] is True

    replaced = replace(project)
    assert replaced.ok, replaced.output
    assert native_resources(project, APP)["ivr"]["outputs"]["adopted"] is True, "still adopted"

    sim_e2e.clear_log()
    destroyed = project.destroy()
    assert destroyed.ok, destroyed.output
    assert sim_e2e.application(existing) is not None, "it existed before the stack: destroy keeps it"
    assert app_writes(sim_e2e) == []


def test_native_failed_replace_then_the_rerun_keeps_it_the_stacks_own(native_project, sim_e2e):
    project = native_project(app_program("ivr-native-retry"))
    project.config_set("plivo:maxRetries", "0", secret=False)
    assert project.up().ok
    (app,) = named(sim_e2e, "ivr-native-retry")

    sim_e2e.set_faults(script=["error:503"], script_match=f"GET {APP_PATH}")
    failed = replace(project, "--refresh")
    assert failed.code != 0, failed.output
    assert named(sim_e2e, "ivr-native-retry") == [app], "nothing made, nothing deleted"
    sim_e2e.clear_faults()

    sim_e2e.clear_log()
    rerun = replace(project, "--refresh")
    assert rerun.ok, rerun.output
    assert named(sim_e2e, "ivr-native-retry") == [app] and app_writes(sim_e2e) == []
    assert native_resources(project, APP)["ivr"]["outputs"]["adopted"] is False
    assert project.gate().ok

    destroyed = project.destroy()
    assert destroyed.ok, destroyed.output
    assert named(sim_e2e, "ivr-native-retry") == [], "still the stack's own: destroy deletes it"


def test_native_original_left_pending_by_a_killed_replace_keeps_the_application(native_project, sim_e2e):
    """A run killed between the replacement's create and the original's delete leaves the original
    marked `delete` beside the replacement (made here by `pulumi stack import`): the next `up`
    deletes the original's resource and keeps the application, which the replacement declares."""
    project = native_project(app_program("ivr-native-pending", bound=True))
    assert project.up().ok
    (app,) = named(sim_e2e, "ivr-native-pending")
    deployment = project.export()
    resources = deployment["resources"]
    index = next(i for i, r in enumerate(resources) if r["type"] == APP)
    resources.insert(index, {**resources[index], "delete": True})
    path = project.dir / "interrupted-state.json"
    path.write_text(json.dumps({"version": 3, "deployment": deployment}))
    assert project.pulumi("stack", "import", "--stack", "dev", "--file", str(path)).ok

    sim_e2e.clear_log()
    finished = project.up()
    assert finished.ok, finished.output
    assert named(sim_e2e, "ivr-native-pending") == [app] and app_writes(sim_e2e) == []
    assert sim_e2e.number(N1)["app_id"] == app["app_id"], "nothing unlinked"
    assert project.gate().ok
    assert project.destroy().ok
    assert named(sim_e2e, "ivr-native-pending") == []


def test_native_replace_of_a_state_without_the_refresh_mark_needs_refresh(native_project, sim_e2e):
    """A state written before Applications asked for `refreshBeforeUpdate` (the mark cleared here by
    `pulumi stack import`): plain `up --replace` cannot tell who made the application and refuses
    before any write, naming `--refresh`; with it, the application stays the stack's own."""
    project = native_project(app_program("ivr-native-unmarked"))
    assert project.up().ok
    (app,) = named(sim_e2e, "ivr-native-unmarked")
    deployment = project.export()
    for resource in deployment["resources"]:
        resource.pop("refreshBeforeUpdate", None)
    path = project.dir / "unmarked-state.json"
    path.write_text(json.dumps({"version": 3, "deployment": deployment}))
    assert project.pulumi("stack", "import", "--stack", "dev", "--file", str(path)).ok

    sim_e2e.clear_log()
    refused = replace(project)
    assert refused.code != 0, refused.output
    assert "--refresh" in refused.output and app["app_id"] in refused.output, refused.output
    assert "Traceback" not in refused.output
    assert app_writes(sim_e2e) == [], "refused before any write"

    replaced = replace(project, "--refresh")
    assert replaced.ok, replaced.output
    assert named(sim_e2e, "ivr-native-unmarked") == [app]
    assert native_resources(project, APP)["ivr"]["outputs"]["adopted"] is False
    assert project.destroy().ok
    assert named(sim_e2e, "ivr-native-unmarked") == [], "the stack made it: destroy deletes it"


def test_native_destroy_with_refresh_deletes_the_stacks_application(native_project, sim_e2e):
    """A refresh diffs the state's own inputs: that is not the code declaring the application, so
    `destroy --refresh` (and the refresh an Application asks for before each run) still deletes the
    application the stack made."""
    project = native_project(app_program("ivr-native-refreshed"))
    assert project.up().ok
    destroyed = project.destroy("--refresh")
    assert destroyed.ok, destroyed.output
    assert named(sim_e2e, "ivr-native-refreshed") == [], destroyed.output
