"""`PlivoClient`'s PhoneNumber operations (issue 32) against the simulator over real HTTP: search with
every filter and all pages, buy with its typed outcomes (taken, lost answer, pending), and the
alias edit that tags a bought number."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from plivo_pulumi.core.client import BuyOutcomeUnknownError, NumberTakenError, PlivoClient
from plivo_pulumi.core.client.phone_numbers import search_params
from plivo_pulumi.core.errors import BadRequestError, NumberNotFoundError

APP = "72509666337566"
SF1, SF2 = "14154001001", "14154001002"
BERLIN = "493055501001"


@pytest.fixture
def client(sim_builtin) -> Iterator[PlivoClient]:
    with PlivoClient(
        sim_builtin.auth_id, sim_builtin.auth_token, sim_builtin.base_url, max_retries=1, backoff_factor=0
    ) as c:
        yield c


def test_search_filters_and_paging(client: PlivoClient, sim_builtin) -> None:
    page = client.search_phone_numbers("US", type="local", pattern="415", limit=3)
    assert page["meta"]["total_count"] == 8
    assert [o["number"] for o in page["objects"]] == ["14154001001", "14154001002", "14154001003"]
    every = list(client.iter_phone_numbers("us", type="local", pattern="415", page_size=3))
    assert len(every) == 8 and len({o["number"] for o in every}) == 8
    mms = list(client.iter_phone_numbers("US", pattern="415", services=["voice", "mms"]))
    assert mms and all(o["mms_enabled"] for o in mms)
    assert [o["number"] for o in client.iter_phone_numbers("US", region="TX", city="Austin")][0].startswith(
        "1512"
    )
    assert list(client.iter_phone_numbers("US", npanxx="415400", lata="722", rate_center="SNFC CNTRL"))
    assert list(client.iter_phone_numbers("DE", eligible=True)) == []
    assert len(list(client.iter_phone_numbers("DE", eligible=False))) == 3
    assert list(client.iter_phone_numbers("US", type="tollfree", local_calling_area=False))
    assert list(client.iter_phone_numbers("FR")) == []
    sent = sim_builtin.requests_log()
    assert sent  # the searches went over HTTP


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"country_iso": "USA"}, "country_iso must be a two-letter"),
        ({"country_iso": "US", "type": "cheap"}, "type must be one of"),
        ({"country_iso": "US", "pattern": "4a5"}, "pattern must be"),
        ({"country_iso": "US", "services": ["fax"]}, "services must be a subset"),
        ({"country_iso": "US", "npanxx": "415"}, "npanxx must be"),
        ({"country_iso": "US", "eligible": "yes"}, "eligible must be true or false"),
        ({"country_iso": "US", "region": ""}, "region must be non-empty"),
    ],
)
def test_bad_filters_are_refused_before_any_call(kwargs: dict, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        search_params(**kwargs)


def test_buy_links_the_app_and_the_alias_edit_tags_it(client: PlivoClient, sim_builtin) -> None:
    assert client.buy_phone_number(SF1, app_id=APP) == {"number": SF1, "status": "Success"}
    rented = client.get_number(SF1)
    assert rented["application"].rstrip("/").endswith(APP)
    client.update_number(SF1, alias="po-0123456789")
    assert client.get_number(SF1)["alias"] == "po-0123456789"
    log = sim_builtin.purchases()
    assert log["count"] == 1 and log["monthly_total"] == "0.80000"


def test_buy_of_a_number_taken_since_the_search(client: PlivoClient, sim_builtin) -> None:
    sim_builtin.set_faults(buy_taken=[SF1])
    with pytest.raises(NumberTakenError, match="someone else bought it"):
        client.buy_phone_number(SF1)
    assert sim_builtin.purchases()["count"] == 0
    with pytest.raises(NumberTakenError):
        client.buy_phone_number("19999999999")


def test_buy_whose_answer_is_lost_is_an_unknown_outcome(client: PlivoClient, sim_builtin) -> None:
    sim_builtin.set_faults(buy_lost=1)
    with pytest.raises(BuyOutcomeUnknownError, match="may have been made") as caught:
        client.buy_phone_number(SF2)
    assert caught.value.number == SF2
    # Never retried: one purchase, and the number is rented, as a GET shows.
    assert sim_builtin.purchases()["count"] == 1
    assert client.get_number(SF2)["number"] == SF2
    with pytest.raises(NumberNotFoundError):
        client.get_number(SF1)


def test_buy_in_a_restricted_country_is_pending(client: PlivoClient) -> None:
    assert client.buy_phone_number(BERLIN) == {"number": BERLIN, "status": "pending"}


def test_buy_with_an_unknown_app_is_a_bad_request(client: PlivoClient, sim_builtin) -> None:
    with pytest.raises(BadRequestError):
        client.buy_phone_number(SF1, app_id="99999999999999")
    assert sim_builtin.purchases()["count"] == 0
