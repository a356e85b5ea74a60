"""Generates the native provider's SDKs from its schema: `make sdk` (python), or
`python scripts/gen_sdk.py [--language python|nodejs|go] [--check]`.

The schema is `plivo_pulumi.native.schema.schema()`, the document the plugin's GetSchema returns. It
is written to `sdk/schema.json` and handed to `.tools/bin/plivo-codegen` (`make tools` builds it from
scripts/codegen: the code generators of the engine's own pkg/v3), which writes `sdk/<language>/`.
Python is `pulumi_plivo`, committed so that `make venv` installs it without Go; `--check` regenerates
into a temporary folder and fails, naming the files, when the committed tree differs (the suite runs
it: tests/test_sdk.py).

A language section the schema leaves out gets the defaults below (the schema's own values win): the
Python SDK's version is the schema's `version` (`respectSchemaVersion`), which is the version the
generated `pulumi-plugin.json` makes the engine ask the plugin for.

The schema's `pluginDownloadURL` (where `pulumi install`/`up` fetch the plugin) is set at build time:
`--plugin-download-url URL`, else `$PLUGIN_DOWNLOAD_URL` (`make sdk PLUGIN_DOWNLOAD_URL=...`), else
the release URL (plivo_pulumi/native/plugin_url.py), which the committed SDKs carry and `--check`
compares against.
"""

from __future__ import annotations

import argparse
import copy
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SDK = REPO / "sdk"
SCHEMA_FILE = SDK / "schema.json"
CODEGEN = REPO / ".tools" / "bin" / "plivo-codegen"
LANGUAGES = ("python", "nodejs", "go")

LANGUAGE_DEFAULTS: dict[str, dict[str, Any]] = {
    "python": {
        "packageName": "pulumi_plivo",
        "respectSchemaVersion": True,
        "pyproject": {"enabled": True},
    },
    "nodejs": {"packageName": "@plivo-pulumi/plivo", "respectSchemaVersion": True},
    "go": {
        "importBasePath": "github.com/plivo-pulumi/pulumi-plivo/sdk/go/plivo",
        "respectSchemaVersion": True,
    },
}

# The Python SDK's own check of a set's keys and values, added to the generated code (`_refine_python`):
# Pulumi's Python SDK drops a `None` value from a map and fails on a non-string key deep in its
# serializer (`TypeError: bad argument type for built-in operation`), both before the plugin can see
# them. The check raises `pulumi.RunError`, which the language host prints as the message alone.
PYTHON_CHECKS = REPO / "scripts" / "sdk_additions" / "python_checks.py"
_SET_MODULE = "rented_number_set.py"
_SET_ASSIGNMENT = '            __props__.__dict__["bindings"] = bindings\n'


def _refine_python(package_dir: Path) -> None:
    """Adds `_checks.py` and calls it where the set's constructor takes its bindings."""
    shutil.copyfile(PYTHON_CHECKS, package_dir / "_checks.py")
    module = package_dir / _SET_MODULE
    text = module.read_text()
    if text.count(_SET_ASSIGNMENT) != 1:
        raise SystemExit(f"gen_sdk: {module} no longer assigns bindings as expected; update _refine_python")
    call = "            _checks.refuse_unusable_bindings(resource_name, bindings)\n"
    text = text.replace(_SET_ASSIGNMENT, call + _SET_ASSIGNMENT)
    text = text.replace("from . import _utilities\n", "from . import _checks, _utilities\n", 1)
    module.write_text(text)


# What a checkout or an install leaves in an SDK folder that the generator never writes.
IGNORED = {"__pycache__", "build", "dist", "node_modules", ".mypy_cache"}


def package_schema(download_url: str | None = None) -> dict[str, Any]:
    """The provider's schema with the language defaults filled in (and `download_url` as its
    pluginDownloadURL, if given)."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from plivo_pulumi import __version__
    from plivo_pulumi.native.schema import schema

    spec = copy.deepcopy(schema(download_url))
    if spec.get("version") != __version__:
        raise SystemExit(
            f"gen_sdk: the schema's version is {spec.get('version')!r} but plivo_pulumi.__version__ is "
            f"{__version__!r}; the SDK would ask the engine for a plugin version that does not exist"
        )
    languages = spec.setdefault("language", {})
    for language, defaults in LANGUAGE_DEFAULTS.items():
        languages[language] = {**defaults, **languages.get(language, {})}
    return spec


def schema_text(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate(
    out: Path, language: str = "python", codegen: Path = CODEGEN, download_url: str | None = None
) -> Path:
    """Writes sdk/schema.json and the SDK of `language` into `out` (sdk/ or a scratch copy of it)."""
    if not os.access(codegen, os.X_OK):
        raise SystemExit(f"gen_sdk: {codegen} is missing: run `make tools` (it builds plivo-codegen)")
    spec = package_schema(download_url)
    out.mkdir(parents=True, exist_ok=True)
    (out / "schema.json").write_text(schema_text(spec))
    target = out / language
    with tempfile.TemporaryDirectory(prefix="plivo-sdk-") as scratch:
        fresh = Path(scratch) / language
        subprocess.run(
            [str(codegen), "--schema", str(out / "schema.json"), "--language", language, "--out", str(fresh)],
            check=True,
        )
        if language == "python":
            # The generated pyproject.toml names README.md beside it; the generator writes the
            # package's readme inside the package only.
            package = spec["language"]["python"]["packageName"]
            shutil.copyfile(fresh / package / "README.md", fresh / "README.md")
            _refine_python(fresh / package)
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(fresh, target)
    return target


def tree(root: Path) -> dict[str, Path]:
    """The files under root by relative path, without what installs and caches leave there."""
    found: dict[str, Path] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in IGNORED and not d.endswith(".egg-info")]
        for name in filenames:
            if not name.endswith(".pyc"):
                path = Path(dirpath) / name
                found[path.relative_to(root).as_posix()] = path
    return found


def differences(committed: Path, fresh: Path, label: str = "") -> list[str]:
    """What differs between two SDK trees, one line per file (its path prefixed with label)."""
    have, want = tree(committed), tree(fresh)
    lines = [f"missing: {label}{name}" for name in sorted(want.keys() - have.keys())]
    lines += [f"stale (no longer generated): {label}{name}" for name in sorted(have.keys() - want.keys())]
    lines += [
        f"differs: {label}{name}"
        for name in sorted(have.keys() & want.keys())
        if not filecmp.cmp(have[name], want[name], shallow=False)
    ]
    return lines


def check(language: str = "python", codegen: Path = CODEGEN) -> list[str]:
    """Regenerates into a temporary folder; the differences from the committed sdk/ (empty: in step)."""
    with tempfile.TemporaryDirectory(prefix="plivo-sdk-check-") as scratch:
        fresh = Path(scratch) / "sdk"
        generate(fresh, language, codegen)
        found = differences(SDK / language, fresh / language, f"sdk/{language}/")
        if not SCHEMA_FILE.is_file() or not filecmp.cmp(SCHEMA_FILE, fresh / "schema.json", shallow=False):
            found.insert(0, "differs: sdk/schema.json")
        return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--language", choices=LANGUAGES, default="python")
    parser.add_argument(
        "--check", action="store_true", help="fail if the committed SDK differs; write nothing"
    )
    parser.add_argument("--codegen", type=Path, default=CODEGEN)
    parser.add_argument(
        "--plugin-download-url",
        help="where the SDKs make the engine fetch the plugin (default: $PLUGIN_DOWNLOAD_URL, else the "
        "release URL); not with --check, which compares with the release URL",
    )
    args = parser.parse_args(argv)
    if args.check:
        found = check(args.language, args.codegen)
        if found:
            print(f"sdk/{args.language} is out of step with the schema; run `make sdk`:", file=sys.stderr)
            print("\n".join(f"  {line}" for line in found), file=sys.stderr)
            return 1
        print(f"sdk/{args.language} matches the schema", file=sys.stderr)
        return 0
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from plivo_pulumi.native import plugin_url

    try:
        if args.plugin_download_url:
            url = plugin_url.checked(args.plugin_download_url, "--plugin-download-url")
        else:
            url = plugin_url.from_environment(os.environ)
    except ValueError as refused:
        print(f"gen_sdk: {refused}", file=sys.stderr)
        return 2
    target = generate(SDK, args.language, args.codegen, url)
    written = f"{target.relative_to(REPO)} and sdk/schema.json"
    print(f"gen_sdk: wrote {written} (the plugin downloads from {url})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
