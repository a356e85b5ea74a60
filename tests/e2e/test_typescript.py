"""TypeScript programs (`runtime: nodejs`) through the real engine and the Node.js language host that
`make tools` builds (scripts/install-langhosts.sh: sdk/v3@v3.66.0's host behind our launcher), with the
generated SDK @plivo-pulumi/plivo (sdk/nodejs) and @pulumi/pulumi 3.276.0, against the simulator.

Every TypeScript test lives in this one module: one `npm ci` (tests/support/lang_projects.py) and one
simulator serve them all, and each test drives several steps of one stack.
"""

from __future__ import annotations

import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from plivo_pulumi.simulator.seed import load_seed_file
from tests.support.accounts import APPS, MAIN, NUMBERS, SUB, SUB_TOKEN, TOKEN
from tests.support.cli_project import CliProject, plivo_config
from tests.support.lang_projects import (
    build_ts_toolchain,
    drift_is_gated_then_reconciled,
    need_host,
    outputs,
    write_ts_project,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "typescript"
HEAD = 'import * as pulumi from "@pulumi/pulumi";\nimport * as plivo from "@plivo-pulumi/plivo";\n'


@pytest.fixture(scope="module")
def node_modules(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    need_host("pulumi-language-nodejs")
    yield build_ts_toolchain(tmp_path_factory.mktemp("ts-toolchain"))


@pytest.fixture
def ts_project(tmp_path: Path, sim_e2e, node_modules: Path) -> Callable[..., CliProject]:
    """ts_project(source, options=None, main="index.ts"): a TypeScript project whose stack `dev` is
    configured for the main account."""

    def make(source: str, *, options: dict[str, Any] | None = None, main: str = "index.ts") -> CliProject:
        workdir = tmp_path / f"t{len(list(tmp_path.iterdir()))}"
        folder = workdir / "project"
        write_ts_project(folder, source, node_modules, options=options, main=main)
        made = CliProject(workdir, "", project_dir=folder)
        made.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
        return made

    return make


LIFECYCLE = (
    HEAD
    + f"""
// A component of the program: its number is a child (the URN's type chain ends in RentedNumber).
class Team extends pulumi.ComponentResource {{
    constructor(name: string, appId: pulumi.Input<string>, opts?: pulumi.ComponentResourceOptions) {{
        super("review:index:Team", name, {{}}, opts);
        new plivo.RentedNumber(`${{name}}-line`, {{ number: "{NUMBERS[3]}", appId }}, {{ parent: this }});
        this.registerOutputs({{}});
    }}
}}

const ivr = new plivo.Application("ivr", {{
    appName: "ts-ivr",
    answerUrl: "https://voice.example.com/ivr/answer",
}});
const frontDesk = new plivo.RentedNumber("frontDesk", {{ number: "+1 (555) 000-0001", appId: ivr.appId }});
new plivo.RentedNumberSet("supportLines", {{
    bindings: {{
        "{NUMBERS[1]}": {{ appId: ivr.appId }},
        "{NUMBERS[2]}": {{ appId: "{APPS[1]}" }},
    }},
}});
new Team("sales", ivr.appId);

// Invokes, their results read field by field.
const seen = plivo.getRentedNumberOutput({{ number: frontDesk.number }});
const app = plivo.getApplicationOutput({{ appId: ivr.appId }});
const all = plivo.getRentedNumbersOutput({{}});

export const ivrAppId = ivr.appId;
export const frontDeskApp = seen.appId;
export const frontDeskNumber = seen.number;
export const ivrName = app.appName;
export const ivrAnswerUrl = app.answerUrl;
export const rented = all.numbers.apply((ns) => ns.map((n) => `${{n.number}}:${{n.appId}}`).sort());
"""
)


def test_each_resource_through_up_gate_drift_reconcile_and_destroy_with_a_component_and_invokes(
    ts_project, sim_e2e
):
    project = ts_project(LIFECYCLE)
    up = project.up()
    assert up.ok, up.output
    out = outputs(project)
    app_id = out["ivrAppId"]
    assert sim_e2e.application(app_id)["app_name"] == "ts-ivr"
    assert sim_e2e.number(NUMBERS[0])["app_id"] == app_id, "the single number"
    assert sim_e2e.number(NUMBERS[1])["app_id"] == app_id, "the set's first binding"
    assert sim_e2e.number(NUMBERS[2])["app_id"] == APPS[1], "the set's second binding"
    assert sim_e2e.number(NUMBERS[3])["app_id"] == app_id, "the component's child"
    # The invokes' fields, under the schema's names.
    assert out["frontDeskApp"] == app_id and out["frontDeskNumber"] == NUMBERS[0], out
    assert out["ivrName"] == "ts-ivr" and out["ivrAnswerUrl"] == "https://voice.example.com/ivr/answer"
    # getRentedNumbers depends on no resource, so it read the account before the bindings were made.
    assert [line.split(":")[0] for line in out["rented"]] == sorted(NUMBERS), out
    child = [r for r in project.export()["resources"] if r["urn"].endswith("::sales-line")]
    assert child and "review:index:Team$plivo:index:RentedNumber" in child[0]["urn"], child

    gate = project.gate()
    assert gate.ok, gate.output

    drift_is_gated_then_reconciled(project, sim_e2e, app_id)
    still = project.up()  # no change: the invoke now reads the bindings the program made
    assert still.ok, still.output
    rented = outputs(project)["rented"]
    assert f"{NUMBERS[0]}:{app_id}" in rented and f"{NUMBERS[2]}:{APPS[1]}" in rented, rented

    # destroy: the numbers stay rented.
    destroyed = project.destroy()
    assert destroyed.ok, destroyed.output
    for number in NUMBERS[:4]:
        assert sim_e2e.number(number) is not None, f"{number}: destroy keeps it rented"


TWO_ACCOUNTS = (
    HEAD
    + f"""
const config = new pulumi.Config();
const plivoConfig = new pulumi.Config("plivo");
const baseUrl = plivoConfig.require("baseUrl");
const main = new plivo.Provider("main", {{
    authId: "{MAIN}", authToken: plivoConfig.requireSecret("authToken"), baseUrl,
}});
const sub = new plivo.Provider("sub", {{
    authId: "{SUB}", authToken: config.requireSecret("subToken"), baseUrl,
}});
new plivo.RentedNumber("mainLine", {{ number: "{NUMBERS[1]}", appId: "{APPS[0]}" }}, {{ provider: main }});
new plivo.RentedNumber("subLine", {{ number: "{NUMBERS[0]}", appId: "" }}, {{ provider: sub }});
const subNumbers = plivo.getRentedNumbersOutput({{}}, {{ provider: sub }});
export const subNumberList = subNumbers.numbers.apply((ns) => ns.map((n) => n.number));
export const subNumberAccounts = subNumbers.numbers.apply((ns) => ns.map((n) => n.subaccount));
"""
)


def test_two_accounts_with_explicit_providers_and_destroy_keeps_the_numbers(ts_project, sim_e2e):
    sim_e2e.edit_out_of_band(NUMBERS[0], subaccount=SUB)
    sim_e2e.edit_out_of_band(NUMBERS[0], app_id=APPS[1])
    project = ts_project(TWO_ACCOUNTS)
    project.config_set("subToken", SUB_TOKEN, secret=True)
    up = project.up()
    assert up.ok, up.output
    assert sim_e2e.number(NUMBERS[1])["app_id"] == APPS[0], "written with the main account's credentials"
    assert sim_e2e.number(NUMBERS[0])["app_id"] in ("", None), "written with the subaccount's"
    assert sim_e2e.number(NUMBERS[0])["subaccount"] == SUB
    out = outputs(project)
    assert out["subNumberList"] == [NUMBERS[0]], "the invoke read as the subaccount"
    assert out["subNumberAccounts"] == [SUB], out
    state = project.export()
    providers = {
        r["urn"].rsplit("::", 1)[-1]: r for r in state["resources"] if r["type"] == "pulumi:providers:plivo"
    }
    assert {"main", "sub"} <= set(providers)
    state_text = project.pulumi("stack", "export", "--stack", project.stack).output
    assert TOKEN not in state_text and SUB_TOKEN not in state_text, "tokens are stored encrypted"
    gate = project.gate()
    assert gate.ok, gate.output

    sim_e2e.clear_log()
    destroyed = project.destroy()
    assert destroyed.ok, destroyed.output
    assert sim_e2e.requests_log()["by_method"].get("DELETE", 0) == 0, destroyed.output
    assert sim_e2e.number(NUMBERS[1])["app_id"] == APPS[0]
    assert sim_e2e.number(NUMBERS[0])["subaccount"] == SUB


def test_bad_input_is_refused_at_preview_before_any_api_call(ts_project, sim_e2e):
    # A value the provider refuses: the error names the field, and nothing reaches the API.
    bad_number = ts_project(HEAD + 'new plivo.RentedNumber("line", { number: "555-CALL-NOW", appId: "" });\n')
    sim_e2e.clear_log()
    preview = bad_number.preview()
    assert not preview.ok, preview.output
    assert "number" in preview.output and "555-CALL-NOW" in preview.output, preview.output
    assert "Traceback" not in preview.output, preview.output
    up = bad_number.up()
    assert not up.ok, up.output

    # A misspelled property: the SDK's types refuse it when the program is compiled (ts-node).
    misspelled = ts_project(
        HEAD + f'new plivo.RentedNumber("line", {{ number: "{NUMBERS[0]}", appid: "{APPS[0]}" }});\n'
    )
    refused = misspelled.preview()
    assert not refused.ok, refused.output
    assert "appid" in refused.output, refused.output
    assert sim_e2e.requests_log()["total"] == 0, sim_e2e.requests_log()
    assert sim_e2e.number(NUMBERS[0])["app_id"] in ("", None)


def test_runtime_options_typescript_and_nodeargs_reach_the_host(ts_project, sim_e2e):
    """`runtime.options` (which today's engine no longer passes as flags): `typescript: false` runs the
    JavaScript as it is, and `nodeargs` reach `node` (here a --require of a preload script)."""
    program = (
        'const pulumi = require("@pulumi/pulumi");\n'
        'const plivo = require("@plivo-pulumi/plivo");\n'
        f'new plivo.RentedNumber("line", {{ number: "{NUMBERS[0]}", appId: "{APPS[0]}" }});\n'
        'exports.typescript = process.env.PULUMI_NODEJS_TYPESCRIPT || "off";\n'
        'exports.preloaded = process.env.PLIVO_E2E_PRELOADED || "no";\n'
    )
    project = ts_project(
        program, options={"typescript": False, "nodeargs": "--require ./preload.js"}, main="index.js"
    )
    (project.dir / "preload.js").write_text('process.env.PLIVO_E2E_PRELOADED = "yes";\n')
    (project.dir / "package.json").write_text('{"name": "plivo-ts-e2e", "main": "index.js"}\n')
    up = project.up()
    assert up.ok, up.output
    assert outputs(project) == {"typescript": "off", "preloaded": "yes"}
    assert sim_e2e.number(NUMBERS[0])["app_id"] == APPS[0]
    assert "Could not find entry point" not in up.output, up.output


def test_import_prints_typescript_that_an_up_keeps_without_a_write(ts_project, sim_e2e):
    sim_e2e.edit_out_of_band(NUMBERS[4], app_id=APPS[2])
    project = ts_project(HEAD)
    sim_e2e.clear_log()
    out = project.dir / "imported.ts"
    imported = project.pulumi(
        "import", "plivo:index:RentedNumber", "hotline", NUMBERS[4],
        "--yes", "--out", str(out), "--stack", project.stack, "--non-interactive", "--color", "never",
    )  # fmt: skip
    assert imported.ok, imported.output
    assert sim_e2e.requests_log()["by_method"].get("POST", 0) == 0, "an import never writes"
    code = out.read_text()
    assert 'new plivo.RentedNumber("hotline"' in code, code
    assert f'number: "{NUMBERS[4]}"' in code and f'appId: "{APPS[2]}"' in code, code

    # The printed code is the program: the next up changes nothing and writes nothing.
    (project.dir / "index.ts").write_text(code)
    up = project.up()
    assert up.ok, up.output
    assert sim_e2e.requests_log()["by_method"].get("POST", 0) == 0, up.output
    gate = project.gate()
    assert gate.ok, gate.output
    assert sim_e2e.number(NUMBERS[4])["app_id"] == APPS[2]


def test_the_typescript_example_as_its_readme_says(sim_e2e, tmp_path, node_modules):
    """examples/typescript, laid out as in the checkout (its plugins block names ../../.venv/bin) with
    the toolchain of its README (npm ci, the SDK built and installed); `pulumi up` against its seed's
    accounts, the gate passes, destroy keeps the numbers."""
    checkout = tmp_path / "checkout"
    folder = checkout / "examples" / "typescript"
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("node_modules", "bin"))
    (checkout / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    (folder / "node_modules").symlink_to(node_modules, target_is_directory=True)
    seed = load_seed_file(EXAMPLE / "seed.yaml")
    sim_e2e.reset(seed)
    account = seed["accounts"][0]
    sub = account["subaccounts"][0]
    project = CliProject(tmp_path, "", stack=f"e2e-{uuid.uuid4().hex[:8]}", project_dir=folder)
    project.init(plivo_config(sim_e2e.base_url, account["auth_id"], account["auth_token"]))
    project.config_set("subAuthId", sub["auth_id"], secret=False)
    project.config_set("subAuthToken", sub["auth_token"], secret=True)
    up = project.up()
    assert up.ok, up.output
    # No warning: neither of an entry point (package.json names no unbuilt "main") nor of a host
    # found on $PATH (it is installed next to pulumi).
    assert "warning" not in up.output.lower(), up.output
    out = outputs(project)
    app_id = out["supportIvr"]
    for number in ("15550400001", "15550400002", "15550400003"):
        assert sim_e2e.number(number)["app_id"] == app_id, number
    assert sim_e2e.number("15550400004")["app_id"] in ("", None)
    assert out["rentedCount"] == 4
    gate = project.gate()
    assert gate.ok, gate.output
    destroyed = project.destroy()
    assert destroyed.ok, destroyed.output
    for number in ("15550400001", "15550400002", "15550400003", "15550400004"):
        assert sim_e2e.number(number) is not None, f"{number}: destroy keeps it rented"
