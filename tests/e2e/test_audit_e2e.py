"""Fleets through the real engine against the simulator: a bindings file declared by a Pulumi program,
and `plivo-numbers audit` reading a state that the engine produced, credentials from its config."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from plivo_pulumi import dynamic as resources
from plivo_pulumi.cli import main
from plivo_pulumi.dynamic.fleet import declare_bindings
from tests.support.accounts import APPS, MAIN, NUMBERS, SUB, TOKEN, e2e_seed
from tests.support.engine_stack import PASSPHRASE, EngineStack

LIST_ROUTE = "GET /v1/Account/{auth_id}/Number/"
GET_ROUTE = "GET /v1/Account/{auth_id}/Number/{number}/"
APP_LIST_ROUTE = "GET /v1/Account/{auth_id}/Application/"
NO_APP_FINDINGS = {"unmanaged_app": 0, "drifted_app": 0, "gone_app": 0, "broken_link": 0, "unrecorded_buy": 0}


def routes(sim_e2e) -> dict[str, int]:
    return sim_e2e.requests_log()["by_route"]


# -- bindings file --------------------------------------------------------------------------------


def test_bindings_file_declares_and_binds_with_stable_names(sim_e2e, make_stack, tmp_path):
    bindings = tmp_path / "bindings.yaml"
    bindings.write_text(
        textwrap.dedent(
            f"""
            defaults:
              app_id: "{APPS[0]}"
              subaccount: ""
            numbers:
              - number: "+1 (555) 000-0001"
                name: support
              - number: {NUMBERS[1]}
                app_id: /v1/Account/{MAIN}/Application/{APPS[1]}/
                subaccount: {SUB}
              - number: "{NUMBERS[2]}"
                app_id: null
            """
        )
    )
    stack = make_stack(lambda: declare_bindings(str(bindings)))
    up = stack.up()
    assert up.ok, up.output
    assert up.summary.get("create") == 4  # three numbers and the stack
    assert (
        sim_e2e.number(NUMBERS[0])["app_id"] == APPS[0] and sim_e2e.number(NUMBERS[0])["subaccount"] is None
    )
    assert sim_e2e.number(NUMBERS[1])["app_id"] == APPS[1] and sim_e2e.number(NUMBERS[1])["subaccount"] == SUB
    assert sim_e2e.number(NUMBERS[2])["app_id"] is None  # not managed: left alone
    state = stack.resources()
    assert set(state) == {"support", f"number-{NUMBERS[1]}", f"number-{NUMBERS[2]}"}
    assert state[f"number-{NUMBERS[2]}"]["inputs"].get("app_id") is None
    assert state[f"number-{NUMBERS[2]}"]["inputs"]["subaccount"] == ""

    # Reordered, with one entry added in the middle: only the new number is created.
    bindings.write_text(
        textwrap.dedent(
            f"""
            defaults:
              subaccount: ""
              app_id: "{APPS[0]}"
            numbers:
              - number: "{NUMBERS[2]}"
                app_id: null
              - number: "{NUMBERS[3]}"
                app_id: "{APPS[2]}"
              - number: {NUMBERS[1]}
                subaccount: {SUB}
                app_id: "{APPS[1]}"
              - number: 15550000001
                name: support
            """
        )
    )
    preview = stack.preview()
    assert preview.ok, preview.output
    assert preview.summary == {"create": 1, "same": 4}, preview.summary
    sim_e2e.clear_log()
    assert stack.up().ok
    assert sim_e2e.number(NUMBERS[3])["app_id"] == APPS[2]
    assert sim_e2e.requests_log()["by_method"] == {"GET": 1, "POST": 1}

    # A broken file stops the program before anything is declared: nothing is deleted or called.
    bindings.write_text(f"numbers:\n  - number: {NUMBERS[0]}\n    app: '{APPS[1]}'\n")
    sim_e2e.clear_log()
    broken = stack.up()
    assert not broken.ok
    assert f"{bindings}: numbers[0] (number {NUMBERS[0]}): unknown key 'app'; did you mean 'app_id'?" in (
        broken.output
    )
    assert sim_e2e.requests_log()["total"] == 0
    assert len(stack.resources()) == 4


# -- audit ----------------------------------------------------------------------------------------

EXTRA = "15559990001"


def bound_seed(extra_numbers: list[dict] | None = None, generate: dict | None = None) -> dict:
    """The account exactly as the audited stack declares it (plus `extra_numbers`)."""
    seed = e2e_seed(
        [
            {"number": NUMBERS[0], "app_id": APPS[0]},
            {"number": NUMBERS[1], "app_id": APPS[1], "subaccount": SUB},
            {"number": NUMBERS[2], "app_id": APPS[2]},
            *(extra_numbers or []),
        ]
    )
    if generate:
        seed["generate"] = {"account": MAIN, **generate}
    return seed


AUDITED_BINDINGS = f"""
defaults:
  app_id: "{APPS[0]}"
numbers:
  - number: "{NUMBERS[0]}"
    name: support            # subaccount not managed
  - number: "{NUMBERS[1]}"
    name: sales
    app_id: "{APPS[1]}"
    subaccount: {SUB}
  - number: "{NUMBERS[2]}"
    name: alerts
    app_id: "{APPS[2]}"
    subaccount: ""
"""


class Audited:
    """One stack, brought up once per module; every test resets the simulator to match it first."""

    def __init__(self, sim_e2e, stack: EngineStack) -> None:
        self.sim = sim_e2e
        self.stack = stack
        self.project = stack.workdir / "project"
        self.env = {
            "PULUMI_BACKEND_URL": f"file://{stack.state_dir}",
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_HOME": str(stack.workdir / "pulumi-home"),
        }

    def argv(self, *extra: str, stack: str = "dev") -> list[str]:
        return ["audit", "--stack", stack, "--cwd", str(self.project), *extra]


@pytest.fixture(scope="module")
def audited_stack(sim_process, tmp_path_factory):
    sim_process.clear_faults()
    sim_process.reset(bound_seed())
    workdir = tmp_path_factory.mktemp("audit")
    bindings = workdir / "bindings.yaml"
    bindings.write_text(AUDITED_BINDINGS)
    config = {
        "plivo:baseUrl": (sim_process.base_url, False),
        "plivo:authId": (MAIN, False),
        "plivo:authToken": (TOKEN, True),
    }
    stack = EngineStack(workdir, lambda: declare_bindings(str(bindings)), config=config)
    up = stack.up()
    assert up.ok, up.output
    assert sim_process.requests_log()["by_method"] == {"GET": 3}, "adopting a matching account writes nothing"
    return Audited(sim_process, stack)


@pytest.fixture
def audited(audited_stack, monkeypatch):
    for key in [k for k in os.environ if k.startswith("PLIVO_")]:
        monkeypatch.delenv(key)
    for key, value in audited_stack.env.items():
        monkeypatch.setenv(key, value)
    audited_stack.sim.clear_faults()
    audited_stack.sim.reset(bound_seed())
    return audited_stack


def run_json(capsys, argv: list[str]) -> tuple[int, dict, str]:
    code = main([*argv, "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def test_clean_account_exits_0_with_a_table_and_json(audited, capsys):
    assert main(audited.argv()) == 0
    out = capsys.readouterr().out
    assert f"Audit of stack dev against Plivo account {MAIN}" in out
    assert "  live numbers listed: 3 (filters: none)" in out
    assert "  managed numbers in the stack: 3" in out
    assert "Result: no findings; the account matches the stack." in out

    audited.sim.clear_log()
    code, doc, err = run_json(capsys, audited.argv())
    assert code == 0
    assert doc == {
        "stack": "dev",
        "account": MAIN,
        "filters": {},
        "live_total": 3,
        "managed_total": 3,
        "live_applications": 3,
        "managed_applications": 0,
        "counts": {"unmanaged": 0, "drifted": 0, "gone": 0, "duplicated": 0, **NO_APP_FINDINGS},
        "findings": [],
        "unverified_links": [],
        "accounts": [
            {
                "account": MAIN,
                "providers": ["(stack config)"],
                "live_total": 3,
                "managed_total": 3,
                "live_applications": 3,
                "managed_applications": 0,
            }
        ],
        "orders": [],
        "orders_monthly_total": 0.0,
    }
    assert routes(audited.sim) == {LIST_ROUTE: 1, APP_LIST_ROUTE: 1}, (
        "one page of numbers and one of applications, no per-number GET, no write"
    )
    assert "audit: listed 3/3 numbers" in err


def test_out_of_band_changes_are_drift_on_managed_fields_only(audited, capsys):
    audited.sim.edit_out_of_band(NUMBERS[2], app_id=APPS[0])  # managed: drift
    audited.sim.edit_out_of_band(NUMBERS[1], subaccount="")  # managed: drift
    audited.sim.edit_out_of_band(NUMBERS[0], subaccount=SUB)  # not managed: never drift
    code, doc, _ = run_json(capsys, audited.argv())
    assert code == 1
    assert doc["counts"] == {"unmanaged": 0, "drifted": 2, "gone": 0, "duplicated": 0, **NO_APP_FINDINGS}
    assert doc["findings"] == [
        {
            "kind": "drifted",
            "app_id": None,
            "number": NUMBERS[1],
            "resource": "sales",
            "field": "subaccount",
            "expected": SUB,
            "live": "",
            "account": MAIN,
        },
        {
            "kind": "drifted",
            "app_id": None,
            "number": NUMBERS[2],
            "resource": "alerts",
            "field": "app_id",
            "expected": APPS[2],
            "live": APPS[0],
            "account": MAIN,
        },
    ]
    assert main(audited.argv()) == 1
    out = capsys.readouterr().out
    assert "Drifted bindings: 2 (a managed field differs from the live account)" in out
    rows = [row.split() for row in out.splitlines() if row.startswith("  drifted ")]
    assert rows == [
        ["drifted", NUMBERS[1], "sales", "subaccount", SUB, "(main", "account)"],
        ["drifted", NUMBERS[2], "alerts", "app_id", APPS[2], APPS[0]],
    ]


def test_extra_rented_number_is_unmanaged(audited, capsys):
    audited.sim.rent_out_of_band(EXTRA, account=MAIN, app_id=APPS[1])
    code, doc, _ = run_json(capsys, audited.argv())
    assert code == 1
    assert (doc["live_total"], doc["managed_total"]) == (4, 3)
    assert doc["findings"] == [
        {
            "kind": "unmanaged",
            "app_id": None,
            "number": EXTRA,
            "resource": None,
            "field": None,
            "expected": None,
            "live": None,
            "account": MAIN,
        }
    ]


def test_out_of_band_unrent_is_gone(audited, capsys):
    audited.sim.unrent_out_of_band(NUMBERS[0])
    code, doc, _ = run_json(capsys, audited.argv())
    assert code == 1
    assert doc["findings"] == [
        {
            "kind": "gone",
            "app_id": None,
            "number": NUMBERS[0],
            "resource": "support",
            "field": None,
            "expected": None,
            "live": None,
            "account": MAIN,
        }
    ]
    assert main(audited.argv()) == 1
    assert "Managed numbers no longer rented: 1" in capsys.readouterr().out


def test_filters_narrow_unmanaged_and_never_invent_gone(audited, capsys):
    audited.sim.reset(
        bound_seed([{"number": "17770000001"}, {"number": "17770000002", "number_type": "tollfree"}])
    )
    audited.sim.clear_log()
    code, doc, _ = run_json(capsys, audited.argv("--number-startswith", "1777"))
    assert code == 1
    assert doc["filters"] == {"number_startswith": "1777"}
    assert doc["live_total"] == 2
    assert [(f["kind"], f["number"]) for f in doc["findings"]] == [
        ("unmanaged", "17770000001"),
        ("unmanaged", "17770000002"),
    ]
    log = routes(audited.sim)
    assert log == {LIST_ROUTE: 1, GET_ROUTE: 3, APP_LIST_ROUTE: 1}, (
        "one GET per managed number outside the listing"
    )

    code, doc, _ = run_json(capsys, audited.argv("--number-type", "tollfree"))
    assert [(f["kind"], f["number"]) for f in doc["findings"]] == [("unmanaged", "17770000002")]

    # A managed number outside the filters that is really gone is still found, by its GET (404).
    audited.sim.unrent_out_of_band(NUMBERS[2])
    code, doc, _ = run_json(capsys, audited.argv("--subaccount", SUB))
    assert code == 1
    assert doc["live_total"] == 1  # the subaccount's number: NUMBERS[1]
    assert [(f["kind"], f["number"], f["resource"]) for f in doc["findings"]] == [
        ("gone", NUMBERS[2], "alerts")
    ]

    code, doc, _ = run_json(capsys, audited.argv("--services", "voice,sms", "--number-startswith", "1555"))
    assert doc["filters"] == {"number_startswith": "1555", "services": "voice,sms"}
    assert [(f["kind"], f["number"]) for f in doc["findings"]] == [("gone", NUMBERS[2])]


def test_listing_pages_through_more_than_three_pages(audited, capsys):
    audited.sim.reset(bound_seed(generate={"count": 70, "prefix": "1666"}))
    audited.sim.clear_log()
    code, doc, err = run_json(capsys, audited.argv())
    assert code == 1
    assert doc["live_total"] == 73
    assert doc["counts"] == {"unmanaged": 70, "drifted": 0, "gone": 0, "duplicated": 0, **NO_APP_FINDINGS}
    assert {f["number"][:4] for f in doc["findings"]} == {"1666"}
    assert routes(audited.sim) == {LIST_ROUTE: 4, APP_LIST_ROUTE: 1}, "73 numbers at 20 per page: 4 pages"
    assert err.splitlines()[0].startswith("audit: listed 20/73 numbers")
    assert "audit: listed 73/73 numbers" in err.splitlines()


def test_wrong_token_is_exit_2_naming_the_config_key_never_the_token(audited, capsys):
    wrong = "tok-WRONG-e2e-Hq8LbT2vX"
    EngineStack(
        audited.stack.workdir,
        lambda: None,
        config={
            "plivo:baseUrl": (audited.sim.base_url, False),
            "plivo:authId": (MAIN, False),
            "plivo:authToken": (wrong, True),
        },
        stack="wrongtoken",
    )
    code = main(audited.argv(stack="wrongtoken"))
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert "plivo-numbers audit: error:" in captured.err
    assert "plivo:authToken" in captured.err
    assert wrong not in captured.err + captured.out
    assert TOKEN not in captured.err + captured.out


def test_missing_stack_is_exit_2_with_the_engine_message(audited, capsys):
    assert main(audited.argv(stack="nope")) == 2
    err = capsys.readouterr().err
    assert "`pulumi stack export --stack nope` failed" in err
    assert "no stack named 'nope' found" in err


def test_token_from_the_environment_when_the_config_cannot_be_decrypted(audited, capsys, monkeypatch):
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE")
    assert main(audited.argv()) == 2
    err = capsys.readouterr().err
    assert "PULUMI_CONFIG_PASSPHRASE" in err and "plivo:authToken" in err and TOKEN not in err

    monkeypatch.setenv("PLIVO_AUTH_TOKEN", TOKEN)
    assert main(audited.argv()) == 0
    err = capsys.readouterr().err
    assert "using PLIVO_AUTH_TOKEN from the environment" in err


def test_console_script_in_a_subprocess(audited):
    audited.sim.edit_out_of_band(NUMBERS[0], app_id=APPS[1])
    script = Path(sys.executable).with_name("plivo-numbers")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLIVO_")}
    proc = subprocess.run(
        [str(script), *audited.argv("--json")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert [(f["kind"], f["resource"], f["expected"], f["live"]) for f in doc["findings"]] == [
        ("drifted", "support", APPS[0], APPS[1])
    ]
    assert TOKEN not in proc.stdout + proc.stderr


def test_a_rented_number_set_state_is_audited_per_number(audited, capsys):
    bindings = audited.stack.workdir / "bindings.yaml"
    fleet = EngineStack(
        audited.stack.workdir,
        lambda: resources.RentedNumberSet.from_yaml("fleet", str(bindings)),
        config={
            "plivo:baseUrl": (audited.sim.base_url, False),
            "plivo:authId": (MAIN, False),
            "plivo:authToken": (TOKEN, True),
        },
        stack="fleet",
    )
    up = fleet.up()
    assert up.ok, up.output
    assert main(audited.argv(stack="fleet")) == 0
    assert "  managed numbers in the stack: 3" in capsys.readouterr().out

    audited.sim.edit_out_of_band(NUMBERS[1], app_id=APPS[0], subaccount="")
    audited.sim.edit_out_of_band(NUMBERS[0], subaccount=SUB)  # not managed
    audited.sim.unrent_out_of_band(NUMBERS[2])
    audited.sim.rent_out_of_band(EXTRA, account=MAIN)
    code, doc, _ = run_json(capsys, audited.argv(stack="fleet"))
    assert code == 1
    assert [
        (f["kind"], f["number"], f["resource"], f["field"], f["expected"], f["live"]) for f in doc["findings"]
    ] == [
        ("unmanaged", EXTRA, None, None, None, None),
        ("drifted", NUMBERS[1], "fleet", "app_id", APPS[1], APPS[0]),
        ("drifted", NUMBERS[1], "fleet", "subaccount", SUB, ""),
        ("gone", NUMBERS[2], "fleet", None, None, None),
    ]
