"""Inputs through the `pulumi` CLI in project folders (issue 22, items 13, 14 and 16): a secret input
that fails the check is never echoed, by the provider or by the engine; every URL the API would
refuse fails the preview, as the simulator refuses it; a drift gate over a large set lists the
drifted number with its marker, not the fleet."""

from __future__ import annotations

import json
import re

import pytest
import requests

from tests.support.accounts import APPS, MAIN, NUMBERS, TOKEN, e2e_seed

N1, N2, N3 = NUMBERS[:3]
PASSWORD = "PASSWORD-s3cr3t-Qx7"  # never to be printed


# -- item 13: a secret input that fails the check ------------------------------------------------


@pytest.mark.parametrize(
    ("program", "failing"),
    [
        (
            f"""
            import pulumi
            from plivo_pulumi import Application
            Application("ivr", app_name="ivr",
                        answer_url=pulumi.Output.secret("htps://user:{PASSWORD}@voice.example.com/a"))
            """,
            {"answer_url": "http(s) URL", "hangup_url": "http(s) URL"},  # hangup_url defaults to it
        ),
        (
            f"""
            import pulumi
            from plivo_pulumi import Application
            Application("ivr", app_name="ivr", answer_url="https://voice.example.com/a",
                        message_url=pulumi.Output.secret("https://user:{PASSWORD}@sms.example.com/in box"))
            """,
            {"message_url": "space"},
        ),
        (
            f"""
            import pulumi
            from plivo_pulumi import RentedNumber
            RentedNumber("line", number=pulumi.Output.secret("+1 {PASSWORD}"),
                         subaccount=pulumi.Output.secret("SA{PASSWORD}"))
            """,
            {"number": "8-15 digits", "subaccount": "auth_id"},
        ),
        (
            f"""
            import pulumi
            from plivo_pulumi import RentedNumber
            RentedNumber("line", number="{N1}",
                         app_id=pulumi.Output.secret("/v1/Account/MA{PASSWORD}/Application/{APPS[0]}/"))
            """,
            {"app_id": "application id"},
        ),
        (
            f"""
            import pulumi
            from plivo_pulumi import RentedNumberSet
            RentedNumberSet("fleet", {{"{N1}": {{"app_id": pulumi.Output.secret("app-{PASSWORD}")}},
                                       "{PASSWORD}": {{"app_id": "{APPS[0]}"}}}})
            """,
            {"bindings[0].app_id": "application id", "bindings[1].number": "8-15 digits"},
        ),
    ],
    ids=["application-answer-url", "application-message-url", "number", "number-app-id", "set"],
)
def test_a_secret_input_that_fails_the_check_is_never_echoed(project, sim_e2e, program, failing):
    stack = project(program)
    for run in (stack.preview(), stack.up()):
        assert run.code != 0, run.output
        assert PASSWORD not in run.output, run.output
        for prop, rule in failing.items():
            line = next((x for x in run.output.splitlines() if f"property {prop} " in x), None)
            assert line is not None, f"{prop} is named: {run.output}"
            assert rule in line and "secret, so it is not shown" in line, line
            assert "{[secret]}" in line or "{<nil>}" in line, f"the engine shows no value: {line}"
    assert sim_e2e.requests_log()["total"] == 0, "no API call"
    saved = [p for p in stack.state_dir.rglob("*") if p.is_file()]
    assert saved and not [p for p in saved if PASSWORD in p.read_text(errors="replace")]


def test_valid_secret_inputs_stay_secret_in_the_state_and_the_plan(project, sim_e2e):
    stack = project(
        f"""
        import pulumi
        from plivo_pulumi import Application, RentedNumber, RentedNumberSet
        app = Application("ivr", app_name="ivr",
                          answer_url=pulumi.Output.secret("https://user:{PASSWORD}@voice.example.com/a"))
        RentedNumber("line", number="{N1}", app_id=app.app_id)
        RentedNumber("hidden", number="{N2}", app_id=pulumi.Output.secret("{APPS[1]}"))
        RentedNumberSet("fleet", {{"{N3}": {{"app_id": pulumi.Output.secret("{APPS[1]}")}}}})
        """
    )
    up = stack.up()
    assert up.ok, up.output
    assert stack.gate().ok
    [app] = [a for a in sim_e2e.applications() if a["app_name"] == "ivr"]
    assert PASSWORD in app["answer_url"] and app["hangup_url"] == app["answer_url"]
    assert sim_e2e.number(N2)["app_id"] == APPS[1] == sim_e2e.number(N3)["app_id"]

    def state_text() -> str:
        return "".join(p.read_text(errors="replace") for p in stack.state_dir.rglob("*") if p.is_file())

    # The secret app id is also in the number's `application` URI: that output is secret too.
    assert PASSWORD not in state_text() and APPS[1] not in state_text()
    sim_e2e.edit_out_of_band(N2, app_id=APPS[2])
    sim_e2e.edit_out_of_band(N3, app_id=APPS[2])
    gate = stack.gate()
    assert gate.code != 0 and APPS[1] not in gate.output, gate.output
    fixed = stack.up("--refresh", "--run-program")
    assert fixed.ok and APPS[1] not in fixed.output, fixed.output
    assert sim_e2e.number(N2)["app_id"] == APPS[1] == sim_e2e.number(N3)["app_id"]
    assert stack.gate().ok
    assert PASSWORD not in state_text() and APPS[1] not in state_text()


def test_an_import_that_differs_does_not_echo_a_secret_app_id(project, sim_e2e):
    sim_e2e.edit_out_of_band(N1, app_id=APPS[0])
    stack = project(
        f"""
        import pulumi
        from plivo_pulumi import RentedNumber
        RentedNumber("line", number="{N1}", app_id=pulumi.Output.secret("{APPS[1]}"),
                     opts=pulumi.ResourceOptions(import_="{N1}"))
        """
    )
    up = stack.up()
    assert up.code != 0 and "in Plivo but a secret value in the code" in up.output, up.output
    assert APPS[1] not in up.output
    assert "POST" not in sim_e2e.requests_log()["by_method"]


@pytest.mark.parametrize("adopt", ["import", "by-name"])
def test_an_application_that_differs_does_not_echo_a_secret_field(project, sim_e2e, adopt):
    """An Application adopted (import_, or found by its name before a create) whose secret URL
    differs: the refusal names the field, never the code's value nor Plivo's."""
    sim_e2e.edit_application(APPS[0], app_name="legacy", answer_url="https://old.example.com/a")
    opts = f', opts=pulumi.ResourceOptions(import_="{APPS[0]}")' if adopt == "import" else ""
    stack = project(
        f"""
        import pulumi
        from plivo_pulumi import Application
        Application("legacy", app_name="legacy",
                    answer_url=pulumi.Output.secret("https://user:{PASSWORD}@voice.example.com/a"){opts})
        """
    )
    up = stack.up()
    assert up.code != 0 and "answer_url differs (a secret value in the code" in up.output, up.output
    assert PASSWORD not in up.output and "old.example.com" not in up.output
    assert "POST" not in sim_e2e.requests_log()["by_method"]


# -- item 14: URLs are checked fully at preview, as the API checks them ---------------------------

REFUSED_URLS = {
    "space": "https://voice.example.com/answer now",
    "tab": "https://voice.example.com/a\\tb",
    "control-character": "https://voice.example.com/a\\x07",
    "no-host": "https://:8080/answer",
    "credentials-but-no-host": "https://user:pw@/answer",
    "port-out-of-range": "https://voice.example.com:70000/answer",
    "port-not-a-number": "https://voice.example.com:80a/answer",
    "port-zero": "https://voice.example.com:0/answer",
    "broken-ipv6-host": "https://[::1/answer",
    "unencoded-angle-bracket": "https://voice.example.com/<answer>",
    "no-scheme": "voice.example.com/answer",
    "too-long": "https://voice.example.com/" + "a" * 2000,
}


def test_a_url_the_api_refuses_fails_the_preview(project, sim_e2e):
    stack = project("")
    for case, url in REFUSED_URLS.items():
        stack.write_program(
            f"from plivo_pulumi import Application\nApplication('ivr', app_name='ivr', answer_url='{url}')\n"
        )
        preview = stack.preview()
        assert preview.code != 0, f"{case}: {preview.output}"
        assert "answer_url" in preview.output, f"{case}: {preview.output}"
        assert sim_e2e.requests_log()["total"] == 0, f"{case}: checked at preview, no API call"
        # The simulated API refuses it too: what the preview passes, `up` can create.
        raw = url.encode().decode("unicode_escape")
        refused = requests.post(
            f"{sim_e2e.base_url}/Account/{MAIN}/Application/",
            json={"app_name": "direct", "answer_url": raw},
            auth=(MAIN, TOKEN),
            timeout=10,
        )
        assert refused.status_code == 400, f"{case}: {refused.text}"
        sim_e2e.clear_log()


@pytest.mark.parametrize("field", ["hangup_url", "fallback_answer_url", "message_url"])
def test_every_url_field_is_checked_at_preview(project, sim_e2e, field):
    stack = project(
        "from plivo_pulumi import Application\n"
        f"Application('ivr', app_name='ivr', answer_url='https://voice.example.com/a',"
        f" {field}='https://voice.example.com/b c')\n"
    )
    preview = stack.preview()
    assert preview.code != 0 and f"property {field}" in preview.output and "space" in preview.output
    assert sim_e2e.requests_log()["total"] == 0


def test_a_url_with_a_space_in_a_bindings_file_fails_the_preview(project, sim_e2e, tmp_path):
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text(
        "applications:\n  inbox:\n    answer_url: https://voice.example.com/in box\n"
        f'defaults:\n  application: inbox\nnumbers:\n  - number: "{N1}"\n'
    )
    stack = project(
        f"from plivo_pulumi import RentedNumberSet\nRentedNumberSet.from_yaml('fleet', {str(fleet)!r})\n"
    )
    preview = stack.preview()
    assert preview.code != 0 and "answer_url" in preview.output and "space" in preview.output
    assert sim_e2e.requests_log()["total"] == 0


def test_urls_the_api_accepts_pass_and_are_created(project, sim_e2e):
    urls = {
        "answer_url": "HTTPS://Voice.Example.com:8443/answer?x=1&y=%20#top",
        "hangup_url": "https://user:pw@voice.example.com/hangup",
        "fallback_answer_url": "http://[2001:db8::1]:8080/fallback",
        "message_url": "https://bücher.example/nachricht",
    }
    fields = ", ".join(f"{k}={v!r}" for k, v in urls.items())
    stack = project(f"from plivo_pulumi import Application\nApplication('ivr', app_name='ivr', {fields})\n")
    up = stack.up()
    assert up.ok, up.output
    [app] = [a for a in sim_e2e.applications() if a["app_name"] == "ivr"]
    assert {k: app[k] for k in urls} == urls
    assert stack.gate().ok


# -- item 16: a drift gate over a large set names the drifted number, not the fleet -------------

FLEET = 300


def test_the_drift_gate_of_a_large_set_lists_only_the_drifted_number(project, sim_e2e):
    numbers = [f"1555{i:07d}" for i in range(1, FLEET + 1)]
    sim_e2e.reset(e2e_seed(numbers))
    stack = project(
        f"""
        from plivo_pulumi import RentedNumberSet
        numbers = [f"1555{{i:07d}}" for i in range(1, {FLEET} + 1)]
        RentedNumberSet("fleet", {{n: {{"app_id": "{APPS[0]}"}} for n in numbers}})
        """
    )
    assert stack.up().ok
    drifted = numbers[FLEET // 2]
    sim_e2e.edit_out_of_band(drifted, app_id=APPS[2])

    def listed(output: str) -> set[str]:
        return {n for n in numbers if n in output}

    def marked(output: str) -> list[str]:
        return [line.strip() for line in output.splitlines() if re.search(rf"~ {drifted}\b.*=>", line)]

    gate = stack.gate()  # preview --diff --refresh --run-program --expect-no-changes
    assert gate.code != 0, gate.output
    assert listed(gate.output) == {drifted}, f"{len(gate.output.splitlines())} lines: {gate.output[:3000]}"
    assert marked(gate.output) == [f'~ {drifted}: "{APPS[2]}/*" => "{APPS[0]}/*"'], gate.output
    assert "~ 1 to update" in gate.output
    assert len(gate.output.splitlines()) < 30, gate.output

    # A refresh that is saved, then the plan without a refresh: the same one number.
    refresh = stack.refresh("--run-program")
    assert refresh.ok, refresh.output
    assert listed(refresh.output) <= {drifted}, refresh.output[:3000]
    preview = stack.preview()
    assert preview.ok and listed(preview.output) == {drifted} and marked(preview.output), preview.output
    audit = stack.plivo_numbers("audit", "--stack", stack.stack, "--json")
    findings = json.loads(audit.stdout)["findings"]
    assert [(f["kind"], f["number"]) for f in findings] == [("drifted", drifted)], findings

    sim_e2e.clear_log()
    reconcile = stack.up("--refresh", "--run-program")
    assert reconcile.ok, reconcile.output
    posts = [r["path"] for r in sim_e2e.requests_log()["requests"] if r["method"] == "POST"]
    assert posts == [f"/v1/Account/{MAIN}/Number/{drifted}/"], posts
    assert sim_e2e.number(drifted)["app_id"] == APPS[0]
    assert stack.gate().ok


def test_a_set_number_no_longer_rented_shows_alone_and_is_refused(project, sim_e2e):
    numbers = [f"1555{i:07d}" for i in range(1, 41)]
    sim_e2e.reset(e2e_seed(numbers))
    bindings = {n: {"app_id": APPS[0]} for n in numbers}
    stack = project(f"from plivo_pulumi import RentedNumberSet\nRentedNumberSet('fleet', {bindings!r})\n")
    assert stack.up().ok
    gone = numbers[7]
    sim_e2e.unrent_out_of_band(gone)

    gate = stack.gate()
    assert gate.code != 0 and {n for n in numbers if n in gate.output} == {gone}, gate.output
    up = stack.up("--refresh", "--run-program")
    assert up.code != 0 and gone in up.output and "not rented" in up.output, up.output
    assert "DELETE" not in sim_e2e.requests_log()["by_method"]
