"""Builds the native provider's plugin tarball: `make plugin`.

    dist/pulumi-resource-plivo-v<version>-<os>-<arch>.tar.gz     (e.g. v0.1.0-linux-amd64)

for `pulumi plugin install resource plivo <version> --file <tarball>` (docs/native-provider-install.md).
The engine unpacks it into `$PULUMI_HOME/plugins/resource-plivo-v<version>/` and runs the executable
`pulumi-resource-plivo` at its top. What it holds:

- `lib/`: plivo_pulumi (built from this checkout, not editable) and every runtime dependency (the
  Pulumi SDK, grpcio, protobuf, requests...), at the versions installed in this checkout's venv, the
  ones the suite tests, installed with `pip install --target` and precompiled. grpcio and protobuf
  are compiled extensions, so the tarball is for one Python minor version (the venv's, 3.11) on one
  platform (the build machine's);
- `pulumi-resource-plivo`: a POSIX sh launcher that runs `python3.X -I -S` (isolated: no user site,
  no PYTHON* variables, no site-packages of the interpreter or of an active venv) with `lib/` as its
  only site directory, and calls `plivo_pulumi.native.server:main`, the function of the
  `pulumi-resource-plivo` console script. The interpreter: `$PLIVO_PLUGIN_PYTHON` if set, else the one
  the tarball was built with (its absolute path) if it exists, else `python3.X` on PATH;
- `PLUGIN-INFO.txt`: the version, Python and platform it was built for, and the packages in `lib/`.

Nothing from a venv is needed at run time, nothing is looked up on PATH but the interpreter, and the
engine prints no "from $PATH" warning.
"""

from __future__ import annotations

import argparse
import compileall
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DIST = REPO / "dist"
NAME = "pulumi-resource-plivo"
ENTRY = "plivo_pulumi.native.server:main"

LAUNCHER = """#!/bin/sh
# {name} {version}: the plivo Pulumi provider (built by `make plugin`, see PLUGIN-INFO.txt).
# Runs Python {pyver} isolated (-I -S), with lib/ beside this file as its only site directory.
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
py="${{PLIVO_PLUGIN_PYTHON:-}}"
if [ -z "$py" ]; then
  if [ -x '{built_with}' ]; then py='{built_with}'; else py=$(command -v python{pyver} || true); fi
fi
if [ -z "$py" ]; then
  echo "{name}: needs Python {pyver} (python{pyver} on PATH, or PLIVO_PLUGIN_PYTHON)" >&2
  exit 1
fi
exec "$py" -I -S -c '
import site, sys
site.addsitedir(sys.argv.pop(1))
from {module} import {function}
{function}()
' "$here/lib" "$@"
"""


def say(message: str) -> None:
    print(f"[make plugin] {message}", file=sys.stderr)


def platform_tag() -> str:
    system = platform.system().lower()
    machine = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine().lower())
    return f"{system}-{machine}"


def installed_versions(python: str) -> list[str]:
    """`name==version` of every non-editable distribution in the venv: the versions the suite tests."""
    frozen = subprocess.run(
        [python, "-m", "pip", "freeze", "--exclude-editable"], check=True, capture_output=True, text=True
    ).stdout
    return [line for line in frozen.splitlines() if "==" in line and not line.startswith("#")]


def build(out_dir: Path = DIST, python: str = sys.executable) -> Path:
    sys.path.insert(0, str(REPO))
    from plivo_pulumi import __version__

    pyver = f"{sys.version_info.major}.{sys.version_info.minor}"
    built_with = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    tarball = out_dir / f"{NAME}-v{__version__}-{platform_tag()}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="plivo-plugin-") as scratch:
        stage = Path(scratch) / "plugin"
        lib = stage / "lib"
        constraints = Path(scratch) / "constraints.txt"
        constraints.write_text("\n".join(installed_versions(python)) + "\n")
        say(f"installing plivo_pulumi {__version__} and its dependencies into lib/")
        subprocess.run(
            [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile"]
            + ["--target", str(lib), "--constraint", str(constraints), str(REPO)],
            check=True,
        )
        # Console scripts pip wrote name this build's interpreter; the launcher replaces them.
        shutil.rmtree(lib / "bin", ignore_errors=True)
        # Precompiled, checked by hash not by mtime: the engine's unpacking does not keep mtimes.
        compileall.compile_dir(
            lib,
            quiet=1,
            workers=0,
            stripdir=str(stage),
            prependdir=NAME,
            invalidation_mode=compileall.py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
        module, function = ENTRY.split(":")
        launcher = stage / NAME
        launcher.write_text(
            LAUNCHER.format(
                name=NAME,
                version=__version__,
                pyver=pyver,
                built_with=built_with,
                module=module,
                function=function,
            )
        )
        launcher.chmod(0o755)
        packages = sorted(p.name.removesuffix(".dist-info") for p in lib.glob("*.dist-info"))
        (stage / "PLUGIN-INFO.txt").write_text(
            f"{NAME} {__version__} for Python {pyver} on {platform_tag()}\n"
            f"built with {built_with} ({platform.python_implementation()} {platform.python_version()})\n"
            f"entry point: {ENTRY}\n"
            "lib/ holds:\n" + "".join(f"  {p}\n" for p in packages)
        )
        out_dir.mkdir(parents=True, exist_ok=True)
        partial = tarball.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as tar:
            for path in sorted(stage.rglob("*")):
                tar.add(path, arcname=path.relative_to(stage).as_posix(), recursive=False)
        partial.replace(tarball)
    return tarball


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DIST, help="folder to write the tarball into (dist/)")
    args = parser.parse_args(argv)
    tarball = build(args.out)
    size = tarball.stat().st_size / 1e6
    say(f"wrote {tarball} ({size:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
