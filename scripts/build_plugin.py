"""Builds the native provider's plugin archive: `make plugin`.

    dist/pulumi-resource-plivo-v<version>-<os>-<arch>.tar.gz     (e.g. v0.1.0-linux-amd64)

for `pulumi plugin install resource plivo <version> --file <archive>` (docs/native-provider-install.md).
The engine unpacks it into `$PULUMI_HOME/plugins/resource-plivo-v<version>/` and runs the executable
`pulumi-resource-plivo` at its top.

The default kind, `binary`, needs no Python on the user's machine: PyInstaller (pinned in
scripts/plugin-build-requirements.txt, installed once into build/pyinstaller/venv) freezes
`plivo_pulumi.native.server:main` in one-folder mode. The archive holds:

- `pulumi-resource-plivo`: an ELF executable (PyInstaller's bootloader) that starts the bundled
  interpreter in-process (no child process: the plugin's parent stays the engine, which
  `EngineWatch` relies on) with our code and its dependencies, byte-compiled, appended to it;
- `_internal/`: the interpreter (libpython3.11, the stdlib's extension modules, base_library.zip), the
  compiled extensions of grpcio, protobuf and PyYAML, the shared libraries they link (libssl, libstdc++...),
  certifi's CA bundle and the dist-info metadata OpenTelemetry's entry points need;
- `PLUGIN-INFO.txt`: version, kind, Python and PyInstaller versions, platform and the newest glibc
  symbol version its binaries use (the oldest glibc it runs on), and the bundled distributions.

Its dependencies are the versions installed in this checkout's venv (the ones the suite tests),
installed with `pip install --target` and analysed from there, so neither the venv nor an editable
install leaks in. Binaries are stripped; tkinter, sqlite3, readline, pdb, pydoc, doctest, unittest
and debugpy are left out (nothing the provider runs imports them). The platform is the build
machine's (linux-amd64, glibc of the build machine as the baseline: build on the oldest glibc to
support).

`--kind script` builds the previous console-script archive, kept for comparison (bench/plugin.py):
`lib/` (site-packages) and a POSIX sh launcher that runs a Python 3.11 of the user's machine, isolated
(`-I -S`), with `lib/` as its only site directory: `$PLIVO_PLUGIN_PYTHON`, else the interpreter the
archive was built with (its absolute path) if it exists, else `python3.11` on PATH. It is written
as `...-<os>-<arch>-script.tar.gz`.
"""

from __future__ import annotations

import argparse
import compileall
import fcntl
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DIST = REPO / "dist"
NAME = "pulumi-resource-plivo"
ENTRY = "plivo_pulumi.native.server:main"
KINDS = ("binary", "script")
PYINSTALLER_PINS = REPO / "scripts" / "plugin-build-requirements.txt"
PYINSTALLER_VENV = REPO / "build" / "pyinstaller" / "venv"
# Modules nothing in the provider imports at run time (dill, a Pulumi SDK dependency, names some of
# them as optional imports): left out of the binary archive to keep it small.
EXCLUDED_MODULES = (
    "tkinter",
    "_tkinter",
    "sqlite3",
    "readline",
    "pdb",
    "pydoc",
    "doctest",
    "unittest",
    "lib2to3",
    "debugpy",
)
# Our modules the engine reaches through names (adapters and invokes are imported inside functions).
COLLECTED = ("plivo_pulumi.native", "plivo_pulumi.core")

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
    print(f"[make plugin] {message}", file=sys.stderr, flush=True)


def platform_tag() -> str:
    system = platform.system().lower()
    machine = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine().lower())
    return f"{system}-{machine}"


def archive_name(version: str, kind: str = "binary") -> str:
    """The binary archive keeps the name the engine and a download URL expect; the comparison one
    says what it is."""
    suffix = "" if kind == "binary" else f"-{kind}"
    return f"{NAME}-v{version}-{platform_tag()}{suffix}.tar.gz"


def installed_versions(python: str) -> list[str]:
    """`name==version` of every non-editable distribution in the venv: the versions the suite tests."""
    frozen = subprocess.run(
        [python, "-m", "pip", "freeze", "--exclude-editable"], check=True, capture_output=True, text=True
    ).stdout
    return [line for line in frozen.splitlines() if "==" in line and not line.startswith("#")]


def install_lib(lib: Path, python: str, scratch: Path) -> list[str]:
    """plivo_pulumi (built from this checkout, not editable) and its runtime dependencies at the
    venv's versions into `lib`; returns the distributions installed."""
    constraints = scratch / "constraints.txt"
    constraints.write_text("\n".join(installed_versions(python)) + "\n")
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile"]
        + ["--target", str(lib), "--constraint", str(constraints), str(REPO)],
        check=True,
    )
    # Console scripts pip wrote name this build's interpreter; the archive has its own entry.
    shutil.rmtree(lib / "bin", ignore_errors=True)
    return sorted(p.name.removesuffix(".dist-info") for p in lib.glob("*.dist-info"))


def pyinstaller_python() -> Path:
    """The python of build/pyinstaller/venv, with the pinned PyInstaller: made once per pin set (a
    stamp holds the pins and the interpreter it was made for), under a lock, since test workers may
    build at the same time."""
    venv = PYINSTALLER_VENV
    python = venv / "bin" / "python"
    base = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    wanted = f"{base} {platform.python_version()}\n{PYINSTALLER_PINS.read_text()}"
    stamp = venv / ".installed"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.is_file() and stamp.read_text() == wanted and python.exists():
            return python
        say(f"installing PyInstaller ({PYINSTALLER_PINS.name}) into {venv.relative_to(REPO)}")
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([base, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
            + ["--no-deps", "--requirement", str(PYINSTALLER_PINS)],
            check=True,
        )
        stamp.write_text(wanted)
    return python


def glibc_baseline(folder: Path) -> str:
    """The newest `GLIBC_x.y` symbol version any ELF file in `folder` asks for: the oldest glibc the
    archive runs on (read from the files' version-needs strings; no binutils needed)."""
    found: set[tuple[int, ...]] = set()
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with open(path, "rb") as f:
                if f.read(4) != b"\x7fELF":
                    continue
                data = f.read()
            found.update(tuple(map(int, m.split(b"."))) for m in re.findall(rb"GLIBC_(\d+(?:\.\d+)+)", data))
    return ".".join(map(str, max(found))) if found else "unknown"


def freeze(lib: Path, scratch: Path) -> Path:
    """PyInstaller's one-folder build of the entry point, analysed from `lib`; returns the folder."""
    python = pyinstaller_python()
    module, function = ENTRY.split(":")
    entry = scratch / f"{NAME}.py"
    entry.write_text(f"from {module} import {function}\n\n{function}()\n")
    args = [str(python), "-m", "PyInstaller", "--onedir", "--name", NAME, "--noconfirm", "--clean"]
    args += ["--log-level", "WARN", "--strip", "--paths", str(lib)]
    args += ["--distpath", str(scratch / "frozen"), "--workpath", str(scratch / "work")]
    args += ["--specpath", str(scratch)]
    for name in EXCLUDED_MODULES:
        args += ["--exclude-module", name]
    for name in COLLECTED:
        args += ["--collect-submodules", name]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    # PyInstaller's cache (stripped binaries) per build: concurrent builds never share it.
    env["PYINSTALLER_CONFIG_DIR"] = str(scratch / "pyinstaller-cache")
    subprocess.run([*args, str(entry)], check=True, cwd=scratch, env=env)
    return scratch / "frozen" / NAME


def pinned_pyinstaller() -> str:
    for line in PYINSTALLER_PINS.read_text().splitlines():
        if line.lower().startswith("pyinstaller=="):
            return line.split("==", 1)[1]
    return "unknown"


def stage_binary(stage: Path, scratch: Path, python: str, version: str) -> None:
    lib = scratch / "lib"
    say(f"installing plivo_pulumi {version} and its dependencies for analysis")
    packages = install_lib(lib, python, scratch)
    say("freezing with PyInstaller (one-folder, stripped)")
    frozen = freeze(lib, scratch)
    frozen.rename(stage)
    pyver = platform.python_version()
    (stage / "PLUGIN-INFO.txt").write_text(
        f"{NAME} {version} for {platform_tag()} (glibc >= {glibc_baseline(stage)})\n"
        f"kind: binary, self-contained: PyInstaller {pinned_pyinstaller()} one-folder build with its own "
        f"{platform.python_implementation()} {pyver} in _internal/; no Python is needed on the machine\n"
        f"entry point: {ENTRY}\n"
        "bundled from:\n" + "".join(f"  {p}\n" for p in packages)
    )


def stage_script(stage: Path, scratch: Path, python: str, version: str) -> None:
    pyver = f"{sys.version_info.major}.{sys.version_info.minor}"
    built_with = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    lib = stage / "lib"
    say(f"installing plivo_pulumi {version} and its dependencies into lib/")
    packages = install_lib(lib, python, scratch)
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
            name=NAME, version=version, pyver=pyver, built_with=built_with, module=module, function=function
        )
    )
    launcher.chmod(0o755)
    (stage / "PLUGIN-INFO.txt").write_text(
        f"{NAME} {version} for Python {pyver} on {platform_tag()}\n"
        "kind: script, for comparison only: needs Python "
        f"{pyver} on the machine (see the launcher)\n"
        f"built with {built_with} ({platform.python_implementation()} {platform.python_version()})\n"
        f"entry point: {ENTRY}\n"
        "lib/ holds:\n" + "".join(f"  {p}\n" for p in packages)
    )


def build(out_dir: Path = DIST, python: str = sys.executable, kind: str = "binary") -> Path:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    sys.path.insert(0, str(REPO))
    from plivo_pulumi import __version__

    archive = out_dir / archive_name(__version__, kind)
    with tempfile.TemporaryDirectory(prefix="plivo-plugin-") as tmp:
        scratch = Path(tmp)
        stage = scratch / "plugin"
        if kind == "binary":
            stage_binary(stage, scratch, python, __version__)
        else:
            stage.mkdir()
            stage_script(stage, scratch, python, __version__)
        out_dir.mkdir(parents=True, exist_ok=True)
        partial = archive.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as tar:
            for path in sorted(stage.rglob("*")):
                tar.add(path, arcname=path.relative_to(stage).as_posix(), recursive=False)
        partial.replace(archive)
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DIST, help="folder to write the archive into (dist/)")
    parser.add_argument(
        "--kind",
        choices=KINDS,
        default="binary",
        help="binary: self-contained, no Python needed (the default); script: the console-script "
        "archive that needs Python 3.11 on the machine, for comparison",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    archive = build(args.out, kind=args.kind)
    size = archive.stat().st_size / 1e6
    say(f"wrote {archive} ({size:.1f} MB, {time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
