"""What the PhoneNumberOrder CLI tests share (tests/e2e/test_phone_number_order.py for the dynamic
resource, tests/e2e/native/test_native_phone_number_order.py for the native one): the simulator's
offers they buy, an order program in either front-end, and the purchase log's counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.support.fault_kit import wait_for
from tests.support.processes import alive, descendants, kill_tree

SF = [f"141540010{k:02d}" for k in range(1, 9)]  # the simulator's San Francisco offers, in order
BERLIN = "493055501001"  # the simulator's first Berlin offer: a restricted country, bought pending

# How each front-end's program declares an order and names its cost output.
FRONT_ENDS = {
    "dynamic": ("from plivo_pulumi import PhoneNumberOrder", "PhoneNumberOrder", "monthly_cost"),
    "native": ("import pulumi_plivo as plivo", "plivo.PhoneNumberOrder", "monthlyCost"),
}


def order_program(front_end: str, name: str = "sf", **args: object) -> str:
    """A Python program declaring one order (snake_case keywords, as users write them): 2 local
    numbers in 415 under 5 USD a month unless `args` say otherwise."""
    imports, constructor, cost_output = FRONT_ENDS[front_end]
    base: dict[str, object] = {"country": "US", "type": "local", "pattern": "415", "count": 2}
    base.update({"max_monthly_cost": 5, **args})
    keywords = ", ".join(f"{key}={value!r}" for key, value in base.items())
    return (
        f"import pulumi\n{imports}\n"
        f"o = {constructor}({name!r}, {keywords})\n"
        f"pulumi.export('numbers', o.numbers)\npulumi.export({cost_output!r}, o.monthly_cost)\n"
    )


def purchases(sim: Any) -> list[str]:
    return [p["number"] for p in sim.purchases()["purchases"]]


def monthly_spend(sim: Any) -> Decimal:
    return Decimal(sim.purchases()["monthly_total"])


def kill_up_after_a_purchase(project: Any, sim: Any) -> None:
    """`pulumi up` of `project` killed (the whole process tree, as CI cancels a job) once it has
    bought a number: 400 ms per API call leaves the time to kill it between buys."""
    sim.set_faults(latency_ms=400)
    run = project.start_up()
    wait_for(lambda: len(purchases(sim)) >= 1, 120, "the first purchase")
    tree = kill_tree(run.pid)
    run.wait(60)
    wait_for(lambda: not [p for p in tree if alive(p)], 30, "the killed run's processes to end")
    assert not descendants(run.pid)
    sim.clear_faults()
