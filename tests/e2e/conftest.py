"""Fixtures for end-to-end tests: a simulator process per module, reset to a known seed per test,
and a factory for real engine stacks configured against it."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.accounts import MAIN, TOKEN, e2e_seed
from tests.support.engine_stack import EngineStack


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def sim_process() -> Iterator:
    from plivo_pulumi.simulator.testing import SimulatorProcess

    with SimulatorProcess() as sim_e2e:
        yield sim_e2e


@pytest.fixture
def sim_e2e(sim_process):
    sim_process.clear_faults()
    sim_process.reset(e2e_seed())
    sim_process.clear_log()
    return sim_process


@pytest.fixture
def make_stack(tmp_path: Path, sim_e2e):
    """make_stack(program, token=TOKEN, config=True): a stack whose config points at the simulator."""

    def factory(program, *, token: str | None = TOKEN, auth_id: str = MAIN, name: str = "dev") -> EngineStack:
        config = {"plivo:baseUrl": (sim_e2e.base_url, False), "plivo:authId": (auth_id, False)}
        if token is not None:
            config["plivo:authToken"] = (token, True)
        stack = EngineStack(tmp_path / name, program, config=config, stack=name)
        return stack

    return factory


@pytest.fixture
def project(tmp_path: Path, sim_e2e):
    """project(program): a CLI project folder (tests/support/cli_project.py) with a stack `dev`
    configured against the simulator, each call in a folder of its own."""
    from tests.support.cli_project import CliProject, plivo_config

    def make(program: str) -> CliProject:
        made = CliProject(tmp_path / f"p{len(list(tmp_path.iterdir()))}", textwrap.dedent(program))
        made.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
        return made

    return make
