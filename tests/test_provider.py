"""The RentedNumber provider's methods against the simulator over real HTTP, without the engine:
fast checks of the lifecycle, the API calls each makes, and unknown values during preview."""

from __future__ import annotations

import pytest
from pulumi.dynamic import Config, ConfigureRequest

from plivo_pulumi.core import UNKNOWN
from plivo_pulumi.core.config import MissingCredentialsError
from plivo_pulumi.core.errors import PlivoError
from plivo_pulumi.dynamic.rented_number import RentedNumberProvider
from plivo_pulumi.simulator.testing import SimulatorProcess

MAIN = "MAPROVIDERTEST000001"
TOKEN = "tok-provider-Qp8LmZ2xWc"
APP_A, APP_B = "44444444444444", "55555555555555"
NUM = "15551230001"


@pytest.fixture(scope="module")
def sim_module():
    with SimulatorProcess() as sim_provider:
        yield sim_provider


@pytest.fixture
def sim_provider(sim_module):
    sim_module.reset(
        {
            "accounts": [{"auth_id": MAIN, "auth_token": TOKEN}],
            "applications": [{"app_id": a, "account": MAIN} for a in (APP_A, APP_B)],
            "numbers": [{"number": NUM, "account": MAIN}, {"number": "15551230002", "account": MAIN}],
        }
    )
    sim_module.clear_log()
    return sim_module


def provider_for(sim_provider, token: str | None = TOKEN) -> RentedNumberProvider:
    raw = {"plivo:authId": MAIN, "plivo:baseUrl": sim_provider.base_url}
    if token:
        raw["plivo:authToken"] = token
    provider = RentedNumberProvider()
    provider.configure(ConfigureRequest(Config(raw, "test")))
    return provider


def by_method(sim_provider) -> dict[str, int]:
    return sim_provider.requests_log()["by_method"]


def test_check_normalizes_and_reports_each_bad_field():
    provider = RentedNumberProvider()
    result = provider.check(
        {}, {"number": "+1 (555) 123-0001", "app_id": f"/v1/Account/{MAIN}/Application/{APP_A}/"}
    )
    assert result.failures == []
    assert result.inputs["number"] == NUM and result.inputs["app_id"] == APP_A
    assert result.inputs["unrent_on_delete"] is False

    bad = provider.check(
        {}, {"number": "12", "app_id": "abc", "subaccount": "SA1", "unrent_on_delete": "yes"}
    )
    assert sorted(f.property for f in bad.failures) == ["app_id", "number", "subaccount", "unrent_on_delete"]
    assert all(f.reason for f in bad.failures)
    assert provider.check({}, {}).failures[0].property == "number"


def test_check_and_diff_pass_unknown_values_through():
    provider = RentedNumberProvider()
    result = provider.check({}, {"number": NUM, "app_id": UNKNOWN, "subaccount": UNKNOWN})
    assert result.failures == [] and result.inputs["app_id"] == UNKNOWN
    diff = provider.diff(NUM, {"number": NUM, "app_id": APP_A, "subaccount": ""}, result.inputs)
    assert diff.changes is True and diff.replaces == []


def test_diff_rules():
    provider = RentedNumberProvider()
    olds = {"number": NUM, "app_id": APP_A, "subaccount": "", "unrent_on_delete": False}
    assert provider.diff(NUM, olds, {**olds}).changes is False
    assert provider.diff(NUM, olds, {**olds, "app_id": None}).changes is False  # unmanaged
    assert provider.diff(NUM, olds, {**olds, "app_id": APP_B}).changes is True
    assert provider.diff(NUM, olds, {**olds, "number": "15551230002"}).replaces == ["number"]
    assert provider.diff(NUM, olds, {**olds, "unrent_on_delete": True}).changes is True


def test_create_adopts_with_one_get_and_one_post_only_when_needed(sim_provider):
    provider = provider_for(sim_provider)
    inputs = provider.check({}, {"number": NUM, "app_id": APP_A}).inputs
    created = provider.create(inputs)
    assert created.id == NUM and created.outs["app_id"] == APP_A
    assert by_method(sim_provider) == {"GET": 1, "POST": 1}
    assert sim_provider.number(NUM)["app_id"] == APP_A

    sim_provider.clear_log()
    provider.create(inputs)  # already bound: adoption only reads
    assert by_method(sim_provider) == {"GET": 1}


def test_read_reports_live_values_and_gone_numbers(sim_provider):
    provider = provider_for(sim_provider)
    sim_provider.edit_out_of_band(NUM, app_id=APP_B)
    read = provider.read(NUM, {"number": NUM, "app_id": APP_A, "unrent_on_delete": False})
    assert read.id == NUM and read.outs["app_id"] == APP_B
    sim_provider.unrent_out_of_band(NUM)
    gone = provider.read(NUM, {"number": NUM})
    assert not gone.id
    assert by_method(sim_provider) == {"GET": 3}, "two GETs, and one List call that confirms the 404"


def test_update_posts_only_changed_fields_and_flag_changes_are_free(sim_provider):
    provider = provider_for(sim_provider)
    olds = {"number": NUM, "app_id": "", "subaccount": "", "unrent_on_delete": False}
    provider.update(NUM, olds, {**olds, "unrent_on_delete": True})
    assert by_method(sim_provider) == {}
    outs = provider.update(NUM, olds, {**olds, "app_id": APP_B}).outs
    assert outs["app_id"] == APP_B and by_method(sim_provider) == {"POST": 1}


def test_delete_keeps_the_number_unless_asked(sim_provider):
    provider = provider_for(sim_provider)
    provider.delete(NUM, {"number": NUM, "unrent_on_delete": False})
    assert by_method(sim_provider) == {} and sim_provider.number(NUM) is not None
    provider.delete("15551230002", {"number": "15551230002", "unrent_on_delete": True})
    assert by_method(sim_provider) == {"DELETE": 1} and sim_provider.number("15551230002") is None
    provider.delete("15551230002", {"number": "15551230002", "unrent_on_delete": True})  # 404 is done


def test_delete_never_unrents_a_number_a_check_of_this_deployment_saw(sim_provider):
    """The engine checks every resource the program registers before it deletes the dropped ones: a
    number seen there belongs to the code, whatever the deleted resource's state says."""
    provider = provider_for(sim_provider)
    provider.check({}, {"number": "+1 (555) 123-0002", "unrent_on_delete": False})
    provider.delete("15551230002", {"number": "15551230002", "unrent_on_delete": True})
    assert by_method(sim_provider) == {} and sim_provider.number("15551230002") is not None


@pytest.mark.parametrize(
    ("args", "constrained"),
    [
        (("up", "--target", "urn:x"), True),
        (("up", "--yes", "-t", "urn:x"), True),
        (("preview", "--exclude=urn:x"), True),
        (("up", "--yes", "--skip-preview"), False),
        (("destroy", "--target", "urn:x"), False),  # no program runs: nothing is declared anyway
    ],
)
def test_an_update_limited_by_target_is_known_to_the_provider(args, constrained):
    from plivo_pulumi.engine.invocation import Invocation

    assert Invocation(args).constrained is constrained


@pytest.mark.parametrize(
    ("args", "unread"),
    [
        (("up", "--replace", "urn:pulumi:dev::p::plivo:index:Application::ivr"), True),
        (("up", "--target-replace=urn:pulumi:dev::p::pulumi-python:dynamic/plivo:Application::ivr"), True),
        (("up", "--replace", "urn:pulumi:dev::p::my:index:Team$plivo:index:Application::ivr", "-r"), False),
        (("up", "--replace", "urn:pulumi:dev::p::plivo:index:Application::ivr", "--refresh"), False),
        (("up", "--replace", "urn:pulumi:dev::p::plivo:index:Application::a", "-r", "--run-program"), True),
        (("up", "--replace", "urn:pulumi:dev::p::plivo:index:RentedNumber::n"), False),
        (("destroy", "--replace", "urn:pulumi:dev::p::plivo:index:Application::ivr"), False),
    ],
)
def test_a_replace_of_an_application_without_a_refresh_is_known_to_the_provider(args, unread):
    from plivo_pulumi.engine.invocation import Invocation

    invocation = Invocation(args)
    assert (invocation.replaces_application and not invocation.refreshes_first) is unread


def test_credentials_errors_name_the_config_keys(sim_provider):
    with pytest.raises(MissingCredentialsError, match="plivo:authToken"):
        provider_for(sim_provider, token=None).create({"number": NUM})
    with pytest.raises(PlivoError, match="plivo:authToken") as err:
        provider_for(sim_provider, token="wrong-token-value").create({"number": NUM})
    assert "wrong-token-value" not in str(err.value)


def test_a_refresh_sets_drifted_inputs_to_live_values_and_keeps_the_declared_ones(sim_provider):
    provider = provider_for(sim_provider)
    created = provider.create({"number": NUM, "app_id": APP_A, "subaccount": None, "unrent_on_delete": False})
    assert created.outs["__declared"] == {"app_id": APP_A, "subaccount": None, "import_id": None}
    sim_provider.edit_out_of_band(NUM, app_id=APP_B)
    read = provider.read(NUM, created.outs)
    assert read.outs["app_id"] == APP_B and read.outs["__declared"]["app_id"] == APP_A
    declared = {"app_id": APP_A, "subaccount": None, "import_id": None}
    assert read.inputs == {"number": NUM, "unrent_on_delete": False, "app_id": APP_B, "__declared": declared}
    # The engine diffs those inputs itself (so ignore_changes and replace_on_changes apply).
    assert provider.diff(NUM, read.outs, {"number": NUM, "app_id": APP_A}).changes is None
    legacy = {k: v for k, v in created.outs.items() if k != "__declared"}
    assert provider.read(NUM, legacy).inputs is None, "state of an earlier version: inputs left alone"
    assert provider.diff(NUM, legacy, {"number": NUM, "app_id": APP_B}).changes is True


def test_unknowns_as_the_engine_hands_them_pass_through_check_and_diff():
    """The dynamic-provider host gives check and diff `pulumi.output.Unknown` objects (another
    resource's output at preview), not the marker string: they pass through as the marker."""
    from pulumi.output import Unknown

    from plivo_pulumi.dynamic.rented_number_set import RentedNumberSetProvider

    single = RentedNumberProvider().check({}, {"number": NUM, "app_id": Unknown()})
    assert single.failures == [] and single.inputs["app_id"] == UNKNOWN
    many = RentedNumberSetProvider().check({}, {"bindings": {NUM: {"app_id": Unknown()}}})
    assert many.failures == [] and many.inputs["bindings"] == {NUM: UNKNOWN}
    olds = {"bindings": {NUM: "1/*"}, "unrent_on_delete": False, "max_in_flight": 8}
    assert RentedNumberSetProvider().diff("s", olds, {**olds, "bindings": {NUM: Unknown()}}).changes is True
