"""Safety cases a hostile review found (issue 13), through the CLI in a project folder: the state is
never emptied by a wrong endpoint, one number is never managed twice, and bad input is refused at
preview with no API call."""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.support.accounts import APPS, MAIN, NUMBERS, TOKEN
from tests.support.cli_project import CliProject, plivo_config

N1, N2, N3 = NUMBERS[:3]
OTHER = "MAOTHERACCOUNT000001"  # a main account that is not the configured one

TWO_NUMBERS = f"""
from plivo_pulumi import RentedNumber
RentedNumber("support", number="{N1}", app_id="{APPS[0]}")
RentedNumber("sales", number="{N2}", app_id="{APPS[1]}")
"""


@pytest.mark.parametrize("wrong", ["{origin}", "{origin}/v2"])
def test_a_wrong_base_url_fails_the_refresh_and_keeps_the_state(project, sim_e2e, wrong):
    stack = project(TWO_NUMBERS)
    assert stack.up().ok
    origin = sim_e2e.base_url.rsplit("/v1", 1)[0]
    stack.config_set("plivo:baseUrl", wrong.format(origin=origin), secret=False)

    refresh = stack.refresh("--run-program")
    assert refresh.code != 0, "every GET answered 404: that is a wrong endpoint, not unrented numbers"
    assert "endpoint is wrong" in refresh.output and "plivo:baseUrl" in refresh.output
    assert set(stack.resources()) == {"support", "sales"}, "the state keeps every number"
    assert sim_e2e.number(N1) is not None and sim_e2e.number(N2) is not None


@pytest.mark.parametrize(
    "program",
    [
        f"""
        from plivo_pulumi import RentedNumber
        RentedNumber("first", number="{N1}", app_id="{APPS[0]}")
        RentedNumber("second", number="+1 (555) 000-0001", app_id="{APPS[1]}")
        """,
        f"""
        from plivo_pulumi import RentedNumber, RentedNumberSet
        RentedNumberSet("first", {{"{N2}": {{"app_id": "{APPS[0]}"}}, "{N1}": {{"app_id": "{APPS[0]}"}}}})
        RentedNumber("second", number="1-555-000-0001", app_id="{APPS[1]}")
        """,
        f"""
        from plivo_pulumi import RentedNumberSet
        RentedNumberSet("first", {{"{N1}": {{"app_id": "{APPS[0]}"}}}})
        RentedNumberSet("second", [{{"number": "{N1}", "app_id": "{APPS[1]}"}}])
        """,
    ],
    ids=["two-numbers", "set-and-number", "two-sets"],
)
def test_one_number_declared_twice_fails_preview_naming_both(project, sim_e2e, program):
    stack = project(program)
    preview = stack.preview()
    assert preview.code != 0
    assert f"number {N1} is declared twice" in preview.output
    assert "'first'" in preview.output and "'second'" in preview.output
    assert sim_e2e.requests_log()["total"] == 0
    # `pulumi up` previews first, so it stops there too. (With --skip-preview the resources declared
    # before the duplicate may be adopted before the program fails; the duplicate never is.)
    up = stack.pulumi("up", "--yes", "--stack", stack.stack, "--non-interactive")
    assert up.code != 0 and sim_e2e.requests_log()["total"] == 0, "no API write"


@pytest.mark.parametrize(
    ("declaration", "says"),
    [
        ('app_id="   "', "application id is blank"),
        ('subaccount=" "', "subaccount is blank"),
        (f'app_id="/v1/Account/{OTHER}/Application/{APPS[0]}/"', f"belongs to account {OTHER}"),
        (
            'subaccount="/v1/Account/MAOTHERACCOUNT000001/Subaccount/SAE2ESUBACCOUNT00001/"',
            "belongs to account",
        ),
    ],
    ids=["blank-app", "blank-subaccount", "foreign-app-uri", "foreign-subaccount-uri"],
)
def test_input_that_would_be_reinterpreted_is_refused_at_preview(project, sim_e2e, declaration, says):
    stack = project(
        f"from plivo_pulumi import RentedNumber\nRentedNumber('odd', number='{N1}', {declaration})\n"
    )
    preview = stack.preview()
    assert preview.code != 0 and says in preview.output, preview.output
    assert sim_e2e.requests_log()["total"] == 0


def test_an_integer_app_id_is_taken_like_a_string(project, sim_e2e):
    stack = project(
        f"from plivo_pulumi import RentedNumber, RentedNumberSet\n"
        f"RentedNumber('int-app', number={N1}, app_id={APPS[0]})\n"
        f"RentedNumberSet('int-set', {{'{N2}': {{'app_id': {APPS[1]}}}}})\n"
    )
    up = stack.up()
    assert up.ok, up.output
    assert sim_e2e.number(N1)["app_id"] == APPS[0] and sim_e2e.number(N2)["app_id"] == APPS[1]
    assert stack.gate().ok


def test_the_audit_of_several_stacks_reports_a_number_managed_in_two(tmp_path, sim_e2e):
    program = f"""
        import pulumi
        from plivo_pulumi import RentedNumber
        mine = {{"blue": ["{N1}", "{N2}"], "green": ["{N2}", "{N3}"]}}[pulumi.get_stack()]
        for number in mine:
            RentedNumber(f"line-{{number[-1]}}", number=number, app_id="{APPS[0]}")
        """
    blue = CliProject(tmp_path / "p", textwrap.dedent(program), stack="blue")
    green = CliProject(tmp_path / "p", "", stack="green", project_dir=blue.dir)
    for stack in (blue, green):
        stack.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
        assert stack.up().ok
    done = blue.plivo_numbers("audit", "--stack", "blue", "--stack", "green", "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["stack"] == "blue, green" and report["managed_total"] == 4
    duplicated = [f for f in report["findings"] if f["kind"] == "duplicated"]
    assert duplicated == [
        {
            "kind": "duplicated",
            "number": N2,
            "app_id": None,
            "resource": "blue:line-2, green:line-2",
            "field": None,
            "expected": None,
            "live": None,
            "account": MAIN,
        }
    ]


def test_provider_errors_show_the_message_not_a_traceback(project, sim_e2e):
    stack = project("from plivo_pulumi import RentedNumber\nRentedNumber('nope', number='15559999999')\n")
    up = stack.up()
    assert up.code != 0
    assert "number 15559999999 is not rented by this account" in up.output
    assert "Traceback" not in up.output, up.output
    verbose = stack.up("-v=9", "--logflow", "--logtostderr")
    assert verbose.code != 0 and "Traceback" in verbose.output, "the detail is there when asked for"


def test_a_huge_input_is_not_echoed_back(project, sim_e2e):
    stack = project("from plivo_pulumi import RentedNumber\nRentedNumber('huge', number='1' * 100_000)\n")
    preview = stack.preview()
    assert preview.code != 0 and "property number" in preview.output and "too long" in preview.output
    assert len(preview.output) < 10_000, f"{len(preview.output)} characters of output"
    assert sim_e2e.requests_log()["total"] == 0


def test_refresh_reads_each_number_once_with_skip_preview_and_twice_without(project, sim_e2e):
    stack = project(TWO_NUMBERS)
    assert stack.up().ok
    sim_e2e.clear_log()
    assert stack.refresh("--run-program").ok  # the harness passes --skip-preview
    assert sim_e2e.requests_log()["by_method"] == {"GET": 2}, "one GET per number"
    sim_e2e.clear_log()
    with_preview = stack.pulumi(
        "refresh", "--yes", "--run-program", "--stack", stack.stack, "--non-interactive"
    )
    assert with_preview.ok, with_preview.output
    assert sim_e2e.requests_log()["by_method"] == {"GET": 4}, "the preview reads every number too"
    sim_e2e.clear_log()
    assert stack.up("--refresh", "--run-program").ok
    assert sim_e2e.requests_log()["by_method"] == {"GET": 2}


MOVABLE = """
import json, pathlib
import pulumi
from plivo_pulumi import RentedNumber
spec = json.loads(pathlib.Path(f"numbers-{pulumi.get_stack()}.json").read_text())
for name, args in spec.items():
    number = args.pop("number")
    imported = args.pop("import", False)
    opts = pulumi.ResourceOptions(import_=number) if imported else None
    RentedNumber(name, number=number, opts=opts, **args)
"""


def test_moving_a_number_between_stacks_the_documented_way_never_unrents_it(tmp_path, sim_e2e):
    """README, "Moving a number": adopt in the target with import_, make the source let go without
    unrenting, remove it from the source; the audit of both stacks shows the overlap, then none."""
    source = CliProject(tmp_path / "p", textwrap.dedent(MOVABLE), stack="source")
    target = CliProject(tmp_path / "p", "", stack="target", project_dir=source.dir)

    def declare(stack: CliProject, spec: dict) -> None:
        (stack.dir / f"numbers-{stack.stack}.json").write_text(json.dumps(spec))

    def audit() -> dict:
        done = source.plivo_numbers("audit", "--stack", "source", "--stack", "target", "--json")
        return json.loads(done.stdout)

    line = {"number": N1, "app_id": APPS[0]}
    declare(source, {"line": {**line, "unrent_on_delete": True}})
    declare(target, {})
    for stack in (source, target):
        stack.init(plivo_config(sim_e2e.base_url, MAIN, TOKEN))
        assert stack.up().ok

    sim_e2e.clear_log()
    declare(target, {"line": {**line, "import": True}})  # 1. the target adopts it, writing nothing
    assert target.up().ok
    assert "POST" not in sim_e2e.requests_log()["by_method"]
    assert [f["number"] for f in audit()["findings"] if f["kind"] == "duplicated"] == [N1]

    declare(source, {"line": {**line, "unrent_on_delete": False}})  # 2. the source lets go safely
    assert source.up().ok
    declare(source, {})  # 3. and drops it
    assert source.up().ok

    assert sim_e2e.number(N1)["app_id"] == APPS[0], "still rented and bound"
    assert "DELETE" not in sim_e2e.requests_log()["by_method"]
    assert [f for f in audit()["findings"] if f["kind"] in ("duplicated", "drifted", "gone")] == []
    assert set(target.resources()) == {"line"} and source.resources() == {}


def test_ignore_changes_keeps_a_console_change_and_other_fields_are_still_reconciled(project, sim_e2e):
    stack = project(
        f"import pulumi\nfrom plivo_pulumi import RentedNumber\n"
        f"RentedNumber('line', number='{N1}', app_id='{APPS[0]}', subaccount='',\n"
        f"             opts=pulumi.ResourceOptions(ignore_changes=['app_id']))\n"
    )
    assert stack.up().ok
    sim_e2e.edit_out_of_band(N1, app_id=APPS[2])  # someone re-points it; the code says: leave it
    sim_e2e.clear_log()
    gate = stack.gate()
    assert gate.ok, gate.output
    reconcile = stack.up("--refresh", "--run-program")
    assert reconcile.ok, reconcile.output
    assert sim_e2e.number(N1)["app_id"] == APPS[2], "ignore_changes: the console's app stays"
    assert "POST" not in sim_e2e.requests_log()["by_method"]

    sim_e2e.edit_out_of_band(N1, subaccount="SAE2ESUBACCOUNT00001")  # a field that is not ignored
    assert stack.gate().code != 0
    assert stack.up("--refresh", "--run-program").ok
    assert sim_e2e.number(N1)["subaccount"] is None and sim_e2e.number(N1)["app_id"] == APPS[2]


def test_replace_on_changes_replaces_instead_of_updating(project, sim_e2e):
    program = (
        "import pulumi\nfrom plivo_pulumi import RentedNumber\n"
        "RentedNumber('line', number='{n}', app_id='{app}',\n"
        "             opts=pulumi.ResourceOptions(replace_on_changes=['app_id']))\n"
    )
    stack = project(program.format(n=N1, app=APPS[0]))
    assert stack.up().ok
    stack.write_program(program.format(n=N1, app=APPS[1]))
    preview = stack.preview()
    assert preview.ok and "1 to replace" in preview.output, preview.output
    up = stack.up()
    assert up.ok and "replaced" in up.output, up.output
    assert sim_e2e.number(N1)["app_id"] == APPS[1], "the replacement adopted the number and bound it"
    assert "DELETE" not in sim_e2e.requests_log()["by_method"]


def test_a_wrong_base_url_keeps_a_sets_state_and_fails_the_audit(project, sim_e2e):
    bindings = {N1: {"app_id": APPS[0]}, N2: {"app_id": APPS[1]}}
    stack = project(f"from plivo_pulumi import RentedNumberSet\nRentedNumberSet('fleet', {bindings!r})\n")
    assert stack.up().ok
    stack.config_set("plivo:baseUrl", sim_e2e.base_url.rsplit("/v1", 1)[0], secret=False)
    refresh = stack.refresh("--run-program")
    assert refresh.code != 0
    assert stack.resources("RentedNumberSet")["fleet"]["outputs"]["bindings"].keys() == {N1, N2}
    audit = stack.plivo_numbers("audit", "--stack", stack.stack)
    assert audit.returncode == 2 and "gone" not in audit.stdout, audit.stdout + audit.stderr


def test_code_changed_to_accept_a_console_change_leaves_the_audit_clean(project, sim_e2e):
    program = "from plivo_pulumi import RentedNumber\nRentedNumber('line', number='{n}', app_id='{app}')\n"
    stack = project(program.format(n=N1, app=APPS[0]))
    assert stack.up().ok
    sim_e2e.edit_out_of_band(N1, app_id=APPS[2])  # someone re-points it; the team agrees and
    stack.write_program(program.format(n=N1, app=APPS[2]))  # changes the code to match
    sim_e2e.clear_log()
    assert stack.up("--refresh", "--run-program").ok
    assert "POST" not in sim_e2e.requests_log()["by_method"], "the account already matches the code"
    assert stack.gate().ok
    audit = stack.plivo_numbers("audit", "--stack", stack.stack, "--json")
    drifted = [f for f in json.loads(audit.stdout)["findings"] if f["kind"] == "drifted"]
    assert drifted == [], "the state records what the code declares now"
