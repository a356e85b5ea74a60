"""Setting the auth token the way the README and the error messages say: from standard input, never on
a command line (where `ps` and the shell's history show it). The README's own line is run with the
real CLI in a project folder, and so is the fix the plain-text refusal gives."""

from __future__ import annotations

import re
import subprocess

import yaml

from tests.support.accounts import APPS, MAIN, NUMBERS, TOKEN
from tests.support.cli_project import REPO, CliProject

PROGRAM = f"""
from plivo_pulumi import RentedNumber
RentedNumber("line", number="{NUMBERS[0]}", app_id="{APPS[0]}")
"""
# Stored in plain text for a moment (then made a secret): not a token the simulator accepts, nor one
# the secrets scan (test_zz_secrets.py) looks for. Preview makes no API call.
PLAIN_TEXT_TOKEN = "plaintext-token-for-the-fix-under-test"
STDIN_FORM = 'printf %s "$PLIVO_AUTH_TOKEN" | pulumi config set --secret plivo:authToken'
# Every `pulumi config set --secret KEY ...` that the docs, messages and scripts show.
SHOWN = re.compile(r"pulumi config set --secret (?:plivo:authToken|\{key\})(?P<rest>[^\n`'\"]*)")


def readme_token_line() -> str:
    """The README's command that sets the token (in "Using it with a real Plivo account")."""
    lines = [line for line in (REPO / "README.md").read_text().splitlines() if "plivo:authToken" in line]
    commands = [line.split("   #")[0].strip() for line in lines if "config set --secret" in line]
    assert commands, "the README shows how to set the token"
    return commands[0]


def sh(project: CliProject, command: str, token: str) -> subprocess.CompletedProcess[str]:
    """`command` in a shell in the project folder, with the token in PLIVO_AUTH_TOKEN only."""
    return subprocess.run(
        ["sh", "-c", command],
        cwd=project.dir,
        env={**project.env, "PLIVO_AUTH_TOKEN": token},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def stored_token(project: CliProject) -> dict[str, str]:
    config = yaml.safe_load((project.dir / f"Pulumi.{project.stack}.yaml").read_text())["config"]
    return dict(config["plivo:authToken"])


def test_no_doc_or_message_puts_the_token_on_a_command_line():
    files = [REPO / "README.md", *(REPO / "docs").glob("*.md"), *(REPO / "plivo_pulumi").rglob("*.py")]
    files += [*(REPO / "scripts").glob("*.py"), *(REPO / "examples").rglob("*.md")]
    on_command_line = []
    for path in files:
        for match in SHOWN.finditer(path.read_text()):
            value = match["rest"].split()
            if value and not value[0].startswith(("--", "#", "(")) and value[0] not in ("with", "of"):
                on_command_line.append(f"{path.relative_to(REPO)}: {match[0]}")
    assert on_command_line == []


def test_the_readmes_command_sets_the_token_as_a_secret_from_stdin(tmp_path, sim_e2e):
    command = readme_token_line()
    assert command == STDIN_FORM
    project = CliProject(tmp_path, PROGRAM)
    assert project.pulumi("stack", "init", "dev", "--non-interactive").ok
    project.config_set("plivo:baseUrl", sim_e2e.base_url, secret=False)
    project.config_set("plivo:authId", MAIN, secret=False)
    done = sh(project, f"{command} --stack dev", TOKEN)
    assert done.returncode == 0, done.stderr
    assert TOKEN not in done.stdout + done.stderr
    assert set(stored_token(project)) == {"secure"}, "a secret"
    # Read back without saving the output (CliProject.pulumi keeps every output for the secrets scan).
    got = subprocess.run(
        ["pulumi", "config", "get", "plivo:authToken", "--stack", "dev"],
        cwd=project.dir,
        env=project.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    exact = got.returncode == 0 and got.stdout == f"{TOKEN}\n"  # compared apart: a failure never shows it
    assert exact, "the token exactly: no newline or prompt in it"
    up = project.up()
    assert up.ok, up.output
    assert sim_e2e.number(NUMBERS[0])["app_id"] == APPS[0]


def test_the_fix_the_plain_text_refusal_gives_works(tmp_path, sim_e2e):
    project = CliProject(tmp_path, PROGRAM)
    assert project.pulumi("stack", "init", "dev", "--non-interactive").ok
    project.config_set("plivo:baseUrl", sim_e2e.base_url, secret=False)
    project.config_set("plivo:authId", MAIN, secret=False)
    project.config_set("plivo:authToken", PLAIN_TEXT_TOKEN, secret=False)
    refused = project.preview()
    assert refused.code != 0 and PLAIN_TEXT_TOKEN not in refused.output
    assert f"`{STDIN_FORM}`" in refused.output, refused.output[-2000:]
    done = sh(project, f"{STDIN_FORM} --stack dev", PLAIN_TEXT_TOKEN)
    assert done.returncode == 0, done.stderr
    assert set(stored_token(project)) == {"secure"}
    assert PLAIN_TEXT_TOKEN not in (project.dir / "Pulumi.dev.yaml").read_text()
    assert project.preview().ok
    assert sim_e2e.requests_log()["total"] == 0, "preview made no API call"
