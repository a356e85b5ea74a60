"""`plivo-numbers audit` of stacks whose `PhoneNumberOrder` (dynamic, issue 32) bought numbers through
the real `pulumi up` against the simulator, then changed by hand through the simulator's admin API:
a number released in the console is `gone` naming the order; the order's reservation application
is the order's (never `unmanaged_app`), after a clean run and after a killed one; a binding the order
declares drifts, one it leaves unset does not; and the order's numbers fed to a `RentedNumber` and a
`RentedNumberSet` are managed, never `unmanaged` nor `duplicated`. The keys are read from the state."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.native.conftest import use_native_plugin
from tests.support.accounts import APPS, MAIN, SUB, TOKEN, e2e_seed
from tests.support.cli_project import CliProject, plivo_config
from tests.support.order_kit import SF, kill_up_after_a_purchase, order_program, purchases

# An order bound to an `Application` of the same stack: with an Application declared, the audit
# reports every application no resource manages, so the reservation application would show.
ORDER_OF_THE_IVR = """
import pulumi
from plivo_pulumi import Application, PhoneNumberOrder

ivr = Application("ivr", app_name="ivr", answer_url="https://example.com/answer")
o = PhoneNumberOrder("sf", country="US", type="local", pattern="415", count={count},
                     max_monthly_cost={cap}, app_id=ivr.app_id)
pulumi.export("numbers", o.numbers)
"""


@pytest.fixture(autouse=True)
def account_without_numbers(sim_e2e):
    """The e2e account renting nothing (its applications kept; the offers are the built-in ones):
    whatever the audit finds comes from the orders."""
    sim_e2e.reset(e2e_seed(()))


def order_state(made: CliProject) -> dict[str, Any]:
    return made.resources("PhoneNumberOrder")["sf"]["outputs"]


def audit(made: CliProject) -> tuple[int, dict[str, Any], str]:
    """The audit as JSON and as the table: (exit code, document, table)."""
    done = made.plivo_numbers("audit", "--stack", "dev", "--json")
    table = made.plivo_numbers("audit", "--stack", "dev")
    assert done.returncode == table.returncode, done.stderr + table.stderr
    assert "Traceback" not in done.stderr + table.stdout + table.stderr
    return done.returncode, json.loads(done.stdout), table.stdout


def kinds(doc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [f for f in doc["findings"] if f["kind"] == kind]


def test_a_bought_number_released_in_the_console_is_gone_naming_the_order(project, sim_e2e):
    made = project(order_program("dynamic"))
    assert made.up().ok
    assert order_state(made)["numbers"] == SF[:2]
    sim_e2e.unrent_out_of_band(SF[1])

    code, doc, table = audit(made)
    assert code == 1
    assert [(f["number"], f["resource"]) for f in doc["findings"]] == [(SF[1], "sf")]
    assert kinds(doc, "gone") == doc["findings"]
    assert "Managed numbers no longer rented: 1" in table

    # The fix the table gives: `up --refresh` buys a replacement, within the cap; the audit is clean.
    assert "`pulumi up --refresh` buys a replacement within max_monthly_cost" in table
    fixed = made.up("--refresh")
    assert fixed.ok, fixed.output
    assert order_state(made)["numbers"] == [SF[0], SF[2]] and purchases(sim_e2e) == SF[:3]
    code, doc, _ = audit(made)
    assert (code, doc["findings"]) == (0, [])


def test_the_reservation_application_is_the_orders_never_unmanaged(project, sim_e2e):
    made = project(ORDER_OF_THE_IVR.format(count=2, cap=5))
    assert made.up().ok
    outputs = order_state(made)
    key = outputs["order_key"]
    assert not outputs.get("reservation_app_id"), "deleted once the numbers it bought carry the key"
    # As a run stopped between a buy and its edit leaves it: the reservation application, a number
    # linked to it (the state lists the order, not that number).
    reservation = "90000000000077"
    sim_e2e.add_application(reservation, app_name=f"{key}-reservation")
    sim_e2e.edit_out_of_band(SF[1], app_id=reservation)

    code, doc, table = audit(made)
    assert code == 1, "the seeded applications no resource declares"
    assert {f["app_id"] for f in kinds(doc, "unmanaged_app")} == set(APPS)
    assert [(o["resource"], o["reservation_app_id"], o["recorded"]) for o in doc["orders"]] == [
        ("sf", reservation, True)
    ]
    assert f"sf ({key}): 1.60 USD per month; reservation application {reservation}" in table
    assert reservation not in {f["app_id"] for f in kinds(doc, "unmanaged_app")}

    fixed = made.up("--refresh")  # the refresh shows the parked number, the up edits it
    assert fixed.ok, fixed.output
    assert sim_e2e.number(SF[1])["app_id"] == outputs["app_id"] and sim_e2e.application(reservation) is None
    assert purchases(sim_e2e) == SF[:2]


def test_a_killed_runs_reservation_application_is_the_pending_orders(project, sim_e2e):
    made = project(ORDER_OF_THE_IVR.format(count=3, cap=2.5))
    kill_up_after_a_purchase(made, sim_e2e)
    bought = purchases(sim_e2e)
    reservations = [a for a in sim_e2e.applications() if a["app_name"].endswith("-reservation")]
    assert len(reservations) == 1, "the killed run made the order's reservation application"
    reservation = reservations[0]["app_id"]

    # The state records neither the order nor its reservation application: found by the key of the
    # pending create, it is the order's.
    code, doc, table = audit(made)
    assert code == 1
    assert {f["app_id"] for f in kinds(doc, "unmanaged_app")} == set(APPS)
    assert {f["number"] for f in kinds(doc, "unrecorded_buy")} == set(bought)
    assert [(o["resource"], o["numbers"], o["reservation_app_id"], o["recorded"]) for o in doc["orders"]] == [
        ("sf", [], reservation, False)
    ]
    assert f"reservation application {reservation}" in table and "create pending in the state" in table

    recovered = made.recover()
    assert recovered.ok, recovered.output
    assert not order_state(made).get("reservation_app_id") and sim_e2e.application(reservation) is None
    assert len(order_state(made)["numbers"]) == 3 and len(purchases(sim_e2e)) == 3, "bought once each"
    code, doc, _ = audit(made)
    assert {f["kind"] for f in doc["findings"]} == {"unmanaged_app"}
    assert {f["app_id"] for f in doc["findings"]} == set(APPS)


TWO_ORDERS = """
import pulumi
from plivo_pulumi import PhoneNumberOrder

bound = PhoneNumberOrder("bound", country="US", type="local", pattern="415", count=1,
                         max_monthly_cost=1, app_id="{app}")
free = PhoneNumberOrder("free", country="US", type="local", pattern="415", count=1, max_monthly_cost=1)
"""


def test_a_binding_the_order_declares_drifts_one_it_leaves_unset_does_not(project, sim_e2e):
    made = project(TWO_ORDERS.format(app=APPS[0]))
    assert made.up().ok
    (bound,) = made.resources("PhoneNumberOrder")["bound"]["outputs"]["numbers"]
    (free,) = made.resources("PhoneNumberOrder")["free"]["outputs"]["numbers"]
    assert sim_e2e.number(bound)["app_id"] == APPS[0]
    sim_e2e.edit_out_of_band(bound, app_id=APPS[1])
    sim_e2e.edit_out_of_band(free, app_id=APPS[2])

    code, doc, table = audit(made)
    assert code == 1
    assert [
        (f["kind"], f["number"], f["resource"], f["field"], f["expected"], f["live"]) for f in doc["findings"]
    ] == [("drifted", bound, "bound", "app_id", APPS[0], APPS[1])]
    assert "for an order's number: `pulumi up --refresh` links it back" in table

    # As the table says: `up --refresh` links it back; the order without app_id is left alone.
    assert made.up("--refresh").ok
    assert sim_e2e.number(bound)["app_id"] == APPS[0] and sim_e2e.number(free)["app_id"] == APPS[2]
    code, doc, _ = audit(made)
    assert (code, doc["findings"]) == (0, [])


ORDER_FEEDING_BINDINGS = f"""
import pulumi
from plivo_pulumi import PhoneNumberOrder, RentedNumber, RentedNumberSet

o = PhoneNumberOrder("sf", country="US", type="local", pattern="415", count=2, max_monthly_cost=5)
RentedNumber("first", number=o.numbers.apply(lambda ns: ns[0]), app_id="{APPS[1]}")
RentedNumberSet("rest", [{{"number": o.numbers.apply(lambda ns: ns[1]), "app_id": "{APPS[2]}"}}])
"""


def test_order_numbers_fed_to_bindings_are_managed_never_duplicated(project, sim_e2e):
    made = project(ORDER_FEEDING_BINDINGS)
    up = made.up()
    assert up.ok, up.output
    assert (sim_e2e.number(SF[0])["app_id"], sim_e2e.number(SF[1])["app_id"]) == (APPS[1], APPS[2])

    code, doc, table = audit(made)
    assert not {f["number"] for f in doc["findings"]} & set(SF[:2]), doc["findings"]
    assert {f["kind"] for f in doc["findings"]} <= {"unmanaged"}, "the seeded numbers only"
    assert doc["managed_total"] == 4 and doc["counts"]["duplicated"] == 0
    assert code == (1 if doc["findings"] else 0)

    # The binding drifts, not the order (it declares no app_id).
    sim_e2e.edit_out_of_band(SF[0], app_id=APPS[0])
    _, doc, _ = audit(made)
    assert [(f["kind"], f["resource"]) for f in doc["findings"] if f["number"] == SF[0]] == [
        ("drifted", "first")
    ]


def test_the_native_orders_numbers_are_gone_and_drift_on_what_it_declares(tmp_path, sim_e2e):
    """The native order (camelCase state): the same findings, read from its own properties."""
    made = CliProject(tmp_path / "native", order_program("native", app_id=APPS[0], subaccount=SUB))
    use_native_plugin(made)
    made.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
    up = made.up()
    assert up.ok, up.output
    assert [sim_e2e.number(n)["subaccount"] for n in SF[:2]] == [SUB, SUB]
    sim_e2e.unrent_out_of_band(SF[1])
    sim_e2e.edit_out_of_band(SF[0], app_id=APPS[1], subaccount=None)

    code, doc, _ = audit(made)
    assert code == 1
    assert [
        (f["kind"], f["number"], f["resource"], f["field"], f["expected"], f["live"]) for f in doc["findings"]
    ] == [
        ("drifted", SF[0], "sf", "app_id", APPS[0], APPS[1]),
        ("drifted", SF[0], "sf", "subaccount", SUB, ""),
        ("gone", SF[1], "sf", None, None, None),
    ]
    assert [(o["resource"], o["reservation_app_id"]) for o in doc["orders"]] == [("sf", None)]
