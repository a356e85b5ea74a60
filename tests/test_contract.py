"""The binding rules of plivo_pulumi.core.contract, and the simulator's number shapes they must read.

Subaccount learning is checked against the simulator over real HTTP, with its calls counted."""

from __future__ import annotations

from plivo_pulumi.core.client import PlivoClient
from plivo_pulumi.core.contract import (
    binding_changes,
    changed_numbers,
    decode,
    elsewhere,
    encode,
    field_differs,
    live_binding,
    subaccount_to_check,
)
from plivo_pulumi.core.live import resolve_subaccounts, subaccount_members
from plivo_pulumi.simulator.seed import DEFAULT_MAIN_ACCOUNT, DEFAULT_SUBACCOUNT

MAIN = DEFAULT_MAIN_ACCOUNT
SUB = DEFAULT_SUBACCOUNT
SUB_URI = f"/v1/Account/{MAIN}/Subaccount/{SUB}/"
APP_URI = f"/v1/Account/{MAIN}/Application/72509666337566/"


def test_field_differs_never_for_unmanaged_or_unreadable_main_account():
    assert not field_differs(None, "x")
    assert not field_differs("", None), "an unreported value is never written to 'none'"
    assert field_differs("SAX", None)
    assert field_differs("", "SAX") and not field_differs("", "")
    assert binding_changes({"app_id": "1", "subaccount": None}, {"app_id": "2", "subaccount": ""}) == {
        "app_id": "2"
    }


def test_compact_form_round_trips_and_changed_numbers():
    assert encode(None, "") == "*/" and decode("*/") == {"app_id": None, "subaccount": ""}
    assert decode(encode("1", elsewhere(SUB))) == {"app_id": "1", "subaccount": elsewhere(SUB)}
    live = {"15550000001": "1/*", "15550000002": f"1/{elsewhere(SUB)}"}
    desired = {"15550000001": "1/", "15550000002": f"*/{SUB}"}
    assert changed_numbers(live, desired) == {"15550000002": {"subaccount": SUB}}


def test_live_binding_reads_every_shape():
    base = {"number": "15676988323", "application": APP_URI}
    assert live_binding({**base, "subaccount": SUB_URI})["subaccount"] == SUB
    assert live_binding({**base, "sub_account": SUB_URI})["subaccount"] == SUB
    assert live_binding({**base, "subaccount": None})["subaccount"] == ""
    assert live_binding(base) == {"number": "15676988323", "app_id": "72509666337566", "subaccount": None}
    assert subaccount_to_check(elsewhere(SUB)) == SUB and subaccount_to_check(SUB) == SUB
    assert subaccount_to_check("") is None and subaccount_to_check(None) is None


def list_calls(sim_builtin) -> list[dict]:
    return [r for r in sim_builtin.requests_log()["requests"] if r["path"].endswith("/Number/")]


def test_subaccount_members_call_counts(sim_builtin):
    seed = {
        "number_shape": "reference",
        "accounts": [
            {"auth_id": MAIN, "auth_token": sim_builtin.auth_token, "subaccounts": [{"auth_id": SUB}]}
        ],
        "generate": [
            {"count": 45, "prefix": "1555", "account": MAIN, "subaccount": SUB},
            {"count": 5, "prefix": "1556", "account": MAIN},
        ],
    }
    sim_builtin.reset(seed)
    client = PlivoClient(sim_builtin.auth_id, sim_builtin.auth_token, sim_builtin.base_url)
    inside = [f"1555{i:07d}" for i in range(3)]
    outside = ["15560000001"]

    sim_builtin.clear_log()
    assert subaccount_members(client, SUB, inside[:1] + outside) == set(inside[:1])
    assert len(list_calls(sim_builtin)) == 2, "two numbers: one List call each"

    sim_builtin.clear_log()
    assert subaccount_members(client, SUB, inside + outside) == set(inside)
    # Page 1 (20 of 45) holds the 3; the 1 number left costs 1 call, fewer than the 2 pages left.
    assert len(list_calls(sim_builtin)) == 2

    sim_builtin.clear_log()
    many = [f"1555{i:07d}" for i in range(40, 45)] + outside * 1
    assert subaccount_members(client, SUB, many) == set(many) - set(outside)
    assert len(list_calls(sim_builtin)) == 3, (
        "page 1, then the 2 remaining pages (fewer than 6 per-number calls)"
    )

    sim_builtin.clear_log()
    live = resolve_subaccounts(client, {inside[0]: SUB, outside[0]: SUB})
    assert live == {inside[0]: SUB, outside[0]: elsewhere(SUB)}
