"""The native provider's edge, without the engine: conversions, configuration, the schema, and the
workarounds for the pinned SDK's defects (each test shows the defect, then that we avoid it)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime import proto

from plivo_pulumi import __version__
from plivo_pulumi.native.convert import (
    UNKNOWN,
    camel_path,
    inputs_from_engine,
    is_computed,
    plain,
    properties_to_engine,
    to_camel,
    to_snake,
    wire,
)
from plivo_pulumi.native.provider import (
    PlainTextTokenError,
    PlivoProvider,
    config_diff,
    config_values,
    refuse_plain_token,
)
from plivo_pulumi.native.schema import schema
from plivo_pulumi.native.server import PlivoServicer, user_message


def pv(value: Any, secret: bool = False) -> PropertyValue:
    return wire(value, secret=secret)


class AbortCalled(Exception):
    pass


class FakeContext:
    """A grpc.aio servicer context that records an abort."""

    def __init__(self) -> None:
        self.aborted: tuple[Any, str] | None = None

    async def abort(self, code: Any, details: str) -> None:
        self.aborted = (code, details)
        raise AbortCalled(details)


# -- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("camel", "snake"),
    [
        ("appId", "app_id"),
        ("unrentOnDelete", "unrent_on_delete"),
        ("maxInFlight", "max_in_flight"),
        ("number", "number"),
    ],
)
def test_names_round_trip(camel: str, snake: str) -> None:
    assert to_snake(camel) == snake
    assert to_camel(snake) == camel


def test_hidden_keys_keep_their_names() -> None:
    for key in ("__declared", "__secrets", "__live", "import_id"):
        assert to_snake(key) == key
        assert to_camel(key) == key


def test_failure_paths_in_schema_names_keep_map_keys() -> None:
    assert camel_path('bindings["1_555"].app_id') == 'bindings["1_555"].appId'
    assert camel_path("unrent_on_delete") == "unrentOnDelete"
    assert camel_path("") == ""


# -- values -----------------------------------------------------------------------------------


def test_sdk_computed_equality_raises_and_we_never_compare() -> None:
    """The pinned SDK's `Computed.__eq__` names `PropertyValue.Computed`, which does not exist."""
    with pytest.raises(AttributeError):
        _ = PropertyValue.computed() == PropertyValue.computed()
    assert is_computed(PropertyValue.computed())
    assert not is_computed(PropertyValue(UNKNOWN))
    assert plain(PropertyValue.computed()) == UNKNOWN
    assert plain(PropertyValue({"appId": PropertyValue.computed()})) == {"appId": UNKNOWN}


def test_integers_travel_as_doubles() -> None:
    assert wire(8).value == 8.0
    assert isinstance(wire(8).value, float)
    assert wire(True).value is True


def test_inputs_from_engine_convert_names_and_report_secrets() -> None:
    props = {
        "number": pv("15550000001"),
        "appId": pv("111", secret=True),
        "bindings": pv({"15550000002": {"appId": "222", "subaccount": ""}}),
        "__declared": pv({"app_id": "111"}),
    }
    values, secret = inputs_from_engine(props)
    assert values == {
        "number": "15550000001",
        "app_id": "111",
        "bindings": {"15550000002": {"app_id": "222", "subaccount": ""}},
        "__declared": {"app_id": "111"},
    }
    assert secret == frozenset({"app_id"})


def test_properties_to_engine_mark_secret_names() -> None:
    out = properties_to_engine({"app_id": "111", "number": "1555", "max_in_flight": 8}, secret={"app_id"})
    assert out["appId"].is_secret
    assert not out["number"].is_secret
    assert out["maxInFlight"].value == 8.0


# -- configuration ------------------------------------------------------------------------------


def test_config_diff_replaces_on_another_account_not_on_a_rotated_token() -> None:
    olds = {"authId": pv("MA1"), "authToken": pv("old", secret=True), "baseUrl": pv("http://a")}
    rotated = config_diff(olds, {**olds, "authToken": pv("new", secret=True)})
    assert rotated.changes is True
    assert rotated.replaces == []
    assert rotated.diffs == ["authToken"]
    moved = config_diff(olds, {**olds, "authId": pv("MA2")})
    assert moved.replaces == ["authId"]
    assert config_diff(olds, dict(olds)).changes is False
    assert config_diff(olds, {**olds, "baseUrl": pv("http://b")}).replaces == ["baseUrl"]


@pytest.mark.parametrize(
    "spelling",
    ["http://a/", "HTTP://A", "http://a:80", "http://A:80//", " http://a/ "],
)
def test_config_diff_the_same_account_spelled_otherwise_updates_in_place(spelling: str) -> None:
    """Issue 29 item 2: the provider's identity is its account, not its spelling."""
    olds = {"authId": pv("MA1"), "baseUrl": pv("http://a")}
    same = config_diff(olds, {**olds, "baseUrl": pv(spelling)})
    assert same.changes is True and same.replaces == [], "updated in place: no resource is replaced"
    assert (
        config_diff({"baseUrl": pv("https://x.test/v1")}, {"baseUrl": pv("https://X.test:443/v1/")}).replaces
        == []
    )
    for other in ("http://a:8080", "https://a", "http://a/v2", "http://b/"):
        assert config_diff(olds, {**olds, "baseUrl": pv(other)}).replaces == ["baseUrl"], other


def _diff_config_request() -> Any:
    olds = PropertyValue.marshal_map({"authId": pv("MA1"), "authToken": pv("t1")})
    news = PropertyValue.marshal_map({"authId": pv("MA2"), "authToken": pv("t2")})
    return proto.DiffRequest(urn="urn:pulumi:dev::p::pulumi:providers:plivo::default", olds=olds, news=news)


def test_sdk_diff_config_crashes_on_a_detailed_diff() -> None:
    servicer = ProviderServicer([], __version__, PlivoProvider(), engine_address="")
    with pytest.raises(Exception, match="inputDiff"):
        asyncio.run(servicer.DiffConfig(_diff_config_request(), FakeContext()))


def test_our_diff_config_answers_with_replaces() -> None:
    servicer = PlivoServicer([], __version__, PlivoProvider(), engine_address="")
    response = asyncio.run(servicer.DiffConfig(_diff_config_request(), FakeContext()))
    assert response.changes == proto.DiffResponse.DIFF_SOME
    assert list(response.replaces) == ["authId"]
    assert response.detailedDiff["authId"].kind == proto.PropertyDiff.UPDATE_REPLACE
    assert response.detailedDiff["authToken"].kind == proto.PropertyDiff.UPDATE
    assert response.hasDetailedDiff


def test_a_plain_text_token_is_refused_before_any_call() -> None:
    with pytest.raises(PlainTextTokenError, match="plain text"):
        refuse_plain_token({"authToken": pv("tok")})
    refuse_plain_token({"authToken": pv("tok", secret=True)})
    refuse_plain_token({})


def test_the_refusal_never_quotes_the_token() -> None:
    with pytest.raises(PlainTextTokenError) as caught:
        refuse_plain_token({"authToken": pv("tok-very-secret")})
    assert "tok-very-secret" not in str(caught.value)


def test_configure_reads_args_then_legacy_variables() -> None:
    values = config_values(
        {"authId": pv("MA1")}, {"plivo:config:baseUrl": "http://sim", "plivo:config:authId": "X"}
    )
    assert values == {"authId": "MA1", "baseUrl": "http://sim"}
    provider = PlivoProvider()
    from pulumi.provider.experimental.provider import ConfigureRequest

    answer = asyncio.run(
        provider.configure(
            ConfigureRequest({}, {"authId": pv("MA1"), "authToken": pv("t", secret=True)}, True, False)
        )
    )
    assert answer.accept_secrets
    assert provider.config.auth_id() == "MA1"
    assert provider.config.get("plivo:authToken") == "t"


def test_user_errors_show_alone() -> None:
    """The SDK re-raises every error with its stack appended, inside the handler: the user's error
    is the wrapper's context."""
    from plivo_pulumi.core.errors import PlivoError

    wrapped = Exception("number 1555 is not rented:\n  File x")
    wrapped.__context__ = PlivoError("number 1555 is not rented")
    assert user_message(wrapped) == "number 1555 is not rented"
    assert user_message(ValueError("bug")) is None


def test_errors_reach_the_engine_without_a_python_stack() -> None:
    servicer = PlivoServicer([], __version__, PlivoProvider(), engine_address="")
    request = proto.CheckRequest(urn="urn:pulumi:dev::p::plivo:index:Nope::x")
    context = FakeContext()
    with pytest.raises(AbortCalled):
        asyncio.run(servicer.Check(request, context))
    assert context.aborted is not None
    assert context.aborted[1] == f"the plivo provider {__version__} has no resource type plivo:index:Nope"


# -- schema -----------------------------------------------------------------------------------


def test_schema_is_json_with_the_package_version_and_every_token() -> None:
    data = json.loads(json.dumps(schema()))
    assert data["name"] == "plivo"
    assert data["version"] == __version__
    assert set(data["resources"]) == {
        "plivo:index:RentedNumber",
        "plivo:index:RentedNumberSet",
        "plivo:index:Application",
        "plivo:index:PhoneNumberOrder",
    }
    assert set(data["functions"]) == {
        "plivo:index:getRentedNumbers",
        "plivo:index:getRentedNumber",
        "plivo:index:getApplication",
    }
    assert data["config"]["variables"]["authToken"]["secret"] is True
    assert data["provider"]["inputProperties"]["authToken"]["secret"] is True


def _described(properties: dict[str, Any]) -> list[str]:
    return [name for name, spec in properties.items() if not spec.get("description")]


def test_every_schema_entry_is_described() -> None:
    data = schema()
    assert not _described(data["config"]["variables"])
    for token, resource in data["resources"].items():
        assert resource["description"], token
        assert not _described(resource["properties"]), token
        assert not _described(resource["inputProperties"]), token
        assert set(resource["requiredInputs"]) <= set(resource["inputProperties"])
    for token, function in data["functions"].items():
        assert function["description"], token
        assert not _described(function["inputs"]["properties"]), token
        assert not _described(function["outputs"]["properties"]), token
    for token, kind in data["types"].items():
        assert kind["description"], token
        assert not _described(kind["properties"]), token


def test_get_schema_serves_it() -> None:
    from pulumi.provider.experimental.provider import GetSchemaRequest

    answer = asyncio.run(PlivoProvider().get_schema(GetSchemaRequest(0)))
    assert json.loads(answer.schema or "") == json.loads(json.dumps(schema()))


def test_plugin_reports_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    from plivo_pulumi.native.server import main

    main(["--version"])
    assert capsys.readouterr().out.strip() == __version__
