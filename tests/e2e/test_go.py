"""Go programs (`runtime: go`) through the real engine and the Go language host that `make tools`
builds (scripts/install-langhosts.sh: sdk/v3@v3.66.0's host behind our launcher), with the generated
SDK (sdk/go/plivo), against the simulator.

Go compiles slowly (tens of seconds warm, minutes cold), so this module compiles three programs:
one binary, built once, serves the lifecycle, the two accounts and the bad input (its config
`scenario` picks which; the projects run it through `runtime.options.binary`); the imported code and
examples/go are compiled by the host itself, as `pulumi up` does for users. All builds share one build
cache with tests/test_sdk_compile.py (tests/support/lang_projects.py, GO_ENV).
"""

from __future__ import annotations

import shutil
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from plivo_pulumi.simulator.seed import load_seed_file
from tests.support.accounts import APPS, MAIN, NUMBERS, SUB, SUB_TOKEN, TOKEN
from tests.support.cli_project import CliProject, plivo_config
from tests.support.lang_projects import (
    GO_ENV,
    drift_is_gated_then_reconciled,
    go_sdk_copy,
    need,
    need_host,
    outputs,
    run,
    write_go_module,
    write_go_project,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "go"

PROGRAM = f"""package main

import (
	"fmt"
	"sort"

	"github.com/plivo-pulumi/pulumi-plivo/sdk/go/plivo"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// team is a component of the program: its number is a child.
type team struct{{ pulumi.ResourceState }}

func newTeam(ctx *pulumi.Context, name string, appID pulumi.StringInput) error {{
	t := &team{{}}
	if err := ctx.RegisterComponentResource("review:index:Team", name, t); err != nil {{
		return err
	}}
	if _, err := plivo.NewRentedNumber(ctx, name+"-line", &plivo.RentedNumberArgs{{
		Number: pulumi.String("{NUMBERS[3]}"), AppId: appID,
	}}, pulumi.Parent(t)); err != nil {{
		return err
	}}
	return ctx.RegisterResourceOutputs(t, pulumi.Map{{}})
}}

func lifecycle(ctx *pulumi.Context) error {{
	ivr, err := plivo.NewApplication(ctx, "ivr", &plivo.ApplicationArgs{{
		AppName:   pulumi.String("go-ivr"),
		AnswerUrl: pulumi.String("https://voice.example.com/ivr/answer"),
	}})
	if err != nil {{
		return err
	}}
	frontDesk, err := plivo.NewRentedNumber(ctx, "frontDesk", &plivo.RentedNumberArgs{{
		Number: pulumi.String("+1 (555) 000-0001"), AppId: ivr.AppId,
	}})
	if err != nil {{
		return err
	}}
	if _, err := plivo.NewRentedNumberSet(ctx, "supportLines", &plivo.RentedNumberSetArgs{{
		Bindings: plivo.RentedNumberSetBindingMap{{
			"{NUMBERS[1]}": plivo.RentedNumberSetBindingArgs{{AppId: ivr.AppId}},
			"{NUMBERS[2]}": plivo.RentedNumberSetBindingArgs{{AppId: pulumi.String("{APPS[1]}")}},
		}},
	}}); err != nil {{
		return err
	}}
	if err := newTeam(ctx, "sales", ivr.AppId); err != nil {{
		return err
	}}
	// Invokes, their results read field by field.
	seen := plivo.LookupRentedNumberOutput(ctx,
		plivo.LookupRentedNumberOutputArgs{{Number: frontDesk.Number}})
	app := plivo.LookupApplicationOutput(ctx, plivo.LookupApplicationOutputArgs{{AppId: ivr.AppId}})
	all := plivo.GetRentedNumbersOutput(ctx, plivo.GetRentedNumbersOutputArgs{{}})
	ctx.Export("ivrAppId", ivr.AppId)
	ctx.Export("frontDeskApp", seen.AppId())
	ctx.Export("frontDeskNumber", seen.Number())
	ctx.Export("ivrName", app.AppName())
	ctx.Export("rented", all.Numbers().ApplyT(func(ns []plivo.RentedNumberInfo) []string {{
		lines := []string{{}}
		for _, n := range ns {{
			lines = append(lines, n.Number+":"+n.AppId)
		}}
		sort.Strings(lines)
		return lines
	}}))
	return nil
}}

func accounts(ctx *pulumi.Context) error {{
	plivoConfig := config.New(ctx, "plivo")
	baseURL := pulumi.String(plivoConfig.Require("baseUrl"))
	main, err := plivo.NewProvider(ctx, "main", &plivo.ProviderArgs{{
		AuthId: pulumi.String("{MAIN}"), AuthToken: plivoConfig.RequireSecret("authToken"), BaseUrl: baseURL,
	}})
	if err != nil {{
		return err
	}}
	sub, err := plivo.NewProvider(ctx, "sub", &plivo.ProviderArgs{{
		AuthId:    pulumi.String("{SUB}"),
		AuthToken: config.New(ctx, "").RequireSecret("subToken"),
		BaseUrl:   baseURL,
	}})
	if err != nil {{
		return err
	}}
	if _, err := plivo.NewRentedNumber(ctx, "mainLine", &plivo.RentedNumberArgs{{
		Number: pulumi.String("{NUMBERS[1]}"), AppId: pulumi.String("{APPS[0]}"),
	}}, pulumi.Provider(main)); err != nil {{
		return err
	}}
	if _, err := plivo.NewRentedNumber(ctx, "subLine", &plivo.RentedNumberArgs{{
		Number: pulumi.String("{NUMBERS[0]}"), AppId: pulumi.String(""),
	}}, pulumi.Provider(sub)); err != nil {{
		return err
	}}
	subNumbers := plivo.GetRentedNumbersOutput(ctx, plivo.GetRentedNumbersOutputArgs{{}},
		pulumi.Provider(sub))
	ctx.Export("subNumberList", subNumbers.Numbers().ApplyT(func(ns []plivo.RentedNumberInfo) []string {{
		out := []string{{}}
		for _, n := range ns {{
			out = append(out, n.Number)
		}}
		return out
	}}))
	return nil
}}

func badInput(ctx *pulumi.Context) error {{
	_, err := plivo.NewRentedNumber(ctx, "line", &plivo.RentedNumberArgs{{
		Number: pulumi.String("555-CALL-NOW"), AppId: pulumi.String(""),
	}})
	return err
}}

func main() {{
	pulumi.Run(func(ctx *pulumi.Context) error {{
		switch scenario := config.New(ctx, "").Require("scenario"); scenario {{
		case "lifecycle":
			return lifecycle(ctx)
		case "accounts":
			return accounts(ctx)
		case "badInput":
			return badInput(ctx)
		default:
			return fmt.Errorf("unknown scenario %q", scenario)
		}}
	}})
}}
"""


@pytest.fixture(scope="module")
def go_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """PROGRAM, built once (`go build` as a user runs it before naming it in runtime.options.binary)."""
    need_host("pulumi-language-go")
    go = need("go")
    root = tmp_path_factory.mktemp("go-program")
    sdk = go_sdk_copy(root)
    source = root / "program"
    write_go_module(source, sdk, PROGRAM)
    binary = root / "plivo-e2e"
    built = run([go, "build", "-o", str(binary), "."], source, GO_ENV)
    assert built.returncode == 0, built.stdout + built.stderr
    return binary


@pytest.fixture
def go_project(tmp_path: Path, sim_e2e, go_binary: Path) -> Callable[..., CliProject]:
    """go_project(scenario): a project that runs the prebuilt binary (`runtime.options.binary`, a path
    relative to the project), its stack `dev` configured for the main account and the scenario."""

    def make(scenario: str) -> CliProject:
        workdir = tmp_path / f"g{len(list(tmp_path.iterdir()))}"
        folder = workdir / "project"
        write_go_project(folder, options={"binary": "bin/plivo-e2e"})
        (folder / "bin").mkdir()
        (folder / "bin" / "plivo-e2e").symlink_to(go_binary)
        made = CliProject(workdir, "", project_dir=folder)
        made.env.update(GO_ENV)
        made.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
        made.config_set("scenario", scenario, secret=False)
        return made

    return make


def test_each_resource_through_up_gate_drift_reconcile_and_destroy_with_a_component_and_invokes(
    go_project, sim_e2e
):
    project = go_project("lifecycle")
    up = project.up()
    assert up.ok, up.output
    out = outputs(project)
    app_id = out["ivrAppId"]
    assert sim_e2e.application(app_id)["app_name"] == "go-ivr"
    assert sim_e2e.number(NUMBERS[0])["app_id"] == app_id, "the single number"
    assert sim_e2e.number(NUMBERS[1])["app_id"] == app_id, "the set's first binding"
    assert sim_e2e.number(NUMBERS[2])["app_id"] == APPS[1], "the set's second binding"
    assert sim_e2e.number(NUMBERS[3])["app_id"] == app_id, "the component's child"
    assert out["frontDeskApp"] == app_id and out["frontDeskNumber"] == NUMBERS[0], out
    assert out["ivrName"] == "go-ivr", out
    assert [line.split(":")[0] for line in out["rented"]] == sorted(NUMBERS), out
    child = [r for r in project.export()["resources"] if r["urn"].endswith("::sales-line")]
    assert child and "review:index:Team$plivo:index:RentedNumber" in child[0]["urn"], child

    gate = project.gate()
    assert gate.ok, gate.output

    drift_is_gated_then_reconciled(project, sim_e2e, app_id)
    still = project.up()
    assert still.ok, still.output
    rented = outputs(project)["rented"]
    assert f"{NUMBERS[0]}:{app_id}" in rented and f"{NUMBERS[2]}:{APPS[1]}" in rented, rented

    destroyed = project.destroy()
    assert destroyed.ok, destroyed.output
    for number in NUMBERS[:4]:
        assert sim_e2e.number(number) is not None, f"{number}: destroy keeps it rented"


def test_two_accounts_with_explicit_providers_and_bad_input_refused_before_any_api_call(go_project, sim_e2e):
    sim_e2e.edit_out_of_band(NUMBERS[0], subaccount=SUB)
    sim_e2e.edit_out_of_band(NUMBERS[0], app_id=APPS[1])
    project = go_project("accounts")
    project.config_set("subToken", SUB_TOKEN, secret=True)
    up = project.up()
    assert up.ok, up.output
    assert sim_e2e.number(NUMBERS[1])["app_id"] == APPS[0], "written with the main account's credentials"
    assert sim_e2e.number(NUMBERS[0])["app_id"] in ("", None), "written with the subaccount's"
    assert sim_e2e.number(NUMBERS[0])["subaccount"] == SUB
    assert outputs(project)["subNumberList"] == [NUMBERS[0]], "the invoke read as the subaccount"
    state_text = project.pulumi("stack", "export", "--stack", project.stack).output
    assert "pulumi:providers:plivo::sub" in state_text and "pulumi:providers:plivo::main" in state_text
    assert TOKEN not in state_text and SUB_TOKEN not in state_text, "tokens are stored encrypted"
    gate = project.gate()
    assert gate.ok, gate.output
    sim_e2e.clear_log()
    destroyed = project.destroy()
    assert destroyed.ok, destroyed.output
    assert sim_e2e.requests_log()["by_method"].get("DELETE", 0) == 0, destroyed.output
    assert sim_e2e.number(NUMBERS[1])["app_id"] == APPS[0]
    assert sim_e2e.number(NUMBERS[0])["subaccount"] == SUB

    # Bad input: refused at preview naming the field, with no API call.
    bad = go_project("badInput")
    sim_e2e.clear_log()
    preview = bad.preview()
    assert not preview.ok, preview.output
    assert "number" in preview.output and "555-CALL-NOW" in preview.output, preview.output
    assert "Traceback" not in preview.output, preview.output
    assert sim_e2e.requests_log()["total"] == 0, sim_e2e.requests_log()


def go_source_project(tmp_path: Path, sim_e2e, source: str | None, options: dict[str, Any]) -> CliProject:
    """A project whose Go source the host compiles (`go build`, as `pulumi up` does by default)."""
    workdir = tmp_path / "src"
    folder = workdir / "project"
    write_go_project(folder, options=options)
    write_go_module(folder, go_sdk_copy(workdir), source)
    made = CliProject(workdir, "", project_dir=folder)
    made.env.update(GO_ENV)
    made.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
    return made


def test_import_prints_go_that_an_up_keeps_without_a_write(tmp_path, sim_e2e, go_binary):
    """`pulumi import` prints Go code (the launcher answers GenerateProgram with plivo-codegen); that
    code, compiled by the host into `runtime.options.buildTarget`, changes nothing and writes nothing."""
    sim_e2e.edit_out_of_band(NUMBERS[4], app_id=APPS[2])
    project = go_source_project(tmp_path, sim_e2e, None, {"buildTarget": "bin/imported"})
    sim_e2e.clear_log()
    out = project.dir / "main.go"
    imported = project.pulumi(
        "import", "plivo:index:RentedNumber", "hotline", NUMBERS[4],
        "--yes", "--out", str(out), "--stack", project.stack, "--non-interactive", "--color", "never",
    )  # fmt: skip
    assert imported.ok, imported.output
    assert sim_e2e.requests_log()["by_method"].get("POST", 0) == 0, "an import never writes"
    code = out.read_text()
    assert 'plivo.NewRentedNumber(ctx, "hotline"' in code, code
    assert f'pulumi.String("{NUMBERS[4]}")' in code and f'pulumi.String("{APPS[2]}")' in code, code

    up = project.up()
    assert up.ok, up.output
    assert (project.dir / "bin" / "imported").is_file(), "runtime.options.buildTarget is where it builds"
    assert sim_e2e.requests_log()["by_method"].get("POST", 0) == 0, up.output
    preview = project.preview("--expect-no-changes")
    assert preview.ok, preview.output
    assert sim_e2e.number(NUMBERS[4])["app_id"] == APPS[2]

    # The Go host reports go.mod's plugins: plivo (the SDK's pulumi-plugin.json), not sdk/v3's
    # indirect require github.com/pulumi/pulumi-cloud-sdk/go.
    about = project.pulumi("about", "--stack", project.stack)
    plugins = about.output.split("Plugins", 1)[-1].split("Host", 1)[0]
    assert "plivo" in plugins and "cloud-sdk" not in plugins, about.output


def test_the_go_example_as_its_readme_says(sim_e2e, tmp_path, go_binary):
    """examples/go, laid out as in the checkout (go.mod's replace names ../../sdk, the plugins block
    ../../.venv/bin); `pulumi up` compiles and runs it against its seed's accounts, the gate passes,
    destroy keeps the numbers."""
    checkout = tmp_path / "checkout"
    folder = checkout / "examples" / "go"
    shutil.copytree(EXAMPLE, folder)
    go_sdk_copy(checkout)
    (checkout / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    seed = load_seed_file(EXAMPLE / "seed.yaml")
    sim_e2e.reset(seed)
    account = seed["accounts"][0]
    sub = account["subaccounts"][0]
    project = CliProject(tmp_path, "", stack=f"e2e-{uuid.uuid4().hex[:8]}", project_dir=folder)
    project.env.update(GO_ENV)
    project.init(plivo_config(sim_e2e.base_url, account["auth_id"], account["auth_token"]))
    project.config_set("subAuthId", sub["auth_id"], secret=False)
    project.config_set("subAuthToken", sub["auth_token"], secret=True)
    up = project.up()
    assert up.ok, up.output
    assert "from $PATH" not in up.output, "the host is installed next to pulumi"
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
