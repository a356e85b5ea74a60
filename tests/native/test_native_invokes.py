"""The provider's functions without the engine: every bad argument of every function is a failure of
that argument with its fix, before any API call (no client is even made: the configured URL points
nowhere), and the objects inside a result carry the schema's names (issue 29, items 7 and 10). The
CLI tests are tests/e2e/native/test_native_invokes.py and tests/e2e/test_yaml.py."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pulumi.provider.experimental.provider import ConfigureRequest, InvokeRequest

from plivo_pulumi.native import schema
from plivo_pulumi.native.convert import wire
from plivo_pulumi.native.invokes import number_info, schema_names
from plivo_pulumi.native.server import build_provider

MAIN = "MAE2ETESTACCOUNT0001"
NOWHERE = "http://127.0.0.1:9/v1"  # the discard port: a call that got through would fail loudly


def invoke(token: str, args: dict[str, Any]) -> Any:
    provider = build_provider()
    config = {"authId": wire(MAIN), "authToken": wire("t", secret=True), "baseUrl": wire(NOWHERE)}
    asyncio.run(provider.configure(ConfigureRequest({}, config, True, False)))
    provider.client = None  # type: ignore[assignment,method-assign]  # any API call would raise
    return asyncio.run(provider.invoke(InvokeRequest(token, {k: wire(v) for k, v in args.items()})))


BAD = [
    (schema.GET_RENTED_NUMBERS, {"numberType": "tall free"}, "numberType", "tollfree"),
    (schema.GET_RENTED_NUMBERS, {"numberType": 3}, "numberType", "tollfree"),
    (schema.GET_RENTED_NUMBERS, {"numberStartswith": "1-800-FLOWERS"}, "numberStartswith", "'1567'"),
    (schema.GET_RENTED_NUMBERS, {"numberStartswith": True}, "numberStartswith", "'1567'"),
    (schema.GET_RENTED_NUMBERS, {"subaccount": "marketing"}, "subaccount", "SAXXXXXXXXXXXXXXXXXX"),
    (
        schema.GET_RENTED_NUMBERS,
        {"subaccount": "/v1/Account/MAOTHERACCOUNT000001/Subaccount/SAE2ESUBACCOUNT00001/"},
        "subaccount",
        "SAXXXXXXXXXXXXXXXXXX",
    ),
    (schema.GET_RENTED_NUMBERS, {"services": "voice,fax"}, "services", "'voice,sms'"),
    (schema.GET_RENTED_NUMBERS, {"numbertype": "local"}, "numbertype", "numberType"),
    (schema.GET_RENTED_NUMBER, {}, "number", "+1 (567) 698-8323"),
    (schema.GET_RENTED_NUMBER, {"number": "call me"}, "number", "international form"),
    (schema.GET_RENTED_NUMBER, {"number": ["15550000001"]}, "number", "15676988323"),
    (schema.GET_APPLICATION, {}, "appId", "72509666337566"),
    (schema.GET_APPLICATION, {"appId": "ivr-main"}, "appId", "72509666337566"),
    (schema.GET_APPLICATION, {"app": "1"}, "app", "appId"),
]


@pytest.mark.parametrize(("token", "args", "argument", "fix"), BAD, ids=[str(b[1]) for b in BAD])
def test_a_bad_argument_is_a_failure_of_that_argument(token, args, argument, fix) -> None:
    answer = invoke(token, args)
    assert answer.return_value is None
    [failure] = answer.failures
    assert failure.property == argument
    assert argument in failure.reason and fix in failure.reason, failure.reason


def test_result_objects_carry_the_schema_names() -> None:
    api_object = {
        "number": "15550000002",
        "application": f"/v1/Account/{MAIN}/Application/33333333333333/",
        "sub_account": "SAE2ESUBACCOUNT00001",  # the live API today: the bare auth id
        "sub_account_name": "Marketing",
        "alias": "front desk",
        "number_type": "local",
        "voice_enabled": True,
        "sms_enabled": False,
        "added_on": "2024-01-01",
        "resource_uri": f"/v1/Account/{MAIN}/Number/15550000002/",
    }
    item = schema_names(number_info(api_object))
    assert set(item) == set(schema.NUMBER_INFO_FIELDS)
    assert (item["appId"], item["subaccount"], item["numberType"]) == (
        "33333333333333",
        "SAE2ESUBACCOUNT00001",
        "local",
    )
    assert (item["description"], item["plivoNumber"]) == (None, None), "not in the live object"
