"""YAML programs (`runtime: yaml`) through the real engine and the YAML language host that `make tools`
builds (scripts/install-yaml.sh), against the simulator: the native `plivo` plugin serves them from its
schema, found through `plugins: providers:` in Pulumi.yaml as the native CLI tests load it.

Every YAML test lives in this one module, so a `make test` worker runs them in a row with one
simulator (pytest-xdist `--dist loadfile`), and each test drives several steps of one stack.
"""

from __future__ import annotations

import json
import shutil
import textwrap
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from plivo_pulumi.native.schema import NUMBER_INFO_FIELDS
from plivo_pulumi.simulator.seed import load_seed_file
from tests.e2e.native.conftest import plugin_dir
from tests.support.accounts import APPS, MAIN, NUMBERS, SUB, SUB_TOKEN, TOKEN
from tests.support.cli_project import CliProject, plivo_config
from tests.support.fault_kit import fleet_seed, posts_seen, wait_for
from tests.support.processes import alive, kill_tree

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "yaml"


def yaml_host_on_path() -> None:
    """Fail (never skip) without the host: `make test` builds it with `make tools`."""
    if shutil.which("pulumi-language-yaml") is None:
        pytest.fail("pulumi-language-yaml is not on PATH: run `make tools` (scripts/install-yaml.sh)")


def write_yaml_project(folder: Path, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    head = (
        "name: plivo-yaml-e2e\n"
        "runtime: yaml\n"
        "plugins:\n"
        "  providers:\n"
        "    - name: plivo\n"
        f"      path: {plugin_dir()}\n"
    )
    (folder / "Pulumi.yaml").write_text(head + textwrap.dedent(body))


@pytest.fixture
def yaml_project(tmp_path: Path, sim_e2e) -> Callable[..., CliProject]:
    """yaml_project(body): a `runtime: yaml` project whose Pulumi.yaml is the plugin stanza plus
    `body` (config, variables, resources, outputs), its stack `dev` configured for the main account."""
    yaml_host_on_path()

    def make(body: str) -> CliProject:
        workdir = tmp_path / f"y{len(list(tmp_path.iterdir()))}"
        folder = workdir / "project"
        write_yaml_project(folder, body)
        made = CliProject(workdir, "", project_dir=folder)
        made.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
        return made

    return make


def outputs(project: CliProject) -> dict:
    done = project.pulumi("stack", "output", "--json", "--show-secrets", "--stack", project.stack)
    assert done.ok, done.output
    return json.loads(done.output)


BOUND_TO_AN_APPLICATION = f"""
config:
  moreLines:
    type: object
resources:
  ivr:
    type: plivo:Application
    properties:
      appName: yaml-ivr
      answerUrl: https://voice.example.com/ivr/answer
  frontDesk:
    type: plivo:RentedNumber
    properties:
      number: +1 (555) 000-0001
      appId: ${{ivr.appId}}
  supportLines:
    type: plivo:RentedNumberSet
    properties:
      bindings:
        "{NUMBERS[1]}":
          appId: ${{ivr.appId}}
        "{NUMBERS[2]}":
          appId: ${{ivr.appId}}
  # The set's list kept in the stack's config (`pulumi config set --path 'moreLines["N"].appId' A`):
  # Pulumi YAML has no loops, so a list of numbers comes to a set as a config object.
  configLines:
    type: plivo:RentedNumberSet
    properties:
      bindings: ${{moreLines}}
outputs:
  ivrAppId: ${{ivr.appId}}
  frontDeskApp: ${{frontDesk.appId}}
"""


def test_numbers_bound_to_an_application_drift_gate_and_reconcile(yaml_project, sim_e2e):
    sim_e2e.edit_out_of_band(NUMBERS[3], app_id=APPS[2])
    project = yaml_project(BOUND_TO_AN_APPLICATION)
    for number, app in ((NUMBERS[3], ""), ("+1 555 000 0005", APPS[1])):
        key = f'moreLines["{number}"].appId'
        done = project.pulumi("config", "set", "--path", "--type", "string", key, app, "--stack", "dev")
        assert done.ok, done.output
    up = project.up()
    assert up.ok, up.output
    app_id = outputs(project)["ivrAppId"]
    assert [a["app_name"] for a in sim_e2e.applications() if a["app_id"] == app_id] == ["yaml-ivr"]
    assert outputs(project)["frontDeskApp"] == app_id
    for number in NUMBERS[:3]:  # the single number and the set's two, bound to the new application
        assert sim_e2e.number(number)["app_id"] == app_id, number
    assert sim_e2e.number(NUMBERS[3])["app_id"] in ("", None), "the config's empty appId unlinks"
    assert sim_e2e.number(NUMBERS[4])["app_id"] == APPS[1], "from the config's list"

    gate = project.gate()
    assert gate.ok, gate.output

    # Drift made in the console: the gate fails and names what moved, with no write.
    sim_e2e.edit_out_of_band(NUMBERS[0], app_id=APPS[1])
    sim_e2e.edit_out_of_band(NUMBERS[2], app_id=APPS[1])
    sim_e2e.edit_out_of_band(NUMBERS[4], app_id=APPS[0])
    sim_e2e.clear_log()
    drifted = project.gate()
    assert not drifted.ok, drifted.output
    for name in ("frontDesk", "supportLines", "configLines"):
        assert name in drifted.output, drifted.output
    assert sim_e2e.requests_log()["by_method"].get("POST", 0) == 0, "a gate never writes"

    # Reconcile: `pulumi up --refresh` puts the code's bindings back; then the gate passes again.
    fixed = project.up("--refresh")
    assert fixed.ok, fixed.output
    assert sim_e2e.number(NUMBERS[0])["app_id"] == app_id
    assert sim_e2e.number(NUMBERS[2])["app_id"] == app_id
    assert sim_e2e.number(NUMBERS[4])["app_id"] == APPS[1]
    again = project.gate()
    assert again.ok, again.output


TWO_ACCOUNTS = f"""
config:
  subToken:
    type: string
    secret: true
resources:
  main:
    type: pulumi:providers:plivo
    properties:
      authId: {MAIN}
      authToken: ${{plivo:authToken}}
      baseUrl: ${{plivo:baseUrl}}
  sub:
    type: pulumi:providers:plivo
    properties:
      authId: {SUB}
      authToken: ${{subToken}}
      baseUrl: ${{plivo:baseUrl}}
  mainLine:
    type: plivo:RentedNumber
    properties:
      number: "{NUMBERS[1]}"
      appId: "{APPS[0]}"
    options:
      provider: ${{main}}
  subLine:
    type: plivo:RentedNumber
    properties:
      number: "{NUMBERS[0]}"
      appId: ""
    options:
      provider: ${{sub}}
variables:
  subNumbers:
    fn::invoke:
      function: plivo:getRentedNumbers
      arguments: {{}}
      options:
        provider: ${{sub}}
      return: numbers
outputs:
  subNumbers: ${{subNumbers}}
"""


def test_two_accounts_with_explicit_providers_and_destroy_keeps_the_numbers(yaml_project, sim_e2e):
    sim_e2e.edit_out_of_band(NUMBERS[0], subaccount=SUB)
    sim_e2e.edit_out_of_band(NUMBERS[0], app_id=APPS[1])
    project = yaml_project(TWO_ACCOUNTS)
    project.config_set("subToken", SUB_TOKEN, secret=True)
    up = project.up()
    assert up.ok, up.output
    assert sim_e2e.number(NUMBERS[1])["app_id"] == APPS[0], "written with the main account's credentials"
    assert sim_e2e.number(NUMBERS[0])["app_id"] in ("", None), "written with the subaccount's"
    assert sim_e2e.number(NUMBERS[0])["subaccount"] == SUB
    assert [n["number"] for n in outputs(project)["subNumbers"]] == [NUMBERS[0]], "read as the subaccount"
    state = project.export()
    providers = {
        r["urn"].rsplit("::", 1)[-1]: r for r in state["resources"] if r["type"] == "pulumi:providers:plivo"
    }
    assert {"main", "sub"} <= set(providers)
    for provider in providers.values():  # the tokens are stored encrypted, never in plain text
        token = provider.get("inputs", {}).get("authToken")
        assert token is None or isinstance(token, dict) and "ciphertext" in token, token
    for lines in (project.export(), project.pulumi("stack", "export", "--stack", project.stack).output):
        assert TOKEN not in json.dumps(lines) and SUB_TOKEN not in json.dumps(lines)
    gate = project.gate()
    assert gate.ok, gate.output

    # destroy: no unrent, the numbers stay rented with their bindings.
    sim_e2e.clear_log()
    destroyed = project.destroy()
    assert destroyed.ok, destroyed.output
    assert sim_e2e.requests_log()["by_method"].get("DELETE", 0) == 0, destroyed.output
    assert sim_e2e.number(NUMBERS[1])["app_id"] == APPS[0]
    assert sim_e2e.number(NUMBERS[0])["subaccount"] == SUB


def import_and_paste(project: CliProject, sim_e2e) -> str:
    """`pulumi import plivo:index:RentedNumber hotline N` in a YAML project (the engine has the YAML
    host write the declaration), then the declaration pasted into Pulumi.yaml; returns the code."""
    out = project.dir / "imported.yaml"
    imported = project.pulumi(
        "import", "plivo:index:RentedNumber", "hotline", NUMBERS[4],
        "--yes", "--out", str(out), "--stack", project.stack, "--non-interactive", "--color", "never",
    )  # fmt: skip
    assert imported.ok, imported.output
    assert sim_e2e.requests_log()["by_method"].get("POST", 0) == 0, "an import never writes"
    code = out.read_text()
    assert "type: plivo:RentedNumber" in code, code
    assert f"number: '{NUMBERS[4]}'" in code and f"appId: '{APPS[2]}'" in code, code
    pulumi_yaml = project.dir / "Pulumi.yaml"
    pulumi_yaml.write_text(pulumi_yaml.read_text().replace("resources: {}\n", "") + code)
    return code


def test_import_prints_yaml_that_an_up_keeps_without_a_write(yaml_project, sim_e2e):
    sim_e2e.edit_out_of_band(NUMBERS[4], app_id=APPS[2])
    project = yaml_project("resources: {}\n")
    sim_e2e.clear_log()
    import_and_paste(project, sim_e2e)
    up = project.up()
    assert up.ok, up.output
    assert sim_e2e.requests_log()["by_method"].get("POST", 0) == 0, up.output
    gate = project.gate()
    assert gate.ok, gate.output
    assert sim_e2e.number(NUMBERS[4])["app_id"] == APPS[2]


def test_import_prints_yaml_that_then_shows_no_changes(yaml_project, sim_e2e):
    sim_e2e.edit_out_of_band(NUMBERS[4], app_id=APPS[2])
    project = yaml_project("resources: {}\n")
    import_and_paste(project, sim_e2e)
    preview = project.preview("--expect-no-changes")
    assert preview.ok, preview.output


def test_a_misspelled_property_is_refused_before_any_api_call(yaml_project, sim_e2e):
    project = yaml_project(
        f"""
        resources:
          line:
            type: plivo:RentedNumber
            properties:
              number: "{NUMBERS[0]}"
              appid: "{APPS[0]}"
        """
    )
    sim_e2e.clear_log()
    preview = project.preview()
    assert not preview.ok, preview.output
    assert "Property appid does not exist" in preview.output, preview.output
    assert "appId" in preview.output, "the schema's spelling is offered"
    up = project.up()
    assert not up.ok, up.output
    assert sim_e2e.requests_log()["total"] == 0, sim_e2e.requests_log()
    assert sim_e2e.number(NUMBERS[0])["app_id"] in ("", None)


def test_the_yaml_example_as_its_readme_says(sim_e2e, tmp_path):
    """examples/yaml: `pulumi up` in its folder (the plugin from the checkout's .venv/bin), against
    its seed's account; the gate passes; destroy keeps the numbers."""
    yaml_host_on_path()
    seed = load_seed_file(EXAMPLE / "seed.yaml")
    sim_e2e.reset(seed)
    account = seed["accounts"][0]
    project = CliProject(tmp_path, "", stack=f"e2e-{uuid.uuid4().hex[:8]}", project_dir=EXAMPLE)
    try:
        project.init(plivo_config(sim_e2e.base_url, account["auth_id"], account["auth_token"]))
        up = project.up()
        assert up.ok, up.output
        app_id = outputs(project)["supportIvr"]
        assert sim_e2e.number("15550400001")["app_id"] == app_id
        assert sim_e2e.number("15550400002")["app_id"] == app_id
        assert sim_e2e.number("15550400003")["app_id"] == app_id
        assert sim_e2e.number("15550400004")["app_id"] == "10000000000040"
        assert project.gate().ok
        destroyed = project.destroy()
        assert destroyed.ok, destroyed.output
        for number in ("15550400001", "15550400002", "15550400003", "15550400004"):
            assert sim_e2e.number(number) is not None, f"{number}: destroy keeps it rented"
    finally:
        project.remove_stack()


# -- the functions' results under the schema's names (issue 29, items 10 and 7) -------------------

ITEM = NUMBERS[1]  # bound to an application, in the subaccount, with an alias


def every_field_yaml() -> str:
    """getRentedNumbers' first item and getRentedNumber, every field read by its schema name
    (`${found[0].appId}`...), as outputs."""
    listed = "\n".join(f"  listed_{name}: ${{found[0].{name}}}" for name in NUMBER_INFO_FIELDS)
    one = "\n".join(f"  one_{name}: ${{one.{name}}}" for name in NUMBER_INFO_FIELDS)
    return f"""
variables:
  found:
    fn::invoke:
      function: plivo:getRentedNumbers
      arguments:
        numberStartswith: "{ITEM}"
      return: numbers
  one:
    fn::invoke:
      function: plivo:getRentedNumber
      arguments:
        number: "+{ITEM}"
outputs:
{listed}
{one}
"""


def test_every_field_of_a_number_by_its_schema_name(yaml_project, sim_e2e):
    """Before the fix the items came back in snake_case: `${{found[0].appId}}` was silently empty."""
    sim_e2e.set_number_shape("subaccount")  # the shape with every field the schema names
    sim_e2e.edit_out_of_band(ITEM, app_id=APPS[2], subaccount=SUB, alias="front desk")
    stored = sim_e2e.number(ITEM)
    want = {
        "number": ITEM,
        "appId": APPS[2],
        "subaccount": SUB,
        "application": f"/v1/Account/{MAIN}/Application/{APPS[2]}/",
        "alias": "front desk",
        "numberType": stored["number_type"],
        "voiceEnabled": stored["voice_enabled"],
        "smsEnabled": stored["sms_enabled"],
        "description": stored["description"],
        "addedOn": stored["added_on"],
        "resourceUri": f"/v1/Account/{MAIN}/Number/{ITEM}/",
        "plivoNumber": stored["plivo_number"],
    }
    assert set(want) == set(NUMBER_INFO_FIELDS)
    project = yaml_project(every_field_yaml())
    up = project.up()
    assert up.ok, up.output
    got = outputs(project)
    for prefix in ("listed", "one"):
        assert {name: got.get(f"{prefix}_{name}") for name in NUMBER_INFO_FIELDS} == want, prefix
    assert sim_e2e.requests_log()["by_method"].get("POST", 0) == 0


YAML_BAD_ARGUMENTS = [
    # (function, arguments, the argument the message names, a fragment of the fix)
    ("getRentedNumbers", {"numberType": "tall free"}, "numberType", "tollfree"),
    ("getRentedNumbers", {"numberStartswith": "1-800-FLOWERS"}, "numberStartswith", "first digits"),
    ("getRentedNumbers", {"subaccount": "marketing"}, "subaccount", "SAXXXXXXXXXXXXXXXXXX"),
    ("getRentedNumbers", {"services": "voice,fax"}, "services", "voice,sms"),
    ("getRentedNumber", {"number": "call me"}, "number", "digits in international form"),
    ("getApplication", {"appId": "ivr-main"}, "appId", "72509666337566"),
]


def test_bad_function_arguments_are_named_with_their_fix(yaml_project, sim_e2e):
    """Each bad argument of each function: the run fails with the argument's name and what to write,
    with no traceback at all, before any API call; the fixed program then runs."""
    for function, arguments, argument, fix in YAML_BAD_ARGUMENTS:
        body = (
            "variables:\n  got:\n    fn::invoke:\n"
            f"      function: plivo:{function}\n      arguments: {json.dumps(arguments)}\n"
            "outputs:\n  got: ${got}\n"
        )
        project = yaml_project(body)
        sim_e2e.clear_log()
        up = project.up()
        assert not up.ok, up.output
        assert argument in up.output and fix in up.output, up.output
        for internal in ("Traceback", "plivo_pulumi/", "Unexpected <class", "grpc"):
            assert internal not in up.output, up.output
        assert sim_e2e.requests_log()["total"] == 0, (function, arguments)
    fixed = yaml_project(
        "variables:\n  got:\n    fn::invoke:\n      function: plivo:getRentedNumbers\n"
        '      arguments: {numberType: local, services: "voice,sms"}\n      return: numbers\n'
        "outputs:\n  got: ${got}\n"
    )
    up = fixed.up()
    assert up.ok, up.output
    assert sorted(n["number"] for n in outputs(fixed)["got"]) == sorted(NUMBERS)


def test_kill_mid_up_then_recover(sim_e2e, tmp_path):
    """docs/reliability.md, "When a run is interrupted", for a YAML stack: `kill -9` of pulumi, its
    YAML host and the plugin in the middle of an up, then the documented recovery and the gate."""
    yaml_host_on_path()
    seed, numbers = fleet_seed(30)
    sim_e2e.reset(seed)
    sim_e2e.set_faults(latency_ms=150)
    entries = "".join(f'        "{n}": {{appId: "{APPS[i % 3]}"}}\n' for i, n in enumerate(numbers[:20]))
    singles = "".join(
        f'  n{i}:\n    type: plivo:RentedNumber\n    properties: {{number: "{n}", appId: "{APPS[i % 3]}"}}\n'
        for i, n in enumerate(numbers[20:], start=20)
    )
    folder = tmp_path / "project"
    write_yaml_project(
        folder,
        "resources:\n  fleet:\n    type: plivo:RentedNumberSet\n    properties:\n"
        "      bindings:\n" + entries + singles,
    )
    project = CliProject(tmp_path, "", project_dir=folder)
    project.env["PULUMI_BACKEND_URL"] += "?metadata=skip"  # the README's backend form
    project.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
    sim_e2e.clear_log()
    run = project.start_up()
    wait_for(lambda: posts_seen(sim_e2e) >= 5, 120, "5 POSTs")
    tree = kill_tree(run.pid)
    run.wait(60)
    wait_for(lambda: not [p for p in tree if alive(p)], 30, "the killed run's processes to end")
    sim_e2e.clear_faults()

    recovered = project.recover()
    assert recovered.ok, recovered.output
    gate = project.gate()
    assert gate.ok, gate.output
    assert all(sim_e2e.number(n)["app_id"] == APPS[i % 3] for i, n in enumerate(numbers))
    sim_e2e.clear_log()
    assert project.destroy().ok
    assert "DELETE" not in sim_e2e.requests_log()["by_method"], "nothing unrented"
