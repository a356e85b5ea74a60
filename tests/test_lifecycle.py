"""The core's lifecycles called directly, as any front-end calls them: plain snake_case properties,
a `Context` of the test's making, the simulator over real HTTP, no Pulumi. What the dynamic
provider tests check through the host's types, these check at the core: the notes a delete leaves,
the refusals of a run limited by --target, the hint after a refused credential, the secret outputs,
the engine import (`read(id, {})` then `check_import`), and the one-owner rule of `Deployment`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from plivo_pulumi.core import UNKNOWN, is_unknown
from plivo_pulumi.core.client import PlivoClient
from plivo_pulumi.core.deployment import Deployment
from plivo_pulumi.core.errors import AuthenticationError, PlivoError
from plivo_pulumi.core.lifecycle import (
    DECLARED_KEY,
    IMPORT_KEY,
    SECRETS_KEY,
    ApplicationLifecycle,
    Context,
    Failure,
    Lifecycle,
    RentedNumberLifecycle,
    RentedNumberSetLifecycle,
)
from plivo_pulumi.simulator.testing import SimulatorProcess

MAIN = "MALIFECYCLETEST00001"
TOKEN = "tok-lifecycle-Hq7Zp3Xv"
APP_A, APP_B = "77777777777771", "77777777777772"
N1, N2, N3 = "15551250001", "15551250002", "15551250003"
ANSWER = "https://voice.example.com/answer"


@pytest.fixture(scope="module")
def sim_module() -> Iterator[SimulatorProcess]:
    with SimulatorProcess() as sim:
        yield sim


@pytest.fixture
def sim(sim_module: SimulatorProcess) -> SimulatorProcess:
    sim_module.reset(
        {
            "accounts": [{"auth_id": MAIN, "auth_token": TOKEN}],
            "applications": [
                {"app_id": a, "account": MAIN, "app_name": f"app-{a[-1]}"} for a in (APP_A, APP_B)
            ],
            "numbers": [{"number": n, "account": MAIN} for n in (N1, N2, N3)],
        }
    )
    sim_module.clear_log()
    return sim_module


class Run:
    """One deployment's context, recording what it tells the user."""

    def __init__(self, sim: SimulatorProcess | None, token: str = TOKEN, constrained: bool = False) -> None:
        self.notes: list[str] = []
        self.deployment = Deployment()
        self._client: PlivoClient | None = None
        self.context = Context(
            client=self.client,
            account=MAIN,
            deployment=self.deployment,
            notify=self.notes.append,
            constrained=lambda: constrained,
            credentials_hint=lambda: "HINT: which config this run used",
        )
        self._sim, self._token = sim, token

    def client(self) -> PlivoClient:
        if self._client is None:
            assert self._sim is not None, "check and diff make no client"
            self._client = PlivoClient(MAIN, self._token, self._sim.base_url, max_retries=0)
        return self._client

    def __call__(self, lifecycle: type[Lifecycle]) -> Any:
        return lifecycle(self.context)


def calls(sim: SimulatorProcess) -> dict[str, int]:
    return sim.requests_log()["by_method"]


# -- RentedNumber -----------------------------------------------------------------------------------


def test_check_and_diff_need_no_client_and_pass_unknowns_through() -> None:
    number = Run(None)(RentedNumberLifecycle)
    checked = number.check({}, {"number": "+1 (555) 125-0001", "app_id": UNKNOWN}, frozenset())
    assert checked.failures == [] and checked.inputs["number"] == N1 and is_unknown(checked.inputs["app_id"])
    bad = number.check({}, {"number": "12", "app_id": "x"}, frozenset({"app_id"}))
    assert {f.field for f in bad.failures} == {"number", "app_id"}
    assert all(isinstance(f, Failure) for f in bad.failures)
    assert "x" not in next(f.reason for f in bad.failures if f.field == "app_id")
    olds = {"number": N1, "app_id": APP_A, "subaccount": "", "unrent_on_delete": False}
    assert number.diff(N1, olds, {**olds, "app_id": APP_B}).changed == ["app_id"]
    assert number.diff(N1, olds, {**olds, "number": N2}).replaces == ["number"]
    assert number.diff(N1, {**olds, DECLARED_KEY: {}}, olds).engine_may_compare is True


def test_a_number_is_adopted_read_and_kept_on_delete(sim: SimulatorProcess) -> None:
    run = Run(sim)
    number = run(RentedNumberLifecycle)
    inputs = number.check(
        {}, {"number": N1, "app_id": APP_A, DECLARED_KEY: {"app_id": APP_A}}, frozenset()
    ).inputs
    written = number.create(inputs)
    assert written.id == N1 and written.outputs["app_id"] == APP_A and calls(sim) == {"GET": 1, "POST": 1}
    assert run.deployment.declares(N1)
    sim.edit_out_of_band(N1, app_id=APP_B)
    observed = number.read(N1, written.outputs)
    assert observed.outputs["app_id"] == APP_B and observed.inputs is not None
    assert observed.inputs["app_id"] == APP_B and observed.inputs[DECLARED_KEY]["app_id"] == APP_A
    sim.clear_log()
    number.delete(N1, {"number": N1, "unrent_on_delete": False})
    assert calls(sim) == {} and run.deployment.released(N1)
    assert run.notes == [f"number {N1} stays rented with its bindings (unrent_on_delete is false)"]


def test_a_secret_app_id_makes_the_application_uri_a_secret_output(sim: SimulatorProcess) -> None:
    number = Run(sim)(RentedNumberLifecycle)
    inputs = number.check({}, {"number": N1, "app_id": APP_A}, frozenset({"app_id"})).inputs
    assert inputs[SECRETS_KEY] == ["app_id"]
    written = number.create(inputs)
    assert written.secret_outputs == {"application"} and APP_A in written.outputs["application"]
    assert number.create({"number": N2, "app_id": APP_A}).secret_outputs == frozenset()


def test_a_run_limited_by_target_unrents_nothing(sim: SimulatorProcess) -> None:
    number = Run(sim, constrained=True)(RentedNumberLifecycle)
    with pytest.raises(PlivoError, match="limited by --target/--exclude"):
        number.delete(N1, {"number": N1, "unrent_on_delete": True})
    assert sim.number(N1) is not None and calls(sim) == {}


def test_a_declared_number_is_never_unrented(sim: SimulatorProcess) -> None:
    run = Run(sim)
    run(RentedNumberLifecycle).check({}, {"number": N2}, frozenset())
    run(RentedNumberLifecycle).delete(N2, {"number": N2, "unrent_on_delete": True})
    assert sim.number(N2) is not None and "another resource of the stack declares it" in run.notes[0]
    run(RentedNumberLifecycle).delete(N3, {"number": N3, "unrent_on_delete": True})
    assert sim.number(N3) is None


def test_a_refused_credential_on_a_read_carries_the_front_ends_hint(sim: SimulatorProcess) -> None:
    number = Run(sim, token="wrong-token-Zq")(RentedNumberLifecycle)
    with pytest.raises(AuthenticationError, match="HINT: which config") as refused:
        number.read(N1, {"number": N1})
    assert "wrong-token-Zq" not in str(refused.value)
    with pytest.raises(AuthenticationError) as plain:
        number.create({"number": N1})
    assert "HINT" not in str(plain.value), "a create is not explained (it runs the program's config)"


def test_an_engine_import_reads_with_no_props_and_checks_without_a_write(sim: SimulatorProcess) -> None:
    sim.edit_out_of_band(N1, app_id=APP_A)
    number = Run(sim)(RentedNumberLifecycle)
    observed = number.read(N1, {})
    assert observed.id == N1 and observed.inputs is not None
    assert observed.inputs["app_id"] == APP_A and observed.inputs[IMPORT_KEY] == N1
    assert number.check_import(observed.inputs, {"number": N1, "app_id": APP_A}, frozenset()) == []
    assert number.check_import(observed.inputs, {"number": N1, "app_id": UNKNOWN}, frozenset()) == []
    [differs] = number.check_import(observed.inputs, {"number": N1, "app_id": APP_B}, frozenset({"app_id"}))
    assert differs.field == "app_id" and "without a write" in differs.reason and APP_B not in differs.reason
    [other] = number.check_import(observed.inputs, {"number": N2}, frozenset())
    assert other.field == "number"
    assert calls(sim) == {"GET": 1}


# -- RentedNumberSet --------------------------------------------------------------------------------


def test_a_set_adopts_writes_in_parallel_and_releases(sim: SimulatorProcess) -> None:
    run = Run(sim)
    fleet = run(RentedNumberSetLifecycle)
    checked = fleet.check({}, {"bindings": {N1: {"app_id": APP_A}, N2: {"app_id": APP_A}}}, frozenset())
    assert checked.failures == [] and checked.inputs["bindings"] == {N1: f"{APP_A}/*", N2: f"{APP_A}/*"}
    written = fleet.create(checked.inputs)
    assert written.id.startswith("numberset-") and calls(sim)["POST"] == 2
    assert sim.number(N1)["app_id"] == APP_A  # type: ignore[index]
    update = fleet.update(written.id, written.outputs, {**checked.inputs, "bindings": {N1: f"{APP_A}/*"}})
    assert update.outputs["bindings"] == {N1: f"{APP_A}/"} and run.deployment.released(N2)
    assert any("left set" in note for note in run.notes)


def test_a_set_is_imported_by_its_numbers(sim: SimulatorProcess) -> None:
    sim.edit_out_of_band(N1, app_id=APP_A)
    fleet = Run(sim)(RentedNumberSetLifecycle)
    observed = fleet.read(f"{N2},+1 555 125 0001", {})
    assert observed.id.startswith("numberset-") and observed.inputs is not None
    assert observed.inputs["bindings"] == {N1: f"{APP_A}/", N2: "/"}, "the simulator reports the subaccount"
    same = {"bindings": {N1: f"{APP_A}/", N2: "/*"}}
    assert fleet.check_import(observed.inputs, same, frozenset()) == []
    [differs] = fleet.check_import(observed.inputs, {"bindings": {N1: f"{APP_B}/*", N2: "/*"}}, frozenset())
    assert differs.field == "bindings" and N1 in differs.reason
    [hidden] = fleet.check_import(
        observed.inputs, {"bindings": {N1: f"{APP_B}/*", N2: "/*"}}, frozenset({"bindings"})
    )
    assert N1 not in hidden.reason and APP_B not in hidden.reason
    with pytest.raises(PlivoError, match="not rented"):
        fleet.read("15559990000", {})


# -- Application ------------------------------------------------------------------------------------


def test_an_application_is_created_once_and_found_by_name_after(sim: SimulatorProcess) -> None:
    run = Run(sim)
    app = run(ApplicationLifecycle)
    checked = app.check({}, {"app_name": "ivr-core", "answer_url": ANSWER}, frozenset())
    assert checked.failures == [] and checked.inputs["hangup_url"] == ANSWER
    created = app.create(checked.inputs)
    assert run.deployment.declares_application(created.id) and created.outputs["adopted"] is False
    again = Run(sim)(ApplicationLifecycle).create(checked.inputs)
    assert again.id == created.id and again.outputs["adopted"] is True, "adopted, not a second one"
    assert len([a for a in sim.applications() if a.get("app_name") == "ivr-core"]) == 1


def test_a_replacement_keeps_the_application_as_the_read_of_its_run_found_it(sim: SimulatorProcess) -> None:
    """`up --replace`: the engine shows the create nothing of the old half; a read of the same run
    (`--refresh`) does, and without one the create refuses before any write."""
    first = Run(sim)(ApplicationLifecycle)
    inputs = first.check({}, {"app_name": "ivr-swap", "answer_url": ANSWER}, frozenset()).inputs
    made = first.create(inputs)

    unread = Run(sim)
    unread.context.replacing_unread = lambda: True
    sim.clear_log()
    with pytest.raises(PlivoError, match="--refresh") as refused:
        unread(ApplicationLifecycle).create(inputs)
    assert made.id in str(refused.value) and "Nothing was changed" in str(refused.value)
    assert calls(sim).get("POST", 0) == 0 and not unread.deployment.declares_application(made.id)

    refreshed = Run(sim)
    refreshed.context.replacing_unread = lambda: True  # the read below makes it irrelevant
    app = refreshed(ApplicationLifecycle)
    app.read(made.id, made.outputs)
    kept = app.create(inputs)
    assert kept.id == made.id and kept.outputs["adopted"] is False, "still the stack's own"
    app.delete(made.id, made.outputs)  # the old half: kept, the new half declares it
    assert sim.application(made.id) is not None and calls(sim).get("DELETE", 0) == 0

    adopted = Run(sim)(ApplicationLifecycle)
    old = adopted.create(inputs)  # found by name: adopted
    adopted.read(old.id, old.outputs)
    assert adopted.create(inputs).outputs["adopted"] is True, "a read of an adopted one proves nothing"


def test_an_application_is_imported_by_its_id(sim: SimulatorProcess) -> None:
    app = Run(sim)(ApplicationLifecycle)
    observed = app.read(APP_A, {})
    assert observed.id == APP_A and observed.inputs is not None and observed.outputs["adopted"] is True
    assert observed.inputs[IMPORT_KEY] == APP_A and observed.inputs["app_name"] == "app-1"
    declared = {k: v for k, v in observed.inputs.items() if not k.startswith("__") and k != IMPORT_KEY}
    assert app.check_import(observed.inputs, declared, frozenset()) == []
    [differs] = app.check_import(observed.inputs, {**declared, "answer_url": ANSWER}, frozenset())
    assert differs.field == "answer_url" and f"application {APP_A}" in differs.reason


# -- Deployment --------------------------------------------------------------------------------------


def test_one_number_one_owner_and_one_application_name_one_owner() -> None:
    deployment = Deployment()
    deployment.claim("RentedNumber 'a'", [N1, N2])
    deployment.claim("RentedNumber 'a'", [N1])  # the same owner again
    with pytest.raises(PlivoError, match=f"number {N2} is declared twice in this stack: by RentedNumber 'a'"):
        deployment.claim("RentedNumberSet 'b'", [N3, N2])
    deployment.claim("RentedNumberSet 'b'", [N3])  # nothing of the refused claim was noted
    deployment.claim_application_name("Application 'x'", "ivr", "")
    deployment.claim_application_name("Application 'y'", "ivr", "SA" + "1" * 18)  # another owner's
    with pytest.raises(PlivoError, match="'ivr' of the main account is declared twice"):
        deployment.claim_application_name("Application 'z'", "ivr", "")
    deployment.forget()
    deployment.claim("RentedNumberSet 'b'", [N2])
