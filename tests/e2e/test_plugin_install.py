"""The plugin archive of `make plugin` (scripts/build_plugin.py: self-contained, PyInstaller one-folder),
installed the way docs/native-provider-install.md shows: `pulumi plugin install resource plivo VERSION
--file ARCHIVE` into a fresh PULUMI_HOME, with no virtualenv and no `pulumi-resource-plivo` on PATH.
The engine then runs the installed plugin, for `pulumi package get-schema` and for a program written
with the generated SDK (which asks for the plugin at the SDK's version), and prints no "from $PATH"
warning. A YAML program runs with no Python reachable at all: the plugin carries its interpreter.

The archive is built once for the module (about 20 s warm, 35 s with PyInstaller's first install)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from plivo_pulumi import __version__
from plivo_pulumi.native.schema import schema
from tests.support.accounts import APPS, MAIN, NUMBERS, TOKEN
from tests.support.cli_project import CliProject, plivo_config

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
    """Folders where a test unpacked the plugin (some 45 MB, its interpreter and packages): removed after the
    test, so that the secrets scan (test_zz_secrets.py) reads the stacks' own files, not these."""
    made: list[Path] = []
    yield made
    for folder in made:
        shutil.rmtree(folder, ignore_errors=True)


def build_python_paths() -> set[str]:
    """Where this machine's Python lives (the interpreter the archive was built with)."""
    base = Path(getattr(sys, "_base_executable", sys.executable))
    return {str(base.resolve()), str(Path(sys.base_prefix).resolve()), sys.base_prefix, sys.prefix}


def test_archive_holds_an_elf_executable_and_its_own_interpreter(tarball: Path) -> None:
    assert tarball.name == f"pulumi-resource-plivo-v{__version__}-{build_plugin.platform_tag()}.tar.gz"
    with tarfile.open(tarball) as tar:
        launcher = tar.getmember("pulumi-resource-plivo")
        assert launcher.isfile() and launcher.mode & 0o111
        names = set(tar.getnames())
        executable = tar.extractfile(launcher).read()  # type: ignore[union-attr]
        info = tar.extractfile("PLUGIN-INFO.txt").read().decode()  # type: ignore[union-attr]
    assert executable[:4] == b"\x7fELF", "the plugin is a binary, not a script needing an interpreter"
    assert "_internal/libpython3.11.so.1.0" in names, sorted(names)[:20]
    assert not any(n.startswith("lib/") for n in names), "no site-packages for a Python of the machine"
    assert not any("tkinter" in n or "sqlite3" in n for n in names)
    for where in build_python_paths():
        assert where.encode() not in executable, f"the executable names {where}"
        assert where not in info, f"PLUGIN-INFO.txt names {where}"
    assert "no Python is needed" in info and build_plugin.platform_tag() in info and "glibc >= 2." in info


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


YAML_PROGRAM = f"""
name: plivo-no-python
runtime: yaml
resources:
  frontDesk:
    type: plivo:RentedNumber
    properties:
      number: "{NUMBERS[0]}"
      appId: "{APPS[1]}"
outputs:
  frontDeskApp: ${{frontDesk.appId}}
"""


def no_python_env(env: dict[str, str], bin_dir: Path) -> dict[str, str]:
    """`env` with PATH holding only `bin_dir` (links to pulumi and the YAML host) and no variable
    that would point a Python anywhere."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    for tool in ("pulumi", "pulumi-language-yaml"):
        found = shutil.which(tool)
        if found is None:
            pytest.fail(f"{tool} is not on PATH: run `make tools`")
        (bin_dir / tool).symlink_to(Path(found).resolve())
    dropped = ("PYTHONHOME", "PYTHONPATH", "PLIVO_PLUGIN_PYTHON", "VIRTUAL_ENV", "PULUMI_PYTHON_CMD")
    clean = {k: v for k, v in env.items() if k not in dropped}
    clean["PATH"] = str(bin_dir)
    for python in ("python", "python3", "python3.11"):
        assert shutil.which(python, path=clean["PATH"]) is None
    return clean


def mapped_files(pid: int) -> set[str]:
    with open(f"/proc/{pid}/maps") as maps:
        return {line.split(None, 5)[5].strip() for line in maps if len(line.split(None, 5)) == 6}


def test_installed_archive_runs_a_yaml_program_with_no_python_reachable(
    tarball: Path, tmp_path: Path, sim_e2e, unpacked
) -> None:
    workdir = tmp_path / "no-python"
    folder = workdir / "project"
    folder.mkdir(parents=True)
    (folder / "Pulumi.yaml").write_text(textwrap.dedent(YAML_PROGRAM))
    made = CliProject(workdir, "", project_dir=folder)
    made.env = no_python_env(made.env, workdir / "bin")
    plugin_dir = Path(made.env["PULUMI_HOME"]) / "plugins" / f"resource-plivo-v{__version__}"
    unpacked.append(plugin_dir)

    installed = made.pulumi("plugin", "install", "resource", "plivo", __version__, "--file", str(tarball))
    assert installed.ok, installed.output
    made.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))

    preview = made.preview()
    assert preview.ok, preview.output
    assert "+ plivo:index:RentedNumber: (create)" in preview.output, preview.output
    assert "+ 2 to create" in preview.output, preview.output  # the stack and the number
    assert sim_e2e.number(NUMBERS[0])["app_id"] in ("", None), "a preview writes nothing"
    up = made.up()
    assert up.ok, up.output
    assert AMBIENT_WARNING not in up.output
    assert sim_e2e.number(NUMBERS[0])["app_id"] == APPS[1], "the binding is made"
    outputs = json.loads(made.pulumi("stack", "output", "--json", "--stack", made.stack).output)
    assert outputs == {"frontDeskApp": APPS[1]}

    # The running plugin maps its own interpreter from the plugin folder, nothing of this machine's.
    plugin = subprocess.Popen(
        [str(plugin_dir / "pulumi-resource-plivo")],
        env=made.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = plugin.stdout.readline().strip()  # type: ignore[union-attr]
        assert port.isdigit(), plugin.stderr.read() if plugin.poll() is not None else port  # type: ignore[union-attr]
        files = mapped_files(plugin.pid)
    finally:
        plugin.kill()
        plugin.wait(timeout=10)
    assert str(plugin_dir / "_internal" / "libpython3.11.so.1.0") in files, sorted(files)
    for where in build_python_paths():
        leaked = sorted(f for f in files if f.startswith(where + os.sep))
        assert not leaked, leaked
