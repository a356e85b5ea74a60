"""`plivo_pulumi.PhoneNumberOrder` (the dynamic resource, issue 32) through the `pulumi` CLI against the
simulator, counting purchases and spend in the simulator's purchase log: preview buys nothing and
names the numbers and the cost; a plan over the cap or with nothing on offer fails at preview and
at `up`, and the fixed run then buys `count` once; `up` buys `count` and binds them; a lost buy
answer and a killed run (then the README's recovery) never lead to a second purchase nor to spend
over the cap; a number taken meanwhile is replaced by the next candidate; a pending number is
reported and never bought again; destroy keeps the numbers unless `release_on_delete`; and one
stack's order never claims what another stack's order bought."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from plivo_pulumi.core.client import PlivoClient
from tests.support.accounts import APPS, MAIN, TOKEN
from tests.support.cli_project import CliProject, plivo_config
from tests.support.order_kit import (
    BERLIN,
    SF,
    kill_up_after_a_purchase,
    monthly_spend,
    order_program,
    purchases,
)


def order(name: str = "sf", **args: object) -> str:
    return order_program("dynamic", name, **args)


def orders(project: CliProject) -> dict[str, dict]:
    return project.resources("PhoneNumberOrder")


def test_preview_names_numbers_and_cost_then_up_buys_binds_and_destroy_keeps(project, sim_e2e):
    made = project(order(app_id=APPS[0]))
    preview = made.preview()
    assert preview.ok, preview.output
    assert f"would buy 2 number(s): {SF[0]} (0.80000/month), {SF[1]} (0.80000/month)" in preview.output
    assert "cost 1.60 USD per month" in preview.output
    assert purchases(sim_e2e) == [] and "POST" not in sim_e2e.requests_log()["by_method"]

    up = made.up()
    assert up.ok, up.output
    assert purchases(sim_e2e) == SF[:2] and monthly_spend(sim_e2e) == Decimal("1.6")
    outputs = orders(made)["sf"]["outputs"]
    assert outputs["numbers"] == SF[:2] and outputs["monthly_cost"] == 1.6
    key = outputs["order_key"]
    assert key.startswith("po-")
    for number in SF[:2]:
        assert (sim_e2e.number(number)["app_id"], sim_e2e.number(number)["alias"]) == (APPS[0], key)

    again = made.up()
    assert again.ok, again.output
    assert purchases(sim_e2e) == SF[:2], "a rerun buys nothing"
    assert orders(made)["sf"]["outputs"]["order_key"] == key, "the key is stable across runs"

    destroy = made.destroy()
    assert destroy.ok, destroy.output
    assert all(sim_e2e.number(n) is not None for n in SF[:2]), "kept: release_on_delete is false"
    assert not [a for a in sim_e2e.applications() if a["app_name"].startswith(key)], "reservation app gone"


def test_over_the_cap_is_refused_then_a_raised_cap_buys_count_once(project, sim_e2e):
    made = project(order(count=3, max_monthly_cost=2))
    over = made.preview()
    assert over.code != 0
    assert "max_monthly_cost is 2.00 USD but the order would cost 2.40 USD" in over.output
    assert all(n in over.output for n in SF[:3])
    assert "Traceback" not in over.output
    refused = made.up()
    assert refused.code != 0 and "max_monthly_cost is 2.00 USD" in refused.output
    assert purchases(sim_e2e) == [] and "POST" not in sim_e2e.requests_log()["by_method"]
    assert "sf" not in orders(made), "the refused order is not in the state"

    # The fix: the cap raised to exactly what the plan costs.
    made.write_program(order(count=3, max_monthly_cost=2.4))
    fixed = made.preview()
    assert fixed.ok, fixed.output
    assert "would buy 3 number(s)" in fixed.output and "cost 2.40 USD per month" in fixed.output
    up = made.up()
    assert up.ok, up.output
    assert purchases(sim_e2e) == SF[:3], "exactly `count` bought"
    assert monthly_spend(sim_e2e) == Decimal("2.4")
    assert orders(made)["sf"]["outputs"]["numbers"] == SF[:3]

    sim_e2e.clear_log()
    again = made.up()
    assert again.ok, again.output
    assert purchases(sim_e2e) == SF[:3], "a rerun buys nothing"
    assert "POST" not in sim_e2e.requests_log()["by_method"], "nor writes anything"


def test_an_empty_search_fails_preview_and_up_naming_the_filters(project, sim_e2e):
    made = project(order(pattern="999", services=["sms"]))
    named = (
        "found 0 number(s) on offer for filters country='US', type='local', pattern='999', services=['sms']"
    )
    preview = made.preview()
    assert preview.code != 0
    assert named in preview.output and "Widen the filters" in preview.output
    assert "Traceback" not in preview.output
    up = made.up()
    assert up.code != 0
    assert named in up.output and "Traceback" not in up.output
    assert purchases(sim_e2e) == [] and "POST" not in sim_e2e.requests_log()["by_method"]
    assert "sf" not in orders(made)


def test_a_number_taken_meanwhile_is_replaced_by_the_next_candidate_within_the_cap(project, sim_e2e):
    made = project(order(max_monthly_cost=1.6))  # 2 numbers at 0.80: no room for a dearer one
    preview = made.preview()
    assert preview.ok, preview.output
    assert f"would buy 2 number(s): {SF[0]} (0.80000/month), {SF[1]} (0.80000/month)" in preview.output
    sim_e2e.set_faults(buy_taken=[SF[0]])  # someone else buys it between the search and the buy
    up = made.up()
    assert up.ok, up.output
    assert f"number {SF[0]} was taken by someone else since the search" in up.output
    assert purchases(sim_e2e) == [SF[1], SF[2]], "the taken one replaced by the next candidate"
    assert monthly_spend(sim_e2e) <= Decimal("1.6")
    outputs = orders(made)["sf"]["outputs"]
    assert outputs["numbers"] == [SF[1], SF[2]] and outputs["monthly_cost"] == 1.6
    assert sim_e2e.number(SF[0]) is None, "the taken number is not this account's"
    assert made.up().ok and purchases(sim_e2e) == [SF[1], SF[2]], "a rerun buys nothing"


def test_a_pending_number_is_reported_and_never_bought_again(project, sim_e2e):
    made = project(order("berlin", country="DE", type=None, pattern=None, count=1))
    up = made.up()
    assert up.ok, up.output
    assert f"number {BERLIN} was bought pending: Plivo needs" in up.output
    assert "A proof of address in the number's city (Berlin) is required." in up.output
    assert purchases(sim_e2e) == [BERLIN]
    outputs = orders(made)["berlin"]["outputs"]
    assert outputs["numbers"] == [BERLIN]
    assert outputs["details"][0]["status"] == "pending"
    assert outputs["details"][0]["restriction_text"].startswith("A proof of address")

    sim_e2e.clear_log()
    rerun = made.up()
    assert rerun.ok, rerun.output
    assert "was bought pending" not in rerun.output
    assert purchases(sim_e2e) == [BERLIN], "a pending number is not bought again"
    assert "POST" not in sim_e2e.requests_log()["by_method"], "nor retried"
    assert orders(made)["berlin"]["outputs"]["details"][0]["status"] == "pending"


def test_a_lost_buy_answer_then_a_rerun_buys_once(project, sim_e2e):
    made = project(order())
    sim_e2e.set_faults(buy_lost=1)
    up = made.up()
    assert up.ok, up.output
    assert "got no answer but rented it" in up.output
    assert made.up().ok
    assert purchases(sim_e2e) == SF[:2], "each number bought once"


def test_a_run_killed_after_a_buy_then_recovered_buys_no_more(project, sim_e2e):
    made = project(order(count=3, max_monthly_cost=2.5))
    kill_up_after_a_purchase(made, sim_e2e)
    bought = purchases(sim_e2e)
    assert 1 <= len(bought) < 3

    # The state lists no number of the killed create: the audit flags what it bought, by its key.
    audit = made.plivo_numbers("audit", "--stack", "dev", "--json")
    assert audit.returncode == 1, audit.stderr
    flagged = {f["number"] for f in json.loads(audit.stdout)["findings"] if f["kind"] == "unrecorded_buy"}
    assert flagged == set(bought)

    recovered = made.recover()
    assert recovered.ok, recovered.output
    assert purchases(sim_e2e) == SF[:3], "the killed run's numbers adopted, only the rest bought"
    assert monthly_spend(sim_e2e) <= Decimal("2.5")
    assert made.up().ok and len(purchases(sim_e2e)) == 3


def test_destroy_releases_only_with_release_on_delete(project, sim_e2e):
    made = project(order(release_on_delete=True))
    assert made.up().ok
    destroy = made.destroy()
    assert destroy.ok, destroy.output
    assert all(sim_e2e.number(n) is None for n in SF[:2]), "released"


def test_one_stacks_order_never_claims_another_stacks_numbers(tmp_path: Path, sim_e2e):
    stacks = {}
    for stack in ("dev", "prod"):
        made = CliProject(tmp_path / stack, order(), stack=stack)
        made.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
        up = made.up()
        assert up.ok, up.output
        stacks[stack] = orders(made)["sf"]["outputs"]
    assert stacks["dev"]["numbers"] == SF[:2] and stacks["prod"]["numbers"] == SF[2:4]
    assert stacks["dev"]["order_key"] != stacks["prod"]["order_key"]
    assert purchases(sim_e2e) == SF[:4], "each stack bought its own, once"
    for number in SF[:2]:
        assert sim_e2e.number(number)["alias"] == stacks["dev"]["order_key"]


def test_the_audit_shows_bought_numbers_their_cost_and_buys_the_state_does_not_list(project, sim_e2e):
    made = project(order())
    assert made.up().ok
    outputs = orders(made)["sf"]["outputs"]
    key = outputs["order_key"]
    assert not outputs.get("reservation_app_id"), "deleted once every number bought was edited"
    # Two buys of runs that died before the state was saved: one still linked to the reservation
    # application (killed before the edit), one already carrying the key as its alias.
    with PlivoClient(MAIN, TOKEN, sim_e2e.base_url) as api:
        reservation = api.create_application(f"{key}-reservation", "https://example.invalid/r")["app_id"]
        api.buy_phone_number(SF[4], app_id=reservation)
        api.buy_phone_number(SF[5])
        api.update_number(SF[5], alias=key)

    done = made.plivo_numbers("audit", "--stack", "dev", "--json")
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    assert doc["orders"] == [
        {
            "resource": "sf",
            "order_key": key,
            "numbers": [{"number": SF[0], "monthly_cost": 0.8}, {"number": SF[1], "monthly_cost": 0.8}],
            "monthly_cost": 1.6,
            "reservation_app_id": reservation,
            "recorded": True,
        }
    ]
    assert doc["orders_monthly_total"] == 1.6
    stray = {
        (f["number"], f["resource"], f["field"], f["live"])
        for f in doc["findings"]
        if f["kind"] == "unrecorded_buy"
    }
    assert stray == {(SF[4], "sf", "app_id", reservation), (SF[5], "sf", "alias", key)}
    assert doc["counts"]["unrecorded_buy"] == 2
    unmanaged = {f["number"] for f in doc["findings"] if f["kind"] == "unmanaged"}
    assert not unmanaged & set(SF[:6]), "the order's numbers are managed; the strays are flagged instead"

    table = made.plivo_numbers("audit", "--stack", "dev")
    assert table.returncode == 1, table.stderr
    assert "Bought numbers (PhoneNumberOrder): 2, 1.60 USD per month" in table.stdout
    assert f"sf ({key}): 1.60 USD per month" in table.stdout
    assert f"{SF[0]}  0.80 USD/month" in table.stdout
    assert "Bought numbers the state does not list: 2" in table.stdout
    assert "Traceback" not in table.stdout + table.stderr

    assert made.up("--refresh").ok, "a refresh adopts what the order's key marks"
    assert orders(made)["sf"]["outputs"]["numbers"] == sorted([*SF[:2], SF[4], SF[5]])
    assert sim_e2e.number(SF[4])["alias"] == key, "the parked number is edited"
    assert sim_e2e.number(SF[4])["app_id"] != reservation
    assert not [a for a in sim_e2e.applications() if a["app_name"] == f"{key}-reservation"]
