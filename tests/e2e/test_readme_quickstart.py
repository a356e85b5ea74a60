"""The README's quick start, run as a new user runs it, per language, against the simulator.

The blocks are read from README.md by their `<!-- quickstart: ... -->` tags, so the README cannot go
stale unnoticed: the seed file, the setup commands (plivo-sim and the login, run as written, with the
simulator on a free port instead of 8080 and HOME in the test's folder), the stack commands, each
language's Pulumi.yaml and program, the drift commands (`# exits N` is the exit code a line must
give) and the pipeline recipe. What the test supplies itself, as the install step would: the plugin
(a `plugins:` path to this checkout's; fetching it is tests/e2e/test_plugin_download.py's subject),
the Python venv (this checkout's, which holds both packages), node_modules
(tests/support/lang_projects.py) and the Go module's go.mod (examples/go's, its `replace` pointing at
sdk/go, since the module is not published where the test runs).
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.support.lang_projects import (
    GO_ENV,
    build_ts_toolchain,
    go_sdk_copy,
    need_host,
    plugins_block,
    write_go_module,
)

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
TAG = re.compile(r"<!-- quickstart: (?P<tag>[^>]+?) -->\n```[a-z]*\n(?P<body>.*?)```", re.S)
EXPECTED_EXIT = re.compile(r"#\s*exits (\d+)")


def quickstart_blocks() -> dict[str, str]:
    blocks = {m["tag"]: m["body"] for m in TAG.finditer(README.read_text())}
    assert blocks, "README.md has no <!-- quickstart: ... --> blocks"
    return blocks


BLOCKS = quickstart_blocks()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Reader:
    """A new user's shell: runs the README's command lines in order, in one project folder."""

    home: Path
    port: int
    env: dict[str, str] = field(default_factory=dict)
    background: list[subprocess.Popen[bytes]] = field(default_factory=list)
    transcript: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "PLIVO_"))}
        self.env.update(
            HOME=str(self.home), PULUMI_HOME=str(self.home / ".pulumi"), PULUMI_SKIP_UPDATE_CHECK="1"
        )

    def local(self, line: str) -> str:
        """The README's port 8080 is the test's free port."""
        return line.replace("127.0.0.1:8080", f"127.0.0.1:{self.port}").replace(
            "--port 8080", f"--port {self.port}"
        )

    def run_block(self, tag: str, cwd: Path, replace: tuple[str, str] | None = None) -> None:
        for raw in BLOCKS[tag].splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if replace:
                line = line.replace(*replace)
            self.run_line(self.local(line), cwd)

    def run_line(self, line: str, cwd: Path) -> None:
        command = line.split(" #")[0].strip()
        if command.startswith("export "):
            for assignment in shlex.split(command)[1:]:
                name, _, value = assignment.partition("=")
                self.env[name] = value
            return
        if command.endswith("&"):
            self.background.append(
                subprocess.Popen(
                    ["bash", "-c", "exec " + command[:-1]], cwd=cwd, env=self.env, start_new_session=True
                )
            )
            self.wait_for_simulator()
            return
        done = subprocess.run(
            ["bash", "-c", command], cwd=cwd, env=self.env, capture_output=True, text=True, timeout=900
        )
        self.transcript.append(f"$ {command}\n{done.stdout}{done.stderr}")
        expected = EXPECTED_EXIT.search(line)
        want = int(expected.group(1)) if expected else 0
        assert done.returncode == want, (
            f"`{command}` exited {done.returncode}, README says {want}:\n" + "\n".join(self.transcript[-3:])
        )

    def wait_for_simulator(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"http://127.0.0.1:{self.port}/__sim__/numbers", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        pytest.fail("plivo-sim, started as the README says, did not answer within 30 s")

    def binding(self, number: str) -> str | None:
        return requests.get(f"http://127.0.0.1:{self.port}/__sim__/numbers/{number}", timeout=10).json()[
            "app_id"
        ]

    def stop(self) -> None:
        for proc in self.background:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[Reader]:
    """A fresh user: the seed written, the simulator started and the login made by the README's lines."""
    home = tmp_path / "home"
    home.mkdir()
    user = Reader(home, free_port())
    (home / "seed.yaml").write_text(BLOCKS["seed"])
    user.run_block("setup", home)
    yield user
    user.stop()


@pytest.fixture(scope="module")
def node_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_ts_toolchain(tmp_path_factory.mktemp("ts-toolchain"))


def project(user: Reader, language: str, program: str | None, pulumi_yaml: str | None = None) -> Path:
    folder = user.home / language
    folder.mkdir()
    head = BLOCKS[f"{pulumi_yaml or language} Pulumi.yaml"]
    (folder / "Pulumi.yaml").write_text(head + plugins_block())
    if program:
        (folder / program).write_text(BLOCKS[f"{language} {program}"])
    return folder


def bound_as_the_quickstart_says(user: Reader) -> None:
    assert user.binding("15550100001") == "10000000000001"
    assert user.binding("15550100002") == "10000000000002"


def drift_caught_and_put_back(user: Reader, folder: Path) -> None:
    user.run_block("drift", folder)  # asserts each line's exit code, the gate's 255 included
    bound_as_the_quickstart_says(user)  # after the reconcile; the destroy kept both numbers bound


def python_venv(folder: Path) -> None:
    """The venv `Pulumi.yaml` names: this checkout's, where `make venv` installed both packages."""
    (folder / "venv").symlink_to(Path(sys.prefix), target_is_directory=True)


def test_python_native(reader: Reader) -> None:
    folder = project(reader, "python-native", "__main__.py")
    python_venv(folder)
    reader.run_block("stack", folder)
    bound_as_the_quickstart_says(reader)
    drift_caught_and_put_back(reader, folder)


def test_python_dynamic_then_the_pipeline_recipe(reader: Reader) -> None:
    folder = project(reader, "python-dynamic", "__main__.py", pulumi_yaml="python-native")
    python_venv(folder)
    reader.run_block("stack", folder)
    bound_as_the_quickstart_says(reader)
    # The pipeline recipe on a stack `prod` made by the same commands: gate, audit (exit 0: both of
    # the account's numbers are managed), reconcile.
    reader.run_block("stack", folder, replace=("stack init dev", "stack init prod"))
    reader.run_block("pipeline", folder)
    drift_caught_and_put_back(reader, folder)


def test_yaml(reader: Reader) -> None:
    need_host("pulumi-language-yaml")
    folder = project(reader, "yaml", None)
    reader.run_block("stack", folder)
    bound_as_the_quickstart_says(reader)
    drift_caught_and_put_back(reader, folder)


def test_typescript(reader: Reader, node_modules: Path) -> None:
    need_host("pulumi-language-nodejs")
    folder = project(reader, "typescript", "index.ts")
    (folder / "package.json").write_text('{"name": "numbers-ts", "private": true}\n')
    (folder / "node_modules").symlink_to(node_modules, target_is_directory=True)
    reader.run_block("stack", folder)
    bound_as_the_quickstart_says(reader)
    drift_caught_and_put_back(reader, folder)


def test_go(reader: Reader, tmp_path: Path) -> None:
    need_host("pulumi-language-go")
    folder = project(reader, "go", "main.go")
    write_go_module(folder, go_sdk_copy(tmp_path / "go-sdk"))
    # The user's Go caches, not the fresh HOME's: a cold module download and build takes minutes.
    caches = subprocess.run(["go", "env", "GOCACHE", "GOMODCACHE", "GOPATH"], capture_output=True, text=True)
    reader.env.update(
        GO_ENV, **dict(zip(("GOCACHE", "GOMODCACHE", "GOPATH"), caches.stdout.split(), strict=True))
    )
    reader.run_block("stack", folder)
    bound_as_the_quickstart_says(reader)
    reader.run_line("pulumi destroy --yes", folder)
    bound_as_the_quickstart_says(reader)
