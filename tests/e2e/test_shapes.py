"""The lifecycle with managed subaccounts in every shape of the API's number object (docs/design.md,
"Bindings"): `subaccount` (the simulator's original), `sub_account` (Plivo's newer docs),
`reference` (the Number API reference: no subaccount field; it is learned with the List filter
`subaccount=`), `current` (the live API's object today, the simulator's default: `sub_account` null
or the bare auth id beside `sub_account_name`, as in the official SDKs' 2026 fixtures; rates, renewal
date, 10DLC fields, no `description`) and `current_uri` (the same object as older answers had it:
`sub_account` as the subaccount's URI). Through the CLI in a project folder (up, gate, drift, audit,
reconcile), with the API calls the docs state counted."""

from __future__ import annotations

import json

import pytest
import requests

from tests.support.accounts import APPS, MAIN, NUMBERS, SUB, SUB_TOKEN, TOKEN
from tests.support.cli_project import CliProject, plivo_config

SUB2 = "SAE2ESUBACCOUNT00002"
N1, N2, N3 = NUMBERS[:3]
SHAPES = ("subaccount", "sub_account", "reference", "current", "current_uri")

NUMBERS_PROGRAM = f"""
from plivo_pulumi import RentedNumber
RentedNumber("main-line", number="{N1}", app_id="{APPS[0]}", subaccount="")
RentedNumber("sub-line", number="{N2}", app_id="{APPS[1]}", subaccount="{SUB}")
RentedNumber("sub-line-2", number="{N3}", subaccount="{SUB}")
"""
SET_PROGRAM = f"""
from plivo_pulumi import RentedNumberSet
RentedNumberSet("fleet", {{
    "{N1}": {{"app_id": "{APPS[0]}", "subaccount": ""}},
    "{N2}": {{"app_id": "{APPS[1]}", "subaccount": "{SUB}"}},
    "{N3}": {{"subaccount": "{SUB}"}},
}})
"""


@pytest.fixture
def shaped_sim(sim_e2e, request):
    shape = request.param
    sim_e2e.reset(
        {
            "number_shape": shape,
            "accounts": [
                {
                    "auth_id": MAIN,
                    "auth_token": TOKEN,
                    "subaccounts": [  # named: `current` objects carry the name too
                        {"auth_id": SUB, "auth_token": SUB_TOKEN, "name": "Marketing"},
                        {"auth_id": SUB2, "auth_token": "tok-sub2-Lm4Nb7Vc1Xz9", "name": "Support"},
                    ],
                }
            ],
            "applications": [{"app_id": app, "account": MAIN} for app in APPS],
            "numbers": [{"number": n, "account": MAIN, "number_type": "local"} for n in NUMBERS],
        }
    )
    assert sim_e2e.number_shape() == shape
    return sim_e2e, shape


def project_for(tmp_path, sim_e2e, program: str) -> CliProject:
    project = CliProject(tmp_path / "p", program)
    project.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
    return project


def audit(project: CliProject) -> tuple[int, dict]:
    done = project.plivo_numbers("audit", "--stack", project.stack, "--json")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return done.returncode, json.loads(done.stdout)


def lists(sim_e2e) -> int:
    """List calls (GET on the numbers collection) in the request log."""
    return sum(
        1
        for r in sim_e2e.requests_log()["requests"]
        if r["method"] == "GET" and r["path"].endswith("/Number/")
    )


def gets(sim_e2e) -> int:
    return sim_e2e.requests_log()["by_method"].get("GET", 0) - lists(sim_e2e)


@pytest.mark.parametrize("shaped_sim", SHAPES, indirect=True)
def test_rented_numbers_with_subaccounts_in_every_shape(shaped_sim, tmp_path):
    sim_e2e, shape = shaped_sim
    learned = 2 if shape == "reference" else 0  # one List call per number managed as SA...
    project = project_for(tmp_path, sim_e2e, NUMBERS_PROGRAM)

    up = project.up()
    assert up.ok, up.output
    assert [sim_e2e.number(n)["subaccount"] for n in (N1, N2, N3)] == [None, SUB, SUB]
    assert (gets(sim_e2e), lists(sim_e2e)) == (3, learned)
    assert sim_e2e.requests_log()["by_method"]["POST"] == 3, "each number written once (app or subaccount)"

    sim_e2e.clear_log()
    gate = project.gate()
    assert gate.ok, f"a gate after a successful up passes ({shape}):\n{gate.output}"
    assert (gets(sim_e2e), lists(sim_e2e)) == (3, learned)
    assert "POST" not in sim_e2e.requests_log()["by_method"]

    sim_e2e.edit_out_of_band(N2, subaccount=SUB2)  # someone moves it to another subaccount
    drifted = project.gate()
    assert drifted.code != 0 and "sub-line" in drifted.output and "subaccount" in drifted.output
    code, report = audit(project)
    drift = [f for f in report["findings"] if f["kind"] == "drifted"]
    expected_live = f"(not in {SUB})" if shape == "reference" else SUB2
    assert drift == [
        {
            "kind": "drifted",
            "number": N2,
            "app_id": None,
            "resource": "sub-line",
            "field": "subaccount",
            "expected": SUB,
            "live": expected_live,
            "account": MAIN,
        }
    ]

    sim_e2e.clear_log()
    reconcile = project.up("--refresh", "--run-program")
    assert reconcile.ok, reconcile.output
    assert sim_e2e.number(N2)["subaccount"] == SUB
    assert sim_e2e.requests_log()["by_method"]["POST"] == 1, "only the moved number is written"
    assert project.gate().ok
    code, report = audit(project)
    assert [f for f in report["findings"] if f["kind"] != "unmanaged"] == []

    sim_e2e.clear_log()
    destroy = project.destroy()
    assert destroy.ok, destroy.output
    assert "DELETE" not in sim_e2e.requests_log()["by_method"], "unrent_on_delete is off: nothing unrented"
    kept = [(sim_e2e.number(n)["app_id"], sim_e2e.number(n)["subaccount"]) for n in (N1, N2, N3)]
    assert kept == [(APPS[0], None), (APPS[1], SUB), (None, SUB)], "the numbers keep their bindings"
    # What the run read: the subaccount's number in this shape's form.
    seen = requests.get(f"{sim_e2e.base_url}/Account/{MAIN}/Number/{N2}/", auth=(MAIN, TOKEN), timeout=10)
    assert seen.status_code == 200
    if shape == "current":
        assert (seen.json()["sub_account"], seen.json()["sub_account_name"]) == (SUB, "Marketing")
    elif shape == "current_uri":
        assert seen.json()["sub_account"] == f"/v1/Account/{MAIN}/Subaccount/{SUB}/"
        assert "sub_account_name" not in seen.json()


@pytest.mark.parametrize("shaped_sim", SHAPES, indirect=True)
def test_rented_number_set_with_subaccounts_in_every_shape(shaped_sim, tmp_path):
    sim_e2e, shape = shaped_sim
    project = project_for(tmp_path, sim_e2e, SET_PROGRAM)
    up = project.up()
    assert up.ok, up.output
    assert [sim_e2e.number(n)["subaccount"] for n in (N1, N2, N3)] == [None, SUB, SUB]
    assert sim_e2e.requests_log()["by_method"]["POST"] == 3

    sim_e2e.clear_log()
    gate = project.gate()
    assert gate.ok, gate.output
    assert "POST" not in sim_e2e.requests_log()["by_method"]
    # One List page of the 5-number account, plus, in the reference shape, the two numbers of SUB
    # learned with one List call each.
    assert lists(sim_e2e) == (3 if shape == "reference" else 1) and gets(sim_e2e) == 0

    sim_e2e.edit_out_of_band(N3, subaccount=SUB2)
    assert project.gate().code != 0
    code, report = audit(project)
    assert [(f["number"], f["field"]) for f in report["findings"] if f["kind"] == "drifted"] == [
        (N3, "subaccount")
    ]
    sim_e2e.clear_log()
    assert project.up("--refresh", "--run-program").ok
    assert sim_e2e.number(N3)["subaccount"] == SUB
    assert sim_e2e.requests_log()["by_method"]["POST"] == 1
    assert project.gate().ok
