"""The plugin tarball of `make plugin` (scripts/build_plugin.py), installed the way
docs/native-provider-install.md shows: `pulumi plugin install resource plivo VERSION --file TARBALL`
into a fresh PULUMI_HOME, with no virtualenv and no `pulumi-resource-plivo` on PATH. The engine then
runs the installed plugin, for `pulumi package get-schema` and for a program written with the
generated SDK (which asks for the plugin at the SDK's version), and prints no "from $PATH" warning."""

from __future__ import annotations

import json
import shutil
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from plivo_pulumi import __version__
from plivo_pulumi.native.schema import schema
from tests.support.accounts import NUMBERS

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
import build_plugin  # noqa: E402

AMBIENT_WARNING = "from $PATH"

PROGRAM = """
import pulumi
import pulumi_plivo as plivo

rented = plivo.get_rented_numbers()
pulumi.export("numbers", sorted(n.number for n in rented.numbers))
"""


@pytest.fixture(scope="module")
def tarball(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    built = build_plugin.build(tmp_path_factory.mktemp("dist"))
    yield built
    built.unlink()


@pytest.fixture
def unpacked() -> Iterator[list[Path]]:
    """Folders where a test unpacked the plugin (some 60 MB of Python packages): removed after the
    test, so that the secrets scan (test_zz_secrets.py) reads the stacks' own files, not these."""
    made: list[Path] = []
    yield made
    for folder in made:
        shutil.rmtree(folder, ignore_errors=True)


def test_tarball_holds_an_executable_launcher(tarball: Path) -> None:
    assert tarball.name == f"pulumi-resource-plivo-v{__version__}-{build_plugin.platform_tag()}.tar.gz"
    with tarfile.open(tarball) as tar:
        launcher = tar.getmember("pulumi-resource-plivo")
        assert launcher.isfile() and launcher.mode & 0o111
        names = set(tar.getnames())
    assert "lib/plivo_pulumi/native/server.py" in names
    assert "PLUGIN-INFO.txt" in names


def test_installed_tarball_serves_the_sdk_without_a_venv_on_path(tarball: Path, project, unpacked) -> None:
    made = project(PROGRAM)
    # As a user's shell without the venv: neither the venv nor its console script is on PATH.
    assert shutil.which("pulumi-resource-plivo", path=made.env["PATH"]) is None

    installed = made.pulumi("plugin", "install", "resource", "plivo", __version__, "--file", str(tarball))
    assert installed.ok, installed.output
    listed = made.pulumi("plugin", "ls", "--json")
    assert listed.ok, listed.output
    plugins = [(p["name"], p["kind"], p["version"]) for p in json.loads(listed.output)]
    assert ("plivo", "resource", __version__) in plugins
    plugin_dir = Path(made.env["PULUMI_HOME"]) / "plugins" / f"resource-plivo-v{__version__}"
    unpacked.append(plugin_dir)
    assert (plugin_dir / "pulumi-resource-plivo").is_file()

    served = made.pulumi("package", "get-schema", "plivo")
    assert served.ok, served.output
    assert AMBIENT_WARNING not in served.output
    got = json.loads(served.output[served.output.index("{") :])
    assert got["name"] == "plivo" and got["version"] == __version__
    assert got["resources"].keys() == schema()["resources"].keys()

    # The generated SDK makes the engine ask for plivo at the SDK's version: the installed one.
    up = made.up()
    assert up.ok, up.output
    assert AMBIENT_WARNING not in up.output
    outputs = json.loads(made.pulumi("stack", "output", "--json", "--stack", made.stack).output)
    assert outputs["numbers"] == sorted(NUMBERS)


def test_unpacked_tarball_as_a_project_plugin_path(tarball: Path, project, unpacked) -> None:
    """The other way with no venv on PATH: the project's Pulumi.yaml names the plugin's folder
    (relative to the project), here the tarball unpacked; nothing is installed in PULUMI_HOME."""
    made = project(PROGRAM)
    unpacked.append(made.dir / "plivo-plugin")
    with tarfile.open(tarball) as tar:
        tar.extractall(made.dir / "plivo-plugin", filter="tar")
    pulumi_yaml = made.dir / "Pulumi.yaml"
    pulumi_yaml.write_text(
        pulumi_yaml.read_text() + "plugins:\n  providers:\n    - name: plivo\n      path: ./plivo-plugin\n"
    )
    up = made.up()
    assert up.ok, up.output
    assert AMBIENT_WARNING not in up.output
    outputs = json.loads(made.pulumi("stack", "output", "--json", "--stack", made.stack).output)
    assert outputs["numbers"] == sorted(NUMBERS)
    assert not (Path(made.env["PULUMI_HOME"]) / "plugins" / f"resource-plivo-v{__version__}").exists()
