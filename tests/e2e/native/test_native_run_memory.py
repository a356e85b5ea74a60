"""One deployment, one memory (issue 29, items 1, 2 and 6), through the `pulumi` CLI.

The engine runs the default `plivo` provider, each explicit `plivo.Provider` and the dynamic
provider in processes of their own; the rules that guard a delete hold across all of them, because
they share the memory of the engine run (docs/design.md, "One engine run, one memory"):
a number any resource of the run declares is never unrented, an application another resource
adopts is never deleted (nor its numbers unlinked), a number declared twice fails at preview. Each
test checks what a user checks: `up`'s exit code and plan, the simulator's numbers, applications
and request log (no DELETE, no unlink), the gate. Every one of them fails on the code before the
shared memory (each provider process had its own).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import textwrap
from pathlib import Path

from tests.e2e.native.conftest import plugin_dir
from tests.support.accounts import APPS, MAIN, NUMBERS, SUB, SUB_TOKEN, TOKEN
from tests.support.cli_project import CliProject

N1, N2, N3 = NUMBERS[:3]
NOT_RENTED = "15559999999"
ANSWER = "https://voice.example.com/answer"

HEAD = """
import pulumi
import pulumi_plivo as plivo
from plivo_pulumi import RentedNumber

cfg = pulumi.Config()
base_url = pulumi.Config("plivo").require("baseUrl")


def provider(name, auth_id, token_key, url=None):
    token = cfg.require_secret(token_key)
    return plivo.Provider(name, auth_id=auth_id, auth_token=token, base_url=url or base_url)


def under(p, **more):
    return pulumi.ResourceOptions(provider=p, **more)
"""


def program(body: str) -> str:
    return HEAD + textwrap.dedent(body)


def requests(sim, method: str | None = None) -> list[dict]:
    return [r for r in sim.requests_log()["requests"] if method is None or r["method"] == method]


def deletes(sim) -> list[str]:
    return [r["path"] for r in requests(sim, "DELETE")]


def posts_to(sim, number: str) -> list[dict]:
    return [r for r in requests(sim, "POST") if f"/Number/{number}" in r["path"]]


def with_tokens(project: CliProject) -> CliProject:
    project.config_set("mainToken", TOKEN, secret=True)
    project.config_set("subToken", SUB_TOKEN, secret=True)
    return project


def converged(project: CliProject) -> None:
    gate = project.gate()
    assert gate.ok, gate.output


# -- item 1: a number any resource of the run declares is never unrented ----------------------------


def test_a_number_moved_to_an_explicit_provider_in_one_up_stays_rented(native_project, sim_e2e):
    """The default provider's delete ran in its own process and unrented both numbers."""
    project = with_tokens(
        native_project(
            program(f"""
            plivo.RentedNumber("a", number="{N1}", app_id="{APPS[0]}", unrent_on_delete=True)
            plivo.RentedNumberSet(
                "fleet", bindings={{"{N2}": {{"app_id": "{APPS[1]}"}}}}, unrent_on_delete=True
            )
            """)
        )
    )
    assert project.up().ok
    project.write_program(
        program(f"""
        main = provider("main", "{MAIN}", "mainToken")
        plivo.RentedNumber("a2", number="{N1}", app_id="{APPS[0]}", unrent_on_delete=True, opts=under(main))
        plivo.RentedNumberSet(
            "fleet2", bindings={{"{N2}": {{"app_id": "{APPS[1]}"}}}}, unrent_on_delete=True, opts=under(main)
        )
        """)
    )
    sim_e2e.clear_log()
    up = project.up()
    assert up.ok, up.output
    assert deletes(sim_e2e) == []
    assert "stays rented: another resource of the stack declares it" in up.output
    assert sim_e2e.number(N1)["app_id"] == APPS[0]
    assert sim_e2e.number(N2)["app_id"] == APPS[1]
    assert set(project.resources()) == {"a2"}
    converged(project)


def test_an_explicit_providers_auth_id_changed_to_the_subaccount_that_holds_the_number(
    native_project, sim_e2e
):
    sim_e2e.edit_out_of_band(N1, subaccount=SUB)
    project = native_project(
        program(f"""
        acct = provider("acct", cfg.require("acctId"), "acctToken")
        plivo.RentedNumber("line", number="{N1}", app_id="", unrent_on_delete=True, opts=under(acct))
        """)
    )
    project.config_set("acctId", MAIN, secret=False)
    project.config_set("acctToken", TOKEN, secret=True)
    assert project.up().ok
    project.config_set("acctId", SUB, secret=False)
    project.config_set("acctToken", SUB_TOKEN, secret=True)
    sim_e2e.clear_log()
    up = project.up()
    assert up.ok, up.output
    assert "replaced" in up.output, "a new account replaces the provider and its number"
    assert deletes(sim_e2e) == []
    assert sim_e2e.number(N1)["subaccount"] == SUB
    converged(project)


def test_the_same_base_url_with_a_trailing_slash_replaces_nothing(native_project, sim_e2e):
    """Item 2: the provider's identity is its account. Before, the provider and both resources were
    replaced, and the old provider's deletes unrented both numbers, `up` exiting 0."""
    project = native_project(
        program(f"""
        plivo.RentedNumber("a", number="{N1}", app_id="{APPS[0]}", unrent_on_delete=True)
        plivo.RentedNumberSet("fleet", bindings={{"{N2}": {{"app_id": "{APPS[1]}"}}}}, unrent_on_delete=True)
        """)
    )
    assert project.up().ok
    project.config_set("plivo:baseUrl", sim_e2e.base_url + "/", secret=False)
    sim_e2e.clear_log()
    preview = project.preview()
    assert preview.ok, preview.output
    assert "replace" not in preview.output.lower(), preview.output
    assert "3 unchanged" in preview.output.split("Resources:")[-1], preview.output
    up = project.up()
    assert up.ok, up.output
    assert deletes(sim_e2e) == [] and requests(sim_e2e, "POST") == []
    assert sim_e2e.number(N1)["app_id"] == APPS[0]
    assert sim_e2e.number(N2)["app_id"] == APPS[1]
    converged(project)


def test_a_move_to_a_subaccounts_provider_with_a_failed_run_in_between(native_project, sim_e2e):
    sim_e2e.edit_out_of_band(N1, subaccount=SUB)
    project = with_tokens(
        native_project(program(f'plivo.RentedNumber("a", number="{N1}", app_id="", unrent_on_delete=True)\n'))
    )
    assert project.up().ok
    moved = f"""
        sub = provider("sub", "{SUB}", "subToken")
        b = plivo.RentedNumber("b", number="{N1}", app_id="{APPS[2]}", opts=under(sub))
        """
    typo = f'plivo.RentedNumber("typo", number="{NOT_RENTED}", opts=pulumi.ResourceOptions(depends_on=[b]))\n'
    project.write_program(program(moved) + typo)
    failed = project.up()
    assert failed.code != 0 and f"number {NOT_RENTED} is not rented" in failed.output, failed.output
    assert {"a", "b"} <= set(project.resources()), "the failed run left the number under both"
    project.write_program(program(moved))
    sim_e2e.clear_log()
    fixed = project.up()
    assert fixed.ok, fixed.output
    assert deletes(sim_e2e) == []
    assert sim_e2e.number(N1)["app_id"] == APPS[2] and sim_e2e.number(N1)["subaccount"] == SUB
    assert set(project.resources()) == {"b"}
    converged(project)


def test_a_number_moved_between_the_dynamic_and_the_native_front_end_either_way(native_project, sim_e2e):
    project = native_project(
        program(f'RentedNumber("a", number="{N1}", app_id="{APPS[0]}", unrent_on_delete=True)\n')
    )
    assert project.up().ok
    steps = [
        f'plivo.RentedNumber("b", number="{N1}", app_id="{APPS[1]}", unrent_on_delete=True)\n',  # to native
        f'RentedNumber("c", number="{N1}", app_id="{APPS[2]}", unrent_on_delete=True)\n',  # back to dynamic
    ]
    for step, app in zip(steps, APPS[1:], strict=True):
        project.write_program(program(step))
        sim_e2e.clear_log()
        up = project.up()
        assert up.ok, up.output
        assert deletes(sim_e2e) == [], up.output
        assert sim_e2e.number(N1)["app_id"] == app
    converged(project)


def test_a_number_declared_under_two_providers_or_two_front_ends_fails_at_preview(native_project, sim_e2e):
    project = with_tokens(
        native_project(
            program(f"""
            main = provider("main", "{MAIN}", "mainToken")
            plivo.RentedNumber("a", number="{N1}")
            plivo.RentedNumber("b", number="{N1}", opts=under(main))
            """)
        )
    )
    preview = project.preview()
    assert preview.code != 0
    assert f"number {N1} is declared twice in this stack" in preview.output, preview.output
    assert "RentedNumber 'a'" in preview.output and "RentedNumber 'b'" in preview.output
    project.write_program(
        program(f"""
        RentedNumber("dyn", number="{N2}")
        plivo.RentedNumberSet("fleet", bindings={{"{N2}": {{}}}})
        """)
    )
    both = project.preview()
    assert both.code != 0
    assert f"number {N2} is declared twice in this stack" in both.output, both.output
    assert "RentedNumber 'dyn'" in both.output and "RentedNumberSet 'fleet'" in both.output
    assert requests(sim_e2e) == [], "refused before any call"


# -- item 1: an application another resource adopts is never deleted -------------------------------


def test_applications_moved_to_another_provider_under_new_names_are_kept(native_project, sim_e2e):
    """Before: the one with no number was deleted; the one with a number bound made every `up` fail
    ("1 number(s) outside this stack still point to it"), so the stack never converged."""
    project = with_tokens(
        native_project(
            program(f"""
            plivo.Application("ivr", app_name="ivr-main", answer_url="{ANSWER}")
            voice = plivo.Application("voice", app_name="voice-main", answer_url="{ANSWER}")
            plivo.RentedNumber("line", number="{N1}", app_id=voice.app_id)
            """)
        )
    )
    assert project.up().ok
    apps = {a["app_name"]: a["app_id"] for a in sim_e2e.applications()}
    project.write_program(
        program(f"""
        main = provider("main", "{MAIN}", "mainToken")
        plivo.Application("ivr2", app_name="ivr-main", answer_url="{ANSWER}", opts=under(main))
        voice = plivo.Application("voice2", app_name="voice-main", answer_url="{ANSWER}", opts=under(main))
        plivo.RentedNumber("line", number="{N1}", app_id=voice.app_id)
        """)
    )
    sim_e2e.clear_log()
    up = project.up()
    assert up.ok, up.output
    assert deletes(sim_e2e) == [] and posts_to(sim_e2e, N1) == []
    assert sim_e2e.application(apps["ivr-main"]) is not None
    assert sim_e2e.application(apps["voice-main"]) is not None
    assert sim_e2e.number(N1)["app_id"] == apps["voice-main"]
    converged(project)


def test_a_real_change_of_account_never_unlinks_or_deletes_what_the_new_side_adopts(native_project, sim_e2e):
    """Item 2: another base URL (`localhost` for `127.0.0.1`: the same simulator, a different
    endpoint for the provider) replaces the provider; before, the old side unlinked the number
    (POST app_id="") and deleted the application the new side had just adopted."""
    project = native_project(
        program(f"""
        acct = provider("acct", "{MAIN}", "acctToken", url=cfg.require("acctUrl"))
        app = plivo.Application("ivr", app_name="ivr-main", answer_url="{ANSWER}", opts=under(acct))
        plivo.RentedNumber("line", number="{N1}", app_id=app.app_id, unrent_on_delete=True, opts=under(acct))
        """)
    )
    project.config_set("acctToken", TOKEN, secret=True)
    project.config_set("acctUrl", sim_e2e.base_url, secret=False)
    assert project.up().ok
    (app,) = [a for a in sim_e2e.applications() if a["app_name"] == "ivr-main"]
    project.config_set("acctUrl", sim_e2e.base_url.replace("127.0.0.1", "localhost"), secret=False)
    preview = project.preview()
    assert preview.ok and "to replace" in preview.output.split("Resources:")[-1], preview.output
    sim_e2e.clear_log()
    up = project.up()
    assert up.ok, up.output
    assert deletes(sim_e2e) == [], up.output
    assert posts_to(sim_e2e, N1) == [], "never unlinked"
    assert sim_e2e.application(app["app_id"]) is not None
    assert sim_e2e.number(N1)["app_id"] == app["app_id"]
    converged(project)


# -- the memory is the run's only ---------------------------------------------------------------------


def test_the_memory_does_not_outlive_its_run(native_project, sim_e2e):
    """Run A declares the numbers; run B drops them with unrentOnDelete: B unrents them, as asked."""
    project = with_tokens(
        native_project(
            program(f"""
            main = provider("main", "{MAIN}", "mainToken")
            plivo.RentedNumber("a", number="{N1}", unrent_on_delete=True)
            plivo.RentedNumber("b", number="{N2}", unrent_on_delete=True, opts=under(main))
            """)
        )
    )
    assert project.up().ok
    project.write_program(program(f'plivo.RentedNumber("c", number="{N3}")\n'))
    sim_e2e.clear_log()
    up = project.up()
    assert up.ok, up.output
    assert sorted(deletes(sim_e2e)) == sorted(f"/v1/Account/{MAIN}/Number/{n}/" for n in (N1, N2)), deletes(
        sim_e2e
    )
    assert sim_e2e.number(N1) is None and sim_e2e.number(N2) is None


# -- item 6: the run's engine, whatever its executable is called -----------------------------------


def test_target_through_a_renamed_cli_refuses_to_unrent(native_project, sim_e2e, tmp_path):
    """`pulumi-3.274.1`, a symlink to the CLI: `up --target` of the dropped resource unrented a number
    that a resource left out of the run still declares."""
    project = native_project(program(f'plivo.RentedNumber("a", number="{N1}", unrent_on_delete=True)\n'))
    assert project.up().ok
    project.write_program(program(f'plivo.RentedNumber("b", number="{N1}")\n'))
    urn = project.resources()["a"]["urn"]
    renamed = tmp_path / "bin" / "pulumi-3.274.1"
    renamed.parent.mkdir()
    renamed.symlink_to(shutil.which("pulumi", path=project.env["PATH"]))
    sim_e2e.clear_log()
    done = subprocess.run(
        [
            str(renamed),
            "up",
            "--yes",
            "--skip-preview",
            "--target",
            urn,
            "--stack",
            project.stack,
            "--non-interactive",
        ],
        cwd=project.dir,
        env=project.env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert f"number {N1} not unrented: this run is limited by --target/--exclude" in output, output
    assert deletes(sim_e2e) == [] and sim_e2e.number(N1) is not None
    fixed = project.up()
    assert fixed.ok, fixed.output
    assert deletes(sim_e2e) == [] and sim_e2e.number(N1) is not None
    assert set(project.resources()) == {"b"}


# A plugin launcher that detaches the real plugin from the engine (its parent becomes init): the
# plugin cannot find its run's engine, nor read its command line.
DETACHED = """#!/bin/sh
( "{real}" "$@" & echo $! > "{pidfile}" )
pid=$(cat "{pidfile}")
trap 'kill $pid 2>/dev/null' TERM INT EXIT
while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
"""


def test_a_plugin_that_cannot_find_its_engine_refuses_to_unrent(native_project, sim_e2e, tmp_path):
    """Fail closed: no engine, no memory, no known limits, so a delete that would unrent refuses;
    the run that follows with the ordinary plugin unrents as asked (no resource declares it)."""
    project = native_project(program(f'plivo.RentedNumber("a", number="{N1}", unrent_on_delete=True)\n'))
    assert project.up().ok
    detached = tmp_path / "detached"
    detached.mkdir()
    pidfile = tmp_path / "plugin.pid"
    launcher = detached / "pulumi-resource-plivo"
    launcher.write_text(DETACHED.format(real=plugin_dir() / "pulumi-resource-plivo", pidfile=pidfile))
    launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR)
    pulumi_yaml = project.dir / "Pulumi.yaml"
    ordinary = pulumi_yaml.read_text()
    pulumi_yaml.write_text(ordinary.replace(str(plugin_dir()), str(detached)))
    project.write_program(program('pulumi.export("none", 1)\n'))
    sim_e2e.clear_log()
    try:
        refused = project.up()
    finally:
        _stop(pidfile)
    assert refused.code != 0, refused.output
    assert f"number {N1} not unrented" in refused.output, refused.output
    assert "memory shared by the provider processes of this run is unavailable" in refused.output
    assert deletes(sim_e2e) == [] and sim_e2e.number(N1) is not None
    pulumi_yaml.write_text(ordinary)
    fixed = project.up()
    assert fixed.ok, fixed.output
    assert deletes(sim_e2e) == [f"/v1/Account/{MAIN}/Number/{N1}/"] and sim_e2e.number(N1) is None


def _stop(pidfile: Path) -> None:
    """End the detached plugin this test started (by its pid), if it still runs."""
    try:
        pid = int(pidfile.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return
    try:
        os.kill(pid, 15)
    except ProcessLookupError:
        pass
