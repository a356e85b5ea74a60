"""The audit's application rules through `plivo-numbers audit` on stacks that the `pulumi` CLI made
against the simulator: one application managed by two stacks is `duplicated` (and no reconcile is
advised plainly), a subaccount's credentials do not report a number bound to the main account's
application (which they cannot list) as a broken link, and an application's import mismatch gives
the application's own fix."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from tests.support.accounts import APPS, MAIN, NUMBERS, SUB, SUB_TOKEN, TOKEN
from tests.support.cli_project import CliProject, plivo_config

N5 = NUMBERS[4]
ANSWER = "https://voice.example.com/answer"


def test_one_application_managed_by_two_stacks_is_duplicated(tmp_path: Path, sim_e2e):
    program = f"""
        import pulumi
        from plivo_pulumi import Application
        adopt = pulumi.Config().get("adopt")
        Application("ivr", app_name="shared-ivr", answer_url="{ANSWER}",
                    opts=pulumi.ResourceOptions(import_=adopt) if adopt else None)
        """
    blue = CliProject(tmp_path / "p", textwrap.dedent(program), stack="blue")
    green = CliProject(tmp_path / "p", "", stack="green", project_dir=blue.dir)
    blue.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
    assert blue.up().ok
    app_id = blue.resources("Application")["ivr"]["id"]
    green.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
    green.config_set("adopt", app_id, secret=False)  # green adopts blue's application
    adopted = green.up()
    assert adopted.ok, adopted.output
    assert green.resources("Application")["ivr"]["id"] == app_id

    done = blue.plivo_numbers("audit", "--stack", "blue", "--stack", "green", "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    duplicated = [f for f in json.loads(done.stdout)["findings"] if f["kind"] == "duplicated"]
    assert duplicated == [
        {
            "kind": "duplicated",
            "number": "",
            "app_id": app_id,
            "resource": "blue:ivr, green:ivr",
            "field": None,
            "expected": None,
            "live": None,
            "account": MAIN,
        }
    ]

    # A field changed by hand: each stack sees drift; the table does not just advise a reconcile.
    sim_e2e.edit_application(app_id, answer_url="https://other.example.com/a")
    table = blue.plivo_numbers("audit", "--stack", "blue", "--stack", "green")
    assert table.returncode == 1, table.stdout + table.stderr
    assert "Numbers and applications managed more than once: 1" in table.stdout, table.stdout
    assert "first keep one declaration of what is duplicated" in table.stdout, table.stdout


def test_a_subaccount_audit_does_not_call_a_main_account_application_broken(tmp_path: Path, sim_e2e):
    # The subaccount's number is bound (in the console) to an application of the main account.
    sim_e2e.edit_out_of_band(N5, subaccount=SUB, app_id=APPS[0])
    project = CliProject(
        tmp_path / "p", f"from plivo_pulumi import RentedNumber\nRentedNumber('line', number='{N5}')\n"
    )
    project.init(plivo_config(sim_e2e.base_url, SUB, SUB_TOKEN))
    up = project.up()
    assert up.ok, up.output

    done = project.plivo_numbers("audit", "--stack", "dev", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    doc = json.loads(done.stdout)
    assert doc["findings"] == [], "not a broken link: the subaccount cannot list that application"
    assert doc["unverified_links"] == [{"number": N5, "app_id": APPS[0]}]
    table = project.plivo_numbers("audit", "--stack", "dev")
    assert "Links these credentials cannot check: 1" in table.stdout, table.stdout
    assert SUB_TOKEN not in table.stdout + table.stderr + done.stdout + done.stderr

    # The same number bound to an application that really is gone is still a broken link.
    sim_e2e.remove_application(APPS[0], keep_links=True)
    main = CliProject(tmp_path / "main", "from plivo_pulumi import RentedNumber\n", stack="main")
    main.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
    assert main.up().ok
    as_main = json.loads(main.plivo_numbers("audit", "--stack", "main", "--json").stdout)
    assert ("broken_link", N5) in {(f["kind"], f["number"]) for f in as_main["findings"]}


def test_an_application_import_mismatch_gives_the_applications_own_fix(tmp_path: Path, sim_e2e):
    sim_e2e.edit_application(APPS[0], app_name="legacy", answer_url=ANSWER, hangup_url=ANSWER)
    project = CliProject(
        tmp_path / "p",
        "import pulumi\nfrom plivo_pulumi import Application\n"
        f'Application("legacy", app_name="legacy", answer_url="{ANSWER}", message_method="GET",\n'
        f'            opts=pulumi.ResourceOptions(import_="{APPS[0]}"))\n',
    )
    project.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
    sim_e2e.clear_log()
    refused = project.up()
    assert refused.code != 0
    assert "message_method is 'POST' in Plivo but 'GET' in the code" in refused.output, refused.output
    assert "leave the field unset" not in refused.output, (
        "a left-out field is the default, not the live value"
    )
    assert "a field left out means the API's default" in refused.output, refused.output
    assert [r for r in sim_e2e.requests_log()["requests"] if r["method"] != "GET"] == []
