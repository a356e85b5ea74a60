"""`plivo:index:PhoneNumberOrder` under another provider process, a component parent, a changed
`baseUrl` spelling, and a refresh of what was changed by hand (issue 32, item 3: never buy twice,
in any sequence of runs; the brief: "for the native provider, also with the number under another
provider process"). Real `pulumi` CLI, native plugin, simulator; purchases counted in its log."""

from __future__ import annotations

from decimal import Decimal

from tests.e2e.native.test_native_parents_and_import import fill
from tests.e2e.native.test_native_rented_number import native_resources
from tests.support.accounts import APPS, MAIN
from tests.support.order_kit import SF, monthly_spend, order_program, purchases

TYPE = "plivo:index:PhoneNumberOrder"

# The order inside a component, served by an explicit provider whose base URL is spelled with a
# trailing slash: another provider process than the default one, another spelling of one account.
IN_A_REGION = """
import pulumi
import pulumi_plivo as plivo

token = pulumi.Config("plivo").require_secret("authToken")
west = plivo.Provider("west", auth_id="@main@", auth_token=token,
                      base_url=pulumi.Config("plivo").require("baseUrl") + "/")


class Region(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("shop:index:Region", name, None, opts)
        self.order = plivo.PhoneNumberOrder("sf", country="US", type="local", pattern="415", count=2,
                                            app_id="@app@", max_monthly_cost=5,
                                            opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


region = Region("west", opts=pulumi.ResourceOptions(providers=[west]))
pulumi.export("numbers", region.order.numbers)
"""
IN_A_REGION = fill(IN_A_REGION, main=MAIN, app=APPS[0])


def test_moved_out_of_its_component_to_the_default_provider_it_buys_nothing(native_project, sim_e2e):
    project = native_project(IN_A_REGION)
    up = project.up()
    assert up.ok, up.output
    assert purchases(sim_e2e) == SF[:2]
    key = native_resources(project, TYPE)["sf"]["outputs"]["orderKey"]

    # No alias: the engine creates the order under its new URN and deletes the old one. The key is
    # the project's, the stack's and the name's, so the new one adopts both numbers.
    project.write_program(order_program("native", app_id=APPS[0]))
    preview = project.preview()
    assert preview.ok, preview.output
    assert "buys nothing; the order holds 2" in preview.output, preview.output
    moved = project.up()
    assert moved.ok, moved.output
    assert purchases(sim_e2e) == SF[:2], "moving the order bought nothing"
    state = native_resources(project, TYPE)
    assert list(state) == ["sf"] and state["sf"]["outputs"]["numbers"] == SF[:2]
    assert "$" not in state["sf"]["urn"].split("::")[2], "now at the top level"
    for number in SF[:2]:
        assert (sim_e2e.number(number)["alias"], sim_e2e.number(number)["app_id"]) == (key, APPS[0])
    steady = project.preview("--expect-no-changes")
    assert steady.ok, steady.output


def test_two_orders_of_one_name_are_refused_before_any_buy(native_project, sim_e2e):
    twice = IN_A_REGION + (
        'plivo.PhoneNumberOrder("sf", country="US", type="local", pattern="415", count=1, '
        "max_monthly_cost=5)\n"
    )
    project = native_project(twice)
    preview = project.preview()
    assert preview.code != 0
    assert "share the order key" in preview.output and "Give each order its own name" in preview.output
    assert purchases(sim_e2e) == []
    # `up --skip-preview` runs each order as the engine reaches it: the first one checked buys its
    # own, the second is refused; never both on one key.
    up = project.up()
    assert up.code != 0 and "share the order key" in up.output, up.output
    orders = native_resources(project, TYPE)
    assert len(orders) <= 1 and purchases(sim_e2e) == [
        n for o in orders.values() for n in o["outputs"]["numbers"]
    ]


def test_a_refresh_shows_hand_changes_and_up_sets_them_right_within_the_cap(native_project, sim_e2e):
    project = native_project(order_program("native", app_id=APPS[0], max_monthly_cost=2.5))
    assert project.up().ok
    assert purchases(sim_e2e) == SF[:2]

    sim_e2e.edit_out_of_band(SF[1], app_id=APPS[1])  # someone relinked one number in the console
    gate = project.preview("--refresh", "--expect-no-changes")
    assert gate.code != 0 and "appId" in gate.output, gate.output
    fixed = project.up("--refresh")
    assert fixed.ok, fixed.output
    assert sim_e2e.number(SF[1])["app_id"] == APPS[0] and purchases(sim_e2e) == SF[:2]

    sim_e2e.unrent_out_of_band(SF[0])  # and someone released one
    gate = project.preview("--refresh", "--expect-no-changes")
    assert gate.code != 0 and "count" in gate.output, gate.output
    assert "would buy 1 number(s)" in gate.output, gate.output
    replaced = project.up("--refresh")
    assert replaced.ok, replaced.output
    assert purchases(sim_e2e) == SF[:3]
    assert native_resources(project, TYPE)["sf"]["outputs"]["numbers"] == [SF[1], SF[2]]
    assert sim_e2e.number(SF[2])["app_id"] == APPS[0]
    assert monthly_spend(sim_e2e) - Decimal("0.8") <= Decimal("2.5"), "what is rented stays under the cap"
    steady = project.preview("--refresh", "--expect-no-changes")
    assert steady.ok, steady.output

    key = native_resources(project, TYPE)["sf"]["outputs"]["orderKey"]
    sim_e2e.edit_out_of_band(SF[2], alias="renamed")  # and someone renamed one: still held
    gate = project.preview("--refresh", "--expect-no-changes")
    assert gate.code != 0 and "held without the order's key" in gate.output, gate.output
    retagged = project.up("--refresh")
    assert retagged.ok, retagged.output
    assert sim_e2e.number(SF[2])["alias"] == key and purchases(sim_e2e) == SF[:3], "given back, not replaced"
    assert project.preview("--refresh", "--expect-no-changes").ok
