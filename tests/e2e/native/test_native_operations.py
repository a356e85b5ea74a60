"""Operating the native provider through the real engine: a token rotation (the engine configures
the plugin with the config saved in the state unless the program runs: `--run-program` reads with
the new token), and a crash (`kill -9` of pulumi and its plugins mid-up) with the documented
recovery (CliProject.recover()) and the gate afterwards."""

from __future__ import annotations

from tests.e2e.native.test_native_rented_number import calls, native_resources, number, program
from tests.support.accounts import APPS, MAIN, NUMBERS, ROTATED_TOKEN
from tests.support.fault_kit import fleet_seed, posts_seen, wait_for
from tests.support.processes import alive, kill_tree

N1, N2 = NUMBERS[:2]


def test_token_rotation_reads_with_the_new_token_with_run_program(native_project, sim_e2e):
    project = native_project(program(number("support", {"number": N1, "appId": APPS[0]})))
    assert project.up().ok
    sim_e2e.rotate_token(MAIN, ROTATED_TOKEN)  # the old token is revoked
    project.config_set("plivo:authToken", ROTATED_TOKEN, secret=True)

    stale = project.refresh()
    assert stale.code != 0, "a plain refresh reads with the config saved at the last deployment"
    assert "--run-program" in stale.output
    assert ROTATED_TOKEN not in stale.output

    gate = project.gate()
    assert gate.ok, gate.output
    sim_e2e.edit_out_of_band(N1, app_id=APPS[2])
    assert project.gate().code != 0
    reconcile = project.up("--refresh", "--run-program")
    assert reconcile.ok, reconcile.output
    assert "replace" not in reconcile.output.split("Resources:")[-1], "a rotated token replaces nothing"
    assert sim_e2e.number(N1)["app_id"] == APPS[0]
    assert project.refresh().ok, "the run that ran the program saved the new config"


def test_kill_mid_up_then_recover(native_project, sim_e2e):
    seed, numbers = fleet_seed(30)
    sim_e2e.reset(seed)
    sim_e2e.set_faults(latency_ms=150)
    declarations = [number(f"n{i}", {"number": n, "appId": APPS[i % 3]}) for i, n in enumerate(numbers)]
    # The README's backend form: no `.attrs` sidecar that a kill could leave empty (README step 0).
    project = native_project(program(*declarations), backend_query="?metadata=skip")
    sim_e2e.clear_log()
    run = project.start_up()
    wait_for(lambda: posts_seen(sim_e2e) >= 5, 120, "5 POSTs")
    tree = kill_tree(run.pid)
    run.wait(60)
    wait_for(lambda: not [p for p in tree if alive(p)], 30, "the killed run's processes to end")
    sim_e2e.clear_faults()

    recovered = project.recover()
    assert recovered.ok, recovered.output
    gate = project.gate()
    assert gate.ok, gate.output
    assert all(sim_e2e.number(n)["app_id"] == APPS[i % 3] for i, n in enumerate(numbers))
    assert len(native_resources(project)) == len(numbers)
    sim_e2e.clear_log()
    assert project.destroy().ok
    assert calls(sim_e2e) == {}, "nothing unrented"


def test_unrent_only_when_asked_and_never_a_number_the_deployment_declares(native_project, sim_e2e):
    project = native_project(
        program(
            number("moving", {"number": N1, "appId": APPS[0], "unrentOnDelete": True}),
            number("leaving", {"number": N2, "unrentOnDelete": True}),
        )
    )
    assert project.up().ok
    project.write_program(program(number("moved", {"number": N1, "appId": APPS[0]})))
    sim_e2e.clear_log()
    up = project.up()
    assert up.ok, up.output
    assert sim_e2e.number(N1) is not None, "declared by another resource of the deployment: kept"
    assert sim_e2e.number(N2) is None, "unrentOnDelete and declared nowhere: unrented"
    assert calls(sim_e2e).get("DELETE") == 1


def test_a_number_unrented_elsewhere_leaves_the_stack_on_refresh_saying_so(native_project, sim_e2e):
    project = native_project(program(number("gone", {"number": N1})))
    assert project.up().ok
    sim_e2e.unrent_out_of_band(N1)
    refresh = project.refresh()
    assert refresh.ok, refresh.output
    assert f"number {N1} is no longer rented" in refresh.output, "the engine shows the plugin's note"
    assert native_resources(project) == {}
