"""`plivo-numbers audit` of stacks the native `plivo` provider manages, through the real engine and the
CLI against the simulator: a Python program, a YAML program, explicit providers of a subaccount and of
the main account, and a program that mixes the dynamic and the native resources. Each stack is first
brought to match the account exactly, so that the audit must be clean (exit 0, the README's pipeline
recipe), and then changed out of band, so that every finding must name the right resource and the
account it was compared with.

The YAML test lives here rather than in tests/e2e/test_yaml.py, beside the other audits of native
stacks; it uses that module's project layout and needs the YAML host the same way.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from plivo_pulumi.simulator.testing import account_seed
from tests.e2e.test_yaml import write_yaml_project, yaml_host_on_path
from tests.support.accounts import APPS, MAIN, NUMBERS, SUB, SUB_TOKEN, TOKEN
from tests.support.cli_project import CliProject, plivo_config

N1, N2, N3, N4 = NUMBERS[:4]
EXTRA = "15559990001"
NO_FINDINGS = {
    "unmanaged": 0,
    "drifted": 0,
    "gone": 0,
    "duplicated": 0,
    "unmanaged_app": 0,
    "drifted_app": 0,
    "gone_app": 0,
    "broken_link": 0,
    "unrecorded_buy": 0,
}


def seed(numbers: list[str | dict[str, Any]], applications: tuple[str, ...] = APPS) -> dict[str, Any]:
    """The e2e account (main + subaccount) renting exactly `numbers`, with `applications`."""
    return account_seed(
        MAIN, TOKEN, subaccounts=[(SUB, SUB_TOKEN)], applications=applications, numbers=numbers
    )


def audit(
    project: CliProject, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`plivo-numbers audit --stack dev --json` in the project folder, as a pipeline runs it."""
    if env is None:
        return project.plivo_numbers("audit", "--stack", project.stack, "--json", *args)
    saved = project.env
    project.env = env
    try:
        return project.plivo_numbers("audit", "--stack", project.stack, "--json", *args)
    finally:
        project.env = saved


def report(done: subprocess.CompletedProcess[str], code: int) -> dict[str, Any]:
    assert done.returncode == code, done.stdout + done.stderr
    assert TOKEN not in done.stdout + done.stderr and SUB_TOKEN not in done.stdout + done.stderr
    return json.loads(done.stdout)


def found(doc: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The findings as (kind, number, resource, field, expected, live, account)."""
    return [
        (f["kind"], f["number"], f["resource"], f["field"], f["expected"], f["live"], f["account"])
        for f in doc["findings"]
    ]


def audit_writes_nothing(sim_e2e, done: Callable[[], Any]) -> Any:
    sim_e2e.clear_log()
    result = done()
    methods = sim_e2e.requests_log()["by_method"]
    assert set(methods) <= {"GET"}, f"the audit only reads: {methods}"
    return result


# -- a native Python stack ------------------------------------------------------------------------

NATIVE_PROGRAM = f"""
import pulumi
import pulumi_plivo as plivo

ivr = plivo.Application("ivr", app_name="audit-ivr", answer_url="https://voice.example.com/answer")
plivo.RentedNumber("front-desk", number="+1 (555) 000-0001", app_id=ivr.app_id)
plivo.RentedNumber("sales", number="{N2}", app_id=ivr.app_id, subaccount="{SUB}")
plivo.RentedNumberSet(
    "lines",
    bindings={{"{N3}": {{"app_id": ivr.app_id}}, "{N4}": {{"app_id": "", "subaccount": ""}}}},
)
"""


def test_a_native_python_stack_passes_the_pipeline_recipe_then_findings_name_its_resources(
    native_project, sim_e2e
):
    sim_e2e.reset(seed([N1, N2, N3, N4], applications=()))
    project = native_project(NATIVE_PROGRAM)
    up = project.up()
    assert up.ok, up.output
    ivr = next(a["app_id"] for a in sim_e2e.applications() if a["app_name"] == "audit-ivr")

    # README "Pipeline recipe": the gate, the audit, the reconcile; all green on a matching account.
    assert project.gate().ok
    doc = report(audit_writes_nothing(sim_e2e, lambda: audit(project)), 0)
    assert (doc["counts"], doc["findings"]) == (NO_FINDINGS, [])
    assert (doc["live_total"], doc["managed_total"]) == (4, 4)
    assert (doc["live_applications"], doc["managed_applications"]) == (1, 1)
    assert [(a["account"], a["providers"]) for a in doc["accounts"]] == [(MAIN, ["(stack config)"])]

    # Changes made in the console: each is reported against the native resource that declares it.
    sim_e2e.edit_out_of_band(N1, app_id="")
    sim_e2e.edit_out_of_band(N2, subaccount="")
    sim_e2e.unrent_out_of_band(N4)
    sim_e2e.rent_out_of_band(EXTRA, account=MAIN)
    sim_e2e.edit_application(ivr, answer_url="https://elsewhere.example.com/answer")
    doc = report(audit_writes_nothing(sim_e2e, lambda: audit(project)), 1)
    assert found(doc) == [
        ("unmanaged", EXTRA, None, None, None, None, MAIN),
        ("drifted", N1, "front-desk", "app_id", ivr, "", MAIN),
        ("drifted", N2, "sales", "subaccount", SUB, "", MAIN),
        ("gone", N4, "lines", None, None, None, MAIN),
        (
            "drifted_app",
            "",
            "ivr",
            "answer_url",
            "https://voice.example.com/answer",
            "https://elsewhere.example.com/answer",
            MAIN,
        ),
    ]
    table = project.plivo_numbers("audit", "--stack", "dev")
    assert table.returncode == 1, table.stderr
    assert f"Audit of stack dev against Plivo account {MAIN}" in table.stdout
    assert "managed numbers in the stack: 4" in table.stdout

    # The reconcile puts the bindings back; the audit then only sees what the code does not cover.
    sim_e2e.rent_out_of_band(N4, account=MAIN)
    fixed = project.up("--refresh", "--run-program")
    assert fixed.ok, fixed.output
    doc = report(audit(project), 1)
    assert found(doc) == [("unmanaged", EXTRA, None, None, None, None, MAIN)]


# -- a YAML stack ---------------------------------------------------------------------------------

YAML_PROGRAM = f"""
config:
  subToken:
    type: string
    secret: true
resources:
  sub:
    type: pulumi:providers:plivo
    properties:
      authId: {SUB}
      authToken: ${{subToken}}
      baseUrl: ${{plivo:baseUrl}}
  subLine:
    type: plivo:RentedNumber
    properties:
      number: "{N4}"
      appId: ""
    options:
      provider: ${{sub}}
  ivr:
    type: plivo:Application
    properties:
      appName: yaml-audit-ivr
      answerUrl: https://voice.example.com/yaml
  frontDesk:
    type: plivo:RentedNumber
    properties:
      number: "{N1}"
      appId: ${{ivr.appId}}
  supportLines:
    type: plivo:RentedNumberSet
    properties:
      bindings:
        "{N2}":
          appId: ${{ivr.appId}}
          subaccount: {SUB}
        "{N3}":
          appId: ""
"""


@pytest.fixture
def yaml_project(tmp_path: Path, sim_e2e) -> Callable[[str], CliProject]:
    """yaml_project(body): a `runtime: yaml` project (test_yaml.py's layout), stack `dev` configured
    for the main account."""
    yaml_host_on_path()

    def make(body: str) -> CliProject:
        workdir = tmp_path / f"y{len(list(tmp_path.iterdir()))}"
        write_yaml_project(workdir / "project", body)
        made = CliProject(workdir, "", project_dir=workdir / "project")
        made.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
        return made

    return make


def test_a_yaml_stack_is_audited_by_its_resource_names_and_providers(yaml_project, sim_e2e):
    sim_e2e.reset(seed([N1, N2, N3, {"number": N4, "subaccount": SUB}], applications=()))
    project = yaml_project(YAML_PROGRAM)
    project.config_set("subToken", SUB_TOKEN, secret=True)
    up = project.up()
    assert up.ok, up.output
    ivr = next(a["app_id"] for a in sim_e2e.applications() if a["app_name"] == "yaml-audit-ivr")
    doc = report(audit_writes_nothing(sim_e2e, lambda: audit(project)), 0)
    assert (doc["findings"], doc["managed_total"], doc["managed_applications"]) == ([], 4, 1)
    assert [(a["account"], a["providers"]) for a in doc["accounts"]] == [
        (MAIN, ["(stack config)"]),
        (SUB, ["sub"]),
    ]

    sim_e2e.edit_out_of_band(N1, app_id="")
    sim_e2e.edit_out_of_band(N2, subaccount="")
    sim_e2e.edit_out_of_band(N3, app_id=ivr)
    sim_e2e.edit_out_of_band(N4, app_id=ivr)
    doc = report(audit(project), 1)
    assert found(doc) == [
        ("drifted", N1, "frontDesk", "app_id", ivr, "", MAIN),
        ("drifted", N2, "supportLines", "subaccount", SUB, "", MAIN),
        ("drifted", N3, "supportLines", "app_id", "", ivr, MAIN),
        ("drifted", N4, "subLine", "app_id", "", ivr, SUB),
    ]


# -- explicit providers ---------------------------------------------------------------------------

PROVIDERS_PROGRAM = f"""
import pulumi
import pulumi_plivo as plivo

cfg = pulumi.Config()
base_url = pulumi.Config("plivo").require("baseUrl")
sub = plivo.Provider("sub", auth_id="{SUB}", auth_token=cfg.require_secret("subToken"), base_url=base_url)
main = plivo.Provider("main", auth_id="{MAIN}", auth_token=cfg.require_secret("mainToken"), base_url=base_url)
plivo.RentedNumber("sub-line", number="{N1}", app_id="", opts=pulumi.ResourceOptions(provider=sub))
plivo.RentedNumber("main-line", number="{N2}", app_id="{APPS[0]}", opts=pulumi.ResourceOptions(provider=main))
plivo.RentedNumber("default-line", number="{N3}", app_id="{APPS[1]}")
"""


def test_resources_of_a_subaccounts_provider_are_compared_with_the_subaccount(native_project, sim_e2e):
    sim_e2e.reset(seed([{"number": N1, "subaccount": SUB}, N2, N3]))
    project = native_project(PROVIDERS_PROGRAM)
    project.config_set("subToken", SUB_TOKEN, secret=True)
    project.config_set("mainToken", TOKEN, secret=True)
    up = project.up()
    assert up.ok, up.output

    # The subaccount's number (which the main account lists too) is the sub provider's: managed.
    doc = report(audit_writes_nothing(sim_e2e, lambda: audit(project)), 0)
    assert (doc["findings"], doc["account"], doc["live_total"], doc["managed_total"]) == ([], MAIN, 3, 3)
    assert [(a["account"], a["providers"], a["live_total"], a["managed_total"]) for a in doc["accounts"]] == [
        (MAIN, ["(stack config)", "main"], 3, 2),
        (SUB, ["sub"], 1, 1),
    ]

    # Drift of the subaccount's number is reported for the subaccount.
    sim_e2e.edit_out_of_band(N1, app_id=APPS[2])
    doc = report(audit(project), 1)
    assert found(doc) == [("drifted", N1, "sub-line", "app_id", "", APPS[2], SUB)]

    # Moved back to the main account in the console: the subaccount no longer holds it (gone for
    # the sub provider's resource), and nothing of the main account manages it (unmanaged there).
    sim_e2e.edit_out_of_band(N1, subaccount="")
    doc = report(audit(project), 1)
    assert found(doc) == [
        ("unmanaged", N1, None, None, None, None, MAIN),
        ("gone", N1, "sub-line", None, None, None, SUB),
    ]
    table = project.plivo_numbers("audit", "--stack", "dev")
    assert table.returncode == 1, table.stderr
    assert f"Audit of stack dev against Plivo accounts {MAIN}, {SUB}" in table.stdout
    assert f"  account {SUB} [sub]: 0 numbers listed, 1 managed" in table.stdout

    # The sub provider's token is encrypted in the state: without the passphrase the audit cannot
    # list the subaccount, and says so (exit 2), naming the provider; the main token from the env.
    env = {k: v for k, v in project.env.items() if k != "PULUMI_CONFIG_PASSPHRASE"}
    done = audit(project, env={**env, "PLIVO_AUTH_TOKEN": TOKEN})
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    assert "plivo provider 'sub'" in done.stderr and "PULUMI_CONFIG_PASSPHRASE" in done.stderr
    assert "Traceback" not in done.stderr and SUB_TOKEN not in done.stderr and TOKEN not in done.stderr


# -- dynamic and native resources in one program --------------------------------------------------

MIXED_PROGRAM = f"""
import pulumi
import pulumi_plivo as plivo
from plivo_pulumi import RentedNumber, RentedNumberSet

RentedNumber("dynamic-line", number="{N1}", app_id="{APPS[0]}")
RentedNumberSet("dynamic-set", bindings={{"{N2}": {{"app_id": "{APPS[1]}"}}}})
plivo.RentedNumber("native-line", number="{N3}", app_id="{APPS[2]}")
plivo.RentedNumberSet("native-set", bindings={{"{N4}": {{"app_id": "", "subaccount": "{SUB}"}}}})
"""


def test_a_stack_mixing_dynamic_and_native_resources_is_audited_whole(native_project, sim_e2e):
    sim_e2e.reset(seed([N1, N2, N3, N4]))
    project = native_project(MIXED_PROGRAM)
    up = project.up()
    assert up.ok, up.output
    doc = report(audit_writes_nothing(sim_e2e, lambda: audit(project)), 0)
    assert (doc["findings"], doc["managed_total"], doc["live_total"]) == ([], 4, 4)

    sim_e2e.edit_out_of_band(N1, app_id=APPS[2])
    sim_e2e.edit_out_of_band(N3, app_id=APPS[0])
    sim_e2e.edit_out_of_band(N4, subaccount="")
    sim_e2e.unrent_out_of_band(N2)
    doc = report(audit(project), 1)
    assert found(doc) == [
        ("drifted", N1, "dynamic-line", "app_id", APPS[0], APPS[2], MAIN),
        ("drifted", N3, "native-line", "app_id", APPS[2], APPS[0], MAIN),
        ("drifted", N4, "native-set", "subaccount", SUB, "", MAIN),
        ("gone", N2, "dynamic-set", None, None, None, MAIN),
    ]
