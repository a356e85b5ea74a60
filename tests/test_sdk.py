"""The generated Python SDK `pulumi_plivo` (sdk/python, committed): in step with the native provider's
schema, and one version everywhere, the one the SDK makes the engine ask the plugin for."""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import re
import shutil
import sys
import tomllib
from pathlib import Path

import pytest

from plivo_pulumi import __version__
from plivo_pulumi.native.schema import schema

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
import gen_sdk  # noqa: E402

SDK = REPO / "sdk" / "python"


@pytest.mark.tools
def test_committed_sdk_is_what_the_schema_generates() -> None:
    if not gen_sdk.CODEGEN.is_file():
        pytest.fail(f"{gen_sdk.CODEGEN} is missing: `make tools` builds it (make test runs it first)")
    found = gen_sdk.check("python")
    assert not found, "sdk/python is out of step with the schema; run `make sdk` and commit:\n" + "\n".join(
        found
    )


def test_one_version_everywhere() -> None:
    """plugin = package = SDK = what the SDK asks the engine for."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    sdk_project = tomllib.loads((SDK / "pyproject.toml").read_text())["project"]
    plugin_json = json.loads((SDK / "pulumi_plivo" / "pulumi-plugin.json").read_text())
    committed_schema = json.loads((REPO / "sdk" / "schema.json").read_text())
    versions = {
        "plivo_pulumi.__version__": __version__,
        "pyproject.toml": project["version"],
        "installed plivo-pulumi": importlib.metadata.version("plivo-pulumi"),
        "schema()['version']": schema()["version"],
        "sdk/schema.json": committed_schema["version"],
        "sdk/python/pyproject.toml": sdk_project["version"],
        "installed pulumi_plivo": importlib.metadata.version("pulumi_plivo"),
        "pulumi-plugin.json (the plugin version the engine asks for)": plugin_json["version"],
    }
    assert set(versions.values()) == {__version__}, versions
    assert plugin_json["name"] == "plivo" and plugin_json["resource"] is True


def test_the_venv_imports_the_committed_sdk() -> None:
    """`make venv` installs sdk/python (editable): every resource and function of the schema is there."""
    pulumi_plivo = importlib.import_module("pulumi_plivo")
    assert pulumi_plivo.__file__ is not None
    assert Path(pulumi_plivo.__file__).resolve().is_relative_to(SDK.resolve())
    spec = schema()
    for token in spec["resources"]:
        assert hasattr(pulumi_plivo, token.rsplit(":", 1)[1]), token
    for token in spec["functions"]:
        name = re.sub(r"(?<!^)(?=[A-Z])", "_", token.rsplit(":", 1)[1]).lower()  # get_rented_numbers
        assert callable(getattr(pulumi_plivo, name, None)), token
    assert hasattr(pulumi_plivo, "Provider")


def test_schema_gets_the_python_defaults_the_sdk_needs() -> None:
    python = gen_sdk.package_schema()["language"]["python"]
    assert python["packageName"] == "pulumi_plivo"
    # Without it the generated package is version 0.0.0 and pulumi-plugin.json names no version.
    assert python["respectSchemaVersion"] is True


def test_differences_name_the_files(tmp_path: Path) -> None:
    committed, fresh = tmp_path / "committed", tmp_path / "fresh"
    for root in (committed, fresh):
        (root / "pkg").mkdir(parents=True)
        (root / "pkg" / "same.py").write_text("x = 1\n")
    (committed / "pkg" / "changed.py").write_text("old\n")
    (fresh / "pkg" / "changed.py").write_text("new\n")
    (fresh / "pkg" / "added.py").write_text("\n")
    (committed / "pkg" / "removed.py").write_text("\n")
    # What an install or a run leaves behind is not the generator's business.
    (committed / "pkg" / "__pycache__").mkdir()
    (committed / "pkg" / "__pycache__" / "same.cpython-311.pyc").write_bytes(b"")
    (committed / "pkg.egg-info").mkdir()
    (committed / "pkg.egg-info" / "PKG-INFO").write_text("")
    assert gen_sdk.differences(committed, fresh, "sdk/python/") == [
        "missing: sdk/python/pkg/added.py",
        "stale (no longer generated): sdk/python/pkg/removed.py",
        "differs: sdk/python/pkg/changed.py",
    ]
    shutil.rmtree(committed)
    shutil.copytree(fresh, committed)
    assert gen_sdk.differences(committed, fresh) == []


def test_codegen_module_is_pinned_on_the_engine() -> None:
    """scripts/codegen builds on the engine's own pkg/v3 and sdk/v3, from hashes the engine's go.sum
    already pins (so after `make tools` built the engine, the module cache holds its inputs)."""
    engine = (REPO / "scripts" / "install-engine.sh").read_text()
    pinned = re.search(r'^PULUMI_VERSION="(v[0-9.]+)"', engine, re.M)
    assert pinned is not None
    go_mod = (REPO / "scripts" / "codegen" / "go.mod").read_text()
    for module in ("github.com/pulumi/pulumi/pkg/v3", "github.com/pulumi/pulumi/sdk/v3"):
        assert re.search(rf"^\s*{re.escape(module)} {re.escape(pinned.group(1))}$", go_mod, re.M), module
    engine_sums = set((REPO / "scripts" / "engine" / "go.sum").read_text().splitlines())
    codegen_sums = set((REPO / "scripts" / "codegen" / "go.sum").read_text().splitlines())
    assert codegen_sums and codegen_sums <= engine_sums, sorted(codegen_sums - engine_sums)
