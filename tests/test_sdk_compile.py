"""The TypeScript and Go SDKs of the native provider (sdk/nodejs, sdk/go, committed): in step with the
schema, and compiled here with a small program each (examples/typescript, examples/go).

The compile checks that every type, property and function a program names exists with the right type,
with the toolchains users build with (`tsc`, `go build`). Running the programs is the e2e tests' part:
tests/e2e/test_typescript.py and tests/e2e/test_go.py run them through `pulumi` and the Node.js and Go
language hosts that `make tools` builds (scripts/install-langhosts.sh).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
import gen_sdk  # noqa: E402

pytestmark = pytest.mark.tools
TIMEOUT = 900


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        args, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=TIMEOUT
    )
    return done


def need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.fail(f"{tool} is needed to compile the SDK (see README, 'TypeScript and Go')")
    return found


@pytest.mark.parametrize("language", ["nodejs", "go"])
def test_committed_sdk_is_what_the_schema_generates(language: str) -> None:
    if not gen_sdk.CODEGEN.is_file():
        pytest.fail(f"{gen_sdk.CODEGEN} is missing: `make tools` builds it (make test runs it first)")
    found = gen_sdk.check(language)
    assert not found, (
        f"sdk/{language} is out of step with the schema; run `make sdk` and commit:\n" + "\n".join(found)
    )


def test_typescript_sdk_and_program_compile(tmp_path: Path) -> None:
    """README, "TypeScript": the SDK built with `tsc` and the example program compiled against it, with
    the toolchain of examples/typescript/package-lock.json (@pulumi/pulumi, typescript, @types/node)."""
    npm = need("npm")
    example = REPO / "examples" / "typescript"
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(example / name, tmp_path / name)
    installed = run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], tmp_path)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    tsc = str(tmp_path / "node_modules" / ".bin" / "tsc")

    # The SDK, with its own tsconfig (strict): `tsc` in sdk/nodejs, then package.json into bin/.
    sdk = tmp_path / "sdk" / "nodejs"
    shutil.copytree(REPO / "sdk" / "nodejs", sdk, ignore=shutil.ignore_patterns("node_modules", "bin"))
    built = run([tsc, "-p", str(sdk)], tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    for name in ("package.json", "README.md"):
        shutil.copyfile(sdk / name, sdk / "bin" / name)
    for name in ("index.js", "index.d.ts", "rentedNumber.d.ts", "rentedNumberSet.d.ts", "application.d.ts"):
        assert (sdk / "bin" / name).is_file(), name
    link = tmp_path / "node_modules" / "@plivo-pulumi" / "plivo"
    link.parent.mkdir(parents=True)
    link.symlink_to(sdk / "bin", target_is_directory=True)

    # The program, as `npm install <sdk>/bin && tsc` leaves it.
    program = tmp_path / "program"
    program.mkdir()
    for name in ("index.ts", "tsconfig.json"):
        shutil.copyfile(example / name, program / name)
    compiled = run([tsc, "-p", str(program)], tmp_path)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    assert (program / "bin" / "index.js").is_file()

    # The SDK's types are checked, not `any`: a misspelled property does not compile.
    source = (program / "index.ts").read_text()
    (program / "index.ts").write_text(source.replace('number: "15550400004"', 'numbr: "15550400004"', 1))
    refused = run([tsc, "-p", str(program), "--noEmit"], tmp_path)
    assert refused.returncode != 0
    assert "numbr" in refused.stdout, refused.stdout


def test_go_sdk_and_program_compile() -> None:
    """README, "Go": `go build ./...` of sdk/go (module sdk/go.mod) and of examples/go (which requires the
    SDK through a `replace` to this checkout), with the committed go.sum files."""
    go = need("go")
    # -mod=readonly: the committed go.sum files are used as they are; GOSUMDB=off: a module missing from
    # them is taken from the proxy without asking the checksum database, which these machines cannot
    # reach (the build then fails on the missing go.sum line, as it should). -trimpath: the engine's
    # flags, so the build cache that `make tools` filled serves sdk/v3.
    env = {"GOFLAGS": "-mod=readonly -buildvcs=false", "GOSUMDB": "off"}
    sdk = run([go, "build", "-trimpath", "./go/..."], REPO / "sdk", env)
    assert sdk.returncode == 0, sdk.stdout + sdk.stderr
    program = run([go, "build", "-trimpath", "-o", os.devnull, "."], REPO / "examples" / "go", env)
    assert program.returncode == 0, program.stdout + program.stderr
