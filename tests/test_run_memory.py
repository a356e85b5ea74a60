"""One engine run, one memory (issue 29, items 1, 2 and 6): the journal that the provider processes of
a run share, how the run's engine process is found, and what fails closed when it cannot be."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from plivo_pulumi.core.deployment import Deployment
from plivo_pulumi.core.errors import PlivoError
from plivo_pulumi.core.lifecycle import Context
from plivo_pulumi.core.lifecycle.application import ApplicationLifecycle
from plivo_pulumi.core.lifecycle.safety import numbers_to_unrent
from plivo_pulumi.core.run_journal import Journal, RunMemoryUnavailable, remove_finished_runs
from plivo_pulumi.engine.invocation import engine_address_of

N1, N2, N3 = "15550000001", "15550000002", "15550000003"
APP = "11111111111111"


def shared(root: Path, key: str = "100-200-300") -> Deployment:
    return Deployment(Journal(key, root=root))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    base = tmp_path / "mem"
    base.mkdir(mode=0o700)
    return base / "runs"


def context(deployment: Deployment, notes: list[str], constrained: bool = False) -> Context:
    def no_client() -> None:  # never called by the refusals under test
        raise AssertionError("no API call expected")

    return Context(
        client=no_client,
        account="MAE2ETESTACCOUNT0001",
        deployment=deployment,
        notify=notes.append,
        constrained=lambda: constrained,
    )


def test_two_processes_of_one_run_see_what_the_other_noted(root: Path) -> None:
    default, explicit = shared(root), shared(root)  # as two plugin processes of one engine run
    default.note_declared([N1, "not-a-number"])
    explicit.note_declared_application(APP)
    explicit.mark_released([N2])
    explicit.note_application_owner(APP, "SAE2ESUBACCOUNT00001")
    assert explicit.declares(N1) and not explicit.declares(N3)
    assert default.declares_application(APP)
    assert default.released(N2)
    assert default.application_owner(APP, "MAIN") == "SAE2ESUBACCOUNT00001"
    notes: list[str] = []
    assert numbers_to_unrent(context(explicit, notes), [N1, N3], True) == [N3]
    assert notes == [f"number {N1} stays rented: another resource of the stack declares it"]


def test_a_number_claimed_under_two_providers_names_both_the_same_urn_may_claim_again(root: Path) -> None:
    default, explicit = shared(root), shared(root)
    default.claim("RentedNumber 'a'", [N1], key="urn:a")
    default.claim("RentedNumber 'a'", [N1], key="urn:a")
    explicit.claim("RentedNumber 'a'", [N1], key="urn:a")  # the same resource, checked again
    with pytest.raises(
        PlivoError, match=f"number {N1} is declared twice in this stack: by RentedNumber 'a' and by"
    ):
        explicit.claim("RentedNumberSet 'b'", [N2, N1], key="urn:b")
    explicit.claim("RentedNumberSet 'b'", [N2], key="urn:b")  # nothing of the refused claim was noted
    with pytest.raises(PlivoError, match=f"number {N2} is declared twice"):
        default.claim("RentedNumber 'c'", [N2], key="urn:c")
    explicit.claim_application_name("Application 'x'", "ivr", "", key="urn:x")
    with pytest.raises(
        PlivoError, match="'ivr' of the main account is declared twice in this stack: by Application 'x'"
    ):
        default.claim_application_name("Application 'y'", "ivr", "", key="urn:y")
    default.claim_application_name("Application 'x'", "ivr", "", key="urn:x")
    explicit.claim_order_key("PhoneNumberOrder 'sf'", "po-0123456789", "urn:o1")
    with pytest.raises(PlivoError, match="PhoneNumberOrder 'sf' share the order key po-0123456789"):
        default.claim_order_key("PhoneNumberOrder 'sf' (dynamic)", "po-0123456789", "urn:o2")
    default.claim_order_key("PhoneNumberOrder 'sf'", "po-0123456789", "urn:o1")


def test_another_run_or_another_stack_sees_nothing(root: Path) -> None:
    shared(root, "100-200-300").note_declared([N1])
    assert not shared(root, "100-200-301").declares(N1), "the update of `pulumi up` after its preview"
    assert not shared(root, "101-200-300").declares(N1), "another `pulumi` process"
    shared(root, "100-200-300").claim("RentedNumber 'a'", [N1], key="urn:a")
    shared(root, "101-200-300").claim("RentedNumber 'b'", [N1], key="urn:b")


def test_a_large_set_is_read_once_per_process(root: Path) -> None:
    writer, reader = shared(root), shared(root)
    numbers = [f"1555{i:07d}" for i in range(10_000)]
    writer.note_declared(numbers)
    assert reader.declares(numbers[-1])
    size = (root / "100-200-300" / "journal.jsonl").stat().st_size
    assert size < 200_000
    assert reader._journal is not None and reader._journal._offset == size
    assert reader.declares(numbers[0]), "answered from what it read"


def test_a_memory_that_cannot_be_opened_fails_closed(tmp_path: Path) -> None:
    base = tmp_path / "open"
    base.mkdir(mode=0o755)  # open to others: someone else could plant the memory
    with pytest.raises(RunMemoryUnavailable, match="open to other users"):
        Journal("1-2-3", root=base / "runs")
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(RunMemoryUnavailable, match="not a plain directory"):
        Journal("1-2-3", root=link / "runs")
    with pytest.raises(RunMemoryUnavailable):
        Journal("../escape", root=tmp_path / "x" / "runs")


def test_an_unavailable_memory_refuses_to_unrent_or_delete_an_application() -> None:
    memory = Deployment(unavailable="the memory is unavailable (test)")
    memory.note_declared([N1])
    memory.claim("RentedNumber 'a'", [N1])  # claims in this process still work
    notes: list[str] = []
    assert numbers_to_unrent(context(memory, notes), [N1], False) == [], "nothing to ask: stays rented"
    with pytest.raises(PlivoError, match=f"number {N1} not unrented: the memory is unavailable"):
        numbers_to_unrent(context(memory, notes), [N1], True)
    app = ApplicationLifecycle(context(memory, notes))
    with pytest.raises(
        PlivoError, match=f"application ivr \\({APP}\\) not deleted: the memory is unavailable"
    ):
        app.delete(APP, {"app_name": "ivr", "adopted": False})
    app.delete(APP, {"app_name": "ivr", "adopted": True})  # kept anyway: no question to ask
    assert notes[-1].startswith(f"application ivr ({APP}) is kept: it was adopted")


def test_a_run_whose_limits_are_unknown_unrents_nothing(root: Path) -> None:
    def unknown() -> bool:
        raise PlivoError("the command line of the `pulumi` process of this run cannot be read")

    ctx = context(shared(root), [])
    ctx.constrained = unknown
    with pytest.raises(PlivoError, match=f"number {N3} not unrented: the command line"):
        numbers_to_unrent(ctx, [N3], True)


def test_finished_runs_are_removed(root: Path) -> None:
    shared(root, "1-1-1")
    shared(root, "2-2-2")
    remove_finished_runs(root, alive=lambda key: key == "2-2-2", keep="3-3-3")
    assert sorted(p.name for p in root.iterdir()) == ["1-1-1", "2-2-2"], "written too recently"
    remove_finished_runs(root, alive=lambda key: key == "2-2-2", keep="3-3-3", min_age=0)
    assert sorted(p.name for p in root.iterdir()) == ["2-2-2"]


def test_the_engine_address_is_read_from_the_command_line() -> None:
    assert engine_address_of(["python", "exec", "--monitor", "127.0.0.1:1", "--engine", "127.0.0.1:2"]) == (
        "127.0.0.1:2"
    )
    assert engine_address_of(["pulumi-resource-plivo", "127.0.0.1:4000", "--logtostderr"]) == "127.0.0.1:4000"
    assert engine_address_of(["python", "-u", "-m", "pulumi.dynamic", "127.0.0.1:5"]) == "127.0.0.1:5"
    assert engine_address_of(["python", "-m", "pytest", "-q"]) is None


CHILD = """
from plivo_pulumi.engine.invocation import current_engine, process_engine_address, run_deployment
engine = current_engine()
print(process_engine_address(), engine and engine.pid, engine and engine.port, run_deployment().shared)
"""


def test_the_engine_is_the_ancestor_that_listens_on_the_address(tmp_path: Path) -> None:
    """Found by its socket whatever its executable is called (here: python, the test process)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        env = {**os.environ, "TMPDIR": str(tmp_path)}
        shown = subprocess.run(
            [sys.executable, "-c", CHILD, f"127.0.0.1:{port}"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout.split()
    assert shown == [f"127.0.0.1:{port}", str(os.getpid()), str(port), "True"]
    assert len(list((tmp_path / f"plivo-pulumi-{os.getuid()}" / "runs").iterdir())) == 1


def test_an_engine_that_cannot_be_found_makes_the_memory_and_the_limits_unknown(tmp_path: Path) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))  # not listening: no process serves this address
        port = server.getsockname()[1]
    code = (
        "from plivo_pulumi.engine.invocation import run_deployment, run_is_constrained\n"
        "from plivo_pulumi.core.errors import PlivoError\n"
        "print(run_deployment().shared)\n"
        "try:\n    run_is_constrained()\nexcept PlivoError as exc:\n    print('refused:', exc)\n"
        "try:\n    run_deployment().declares('15550000001')\n"
        "except PlivoError as exc:\n    print('refused:', exc)\n"
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code, f"127.0.0.1:{port}"], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert out.startswith("False\n"), out
    assert "refused: the command line of the `pulumi` process of this run cannot be read" in out
    assert "refused: the memory shared by the provider processes of this run is unavailable" in out
