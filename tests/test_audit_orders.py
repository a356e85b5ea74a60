"""The audit of `PhoneNumberOrder`s (issue 32), with stand-ins for the engine and the API: an order's
number released by hand is `gone` naming the order; its reservation application is the order's
(never `unmanaged_app`), recorded in the state or not; what the order declares (`app_id`,
`subaccount`) drifts, what it leaves unset does not; its numbers are managed and a `RentedNumber`
binding them is no duplicate. The real engine and simulator: tests/e2e/test_audit_orders.py."""

from __future__ import annotations

import json

from plivo_pulumi.audit import (
    APPLICATION_TYPE,
    NATIVE_RENTED_NUMBER_TYPE,
    RENTED_NUMBER_SET_TYPE,
    Finding,
    render_json,
    render_table,
    run_audit,
)
from plivo_pulumi.audit.model import NATIVE_PHONE_NUMBER_ORDER_TYPE, PHONE_NUMBER_ORDER_TYPE
from plivo_pulumi.audit.state import orders_from_state
from tests.test_audit import CONFIG, MAIN, SUB, FakeClient, FakeEngine, export, res, uri

APP1, APP2, RESERVED, OTHER_RESERVED = "11111111111111", "22222222222222", "90000000000001", "90000000000002"
O1, O2, O3 = "14154001001", "14154001002", "14154001003"
KEY = "po-0123456789"  # any key the state carries: the audit reads it, never derives it


def order(
    name: str = "sf",
    key: str = KEY,
    numbers: tuple[str, ...] = (O1, O2),
    *,
    native: bool = False,
    reservation: str | None = RESERVED,
    **declared: object,
) -> dict:
    """An order as the state stores it: snake_case (dynamic) or camelCase (native) properties."""
    type_ = NATIVE_PHONE_NUMBER_ORDER_TYPE if native else PHONE_NUMBER_ORDER_TYPE

    def name_of(snake: str) -> str:
        head, *rest = snake.split("_")
        return head + "".join(p.title() for p in rest) if native else snake

    inputs = {"__order_key": key, "country": "US", "count": len(numbers), "max_monthly_cost": 5}
    inputs.update(declared)
    outputs = {name_of(k): v for k, v in inputs.items() if k != "__order_key"}
    outputs.update(
        {
            name_of("order_key"): key,
            "numbers": list(numbers),
            "details": [{"number": n, name_of("monthly_rental_rate"): "0.80000"} for n in numbers],
            name_of("reservation_app_id"): reservation,
        }
    )
    return {
        "urn": f"urn:pulumi:dev::proj::{type_}::{name}",
        "custom": True,
        "type": type_,
        "id": key,
        "inputs": {name_of(k) if k != "__order_key" else k: v for k, v in inputs.items()},
        "outputs": outputs,
    }


def application(name: str, app_id: str) -> dict:
    made = res(name, APPLICATION_TYPE, app_name=name)
    return {**made, "id": app_id}


class OrderClient(FakeClient):
    """The account: its numbers (API objects) and its applications."""

    def __init__(self, numbers: list[dict], apps: dict[str, str]) -> None:
        super().__init__(numbers)
        self.apps = apps

    def iter_applications(self):
        return iter([{"app_id": a, "app_name": n} for a, n in self.apps.items()])


def bought(number: str, app_id: str | None = APP1, alias: str = KEY, subaccount: str = "") -> dict:
    return {
        "number": number,
        "application": uri(app_id) if app_id else None,
        "alias": alias,
        "sub_account": f"/v1/Account/{MAIN}/Subaccount/{subaccount}/" if subaccount else None,
    }


def audit(state: dict, numbers: list[dict], apps: dict[str, str] | None = None, **filters: str):
    apps = apps if apps is not None else {APP1: "ivr", APP2: "sales", RESERVED: f"{KEY}-reservation"}
    client = OrderClient(numbers, apps)
    return run_audit(
        "dev",
        filters=filters,
        engine=FakeEngine(CONFIG, state=state),
        client_factory=lambda settings: client,
        environ={},
    )


# -- 1. gone ----------------------------------------------------------------------------------------


def test_an_order_number_released_by_hand_is_gone_naming_the_order():
    state = export(order(), order("nyc", "po-aaaaaaaaaa", (O3,), native=True))
    report = audit(state, [bought(O1)])
    assert report.findings == [Finding("gone", O2, "sf"), Finding("gone", O3, "nyc")]
    assert {f.account for f in report.findings} == {MAIN}
    assert report.managed_total == 3
    table = render_table(report)
    assert "Managed numbers no longer rented: 2" in table
    assert "for an order's number: `pulumi up --refresh` buys a replacement" in table

    # With a filter the missing one is looked up, never guessed gone.
    filtered = audit(export(order()), [bought(O1), bought(O2)], number_startswith="1555")
    assert (filtered.findings, filtered.looked_up) == ([], 2)


# -- 2. the reservation application ------------------------------------------------------------------


def test_the_reservation_application_is_the_orders_recorded_in_the_state_or_not():
    apps = {
        APP1: "ivr",
        RESERVED: f"{KEY}-reservation",
        OTHER_RESERVED: "po-ffffffffff-reservation",  # another stack's order: not this stack's
        "33333333333333": "stray",
    }
    # An Application in the stack: unmanaged applications are reported.
    recorded = audit(export(application("ivr", APP1), order(app_id=APP1)), [bought(O1), bought(O2)], apps)
    unmanaged = {f.app_id for f in recorded.findings if f.kind == "unmanaged_app"}
    assert unmanaged == {OTHER_RESERVED, "33333333333333"}
    assert [(o.resource, o.reservation_app, o.recorded) for o in recorded.orders] == [("sf", RESERVED, True)]

    # The state does not record it (say an older state): it is found by its name.
    unnamed = audit(
        export(application("ivr", APP1), order(app_id=APP1, reservation=None)), [bought(O1), bought(O2)], apps
    )
    assert RESERVED not in {f.app_id for f in unnamed.findings}
    assert unnamed.orders[0].reservation_app == RESERVED

    # A killed run: the order's create is pending, one number bought and still on the reservation.
    state = export(application("ivr", APP1))
    state["deployment"]["pending_operations"] = [
        {"type": "creating", "resource": {**order(app_id=APP1), "outputs": {}}}
    ]
    killed = audit(state, [bought(O1, RESERVED, alias="")], apps)
    assert {f.app_id for f in killed.findings if f.kind == "unmanaged_app"} == {
        OTHER_RESERVED,
        "33333333333333",
    }
    assert [f for f in killed.findings if f.kind == "unrecorded_buy"] == [
        Finding("unrecorded_buy", O1, "sf", "app_id", None, RESERVED)
    ]
    assert [(o.resource, o.numbers, o.reservation_app, o.recorded) for o in killed.orders] == [
        ("sf", (), RESERVED, False)
    ]
    doc = json.loads(render_json(killed))
    assert doc["orders"][0]["reservation_app_id"] == RESERVED and doc["orders"][0]["recorded"] is False
    table = render_table(killed)
    assert f"sf ({KEY}): 0.00 USD per month (create pending in the state" in table
    assert f"reservation application {RESERVED}" in table


# -- 3. drift on what the order declares --------------------------------------------------------------


def test_what_the_order_declares_drifts_and_what_it_leaves_unset_does_not():
    live = [bought(O1, APP2), bought(O2, APP1, subaccount=SUB)]
    declared = audit(export(order(app_id=APP1, subaccount=None)), live)
    assert declared.findings == [Finding("drifted", O1, "sf", "app_id", APP1, APP2)]
    table = render_table(declared)
    assert "for an order's number: `pulumi up --refresh` links it back" in table

    both = audit(export(order(native=True, app_id=APP1, subaccount=SUB)), live)
    assert both.findings == [
        Finding("drifted", O1, "sf", "app_id", APP1, APP2),
        Finding("drifted", O1, "sf", "subaccount", SUB, ""),
    ]

    # Unset (the order bound them to the default application at the buy): not managed after it.
    unset = audit(export(order()), [bought(O1, None), bought(O2, APP2, subaccount=SUB)])
    assert unset.findings == []
    assert [(o.app_id, o.subaccount) for o in orders_from_state(export(order(app_id="", subaccount="")))] == [
        (None, None)
    ]


# -- 4. managed, never duplicated with a binding ------------------------------------------------------


def test_order_numbers_are_managed_and_a_binding_of_them_is_no_duplicate():
    state = export(
        order(),
        res("support", number=O1, app_id=APP1),
        res("pool", RENTED_NUMBER_SET_TYPE, bindings={O2: f"{APP2}/"}),
    )
    report = audit(state, [bought(O1, APP1), bought(O2, APP2), bought(O3, None, alias="")])
    assert report.findings == [Finding("unmanaged", O3)]

    # Two bindings of one order's number still fight each other: duplicated names them, not the order.
    twice = export(order(), res("a", number=O1, app_id=APP1), res("b", NATIVE_RENTED_NUMBER_TYPE, number=O1))
    found = audit(twice, [bought(O1, APP1), bought(O2, APP1)]).findings
    assert found == [Finding("duplicated", O1, "a, b")]
