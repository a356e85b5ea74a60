"""The plugin installs as providers install: from the `pluginDownloadURL` its SDKs carry.

A local HTTP server on 127.0.0.1 serves `make plugin`'s archive (scripts/build_plugin.build(), built
once with `PLUGIN_DOWNLOAD_URL` set to the server's URL, so the plugin's GetSchema names it too) at
the path the engine asks for: the URL with ${VERSION} filled in, then
`pulumi-resource-plivo-v<version>-<os>-<arch>.tar.gz`.
The SDKs are generated with that URL into this module's temp folders (the URL is fixed at build
time): Python pip-installed into one venv, TypeScript compiled and installed into node_modules
(lang_projects.build_ts_toolchain), Go required through a `replace`, YAML through the package
declaration `pulumi package gen-sdk --language yaml` writes from the schema.

Each program runs in a project with no `plugins:` block, an empty PULUMI_HOME and no plugin on PATH:
`pulumi install` fetches the plugin from the server into PULUMI_HOME/plugins, and `pulumi up` runs it
against the simulator. The programs' own dependencies are in place already (the test prepared them
as a user would), so `pulumi install --no-dependencies` installs the plugins alone: a plain `pulumi
install` would also run pip, npm install and `go mod tidy`, the slow parts, for nothing. YAML programs
also show that `pulumi up` alone fetches a plugin it does not find, and that `pulumi plugin install
--server URL` installs it by hand.
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from plivo_pulumi import __version__
from plivo_pulumi.native import plugin_url
from tests.support.accounts import APPS, MAIN, NUMBERS, TOKEN
from tests.support.cli_project import CliProject, cli_env, plivo_config
from tests.support.lang_projects import (
    GO_ENV,
    build_ts_toolchain,
    need,
    need_host,
    write_go_module,
    write_go_project,
    write_ts_project,
)

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
import build_plugin  # noqa: E402
import gen_sdk  # noqa: E402

PLUGIN_FOLDER = f"resource-plivo-v{__version__}"
AMBIENT_WARNING = "from $PATH"


@dataclass
class ArchiveServer:
    """A static HTTP server on 127.0.0.1: the files it serves by path, and every request it got."""

    port: int
    files: dict[str, Path] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def download_url(self) -> str:
        """The plugin download URL the build is given: a release folder per version, as on GitHub."""
        return f"http://127.0.0.1:{self.port}/releases/v${{VERSION}}/"

    def carried_url(self) -> str:
        """What the schema and the SDKs carry: the build writes the version in (plugin_url.filled_in)."""
        return f"http://127.0.0.1:{self.port}/releases/v{__version__}/"

    def archive_path(self, archive: Path) -> str:
        return f"/releases/v{__version__}/{archive.name}"

    def gets_of(self, path: str) -> int:
        return self.requests.count(f"GET {path}")


def _handler(server: ArchiveServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.requests.append(f"GET {self.path}")
            served = server.files.get(self.path)
            if served is None:
                self.send_error(404)
                return
            data = served.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/gzip")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:  # requests are recorded, not printed
            pass

    return Handler


@pytest.fixture(scope="module")
def archive_server() -> Iterator[ArchiveServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    served = ArchiveServer(port=httpd.server_address[1])
    httpd.RequestHandlerClass = _handler(served)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield served
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def archive(archive_server: ArchiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`make plugin PLUGIN_DOWNLOAD_URL=<the server's URL>`, served where the engine will ask."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv(plugin_url.ENV_VAR, archive_server.download_url())
        built = build_plugin.build(tmp_path_factory.mktemp("dist"))
    archive_server.files[archive_server.archive_path(built)] = built
    yield built
    built.unlink()


@pytest.fixture(scope="module")
def sdk(archive_server: ArchiveServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make sdk PLUGIN_DOWNLOAD_URL=<the server's URL>` into a temp folder: schema.json, python,
    nodejs, go (with sdk/go.mod and go.sum, the module the Go programs `replace` to) and yaml."""
    out = tmp_path_factory.mktemp("sdk")
    for language in gen_sdk.LANGUAGES:
        gen_sdk.generate(out, language, download_url=archive_server.download_url())
    for name in ("go.mod", "go.sum"):
        shutil.copyfile(REPO / "sdk" / name, out / name)
    scratch = tmp_path_factory.mktemp("yaml-gen")
    yaml_sdk = subprocess.run(
        ["pulumi", "package", "gen-sdk", str(out / "schema.json"), "--language", "yaml", "--out", str(out)],
        env=cli_env(scratch / "home", scratch / "state"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert yaml_sdk.returncode == 0, yaml_sdk.stdout + yaml_sdk.stderr
    return out


@pytest.fixture(scope="module")
def venv(sdk: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One virtualenv for the Python program: the generated pulumi_plivo, pip-installed as a user
    would, with the Pulumi SDK of this checkout's venv (the version the suite tests)."""
    folder = tmp_path_factory.mktemp("py") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=300)
    pulumi_pin = f"pulumi=={importlib.metadata.version('pulumi')}"
    installed = subprocess.run(
        [str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", str(sdk / "python"), pulumi_pin],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return folder


@pytest.fixture(scope="module")
def node_modules(sdk: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_host("pulumi-language-nodejs")
    return build_ts_toolchain(tmp_path_factory.mktemp("ts-toolchain"), sdk / "nodejs")


@pytest.fixture
def fresh_project(tmp_path: Path, sim_e2e) -> Iterator[Callable[[Callable[[Path], None]], CliProject]]:
    """fresh_project(write): a project folder `write` fills (no `plugins:` block), its stack configured
    for the simulator, with an empty PULUMI_HOME and no plivo plugin on PATH. The plugins fetched
    (some 60 MB unpacked) are removed after the test, so the secrets scan reads the stacks' files."""
    made: list[CliProject] = []

    def make(write: Callable[[Path], None]) -> CliProject:
        workdir = tmp_path / f"p{len(made)}"
        folder = workdir / "project"
        folder.mkdir(parents=True)
        write(folder)
        project = CliProject(workdir, "", project_dir=folder)
        project.env.update(GO_ENV)
        assert "plugins:" not in (folder / "Pulumi.yaml").read_text()
        assert shutil.which("pulumi-resource-plivo", path=project.env["PATH"]) is None
        assert not (Path(project.env["PULUMI_HOME"]) / "plugins").exists()
        project.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
        made.append(project)
        return project

    yield make
    for project in made:
        shutil.rmtree(Path(project.env["PULUMI_HOME"]) / "plugins", ignore_errors=True)


def installed_plugin(project: CliProject) -> Path:
    return Path(project.env["PULUMI_HOME"]) / "plugins" / PLUGIN_FOLDER / build_plugin.NAME


def install_then_up(project: CliProject, server: ArchiveServer, archive: Path, sim, number: str) -> None:
    """`pulumi install` fetches the plugin from the server into PULUMI_HOME; `pulumi up` runs it and
    binds `number` to APPS[0] in the simulator, with no second download."""
    path = server.archive_path(archive)
    before = server.gets_of(path)
    installed = project.pulumi("install", "--no-dependencies")
    assert installed.ok, installed.output
    assert server.gets_of(path) == before + 1, server.requests
    assert installed_plugin(project).is_file(), installed.output

    up = project.up()
    assert up.ok, up.output
    assert AMBIENT_WARNING not in up.output
    assert sim.number(number)["app_id"] == APPS[0]
    assert server.gets_of(path) == before + 1, "up used the installed plugin"


def test_python_program_fetches_the_plugin(archive_server, archive, venv: Path, fresh_project, sim_e2e):
    def write(folder: Path) -> None:
        (folder / "Pulumi.yaml").write_text(
            f"name: plivo-download-py\nruntime:\n  name: python\n  options:\n    virtualenv: {venv}\n"
        )
        (folder / "__main__.py").write_text(
            "import pulumi_plivo as plivo\n\n"
            f'plivo.RentedNumber("line", number="{NUMBERS[0]}", app_id="{APPS[0]}")\n'
        )

    project = fresh_project(write)
    install_then_up(project, archive_server, archive, sim_e2e, NUMBERS[0])
    # The plugin was built with the URL its SDKs carry: its schema names it.
    served = project.pulumi("package", "get-schema", "plivo")
    assert served.ok, served.output
    schema = json.loads(served.output[served.output.index("{") :])
    assert schema["pluginDownloadURL"] == archive_server.carried_url()


def yaml_program(folder: Path, sdk: Path, number: str) -> None:
    (folder / "Pulumi.yaml").write_text(
        "name: plivo-download-yaml\nruntime: yaml\nresources:\n"
        f"  line:\n    type: plivo:RentedNumber\n    properties:\n      number: '{number}'\n"
        f"      appId: '{APPS[0]}'\n"
    )
    # The package declaration names the plugin's version and download URL for the YAML host.
    shutil.copytree(sdk / "yaml", folder / "sdks")


def test_yaml_program_fetches_the_plugin(archive_server, archive, sdk: Path, fresh_project, sim_e2e):
    need_host("pulumi-language-yaml")
    declaration = (sdk / "yaml" / f"plivo-{__version__}.yaml").read_text()
    assert f"downloadUrl: {archive_server.carried_url()}" in declaration
    project = fresh_project(lambda folder: yaml_program(folder, sdk, NUMBERS[1]))
    install_then_up(project, archive_server, archive, sim_e2e, NUMBERS[1])


def test_up_alone_fetches_the_plugin(archive_server, archive, sdk: Path, fresh_project, sim_e2e):
    """No `pulumi install` first: `pulumi up` fetches the plugin it does not find."""
    need_host("pulumi-language-yaml")
    project = fresh_project(lambda folder: yaml_program(folder, sdk, NUMBERS[2]))
    path = archive_server.archive_path(archive)
    before = archive_server.gets_of(path)
    up = project.up()
    assert up.ok, up.output
    assert archive_server.gets_of(path) == before + 1, archive_server.requests
    assert installed_plugin(project).is_file()
    assert sim_e2e.number(NUMBERS[2])["app_id"] == APPS[0]


def test_plugin_install_from_the_server(archive_server, archive, sdk: Path, fresh_project, sim_e2e):
    """By hand, as docs/native-provider-install.md shows: `pulumi plugin install ... --server URL`
    with the URL as given to the build (the engine fills in ${VERSION}); `pulumi up` then runs that
    plugin without a download."""
    project = fresh_project(lambda folder: yaml_program(folder, sdk, NUMBERS[0]))
    path = archive_server.archive_path(archive)
    before = archive_server.gets_of(path)
    installed = project.pulumi(
        "plugin", "install", "resource", "plivo", __version__, "--server", archive_server.download_url()
    )
    assert installed.ok, installed.output
    assert archive_server.gets_of(path) == before + 1, archive_server.requests
    assert installed_plugin(project).is_file()
    up = project.up()
    assert up.ok, up.output
    assert archive_server.gets_of(path) == before + 1
    assert sim_e2e.number(NUMBERS[0])["app_id"] == APPS[0]


def test_typescript_program_fetches_the_plugin(
    archive_server, archive, node_modules: Path, fresh_project, sim_e2e
):
    source = (
        'import * as plivo from "@plivo-pulumi/plivo";\n\n'
        f'new plivo.RentedNumber("line", {{ number: "{NUMBERS[3]}", appId: "{APPS[0]}" }});\n'
    )
    project = fresh_project(lambda folder: write_ts_project(folder, source, node_modules, plugins=False))
    install_then_up(project, archive_server, archive, sim_e2e, NUMBERS[3])


GO_PROGRAM = f"""package main

import (
	"github.com/plivo-pulumi/pulumi-plivo/sdk/go/plivo"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {{
	pulumi.Run(func(ctx *pulumi.Context) error {{
		_, err := plivo.NewRentedNumber(ctx, "line", &plivo.RentedNumberArgs{{
			Number: pulumi.String("{NUMBERS[4]}"), AppId: pulumi.String("{APPS[0]}"),
		}})
		return err
	}})
}}
"""


def test_go_program_fetches_the_plugin(archive_server, archive, sdk: Path, fresh_project, sim_e2e):
    need("go")
    need_host("pulumi-language-go")

    def write(folder: Path) -> None:
        write_go_module(folder, sdk, GO_PROGRAM)
        write_go_project(folder, plugins=False)

    project = fresh_project(write)
    install_then_up(project, archive_server, archive, sim_e2e, NUMBERS[4])
