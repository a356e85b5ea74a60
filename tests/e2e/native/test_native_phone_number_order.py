"""`plivo:index:PhoneNumberOrder` through the native plugin and the real engine (issue 32): a Python
program using `pulumi_plivo`, run by the `pulumi` CLI against the simulator, counting purchases and
spend in the simulator's purchase log. Preview buys nothing and names the numbers and the cost; a
plan over the cap or with nothing on offer fails at preview; `up` buys `count` and binds them; a lost
buy answer, a killed run (then the README's recovery), a taken number, a pending number, a lowered
count and destroy with and without `releaseOnDelete`: never a second purchase, never over the cap."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.e2e.native.test_native_rented_number import native_resources
from tests.support.accounts import APPS, MAIN
from tests.support.order_kit import SF, kill_up_after_a_purchase, monthly_spend, order_program, purchases

TYPE = "plivo:index:PhoneNumberOrder"
BERLIN = "493055501001"


def order(name: str = "sf", **args: object) -> str:
    return order_program("native", name, **args)


def test_preview_up_rerun_lowered_count_and_destroy_keeping(native_project, sim_e2e):
    project = native_project(order(app_id=APPS[0]))
    preview = project.preview()
    assert preview.ok, preview.output
    assert f"would buy 2 number(s): {SF[0]} (0.80000/month), {SF[1]} (0.80000/month)" in preview.output
    assert "cost 1.60 USD per month" in preview.output
    assert purchases(sim_e2e) == [] and "POST" not in sim_e2e.requests_log()["by_method"]

    up = project.up()
    assert up.ok, up.output
    assert purchases(sim_e2e) == SF[:2] and monthly_spend(sim_e2e) == Decimal("1.6")
    state = native_resources(project, TYPE)["sf"]
    assert state["outputs"]["numbers"] == SF[:2] and state["outputs"]["monthlyCost"] == 1.6
    key = state["outputs"]["orderKey"]
    assert state["id"] == key
    for number in SF[:2]:
        assert (sim_e2e.number(number)["app_id"], sim_e2e.number(number)["alias"]) == (APPS[0], key)

    again = project.up()
    assert again.ok, again.output
    assert purchases(sim_e2e) == SF[:2], "a rerun buys nothing"

    project.write_program(order(app_id=APPS[0], count=1))
    lowered = project.up()
    assert lowered.ok, lowered.output
    assert "the extra ones are kept" in lowered.output
    assert native_resources(project, TYPE)["sf"]["outputs"]["numbers"] == SF[:2]

    destroy = project.destroy()
    assert destroy.ok, destroy.output
    assert all(sim_e2e.number(n) is not None for n in SF[:2]), "kept: releaseOnDelete is false"
    assert not [a for a in sim_e2e.applications() if a["app_name"].startswith(key)], "reservation app gone"


def test_over_the_cap_and_an_empty_search_fail_at_preview_buying_nothing(native_project, sim_e2e):
    project = native_project(order(count=3, max_monthly_cost=2))
    over = project.preview()
    assert over.code != 0
    assert "max_monthly_cost is 2.00 USD but the order would cost 2.40 USD" in over.output
    assert all(n in over.output for n in SF[:3])
    assert project.up().code != 0
    project.write_program(order(pattern="999"))
    empty = project.preview()
    assert empty.code != 0
    assert "found 0 number(s) on offer for filters country='US', type='local', pattern='999'" in empty.output
    assert purchases(sim_e2e) == []


def test_a_lost_buy_answer_then_a_rerun_buys_once(native_project, sim_e2e):
    project = native_project(order())
    sim_e2e.set_faults(buy_lost=1)
    up = project.up()
    assert up.ok, up.output
    assert "got no answer but rented it" in up.output
    assert project.up().ok
    assert purchases(sim_e2e) == SF[:2], "each number bought once"


def test_a_run_killed_after_a_buy_then_recovered_buys_no_more(native_project, sim_e2e):
    project = native_project(order(count=3, max_monthly_cost=2.5), backend_query="?metadata=skip")
    kill_up_after_a_purchase(project, sim_e2e)
    bought_before = purchases(sim_e2e)
    assert 1 <= len(bought_before) < 3

    recovered = project.recover()
    assert recovered.ok, recovered.output
    assert purchases(sim_e2e) == SF[:3], "the killed run's numbers adopted, only the rest bought"
    assert monthly_spend(sim_e2e) <= Decimal("2.5")
    assert project.up().ok and len(purchases(sim_e2e)) == 3


def test_a_taken_number_is_replaced_and_a_pending_one_reported(native_project, sim_e2e):
    project = native_project(order(count=1))
    sim_e2e.set_faults(buy_taken=[SF[0]])
    up = project.up()
    assert up.ok, up.output
    assert purchases(sim_e2e) == [SF[1]] and "taken by someone else" in up.output

    project.write_program(order(name="berlin", country="DE", type=None, pattern=None, count=1))
    pending = project.up()
    assert pending.ok, pending.output
    assert "A proof of address in the number's city (Berlin) is required." in pending.output
    details = native_resources(project, TYPE)["berlin"]["outputs"]["details"]
    assert details[0]["status"] == "pending" and details[0]["number"] == BERLIN
    assert project.up().ok
    assert purchases(sim_e2e).count(BERLIN) == 1, "a pending number is not bought again"


def test_destroy_releases_only_with_release_on_delete(native_project, sim_e2e):
    project = native_project(order(count=2, release_on_delete=True))
    assert project.up().ok
    destroy = project.destroy()
    assert destroy.ok, destroy.output
    assert all(sim_e2e.number(n) is None for n in SF[:2]), "released"
    assert sim_e2e.account(MAIN) is not None


def test_the_audit_lists_the_native_orders_numbers_and_cost(native_project, sim_e2e):
    project = native_project(order())
    assert project.up().ok
    outputs = native_resources(project, TYPE)["sf"]["outputs"]
    key, reservation = outputs["orderKey"], outputs["reservationAppId"]
    done = project.plivo_numbers("audit", "--stack", project.stack, "--json")
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
    ], done.stderr
    assert doc["orders_monthly_total"] == 1.6
    assert not {f["number"] for f in doc["findings"]} & set(SF[:2]), "the order's numbers are managed"
