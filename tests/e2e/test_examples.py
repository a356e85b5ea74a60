"""Every example runs against the simulator through the real engine, and `make demo`'s program runs
to the end: what a user copies from examples/ must work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from plivo_pulumi.bindings import load_bindings
from plivo_pulumi.simulator.seed import load_seed_file
from plivo_pulumi.workspace import program_from_file
from tests.e2e.harness import EngineStack

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def stack_for(example: str, sim, tmp_path: Path) -> EngineStack:
    seed = load_seed_file(EXAMPLES / example / "seed.yaml")
    sim.reset(seed)
    sim.clear_log()
    account = seed["accounts"][0]
    config = {
        "plivo:baseUrl": (sim.base_url, False),
        "plivo:authId": (account["auth_id"], False),
        "plivo:authToken": (account["auth_token"], True),
    }
    return EngineStack(tmp_path / example, program_from_file(EXAMPLES / example), config=config)


def test_quickstart(sim, tmp_path):
    stack = stack_for("quickstart", sim, tmp_path)
    up = stack.up()
    assert up.ok, up.output
    assert sim.number("15550100001")["app_id"] == "10000000000001"
    assert sim.number("15550100002")["app_id"] == "10000000000002"
    assert sim.number("15550100002")["subaccount"] == "SAQUICKSTARTSUB00001"
    assert sim.number("15550100003")["app_id"] == "10000000000001", "app_id unset: left as it was"
    assert stack.preview(refresh=True, expect_no_changes=True).ok


def test_fleet_binds_every_entry_of_bindings_yaml(sim, tmp_path):
    stack = stack_for("fleet", sim, tmp_path)
    up = stack.up()
    assert up.ok, up.output
    bindings = load_bindings(EXAMPLES / "fleet" / "bindings.yaml")
    assert len(bindings) == 50
    for b in bindings:
        live = sim.number(b.number)
        if b.app_id is not None:
            assert (live["app_id"] or "") == b.app_id, b
        assert (live["subaccount"] or "") == b.subaccount, b
    assert set(stack.resources()) == {b.name for b in bindings}


@pytest.fixture
def fleet_stack(sim, tmp_path) -> EngineStack:
    stack = stack_for("fleet", sim, tmp_path)
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


def test_pipeline_gate_passes_clean_fails_on_drift_and_on_unmanaged(fleet_stack, sim):
    first = run_gate(fleet_stack)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "no drift" in first.stdout and "15550299999" in first.stdout  # the forgotten number

    sim.unrent_out_of_band("15550299999")
    clean = run_gate(fleet_stack)
    assert clean.returncode == 0, clean.stdout + clean.stderr

    sim.edit_out_of_band("15550200005", app_id="20000000000002")
    drift = run_gate(fleet_stack)
    assert drift.returncode == 1
    assert "FAILED" in drift.stdout and "20000000000002" in drift.stdout
    assert sim.number("15550200005")["app_id"] == "20000000000002", "the gate never writes"

    assert fleet_stack.up(refresh=True).ok
    assert run_gate(fleet_stack).returncode == 0


def test_demo_runs_to_the_end():
    demo = subprocess.run(
        [sys.executable, "-m", "plivo_pulumi.demo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    for step in (
        "1. pulumi up",
        "3. pulumi preview --refresh",
        "4. pulumi up --refresh",
        "5. plivo-numbers audit",
    ):
        assert step in demo.stdout
    assert "exit code 1: one finding" in demo.stdout
