"""Hostile input, property-based (Hypothesis): whatever a user or an API throws at the code, it never
crashes, and the answer is either a normalized valid value or a failure that names the field.

* `plivo_pulumi.core.numbers`: `normalize_number`, `normalize_app_id`, `normalize_subaccount` over
  unicode digits, whitespace, huge strings, URIs of other accounts, nulls, numbers as ints,
  containers and bytes.
* The providers' `check()` (`RentedNumberProvider`, `RentedNumberSetProvider`): the failures name
  exactly the fields that are invalid, and what passes is normalized.
* Malformed API answers (non-JSON, HTML pages from a proxy, JSON missing fields, wrong types) served
  by a tiny local HTTP server to the providers' `create()`: a clear `PlivoError` naming the
  endpoint, no write based on an answer that could not be trusted, and never an output claiming a
  binding the API did not confirm.

The same promise through the real engine is in tests/e2e/test_fault_responses.py.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from pulumi.dynamic import CheckFailure, Config, ConfigureRequest

from plivo_pulumi.core import UNKNOWN
from plivo_pulumi.core.config import TUNING_KEYS, InvalidSettingError, ProviderSettings, resolve_settings
from plivo_pulumi.core.errors import PlivoError
from plivo_pulumi.core.numbers import normalize_app_id, normalize_number, normalize_subaccount
from plivo_pulumi.dynamic.rented_number import RentedNumberProvider
from plivo_pulumi.dynamic.rented_number_set import RentedNumberSetProvider
from tests.support.accounts import PROP_TOKEN
from tests.support.scripted_api import HTML_PAGES, ScriptedAPI

MAIN = "MAPROPERTYTEST000001"
OTHER_MAIN = "MAOTHERACCOUNT000009"
SUB = "SAPROPERTYSUB0000001"
APP = "72509666337566"
NUM = "15557770001"

NUMBER_RE = re.compile(r"[0-9]{8,15}")
APP_RE = re.compile(r"[0-9]{1,32}")
SUB_RE = re.compile(r"SA[A-Z0-9]{18}")
ENCODED_RE = re.compile(r"(\*|[0-9]{1,32}|)/(\*|SA[A-Z0-9]{18}|)")

PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HTTP_PROPS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# -- strategies ------------------------------------------------------------------------------------

ASCII_DIGITS = "0123456789"
SEPARATORS = [" ", "-", ".", "(", ")", "\t", "  "]
# Digits of other scripts that str.isdigit() accepts: Arabic-Indic, Devanagari, fullwidth, Bengali,
# superscripts, mathematical bold.
UNICODE_DIGITS = "٠١٢٣٤٥٦٧٨٩०१२३४५६७८९０１２３４５６７８９০১২৩৪৫৬৭৮৯¹²³𝟎𝟏𝟐"
WHITESPACE = [" ", "\t", "\n", "\r", "\u00a0", "\u2003", "\u200b", "\ufeff", "\x00"]

account_ids = st.builds(
    lambda kind, tail: kind + tail,
    st.sampled_from(["MA", "SA"]),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=18, max_size=18),
)
sub_ids = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=18, max_size=18).map(
    lambda tail: "SA" + tail
)
app_ids = st.text(alphabet=ASCII_DIGITS, min_size=1, max_size=32)
valid_numbers = st.text(alphabet=ASCII_DIGITS, min_size=8, max_size=15)
hosts = st.sampled_from(["", "https://api.plivo.com", "http://127.0.0.1:8080", "https://evil.example"])

junk_text = st.text(max_size=80)
huge_text = st.one_of(
    st.integers(65, 50_000).map(lambda n: "1" * n),
    st.integers(257, 20_000).map(lambda n: "+1 (555) 000-0001 " * (n // 18 + 1)),
    st.text(min_size=300, max_size=3000),
)
unicode_digit_text = st.text(alphabet=UNICODE_DIGITS + ASCII_DIGITS, min_size=1, max_size=20)
wrapped_in_whitespace = st.builds(
    lambda before, core, after: before + core + after,
    st.text(alphabet="".join(WHITESPACE), max_size=3),
    st.one_of(valid_numbers, app_ids, sub_ids),
    st.text(alphabet="".join(WHITESPACE), max_size=3),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**7, max_value=10**15 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.binary(max_size=20),
)
containers = st.one_of(
    st.lists(st.one_of(st.integers(), st.text(max_size=5)), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.tuples(st.integers()),
    st.just(object()),
    st.just(UNKNOWN[:-1]),  # almost the engine's unknown marker: must be validated, not passed through
)


def uris(kind: str) -> st.SearchStrategy[str]:
    """Application/Subaccount/Number URIs of this account, of other accounts, and broken ones."""
    tails = {"Application": app_ids, "Subaccount": sub_ids, "Number": valid_numbers}[kind]
    account = st.one_of(st.just(MAIN), st.just(OTHER_MAIN), account_ids, junk_text.map(lambda t: t[:25]))
    return st.builds(
        lambda host, acct, tail, slash: f"{host}/v1/Account/{acct}/{kind}/{tail}{slash}",
        hosts,
        account,
        st.one_of(tails, junk_text.map(lambda t: t.replace("/", "")[:20])),
        st.sampled_from(["/", "", "//", "/?x=1"]),
    )


any_uri = st.one_of(uris("Application"), uris("Subaccount"), uris("Number"))
hostile = st.one_of(
    junk_text,
    huge_text,
    unicode_digit_text,
    wrapped_in_whitespace,
    scalars,
    containers,
    any_uri,
    st.sampled_from(["", " ", "null", "None", "0", "-1", "SA", "MA", "sa" + "a" * 18]),
)


@st.composite
def formatted_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """(digits, the same digits as a person might type them: +, spaces, dashes, dots, parens)."""
    digits = draw(valid_numbers)
    out = draw(st.sampled_from(["", "+", "+ ", "("]))
    for ch in digits:
        out += ch
        if draw(st.integers(0, 3)) == 0:
            out += draw(st.sampled_from(SEPARATORS))
    return digits, out + draw(st.sampled_from(["", " ", ")", "\t"]))


number_inputs = st.one_of(hostile, valid_numbers, formatted_numbers().map(lambda pair: pair[1]))
app_inputs = st.one_of(hostile, app_ids, uris("Application"), app_ids.map(int))
sub_inputs = st.one_of(hostile, sub_ids, uris("Subaccount"), sub_ids.map(str.lower))


def outcome(fn: Callable[[Any], str], value: Any) -> tuple[bool, str]:
    """(ok, normalized value or the error message); any exception but ValueError fails the test."""
    try:
        return True, fn(value)
    except ValueError as exc:
        return False, str(exc)


def assert_brief(message: str) -> None:
    """A message never echoes a huge input (at most ~40 characters of it)."""
    assert message and len(message) < 600, message[:700]


# -- plivo_pulumi.core.numbers --------------------------------------------------------------------------


@PROPS
@given(value=number_inputs)
@example(value="١٥٥٥٠٠٠٠٠٠١")
@example(value="１５５５０００００００１")
@example(value=15550000001)
@example(value=True)
@example(value="1" * 100_000)
def test_normalize_number_is_total_and_canonical(value: Any) -> None:
    ok, result = outcome(normalize_number, value)
    if ok:
        assert NUMBER_RE.fullmatch(result), result
        assert normalize_number(result) == result, "idempotent"
        assert result.isascii()
    else:
        assert "phone number" in result
        assert_brief(result)


@PROPS
@given(pair=formatted_numbers())
def test_normalize_number_strips_what_people_type(pair: tuple[str, str]) -> None:
    digits, typed = pair
    assert normalize_number(typed) == digits


@PROPS
@given(digits=valid_numbers, data=st.data())
def test_normalize_number_refuses_non_ascii_digits(digits: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(digits) - 1))
    foreign = data.draw(st.sampled_from(UNICODE_DIGITS))
    typed = digits[:position] + foreign + digits[position + 1 :]
    ok, message = outcome(normalize_number, typed)
    assert not ok, f"{typed!r} was accepted"
    assert "phone number" in message and "ASCII" in message


@PROPS
@given(value=st.integers(min_value=10**7, max_value=10**15 - 1))
def test_numbers_given_as_ints(value: int) -> None:
    assert normalize_number(value) == str(value)


@PROPS
@given(value=app_inputs)
@example(value=f"/v1/Account/{OTHER_MAIN}/Application/{APP}/")
@example(value=f"/v1/Account/{MAIN}/Subaccount/{SUB}/")
@example(value="７２５０９６６６３３７５６６")
def test_normalize_app_id_is_total_and_canonical(value: Any) -> None:
    ok, result = outcome(normalize_app_id, value)
    if ok:
        assert result == "" or APP_RE.fullmatch(result), result
        assert normalize_app_id(result) == result, "idempotent"
    else:
        assert "application" in result
        assert_brief(result)


@PROPS
@given(host=hosts, account=account_ids, app_id=app_ids, slash=st.sampled_from(["/", ""]))
def test_app_uri_of_any_account_gives_the_bare_id(host: str, account: str, app_id: str, slash: str) -> None:
    # Plivo application ids are global: the URI's account does not change which application is meant
    # (the API refuses an application of another account with a 400, which the provider passes on).
    assert normalize_app_id(f"{host}/v1/Account/{account}/Application/{app_id}{slash}") == app_id


@PROPS
@given(value=sub_inputs)
@example(value=f"/v1/Account/{OTHER_MAIN}/Subaccount/{SUB}/")
@example(value=f"/v1/Account/{SUB}/Subaccount/{SUB}/")
@example(value=MAIN)
@example(value=SUB.lower())
@example(value=f"/v1/Account/{MAIN}/Application/{APP}/")
def test_normalize_subaccount_is_total_and_canonical(value: Any) -> None:
    ok, result = outcome(normalize_subaccount, value)
    if ok:
        assert result == "" or SUB_RE.fullmatch(result), result
        assert normalize_subaccount(result) == result, "idempotent"
    else:
        assert "subaccount" in result
        assert_brief(result)


@PROPS
@given(account=account_ids, sub=sub_ids)
def test_subaccount_uri_needs_a_main_account(account: str, sub: str) -> None:
    ok, result = outcome(normalize_subaccount, f"/v1/Account/{account}/Subaccount/{sub}/")
    if account.startswith("MA"):
        assert ok and result == sub
    else:
        assert not ok and "main account" in result


# -- provider settings (plivo:timeoutSeconds, plivo:maxRetries, plivo:backoffFactor) -------------------

CREDENTIALS = {"PLIVO_AUTH_ID": MAIN, "PLIVO_AUTH_TOKEN": PROP_TOKEN}
setting_values = st.one_of(
    hostile,
    st.integers(-10, 200).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(0, 100).map(lambda f: f"{f:.3f}"),
)


@PROPS
@given(name=st.sampled_from(sorted(TUNING_KEYS)), value=setting_values, from_env=st.booleans())
@example(name="max_retries", value="5.0", from_env=False)
@example(name="timeout_seconds", value="inf", from_env=True)
@example(name="backoff_factor", value="-0.1", from_env=False)
def test_tuning_settings_parse_or_name_the_key(name: str, value: Any, from_env: bool) -> None:
    key, env_var = TUNING_KEYS[name]
    assume(not from_env or isinstance(value, str))
    environ = {**CREDENTIALS, env_var: value} if from_env else dict(CREDENTIALS)
    config = {} if from_env else {key: value}
    try:
        settings_ = resolve_settings(config.get, environ)
    except InvalidSettingError as exc:
        assert key in str(exc) and env_var in str(exc), str(exc)
        assert_brief(str(exc))
        return
    got = getattr(settings_, name)
    if name == "max_retries":
        assert isinstance(got, int) and 0 <= got <= 100
    else:
        assert isinstance(got, float) and got >= 0 and math.isfinite(got)
    client = settings_.client()
    assert client.max_retries == settings_.max_retries
    assert client.timeout[1] == settings_.timeout_seconds and client.timeout[0] <= 5.0
    client.close()


def test_tuning_defaults_and_precedence() -> None:
    assert resolve_settings(None, CREDENTIALS) == ProviderSettings(MAIN, PROP_TOKEN)
    defaults = ProviderSettings(MAIN, PROP_TOKEN)
    assert (defaults.timeout_seconds, defaults.max_retries, defaults.backoff_factor) == (30.0, 5, 0.5)
    environ = {**CREDENTIALS, "PLIVO_MAX_RETRIES": "2", "PLIVO_TIMEOUT_SECONDS": "1.5"}
    config = {"plivo:maxRetries": "7", "plivo:backoffFactor": "0.05"}
    resolved = resolve_settings(config.get, environ)
    assert (resolved.max_retries, resolved.timeout_seconds, resolved.backoff_factor) == (7, 1.5, 0.05)
    client = resolved.client()
    assert client.timeout == (1.5, 1.5) and client.retry.total == 7 and client.retry.backoff_factor == 0.05
    client.close()
    assert PROP_TOKEN not in repr(resolved)


# -- the providers' check() ------------------------------------------------------------------------

FIELDS = {"number": normalize_number, "app_id": normalize_app_id, "subaccount": normalize_subaccount}

rented_number_news = st.fixed_dictionaries(
    {},
    optional={
        "number": st.one_of(number_inputs, st.just(UNKNOWN)),
        "app_id": st.one_of(app_inputs, st.just(UNKNOWN)),
        "subaccount": st.one_of(sub_inputs, st.just(UNKNOWN)),
        "unrent_on_delete": st.one_of(st.booleans(), st.none(), hostile, st.just(UNKNOWN)),
    },
)


def expected_failures(news: dict[str, Any], prefix: str = "") -> set[str]:
    """Which fields of one binding must be reported, computed from the normalizers alone."""
    bad = set()
    if news.get("number") is None:
        bad.add(f"{prefix}number")
    for name, normalize in FIELDS.items():
        value = news.get(name)
        if value is None or value == UNKNOWN:
            continue
        if not outcome(normalize, value)[0]:
            bad.add(f"{prefix}{name}")
    return bad


# "property bindings[\"a: b\"].app_id: ..." names `bindings["a: b"].app_id` (a key is JSON-quoted).
_PROPERTY_IN_REASON = re.compile(r'property ([^\s\[:]+(?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?(?:\.\w+)?): ')


def failed_property(failure) -> str:
    """The property a failure names: its `property`, or, for a huge value the engine should not echo,
    the one its reason starts with ("property number: ...")."""
    if failure.property:
        return failure.property
    named = _PROPERTY_IN_REASON.match(failure.reason)
    assert named, failure.reason[:300]
    return named.group(1)


@PROPS
@given(news=rented_number_news)
@example(news={"number": "+1 (555) 777-0001", "app_id": f"/v1/Account/{OTHER_MAIN}/Application/{APP}/"})
@example(news={"number": 15557770001, "app_id": int(APP), "subaccount": SUB.lower()})
@example(news={"number": None, "app_id": None, "subaccount": None, "unrent_on_delete": "yes"})
@example(news={"number": "1" * 100_000, "subaccount": "\x00"})
def test_rented_number_check_names_exactly_the_bad_fields(news: dict[str, Any]) -> None:
    result = RentedNumberProvider().check({}, dict(news))
    failed = {failed_property(failure) for failure in result.failures}
    want = expected_failures(news)
    unrent = news.get("unrent_on_delete")
    if unrent is not None and not isinstance(unrent, bool) and unrent != UNKNOWN:
        want.add("unrent_on_delete")
    assert failed == want, [(f.property, f.reason) for f in result.failures]
    for failure in result.failures:
        assert isinstance(failure.reason, str) and failure.reason
        assert_brief(failure.reason)
    if not result.failures:
        inputs = result.inputs
        assert inputs["number"] == UNKNOWN or NUMBER_RE.fullmatch(inputs["number"])
        for name in ("app_id", "subaccount"):
            if news.get(name) is None or news[name] == UNKNOWN:
                assert inputs.get(name) == news.get(name), "unmanaged and unknown values pass through"
            else:
                assert inputs[name] == FIELDS[name](news[name])
        assert inputs["unrent_on_delete"] in (True, False, UNKNOWN)


def test_unrent_on_delete_failure_does_not_echo_a_huge_value() -> None:
    result = RentedNumberProvider().check({}, {"number": NUM, "unrent_on_delete": "1" * 50_000})
    [failure] = result.failures
    assert failed_property(failure) == "unrent_on_delete"
    assert_brief(failure.reason)


binding_entry = st.fixed_dictionaries(
    {}, optional={"app_id": app_inputs, "subaccount": sub_inputs, "number": number_inputs}
)
set_bindings = st.one_of(
    st.dictionaries(
        keys=st.one_of(valid_numbers, number_inputs.filter(lambda v: isinstance(v, str)), st.integers()),
        values=st.one_of(st.none(), binding_entry, hostile),
        max_size=5,
    ),
    st.lists(st.one_of(binding_entry, hostile, st.just(UNKNOWN)), max_size=5),
    hostile,
    st.just(UNKNOWN),
)


@PROPS
@given(
    bindings=set_bindings,
    max_in_flight=st.one_of(st.none(), st.integers(-5, 100), st.floats(allow_nan=True), hostile),
    unrent=st.one_of(st.none(), st.booleans(), hostile),
)
@example(bindings={"15557770001": {"app_id": APP}, "+1 555 777 0001": {}}, max_in_flight=8, unrent=False)
@example(bindings=[{"number": NUM, "app_id": "x1"}, None, 15557770002], max_in_flight=8.0, unrent=None)
@example(bindings=b"15557770001", max_in_flight=None, unrent=None)
@example(bindings={":": {"app_id": "1" * 199}}, max_in_flight=None, unrent=None)  # a key with ":"
@example(bindings={"1" * 100_000: {}, 'a": b': {}}, max_in_flight=None, unrent=None)  # huge key, quote
def test_rented_number_set_check_names_the_entry_and_field(
    bindings: Any, max_in_flight: Any, unrent: Any
) -> None:
    news = {"bindings": bindings, "max_in_flight": max_in_flight, "unrent_on_delete": unrent}
    result = RentedNumberSetProvider().check({}, news)
    for failure in result.failures:
        failure = CheckFailure(failed_property(failure), failure.reason)
        assert (
            failure.property == "bindings"
            or failure.property.startswith("bindings[")
            or (failure.property in ("unrent_on_delete", "max_in_flight"))
        ), failure.property
        if failure.property.startswith("bindings["):
            assert re.search(r"\](\.(number|app_id|subaccount))?$", failure.property), failure.property
        assert_brief(failure.reason)
    failed = {failed_property(f) for f in result.failures}
    assert ("max_in_flight" in failed) == (
        not (
            max_in_flight is None
            or (
                isinstance(max_in_flight, int)
                and not isinstance(max_in_flight, bool)
                and 1 <= max_in_flight <= 32
            )
            or (isinstance(max_in_flight, float) and max_in_flight.is_integer() and 1 <= max_in_flight <= 32)
        )
    )
    assert ("unrent_on_delete" in failed) == (unrent is not None and not isinstance(unrent, bool))
    if not result.failures:
        for number, encoded in result.inputs["bindings"].items():
            assert NUMBER_RE.fullmatch(number), number
            assert ENCODED_RE.fullmatch(encoded), encoded


@PROPS
@given(
    entries=st.lists(st.tuples(valid_numbers, st.one_of(st.none(), app_ids), st.one_of(st.none(), sub_ids)))
)
def test_rented_number_set_check_keeps_every_valid_entry(entries: list[tuple[str, Any, Any]]) -> None:
    numbers = [n for n, _, _ in entries]
    assume(len(set(numbers)) == len(numbers))
    bindings = [{"number": n, "app_id": a, "subaccount": s} for n, a, s in entries]
    result = RentedNumberSetProvider().check({}, {"bindings": bindings})
    assert result.failures == []
    assert result.inputs["bindings"] == {
        n: f"{'*' if a is None else a}/{'*' if s is None else s}" for n, a, s in entries
    }


def test_rented_number_set_plain_string_value_is_refused_not_guessed() -> None:
    result = RentedNumberSetProvider().check({}, {"bindings": {NUM: APP}})
    assert [f.property for f in result.failures] == [f'bindings["{NUM}"]']


# -- malformed API answers through the providers ---------------------------------------------------


@pytest.fixture(scope="module")
def api() -> Iterator[ScriptedAPI]:
    server = ScriptedAPI()
    yield server
    server.close()


def configured(provider_class: type, api: ScriptedAPI) -> Any:
    provider = provider_class()
    raw = {
        "plivo:authId": MAIN,
        "plivo:authToken": PROP_TOKEN,
        "plivo:baseUrl": api.base_url,
        "plivo:maxRetries": "0",  # a 5xx from the "proxy" fails at once: these tests are about bodies
        "plivo:timeoutSeconds": "5",
    }
    provider.configure(ConfigureRequest(Config(raw, "props")))
    return provider


def number_object(number: str = NUM, **fields: Any) -> dict[str, Any]:
    obj = {
        "api_id": "a1",
        "number": number,
        "application": None,
        "subaccount": None,
        "alias": None,
        "number_type": "local",
        "voice_enabled": True,
        "sms_enabled": True,
        "description": "",
        "added_on": "2024-01-01",
        "resource_uri": f"/v1/Account/{MAIN}/Number/{number}/",
        "plivo_number": True,
    }
    obj.update(fields)
    return obj


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
NUMBER_KEYS = ["number", "application", "subaccount", "sub_account", "voice_enabled", "sms_enabled", "api_id"]


@st.composite
def mutated_number_objects(draw: st.DrawFn) -> dict[str, Any]:
    """A number object with fields dropped, or set to junk, another number, another account's URI."""
    obj = number_object()
    for key in draw(st.lists(st.sampled_from(NUMBER_KEYS), max_size=3, unique=True)):
        action = draw(st.sampled_from(["drop", "junk", "uri", "other-number"]))
        if action == "drop":
            obj.pop(key, None)
        elif action == "junk":
            obj[key] = draw(json_values)
        elif action == "uri":
            obj[key] = draw(any_uri)
        else:
            obj[key] = draw(st.one_of(valid_numbers, number_inputs.filter(lambda v: isinstance(v, str))))
    return obj


bodies = st.one_of(
    st.sampled_from(HTML_PAGES),
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    mutated_number_objects().map(lambda o: json.dumps(o).encode()),
)
content_types = st.sampled_from(["application/json", "text/html", "text/plain", ""])
statuses = st.sampled_from([200, 200, 200, 201, 202, 204, 302, 404, 500, 502, 503])
CONFIRMED = (202, "application/json", json.dumps({"message": "changed", "api_id": "c1"}).encode())


def claimed_app(body: bytes, status: int) -> str | None:
    """The app id a trustworthy GET answer reports for NUM, or None if the answer cannot be trusted."""
    if not 200 <= status < 300:
        return None
    try:
        obj = json.loads(body)
        assert isinstance(obj, dict) and normalize_number(obj["number"]) == NUM
        return "" if obj["application"] is None else normalize_app_id(obj["application"])
    except Exception:
        return None


@HTTP_PROPS
@given(status=statuses, content_type=content_types, body=bodies)
@example(status=200, content_type="text/html", body=HTML_PAGES[1])
@example(status=502, content_type="text/html", body=HTML_PAGES[0])
@example(status=200, content_type="application/json", body=json.dumps(number_object(NUM[:-1] + "9")).encode())
@example(status=200, content_type="application/json", body=b'{"number": "15557770001"}')
@example(status=404, content_type="text/html", body=b"<h1>Not Found</h1>")
@example(
    status=200,
    content_type="application/json",
    body=json.dumps({k: v for k, v in number_object(sub_account=12).items() if k != "subaccount"}).encode(),
)
def test_malformed_read_answer_fails_clearly_before_any_write(
    api: ScriptedAPI, status: int, content_type: str, body: bytes
) -> None:
    api.script(GET=(status, content_type, body), POST=CONFIRMED)
    provider = configured(RentedNumberProvider, api)
    props = provider.check({}, {"number": NUM, "app_id": APP}).inputs
    try:
        result = provider.create(props)
    except PlivoError as exc:
        message = str(exc)
        assert NUM in message and ("GET" in message or "not rented" in message), message
        assert PROP_TOKEN not in message and PROP_TOKEN not in repr(exc)
        assert api.posts() == [], "no write after an answer that could not be trusted"
        return
    # Success is allowed only when the answer was a real number object for NUM; then the output is
    # either what it reported (no write needed) or what a confirmed POST wrote.
    reported = claimed_app(body, status)
    assert reported is not None, f"create accepted an untrustworthy answer: {status} {body[:200]!r}"
    assert result.outs["app_id"] == APP
    assert reported == APP or api.posts() == [{"app_id": APP}]


@HTTP_PROPS
@given(status=st.sampled_from([200, 201, 202, 204]), content_type=content_types, body=bodies)
@example(status=200, content_type="application/json", body=b"{}")
@example(status=202, content_type="application/json", body=b'{"message": "changed"}')
@example(status=200, content_type="application/json", body=b'{"api_id": "x", "error": "not changed"}')
@example(status=200, content_type="text/html", body=HTML_PAGES[1])
@example(status=204, content_type="", body=b"")
def test_unconfirmed_write_is_never_reported_as_applied(
    api: ScriptedAPI, status: int, content_type: str, body: bytes
) -> None:
    get = (200, "application/json", json.dumps(number_object()).encode())
    api.script(GET=get, POST=(status, content_type, body))
    provider = configured(RentedNumberProvider, api)
    props = provider.check({}, {"number": NUM, "app_id": APP}).inputs
    try:
        result = provider.create(props)
    except PlivoError as exc:
        assert f"POST /v1/Account/{MAIN}/Number/{NUM}/" in str(exc), str(exc)
        return
    try:
        answer = json.loads(body) if status != 204 else None
    except ValueError:
        answer = None
    confirmed = isinstance(answer, dict) and isinstance(answer.get("api_id"), str) and answer["api_id"]
    assert confirmed and "error" not in answer, f"binding reported applied after {status} {body[:200]!r}"
    assert result.outs["app_id"] == APP


def page(objects: list[Any], total: Any = None, **meta: Any) -> bytes:
    info = {"limit": 20, "offset": 0, "total_count": len(objects) if total is None else total, "next": None}
    info.update(meta)
    return json.dumps({"api_id": "p1", "meta": info, "objects": objects}).encode()


@HTTP_PROPS
@given(
    list_answer=st.one_of(
        bodies,
        st.lists(st.one_of(mutated_number_objects(), json_values), max_size=3).map(page),
        st.builds(page, st.just([number_object()]), st.one_of(json_values, st.integers(-5, 10**9))),
    ),
    status=st.sampled_from([200, 200, 502]),
)
@example(list_answer=page([number_object()], total=None, offset="x"), status=200)
@example(list_answer=b'{"objects": []}', status=200)
@example(list_answer=HTML_PAGES[0], status=502)
def test_malformed_list_answer_never_yields_a_wrong_set(
    api: ScriptedAPI, list_answer: bytes, status: int
) -> None:
    # GET of one number (a confirmation, when the listing did not show it) answers the truth: no app.
    api.script(GET=(status, "application/json", list_answer), POST=CONFIRMED)
    provider = configured(RentedNumberSetProvider, api)
    checked = provider.check({}, {"bindings": {NUM: {"app_id": APP}}})
    assert checked.failures == []
    try:
        result = provider.create(checked.inputs)
    except PlivoError as exc:
        assert "/Number/" in str(exc) or NUM in str(exc), str(exc)
        assert api.posts() == [], "no write after a listing that could not be trusted"
        return
    assert list(result.outs["bindings"]) == [NUM] and result.outs["bindings"][NUM].startswith(f"{APP}/")
    listed = [o for o in json.loads(list_answer)["objects"] if isinstance(o, dict) and o.get("number") == NUM]
    reported = bool(listed) and claimed_app(json.dumps(listed[0]).encode(), 200) == APP
    assert reported or api.posts() == [{"app_id": APP}]
