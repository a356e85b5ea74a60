"""Plivo's official Python SDK (`plivo` 4.63.0) searching and buying numbers on the simulator over
real HTTP (issue 32, item 1): `client.numbers.search` with its filters and paging,
`client.numbers.buy`, then `client.numbers.get` showing the number rented, and the two buy faults
as the SDK's caller meets them."""

from __future__ import annotations

from collections.abc import Iterator

import plivo
import pytest
import requests
from plivo import exceptions

from plivo_pulumi.simulator.testing import SimulatorProcess, account_seed, plivo_sdk_at

MAIN = "MASDKPHONENUMBERS001"
TOKEN = "tok-sdk-phone-Qw8Er5Ty2U"
SUB = "SASDKPHONENUMBERS001"
SUB_TOKEN = "tok-sdk-phone-sub-Za1Xs4"
APP, DEFAULT_APP = "20000000000001", "20000000000002"
RENTED = "14155550001"  # already the account's: never offered
SF = [f"141555501{k:02d}" for k in range(12)]  # on offer: 415, voice+sms, every third with mms
TOLLFREE = "18885550100"
MUNICH = "4989555010"  # restricted: bought pending


def seed() -> dict:
    base = account_seed(
        MAIN,
        TOKEN,
        subaccounts=[(SUB, SUB_TOKEN)],
        applications=[(APP, "ivr"), (DEFAULT_APP, "new-numbers")],
        numbers=[RENTED],
    )
    base["accounts"][0]["default_number_app"] = DEFAULT_APP
    base["inventory"] = [
        {
            "number": n,
            "city": "SAN FRANCISCO",
            "region": "CA",
            "rate_center": "SNFC CNTRL",
            "lata": 722,
            "services": ["voice", "sms", "mms"] if k % 3 == 0 else ["voice", "sms"],
            "setup_rate": "0.5",
            "monthly_rental_rate": "0.8",
        }
        for k, n in enumerate(SF)
    ] + [
        {"number": RENTED, "city": "SAN FRANCISCO"},
        {"number": TOLLFREE, "type": "tollfree", "monthly_rental_rate": "1.0"},
        {
            "number": MUNICH,
            "country": "DE",
            "prefix": "89",
            "city": "MUNICH",
            "monthly_rental_rate": "2.0",
            "restriction": "city-address",
            "restriction_text": "A proof of address in Munich",
        },
    ]
    return base


@pytest.fixture
def sim(sim_builtin: SimulatorProcess) -> Iterator[SimulatorProcess]:
    """The shared simulator with this module's account and inventory, and the SDK pointed at it."""
    sim_builtin.reset(seed())
    with plivo_sdk_at(sim_builtin.base_url):
        yield sim_builtin


@pytest.fixture
def client(sim: SimulatorProcess) -> plivo.RestClient:
    return plivo.RestClient(MAIN, TOKEN)


def found(answer) -> list[str]:
    return [o.number for o in answer.objects]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, [*SF, TOLLFREE]),
        ({"type": "local"}, SF),
        ({"type": "any", "pattern": "888"}, [TOLLFREE]),
        ({"type": "tollfree"}, [TOLLFREE]),
        ({"pattern": "1415555010"}, SF[:10]),
        ({"services": "voice,mms"}, SF[::3]),
        ({"region": "CA", "city": "San Francisco"}, SF),
        ({"lata": 722, "rate_center": "SNFC CNTRL", "npanxx": "415555"}, SF),
        ({"rate_center": "SNFC CNTRL", "local_calling_area": True}, SF),
        ({"eligible": True, "type": "local"}, SF),
    ],
)
def test_search_with_each_filter(client, filters, expected):
    answer = client.numbers.search("US", **filters)
    assert found(answer) == expected
    assert answer.meta.total_count == len(expected)
    assert RENTED not in found(answer)


def test_search_objects_and_restrictions(client):
    [munich] = client.numbers.search("DE").objects
    assert munich.restriction == "city-address" and munich.restriction_text == "A proof of address in Munich"
    assert munich.country == "GERMANY" and munich.prefix == "89" and munich.monthly_rental_rate == "2.00000"
    assert client.numbers.search("DE", eligible=True).objects == []
    first = client.numbers.search("US", limit=1).objects[0]
    assert (first.number, first.setup_rate, first.monthly_rental_rate, first.lata) == (
        SF[0],
        "0.50000",
        "0.80000",
        722,
    )
    assert first.sms_enabled and first.mms_enabled and first.voice_enabled and first.sub_type == "local"


def test_search_pages_with_limit_and_offset(client):
    seen: list[str] = []
    offset = 0
    while True:
        answer = client.numbers.search("US", type="local", limit=5, offset=offset)
        seen += found(answer)
        assert answer.meta.limit == 5 and answer.meta.offset == offset
        if answer.meta.next is None:
            break
        offset += 5
    assert seen == SF and offset == 10


def test_search_errors_reach_the_sdk_caller(client):
    with pytest.raises(exceptions.ValidationError, match="invalid type"):
        client.numbers.search("US", type="landline")
    with pytest.raises(exceptions.ValidationError, match="country_iso is required"):
        client.numbers.search("")


def test_buy_then_get_shows_it_rented(sim, client):
    answer = client.numbers.buy(SF[0], app_id=APP)
    assert answer.status == "fulfilled" and answer.message == "created"
    assert answer.numbers[0].number == SF[0] and answer.numbers[0].status == "Success"
    rented = client.numbers.get(SF[0])
    assert rented.number == SF[0] and rented.number_type == "local" and rented.mms_enabled is True
    assert rented.application == f"/v1/Account/{MAIN}/Application/{APP}/"
    assert SF[0] not in found(client.numbers.search("US", type="local"))
    assert SF[0] in [n.number for n in client.numbers.list(number_startswith="1415")]
    # Without app_id: the account's default number application.
    client.numbers.buy(SF[1], cnam_lookup="enabled")
    second = client.numbers.get(SF[1])
    assert (
        second.application == f"/v1/Account/{MAIN}/Application/{DEFAULT_APP}/"
        and second.cnam_lookup == "enabled"
    )
    log = sim.purchases()
    assert log["count"] == 2 and log["setup_total"] == "1.00000" and log["monthly_total"] == "1.60000"


def test_the_alias_is_set_with_the_number_apis_edit_after_the_buy(client):
    client.numbers.buy(SF[2])
    client.numbers.update(SF[2], alias="order:web/0")
    assert client.numbers.get(SF[2]).alias == "order:web/0"
    assert [n.number for n in client.numbers.list(alias="order:web/0")] == [SF[2]]


def test_a_subaccount_buys_for_itself(sim):
    sub_client = plivo.RestClient(SUB, SUB_TOKEN)
    sub_client.numbers.buy(SF[3])
    assert sub_client.numbers.get(SF[3]).sub_account == SUB
    assert sim.number(SF[3])["subaccount"] == SUB and sim.number(SF[3])["app_id"] is None


def test_a_restricted_number_is_bought_pending(client):
    answer = client.numbers.buy(MUNICH)
    assert answer.status == "fulfilled" and answer.numbers[0].status == "pending"
    rented = client.numbers.get(MUNICH)
    assert rented.compliance_status == "pending" and rented.active is False


def test_buying_a_number_no_longer_on_offer_is_not_found(sim, client):
    client.numbers.buy(SF[4])
    with pytest.raises(exceptions.ResourceNotFoundError, match="not available"):
        client.numbers.buy(SF[4])
    with pytest.raises(exceptions.ResourceNotFoundError):
        client.numbers.buy(RENTED)
    assert sim.purchases()["count"] == 1


def test_fault_taken_between_search_and_buy(sim, client):
    assert SF[5] in found(client.numbers.search("US", pattern=SF[5]))
    sim.set_faults(buy_taken=[SF[5]])
    with pytest.raises(exceptions.ResourceNotFoundError):
        client.numbers.buy(SF[5])
    assert sim.purchases()["count"] == 0 and sim.number(SF[5]) is None
    with pytest.raises(exceptions.ResourceNotFoundError):
        client.numbers.get(SF[5])
    assert found(client.numbers.search("US", pattern=SF[5])) == []


def test_fault_lost_answer_the_sdk_fails_yet_the_number_is_bought(sim, client):
    sim.set_faults(buy_lost=1)
    with pytest.raises((requests.ConnectionError, exceptions.PlivoRestError)):
        client.numbers.buy(SF[6], app_id=APP)
    log = sim.purchases()
    assert [p["number"] for p in log["purchases"]] == [SF[6]] and log["monthly_total"] == "0.80000"
    rented = client.numbers.get(SF[6])
    assert rented.application == f"/v1/Account/{MAIN}/Application/{APP}/"
    # A retry of the same buy is refused (no second purchase): the caller must look it up instead.
    with pytest.raises(exceptions.ResourceNotFoundError):
        client.numbers.buy(SF[6], app_id=APP)
    assert sim.purchases()["count"] == 1
