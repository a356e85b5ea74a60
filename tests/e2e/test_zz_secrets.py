"""No auth token in plain text, anywhere the suite's stacks wrote. Runs last among the e2e files (by
name), so it sees what every earlier test left in the pytest session's base temp directory.

Scanned: every file under every stack working directory (`<tmp_path>/<stack>/`): the file backend's
state (checkpoints, `.bak` files, history, backups, locks), the project and stack config files,
`PULUMI_HOME`, and `engine-output/`, where the harness keeps everything each engine run printed,
stdout and stderr, including the provider's messages and, for the run below, the engine's verbose
logs (`-v=9 --logflow --logtostderr`) and `pulumi stack export`. A token is looked for raw and as the
Basic `Authorization` value derived from it.

This test always runs a small stack of its own first (so it is meaningful when run alone): up with
verbose engine logs, drift and `up --refresh`, a run as a subaccount, a run with the token in the
environment instead of config, a run with a wrong token (an error message), an export, a destroy.
It then requires a minimum amount of material (state files, engine outputs, bytes), so that it cannot
pass by scanning nothing.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from plivo_pulumi import RentedNumber
from plivo_pulumi.engine.workspace import engine_command
from tests.support.accounts import (
    APPS,
    MAIN,
    NUMBERS,
    PROP_TOKEN,
    ROTATED_TOKEN,
    SUB,
    SUB_TOKEN,
    TOKEN,
    WRONG_CLI_TOKEN,
)
from tests.support.engine_stack import EngineStack

WRONG_TOKEN = "tok-wrong-Jd8Ye2Ka5Np0Fr"
# Every token the test suite gives the provider (tests/e2e/conftest.py, the wrong token of
# test_rented_number.py, the property tests' token, this file's wrong token, the CLI tests' rotated
# and wrong tokens).
KNOWN_TOKENS = (
    TOKEN,
    SUB_TOKEN,
    PROP_TOKEN,
    WRONG_TOKEN,
    "not-the-right-token",
    ROTATED_TOKEN,
    WRONG_CLI_TOKEN,
)
AUTH_IDS = (MAIN, SUB, "MAPROPERTYTEST000001")

MIN_STATE_FILES = 5
MIN_ENGINE_OUTPUTS = 6
MIN_BYTES = 200_000


def secret_forms() -> dict[bytes, str]:
    forms: dict[bytes, str] = {}
    for token in KNOWN_TOKENS:
        forms[token.encode()] = f"token {token[:8]}..."
        for auth_id in AUTH_IDS:
            basic = base64.b64encode(f"{auth_id}:{token}".encode())
            forms[basic] = f"Basic auth value of {auth_id}:{token[:8]}..."
            forms[basic.rstrip(b"=")] = f"Basic auth value of {auth_id}:{token[:8]}... (unpadded)"
    return forms


@dataclass
class Scan:
    stacks: list[Path] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    state_files: int = 0
    engine_outputs: int = 0
    leaks: list[str] = field(default_factory=list)


def stack_dirs(base: Path) -> list[Path]:
    """Working directories of EngineStack: they hold `state/.pulumi` or `engine-output`."""
    found = set()
    for root, dirs, _files in os.walk(base):
        here = Path(root)
        if (here / "state" / ".pulumi").is_dir() or (here / "engine-output").is_dir():
            found.add(here)
            dirs[:] = []  # everything below is scanned as part of this stack
    return sorted(found)


def scan(base: Path) -> Scan:
    result = Scan(stacks=stack_dirs(base))
    forms = secret_forms()
    for stack in result.stacks:
        for root, _dirs, files in os.walk(stack):  # symlinks are not followed: each file once
            for name in files:
                path = Path(root) / name
                if path.is_symlink() or not path.is_file():
                    continue
                data = path.read_bytes()
                result.files += 1
                result.bytes += len(data)
                if "/.pulumi/" in str(path) and name.endswith(".json") and b'"checkpoint"' in data[:200]:
                    result.state_files += 1
                if path.parent.name == "engine-output":
                    result.engine_outputs += 1
                for form, what in forms.items():
                    if form in data:
                        result.leaks.append(f"{what} in {path.relative_to(base)}")
    return result


def program_for(spec: dict) -> callable:
    def program() -> None:
        for name, kwargs in spec.items():
            RentedNumber(name, **kwargs)

    return program


def plain_export(stack: EngineStack) -> str:
    """`pulumi stack export` as a user runs it (the Automation API's export_stack adds --show-secrets,
    which decrypts secrets on purpose, so it is not what the promise is about)."""
    export = subprocess.run(
        [engine_command().command, "stack", "export", "--stack", stack.stack.name],
        cwd=stack.workdir / "project",
        env={**os.environ, **stack.env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(export.stdout)["deployment"]["resources"], "the export holds the resources"
    return export.stdout


def run_own_stacks(workdir: Path, sim_e2e) -> None:
    """A small tour of everything that could leak: config secret, env credentials, a subaccount's
    token, a wrong token in an error, verbose engine logs, an export."""
    sim_e2e.edit_out_of_band(NUMBERS[4], subaccount=SUB)
    base = {"plivo:baseUrl": (sim_e2e.base_url, False)}
    spec = {
        "front": {"number": NUMBERS[0], "app_id": APPS[0]},
        "back": {"number": NUMBERS[1], "app_id": APPS[1], "subaccount": SUB},
    }
    main = EngineStack(
        workdir / "main",
        program_for(spec),
        config={**base, "plivo:authId": (MAIN, False), "plivo:authToken": (TOKEN, True)},
        stack="main",
    )
    verbose = main.up(log_verbosity=9, log_flow=True, log_to_std_err=True, debug=True)
    assert verbose.ok, verbose.output
    sim_e2e.edit_out_of_band(NUMBERS[0], app_id=APPS[2])
    assert main.preview(refresh=True).ok
    assert main.up(refresh=True).ok
    (main.workdir / "export.json").write_text(plain_export(main))

    sub = EngineStack(
        workdir / "sub",
        program_for({"sub-line": {"number": NUMBERS[4], "app_id": APPS[0]}}),
        config={**base, "plivo:authId": (SUB, False), "plivo:authToken": (SUB_TOKEN, True)},
        stack="sub",
    )
    assert sub.up().ok

    from_env = EngineStack(
        workdir / "env",
        program_for({"env-line": {"number": NUMBERS[2], "app_id": APPS[1]}}),
        config=base,
        env={"PLIVO_AUTH_ID": MAIN, "PLIVO_AUTH_TOKEN": TOKEN},
        stack="env",
    )
    assert from_env.up().ok

    wrong = EngineStack(
        workdir / "wrong",
        program_for({"nope": {"number": NUMBERS[3], "app_id": APPS[0]}}),
        config={**base, "plivo:authId": (MAIN, False), "plivo:authToken": (WRONG_TOKEN, True)},
        stack="wrong",
    )
    failed = wrong.up(log_verbosity=9, log_to_std_err=True)
    assert failed.code != 0 and "plivo:authToken" in failed.output

    assert main.destroy().ok


def scan_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This session's base temp directory, or `PLIVO_SECRETS_SCAN_ROOT`, a folder that holds it and
    the base temps of earlier sessions: `make test` runs the rest of the suite in parallel first
    (each worker in a base temp of its own), then this file, and the scan covers them all."""
    own = tmp_path_factory.getbasetemp()
    given = os.environ.get("PLIVO_SECRETS_SCAN_ROOT")
    if not given:
        return own
    root = Path(given).resolve()
    assert root in own.resolve().parents, f"{root} must hold this session's base temp {own}"
    return root


def test_no_token_in_anything_the_stacks_wrote(sim_e2e, tmp_path, tmp_path_factory):
    base = scan_root(tmp_path_factory)
    before = scan(base)
    run_own_stacks(tmp_path, sim_e2e)
    found = scan(base)

    others = len(before.stacks)
    print(
        f"scanned {found.files} files, {found.bytes} bytes of {len(found.stacks)} stacks "
        f"({others} from other tests): {found.state_files} state files, {found.engine_outputs} engine outputs"
    )
    assert found.state_files >= MIN_STATE_FILES + before.state_files
    assert found.engine_outputs >= MIN_ENGINE_OUTPUTS + before.engine_outputs
    assert found.bytes >= MIN_BYTES
    assert found.leaks == [], "auth token in plain text:\n" + "\n".join(found.leaks[:50])


def test_the_scan_would_see_a_leak(tmp_path, tmp_path_factory):
    """The scanner is not blind: a token planted in a stack's engine output is reported."""
    planted = tmp_path / "planted" / "engine-output"
    planted.mkdir(parents=True)
    basic = base64.b64encode(f"{MAIN}:{TOKEN}".encode()).decode()
    (planted / "run.log").write_text(f"Authorization: Basic {basic}\n")
    try:
        found = scan(tmp_path)
        assert found.engine_outputs == 1 and found.leaks, found.leaks
    finally:
        (planted / "run.log").unlink()


@pytest.fixture(autouse=True)
def _faults_off(sim_e2e):
    sim_e2e.clear_faults()
