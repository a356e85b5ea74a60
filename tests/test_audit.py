"""The audit's pure half (state extraction, comparison, rendering), its credential resolution and
engine wrapper with stand-ins for the engine, and the CLI's argument and error handling. The real
engine and the simulator are in tests/e2e/test_audit_e2e.py."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from plivo_pulumi import cli
from plivo_pulumi.audit import (
    RENTED_NUMBER_SET_TYPE,
    RENTED_NUMBER_TYPE,
    AuditError,
    AuditReport,
    EngineError,
    Finding,
    LiveNumber,
    ManagedApplication,
    ManagedNumber,
    PulumiCLI,
    compare,
    compare_applications,
    managed_from_state,
    numbers_to_look_up,
    read_settings,
    register_extractor,
    render_json,
    render_table,
    run_audit,
    unverified_links,
)
from plivo_pulumi.cli import main as cli_main

MAIN = "MAGWNTM3ZTK1M2YZMDF5"
SUB = "SAMJY2ZWNJYWMZK1MWVK"
APP1, APP2 = "11111111111111", "22222222222222"
N1, N2, N3, N4 = "15550000001", "15550000002", "15550000003", "15550000004"
SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:x"}


def res(name: str, type_: str = RENTED_NUMBER_TYPE, **inputs) -> dict:
    return {
        "urn": f"urn:pulumi:dev::proj::{type_}::{name}",
        "custom": True,
        "type": type_,
        "id": inputs.get("number", ""),
        "inputs": {"unrent_on_delete": False, "__provider": "opaque", **inputs},
        "outputs": {},
    }


def export(*resources: dict) -> dict:
    stack = {"urn": "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev", "type": "pulumi:pulumi:Stack"}
    return {"version": 3, "deployment": {"manifest": {}, "resources": [stack, *resources]}}


# -- state extraction -----------------------------------------------------------------------------


def test_rented_numbers_are_read_from_the_state_inputs():
    state = export(
        res("support", number=N1, app_id=APP1),
        res("sales", number=N2, app_id="", subaccount=SUB),
        res("bare", number=N3),
        {
            "urn": "urn:pulumi:dev::proj::pulumi:providers:pulumi-python::default",
            "type": "pulumi:providers:x",
        },
    )
    assert managed_from_state(state) == [
        ManagedNumber(N1, APP1, None, "support"),
        ManagedNumber(N2, "", SUB, "sales"),
        ManagedNumber(N3, None, None, "bare"),
    ]
    # The deployment alone works too.
    assert managed_from_state(state["deployment"]) == managed_from_state(state)


def test_state_values_are_normalized_and_oddities_are_handled():
    state = export(
        res("uri", number="+1 (555) 000-0001", app_id=f"/v1/Account/{MAIN}/Application/{APP1}/"),
        res("secret", number=N2, app_id=SECRET, subaccount=SUB),
        {**res("old-half-of-a-replacement", number=N3, app_id=APP1), "delete": True},
        {**res("no-number-input", app_id=APP2), "id": N4},
        res("garbage", number="not a number"),
    )
    assert managed_from_state(state) == [
        ManagedNumber(N1, APP1, None, "uri"),
        ManagedNumber(N2, None, SUB, "secret"),  # a secret desired value cannot be compared
        ManagedNumber(N4, APP2, None, "no-number-input"),
    ]


def test_empty_and_resource_less_states():
    assert managed_from_state({"version": 3, "deployment": {"manifest": {}}}) == []
    assert managed_from_state({}) == []


def test_rented_number_set_bindings_are_extracted():
    state = export(
        res(
            "fleet",
            RENTED_NUMBER_SET_TYPE,
            bindings={
                N1: {"app_id": APP1, "subaccount": None},
                N2: {"app_id": None, "subaccount": ""},
                "bad": {"app_id": APP1},
            },
        )
    )
    assert managed_from_state(state) == [
        ManagedNumber(N1, APP1, None, "fleet", RENTED_NUMBER_SET_TYPE),
        ManagedNumber(N2, None, "", "fleet", RENTED_NUMBER_SET_TYPE),
    ]
    # The compact form: "<app_id>/<subaccount>", "*" = not managed, empty = none / main account.
    compact = export(
        res("fleet", RENTED_NUMBER_SET_TYPE, bindings={N1: f"{APP1}/*", N2: "*/", N3: f"/{SUB}"})
    )
    assert managed_from_state(compact) == [
        ManagedNumber(N1, APP1, None, "fleet", RENTED_NUMBER_SET_TYPE),
        ManagedNumber(N2, None, "", "fleet", RENTED_NUMBER_SET_TYPE),
        ManagedNumber(N3, "", SUB, "fleet", RENTED_NUMBER_SET_TYPE),
    ]


def test_extraction_is_pluggable_per_resource_type():
    token = "pulumi-python:dynamic/test:Custom"

    @register_extractor(token)
    def _custom(resource):
        for number in resource["inputs"]["numbers"]:
            yield ManagedNumber(number, APP2, None, "custom", token)

    state = export(res("c", token, numbers=[N3, N4]))
    assert [m.number for m in managed_from_state(state)] == [N3, N4]


# -- comparison -----------------------------------------------------------------------------------


def live(*items: LiveNumber) -> dict[str, LiveNumber]:
    return {i.number: i for i in items}


def test_clean_account_has_no_findings():
    managed = [ManagedNumber(N1, APP1, "", "a"), ManagedNumber(N2, None, SUB, "b")]
    listed = live(LiveNumber(N1, APP1, ""), LiveNumber(N2, APP2, SUB))
    assert compare(managed, listed) == []


def test_unmanaged_drifted_and_gone_sorted_by_kind_then_number():
    managed = [
        ManagedNumber(N3, APP1, SUB, "c"),
        ManagedNumber(N1, APP1, "", "a"),
        ManagedNumber(N2, None, None, "b"),
    ]
    listed = live(LiveNumber(N4), LiveNumber(N1, APP2, SUB), LiveNumber("15559999999", APP1))
    assert compare(managed, listed) == [
        Finding("unmanaged", N4),
        Finding("unmanaged", "15559999999"),
        Finding("drifted", N1, "a", "app_id", APP1, APP2),
        Finding("drifted", N1, "a", "subaccount", "", SUB),
        Finding("gone", N2, "b"),
        Finding("gone", N3, "c"),
    ]


def test_unmanaged_fields_never_drift_and_empty_means_none():
    managed = [ManagedNumber(N1, None, None, "a"), ManagedNumber(N2, "", "", "b")]
    listed = live(LiveNumber(N1, APP1, SUB), LiveNumber(N2, APP1, ""))
    assert compare(managed, listed) == [Finding("drifted", N2, "b", "app_id", "", APP1)]


def test_filtered_listing_uses_look_ups_and_never_guesses_gone():
    managed = [
        ManagedNumber(N1, APP1, None, "a"),
        ManagedNumber(N2, APP1, None, "b"),
        ManagedNumber(N3, APP1, None, "c"),
    ]
    listed = live(LiveNumber(N1, APP1), LiveNumber(N4))
    assert numbers_to_look_up(managed, listed, filtered=False) == []
    assert numbers_to_look_up(managed, listed, filtered=True) == [N2, N3]
    looked_up = {N2: None, N3: LiveNumber(N3, APP2, SUB)}
    assert compare(managed, listed, looked_up, filtered=True) == [
        Finding("unmanaged", N4),
        Finding("drifted", N3, "c", "app_id", APP1, APP2),
        Finding("gone", N2, "b"),
    ]
    # Not looked up: outside the filters, unknown, so not reported.
    assert compare(managed, listed, {}, filtered=True) == [Finding("unmanaged", N4)]
    # Without filters the listing is complete: missing means gone.
    assert [f.kind for f in compare(managed, listed)] == ["unmanaged", "gone", "gone"]


def test_the_same_number_in_two_resources_is_checked_against_each():
    managed = [ManagedNumber(N1, APP1, None, "a"), ManagedNumber(N1, APP2, None, "b")]
    assert compare(managed, live(LiveNumber(N1, APP1))) == [
        Finding("drifted", N1, "b", "app_id", APP2, APP1),
        Finding("duplicated", N1, "a, b"),  # two resources fight over it
    ]


def test_live_number_from_api_objects():
    obj = {
        "number": N1,
        "application": f"/v1/Account/{MAIN}/Application/{APP1}/",
        "subaccount": f"/v1/Account/{MAIN}/Subaccount/{SUB}/",
    }
    assert LiveNumber.from_api(obj) == LiveNumber(N1, APP1, SUB)
    as_newer_docs = {**obj, "sub_account": obj["subaccount"]}
    del as_newer_docs["subaccount"]
    assert LiveNumber.from_api(as_newer_docs) == LiveNumber(N1, APP1, SUB), "Plivo's newer docs: sub_account"
    main_account = {"number": N2, "application": None, "subaccount": None}
    assert LiveNumber.from_api(main_account) == LiveNumber(N2, "", "")
    # The reference's object has no subaccount field: unknown, not "main account".
    assert LiveNumber.from_api({"number": N2, "application": None}) == LiveNumber(N2, "", None)
    with pytest.raises(AuditError, match="cannot read"):
        LiveNumber.from_api({"number": N2, "application": "/elsewhere/"})


# -- rendering ------------------------------------------------------------------------------------


def report(findings, **kw) -> AuditReport:
    base = {"stack": "dev", "account": MAIN, "live_total": 4, "managed_total": 3, "findings": findings}
    return AuditReport(**{**base, **kw})


def test_json_document_shape():
    doc = json.loads(
        render_json(
            report([Finding("unmanaged", N4), Finding("drifted", N1, "a", "app_id", APP1, "")], filters={})
        )
    )
    assert doc == {
        "stack": "dev",
        "account": MAIN,
        "filters": {},
        "live_total": 4,
        "managed_total": 3,
        "live_applications": None,
        "managed_applications": 0,
        "counts": {
            "unmanaged": 1,
            "drifted": 1,
            "gone": 0,
            "duplicated": 0,
            "unmanaged_app": 0,
            "drifted_app": 0,
            "gone_app": 0,
            "broken_link": 0,
            "unrecorded_buy": 0,
        },
        "findings": [
            {
                "kind": "unmanaged",
                "number": N4,
                "app_id": None,
                "resource": None,
                "field": None,
                "expected": None,
                "live": None,
                "account": None,
            },
            {
                "kind": "drifted",
                "number": N1,
                "app_id": None,
                "resource": "a",
                "field": "app_id",
                "expected": APP1,
                "live": "",
                "account": None,
            },
        ],
        "unverified_links": [],
        "accounts": [],
        "orders": [],
        "orders_monthly_total": 0.0,
    }


def test_table_has_sections_with_counts_and_one_line_per_finding():
    text = render_table(
        report(
            [
                Finding("unmanaged", N4),
                Finding("drifted", N1, "support", "app_id", APP1, ""),
                Finding("drifted", N2, "sales", "subaccount", SUB, ""),
                Finding("gone", N3, "alerts"),
            ],
            filters={"number_startswith": "1555"},
            looked_up=2,
        )
    )
    lines = text.splitlines()
    assert lines[0] == f"Audit of stack dev against Plivo account {MAIN}"
    assert "  live numbers listed: 4 (filters: number_startswith=1555)" in lines
    assert "  managed numbers outside the listing, checked one by one: 2" in lines
    assert "Unmanaged numbers: 1 (rented by the account, not in the stack)" in lines
    assert "Drifted bindings: 2 (a managed field differs from the live account)" in lines
    assert "Managed numbers no longer rented: 1 (in the stack, not rented by the account)" in lines
    rows = [line.split() for line in lines if line.startswith("  ") and line.split()[0] in cli_kinds()]
    assert rows == [
        ["unmanaged", N4, "-", "-", "-", "-"],
        ["drifted", N1, "support", "app_id", APP1, "(none)"],
        ["drifted", N2, "sales", "subaccount", SUB, "(main", "account)"],
        ["gone", N3, "alerts", "-", "-", "-"],
    ]
    assert lines[-1] == "Result: 4 findings (1 unmanaged, 2 drifted, 1 gone)."


def cli_kinds() -> tuple[str, ...]:
    return ("unmanaged", "drifted", "gone")


def test_clean_table():
    text = render_table(report([], live_total=3))
    assert "Unmanaged numbers: 0" in text and "Drifted bindings: 0" in text
    assert "KIND" not in text
    assert text.rstrip().endswith("Result: no findings; the account matches the stack.")
    assert report([]).exit_code == 0 and report([Finding("gone", N1, "a")]).exit_code == 1


# -- credentials ----------------------------------------------------------------------------------


class FakeEngine:
    """Stands in for PulumiCLI in credential tests (the e2e tests run the real engine)."""

    def __init__(self, config=None, *, secrets_fail: bool = False, state=None) -> None:
        self._config = config or {}
        self.secrets_fail = secrets_fail
        self.calls: list[str] = []
        self.state = state if state is not None else export()

    def export(self):
        self.calls.append("export")
        return self.state

    def config(self, *, show_secrets: bool):
        self.calls.append(f"config show_secrets={show_secrets}")
        if show_secrets and self.secrets_fail:
            raise EngineError("`pulumi config` failed (exit 1): error: passphrase must be set")
        return {
            k: ({"secret": True} if v[1] and (not show_secrets) else {"value": v[0], "secret": v[1]})
            for k, v in self._config.items()
        }


CONFIG = {
    "plivo:authId": (MAIN, False),
    "plivo:authToken": ("tok-config", True),
    "plivo:baseUrl": ("http://127.0.0.1:1/v1", False),
}


def test_config_first_in_one_call():
    engine = FakeEngine(CONFIG)
    settings = read_settings(
        engine, {"PLIVO_AUTH_ID": "MAENV0000000000000000", "PLIVO_AUTH_TOKEN": "tok-env"}
    )
    assert (settings.auth_id, settings.auth_token, settings.base_url) == (
        MAIN,
        "tok-config",
        "http://127.0.0.1:1/v1",
    )
    assert engine.calls == ["config show_secrets=True"]


def test_environment_second():
    settings = read_settings(FakeEngine({}), {"PLIVO_AUTH_ID": MAIN, "PLIVO_AUTH_TOKEN": "tok-env"})
    assert (settings.auth_id, settings.auth_token) == (MAIN, "tok-env")
    assert settings.base_url == "https://api.plivo.com/v1"


def test_undecryptable_config_falls_back_to_the_environment_with_a_note():
    notes = []
    engine = FakeEngine(CONFIG, secrets_fail=True)
    settings = read_settings(engine, {"PLIVO_AUTH_TOKEN": "tok-env"}, note=notes.append)
    assert (settings.auth_id, settings.auth_token) == (MAIN, "tok-env")
    assert engine.calls == ["config show_secrets=True", "config show_secrets=False"]
    assert notes and "PULUMI_CONFIG_PASSPHRASE" in notes[0] and "PLIVO_AUTH_TOKEN" in notes[0]


def test_no_token_anywhere_names_the_keys_and_the_passphrase():
    with pytest.raises(AuditError) as info:
        read_settings(FakeEngine(CONFIG, secrets_fail=True), {})
    message = str(info.value)
    assert "plivo:authToken" in message and "PLIVO_AUTH_TOKEN" in message
    assert "PULUMI_CONFIG_PASSPHRASE" in message
    with pytest.raises(AuditError, match=r"plivo:authId \(or PLIVO_AUTH_ID\)"):
        read_settings(FakeEngine({}), {})


# -- the engine wrapper ---------------------------------------------------------------------------


def fake_pulumi(tmp_path: Path, script: str) -> str:
    path = tmp_path / "pulumi"
    path.write_text(f"#!/bin/sh\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_engine_command_line_and_failure_message(tmp_path):
    exe = fake_pulumi(
        tmp_path, 'echo "$@" > "$(dirname "$0")/args"; echo "error: no stack named nope" >&2; exit 6'
    )
    engine = PulumiCLI("nope", tmp_path / "project", executable=exe)
    with pytest.raises(EngineError) as info:
        engine.export()
    args = (tmp_path / "args").read_text().split()
    assert args == [
        "stack",
        "export",
        "--stack",
        "nope",
        "--non-interactive",
        "--color",
        "never",
        "--cwd",
        str(tmp_path / "project"),
    ]
    message = str(info.value)
    assert message.startswith(
        "`pulumi stack export --stack nope` failed (exit 6): error: no stack named nope; "
    )
    assert "--cwd" in message and "PULUMI_BACKEND_URL" in message


def test_engine_output_that_is_not_json(tmp_path):
    engine = PulumiCLI("dev", executable=fake_pulumi(tmp_path, "echo hello"))
    with pytest.raises(EngineError, match="not JSON"):
        engine.export()


def test_missing_engine(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EngineError, match="`pulumi` is not on PATH"):
        PulumiCLI("dev").export()


def test_bad_filters_fail_before_the_engine_runs():
    engine = FakeEngine(CONFIG)
    with pytest.raises(AuditError, match="invalid filter: services must be"):
        run_audit("dev", filters={"services": "fax"}, engine=engine)
    with pytest.raises(AuditError, match="invalid filter: subaccount"):
        run_audit("dev", filters={"subaccount": "nope"}, engine=engine)
    assert engine.calls == []


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["audit", "--stack", ""], "a stack name is required"),
        (["audit", "--stack", "  "], "a stack name is required"),
        (["audit", "--stack", "dev", "--number-type", ""], "--number-type is empty"),
        (["audit", "--stack", "dev", "--number-startswith", " "], "--number-startswith is empty"),
        (["audit", "--stack", "dev", "--stack", ""], "a stack name is required"),
    ],
)
def test_empty_stack_names_and_empty_filters_are_errors(argv, says, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no engine: the error must come before it is needed
    assert cli_main(argv) == 2
    assert says in capsys.readouterr().err


# -- run_audit with a stand-in client -------------------------------------------------------------


class FakeClient:
    def __init__(self, numbers: list[dict]) -> None:
        self.numbers = numbers
        self.gets: list[str] = []
        self.closed = False

    def iter_numbers(self, *, on_page=None, number_startswith=None, **filters):
        found = [
            n for n in self.numbers if not number_startswith or n["number"].startswith(number_startswith)
        ]
        for i, obj in enumerate(found):
            yield obj
            if on_page and (i + 1) % 2 == 0:
                on_page(i + 1, len(found))

    def get_number(self, number):
        from plivo_pulumi.core.errors import NumberNotFoundError

        self.gets.append(number)
        for obj in self.numbers:
            if obj["number"] == number:
                return obj
        raise NumberNotFoundError(f"number {number} is not rented")

    def iter_applications(self):
        return iter([{"app_id": APP1, "app_name": "one"}])

    def close(self):
        self.closed = True


def test_run_audit_wires_state_credentials_listing_and_look_ups():
    state = export(res("a", number=N1, app_id=APP1), res("b", number=N2, app_id=APP1), res("c", number=N3))
    client = FakeClient([{"number": N1, "application": None}, {"number": "16660000001"}, {"number": N3}])
    messages = []
    result = run_audit(
        "dev",
        filters={"number_startswith": "1666", "number_type": None},
        engine=FakeEngine(CONFIG, state=state),
        note=messages.append,
        client_factory=lambda settings: client,
    )
    assert result.filters == {"number_startswith": "1666"}
    assert (result.live_total, result.managed_total, result.looked_up) == (1, 3, 3)
    assert sorted(client.gets) == [N1, N2, N3] and client.closed
    assert result.findings == [
        Finding("unmanaged", "16660000001"),
        Finding("drifted", N1, "a", "app_id", APP1, ""),
        Finding("gone", N2, "b"),
    ]
    assert "checking 3 managed numbers outside the filtered listing" in messages


def test_api_errors_are_audit_errors_without_the_token():
    from plivo_pulumi.core.errors import AuthenticationError

    class Failing(FakeClient):
        def iter_numbers(self, **kw):
            raise AuthenticationError("Plivo rejected tok-config; check plivo:authToken")
            yield  # pragma: no cover

    with pytest.raises(AuditError) as info:
        run_audit("dev", engine=FakeEngine(CONFIG), client_factory=lambda s: Failing([]))
    assert "plivo:authToken" in str(info.value) and "tok-config" not in str(info.value)


# -- the CLI --------------------------------------------------------------------------------------


def test_cli_usage_errors_and_help(capsys):
    assert cli.main(["audit"]) == 2
    assert "--stack" in capsys.readouterr().err
    assert cli.main([]) == 2
    assert cli.main(["--help"]) == 0
    assert "audit" in capsys.readouterr().out
    assert cli.main(["audit", "--help"]) == 0
    out = capsys.readouterr().out
    for flag in (
        "--stack",
        "--cwd",
        "--json",
        "--number-type",
        "--number-startswith",
        "--subaccount",
        "--services",
    ):
        assert flag in out


def test_cli_cwd_must_exist(capsys, tmp_path):
    assert cli.main(["audit", "--stack", "dev", "--cwd", str(tmp_path / "missing")]) == 2
    assert "is not a directory" in capsys.readouterr().err


def test_cli_engine_missing_is_exit_2(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert cli.main(["audit", "--stack", "dev"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("plivo-numbers audit: error: the Pulumi CLI `pulumi` is not on PATH")


def test_cli_engine_failure_is_exit_2_with_the_engine_message(capsys, tmp_path, monkeypatch):
    fake_pulumi(tmp_path, "echo \"error: no stack named 'prod' found\" >&2; exit 255")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert cli.main(["audit", "--stack", "prod"]) == 2
    assert "error: no stack named 'prod' found" in capsys.readouterr().err


def test_progress_overwrites_on_a_terminal_and_is_throttled_otherwise():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    progress = cli._Progress(tty, quiet=False)
    progress.page(20, 60)
    progress.page(40, 60)
    progress.flush()
    assert tty.getvalue() == "\r\x1b[Kaudit: listed 20/60 numbers\r\x1b[Kaudit: listed 40/60 numbers\n"

    pipe = io.StringIO()
    progress = cli._Progress(pipe, quiet=False, interval=3600)
    for i in (20, 40, 60):
        progress.page(i, 60)
    progress.note("checking 2 managed numbers outside the filtered listing")
    assert pipe.getvalue().splitlines() == [
        "audit: listed 20/60 numbers",
        "audit: listed 60/60 numbers",
        "audit: checking 2 managed numbers outside the filtered listing",
    ]

    quiet = io.StringIO()
    progress = cli._Progress(quiet, quiet=True)
    progress.page(20, 60)
    progress.flush()
    assert quiet.getvalue() == ""


def test_module_entry_point_is_the_console_script():
    import tomllib

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["plivo-numbers"] == "plivo_pulumi.cli:main"
    assert callable(cli.main) and sys.modules["plivo_pulumi.cli"] is cli


# -- application rules ----------------------------------------------------------------------------


def _app(name: str, owner: str = "") -> dict:
    return {"app_name": name, "subaccount": owner, "answer_url": "https://a.example.com/"}


def test_one_application_managed_by_two_stacks_is_duplicated():
    fields = {"app_name": "ivr", "answer_url": "https://a.example.com/"}
    managed = [ManagedApplication(APP1, "blue:ivr", fields), ManagedApplication(APP1, "green:ivr", fields)]
    findings = compare_applications(managed, {APP1: _app("ivr")}, {})
    assert findings == [Finding("duplicated", "", resource="blue:ivr, green:ivr", app_id=APP1)]
    table = render_table(report(findings, live_apps=1, managed_apps=2))
    assert "Numbers and applications managed more than once: 1" in table and "delete the application" in table


def test_a_reconcile_is_not_advised_plainly_while_something_is_duplicated():
    drift = Finding("drifted_app", "", "blue:ivr", "answer_url", "x", "y", APP1)
    alone = render_table(report([drift], live_apps=1, managed_apps=1))
    assert "first keep one declaration" not in alone
    both = render_table(report([drift, Finding("duplicated", "", "blue:ivr, green:ivr", app_id=APP1)]))
    assert "first keep one declaration of what is duplicated" in both


def test_unmanaged_applications_that_share_a_name_or_a_pending_create_are_reported():
    live = {
        APP1: _app("ivr"),
        APP2: _app("ivr"),
        "3": _app("other"),
        "4": _app("ivr", SUB),
        "5": _app("late"),
    }
    found = compare_applications([], live, {}, pending=["late"])
    assert [(f.kind, f.app_id, f.live) for f in found] == [
        ("unmanaged_app", APP1, "ivr"),
        ("unmanaged_app", APP2, "ivr"),
        ("unmanaged_app", "5", "late"),
    ], "twins of one owner and a pending create's name; not a lone console application"
    assert compare_applications([], {APP1: _app("ivr")}, {}) == []


def test_a_subaccount_cannot_list_its_main_accounts_application_so_the_link_is_unverified():
    listed = {
        N1: LiveNumber(N1, APP1, SUB, app_owner=MAIN),  # the main account's application
        N2: LiveNumber(N2, APP2, SUB, app_owner=SUB),  # its own, and gone: broken
    }
    as_sub = compare_applications([], {}, listed, auth_id=SUB)
    assert [(f.kind, f.number) for f in as_sub] == [("broken_link", N2)]
    assert unverified_links(listed, {}, SUB) == [N1]
    as_main = compare_applications([], {}, listed, auth_id=MAIN)
    assert [(f.kind, f.number) for f in as_main] == [("broken_link", N1), ("broken_link", N2)]
    assert unverified_links(listed, {}, MAIN) == []
    table = render_table(report(as_sub, unverified_links=[(N1, APP1)]))
    assert "Links these credentials cannot check: 1" in table and f"{N1}  app_id {APP1}" in table
    assert json.loads(render_json(report(as_sub, unverified_links=[(N1, APP1)])))["unverified_links"] == [
        {"number": N1, "app_id": APP1}
    ]


# -- native resources (every language, YAML too) and explicit providers ---------------------------

NATIVE_NUMBER, NATIVE_SET, NATIVE_APP = (
    "plivo:index:RentedNumber",
    "plivo:index:RentedNumberSet",
    "plivo:index:Application",
)
PROVIDER_URN = "urn:pulumi:dev::proj::pulumi:providers:plivo"
DEFAULT_REF = f"{PROVIDER_URN}::default_0_1_0::f6a93e37-14af-445a-a82e-2890b33a2d2c"
SUB_REF = f"{PROVIDER_URN}::sub::2e844517-21a0-4edf-9637-b8f4ffca716b"
TOKEN_CIPHER = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:x"}


def native(name: str, type_: str, provider: str = DEFAULT_REF, **fields) -> dict:
    """A native resource as `pulumi stack export` stores it (camelCase, `__declared` snake_case)."""
    return {
        "urn": f"urn:pulumi:dev::proj::{type_}::{name}",
        "custom": True,
        "type": type_,
        "provider": provider,
        **fields,
    }


def provider(name: str, ref: str, **inputs) -> dict:
    urn, id_ = ref.rsplit("::", 1)
    return {"urn": urn, "custom": True, "type": "pulumi:providers:plivo", "id": id_, "inputs": inputs}


def test_native_rented_numbers_read_the_code_s_values_from_declared():
    declared = {"app_id": APP1, "import_id": None, "subaccount": None}
    refreshed = native(  # a refresh set the inputs to the live values: `__declared` keeps the code's
        "one",
        NATIVE_NUMBER,
        id=N1,
        inputs={"__declared": declared, "appId": APP2, "number": N1, "unrentOnDelete": False},
        outputs={"__declared": declared, "appId": APP2, "number": N1, "subaccount": ""},
    )
    older = native("two", NATIVE_NUMBER, id=N2, inputs={"number": N2, "appId": "", "subaccount": SUB})
    secret = native(  # with a secret input, the provider stores the hidden copy secret too
        "three",
        NATIVE_NUMBER,
        id=N3,
        inputs={"__declared": SECRET, "number": N3, "appId": SECRET, "subaccount": ""},
    )
    assert managed_from_state(export(refreshed, older, secret)) == [
        ManagedNumber(N1, APP1, None, "one", NATIVE_NUMBER),
        ManagedNumber(N2, "", SUB, "two", NATIVE_NUMBER),
        ManagedNumber(N3, None, "", "three", NATIVE_NUMBER),
    ]


def test_native_sets_are_read_per_number_from_the_written_bindings_and_the_masks():
    lines = native(
        "lines",
        NATIVE_SET,
        id="numberset-88b243540620",
        inputs={"bindings": {N1: f"{APP1}/*", N2: f"*/{SUB}"}, "maxInFlight": 8},
        outputs={
            "__declared": {"except": {N2: "*="}, "mask": "=*"},
            "bindings": {N1: f"{APP1}/", N2: f"/{SUB}"},
        },
    )
    objects = native("objects", NATIVE_SET, inputs={"bindings": {N3: {"appId": APP2, "subaccount": ""}}})
    assert managed_from_state(export(lines, objects)) == [
        ManagedNumber(N1, APP1, None, "lines", NATIVE_SET),
        ManagedNumber(N2, None, SUB, "lines", NATIVE_SET),
        ManagedNumber(N3, APP2, "", "objects", NATIVE_SET),
    ]


def test_native_applications_are_compared_in_the_core_s_names():
    from plivo_pulumi.audit import managed_applications_from_state, pending_application_names

    declared = {"app_name": "ivr", "answer_url": "https://a.example.com/", "subaccount": ""}
    app = native(
        "ivr",
        NATIVE_APP,
        id=APP1,
        inputs={"__declared": declared, "appName": "ivr", "answerUrl": "https://b.example.com/"},
    )
    older = native(
        "old", NATIVE_APP, id=APP2, inputs={"appName": "old", "hangupUrl": "https://h.example.com/"}
    )
    assert managed_applications_from_state(export(app, older)) == [
        ManagedApplication(APP1, "ivr", declared),  # the default provider: ""
        ManagedApplication(APP2, "old", {"app_name": "old", "hangup_url": "https://h.example.com/"}),
    ]
    state = export()
    state["deployment"]["pending_operations"] = [
        {"type": "creating", "resource": native("late", NATIVE_APP, inputs={"appName": "late-ivr"})}
    ]
    assert pending_application_names(state) == ["late-ivr"]


def test_each_resource_names_the_provider_whose_account_holds_it():
    from plivo_pulumi.audit.state import explicit_providers, provider_reference

    parented = "urn:pulumi:dev::proj::my:Team$pulumi:providers:plivo::team::0d1e"
    assert provider_reference({"provider": DEFAULT_REF}) == ""
    assert provider_reference({"provider": f"{PROVIDER_URN}::default::1"}) == ""
    assert (
        provider_reference({"provider": "urn:pulumi:dev::proj::pulumi:providers:pulumi-python::default::1"})
        == ""
    )
    assert provider_reference({}) == ""
    assert provider_reference({"provider": SUB_REF}) == SUB_REF
    assert provider_reference({"provider": parented}) == parented
    state = export(
        provider("default_0_1_0", DEFAULT_REF, authId=MAIN),
        provider("sub", SUB_REF, authId=SUB, authToken=TOKEN_CIPHER),
        {**provider("gone", f"{PROVIDER_URN}::gone::9", authId=SUB), "delete": True},
        native("sub-line", NATIVE_NUMBER, SUB_REF, id=N1, inputs={"number": N1, "appId": ""}),
    )
    assert explicit_providers(state) == {
        SUB_REF: {"name": "sub", "inputs": {"authId": SUB, "authToken": TOKEN_CIPHER}}
    }
    assert managed_from_state(state) == [ManagedNumber(N1, "", None, "sub-line", NATIVE_NUMBER, SUB_REF)]


def test_base_urls_name_one_account_under_every_spelling():
    from plivo_pulumi.audit.accounts import normalized_base_url

    same = {
        normalized_base_url(url)
        for url in (
            "https://api.plivo.com/v1",
            "https://api.plivo.com/v1/",
            "HTTPS://API.Plivo.com:443/v1//",
            " https://api.plivo.com/v1 ",
        )
    }
    assert same == {"https://api.plivo.com/v1"}
    assert normalized_base_url("http://127.0.0.1:8080/v1/") == "http://127.0.0.1:8080/v1"
    assert normalized_base_url("http://127.0.0.1:80/v1") == "http://127.0.0.1/v1"
    assert normalized_base_url("http://h:notaport/v1/") == "http://h:notaport/v1"


def _settings(auth_id: str = MAIN, token: str = "tok-config", base_url: str = "http://127.0.0.1:1/v1"):
    from plivo_pulumi.core.config import ProviderSettings

    return ProviderSettings(auth_id, token, base_url)


def test_accounts_group_what_each_provider_declares_decrypting_only_another_account_s_token():
    from plivo_pulumi.audit.accounts import group_by_account

    main_ref, other_ref = f"{PROVIDER_URN}::main::1", f"{PROVIDER_URN}::other::2"
    providers = {
        main_ref: {
            "name": "main",
            "inputs": {"authId": MAIN, "authToken": TOKEN_CIPHER, "baseUrl": "http://127.0.0.1:1/v1/"},
        },
        SUB_REF: {
            "name": "sub",
            "inputs": {"authId": SUB, "authToken": TOKEN_CIPHER, "baseUrl": "http://127.0.0.1:1/v1"},
        },
        other_ref: {"name": "other", "inputs": {"authId": "MAOTHERACCOUNT000001"}},
    }
    decrypted_calls = []

    def decrypted():
        decrypted_calls.append(1)
        plain = {
            "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
            "plaintext": '"tok-sub"',
        }
        return {SUB_REF: {"name": "sub", "inputs": {**providers[SUB_REF]["inputs"], "authToken": plain}}}

    managed = [
        ManagedNumber(N1, "", None, "sub-a", NATIVE_NUMBER, SUB_REF),
        ManagedNumber(N2, APP1, None, "main-line", NATIVE_NUMBER, main_ref),
        ManagedNumber(N3, APP1, None, "plain", RENTED_NUMBER_TYPE),
        ManagedNumber(N4, "", None, "sub-b", NATIVE_NUMBER, SUB_REF),
        ManagedNumber("16660000001", None, None, "other-line", NATIVE_NUMBER, other_ref),
    ]
    apps = [ManagedApplication(APP2, "sub-ivr", {}, SUB_REF)]
    environ = {"PLIVO_AUTH_TOKEN": "tok-env"}
    groups = group_by_account(_settings(), managed, apps, providers, decrypted, environ)
    assert [
        (g.settings.auth_id, g.providers, [m.resource for m in g.managed], [a.resource for a in g.apps])
        for g in groups
    ] == [
        (MAIN, ["(stack config)", "main"], ["main-line", "plain"], []),
        (SUB, ["sub"], ["sub-a", "sub-b"], ["sub-ivr"]),
        ("MAOTHERACCOUNT000001", ["other"], ["other-line"], []),
    ]
    assert decrypted_calls == [1], "decrypted once, for the other account's token only"
    assert groups[1].settings.auth_token == "tok-sub"
    assert groups[2].settings.auth_token == "tok-env", "a provider without a token input uses the environment"
    assert groups[2].settings.base_url == "https://api.plivo.com/v1"


def test_a_provider_s_account_that_cannot_be_read_is_a_clear_error():
    from plivo_pulumi.audit.accounts import group_by_account

    number = ManagedNumber(N1, "", None, "sub-line", NATIVE_NUMBER, SUB_REF)
    providers = {SUB_REF: {"name": "sub", "inputs": {"authId": SUB, "authToken": TOKEN_CIPHER}}}

    def undecryptable():
        raise EngineError(
            "`pulumi stack export --show-secrets --stack dev` failed (exit 255): passphrase must be set"
        )

    with pytest.raises(AuditError) as info:
        group_by_account(_settings(), [number], [], providers, undecryptable, {})
    assert "plivo provider 'sub'" in str(info.value) and "PULUMI_CONFIG_PASSPHRASE" in str(info.value)
    with pytest.raises(AuditError) as info:
        group_by_account(
            _settings(), [number], [], {SUB_REF: {"name": "sub", "inputs": {"authId": SUB}}}, dict, {}
        )
    assert "plivo provider 'sub' has no authId or authToken input" in str(info.value)
    assert "PLIVO_AUTH_TOKEN" in str(info.value)
    with pytest.raises(AuditError) as info:
        group_by_account(_settings(), [number], [], {}, dict, {})
    assert f"resource sub-line names the provider {SUB_REF}, which is not in the state" in str(info.value)


def _view(auth_id, managed=(), apps=(), listed=(), looked_up=None, live_apps=None):
    from plivo_pulumi.audit.model import AccountView

    return AccountView(auth_id, list(managed), list(apps), live(*listed), looked_up or {}, live_apps or {})


def test_each_account_is_compared_with_its_own_listing():
    from plivo_pulumi.audit.compare import compare_accounts

    sub_line = ManagedNumber(N1, "", None, "sub-line", NATIVE_NUMBER, SUB_REF)
    main_line = ManagedNumber(N2, APP1, None, "main-line", NATIVE_NUMBER)
    lost = ManagedNumber(N3, "", None, "lost", NATIVE_NUMBER, SUB_REF)  # the subaccount does not hold it
    main = _view(
        MAIN,
        [main_line],
        listed=[
            LiveNumber(N1, "", SUB),
            LiveNumber(N2, APP1, ""),
            LiveNumber(N3, "", ""),
            LiveNumber(N4, "", SUB),
        ],
        live_apps={APP1: _app("one")},
    )
    sub = _view(SUB, [sub_line, lost], listed=[LiveNumber(N1, APP2, SUB), LiveNumber(N4, "", SUB)])
    findings, unverified = compare_accounts([main, sub])
    assert [(f.kind, f.number, f.resource, f.account) for f in findings] == [
        ("unmanaged", N3, None, MAIN),  # the main account's, declared under the sub provider: not managed
        ("unmanaged", N4, None, SUB),  # listed by both: reported once, for the subaccount that holds it
        ("drifted", N1, "sub-line", SUB),  # against the subaccount's listing
        ("gone", N3, "lost", SUB),
    ]
    assert unverified == []
    # One account alone gives what the single-account comparison gives.
    alone, _ = compare_accounts([main])
    assert alone == compare([main_line], main.listed) + compare_applications([], main.live_apps, main.listed)


def test_links_and_duplicates_across_accounts():
    from plivo_pulumi.audit.compare import compare_accounts

    # The subaccount cannot list the main account's application; the main account checked it.
    line = ManagedNumber(N1, None, None, "sub-line", NATIVE_NUMBER, SUB_REF)
    sub_only = _view(SUB, [line], listed=[LiveNumber(N1, APP1, SUB, app_owner=MAIN)])
    assert compare_accounts([sub_only]) == ([], [(N1, APP1)])
    main = _view(MAIN, listed=[LiveNumber(N1, APP1, SUB, app_owner=MAIN)], live_apps={APP1: _app("one")})
    assert compare_accounts([main, sub_only]) == ([], [])
    # One number declared under two accounts' providers: a duplicate naming both accounts.
    twice = [
        _view(
            MAIN, [ManagedNumber(N2, None, None, "a:line", NATIVE_NUMBER)], listed=[LiveNumber(N2, "", SUB)]
        ),
        _view(
            SUB,
            [ManagedNumber(N2, None, None, "b:line", NATIVE_NUMBER, SUB_REF)],
            listed=[LiveNumber(N2, "", SUB)],
        ),
    ]
    findings, _ = compare_accounts(twice)
    assert [(f.kind, f.number, f.resource, f.account) for f in findings] == [
        ("duplicated", N2, "a:line, b:line", f"{MAIN}, {SUB}")
    ]


def test_report_of_several_accounts_shows_each_and_an_account_column():
    from plivo_pulumi.audit.model import AccountSummary

    accounts = [
        AccountSummary(MAIN, ("(stack config)", "main"), 4, 2, 1, 0),
        AccountSummary(SUB, ("sub",), 1, 1, 0, 0),
    ]
    findings = [Finding("gone", N1, "sub-line", account=SUB), Finding("unmanaged", N4, account=MAIN)]
    table = render_table(report(findings, accounts=accounts))
    assert table.splitlines()[0] == f"Audit of stack dev against Plivo accounts {MAIN}, {SUB}"
    shown = f"  account {MAIN} [(stack config), main]: 4 numbers listed, 2 managed; 1 applications listed"
    assert f"{shown}, 0 managed" in table
    assert f"  account {SUB} [sub]: 1 numbers listed, 1 managed; 0 applications listed, 0 managed" in table
    rows = [line.split() for line in table.splitlines() if line.startswith("  gone ")]
    assert rows == [["gone", N1, "sub-line", "-", "-", "-", SUB]]
    doc = json.loads(render_json(report(findings, accounts=accounts)))
    assert doc["accounts"][1] == {
        "account": SUB,
        "providers": ["sub"],
        "live_total": 1,
        "managed_total": 1,
        "live_applications": 0,
        "managed_applications": 0,
    }
    assert [f["account"] for f in doc["findings"]] == [SUB, MAIN]


def uri(app_id: str, owner: str = MAIN) -> str:
    return f"/v1/Account/{owner}/Application/{app_id}/"


class ExportingEngine(FakeEngine):
    """FakeEngine whose decrypted export reveals the providers' tokens."""

    def __init__(self, config, state, revealed) -> None:
        super().__init__(config, state=state)
        self.revealed = revealed

    def export(self, *, show_secrets: bool = False):
        self.calls.append(f"export show_secrets={show_secrets}")
        return self.revealed if show_secrets else self.state


def test_run_audit_lists_each_account_with_its_own_credentials():
    plain = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "plaintext": '"tok-sub"'}
    sub_provider = provider(
        "sub", SUB_REF, authId=SUB, authToken=TOKEN_CIPHER, baseUrl="http://127.0.0.1:1/v1"
    )
    resources = [
        native("sub-line", NATIVE_NUMBER, SUB_REF, id=N1, inputs={"number": N1, "appId": ""}),
        native("main-line", NATIVE_NUMBER, id=N2, inputs={"number": N2, "appId": APP1}),
    ]
    state = export(sub_provider, *resources)
    revealed = export({**sub_provider, "inputs": {**sub_provider["inputs"], "authToken": plain}}, *resources)
    engine = ExportingEngine(CONFIG, state, revealed)
    clients = {
        MAIN: FakeClient([{"number": N1, "sub_account": SUB}, {"number": N2, "application": uri(APP1)}]),
        SUB: FakeClient([{"number": N1, "application": uri(APP1, SUB)}]),
    }
    tokens = {}

    def factory(settings):
        tokens[settings.auth_id] = settings.auth_token
        return clients[settings.auth_id]

    result = run_audit("dev", engine=engine, client_factory=factory, environ={})
    assert tokens == {MAIN: "tok-config", SUB: "tok-sub"}
    assert engine.calls.count("export show_secrets=True") == 1
    assert [(f.kind, f.number, f.resource, f.account) for f in result.findings] == [
        ("drifted", N1, "sub-line", SUB)
    ]
    assert (result.account, result.live_total, result.managed_total) == (MAIN, 2, 2)
    assert [(a.account, a.providers, a.live_total, a.managed_total) for a in result.accounts] == [
        (MAIN, ("(stack config)",), 2, 1),
        (SUB, ("sub",), 1, 1),
    ]
    assert clients[MAIN].closed and clients[SUB].closed


def test_rejected_credentials_of_a_provider_name_its_inputs_never_the_token():
    from plivo_pulumi.core.errors import AuthenticationError

    class Rejecting(FakeClient):
        def iter_numbers(self, **kw):
            raise AuthenticationError(f"Plivo rejected the credentials of account {SUB} (tok-sub)")
            yield  # pragma: no cover

    sub_provider = provider("sub", SUB_REF, authId=SUB, authToken="tok-sub", baseUrl="http://127.0.0.1:1/v1")
    line = native("sub-line", NATIVE_NUMBER, SUB_REF, id=N1, inputs={"number": N1, "appId": ""})
    engine = FakeEngine(CONFIG, state=export(sub_provider, line))
    clients = {MAIN: FakeClient([]), SUB: Rejecting([])}
    with pytest.raises(AuditError) as info:
        run_audit("dev", engine=engine, client_factory=lambda s: clients[s.auth_id], environ={})
    message = str(info.value)
    assert f"listing the numbers of account {SUB} failed" in message
    assert "plivo provider 'sub': its authId, authToken and baseUrl inputs" in message
    assert "tok-sub" not in message


def test_a_stack_of_explicit_providers_only_needs_no_stack_config_credentials():
    sub_provider = provider("sub", SUB_REF, authId=SUB, authToken="tok-sub", baseUrl="http://127.0.0.1:1/v1")
    line = native("sub-line", NATIVE_NUMBER, SUB_REF, id=N1, inputs={"number": N1, "appId": ""})
    engine = FakeEngine({}, state=export(sub_provider, line))
    result = run_audit(
        "dev", engine=engine, client_factory=lambda s: FakeClient([{"number": N1}]), environ={}
    )
    assert (result.account, result.findings) == (SUB, [])
    with pytest.raises(AuditError, match="plivo:authId"):  # a resource of the default provider needs it
        run_audit("dev", engine=FakeEngine({}, state=export(res("a", number=N1))), environ={})


def test_a_subaccount_filter_of_another_subaccount_skips_that_account_s_listing_not_its_numbers():
    sub_provider = provider("sub", SUB_REF, authId=SUB, authToken="tok-sub", baseUrl="http://127.0.0.1:1/v1")
    line = native("sub-line", NATIVE_NUMBER, SUB_REF, id=N1, inputs={"number": N1, "appId": ""})

    class NotListed(FakeClient):
        def iter_numbers(self, **kw):
            raise AssertionError("a subaccount may not list another subaccount's numbers")

    clients = {MAIN: FakeClient([]), SUB: NotListed([{"number": N1}])}
    result = run_audit(
        "dev",
        filters={"subaccount": "SAOTHERSUBACCOUNT001"},
        engine=FakeEngine(CONFIG, state=export(sub_provider, line)),
        client_factory=lambda s: clients[s.auth_id],
        environ={},
    )
    assert (result.findings, result.looked_up, clients[SUB].gets) == ([], 1, [N1])


def test_orders_are_read_from_both_front_ends_and_from_a_pending_create():
    from plivo_pulumi.audit.state import orders_from_state

    native = {
        "urn": "urn:pulumi:dev::p::plivo:index:PhoneNumberOrder::sf",
        "type": "plivo:index:PhoneNumberOrder",
        "id": "po-aaaaaaaaaa",
        "inputs": {"__order_key": "po-aaaaaaaaaa"},
        "outputs": {
            "orderKey": "po-aaaaaaaaaa",
            "numbers": ["14154001002", "14154001001"],
            "details": [
                {"number": "14154001001", "monthlyRentalRate": "0.80000"},
                {"number": "14154001002", "monthlyRentalRate": None},
            ],
            "reservationAppId": "99",
        },
    }
    pending = {
        "type": "creating",
        "resource": {
            "urn": "urn:pulumi:dev::p::pulumi-python:dynamic/plivo:PhoneNumberOrder::nyc",
            "type": "pulumi-python:dynamic/plivo:PhoneNumberOrder",
            "inputs": {"__order_key": "po-bbbbbbbbbb"},
        },
    }
    found = orders_from_state({"deployment": {"resources": [native], "pending_operations": [pending]}})
    assert [(o.resource, o.key, o.recorded, o.reservation_app) for o in found] == [
        ("sf", "po-aaaaaaaaaa", True, "99"),
        ("nyc", "po-bbbbbbbbbb", False, None),
    ]
    assert found[0].to_dict()["numbers"] == [
        {"number": "14154001001", "monthly_cost": 0.8},
        {"number": "14154001002", "monthly_cost": None},
    ]
    assert found[0].monthly_cost == Decimal("0.8")
