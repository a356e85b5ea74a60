"""Fixtures for the native provider's CLI tests: project folders whose Pulumi.yaml loads the plugin
`pulumi-resource-plivo` from this checkout's venv through `plugins: providers:` (the way the README
shows: no venv on PATH, no warning)."""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.accounts import MAIN, TOKEN
from tests.support.cli_project import CliProject, plivo_config


def plugin_dir() -> Path:
    """The folder holding the `pulumi-resource-plivo` console script of the test venv."""
    script = Path(sys.prefix) / "bin" / "pulumi-resource-plivo"
    if not script.exists():
        found = shutil.which("pulumi-resource-plivo")
        if found is None:
            raise RuntimeError("pulumi-resource-plivo is not installed: run `make venv`")
        script = Path(found)
    return script.parent


def use_native_plugin(project: CliProject) -> None:
    """Add `plugins: providers: [{name: plivo, path: ...}]` to the project's Pulumi.yaml."""
    pulumi_yaml = project.dir / "Pulumi.yaml"
    text = pulumi_yaml.read_text()
    text += f"plugins:\n  providers:\n    - name: plivo\n      path: {plugin_dir()}\n"
    pulumi_yaml.write_text(text)


@pytest.fixture
def native_project(tmp_path: Path, sim_e2e) -> Callable[..., CliProject]:
    """native_project(program, config=True, backend_query=""): a CLI project (tests/e2e/conftest.py's
    kind) that loads the native plugin; with `config`, its stack `dev` is configured for the main
    account."""

    def make(program: str, *, config: bool = True, backend_query: str = "") -> CliProject:
        """`backend_query`: appended to the file backend's URL (`?metadata=skip`, as README's login)."""
        made = CliProject(tmp_path / f"n{len(list(tmp_path.iterdir()))}", textwrap.dedent(program))
        made.env["PULUMI_BACKEND_URL"] += backend_query
        use_native_plugin(made)
        if config:
            made.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
        else:
            created = made.pulumi("stack", "init", made.stack, "--non-interactive")
            assert created.ok, created.output
        return made

    return make
