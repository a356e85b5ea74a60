"""What `make dist` builds (scripts/build_dist.py), installed the way a user installs it, then a program
run with it through the `pulumi` CLI against the simulator (docs/install.md):

- both wheels `pip install`ed into a clean venv (no editable install, nothing of this checkout), with
  the oldest Pulumi SDK the library's range accepts (`pulumi>=3.269.0,<4`: the lower bound is what
  this module verifies; the rest of the suite runs constraints.txt's pin). A Python program with the
  dynamic `RentedNumber`, and one with `pulumi_plivo` whose plugin is the wheel's console script;
- the TypeScript SDK's npm tarball `npm install`ed into a TypeScript project (the folder the build
  ran `npm ci` of examples/typescript's lock in: @pulumi/pulumi and typescript installed);
- the Go SDK module, unpacked from its module zip, fetched with `go get` by module path through a
  `replace` to that folder.

The plugin tarball, the fifth artifact, is installed with `pulumi plugin install ... --file` in
tests/e2e/test_plugin_install.py, so it is not built here. Each artifact is built once per module.
Dependencies come from the package indexes, as for users: PyPI (pip), the npm registry (through
npm's cache) and the Go module cache (filled by the suite's other Go builds, else the Go proxy).
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from plivo_pulumi import __version__
from plivo_pulumi.native.plugin_url import RELEASE_URL, filled_in
from tests.support.accounts import APPS, MAIN, NUMBERS, TOKEN
from tests.support.cli_project import CliProject, plivo_config
from tests.support.lang_projects import (
    GO_ENV,
    need,
    need_host,
    outputs,
    plugins_block,
    run,
)

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
import build_dist  # noqa: E402

AMBIENT_WARNING = "from $PATH"


def built(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, (pattern, sorted(p.name for p in folder.iterdir()))
    return found[0]


# -- Python: both wheels in a clean venv ------------------------------------------------------------


@pytest.fixture(scope="module")
def python_dists(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist-python")
    build_dist.python_packages(out)
    return out


def pulumi_lower_bound(wheel: Path) -> str:
    """The oldest `pulumi` the wheel's metadata accepts (its Requires-Dist `pulumi>=X,<4`)."""
    with zipfile.ZipFile(wheel) as zipped:
        metadata = zipped.read(f"plivo_pulumi-{__version__}.dist-info/METADATA").decode()
    found = re.search(r"^Requires-Dist: pulumi<4,>=([0-9.]+)$", metadata, re.MULTILINE)
    assert found, "the library depends on a range pulumi>=3.N,<4"
    return found.group(1)


@pytest.fixture(scope="module")
def oldest_pulumi(python_dists: Path) -> str:
    return pulumi_lower_bound(built(python_dists, "plivo_pulumi-*.whl"))


@pytest.fixture(scope="module")
def clean_venv(python_dists: Path, oldest_pulumi: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with the two wheels and their dependencies from the index, the Pulumi SDK at the
    range's lower bound."""
    venv = tmp_path_factory.mktemp("user") / "venv"
    made = run([sys.executable, "-m", "venv", str(venv)], venv.parent)
    assert made.returncode == 0, made.stderr
    library = built(python_dists, "plivo_pulumi-*.whl")
    sdk = built(python_dists, "pulumi_plivo-*.whl")
    # --no-compile: byte-compiling every dependency is CPU the suite need not spend (imports compile).
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-compile"]
    installed = run([*pip, str(library), str(sdk), f"pulumi=={oldest_pulumi}"], venv.parent)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return venv


def python_project(workdir: Path, venv: Path, program: str, *, native: bool, base_url: str) -> CliProject:
    """A Python project whose virtualenv is the clean venv; `native`: its plugin is the venv's
    `pulumi-resource-plivo` (the project's `plugins:` list, docs/native-provider-install.md way 1)."""
    folder = workdir / "project"
    folder.mkdir(parents=True)
    head = f"name: plivo-dist\nruntime:\n  name: python\n  options:\n    virtualenv: {venv}\n"
    (folder / "Pulumi.yaml").write_text(head + (plugins_block(venv / "bin") if native else ""))
    (folder / "__main__.py").write_text(program)
    made = CliProject(workdir, "", project_dir=folder)
    made.init(plivo_config(base_url, MAIN, TOKEN))
    return made


WHERE = """
import importlib.metadata
import pulumi
import plivo_pulumi
pulumi.export("library", plivo_pulumi.__file__)
pulumi.export("pulumi", importlib.metadata.version("pulumi"))
"""


def test_python_artifacts_are_the_library_and_the_sdk(python_dists: Path) -> None:
    names = sorted(p.name for p in python_dists.iterdir())
    assert names == [
        f"plivo_pulumi-{__version__}-py3-none-any.whl",
        f"plivo_pulumi-{__version__}.tar.gz",
        f"pulumi_plivo-{__version__}-py3-none-any.whl",
    ]
    with zipfile.ZipFile(python_dists / names[0]) as zipped:
        files = set(zipped.namelist())
        scripts = zipped.read(f"plivo_pulumi-{__version__}.dist-info/entry_points.txt").decode()
    assert "plivo_pulumi/native/server.py" in files and "plivo_pulumi/py.typed" in files
    assert not any(name.startswith("tests/") for name in files)
    for script in ("pulumi-resource-plivo", "plivo-numbers", "plivo-sim"):
        assert f"{script} = " in scripts, script
    with zipfile.ZipFile(python_dists / names[2]) as zipped:
        plugin = json.loads(zipped.read("pulumi_plivo/pulumi-plugin.json"))
    assert plugin["name"] == "plivo" and plugin["version"] == __version__


def test_wheels_install_into_a_clean_venv_with_the_oldest_pulumi_of_the_range(clean_venv: Path) -> None:
    python = str(clean_venv / "bin" / "python")
    checked = run([python, "-m", "pip", "check"], clean_venv)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    listed = run([python, "-m", "pip", "list", "--format", "json", "--editable"], clean_venv)
    assert json.loads(listed.stdout) == [], "no editable install"
    for script in ("pulumi-resource-plivo", "plivo-numbers", "plivo-sim"):
        assert (clean_venv / "bin" / script).is_file(), script
    version = run([str(clean_venv / "bin" / "pulumi-resource-plivo"), "--version"], clean_venv)
    assert version.returncode == 0 and __version__ in version.stdout + version.stderr


def test_dynamic_program_runs_from_the_installed_wheel(
    clean_venv: Path, oldest_pulumi: str, tmp_path: Path, sim_e2e
) -> None:
    program = WHERE + (
        "from plivo_pulumi import RentedNumber\n"
        f'RentedNumber("support", number="+1 (555) 000-0001", app_id="{APPS[1]}")\n'
    )
    project = python_project(tmp_path, clean_venv, program, native=False, base_url=sim_e2e.base_url)
    up = project.up()
    assert up.ok, up.output
    assert sim_e2e.number(NUMBERS[0])["app_id"] == APPS[1]
    out = outputs(project)
    assert out["library"].startswith(str(clean_venv)), out
    assert out["pulumi"] == oldest_pulumi, "the program ran with the range's oldest Pulumi SDK"
    gate = project.gate()
    assert gate.ok, gate.output


def test_native_program_runs_with_the_wheels_plugin_script(clean_venv: Path, tmp_path: Path, sim_e2e) -> None:
    program = WHERE + (
        "import pulumi_plivo as plivo\n"
        f'plivo.RentedNumber("support", number="{NUMBERS[1]}", app_id="{APPS[2]}")\n'
        'pulumi.export("rented", sorted(n.number for n in plivo.get_rented_numbers().numbers))\n'
    )
    project = python_project(tmp_path, clean_venv, program, native=True, base_url=sim_e2e.base_url)
    up = project.up()
    assert up.ok, up.output
    assert AMBIENT_WARNING not in up.output
    assert sim_e2e.number(NUMBERS[1])["app_id"] == APPS[2]
    out = outputs(project)
    assert out["library"].startswith(str(clean_venv)) and out["rented"] == sorted(NUMBERS), out
    gate = project.gate()
    assert gate.ok, gate.output


# -- TypeScript: the npm tarball in a TypeScript project ---------------------------------------------


@pytest.fixture(scope="module")
def ts_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The npm tarball, and the TypeScript project the build ran `npm ci` in (examples/typescript's
    package.json and lock: @pulumi/pulumi and typescript installed, as in a user's project)."""
    need("npm")
    root = tmp_path_factory.mktemp("dist-npm")
    (tarball,) = build_dist.nodejs_package(root / "out", toolchain=root / "project")
    return tarball, root / "project"


@pytest.fixture(scope="module")
def npm_tarball(ts_build: tuple[Path, Path]) -> Path:
    return ts_build[0]


def test_npm_tarball_holds_the_compiled_sdk_and_its_manifest(npm_tarball: Path) -> None:
    assert npm_tarball.name == f"plivo-pulumi-plivo-{__version__}.tgz"
    with tarfile.open(npm_tarball) as tar:
        names = set(tar.getnames())
        member = tar.extractfile("package/package.json")
        assert member is not None
        manifest = json.load(member)
    assert manifest["name"] == "@plivo-pulumi/plivo" and manifest["version"] == __version__
    assert manifest["main"] == "index.js" and manifest["types"] == "index.d.ts"
    assert manifest["pulumi"] == {
        "resource": True,
        "name": "plivo",
        "version": __version__,
        "server": filled_in(RELEASE_URL, __version__),  # where `pulumi install` fetches the plugin
    }
    for module in ("index", "rentedNumber", "rentedNumberSet", "application", "provider", "types/input"):
        assert {f"package/{module}.js", f"package/{module}.d.ts"} <= names, module
    sources = [n for n in names if n.endswith(".ts") and not n.endswith(".d.ts")]
    assert sources == [], "TypeScript sources stay out; the compiled JS and declarations go in"


TS_PROGRAM = f"""import * as pulumi from "@pulumi/pulumi";
import * as plivo from "@plivo-pulumi/plivo";

const line = new plivo.RentedNumber("support", {{ number: "{NUMBERS[2]}", appId: "{APPS[0]}" }});
export const boundTo = line.appId;
"""


def test_typescript_program_runs_with_the_npm_tarball(ts_build, tmp_path: Path, sim_e2e) -> None:
    need_host("pulumi-language-nodejs")
    npm = need("npm")
    npm_tarball, folder = ts_build
    assert not (folder / "node_modules" / "@plivo-pulumi").exists()
    shutil.copyfile(REPO / "examples" / "typescript" / "tsconfig.json", folder / "tsconfig.json")
    installed = run([npm, "install", "--no-audit", "--no-fund", str(npm_tarball)], folder)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    package = folder / "node_modules" / "@plivo-pulumi" / "plivo"
    assert not package.is_symlink() and (package / "index.js").is_file()
    dependency = json.loads((folder / "package.json").read_text())["dependencies"]["@plivo-pulumi/plivo"]
    assert dependency.startswith("file:") and dependency.endswith(npm_tarball.name), dependency
    (folder / "index.ts").write_text(TS_PROGRAM)
    (folder / "Pulumi.yaml").write_text("name: plivo-dist-ts\nruntime: nodejs\n" + plugins_block())
    project = CliProject(tmp_path, "", project_dir=folder)
    project.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
    up = project.up()
    assert up.ok, up.output
    assert sim_e2e.number(NUMBERS[2])["app_id"] == APPS[0]
    assert outputs(project) == {"boundTo": APPS[0]}


# -- Go: the module by path, replaced by the unpacked module zip -------------------------------------


@pytest.fixture(scope="module")
def go_proxy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/goproxy: the module-proxy layout of the Go SDK module."""
    out = tmp_path_factory.mktemp("dist-go")
    build_dist.go_module(out)
    return out / "goproxy"


GO_PROGRAM = f"""package main

import (
	"github.com/plivo-pulumi/pulumi-plivo/sdk/go/plivo"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {{
	pulumi.Run(func(ctx *pulumi.Context) error {{
		line, err := plivo.NewRentedNumber(ctx, "support", &plivo.RentedNumberArgs{{
			Number: pulumi.String("{NUMBERS[3]}"), AppId: pulumi.String("{APPS[2]}"),
		}})
		if err != nil {{
			return err
		}}
		ctx.Export("boundTo", line.AppId)
		return nil
	}})
}}
"""


def test_go_module_zip_is_in_the_proxy_layout(go_proxy: Path, tmp_path: Path) -> None:
    module = build_dist.go_module_path()
    tag = f"v{__version__}"
    versions = go_proxy / module / "@v"
    assert (versions / "list").read_text().split() == [tag]
    assert json.loads((versions / f"{tag}.info").read_text())["Version"] == tag
    assert (versions / f"{tag}.mod").read_text() == (REPO / "sdk" / "go.mod").read_text()
    with zipfile.ZipFile(versions / f"{tag}.zip") as zipped:
        names = zipped.namelist()
    assert all(name.startswith(f"{module}@{tag}/") for name in names)
    assert f"{module}@{tag}/go.mod" in names and f"{module}@{tag}/go/plivo/rentedNumber.go" in names
    # The go command takes the folder as a module proxy: it checks the zip and unpacks it, by path.
    cache = tmp_path / "modcache"
    env = {
        "GOPROXY": f"file://{go_proxy}",
        "GOSUMDB": "off",
        "GOMODCACHE": str(cache),
        "GOFLAGS": "-modcacherw",
    }
    fetched = run([need("go"), "mod", "download", "-json", f"{module}@{tag}"], tmp_path, env)
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    unpacked = Path(json.loads(fetched.stdout)["Dir"])
    assert (unpacked / "go" / "plivo" / "rentedNumber.go").is_file() and unpacked.is_relative_to(cache)


def test_go_program_runs_with_the_module_fetched_by_path(go_proxy: Path, tmp_path: Path, sim_e2e) -> None:
    """`go get` of the module path, with a `replace` to the module unpacked from its zip (the way to
    use a module before its tag is published), then `pulumi up`, which builds the program."""
    need_host("pulumi-language-go")
    go = need("go")
    module, tag = build_dist.go_module_path(), f"v{__version__}"
    unpacked = tmp_path / "plivo-sdk"
    with zipfile.ZipFile(go_proxy / module / "@v" / f"{tag}.zip") as zipped:
        zipped.extractall(tmp_path / "unzip")
    (tmp_path / "unzip" / f"{module}@{tag}").rename(unpacked)
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "main.go").write_text(GO_PROGRAM)
    env = {**GO_ENV, "GOFLAGS": GO_ENV["GOFLAGS"].replace("-mod=readonly", "-mod=mod")}
    for step in (
        ["mod", "init", "example.com/plivo-dist-go"],
        ["mod", "edit", f"-replace={module}={unpacked}"],
        ["get", f"{module}@{tag}"],
        ["mod", "tidy"],
    ):
        done = run([go, *step], folder, env)
        assert done.returncode == 0, (step, done.stdout + done.stderr)
    assert f"{module} {tag}" in (folder / "go.mod").read_text()
    (folder / "Pulumi.yaml").write_text("name: plivo-dist-go\nruntime: go\n" + plugins_block())
    project = CliProject(tmp_path, "", project_dir=folder)
    project.env.update(GO_ENV)
    project.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
    up = project.up()
    assert up.ok, up.output
    assert sim_e2e.number(NUMBERS[3])["app_id"] == APPS[2]
    assert outputs(project) == {"boundTo": APPS[2]}
