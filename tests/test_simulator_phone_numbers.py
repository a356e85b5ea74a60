"""The simulator's PhoneNumber API (issue 32, item 1): the model's rules on the inventory, search and
buy (in process), then the HTTP layer with plain requests (filters, paging, the objects' fields,
errors, the purchase log, the admin inventory endpoints and the buy faults)."""

from __future__ import annotations

import base64
import datetime as dt
import re
import socket

import pytest
import requests

from plivo_pulumi.simulator.models import PlivoState, SearchFilter, SeedError, SimError
from plivo_pulumi.simulator.models.inventory import DEFAULT_INVENTORY
from plivo_pulumi.simulator.seed import DEFAULT_MAIN_ACCOUNT, DEFAULT_SUBACCOUNT, default_seed
from plivo_pulumi.simulator.testing import SimulatorProcess
from tests.test_simulator import assert_error, sub_auth

MAIN = DEFAULT_MAIN_ACCOUNT
SUB = DEFAULT_SUBACCOUNT
APP = "72509666337566"  # voice-prod, of the main account
SUB_APP = "31415926535897"  # support-ivr, of the subaccount
SF1, SF2 = "14154001001", "14154001002"  # default inventory: San Francisco, 415
BERLIN = "493055501001"  # default inventory: German local, city-address restriction
OBJECT_FIELDS = {
    "number",
    "prefix",
    "city",
    "country",
    "region",
    "rate_center",
    "lata",
    "type",
    "sub_type",
    "setup_rate",
    "monthly_rental_rate",
    "sms_enabled",
    "mms_enabled",
    "voice_enabled",
    "sms_rate",
    "mms_rate",
    "voice_rate",
    "restriction",
    "restriction_text",
    "resource_uri",
}


def state(**seed: object) -> PlivoState:
    return PlivoState({**default_seed(), **seed})


def main_of(s: PlivoState):
    return s.account(MAIN)


# -- the model ----------------------------------------------------------------------------------


def test_default_inventory_has_the_promised_kinds() -> None:
    s = state()
    offers = s.oob_inventory()
    assert 25 <= len(offers) <= 40 and len(offers) == len(DEFAULT_INVENTORY)
    us_local = [o for o in offers if o.country_iso == "US" and o.sub_type == "local"]
    assert {o.prefix for o in us_local} >= {"415", "212", "312"}
    assert any(o.country_iso == "US" and o.type == "tollfree" for o in offers)
    assert any(o.country_iso == "GB" and o.type == "mobile" for o in offers)
    berlin = [o for o in offers if o.country_iso == "DE"]
    assert berlin and all(o.restriction == "city-address" and o.restriction_text for o in berlin)


def test_seed_inventory_replaces_the_default_and_empty_means_none() -> None:
    s = state(
        inventory=[{"number": "+1 (650) 555-0100", "services": "voice,sms", "monthly_rental_rate": 0.5}]
    )
    [offer] = s.oob_inventory()
    assert offer.number == "16505550100" and offer.prefix == "650" and offer.country == "UNITED STATES"
    assert offer.type == "fixed" and offer.sub_type == "local" and offer.monthly_rental_rate == "0.50000"
    assert state(inventory=[]).oob_inventory() == []


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"number": "16505550100", "colour": "red"}, "inventory[0]: unknown field(s) colour"),
        (
            {"number": "16505550100", "services": ["voice", "fax"]},
            "inventory[0].services: unknown service(s) fax",
        ),
        ({"number": "16505550100", "type": "landline"}, "inventory[0].type: must be one of"),
        ({"number": "4930555", "country": "DE"}, "inventory[0].number"),
        ({"number": "493055501234", "country": "DE"}, "inventory[0].prefix: is required"),
        ({"number": "16505550100", "monthly_rental_rate": "cheap"}, "inventory[0].monthly_rental_rate"),
        ({"number": "16505550100", "restriction_text": "docs"}, "inventory[0].restriction_text: needs"),
    ],
)
def test_bad_inventory_entries_name_the_field(entry: dict, message: str) -> None:
    with pytest.raises(SeedError, match=re.escape(message)):
        state(inventory=[entry])


def test_search_filters_in_the_model() -> None:
    s = state()
    caller = main_of(s)

    def numbers(**filters: object) -> list[str]:
        page, total = s.search_numbers(caller, SearchFilter(**filters), limit=20)  # type: ignore[arg-type]
        assert total == len(page)
        return [o.number for o in page]

    assert numbers(country_iso="US", pattern="415") == [f"1415400{1001 + k}" for k in range(8)]
    assert numbers(country_iso="US", type="tollfree", services=("sms",)) == ["18335552001", "18885552003"]
    assert set(numbers(country_iso="US", type="local", region="ny")) == {
        f"1212555{1001 + k}" for k in range(5)
    }
    assert numbers(country_iso="US", npanxx="312555", services=("voice", "mms")) == [
        "13125551001",
        "13125551003",
    ]
    assert numbers(country_iso="US", lata=558) == ["15125551001", "15125551002", "15125551003"]
    assert numbers(country_iso="US", rate_center="snfc cntrl", city="San Francisco", pattern="1008") == [
        "14154001008"
    ]
    assert numbers(country_iso="GB", type="mobile") == [f"44770090{1001 + k}" for k in range(4)]
    assert len(numbers(country_iso="DE", type="fixed")) == 3
    assert numbers(country_iso="DE", eligible=True) == []
    assert numbers(country_iso="FR") == []


def test_local_calling_area_widens_the_rate_center() -> None:
    s = state(
        inventory=[
            {"number": "16505550100", "rate_center": "PALO ALTO"},
            {"number": "16505550101", "rate_center": "MENLO PARK", "local_calling_area": ["PALO ALTO"]},
        ]
    )
    narrow = SearchFilter(country_iso="US", rate_center="PALO ALTO")
    wide = SearchFilter(country_iso="US", rate_center="PALO ALTO", local_calling_area=True)
    assert [o.number for o in s.search_numbers(main_of(s), narrow)[0]] == ["16505550100"]
    assert [o.number for o in s.search_numbers(main_of(s), wide)[0]] == ["16505550100", "16505550101"]


def test_buy_rents_the_number_and_records_the_purchase() -> None:
    s = state()
    rented, purchase = s.buy_number(main_of(s), SF1, app_id=APP)
    assert (rented.account, rented.subaccount, rented.app_id) == (MAIN, None, APP)
    assert (
        rented.number_type == "local"
        and rented.mms_enabled
        and rented.added_on == dt.date.today().isoformat()
    )
    assert rented.compliance_status is None and rented.monthly_rental_rate == "0.80000"
    assert purchase.status == "Success" and purchase.account == MAIN
    assert s.oob_get_offer(SF1) is None and s.oob_get(SF1) is not None
    assert s.purchase_log()["count"] == 1 and s.purchase_log()["monthly_total"] == "0.80000"
    # No longer offered, and a second buy is a 404 that changes nothing.
    assert SF1 not in [o.number for o in s.search_numbers(main_of(s), SearchFilter("US", pattern="415"))[0]]
    with pytest.raises(SimError) as caught:
        s.buy_number(main_of(s), SF1)
    assert caught.value.status == 404
    assert s.purchase_log()["count"] == 1


def test_buy_links_the_default_number_app_or_none() -> None:
    s = state()
    assert s.buy_number(main_of(s), SF1)[0].app_id is None
    seed = default_seed()
    seed["accounts"][0]["default_number_app"] = APP
    s = PlivoState(seed)
    assert s.buy_number(main_of(s), SF1)[0].app_id == APP
    s.oob_set_default_app(MAIN, None)
    assert s.buy_number(main_of(s), SF2)[0].app_id is None


def test_an_application_flagged_default_number_app_is_the_fallback() -> None:
    seed = default_seed()
    seed["applications"][1]["default_number_app"] = True  # voice-staging
    s = PlivoState(seed)
    assert s.buy_number(main_of(s), SF1)[0].app_id == "72509666337567"


def test_a_seeded_default_app_must_exist_in_the_family() -> None:
    seed = default_seed()
    seed["accounts"][0]["default_number_app"] = "99999999999999"
    with pytest.raises(SeedError, match="default_number_app: unknown application 99999999999999"):
        PlivoState(seed)


def test_a_subaccount_buys_for_itself_and_may_not_link_a_foreign_app() -> None:
    s = state()
    sub = s.account(SUB)
    rented, purchase = s.buy_number(sub, SF1, app_id=SUB_APP)
    assert (rented.account, rented.subaccount, purchase.account, purchase.main_account) == (
        MAIN,
        SUB,
        SUB,
        MAIN,
    )
    with pytest.raises(SimError, match="application 123 not found") as caught:
        s.buy_number(main_of(s), SF2, app_id="123")
    assert caught.value.status == 400 and s.oob_get_offer(SF2) is not None


def test_a_restricted_number_is_bought_pending() -> None:
    s = state()
    rented, purchase = s.buy_number(main_of(s), BERLIN)
    assert purchase.status == "pending" and rented.compliance_status == "pending"
    assert purchase.setup_rate == "1.00000" and purchase.monthly_rental_rate == "1.50000"
    # Documents accepted out of band: the console clears the status.
    assert s.oob_edit(BERLIN, {"compliance_status": None}).compliance_status is None


def test_a_rented_number_is_never_offered() -> None:
    s = state(numbers=[{"number": SF1}])
    assert SF1 not in [o.number for o in s.search_numbers(main_of(s), SearchFilter("US"), limit=20)[0]]
    with pytest.raises(SimError):
        s.buy_number(main_of(s), SF1)


def test_reset_restores_the_inventory_and_clears_purchases() -> None:
    s = state()
    s.buy_number(main_of(s), SF1)
    s.reset()
    assert s.oob_get_offer(SF1) is not None and s.purchase_log()["count"] == 0


# -- over HTTP ------------------------------------------------------------------------------------


def search(sim: SimulatorProcess, *, auth=None, account=None, **params):
    account = account or sim.auth_id
    url = f"{sim.base_url}/Account/{account}/PhoneNumber/"
    return requests.get(url, params=params, auth=auth or (sim.auth_id, sim.auth_token), timeout=10)


def buy(sim: SimulatorProcess, target: str, *, auth=None, account=None, form=False, **body):
    account = account or sim.auth_id
    url = f"{sim.base_url}/Account/{account}/PhoneNumber/{target}/"
    kwargs = {"data": body} if form else {"json": body}
    return requests.post(url, auth=auth or (sim.auth_id, sim.auth_token), timeout=10, **kwargs)


def test_search_answers_the_reference_objects_and_pages(sim_builtin: SimulatorProcess) -> None:
    first = search(sim_builtin, country_iso="US", type="local", limit=3)
    assert first.status_code == 200, first.text
    body = first.json()
    assert set(body) == {"api_id", "meta", "objects"}
    assert [set(o) for o in body["objects"]] == [OBJECT_FIELDS] * 3
    obj = body["objects"][0]
    assert obj["number"] == "12125551001" and obj["type"] == "fixed" and obj["sub_type"] == "local"
    assert obj["lata"] == 132 and obj["country"] == "UNITED STATES" and obj["city"] == "NEW YORK"
    assert obj["resource_uri"] == f"/v1/Account/{MAIN}/PhoneNumber/12125551001/"
    meta = body["meta"]
    assert (
        meta["total_count"] == 20 and meta["limit"] == 3 and meta["offset"] == 0 and meta["previous"] is None
    )
    assert "country_iso=US" in meta["next"] and "offset=3" in meta["next"]
    seen = []
    for offset in range(0, 20, 7):
        page = search(sim_builtin, country_iso="US", type="local", limit=7, offset=offset).json()
        seen += [o["number"] for o in page["objects"]]
    assert len(seen) == 20 == len(set(seen)) and seen == sorted(seen)


def test_search_filters_over_http(sim_builtin: SimulatorProcess) -> None:
    def numbers(**params):
        answer = search(sim_builtin, **params)
        assert answer.status_code == 200, answer.text
        return [o["number"] for o in answer.json()["objects"]]

    assert numbers(country_iso="us", pattern="415", services="voice,mms") == [
        "14154001001",
        "14154001003",
        "14154001005",
        "14154001007",
    ]
    assert len(numbers(country_iso="US", type="any")) == 20
    assert numbers(country_iso="US", type="tollfree", services="sms") == ["18335552001", "18885552003"]
    assert numbers(country_iso="US", lata="358", npanxx="312555", rate_center="CHICAGO", city="chicago")[
        0
    ] == ("13125551001")
    assert numbers(country_iso="US", region="TX", local_calling_area="true", rate_center="AUSTIN") == [
        "15125551001",
        "15125551002",
        "15125551003",
    ]
    assert numbers(country_iso="DE", eligible="true") == []
    de = search(sim_builtin, country_iso="DE", eligible="False").json()["objects"]
    assert len(de) == 3 and de[0]["restriction"] == "city-address" and de[0]["lata"] is None


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({}, "country_iso is required"),
        ({"country_iso": ""}, "country_iso is required"),
        ({"country_iso": "USA"}, "invalid country_iso"),
        ({"country_iso": "US", "type": "landline"}, "invalid type"),
        ({"country_iso": "US", "services": "voice,fax"}, "invalid services"),
        ({"country_iso": "US", "pattern": "41x"}, "invalid pattern"),
        ({"country_iso": "US", "npanxx": "415"}, "invalid npanxx"),
        ({"country_iso": "US", "eligible": "maybe"}, "invalid eligible"),
        ({"country_iso": "US", "limit": "21"}, "limit must be between 1 and 20"),
        ({"country_iso": "US", "offset": "-1"}, "offset must be 0 or more"),
        ({"country_iso": "US", "number_type": "local"}, "unknown parameter(s) number_type"),
    ],
)
def test_search_refuses_bad_parameters(sim_builtin: SimulatorProcess, params: dict, fragment: str) -> None:
    assert_error(search(sim_builtin, **params), 400, fragment)


def test_search_needs_credentials(sim_builtin: SimulatorProcess) -> None:
    assert_error(search(sim_builtin, auth=(MAIN, "wrong-token-123"), country_iso="US"), 401)


def test_buy_over_http_json_and_form(sim_builtin: SimulatorProcess) -> None:
    answer = buy(sim_builtin, SF1, app_id=APP, cnam_lookup="enabled", number=SF1)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["message"] == "created" and body["status"] == "fulfilled" and body["api_id"]
    assert body["numbers"] == [{"number": SF1, "status": "Success"}]
    stored = sim_builtin.number(SF1)
    assert stored is not None and stored["app_id"] == APP and stored["cnam_lookup"] == "enabled"
    live = requests.get(
        f"{sim_builtin.base_url}/Account/{MAIN}/Number/{SF1}/",
        auth=(MAIN, sim_builtin.auth_token),
        timeout=10,
    ).json()
    assert live["application"] == f"/v1/Account/{MAIN}/Application/{APP}/" and live["active"] is True
    # The SDK's form: a form body, no app_id -> no default app in the built-in seed.
    answer = buy(sim_builtin, SF2, form=True, cnam_lookup="disabled")
    assert answer.status_code == 201, answer.text
    assert sim_builtin.number(SF2)["app_id"] is None
    log = sim_builtin.purchases()
    assert log["count"] == 2 and [p["number"] for p in log["purchases"]] == [SF1, SF2]
    assert log["monthly_total"] == "1.60000" and log["setup_total"] == "0.00000"
    assert all(p["account"] == MAIN and p["time"].endswith("Z") for p in log["purchases"])


def test_buy_by_a_subaccount(sim_builtin: SimulatorProcess) -> None:
    answer = buy(sim_builtin, SF1, auth=sub_auth(sim_builtin), account=SUB)
    assert answer.status_code == 201, answer.text
    stored = sim_builtin.number(SF1)
    assert stored["subaccount"] == SUB and stored["account"] == MAIN
    assert sim_builtin.purchases()["purchases"][0]["account"] == SUB


def test_buy_uses_the_default_number_app_set_out_of_band(sim_builtin: SimulatorProcess) -> None:
    sim_builtin.set_default_number_app(MAIN, APP)
    assert buy(sim_builtin, SF1).status_code == 201
    assert sim_builtin.number(SF1)["app_id"] == APP


def test_buy_of_a_restricted_number_is_pending(sim_builtin: SimulatorProcess) -> None:
    answer = buy(sim_builtin, BERLIN)
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "fulfilled"
    assert answer.json()["numbers"] == [{"number": BERLIN, "status": "pending"}]
    assert sim_builtin.number(BERLIN)["compliance_status"] == "pending"
    live = requests.get(
        f"{sim_builtin.base_url}/Account/{MAIN}/Number/{BERLIN}/",
        auth=(MAIN, sim_builtin.auth_token),
        timeout=10,
    ).json()
    assert live["compliance_status"] == "pending" and live["active"] is False
    assert live["monthly_rental_rate"] == "1.50000"
    assert sim_builtin.purchases()["setup_total"] == "1.00000"


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"alias": "ivr-1"}, 400, "unknown parameter(s) alias"),
        ({"app_id": "12x"}, 400, "invalid app_id"),
        ({"app_id": "99999"}, 400, "application 99999 not found"),
        ({"cnam_lookup": "maybe"}, 400, "invalid cnam_lookup"),
        ({"number": "14154009999"}, 400, "does not match the URL"),
        ({"verification_info": "docs"}, 400, "invalid verification_info"),
    ],
)
def test_buy_refuses_bad_parameters_and_buys_nothing(
    sim_builtin: SimulatorProcess, body: dict, status: int, fragment: str
) -> None:
    assert_error(buy(sim_builtin, SF1, **body), status, fragment)
    assert sim_builtin.number(SF1) is None and sim_builtin.purchases()["count"] == 0


def test_buy_of_a_number_not_on_offer_is_404(sim_builtin: SimulatorProcess) -> None:
    assert_error(buy(sim_builtin, "14159999999"), 404, "not available to buy")
    assert_error(buy(sim_builtin, "15676988323"), 404, "not available")  # rented already (seed)
    assert buy(sim_builtin, SF1).status_code == 201
    assert_error(buy(sim_builtin, SF1), 404, "search again")
    assert sim_builtin.purchases()["count"] == 1


def test_admin_inventory_add_and_remove(sim_builtin: SimulatorProcess) -> None:
    added = sim_builtin.add_offer("16505550100", city="PALO ALTO", services=["voice"], setup_rate="2.5")
    assert added["setup_rate"] == "2.50000" and added["country"] == "US"
    found = search(sim_builtin, country_iso="US", city="Palo Alto").json()["objects"]
    assert [o["number"] for o in found] == ["16505550100"] and found[0]["sms_enabled"] is False
    assert any(o["number"] == "16505550100" for o in sim_builtin.inventory())
    removed = sim_builtin.remove_offer("16505550100")
    assert removed["removed"]["number"] == "16505550100"
    assert search(sim_builtin, country_iso="US", city="Palo Alto").json()["objects"] == []
    bad = requests.put(f"{sim_builtin.admin_url}/inventory/16505550100", json={"colour": "red"}, timeout=10)
    assert bad.status_code == 400 and "unknown field(s) colour" in bad.json()["error"]
    rented = requests.put(f"{sim_builtin.admin_url}/inventory/15676988323", json={}, timeout=10)
    assert rented.status_code == 409


def test_fault_taken_the_next_buy_of_a_number(sim_builtin: SimulatorProcess) -> None:
    sim_builtin.set_faults(buy_taken=[SF1])
    assert [o["number"] for o in search(sim_builtin, country_iso="US", pattern=SF1).json()["objects"]] == [
        SF1
    ]
    assert_error(buy(sim_builtin, SF1), 404, "not available")
    assert sim_builtin.number(SF1) is None and sim_builtin.purchases()["count"] == 0
    assert search(sim_builtin, country_iso="US", pattern=SF1).json()["objects"] == []
    assert sim_builtin.faults()["buy_taken"] == []
    assert buy(sim_builtin, SF2).status_code == 201  # only that number, only once


def test_fault_taken_any_next_buy(sim_builtin: SimulatorProcess) -> None:
    sim_builtin.set_faults(buy_taken=["*"])
    assert_error(buy(sim_builtin, SF2), 404)
    assert buy(sim_builtin, SF1).status_code == 201


def _raw_buy(sim: SimulatorProcess, number: str) -> bytes:
    """A buy over a bare socket: what comes back before the connection closes."""
    host, port = sim.base_url.split("//")[1].split("/")[0].split(":")
    token = base64.b64encode(f"{sim.auth_id}:{sim.auth_token}".encode()).decode()
    request = (
        f"POST /v1/Account/{sim.auth_id}/PhoneNumber/{number}/ HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Basic {token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}"
    )
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request.encode())
        chunks = []
        while chunk := conn.recv(4096):
            chunks.append(chunk)
    return b"".join(chunks)


def test_fault_lost_answer_buys_then_drops(sim_builtin: SimulatorProcess) -> None:
    sim_builtin.set_faults(buy_lost=2)
    assert _raw_buy(sim_builtin, SF1) == b""
    with pytest.raises(requests.ConnectionError):
        buy(sim_builtin, SF2)
    # Both were bought: the purchase log and the Number API show them.
    assert [p["number"] for p in sim_builtin.purchases()["purchases"]] == [SF1, SF2]
    assert sim_builtin.number(SF1) is not None and sim_builtin.number(SF2) is not None
    entries = [r for r in sim_builtin.requests_log()["requests"] if r["method"] == "POST"]
    assert [e.get("fault") for e in entries][-2:] == ["drop_after", "drop_after"]
    assert buy(sim_builtin, "14154001003").status_code == 201  # the third buy is answered
    assert sim_builtin.faults()["buy_lost"] == 0


def test_buy_faults_from_the_command_line() -> None:
    with SimulatorProcess(extra_args=["--buy-lost", "1", "--buy-taken", SF2]) as sim:
        assert sim.faults()["buy_lost"] == 1 and sim.faults()["buy_taken"] == [SF2]
        assert_error(buy(sim, SF2), 404)
        with pytest.raises(requests.ConnectionError):
            buy(sim, SF1)
        assert sim.purchases()["count"] == 1


@pytest.mark.parametrize(
    ("faults", "fragment"),
    [({"buy_lost": -1}, "buy_lost must be"), ({"buy_taken": ["abc"]}, "buy_taken must be")],
)
def test_bad_buy_faults_are_refused(sim_builtin: SimulatorProcess, faults: dict, fragment: str) -> None:
    answer = requests.post(f"{sim_builtin.admin_url}/faults", json=faults, timeout=10)
    assert answer.status_code == 400 and fragment in answer.json()["error"]


def test_a_refused_buy_does_not_use_up_a_lost_answer(sim_builtin: SimulatorProcess) -> None:
    sim_builtin.set_faults(buy_lost=1)
    assert_error(buy(sim_builtin, SF1, app_id="99999"), 400, "application 99999 not found")
    assert_error(buy(sim_builtin, "14159999999"), 404)
    with pytest.raises(requests.ConnectionError):
        buy(sim_builtin, SF1)
    assert sim_builtin.purchases()["count"] == 1 and sim_builtin.number(SF1) is not None
