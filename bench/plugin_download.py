"""What tests/e2e/test_plugin_download.py spends its time on: `python -m bench.plugin_download [--runs N]`.

Each run repeats the module's setup steps the way its fixtures take them, with a fresh local server
URL (as each suite run has), and times them; it prints the median of each step, side by side with
its fastest and slowest run. The caches of pip, npm and Go stay warm between runs, as on a machine
that ran `make test` before. The engine's fetch is timed as `pulumi plugin install --server` into
an empty PULUMI_HOME: the download and unpacking that `pulumi install` does in each language's test.
Needs `make venv tools` (PATH with .tools/bin first, as `make bench` sets it).
"""

from __future__ import annotations

import argparse
import functools
import importlib.metadata
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(REPO))
import build_plugin  # noqa: E402
import gen_sdk  # noqa: E402

from plivo_pulumi import __version__  # noqa: E402
from tests.support.cli_project import cli_env  # noqa: E402
from tests.support.lang_projects import GO_ENV, build_ts_toolchain, run, write_go_module  # noqa: E402

GO_PROGRAM = """package main

import (
	"github.com/plivo-pulumi/pulumi-plivo/sdk/go/plivo"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		args := &plivo.RentedNumberArgs{Number: pulumi.String("15550000001")}
		_, err := plivo.NewRentedNumber(ctx, "line", args)
		return err
	})
}
"""


def checked(done: subprocess.CompletedProcess[str]) -> None:
    if done.returncode != 0:
        raise SystemExit(f"bench.plugin_download: {done.args} failed:\n{done.stdout}{done.stderr}")


def one_run(root: Path) -> dict[str, float]:
    """The module's setup once, under `root`: seconds per step."""
    served = root / "served"
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/releases/v${{VERSION}}/"
    times: dict[str, float] = {}

    def timed(step: str, action: Callable[[], object]) -> None:
        start = time.perf_counter()
        action()
        times[step] = time.perf_counter() - start

    try:
        os.environ["PLUGIN_DOWNLOAD_URL"] = url
        try:
            timed("plugin archive (build_plugin.build)", lambda: build_plugin.build(root / "dist"))
        finally:
            del os.environ["PLUGIN_DOWNLOAD_URL"]
        archive = next((root / "dist").glob("*.tar.gz"))
        (served / "releases" / f"v{__version__}").mkdir(parents=True)
        shutil.copy(archive, served / "releases" / f"v{__version__}" / archive.name)

        sdk = root / "sdk"

        def generate() -> None:
            for language in gen_sdk.LANGUAGES:
                gen_sdk.generate(sdk, language, download_url=url)
            env = cli_env(root / "gen-home", root / "gen-state")
            command = ["pulumi", "package", "gen-sdk", str(sdk / "schema.json"), "--language", "yaml"]
            checked(subprocess.run([*command, "--out", str(sdk)], env=env, capture_output=True, text=True))

        timed("SDKs: python, nodejs, go, yaml", generate)
        for name in ("go.mod", "go.sum"):
            shutil.copyfile(REPO / "sdk" / name, sdk / name)

        def venv() -> None:
            folder = root / "venv"
            checked(run([sys.executable, "-m", "venv", str(folder)], root))
            pin = f"pulumi=={importlib.metadata.version('pulumi')}"
            pip = [str(folder / "bin" / "python"), "-m", "pip", "install", "-q"]
            checked(run([*pip, str(sdk / "python"), pin], root))

        timed("Python: venv + pip install of the SDK", venv)
        timed("TypeScript: npm ci + tsc of the SDK", lambda: build_ts_toolchain(root / "ts", sdk / "nodejs"))

        def go_build() -> None:
            write_go_module(root / "go", sdk, GO_PROGRAM)
            checked(run(["go", "build", "-o", str(root / "go" / "program"), "."], root / "go", GO_ENV))

        timed("Go: go build of a program (warm cache)", go_build)

        def fetch() -> None:
            env = cli_env(root / "home", root / "state")
            command = ["pulumi", "plugin", "install", "resource", "plivo", __version__, "--server", url]
            checked(subprocess.run(command, env=env, capture_output=True, text=True))

        timed("engine fetch: download + unpack", fetch)
    finally:
        httpd.shutdown()
        httpd.server_close()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    runs: list[dict[str, float]] = []
    for index in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="plivo-bench-download-") as scratch:
            runs.append(one_run(Path(scratch)))
        print(f"run {index + 1}/{args.runs}: {sum(runs[-1].values()):.1f} s", file=sys.stderr)
    print(f"tests/e2e/test_plugin_download.py setup steps, {args.runs} runs (seconds)")
    print(f"{'step':<42} {'median':>7} {'min':>7} {'max':>7}")
    for step in runs[0]:
        values = [r[step] for r in runs]
        print(f"{step:<42} {statistics.median(values):7.1f} {min(values):7.1f} {max(values):7.1f}")
    totals = [sum(r.values()) for r in runs]
    print(f"{'total':<42} {statistics.median(totals):7.1f} {min(totals):7.1f} {max(totals):7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
