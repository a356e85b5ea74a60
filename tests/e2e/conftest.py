"""Fixtures for end-to-end tests: a simulator process per module, reset to a known seed per test,
and a factory for real engine stacks configured against it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import EngineStack

MAIN = "MAE2ETESTACCOUNT0001"
SUB = "SAE2ESUBACCOUNT00001"
TOKEN = "tok-e2e-Zx9QmA7rLp2VbN4cQ"
SUB_TOKEN = "tok-sub-Wq3TnB8sKd5HcM1vR"
ROTATED_TOKEN = "tok-rotated-Hx7PqL2wNc9VbZ4"  # the main account's token after a rotation
WRONG_CLI_TOKEN = "tok-wrong-Bq5RtY8uIo1Pa"  # a token the simulator never accepts
APPS = ("11111111111111", "22222222222222", "33333333333333")
NUMBERS = ("15550000001", "15550000002", "15550000003", "15550000004", "15550000005")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def sim_process() -> Iterator:
    from plivo_pulumi.simulator.testing import SimulatorProcess

    with SimulatorProcess() as sim:
        yield sim


def default_seed() -> dict:
    return {
        "accounts": [
            {"auth_id": MAIN, "auth_token": TOKEN, "subaccounts": [{"auth_id": SUB, "auth_token": SUB_TOKEN}]}
        ],
        "applications": [{"app_id": app, "account": MAIN, "name": f"app-{app[:2]}"} for app in APPS],
        "numbers": [{"number": n, "account": MAIN, "number_type": "local"} for n in NUMBERS],
    }


@pytest.fixture
def sim(sim_process):
    sim_process.clear_faults()
    sim_process.reset(default_seed())
    sim_process.clear_log()
    return sim_process


@pytest.fixture
def make_stack(tmp_path: Path, sim):
    """make_stack(program, token=TOKEN, config=True): a stack whose config points at the simulator."""
    created: list[EngineStack] = []

    def factory(program, *, token: str | None = TOKEN, auth_id: str = MAIN, name: str = "dev") -> EngineStack:
        config = {"plivo:baseUrl": (sim.base_url, False), "plivo:authId": (auth_id, False)}
        if token is not None:
            config["plivo:authToken"] = (token, True)
        stack = EngineStack(tmp_path / name, program, config=config, stack=name)
        created.append(stack)
        return stack

    yield factory
