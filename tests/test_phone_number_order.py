"""The core lifecycle of `PhoneNumberOrder` (issue 32, items 2-4) against the simulator over real
HTTP: validation, the read-only plan and its cost, buying `count` numbers, never buying twice (a
lost answer, a run that stopped after a buy), taken and pending numbers, the cap, lowered counts and
the delete rules."""

from __future__ import annotations

from typing import Any

import pytest

from plivo_pulumi.core.client import PlivoClient
from plivo_pulumi.core.deployment import Deployment
from plivo_pulumi.core.errors import PlivoError
from plivo_pulumi.core.lifecycle import Context
from plivo_pulumi.core.lifecycle.phone_number_order import (
    KEY,
    PhoneNumberOrderLifecycle,
    order_key,
    order_key_for,
    order_key_of_urn,
    reservation_name,
)
from plivo_pulumi.simulator.testing import SimulatorProcess

APP = "72509666337566"
SF = [f"141540010{k:02d}" for k in range(1, 9)]
URN = "urn:pulumi:dev::shop::plivo:index:PhoneNumberOrder::sf"
KEY_SF = order_key(URN)


@pytest.fixture
def sim(sim_builtin: SimulatorProcess) -> SimulatorProcess:
    return sim_builtin


class Run:
    def __init__(self, sim: SimulatorProcess | None) -> None:
        self.notes: list[str] = []
        self.deployment = Deployment()
        self.sim = sim
        self._client: PlivoClient | None = None
        self.context = Context(
            client=self.client,
            account=sim.auth_id if sim else None,
            deployment=self.deployment,
            notify=self.notes.append,
            constrained=lambda: False,
        )
        self.order = PhoneNumberOrderLifecycle(self.context)

    def client(self) -> PlivoClient:
        assert self.sim is not None, "check makes no client"
        if self._client is None:
            self._client = PlivoClient(
                self.sim.auth_id, self.sim.auth_token, self.sim.base_url, max_retries=0
            )
        return self._client


def inputs(**over: Any) -> dict[str, Any]:
    base = {
        "country": "us",
        "type": "local",
        "pattern": "415",
        "count": 2,
        "max_monthly_cost": 5,
        KEY: KEY_SF,
    }
    return {**base, **over}


def checked(**over: Any) -> dict[str, Any]:
    result = Run(None).order.check({}, inputs(**over), frozenset())
    assert not result.failures, result.failures
    return result.inputs


def bought(sim: SimulatorProcess) -> list[str]:
    return [p["number"] for p in sim.purchases()["purchases"]]


def test_key_is_stable_per_urn_and_short() -> None:
    assert order_key(URN) == order_key(URN) and len(KEY_SF) == 13 and KEY_SF.startswith("po-")
    assert order_key(URN.replace("dev", "prod")) != KEY_SF


@pytest.mark.parametrize(
    ("over", "field", "fragment"),
    [
        ({"country": "USA"}, "country", "two-letter ISO code"),
        ({"type": "cheap"}, "type", "use one of"),
        ({"pattern": "41x"}, "pattern", "digits"),
        ({"services": ["fax"]}, "services", "voice, sms, mms"),
        ({"count": 0}, "count", "1 or more"),
        ({"max_monthly_cost": None}, "max_monthly_cost", "is required"),
        ({"max_monthly_cost": -1}, "max_monthly_cost", "more than 0"),
        ({"app_id": "abc"}, "app_id", "application id"),
        ({"release_on_delete": "yes"}, "release_on_delete", "true or false"),
    ],
)
def test_check_names_the_field_and_the_fix(over: dict, field: str, fragment: str) -> None:
    result = Run(None).order.check({}, inputs(**over), frozenset())  # no client: no API call
    assert [f.field for f in result.failures] == [field]
    assert fragment in result.failures[0].reason


def test_plan_is_read_only_and_shows_numbers_and_cost(sim: SimulatorProcess) -> None:
    run = Run(sim)
    message = run.order.preview(checked())
    assert message is not None
    assert f"would buy 2 number(s): {SF[0]} (0.80000/month), {SF[1]} (0.80000/month)" in message
    assert "1.60 USD per month" in message
    assert sim.purchases()["count"] == 0 and "POST" not in sim.requests_log()["by_method"]


def test_plan_over_the_cap_is_refused_naming_cap_total_and_numbers(sim: SimulatorProcess) -> None:
    with pytest.raises(
        PlivoError, match=r"max_monthly_cost is 1.00 USD but the order would cost 1.60 USD"
    ) as err:
        Run(sim).order.preview(checked(max_monthly_cost=1))
    assert SF[0] in str(err.value) and SF[1] in str(err.value)
    with pytest.raises(PlivoError):
        Run(sim).order.create(checked(max_monthly_cost=1))
    assert sim.purchases()["count"] == 0


def test_empty_search_names_the_filters(sim: SimulatorProcess) -> None:
    with pytest.raises(
        PlivoError,
        match=r"found 0 number\(s\) on offer for filters country='US', type='local', pattern='999'",
    ):
        Run(sim).order.create(checked(pattern="999"))
    assert sim.purchases()["count"] == 0


def test_create_buys_count_binds_and_tags(sim: SimulatorProcess) -> None:
    written = Run(sim).order.create(checked(app_id=APP))
    assert written.id == KEY_SF and written.outputs["numbers"] == SF[:2]
    assert written.outputs["monthly_cost"] == 1.6
    assert [d["status"] for d in written.outputs["details"]] == ["active", "active"]
    assert bought(sim) == SF[:2]
    for number in SF[:2]:
        live = sim.number(number)
        assert live["app_id"] == APP and live["alias"] == KEY_SF
    # Every buy used the reservation app, deleted once the numbers carry the key.
    assert len({p["app_id"] for p in sim.purchases()["purchases"]}) == 1
    assert not [a for a in sim.applications() if a["app_name"] == reservation_name(KEY_SF)]
    # A second run buys nothing.
    again = Run(sim).order.create(checked(app_id=APP))
    assert again.outputs["numbers"] == SF[:2] and bought(sim) == SF[:2]


def test_lost_answer_is_adopted_not_bought_again(sim: SimulatorProcess) -> None:
    sim.set_faults(buy_lost=1)
    run = Run(sim)
    written = run.order.create(checked())
    assert bought(sim) == SF[:2] and written.outputs["numbers"] == SF[:2]
    assert any("got no answer but rented it" in n for n in run.notes)


def test_a_run_stopped_after_the_buy_is_adopted_by_the_next(sim: SimulatorProcess) -> None:
    # As a killed run leaves it: the reservation app exists, one number bought with it, no edit.
    run = Run(sim)
    app_id = run.client().create_application(reservation_name(KEY_SF), "https://example.invalid/r")["app_id"]
    run.client().buy_phone_number(SF[0], app_id=app_id)
    written = Run(sim).order.create(checked(app_id=APP))
    assert bought(sim) == SF[:2] and written.outputs["numbers"] == SF[:2]
    assert sim.number(SF[0])["alias"] == KEY_SF and sim.number(SF[0])["app_id"] == APP


def test_numbers_of_another_order_are_never_claimed(sim: SimulatorProcess) -> None:
    other = order_key(URN + "-other")
    Run(sim).order.create(checked(**{KEY: other, "count": 1}))
    written = Run(sim).order.create(checked(count=1))
    assert written.outputs["numbers"] == [SF[1]] and sim.number(SF[0])["alias"] == other


def test_taken_number_is_replaced_by_the_next(sim: SimulatorProcess) -> None:
    sim.set_faults(buy_taken=[SF[0]])
    run = Run(sim)
    written = run.order.create(checked())
    assert written.outputs["numbers"] == SF[1:3] and bought(sim) == SF[1:3]
    assert any("taken by someone else" in n for n in run.notes)


def test_pending_number_is_reported_with_what_plivo_needs(sim: SimulatorProcess) -> None:
    run = Run(sim)
    written = run.order.create(checked(country="DE", type=None, pattern=None, count=1))
    assert written.outputs["details"][0]["status"] == "pending"
    assert any("proof of address" in n for n in run.notes)
    Run(sim).order.create(checked(country="DE", type=None, pattern=None, count=1))
    assert len(bought(sim)) == 1  # not retried


def test_lowered_count_keeps_and_says_so(sim: SimulatorProcess) -> None:
    first = Run(sim).order.create(checked())
    run = Run(sim)
    written = run.order.update(KEY_SF, first.outputs, checked(count=1))
    assert written.outputs["numbers"] == SF[:2] and len(bought(sim)) == 2
    assert any("extra ones are kept" in n for n in run.notes)
    # The way to let the extra one go (docs/buying-numbers.md): release it by hand; the refresh
    # drops it and the order, holding `count`, replaces nothing.
    sim.unrent_out_of_band(SF[1])
    run = Run(sim)
    observed = run.order.read(KEY_SF, written.outputs)
    assert observed.outputs["numbers"] == [SF[0]] and observed.outputs["count"] == 1
    assert any("nothing to replace" in n for n in run.notes)
    assert run.order.diff(KEY_SF, observed.outputs, checked(count=1)).changed == []


def test_delete_keeps_unless_release_on_delete(sim: SimulatorProcess) -> None:
    written = Run(sim).order.create(checked())
    Run(sim).order.delete(KEY_SF, written.outputs)
    assert all(sim.number(n) is not None for n in SF[:2])
    assert not [a for a in sim.applications() if a["app_name"] == reservation_name(KEY_SF)]
    written = Run(sim).order.create(checked(release_on_delete=True))  # adopts the two kept
    assert len(bought(sim)) == 2
    run = Run(sim)
    run.deployment.note_declared([SF[0]])  # a RentedNumber of the run declares it
    run.order.delete(KEY_SF, written.outputs)
    assert sim.number(SF[0]) is not None and sim.number(SF[1]) is None


def test_cap_counts_what_the_order_holds(sim: SimulatorProcess) -> None:
    first = Run(sim).order.create(checked())
    with pytest.raises(PlivoError, match="would cost 2.40 USD"):
        Run(sim).order.update(KEY_SF, first.outputs, checked(count=3, max_monthly_cost=2))
    assert len(bought(sim)) == 2


def test_no_alias_in_the_api_objects_buys_nothing(sim: SimulatorProcess) -> None:
    sim.set_number_shape("reference")  # the older documented object: no alias
    with pytest.raises(PlivoError, match="carry no `alias`"):
        Run(sim).order.create(checked())
    assert sim.purchases()["count"] == 0


def test_preview_notes_the_numbers_held_as_declared(sim: SimulatorProcess) -> None:
    Run(sim).order.create(checked())
    run = Run(sim)
    assert "buys nothing" in (run.order.preview(checked()) or "")
    assert run.deployment.declares(SF[0]) and run.deployment.declares(SF[1])


def test_the_key_is_the_same_under_any_parent_and_in_both_front_ends() -> None:
    parented = "urn:pulumi:dev::shop::my:index:Region$plivo:index:PhoneNumberOrder::sf"
    assert order_key_of_urn(URN) == order_key_of_urn(parented) == order_key_for("shop", "dev", "sf")
    assert order_key_of_urn(URN.replace("::sf", "::sf2")) != order_key_of_urn(URN)
    assert order_key_for("shop", "prod", "sf") != order_key_for("shop", "dev", "sf")


def test_a_rerun_lists_only_the_orders_numbers_whatever_the_account_size(sim: SimulatorProcess) -> None:
    Run(sim).order.create(checked(app_id=APP))
    for k in range(60):  # three pages more of the account's own numbers
        sim.rent_out_of_band(f"1650555{k:04d}")
    sim.clear_log()
    written = Run(sim).order.create(checked(app_id=APP))
    assert written.outputs["numbers"] == SF[:2]
    lists = [r for r in sim.requests_log()["requests"] if r["path"].endswith("/Number/")]
    assert len(lists) == 1 and sim.requests_log()["total"] == 2  # applications + the filtered list


def test_a_binding_changed_by_hand_shows_at_refresh_and_up_sets_it_back(sim: SimulatorProcess) -> None:
    other = "64112223334445"
    sim.add_application(other)
    written = Run(sim).order.create(checked(app_id=APP))
    sim.edit_out_of_band(SF[1], app_id=other)
    run = Run(sim)
    observed = run.order.read(KEY_SF, written.outputs)
    assert observed.outputs["app_id"] == other and observed.outputs["numbers"] == SF[:2]
    assert any(f"number {SF[1]} has app_id" in n for n in run.notes)
    assert run.order.diff(KEY_SF, observed.outputs, checked(app_id=APP)).changed == ["app_id"]
    run.order.update(KEY_SF, observed.outputs, checked(app_id=APP))
    assert sim.number(SF[1])["app_id"] == APP and len(bought(sim)) == 2


def test_an_unset_app_id_leaves_the_binding_alone_after_the_buy(sim: SimulatorProcess) -> None:
    written = Run(sim).order.create(checked())
    sim.edit_out_of_band(SF[0], app_id=APP)
    observed = Run(sim).order.read(KEY_SF, written.outputs)
    assert observed.outputs["app_id"] is None
    Run(sim).order.update(KEY_SF, observed.outputs, checked())
    assert sim.number(SF[0])["app_id"] == APP


def test_a_number_released_by_hand_shows_as_a_lower_count_and_up_replaces_it(sim: SimulatorProcess) -> None:
    written = Run(sim).order.create(checked())
    sim.unrent_out_of_band(SF[0])
    run = Run(sim)
    observed = run.order.read(KEY_SF, written.outputs)
    assert observed.outputs["numbers"] == [SF[1]] and observed.outputs["count"] == 1
    assert any("no longer held" in n for n in run.notes)
    replaced = run.order.update(KEY_SF, observed.outputs, checked())
    assert replaced.outputs["numbers"] == [SF[1], SF[2]] and bought(sim) == SF[:3]


def test_a_number_whose_alias_was_edited_by_hand_is_held_not_replaced(sim: SimulatorProcess) -> None:
    written = Run(sim).order.create(checked())
    sim.edit_out_of_band(SF[0], alias="renamed")
    run = Run(sim)
    observed = run.order.read(KEY_SF, written.outputs)
    assert observed.outputs["numbers"] == SF[:2], "still held"
    assert observed.outputs["count"] == 1, "counted out until it carries the key: the next up runs"
    assert any(f"{SF[0]} held without the order's key" in n for n in run.notes)
    again = Run(sim).order.update(KEY_SF, observed.outputs, checked())
    assert again.outputs["numbers"] == SF[:2] and bought(sim) == SF[:2]
    assert sim.number(SF[0])["alias"] == KEY_SF


def test_an_api_that_drops_the_alias_stops_after_one_buy_kept_for_the_next_run(sim: SimulatorProcess) -> None:
    for number in sim.state()["numbers"]:  # an empty account: nothing shows whether aliases are kept
        sim.unrent_out_of_band(number["number"])
    sim.set_number_shape("reference")  # objects without the alias
    with pytest.raises(PlivoError, match="did not keep its alias"):
        Run(sim).order.create(checked())
    assert bought(sim) == SF[:1]
    reservation = [a for a in sim.applications() if a["app_name"] == reservation_name(KEY_SF)]
    assert sim.number(SF[0])["app_id"] == reservation[0]["app_id"]
    sim.set_number_shape("current")
    written = Run(sim).order.create(checked())
    assert written.outputs["numbers"] == SF[:2] and bought(sim) == SF[:2]
