"""Explicit `plivo` providers through the real engine: one program reads two accounts (the main
account and a subaccount with its own credentials), each provider in its own plugin process; a
changed account replaces the provider, a rotated token does not; a plain-text token is refused."""

from __future__ import annotations

import json

from tests.support.accounts import APPS, MAIN, NUMBERS, SUB, SUB_TOKEN, TOKEN

PLAIN_TEXT_TOKEN = "plaintext-config-value-under-test"

TWO_ACCOUNTS = """
import pulumi
from pulumi.runtime import invoke

base_url = pulumi.Config("plivo").require("baseUrl")


def account(name, auth_id):
    token = pulumi.Config().require_secret(f"{{name}}Token")  # a secret of the stack config
    args = {{"authId": auth_id, "authToken": token, "baseUrl": base_url}}
    return pulumi.ProviderResource("plivo", name, args)


main = account("main", "{main}")
sub = account("sub", "{sub}")
mine = invoke("plivo:index:getRentedNumbers", {{}}, opts=pulumi.InvokeOptions(provider=main)).value
theirs = invoke("plivo:index:getRentedNumbers", {{}}, opts=pulumi.InvokeOptions(provider=sub)).value
RN = "plivo:index:RentedNumber"
main_opts = pulumi.ResourceOptions(provider=main)
sub_opts = pulumi.ResourceOptions(provider=sub)
pulumi.CustomResource(RN, "main-line", {{"number": "{n2}", "appId": "{app}"}}, opts=main_opts)
pulumi.CustomResource(RN, "sub-line", {{"number": "{n1}", "appId": ""}}, opts=sub_opts)
pulumi.export("main", sorted(n["number"] for n in mine["numbers"]))
pulumi.export("sub", sorted(n["number"] for n in theirs["numbers"]))
"""


def outputs(project) -> dict:
    return json.loads(project.pulumi("stack", "output", "--json", "--stack", project.stack).output)


def test_two_accounts_in_one_program(native_project, sim_e2e):
    sim_e2e.edit_out_of_band(NUMBERS[0], subaccount=SUB)
    sim_e2e.edit_out_of_band(NUMBERS[0], app_id=APPS[1])
    source = TWO_ACCOUNTS.format(main=MAIN, sub=SUB, n1=NUMBERS[0], n2=NUMBERS[1], app=APPS[0])
    project = native_project(source)
    project.config_set("mainToken", TOKEN, secret=True)
    project.config_set("subToken", SUB_TOKEN, secret=True)
    up = project.up()
    assert up.ok, up.output
    seen = outputs(project)
    assert seen["main"] == sorted(NUMBERS)
    assert seen["sub"] == [NUMBERS[0]]
    assert sim_e2e.number(NUMBERS[1])["app_id"] == APPS[0], "written with the main account's credentials"
    assert sim_e2e.number(NUMBERS[0])["app_id"] in ("", None), "written with the subaccount's"
    assert sim_e2e.number(NUMBERS[0])["subaccount"] == SUB
    assert project.gate().ok
    state = project.export()
    providers = {
        r["urn"].rsplit("::", 1)[-1]: r for r in state["resources"] if r["type"] == "pulumi:providers:plivo"
    }
    assert {"main", "sub"} <= set(providers)
    for provider in providers.values():  # the token is stored encrypted, never in plain text
        token = provider.get("inputs", {}).get("authToken")
        assert token is None or isinstance(token, dict) and "ciphertext" in token, token


def test_a_rotated_token_updates_the_provider_a_new_account_replaces_it(native_project, sim_e2e):
    program = f"""
    import pulumi
    cfg = pulumi.Config()
    acct = pulumi.ProviderResource(
        "plivo", "acct",
        {{"authId": cfg.require("acctId"), "authToken": cfg.require_secret("acctToken"),
         "baseUrl": pulumi.Config("plivo").require("baseUrl")}},
    )
    pulumi.CustomResource(
        "plivo:index:RentedNumber", "line", {{"number": "{NUMBERS[0]}"}},
        opts=pulumi.ResourceOptions(provider=acct),
    )
    """
    project = native_project(program)
    project.config_set("acctId", MAIN, secret=False)
    project.config_set("acctToken", TOKEN, secret=True)
    assert project.up().ok
    project.config_set("acctToken", "tok-rotated-for-provider-test", secret=True)
    rotated = project.preview()
    assert rotated.ok, rotated.output
    assert "replace" not in rotated.output.lower(), rotated.output
    assert "update" in rotated.output.lower()
    project.config_set("acctId", SUB, secret=False)
    sim_e2e.clear_log()
    moved = project.preview()
    assert moved.ok, moved.output
    plan = moved.output.split("Resources:")[-1]
    assert "2 to replace" in plan, moved.output  # the provider, and its number moves with it
    assert sim_e2e.requests_log()["total"] == 0


def test_a_plain_text_token_is_refused_before_any_call(native_project, sim_e2e):
    from tests.support.cli_project import plivo_config

    project = native_project(
        """
        from pulumi.runtime import invoke
        invoke("plivo:index:getRentedNumbers", {})
        """,
        config=False,
    )
    # Not a token the simulator knows, nor one the secrets scan looks for: only its plain-text form matters.
    for key, (value, _secret) in plivo_config(sim_e2e.base_url, MAIN, PLAIN_TEXT_TOKEN).items():
        project.config_set(key, value, secret=False)
    sim_e2e.clear_log()
    preview = project.preview()
    assert not preview.ok
    assert "plivo:authToken is stored in plain text" in preview.output
    assert PLAIN_TEXT_TOKEN not in preview.output
    assert sim_e2e.requests_log()["total"] == 0
