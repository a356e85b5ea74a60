"""Builds what users install, into dist/: `make dist` (docs/install.md says how each is installed).

    plivo_pulumi-<v>-py3-none-any.whl, plivo_pulumi-<v>.tar.gz   the library, its plugin script, the CLI
    pulumi_plivo-<v>-py3-none-any.whl                             the Python SDK (sdk/python)
    plivo-pulumi-plivo-<v>.tgz                                    the TypeScript SDK (sdk/nodejs), `npm pack`
    goproxy/github.com/plivo-pulumi/pulumi-plivo/sdk/@v/v<v>.*    the Go SDK module (sdk/go.mod, sdk/go)
    pulumi-resource-plivo-v<v>-<os>-<arch>.tar.gz                 the plugin (`make plugin`, listed here)

Each is built from the files git tracks, copied to a scratch folder, so nothing of a developer's
checkout (an editable install's egg-info, a stale build/, node_modules) leaks into an artifact:

- the wheels and the sdist with `python -m build` (PEP 517, the backend in an isolated environment);
- the TypeScript SDK compiled with the `tsc` of examples/typescript's package-lock.json (the pinned
  toolchain the suite compiles and runs it with), then `npm pack` of the compiled folder. The packed
  package.json is the generated one with `main` and `types` added (index.js, index.d.ts);
- the Go module as the Go module proxy serves it (`list`, `.info`, `.mod`, `.zip`; the zip holds
  every tracked file under sdk/, as the proxy's zip of the tag `sdk/v<v>` would). Users of a
  published repository `go get` it by path from that tag; the folder lets them, and the tests, fetch
  it with `GOPROXY=file://...` before then, or unpack it and `replace` the module path to it.

Prints what it built with sizes and times.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DIST = REPO / "dist"
TIMEOUT = 900
# Never part of an artifact, should a checkout outside git be built (the fallback of tracked_files).
UNTRACKED = {".git", "node_modules", "bin", "build", "dist", "__pycache__", ".venv"}


class BuildError(Exception):
    """A build step failed or a tool is missing: main() prints the message alone, no traceback."""


def say(message: str) -> None:
    print(f"[make dist] {message}", file=sys.stderr, flush=True)


def version() -> str:
    sys.path.insert(0, str(REPO))
    from plivo_pulumi import __version__

    return __version__


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Runs a build step; on failure stops with its output (the step's own message is the useful one)."""
    done = subprocess.run(
        args,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise BuildError(f"failed: {' '.join(args)}\n{done.stdout}{done.stderr}")
    return done.stdout


def tracked_files(folder: Path) -> list[Path]:
    """The files git tracks under `folder` (relative to it); outside git, all but build leftovers."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--", "."], cwd=folder, capture_output=True, text=True, check=False
    )
    if listed.returncode == 0 and listed.stdout:
        return sorted(Path(p) for p in listed.stdout.split("\0") if p and (folder / p).is_file())
    return sorted(
        p.relative_to(folder)
        for p in folder.rglob("*")
        if p.is_file()
        and not UNTRACKED.intersection(p.relative_to(folder).parts)
        and ".egg-info" not in str(p)
    )


def copy_tracked(source: Path, target: Path, only: tuple[str, ...] = ()) -> Path:
    """Copies the tracked files under `source` (those under the names in `only`, when given) to `target`."""
    for rel in tracked_files(source):
        if only and rel.parts[0] not in only:
            continue
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / rel, target / rel)
    return target


def python_packages(out: Path) -> list[Path]:
    """plivo-pulumi's sdist and wheel, and the pulumi_plivo SDK's wheel."""
    built: list[Path] = []
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="plivo-dist-py-") as scratch:
        library = copy_tracked(
            REPO, Path(scratch) / "plivo-pulumi", ("pyproject.toml", "README.md", "plivo_pulumi")
        )
        sdk = copy_tracked(REPO / "sdk" / "python", Path(scratch) / "pulumi_plivo")
        # The files' times in the archives: the last commit's, so a rebuild of a commit is the same.
        epoch = {"SOURCE_DATE_EPOCH": str(int(last_commit_time(REPO)))}
        # No flag: the sdist, then the wheel built from it (so the sdist is known to be complete).
        for source, kinds in ((library, []), (sdk, ["--wheel"])):
            made = Path(scratch) / f"out-{source.name}"
            build = [sys.executable, "-m", "build", *kinds, "--outdir", str(made), str(source)]
            run(build, cwd=source, env=epoch)
            for artifact in sorted(made.iterdir()):
                built.append(Path(shutil.copy2(artifact, out / artifact.name)))
    return built


def nodejs_package(out: Path, toolchain: Path | None = None) -> list[Path]:
    """`npm pack` of sdk/nodejs compiled to JavaScript and declarations with the pinned `tsc`.
    `toolchain`: the folder to `npm ci` examples/typescript's lock in, kept (a TypeScript project
    with its dependencies installed, which tests/e2e/test_dist.py installs the tarball into);
    by default a scratch folder."""
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm is needed to build the TypeScript SDK (README, 'TypeScript and Go')")
    with tempfile.TemporaryDirectory(prefix="plivo-dist-npm-") as scratch:
        root = toolchain or Path(scratch)
        for folder in (root, out):
            folder.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(REPO / "examples" / "typescript" / name, root / name)
        run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=root)
        sdk = copy_tracked(REPO / "sdk" / "nodejs", Path(scratch) / "sdk")
        # tsc resolves @pulumi/pulumi and @types/node from the toolchain's node_modules.
        (sdk / "node_modules").symlink_to(root / "node_modules", target_is_directory=True)
        run([str(root / "node_modules" / ".bin" / "tsc"), "-p", str(sdk)], cwd=sdk)
        compiled = sdk / "bin"
        manifest = json.loads((sdk / "package.json").read_text())
        manifest.update(main="index.js", types="index.d.ts")
        (compiled / "package.json").write_text(json.dumps(manifest, indent=4) + "\n")
        shutil.copyfile(sdk / "README.md", compiled / "README.md")
        packed = json.loads(run([npm, "pack", "--json", "--pack-destination", str(out)], cwd=compiled))
    return [out / packed[0]["filename"]]


def go_module_path() -> str:
    found = re.search(r"^module\s+(\S+)", (REPO / "sdk" / "go.mod").read_text(), re.MULTILINE)
    if found is None:
        raise BuildError("sdk/go.mod names no module")
    return found.group(1)


def escaped(module: str) -> str:
    """The module proxy's case encoding of a path: each capital letter becomes `!` and the lower one."""
    return re.sub(r"[A-Z]", lambda m: "!" + m.group(0).lower(), module)


def go_module(out: Path) -> list[Path]:
    """The Go SDK module at v<version> in the module-proxy layout: out/goproxy/<module>/@v/."""
    module, tag = go_module_path(), f"v{version()}"
    folder = out / "goproxy" / escaped(module) / "@v"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sdk = REPO / "sdk"
    archive = folder / f"{tag}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for rel in tracked_files(sdk):
            if "vendor" in rel.parts[:-1]:
                continue
            entry = zipfile.ZipInfo(f"{module}@{tag}/{rel.as_posix()}", date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            zipped.writestr(entry, (sdk / rel).read_bytes())
    shutil.copyfile(sdk / "go.mod", folder / f"{tag}.mod")
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(last_commit_time(sdk)))
    (folder / f"{tag}.info").write_text(json.dumps({"Version": tag, "Time": stamp}) + "\n")
    (folder / "list").write_text(tag + "\n")
    return [archive, folder / f"{tag}.mod", folder / f"{tag}.info", folder / "list"]


def last_commit_time(folder: Path) -> float:
    """When `folder` last changed in git (the `.info` time a proxy gives for a tag); else now."""
    done = subprocess.run(
        ["git", "log", "-1", "--format=%ct", "--", "."],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    return float(done.stdout) if done.returncode == 0 and done.stdout.strip() else time.time()


def plugin_tarballs(out: Path) -> list[Path]:
    """The plugin tarballs `make plugin` left in `out` for this version (`make dist` runs it first)."""
    return sorted(out.glob(f"pulumi-resource-plivo-v{version()}-*.tar.gz"))


BUILDERS: dict[str, Callable[[Path], list[Path]]] = {
    "python": python_packages,
    "nodejs": nodejs_package,
    "go": go_module,
}


def human(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.1f} kB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DIST, help="folder to write into (dist/)")
    parser.add_argument("--only", choices=sorted(BUILDERS), action="append", help="build only these")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[Path, str]] = []
    for name in args.only or list(BUILDERS):
        say(f"building {name}...")
        started = time.monotonic()
        try:
            built = BUILDERS[name](out)
        except BuildError as error:
            say(str(error))
            return 1
        took = f"{name}, {time.monotonic() - started:.1f} s"
        rows += [(path, took if i == 0 else "") for i, path in enumerate(built)]
    plugins = plugin_tarballs(out)
    rows += [(path, "make plugin") for path in plugins]
    width = max(len(str(p.relative_to(out))) for p, _ in rows)
    print(f"built in {out} (the time is each build's, all its files together):")
    for path, took in rows:
        print(f"  {str(path.relative_to(out)):<{width}}  {human(path.stat().st_size):>9}  {took}")
    if not plugins and not args.only:
        say("no plugin tarball in the folder: `make dist` builds it (`make plugin`)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
