"""Normalization and validation of numbers, application ids and subaccount ids."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plivo_pulumi.core.numbers import (
    app_id_from_uri,
    application_uri,
    is_main_account_id,
    is_subaccount_id,
    normalize_app_id,
    normalize_number,
    normalize_subaccount,
    number_uri,
    subaccount_from_uri,
    subaccount_uri,
)

MAIN = "MAGWNTM3ZTK1M2YZMDF5"
SUB = "SAMJY2ZWNJYWMZK1MWVK"
APP = "72509666337566"


# -- numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "+1 (567) 698-8323",
        "15676988323",
        "1.567.698.8323",
        "+1-567-698-8323",
        " 1 567 698 8323 ",
        "1\t567\t6988323",
        15676988323,
    ],
)
def test_normalize_number_accepts_common_forms(value):
    assert normalize_number(value) == "15676988323"


@pytest.mark.parametrize("value", ["12345678", "123456789012345", 12345678])
def test_normalize_number_length_bounds_accepted(value):
    assert normalize_number(value) == str(value)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("1234567", "only 7 digits"),
        ("1234567890123456", "16 digits"),
        ("", "empty"),
        ("+ ( ) -", "empty"),
        ("1567abc8323", "other than digits"),
        ("1567_698_8323", "other than digits"),
        ("1567/698/8323", "other than digits"),
        ("١٥٦٧٦٩٨٨٣٢٣", "non-ASCII digits"),
        ("１５６７６９８８３２３", "non-ASCII digits"),
        ("1567é988323", "non-ASCII"),
        (True, "string or an integer"),
        (False, "string or an integer"),
        (None, "string or an integer"),
        (1.5, "float"),
        (15676988323.0, "float"),
        (b"15676988323", "bytes"),
        (-15676988323, "negative"),
        (["15676988323"], "list"),
    ],
)
def test_normalize_number_rejects_with_reason_and_expected_form(value, fragment):
    with pytest.raises(ValueError) as info:
        normalize_number(value)
    message = str(info.value)
    assert fragment in message
    assert "15676988323" in message  # the expected form is shown


def test_normalize_number_message_says_expected_form():
    with pytest.raises(ValueError, match=r"must be 8-15 digits in international form, like 15676988323"):
        normalize_number("123")


@pytest.mark.parametrize("size", [65, 300, 100_000])
def test_normalize_number_huge_input_is_not_echoed(size):
    huge = "7" * size
    with pytest.raises(ValueError) as info:
        normalize_number(huge)
    message = str(info.value)
    assert "7" * 41 not in message
    assert len(message) < 300


def test_normalize_number_huge_int_is_rejected_briefly():
    with pytest.raises(ValueError) as info:
        normalize_number(10**200)
    assert len(str(info.value)) < 200


# -- application ids -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        APP,
        int(APP),
        f" {APP} ",
        f"/v1/Account/{MAIN}/Application/{APP}/",
        f"/v1/Account/{MAIN}/Application/{APP}",
        f"https://api.plivo.com/v1/Account/{MAIN}/Application/{APP}/",
        f"http://127.0.0.1:8080/v1/Account/{MAIN}/Application/{APP}",
        f"/v1/Account/{SUB}/Application/{APP}/",
    ],
)
def test_normalize_app_id_accepts_id_and_uri_forms(value):
    assert normalize_app_id(value) == APP


def test_normalize_app_id_empty_means_no_application_and_blank_is_refused():
    assert normalize_app_id("") == ""
    for blank in ("   ", "\t", " \n "):
        with pytest.raises(ValueError, match='blank.*write ""'):
            normalize_app_id(blank)
        with pytest.raises(ValueError, match="blank.*the main account"):
            normalize_subaccount(blank)


def test_uris_of_another_main_account_are_refused_when_the_account_is_known():
    mine, other = "MAAAAAAAAAAAAAAAAAAA", "MABBBBBBBBBBBBBBBBBB"
    app, sub = "72509666337566", "SACCCCCCCCCCCCCCCCCC"
    assert normalize_app_id(f"/v1/Account/{mine}/Application/{app}/", mine) == app
    assert normalize_app_id(f"/v1/Account/{sub}/Application/{app}/", mine) == app, "a subaccount's app"
    assert normalize_subaccount(f"/v1/Account/{mine}/Subaccount/{sub}/", mine) == sub
    with pytest.raises(ValueError, match=f"belongs to account {other}, not to the configured account {mine}"):
        normalize_app_id(f"/v1/Account/{other}/Application/{app}/", mine)
    with pytest.raises(ValueError, match=f"belongs to account {other}"):
        normalize_subaccount(f"https://api.plivo.com/v1/Account/{other}/Subaccount/{sub}/", mine)
    assert normalize_app_id(f"/v1/Account/{other}/Application/{app}/") == app, "account unknown: the id"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("725abc", "not numeric"),
        ("app-72509666337566", "not numeric"),
        ("1" * 33, "too long"),
        ("٧٢٥", "non-ASCII"),
        (f"/v1/Account/{MAIN}/Application/abc/", "not numeric"),
        (f"/v1/Account/{MAIN}/Number/{APP}/", "neither"),
        (f"/v1/Account/notanaccount/Application/{APP}/", "valid account"),
        (f"/v2/Account/{MAIN}/Application/{APP}/", "neither"),
        (None, "string"),
        (True, "string"),
        (7.5, "float"),
        (-3, "negative"),
    ],
)
def test_normalize_app_id_rejects(value, fragment):
    with pytest.raises(ValueError, match=fragment):
        normalize_app_id(value)


def test_app_id_from_uri():
    assert app_id_from_uri(None) == ""
    assert app_id_from_uri("") == ""
    assert app_id_from_uri(application_uri(MAIN, APP)) == APP
    with pytest.raises(ValueError):
        app_id_from_uri("/v1/Account/x/Application/")


# -- subaccounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        SUB,
        f" {SUB} ",
        f"/v1/Account/{MAIN}/Subaccount/{SUB}/",
        f"/v1/Account/{MAIN}/Subaccount/{SUB}",
        f"https://api.plivo.com/v1/Account/{MAIN}/Subaccount/{SUB}/",
    ],
)
def test_normalize_subaccount_accepts_id_and_uri(value):
    assert normalize_subaccount(value) == SUB


def test_normalize_subaccount_empty_means_main_account():
    assert normalize_subaccount("") == ""


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (SUB.lower(), "case sensitive"),
        ("Sa" + SUB[2:], "case sensitive"),
        (MAIN, "main account"),
        ("SA123", "not a subaccount auth_id"),
        (SUB + "X", "not a subaccount auth_id"),
        ("SAMJY2ZWNJYWMZK1MWV!", "not a subaccount auth_id"),
        (f"/v1/Account/{MAIN}/Subaccount/{SUB.lower()}/", "case sensitive"),
        (f"/v1/Account/{SUB}/Subaccount/{SUB}/", "main account auth_id"),
        (f"/v1/Account/{MAIN}/Application/{SUB}/", "neither"),
        (12345, "string"),
        (None, "string"),
    ],
)
def test_normalize_subaccount_rejects(value, fragment):
    with pytest.raises(ValueError, match=fragment):
        normalize_subaccount(value)


def test_lowercase_subaccount_message_suggests_the_uppercase_id():
    with pytest.raises(ValueError, match=SUB):
        normalize_subaccount(SUB.lower())


def test_subaccount_from_uri():
    assert subaccount_from_uri(None) == ""
    assert subaccount_from_uri(subaccount_uri(MAIN, SUB)) == SUB


# -- helpers -------------------------------------------------------------------------------------


def test_uri_helpers():
    assert application_uri(MAIN, APP) == f"/v1/Account/{MAIN}/Application/{APP}/"
    assert subaccount_uri(MAIN, SUB) == f"/v1/Account/{MAIN}/Subaccount/{SUB}/"
    assert number_uri(MAIN, "15676988323") == f"/v1/Account/{MAIN}/Number/15676988323/"


def test_account_id_predicates():
    assert is_main_account_id(MAIN)
    assert not is_main_account_id(SUB)
    assert not is_main_account_id(MAIN.lower())
    assert not is_main_account_id(MAIN + "\n")
    assert not is_main_account_id(None)
    assert is_subaccount_id(SUB)
    assert not is_subaccount_id(MAIN)
    assert not is_subaccount_id(SUB[:-1])


# -- properties ----------------------------------------------------------------------------------

anything = st.one_of(
    st.text(max_size=80),
    st.text(alphabet="0123456789+-() .", max_size=30),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
    st.binary(max_size=20),
    st.lists(st.integers(), max_size=3),
)


@settings(max_examples=400, deadline=None)
@given(anything)
def test_normalize_number_only_raises_value_error(value):
    try:
        result = normalize_number(value)
    except ValueError as exc:
        assert len(str(exc)) < 400
        return
    assert result.isascii() and result.isdigit() and 8 <= len(result) <= 15


@settings(max_examples=300, deadline=None)
@given(anything)
def test_normalize_app_id_and_subaccount_only_raise_value_error(value):
    for func in (normalize_app_id, normalize_subaccount):
        try:
            result = func(value)
        except ValueError:
            continue
        assert isinstance(result, str)


@given(st.text(alphabet="0123456789", min_size=8, max_size=15), st.sampled_from(["", "+", "+ "]))
def test_normalize_number_is_idempotent_and_keeps_digits(digits, lead):
    once = normalize_number(lead + digits)
    assert once == digits
    assert normalize_number(once) == once


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=18, max_size=18))
def test_subaccount_round_trips_through_its_uri(tail):
    sub = "SA" + tail
    assert normalize_subaccount(sub) == sub
    assert subaccount_from_uri(subaccount_uri(MAIN, sub)) == sub


@given(st.text(alphabet="0123456789", min_size=1, max_size=32))
def test_app_id_round_trips_through_its_uri(app_id):
    assert app_id_from_uri(application_uri(MAIN, app_id)) == app_id
