"""TypeScript and Go project folders for the CLI e2e tests (tests/e2e/test_typescript.py, test_go.py).

The toolchains are built once per test module, the way a user builds them, but in the test's temp dir:
- TypeScript: `npm ci` of examples/typescript's package-lock.json (@pulumi/pulumi 3.276.0), the SDK
  sdk/nodejs compiled with that `tsc` and copied into node_modules/@plivo-pulumi/plivo. Each project
  links that node_modules, so one `npm ci` serves them all (Node loads one @pulumi/pulumi).
- Go: a copy of the SDK module (sdk/go.mod, sdk/go) that programs require through a `replace`, and
  examples/go's go.mod and go.sum. Go compiles slowly, so the suite compiles few programs: most tests
  run one binary built once (`runtime.options.binary`), and all builds use the flags of
  tests/test_sdk_compile.py (GO_ENV), which share one build cache.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.native.conftest import plugin_dir
from tests.support.cli_project import CliProject

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 900
# -trimpath and -mod=readonly as tests/test_sdk_compile.py builds examples/go: one build cache for all.
GO_ENV = {"GOFLAGS": "-mod=readonly -buildvcs=false -trimpath", "GOSUMDB": "off"}


def need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.fail(f"{tool} is needed to run the TypeScript and Go programs (README, 'TypeScript and Go')")
    return found


def need_host(name: str) -> None:
    """Fail (never skip) without the language host: `make test` builds it with `make tools`."""
    if shutil.which(name) is None:
        pytest.fail(f"{name} is not on PATH: run `make tools` (scripts/install-langhosts.sh)")


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=TIMEOUT
    )


def plugins_block(path: Path | str | None = None) -> str:
    return f"plugins:\n  providers:\n    - name: plivo\n      path: {path or plugin_dir()}\n"


def runtime_block(name: str, options: dict[str, Any] | None) -> str:
    if not options:
        return f"runtime: {name}\n"
    lines = "".join(f"    {key}: {json.dumps(value)}\n" for key, value in options.items())
    return f"runtime:\n  name: {name}\n  options:\n{lines}"


def build_ts_toolchain(root: Path, sdk_source: Path = REPO / "sdk" / "nodejs") -> Path:
    """`npm ci` of examples/typescript's lock and the compiled SDK (sdk/nodejs, or a generated copy)
    installed beside it: node_modules."""
    npm = need("npm")
    example = REPO / "examples" / "typescript"
    root.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(example / name, root / name)
    installed = run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], root)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    sdk = root / "sdk" / "nodejs"
    shutil.copytree(sdk_source, sdk, ignore=shutil.ignore_patterns("node_modules", "bin"))
    built = run([str(root / "node_modules" / ".bin" / "tsc"), "-p", str(sdk)], root)
    assert built.returncode == 0, built.stdout + built.stderr
    for name in ("package.json", "README.md"):
        shutil.copyfile(sdk / name, sdk / "bin" / name)
    shutil.copytree(sdk / "bin", root / "node_modules" / "@plivo-pulumi" / "plivo")
    return root / "node_modules"


def write_ts_project(
    folder: Path,
    source: str,
    node_modules: Path,
    *,
    options: dict[str, Any] | None = None,
    main: str = "index.ts",
    plugins: bool = True,
) -> None:
    """A `runtime: nodejs` project: Pulumi.yaml (with the plugin stanza unless `plugins` is false),
    package.json, the example's tsconfig.json, the program, and node_modules linked to the toolchain."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Pulumi.yaml").write_text(
        "name: plivo-ts-e2e\n" + runtime_block("nodejs", options) + (plugins_block() if plugins else "")
    )
    (folder / "package.json").write_text(json.dumps({"name": "plivo-ts-e2e", "private": True}) + "\n")
    tsconfig = json.loads((REPO / "examples" / "typescript" / "tsconfig.json").read_text())
    tsconfig["files"] = [main] if main.endswith(".ts") else []
    (folder / "tsconfig.json").write_text(json.dumps(tsconfig))
    (folder / main).write_text(source)
    (folder / "node_modules").symlink_to(node_modules, target_is_directory=True)


def go_sdk_copy(root: Path) -> Path:
    """The SDK module (sdk/go.mod, go.sum, go/) copied under `root`: what programs `replace` to."""
    sdk = root / "sdk"
    sdk.mkdir(parents=True, exist_ok=True)
    for name in ("go.mod", "go.sum"):
        shutil.copyfile(REPO / "sdk" / name, sdk / name)
    shutil.copytree(REPO / "sdk" / "go", sdk / "go")
    return sdk


def write_go_module(folder: Path, sdk: Path, source: str | None = None) -> None:
    """examples/go's go.mod (its `replace` pointed at `sdk`) and go.sum, and main.go when given."""
    folder.mkdir(parents=True, exist_ok=True)
    gomod = (REPO / "examples" / "go" / "go.mod").read_text()
    gomod = gomod.replace("=> ../../sdk", f"=> {sdk}")
    (folder / "go.mod").write_text(gomod)
    shutil.copyfile(REPO / "examples" / "go" / "go.sum", folder / "go.sum")
    if source is not None:
        (folder / "main.go").write_text(source)


def write_go_project(folder: Path, *, options: dict[str, Any] | None = None, plugins: bool = True) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    head = "name: plivo-go-e2e\n" + runtime_block("go", options)
    (folder / "Pulumi.yaml").write_text(head + (plugins_block() if plugins else ""))


def outputs(project: CliProject) -> dict[str, Any]:
    done = project.pulumi("stack", "output", "--json", "--show-secrets", "--stack", project.stack)
    assert done.ok, done.output
    return json.loads(done.output)


def drift_is_gated_then_reconciled(project, sim, app_id: str) -> None:
    """The lifecycle programs' drift check (TypeScript and Go declare the same resources): drift
    made in the console fails the gate, naming each resource that moved, with no write; `pulumi up
    --refresh` puts the code's values back, and the gate passes again."""
    from tests.support.accounts import APPS, NUMBERS

    sim.edit_out_of_band(NUMBERS[0], app_id=APPS[1])
    sim.edit_out_of_band(NUMBERS[2], app_id=APPS[0])
    sim.edit_out_of_band(NUMBERS[3], app_id=APPS[2])
    sim.edit_application(app_id, answer_url="https://elsewhere.example.com/answer")
    sim.clear_log()
    drifted = project.gate()
    assert not drifted.ok, drifted.output
    for name in ("frontDesk", "supportLines", "sales-line", "ivr"):
        assert name in drifted.output, name
    assert sim.requests_log()["by_method"].get("POST", 0) == 0, "a gate never writes"

    fixed = project.up("--refresh")
    assert fixed.ok, fixed.output
    assert sim.number(NUMBERS[0])["app_id"] == app_id
    assert sim.number(NUMBERS[2])["app_id"] == APPS[1]
    assert sim.number(NUMBERS[3])["app_id"] == app_id
    assert sim.application(app_id)["answer_url"] == "https://voice.example.com/ivr/answer"
    again = project.gate()
    assert again.ok, again.output
