"""One Python program with both front-ends (issue 32): a dynamic `plivo_pulumi.PhoneNumberOrder` and a
native `plivo.PhoneNumberOrder` side by side, each order's first number fed into a `RentedNumber` of
the other front-end that binds it to another application (the orders declare no `app_id`: what they
buy goes to the account's default number app, APPS[0] here). Run by the `pulumi` CLI against the
simulator, it checks what a user relies on when mixing them: the two orders, buying in one run from
the same offers, each get their own numbers (no overlap, purchases = the sum of the counts); a rerun
buys and binds nothing; refresh finds no drift; dropping a `RentedNumber` that says
`unrent_on_delete` keeps the order's number rented (the order holding it is still declared: the
deployment-wide unrent rule, across processes and front-ends); destroy releases nothing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.native.conftest import use_native_plugin
from tests.support.accounts import APPS, MAIN, TOKEN
from tests.support.cli_project import CliProject, plivo_config
from tests.support.order_kit import SF, monthly_spend, purchases

DYNAMIC, NATIVE = 2, 3  # the two orders' counts: 5 numbers at 0.80 USD a month


def program(*, bindings: bool = True, unrent_on_delete: bool = False) -> str:
    """The mixed program; `bindings`: with the two RentedNumbers fed by the orders' first numbers."""
    lines = [
        "import pulumi",
        "import pulumi_plivo as plivo",
        "from plivo_pulumi import PhoneNumberOrder, RentedNumber",
        "common = dict(country='US', type='local', pattern='415', max_monthly_cost=5)",
        # No app_id: what they buy goes to the account's default number app, and the binding is
        # then the RentedNumbers' to manage (docs/buying-numbers.md, "Refresh").
        f"dyn = PhoneNumberOrder('dyn-order', count={DYNAMIC}, **common)",
        f"nat = plivo.PhoneNumberOrder('nat-order', count={NATIVE}, **common)",
        "pulumi.export('dyn_numbers', dyn.numbers)",
        "pulumi.export('nat_numbers', nat.numbers)",
    ]
    if bindings:
        lines += [
            # The native binding of the dynamic order's number, and the other way round.
            f"plivo.RentedNumber('ivr', number=dyn.numbers[0], app_id={APPS[1]!r},"
            f" unrent_on_delete={unrent_on_delete!r})",
            f"RentedNumber('sales', number=nat.numbers[0], app_id={APPS[2]!r},"
            f" unrent_on_delete={unrent_on_delete!r})",
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def mixed(tmp_path: Path, sim_e2e) -> Callable[[str], CliProject]:
    """mixed(program): a CLI project whose venv has the dynamic package and whose Pulumi.yaml loads
    the native plugin, with a stack `dev` configured for the simulator's main account."""

    def make(source: str) -> CliProject:
        sim_e2e.set_default_number_app(MAIN, APPS[0])
        made = CliProject(tmp_path / f"m{len(list(tmp_path.iterdir()))}", source)
        use_native_plugin(made)
        made.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
        return made

    return make


def by_name(project: CliProject) -> dict[str, dict[str, Any]]:
    """The state's resources by name (the names are distinct across both front-ends)."""
    return {r["urn"].rsplit("::", 1)[-1]: r for r in project.export().get("resources", [])}


def bought(project: CliProject) -> tuple[list[str], list[str]]:
    """The dynamic and the native order's `numbers`, as the state has them."""
    state = by_name(project)
    return state["dyn-order"]["outputs"]["numbers"], state["nat-order"]["outputs"]["numbers"]


def writes(sim) -> dict[str, int]:
    """The write calls in the simulator's request log, per method (a rerun must have none)."""
    return {m: n for m, n in sim.requests_log()["by_method"].items() if m != "GET"}


def up_buys_each_orders_own(project: CliProject, sim) -> tuple[list[str], list[str]]:
    """`up` once: both orders buy from the same offers in one run, without overlap; the bindings
    are made. Returns the two orders' numbers."""
    up = project.up()
    assert up.ok, up.output
    dyn, nat = bought(project)
    assert len(dyn) == DYNAMIC and len(nat) == NATIVE
    assert not set(dyn) & set(nat), "no number in both orders"
    assert sorted(purchases(sim)) == sorted(dyn + nat) == SF[: DYNAMIC + NATIVE], "each bought once"
    assert monthly_spend(sim) == Decimal("0.8") * (DYNAMIC + NATIVE)
    return dyn, nat


def unrents(sim) -> int:
    """Unrent calls (DELETE of a number) in the simulator's request log."""
    return sum(
        n
        for route, n in sim.requests_log()["by_route"].items()
        if route.startswith("DELETE /v1/Account/{auth_id}/Number/")
    )


def test_both_front_ends_buy_their_own_bind_rerun_refresh_and_destroy_keeps_all(mixed, sim_e2e):
    project = mixed(program())
    dyn, nat = up_buys_each_orders_own(project, sim_e2e)
    state = by_name(project)
    dyn_key, nat_key = state["dyn-order"]["outputs"]["order_key"], state["nat-order"]["outputs"]["orderKey"]
    for number in dyn[1:]:
        assert (sim_e2e.number(number)["app_id"], sim_e2e.number(number)["alias"]) == (APPS[0], dyn_key)
    for number in nat[1:]:
        assert (sim_e2e.number(number)["app_id"], sim_e2e.number(number)["alias"]) == (APPS[0], nat_key)
    # Each order's first number: bound by the other front-end's RentedNumber, still the order's.
    assert (sim_e2e.number(dyn[0])["app_id"], sim_e2e.number(dyn[0])["alias"]) == (APPS[1], dyn_key)
    assert (sim_e2e.number(nat[0])["app_id"], sim_e2e.number(nat[0])["alias"]) == (APPS[2], nat_key)
    assert state["ivr"]["outputs"]["number"] == dyn[0] and state["sales"]["outputs"]["number"] == nat[0]

    sim_e2e.clear_log()
    again = project.up()
    assert again.ok, again.output
    assert writes(sim_e2e) == {}, "the second run buys nothing and binds nothing new"
    assert sorted(purchases(sim_e2e)) == sorted(dyn + nat)
    assert bought(project) == (dyn, nat)

    refresh = project.refresh("--expect-no-changes")
    assert refresh.ok, refresh.output
    assert writes(sim_e2e) == {}

    destroy = project.destroy()
    assert destroy.ok, destroy.output
    assert unrents(sim_e2e) == 0
    for number in dyn + nat:
        assert sim_e2e.number(number) is not None, f"{number} released: release_on_delete is false"
    assert sim_e2e.number(dyn[0])["app_id"] == APPS[1] and sim_e2e.number(nat[0])["app_id"] == APPS[2]
    assert len(purchases(sim_e2e)) == DYNAMIC + NATIVE
    assert by_name(project) == {}, "the stack is empty"


def test_a_dropped_rented_number_that_unrents_keeps_an_orders_number(mixed, sim_e2e):
    project = mixed(program(unrent_on_delete=True))
    dyn, nat = up_buys_each_orders_own(project, sim_e2e)

    project.write_program(program(bindings=False))
    sim_e2e.clear_log()
    dropped = project.up()
    assert dropped.ok, dropped.output
    assert f"number {dyn[0]} stays rented: another resource of the stack declares it" in dropped.output
    assert f"number {nat[0]} stays rented: another resource of the stack declares it" in dropped.output
    assert unrents(sim_e2e) == 0, "nothing unrented"
    assert all(sim_e2e.number(n) is not None for n in dyn + nat)
    assert bought(project) == (dyn, nat), "still each order's"
    assert {"ivr", "sales"}.isdisjoint(by_name(project))

    destroy = project.destroy()
    assert destroy.ok, destroy.output
    assert unrents(sim_e2e) == 0
    assert all(sim_e2e.number(n) is not None for n in dyn + nat), "release_on_delete is false"
    assert len(purchases(sim_e2e)) == DYNAMIC + NATIVE
