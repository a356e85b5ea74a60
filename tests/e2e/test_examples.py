"""Every example runs against the simulator through the real engine, and `make demo`'s program runs
to the end: what a user copies from examples/ must work."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pulumi import automation as auto

from plivo_pulumi.core.fleet_file import load_bindings
from plivo_pulumi.engine.workspace import program_from_file
from plivo_pulumi.simulator.seed import load_seed_file
from tests.support.cli_project import CliProject, plivo_config
from tests.support.engine_stack import EngineStack

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def stack_for(example: str, sim_e2e, tmp_path: Path) -> EngineStack:
    seed = load_seed_file(EXAMPLES / example / "seed.yaml")
    sim_e2e.reset(seed)
    sim_e2e.clear_log()
    account = seed["accounts"][0]
    config = plivo_config(sim_e2e.base_url, account["auth_id"], account["auth_token"])
    return EngineStack(tmp_path / example, program_from_file(EXAMPLES / example), config=config)


@contextlib.contextmanager
def example_project(example: str, sim_e2e, tmp_path: Path) -> Iterator[CliProject]:
    """The example's folder as a CLI project, as its README says (`pulumi up` there with the venv
    activated), its stack configured for the seed's account; the stack is removed afterwards."""
    seed = load_seed_file(EXAMPLES / example / "seed.yaml")
    sim_e2e.reset(seed)
    account = seed["accounts"][0]
    stack = f"e2e-{uuid.uuid4().hex[:8]}"
    project = CliProject(tmp_path, "", stack=stack, project_dir=EXAMPLES / example, activated=True)
    try:
        project.init(plivo_config(sim_e2e.base_url, account["auth_id"], account["auth_token"]))
        yield project
    finally:
        project.remove_stack()


def test_quickstart_with_the_cli_in_its_folder(sim_e2e, tmp_path):
    """As its README says: `pulumi up` in examples/quickstart, with the venv activated."""
    with example_project("quickstart", sim_e2e, tmp_path) as project:
        up = project.up()
        assert up.ok, up.output
        assert sim_e2e.number("15550100001")["app_id"] == "10000000000001"
        assert sim_e2e.number("15550100002")["app_id"] == "10000000000002"
        assert sim_e2e.number("15550100002")["subaccount"] == "SAQUICKSTARTSUB00001"
        assert sim_e2e.number("15550100003")["app_id"] == "10000000000001", "app_id unset: left as it was"
        assert project.gate().ok
        assert project.destroy().ok


def test_applications_example_with_the_cli_in_its_folder(sim_e2e, tmp_path):
    """examples/applications: the file's applications are created, numbers bound to them, and a
    destroy unlinks the numbers before deleting the applications (the console-made one is kept)."""
    with example_project("applications", sim_e2e, tmp_path) as project:
        up = project.up()
        assert up.ok, up.output
        apps = {a["app_name"]: a for a in sim_e2e.applications()}
        assert apps["ivr"]["hangup_url"] == "https://voice.example.com/ivr/hangup"
        assert apps["sms_inbox"]["log_incoming_messages"] is False
        assert sim_e2e.number("15550300001")["app_id"] == apps["ivr"]["app_id"]
        assert sim_e2e.number("15550300003")["app_id"] == apps["sms_inbox"]["app_id"]
        assert sim_e2e.number("15550300005")["app_id"] == "10000000000009"
        assert project.gate().ok
        assert project.destroy().ok
        assert {a["app_name"] for a in sim_e2e.applications()} == {"legacy-console-app"}
        assert sim_e2e.number("15550300001")["app_id"] is None, "unlinked before its application went"
        assert sim_e2e.number("15550300005")["app_id"] == "10000000000009"


def test_fleet_binds_every_entry_of_bindings_yaml(sim_e2e, tmp_path):
    stack = stack_for("fleet", sim_e2e, tmp_path)
    up = stack.up()
    assert up.ok, up.output
    bindings = load_bindings(EXAMPLES / "fleet" / "bindings.yaml")
    assert len(bindings) == 50
    for b in bindings:
        live = sim_e2e.number(b.number)
        if b.app_id is not None:
            assert (live["app_id"] or "") == b.app_id, b
        assert (live["subaccount"] or "") == b.subaccount, b
    assert set(stack.resources()) == {b.name for b in bindings}


@pytest.fixture
def fleet_stack(sim_e2e, tmp_path) -> EngineStack:
    stack = stack_for("fleet", sim_e2e, tmp_path)
    assert stack.up().ok
    return stack


def run_gate(stack: EngineStack) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "pipeline" / "drift_gate.py"),
            "--stack",
            "dev",
            "--work-dir",
            str(stack.workdir / "project"),
            "--program",
            str(EXAMPLES / "fleet"),
        ],
        env={**os.environ, **stack.env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_pipeline_gate_passes_clean_fails_on_drift_and_on_unmanaged(fleet_stack, sim_e2e):
    first = run_gate(fleet_stack)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "no drift" in first.stdout and "15550299999" in first.stdout  # the forgotten number

    sim_e2e.unrent_out_of_band("15550299999")
    clean = run_gate(fleet_stack)
    assert clean.returncode == 0, clean.stdout + clean.stderr

    sim_e2e.edit_out_of_band("15550200005", app_id="20000000000002")
    drift = run_gate(fleet_stack)
    assert drift.returncode == 1
    assert "FAILED" in drift.stdout and "20000000000002" in drift.stdout
    assert sim_e2e.number("15550200005")["app_id"] == "20000000000002", "the gate never writes"

    assert fleet_stack.up(refresh=True).ok
    assert run_gate(fleet_stack).returncode == 0


def test_pipeline_gate_reads_with_the_current_config_after_a_token_rotation(fleet_stack, sim_e2e):
    sim_e2e.unrent_out_of_band("15550299999")  # no unmanaged number: a clean gate exits 0
    account = "MAFLEETDEMOACCOUNT01"
    sim_e2e.rotate_token(account, "fleet-rotated-token-Kq8Zr")  # the old token is revoked
    fleet_stack.stack.set_config(
        "plivo:authToken", auto.ConfigValue("fleet-rotated-token-Kq8Zr", secret=True)
    )
    rotated = run_gate(fleet_stack)
    assert rotated.returncode == 0, rotated.stdout + rotated.stderr

    fleet_stack.stack.set_config("plivo:authToken", auto.ConfigValue("fleet-wrong-token-Pz3", secret=True))
    wrong = run_gate(fleet_stack)
    assert wrong.returncode == 2, wrong.stdout + wrong.stderr
    assert "plivo:authToken" in wrong.stdout + wrong.stderr and "401" in wrong.stdout + wrong.stderr


def test_demo_runs_to_the_end():
    demo = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    for command in (  # the demo shows the commands a user types, and runs them with the CLI
        "$ pulumi stack init demo",
        '$ printf %s "$PLIVO_AUTH_TOKEN" | pulumi config set --secret plivo:authToken',
        "$ pulumi up --yes --skip-preview",
        "$ pulumi preview --refresh --run-program --expect-no-changes",
        "$ pulumi up --refresh --run-program --yes --skip-preview",
        "$ plivo-numbers audit --stack demo",
    ):
        assert command in demo.stdout, demo.stdout
    assert "+ 51 created" in demo.stdout, "the CLI's own summary of the first up"
    assert "exit code 1: one finding" in demo.stdout
    assert not (ROOT / "Pulumi.demo.yaml").read_text().count("fleet-demo-token"), "the token is a secret"
