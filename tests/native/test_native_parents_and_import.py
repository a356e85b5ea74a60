"""Issue #29 items 3, 4, 7, 8 without the engine: routing by the resource's own type token, labels,
which provider is explicit, the 401 hint, capped failure lists, a malformed import id, and the null
entries of a YAML program's set."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

import pytest
from pulumi.provider.experimental.provider import CheckFailure, ReadRequest

from plivo_pulumi.core.errors import CONFIG_HINT, AuthenticationError, PlivoError
from plivo_pulumi.native.adapter import FAILURES_SHOWN, capped, resource_label
from plivo_pulumi.native.provider import explicit_provider_hint, explicit_provider_name, resource_type
from plivo_pulumi.native.yaml_program import null_binding_numbers
from tests.native.test_native_adapter import check, configured

CHILD = "urn:pulumi:dev::proj::review:index:Team$plivo:index:RentedNumber::line"


def test_the_type_token_is_the_last_of_the_parent_chain() -> None:
    assert resource_type(CHILD) == "plivo:index:RentedNumber"
    assert (
        resource_type("urn:pulumi:dev::proj::plivo:index:RentedNumberSet::fleet")
        == "plivo:index:RentedNumberSet"
    )
    assert resource_type("urn:pulumi:dev::p::a:b:C$plivo:index:Application$plivo:index:RentedNumber::x") == (
        "plivo:index:RentedNumber"
    )


def test_labels_name_the_parent_type() -> None:
    assert (
        resource_label("urn:pulumi:dev::proj::plivo:index:RentedNumber::support") == "RentedNumber 'support'"
    )
    assert resource_label(CHILD) == "RentedNumber 'line' (in review:index:Team)"


def test_a_child_is_checked_by_its_own_adapter() -> None:
    provider = configured()
    answer = check(provider, "RentedNumber", "line", {"number": "15550000001"})
    assert not answer.failures
    from pulumi.provider.experimental.provider import CheckRequest

    from plivo_pulumi.native.convert import wire

    request = CheckRequest(CHILD, {}, {"number": wire("15550000009")}, b"")
    assert not asyncio.run(provider.check(request)).failures


@pytest.mark.parametrize(
    ("urn", "name"),
    [
        ("urn:pulumi:dev::p::pulumi:providers:plivo::default", None),
        ("urn:pulumi:dev::p::pulumi:providers:plivo::default_0_1_0", None),
        ("urn:pulumi:dev::p::pulumi:providers:plivo::team", "team"),
        ("", None),
    ],
)
def test_which_provider_is_explicit(urn: str, name: str | None) -> None:
    assert explicit_provider_name(urn) == name


def test_a_401_under_an_explicit_provider_names_its_inputs() -> None:
    provider = configured()
    provider.provider_urn = "urn:pulumi:dev::p::pulumi:providers:plivo::team"
    refused = AuthenticationError(f"Plivo rejected the credentials (401). Check: {CONFIG_HINT}", status=401)
    rewritten = str(provider._for_this_provider(refused))
    assert "plivo.Provider 'team'" in rewritten and "plivo:authToken" not in rewritten
    assert "plivo.Provider 'team'" in provider.credentials_hint()
    provider.provider_urn = "urn:pulumi:dev::p::pulumi:providers:plivo::default"
    assert provider._for_this_provider(refused) is refused
    assert "plivo:authToken" not in explicit_provider_hint("team")


def test_failure_lists_are_capped_with_a_count() -> None:
    many = [CheckFailure(f'bindings["{n}"].appId', "bad") for n in range(3000)]
    shown = capped(many)
    assert len(shown) == FAILURES_SHOWN + 1
    assert shown[-1].property == "bindings" and "and 2980 more" in shown[-1].reason
    assert capped(many[:5]) == many[:5]


@pytest.mark.parametrize(("kind", "bad"), [("RentedNumber", "12ab"), ("RentedNumberSet", "1555,xyz")])
def test_a_malformed_import_id_is_a_user_error_naming_it(kind: str, bad: str) -> None:
    provider = configured()
    request = ReadRequest(f"urn:pulumi:dev::p::plivo:index:{kind}::bad", bad, {}, {})
    with pytest.raises(PlivoError, match=bad):
        asyncio.run(provider.read(request))


def test_null_entries_of_a_yaml_set(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text(
        textwrap.dedent(
            """
            name: p
            runtime: yaml
            resources:
              fleet:
                type: plivo:RentedNumberSet
                properties:
                  bindings:
                    "15550000001": null
                    "15550000002": {appId: "11111111111111"}
                    "15550000003": {}
            """
        )
    )
    assert null_binding_numbers("fleet", tmp_path) == ["15550000001"]
    assert null_binding_numbers("other", tmp_path) == []
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\n")
    assert null_binding_numbers("fleet", tmp_path) == [], "only YAML programs are read"
    assert null_binding_numbers("fleet", tmp_path / "missing") == []


def test_null_entries_of_a_yaml_program_in_its_main_folder(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: yaml\nmain: src/\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "Main.yaml").write_text(
        "resources:\n  fleet:\n    type: plivo:index:RentedNumberSet\n"
        '    properties:\n      bindings:\n        "15550000004": null\n'
    )
    assert null_binding_numbers("fleet", tmp_path / "src") == ["15550000004"]
