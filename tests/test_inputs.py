"""Unit tests of the input rules of issue 22 (items 13, 14, 16): the URL rule the preview and the
simulator share, the value-free reasons for secret inputs, and the declared bindings a set keeps."""

from __future__ import annotations

import pytest

from plivo_pulumi.core.applications import app_field_rule, url_problem, validate_app_field
from plivo_pulumi.core.contract import declared_bindings, declared_masks
from plivo_pulumi.core.lifecycle import NOT_SHOWN, SECRETS_KEY
from plivo_pulumi.core.lifecycle.binding import check_binding
from plivo_pulumi.core.lifecycle.rented_number_set import check_bindings
from plivo_pulumi.dynamic._binding import secret_fields
from plivo_pulumi.simulator.models import check_app_field

SECRET = "user:PASSWORD@"

REFUSED = [
    "https://voice.example.com/a b",
    "https://voice.example.com/a\tb",
    "https://voice.example.com/a\x00",
    "https://:8080/a",
    "https://u:p@/a",
    "https://voice.example.com:65536/a",
    "https://voice.example.com:0/a",
    "https://voice.example.com:8o/a",
    "https://[::1/a",
    "https://voice.example.com/{a}",
    "htps://voice.example.com/a",
    "voice.example.com/a",
    "https://voice.example.com/" + "a" * 2000,
    "",
]
ACCEPTED = [
    "https://voice.example.com/a",
    "HTTP://Voice.Example.com:8080/a?b=c%20d#e",
    "https://user:pw@voice.example.com/a",
    "http://[2001:db8::1]:443/a",
    "https://bücher.example/ä",
]


@pytest.mark.parametrize("url", REFUSED)
def test_refused_urls_are_refused_by_the_preview_and_the_simulator_alike(url):
    assert url_problem(url) is not None
    with pytest.raises(ValueError):
        validate_app_field("answer_url", url)
    with pytest.raises(ValueError):
        check_app_field("answer_url", url)


@pytest.mark.parametrize("url", ACCEPTED)
def test_accepted_urls_are_accepted_by_both(url):
    assert url_problem(url) is None
    assert validate_app_field("answer_url", url) == url == check_app_field("answer_url", url)


def test_the_rule_for_a_secret_url_never_quotes_it():
    for url in [u.replace("://", f"://{SECRET}", 1) for u in REFUSED if "://" in u]:
        assert "PASSWORD" not in app_field_rule("answer_url", url)
    assert "whitespace" in app_field_rule("hangup_url", f"https://{SECRET}x.example.com/a b")


def test_a_secret_binding_field_fails_without_its_value():
    _, failures = check_binding(
        {"number": "+1 PASSWORD", "app_id": "PASSWORD"},
        account="MAE2ETESTACCOUNT0001",
        secret=["number", "app_id"],
    )
    assert {f.field for f in failures} == {"number", "app_id"}
    assert all("PASSWORD" not in f.reason and f.reason.endswith(NOT_SHOWN) for f in failures)


def test_a_secret_set_labels_entries_by_position_in_number_order():
    raw = {"PASSWORD": {"app_id": "1"}, "15550000001": {"app_id": "x-PASSWORD"}}
    _, failures = check_bindings(raw, secret=True)
    assert [f.field for f in failures] == ["bindings[0].app_id", "bindings[1].number"]
    assert all("PASSWORD" not in f.field + f.reason for f in failures)
    _, plain = check_bindings(raw)
    assert any('"PASSWORD"' in f.field for f in plain), "a plain set names its keys"


def test_the_secret_fields_list_is_taken_out_of_the_inputs():
    news = {"number": "1", SECRETS_KEY: ["number"]}
    assert secret_fields(news, ["number", "app_id"]) == {"number"} and SECRETS_KEY not in news
    assert secret_fields({SECRETS_KEY: "04da6b54-80e4-46f7-96ec-b56ff0331ba9"}, ["a", "b"]) == {"a", "b"}
    assert secret_fields({}, ["a"]) == frozenset()


@pytest.mark.parametrize(
    "declared",
    [
        {},
        {"15550000001": "111/*", "15550000002": "111/", "15550000003": "*/SAE2ESUBACCOUNT00001"},
        {f"1555000{i:04d}": "222/*" for i in range(50)} | {"15559999999": "*/*"},
    ],
)
def test_declared_bindings_are_rebuilt_from_the_written_ones_and_the_masks(declared):
    written = {n: b.replace("*", "9") for n, b in declared.items()}  # live values where unmanaged
    masks = declared_masks(declared)
    assert declared_bindings(written, masks) == declared
    assert len(masks["except"]) <= 2, "only the numbers unlike the commonest mask are listed"
