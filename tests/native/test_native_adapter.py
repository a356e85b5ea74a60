"""The resource adapters without the engine: requests in the SDK's form through the real core
lifecycles (no API call is needed for check and diff), and the provider's routing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pulumi.provider.experimental.provider import CheckRequest, ConfigureRequest, DiffRequest

from plivo_pulumi.native.convert import UNKNOWN, wire
from plivo_pulumi.native.server import build_provider

URN = "urn:pulumi:dev::proj::plivo:index:{kind}::{name}"
APP = "11111111111111"


def configured() -> Any:
    provider = build_provider()
    args = {"authId": wire("MAE2ETESTACCOUNT0001"), "authToken": wire("t", secret=True)}
    asyncio.run(provider.configure(ConfigureRequest({}, args, True, False)))
    return provider


def check(
    provider: Any, kind: str, name: str, news: dict[str, Any], olds: dict[str, Any] | None = None
) -> Any:
    request = CheckRequest(
        URN.format(kind=kind, name=name),
        {k: wire(v) for k, v in (olds or {}).items()},
        {k: v if hasattr(v, "is_secret") else wire(v) for k, v in news.items()},
        b"",
    )
    return asyncio.run(provider.check(request))


def test_check_normalizes_in_schema_names_and_records_the_code() -> None:
    answer = check(configured(), "RentedNumber", "support", {"number": "+1 (555) 000-0001", "appId": APP})
    assert not answer.failures
    assert answer.inputs["number"].value == "15550000001"
    assert answer.inputs["appId"].value == APP
    assert answer.inputs["__declared"].value["app_id"].value == APP


def test_bad_input_names_the_schema_property() -> None:
    answer = check(configured(), "RentedNumber", "bad", {"number": "15550000001", "appId": "not-an-id"})
    assert [f.property for f in answer.failures] == ["appId"]


def test_one_number_in_two_resources_fails_naming_both() -> None:
    provider = configured()
    assert not check(provider, "RentedNumber", "first", {"number": "15550000001"}).failures
    again = check(provider, "RentedNumber", "first", {"number": "15550000001"})
    assert not again.failures, "a resource checked twice claims its own number again"
    clash = check(provider, "RentedNumberSet", "fleet", {"bindings": {"+15550000001": {"appId": APP}}})
    assert len(clash.failures) == 1
    assert "'first'" in clash.failures[0].reason and "'fleet'" in clash.failures[0].reason


def test_set_failure_paths_keep_numbers_and_use_schema_names() -> None:
    answer = check(configured(), "RentedNumberSet", "fleet", {"bindings": {"15550000001": {"appId": "x"}}})
    assert [f.property for f in answer.failures] == ['bindings["15550000001"].appId']


def test_secret_inputs_stay_secret_with_their_hidden_copies() -> None:
    answer = check(
        configured(), "RentedNumber", "s", {"number": "15550000001", "appId": wire(APP, secret=True)}
    )
    assert answer.inputs["appId"].is_secret
    assert answer.inputs["__declared"].is_secret
    assert not answer.inputs["number"].is_secret
    assert all(APP not in f.reason for f in answer.failures)


def test_an_import_that_differs_is_refused_at_check() -> None:
    provider = configured()
    read_inputs = {
        "number": "15550000001",
        "appId": "22222222222222",
        "unrentOnDelete": False,
        "import_id": "15550000001",
    }
    later = check(provider, "RentedNumber", "imp", {"number": "15550000001", "appId": APP}, olds=read_inputs)
    assert not later.failures, "a refused import left in the state: a later run's code is an update"
    provider.import_reads.add(URN.format(kind="RentedNumber", name="imp"))  # this process's import Read
    answer = check(provider, "RentedNumber", "imp", {"number": "15550000001", "appId": APP}, olds=read_inputs)
    assert [f.property for f in answer.failures] == ["appId"]
    assert "without a write" in answer.failures[0].reason
    assert "import_id" not in answer.inputs
    same = check(
        provider,
        "RentedNumber",
        "imp",
        {"number": "15550000001", "appId": "22222222222222"},
        olds=read_inputs,
    )
    assert not same.failures


def test_unknown_app_id_passes_check_at_preview() -> None:
    answer = check(configured(), "RentedNumber", "u", {"number": "15550000001", "appId": UNKNOWN})
    assert not answer.failures
    assert answer.inputs["appId"].value == UNKNOWN


def test_diff_of_a_legacy_state_is_detailed() -> None:
    provider = configured()
    olds = {
        "number": wire("15550000001"),
        "appId": wire(APP),
        "subaccount": wire(""),
        "unrentOnDelete": wire(False),
    }
    news = {**olds, "appId": wire("22222222222222")}
    request = DiffRequest(URN.format(kind="RentedNumber", name="x"), "15550000001", olds, news, [])
    answer = asyncio.run(provider.diff(request))
    assert answer.changes is True
    assert answer.diffs == ["appId"]
    assert set(answer.detailed_diff) == {"appId"}


def test_diff_of_a_current_state_lets_the_engine_compare() -> None:
    provider = configured()
    olds = {"number": wire("15550000001"), "appId": wire(APP), "__declared": wire({"app_id": APP})}
    request = DiffRequest(
        URN.format(kind="RentedNumber", name="x"),
        "15550000001",
        olds,
        {**olds, "number": wire("15550000002")},
        [],
    )
    answer = asyncio.run(provider.diff(request))
    assert answer.changes is None
    assert answer.replaces == ["number"]


def test_unknown_type_is_refused_by_name() -> None:
    with pytest.raises(Exception, match="no resource type plivo:index:Nope"):
        check(configured(), "Nope", "x", {})


def test_ignored_properties_and_their_recorded_copies_are_not_a_change() -> None:
    from plivo_pulumi.native.adapter import ignored_names

    provider = configured()
    declared = {"app_id": wire(APP), "subaccount": wire(None), "import_id": wire(None)}
    old_inputs = {
        "number": wire("15550000001"),
        "appId": wire("22222222222222"),
        "__declared": wire(declared),
    }
    news = {**old_inputs, "__declared": wire({**declared, "app_id": wire("22222222222222")})}
    outputs = {**old_inputs, "__declared": wire(declared)}
    from plivo_pulumi.native.provider import DiffWithInputsRequest

    request = DiffWithInputsRequest(
        URN.format(kind="RentedNumber", name="x"), "1", outputs, news, ["appId"], old_inputs
    )
    assert asyncio.run(provider.diff(request)).changes is False
    request = DiffWithInputsRequest(
        URN.format(kind="RentedNumber", name="x"), "1", outputs, news, [], old_inputs
    )
    answer = asyncio.run(provider.diff(request))
    assert answer.changes is True, "no ignoreChanges: the recorded copy changed, an update"
    assert answer.detailed_diff == {}, "hidden keys never show in `preview --diff`"
    request = DiffWithInputsRequest(
        URN.format(kind="RentedNumber", name="x"), "1", outputs, news, ['bindings["1555"]'], old_inputs
    )
    assert asyncio.run(provider.diff(request)).changes is None, "a finer ignoreChanges: the engine compares"
    assert ignored_names(["appId"]) == {"app_id"}
    assert ignored_names(['bindings["1555"]']) == frozenset()
