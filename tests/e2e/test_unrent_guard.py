"""A number the code still declares is never unrented, whatever earlier runs left in the state
(docs/design.md, "When a number is unrented").

A move or a rename whose run failed (another resource named a number the account does not rent),
crashed (`kill -9`) or was limited by `--target` leaves the number in the state twice: under the
resource the code dropped (with `unrent_on_delete=True`) and under the one that adopted it. The next
run deletes the dropped one; the number must stay rented and bound as the code says. Checked through
the `pulumi` CLI against the simulator: its numbers, its request log (no DELETE), the state, the gate.
"""

from __future__ import annotations

import textwrap
import time

import pytest

from tests.support.accounts import APPS, MAIN, NUMBERS
from tests.support.cli_project import CliProject
from tests.support.processes import kill_tree

N1, N2, N3 = NUMBERS[:3]
NOT_RENTED = "15559999999"

# A resource that fails the run after the others were written (it waits for `after`).
TYPO = """
RentedNumber("typo", number="{not_rented}", opts=pulumi.ResourceOptions(depends_on=[{after}]))
"""


def source(*lines: str, typo_after: str | None = None) -> str:
    body = "import pulumi\nfrom plivo_pulumi import RentedNumber, RentedNumberSet\n" + "\n".join(lines) + "\n"
    if typo_after:
        body += TYPO.format(not_rented=NOT_RENTED, after=typo_after)
    return body


SINGLE = f'a = RentedNumber("a", number="{N1}", app_id="{APPS[0]}", unrent_on_delete=True)'
FLEET = f'fleet = RentedNumberSet("fleet", {{"{N1}": {{"app_id": "{APPS[1]}"}}}})'


def deletes(sim) -> list[str]:
    return [r["path"] for r in sim.requests_log()["requests"] if r["method"] == "DELETE"]


def failed_move(project, sim, before: str, after_failed: str, typo_after: str) -> CliProject:
    """`before` applied, then `after_failed` in a run that fails on the typo once the move is written."""
    stack = project(source(before))
    assert stack.up().ok
    stack.write_program(source(after_failed, typo_after=typo_after))
    failed = stack.up()
    assert failed.code != 0 and f"number {NOT_RENTED} is not rented" in failed.output, failed.output
    sim.clear_log()
    return stack


@pytest.mark.parametrize("rerun", [(), ("--refresh", "--run-program")], ids=["up", "up-refresh"])
def test_a_number_moved_into_a_set_in_a_failed_run_stays_rented(project, sim_e2e, rerun):
    stack = failed_move(project, sim_e2e, SINGLE, FLEET, "fleet")
    assert "a" in stack.resources() and "fleet" in stack.resources("RentedNumberSet"), "both hold it"
    assert sim_e2e.number(N1)["app_id"] == APPS[1], "the set adopted it before the run failed"

    stack.write_program(source(FLEET))
    fixed = stack.up(*rerun)
    assert fixed.ok, fixed.output
    assert deletes(sim_e2e) == [], "the set declares the number: it is never unrented"
    assert sim_e2e.number(N1)["app_id"] == APPS[1]
    assert "another resource of the stack declares it" in fixed.output
    assert "a" not in stack.resources() and stack.gate().ok


def test_a_rename_without_alias_in_a_failed_run_keeps_the_number(project, sim_e2e):
    old = f'RentedNumber("support-old", number="{N1}", app_id="{APPS[0]}", unrent_on_delete=True)'
    new = f'new = RentedNumber("support-new", number="{N1}", app_id="{APPS[0]}", unrent_on_delete=True)'
    stack = failed_move(project, sim_e2e, old, new, "new")

    stack.write_program(source(new))
    fixed = stack.up()
    assert fixed.ok, fixed.output
    assert deletes(sim_e2e) == [] and sim_e2e.number(N1)["app_id"] == APPS[0]
    assert set(stack.resources()) == {"support-new"} and stack.gate().ok


def test_a_number_moved_out_of_a_deleted_set_in_a_failed_run_stays_rented(project, sim_e2e):
    fleet = (
        f'RentedNumberSet("fleet", {{"{N1}": {{"app_id": "{APPS[0]}"}}, "{N2}": {{"app_id": "{APPS[0]}"}}}},'
        " unrent_on_delete=True)"
    )
    singles = (
        f'one = RentedNumber("one", number="{N1}", app_id="{APPS[1]}")\n'
        f'two = RentedNumber("two", number="{N2}", app_id="{APPS[1]}")'
    )
    stack = failed_move(project, sim_e2e, fleet, singles, "one, two")

    stack.write_program(source(singles))
    fixed = stack.up()
    assert fixed.ok, fixed.output
    assert deletes(sim_e2e) == [], "both numbers are declared by RentedNumber resources"
    assert sim_e2e.number(N1)["app_id"] == APPS[1] and sim_e2e.number(N2)["app_id"] == APPS[1]
    assert stack.resources("RentedNumberSet") == {} and stack.gate().ok


def test_target_never_unrents_what_the_resources_it_leaves_out_may_declare(project, sim_e2e):
    stack = failed_move(project, sim_e2e, SINGLE, FLEET, "fleet")
    stack.write_program(source(FLEET))
    urn = stack.resources()["a"]["urn"]

    # Only the dropped side: the engine does not check the set, so the provider cannot see that it
    # declares the number. The delete fails, the number stays rented, and the message says why.
    targeted = stack.up("--target", urn)
    assert targeted.code != 0
    assert f"number {N1} not unrented: this run is limited by --target/--exclude" in targeted.output
    assert deletes(sim_e2e) == [] and "a" in stack.resources()

    # Only the new side: the dropped one is not part of the run.
    set_urn = stack.resources("RentedNumberSet")["fleet"]["urn"]
    assert stack.up("--target", set_urn).ok
    assert deletes(sim_e2e) == [] and "a" in stack.resources()

    full = stack.up()
    assert full.ok, full.output
    assert deletes(sim_e2e) == [] and sim_e2e.number(N1)["app_id"] == APPS[1]
    assert "a" not in stack.resources() and stack.gate().ok


def test_target_still_unrents_a_number_no_resource_declares_in_a_full_run(project, sim_e2e):
    """The guard does not keep what the code really dropped: a full run unrents it as asked."""
    stack = project(source(SINGLE, FLEET.replace(N1, N2)))
    assert stack.up().ok
    stack.write_program(source(FLEET.replace(N1, N2)))
    sim_e2e.clear_log()
    assert stack.up().ok
    assert deletes(sim_e2e) == [f"/v1/Account/{MAIN}/Number/{N1}/"]
    assert sim_e2e.number(N1) is None and sim_e2e.number(N2) is not None


def test_a_crash_after_the_move_was_written_then_the_recovery_keeps_the_number(project, sim_e2e):
    """`kill -9` of the whole run once the set adopted the number (the old resource still in the state,
    its delete never reached), then README's recovery: the number stays rented."""
    slow = f'RentedNumber("slow", number="{N2}", opts=pulumi.ResourceOptions(depends_on=[fleet]))'
    stack = project(source(SINGLE))
    assert stack.up().ok
    stack.write_program(source(FLEET, slow))
    state = next(stack.state_dir.rglob(f"{stack.stack}.json"))
    sim_e2e.set_faults(latency_ms=400)
    run = stack.start_up()
    try:
        deadline = time.monotonic() + 120
        while "numberset-" not in state.read_text(errors="replace"):
            assert time.monotonic() < deadline and run.poll() is None, "the set was never recorded"
            time.sleep(0.05)
    finally:
        kill_tree(run.pid)
        run.wait(30)
    sim_e2e.clear_faults()
    assert "a" in stack.resources() and sim_e2e.number(N1)["app_id"] == APPS[1]
    sim_e2e.clear_log()

    # README, "When a run is interrupted": cancel, refresh dropping interrupted creates, up, gate.
    fixed = stack.recover()
    assert fixed.ok, fixed.output
    assert stack.gate().ok
    assert deletes(sim_e2e) == [] and sim_e2e.number(N1)["app_id"] == APPS[1]
    assert set(stack.resources()) == {"slow"}


def test_destroy_follows_the_resource_that_holds_the_number_after_the_fix(project, sim_e2e):
    stack = failed_move(project, sim_e2e, SINGLE, FLEET, "fleet")
    stack.write_program(source(FLEET))
    assert stack.up().ok
    destroyed = stack.destroy()
    assert destroyed.ok, destroyed.output
    assert deletes(sim_e2e) == [], "the set that holds it now does not unrent on delete"
    assert sim_e2e.number(N1) is not None


def test_a_number_given_as_an_output_beside_a_set_holding_it_is_refused(project, sim_e2e):
    """Issue 22 item 5: the duplicate is refused once the value is known, so the two resources never
    take turns rebinding the number."""
    program = textwrap.dedent(
        f"""
        import pulumi
        from plivo_pulumi import RentedNumber, RentedNumberSet
        RentedNumberSet("fleet", {{"{N1}": {{"app_id": "{APPS[0]}"}}}})
        RentedNumber("line", number=pulumi.Output.from_input("{N1}"), app_id="{APPS[1]}")
        """
    )
    stack = project(program)
    preview = stack.preview()
    assert preview.code != 0 and f"number {N1} is declared twice" in preview.output, preview.output
    assert "RentedNumberSet 'fleet'" in preview.output and "RentedNumber 'line'" in preview.output
    for _ in range(2):
        assert stack.up().code != 0
    posts = [r for r in sim_e2e.requests_log()["requests"] if r["method"] == "POST" and N1 in r["path"]]
    assert len(posts) <= 1, f"the binding was written {len(posts)} times: the two resources fight"
    assert sim_e2e.number(N1)["app_id"] in (APPS[0], None), "never the other resource's application"
    assert "line" not in stack.resources()


APP_V1 = """
import pulumi
from plivo_pulumi import Application, RentedNumber
ivr = Application("ivr", app_name="ivr-main", answer_url="https://voice.example.com/answer")
RentedNumber("line", number="{n1}", app_id=ivr.app_id)
"""
APP_V2 = """
import pulumi
from plivo_pulumi import Application, RentedNumber
ivr = Application("ivr-new", app_name="ivr-main", answer_url="https://voice.example.com/answer",
                  opts=pulumi.ResourceOptions(import_="{app_id}"))
RentedNumber("line", number="{n1}", app_id=ivr.app_id)
"""


@pytest.mark.parametrize("failed_first", [False, True], ids=["one-run", "after-a-failed-run"])
def test_an_application_the_code_adopts_under_a_new_name_is_never_deleted(project, sim_e2e, failed_first):
    """The application sibling of a rename without alias: the old resource's delete must neither
    delete the application nor unlink its numbers, since another resource of the code holds it."""
    stack = project(APP_V1.format(n1=N1))
    assert stack.up().ok
    app_id = stack.resources("Application")["ivr"]["id"]
    v2 = APP_V2.format(n1=N1, app_id=app_id)
    if failed_first:
        stack.write_program(v2 + TYPO.format(not_rented=NOT_RENTED, after="ivr"))
        assert stack.up().code != 0
    sim_e2e.clear_log()
    stack.write_program(v2)
    up = stack.up()
    assert up.ok, up.output
    assert "outside this stack" not in up.output
    assert sim_e2e.application(app_id) is not None, "the application the code adopts is kept"
    assert sim_e2e.number(N1)["app_id"] == app_id, "and its numbers stay linked"
    assert [r for r in sim_e2e.requests_log()["requests"] if r["method"] in ("DELETE",)] == []
    assert set(stack.resources("Application")) == {"ivr-new"} and stack.gate().ok
