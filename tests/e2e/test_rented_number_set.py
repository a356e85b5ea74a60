"""RentedNumberSet through the real engine against the simulator: adoption, drift, reconcile,
partial failure then convergence, import, add/remove, destroy, bad entries, and the API-call bound
of its read."""

from __future__ import annotations

import math

import pulumi

from plivo_pulumi import RentedNumberSet
from tests.support.accounts import APPS, MAIN, NUMBERS, SUB, e2e_seed


def set_program(spec: dict, **kwargs):
    """An inline program declaring one RentedNumberSet `fleet` from `spec` (edited between runs)."""

    def program() -> None:
        opts = spec.get("opts")
        bindings = spec["bindings"]
        bindings = dict(bindings) if isinstance(bindings, dict) else list(bindings)
        RentedNumberSet("fleet", bindings, opts=opts, **{**kwargs, **spec.get("kwargs", {})})

    return program


def by_method(sim_e2e) -> dict[str, int]:
    return sim_e2e.requests_log()["by_method"]


def five_bindings() -> dict[str, dict]:
    return {
        "+1 555 000 0001": {"app_id": APPS[0]},
        NUMBERS[1]: {"app_id": APPS[0], "subaccount": SUB},
        NUMBERS[2]: {"app_id": APPS[1], "subaccount": ""},
        NUMBERS[3]: {"app_id": APPS[2]},
        NUMBERS[4]: {"app_id": None, "subaccount": SUB},
    }


def test_adopt_bind_then_noop_and_cheap_refresh(sim_e2e, make_stack):
    spec = {"bindings": five_bindings()}
    stack = make_stack(set_program(spec))
    preview = stack.preview()
    assert preview.ok and by_method(sim_e2e) == {}

    up = stack.up()
    assert up.ok, up.output
    assert by_method(sim_e2e) == {"GET": 1, "POST": 5}, (
        "one List page reads the 5-number account, then 5 POSTs"
    )
    assert sim_e2e.number(NUMBERS[0])["app_id"] == APPS[0]
    assert sim_e2e.number(NUMBERS[1])["subaccount"] == SUB
    assert sim_e2e.number(NUMBERS[4])["subaccount"] == SUB and sim_e2e.number(NUMBERS[4])["app_id"] in (
        None,
        "",
    )
    [fleet] = stack.resources("RentedNumberSet").values()
    assert fleet["outputs"]["bindings"][NUMBERS[1]] == f"{APPS[0]}/{SUB}"
    assert fleet["outputs"]["bindings"][NUMBERS[4]] == f"/{SUB}"  # live app shown; the field is unmanaged

    sim_e2e.clear_log()
    assert stack.preview().summary == {"same": 2}
    assert stack.up().ok and by_method(sim_e2e) == {}
    refresh = stack.refresh(expect_no_changes=True)
    assert refresh.ok, refresh.output
    assert by_method(sim_e2e) == {"GET": 1}


def test_drift_caught_and_reconciled_with_only_the_changed_numbers(sim_e2e, make_stack):
    stack = make_stack(set_program({"bindings": five_bindings()}))
    assert stack.up().ok
    sim_e2e.edit_out_of_band(NUMBERS[0], app_id=APPS[2])
    sim_e2e.edit_out_of_band(NUMBERS[2], subaccount=SUB)
    sim_e2e.edit_out_of_band(NUMBERS[4], app_id=APPS[1])  # unmanaged field: not drift
    sim_e2e.clear_log()

    assert stack.preview().summary == {"same": 2}, "without refresh the engine trusts its state"
    drift = stack.preview(refresh=True)
    assert drift.ok and drift.summary.get("update") == 1
    assert NUMBERS[0] in drift.output and NUMBERS[2] in drift.output
    assert stack.preview(refresh=True, expect_no_changes=True).code != 0

    sim_e2e.clear_log()
    fixed = stack.up(refresh=True)
    assert fixed.ok, fixed.output
    assert by_method(sim_e2e) == {"GET": 1, "POST": 2}
    assert sim_e2e.number(NUMBERS[0])["app_id"] == APPS[0]
    assert sim_e2e.number(NUMBERS[2])["subaccount"] in (None, "")
    assert sim_e2e.number(NUMBERS[4])["app_id"] == APPS[1]
    assert stack.preview(refresh=True, expect_no_changes=True).ok


def test_partial_failure_reports_every_failed_number_and_a_rerun_converges(sim_e2e, make_stack):
    spec = {"bindings": {n: {"app_id": APPS[0]} for n in NUMBERS[:4]}}
    stack = make_stack(set_program(spec))
    assert stack.up().ok

    spec["bindings"] = {n: {"app_id": APPS[1]} for n in NUMBERS[:4]}
    sim_e2e.unrent_out_of_band(NUMBERS[3])  # its POST will fail with 404
    sim_e2e.clear_log()
    failed = stack.up()
    assert failed.code != 0
    assert "1 of 4 number(s)" in failed.output and NUMBERS[3] in failed.output
    assert [sim_e2e.number(n)["app_id"] for n in NUMBERS[:3]] == [APPS[1]] * 3
    [fleet] = stack.resources("RentedNumberSet").values()
    assert fleet["outputs"]["bindings"][NUMBERS[0]] == f"{APPS[0]}/", "state never claims a failed update"

    sim_e2e.rent_out_of_band(NUMBERS[3], account=MAIN)
    sim_e2e.clear_log()
    rerun = stack.up(refresh=True)
    assert rerun.ok, rerun.output
    assert by_method(sim_e2e).get("POST") == 1, "only what is left is written"
    assert all(sim_e2e.number(n)["app_id"] == APPS[1] for n in NUMBERS[:4])
    assert stack.preview(refresh=True, expect_no_changes=True).ok


def test_numbers_not_rented_fail_before_any_write(sim_e2e, make_stack):
    bindings = {NUMBERS[0]: {"app_id": APPS[0]}, "15559999998": {"app_id": APPS[0]}, "15559999999": {}}
    stack = make_stack(set_program({"bindings": bindings}))
    up = stack.up()
    assert up.code != 0
    assert "2 number(s) are not rented by this account: 15559999998, 15559999999" in up.output
    assert "POST" not in by_method(sim_e2e)


def test_add_and_remove_numbers(sim_e2e, make_stack):
    spec = {"bindings": {n: {"app_id": APPS[0]} for n in NUMBERS[:2]}, "kwargs": {"unrent_on_delete": True}}
    stack = make_stack(set_program(spec))
    assert stack.up().ok
    sim_e2e.clear_log()
    spec["bindings"] = {NUMBERS[1]: {"app_id": APPS[0]}, NUMBERS[2]: {"app_id": APPS[2]}}
    up = stack.up()
    assert up.ok, up.output
    assert "DELETE" not in by_method(sim_e2e), "a number removed from the set is never unrented"
    assert sim_e2e.number(NUMBERS[0])["app_id"] == APPS[0], "released as it was"
    assert sim_e2e.number(NUMBERS[2])["app_id"] == APPS[2]
    assert by_method(sim_e2e) == {"GET": 1, "POST": 1}
    [fleet] = stack.resources("RentedNumberSet").values()
    assert sorted(fleet["outputs"]["bindings"]) == [NUMBERS[1], NUMBERS[2]]


def test_import_adopts_without_write_or_refuses(sim_e2e, make_stack):
    for n in NUMBERS[:3]:
        sim_e2e.edit_out_of_band(n, app_id=APPS[1])
    spec = {
        "bindings": {n: {"app_id": APPS[1]} for n in NUMBERS[:3]},
        "opts": pulumi.ResourceOptions(import_="fleet"),
    }
    stack = make_stack(set_program(spec))
    sim_e2e.clear_log()
    up = stack.up()
    assert up.ok, up.output
    assert by_method(sim_e2e) == {"GET": 1}

    other = make_stack(set_program({**spec, "bindings": {NUMBERS[0]: {"app_id": APPS[2]}}}), name="other")
    sim_e2e.clear_log()
    refused = other.up()
    assert refused.code != 0 and "cannot import 1 number(s) without a write" in refused.output
    assert "POST" not in by_method(sim_e2e)


def test_destroy_keeps_numbers_by_default_and_unrents_when_asked(sim_e2e, make_stack):
    keep = make_stack(set_program({"bindings": {n: {"app_id": APPS[0]} for n in NUMBERS[:2]}}), name="keep")
    assert keep.up().ok
    sim_e2e.clear_log()
    assert keep.destroy().ok
    assert by_method(sim_e2e) == {}
    assert all(sim_e2e.number(n)["app_id"] == APPS[0] for n in NUMBERS[:2])

    spec = {"bindings": {n: {} for n in NUMBERS[2:5]}, "kwargs": {"unrent_on_delete": True}}
    gone = make_stack(set_program(spec), name="gone")
    assert gone.up().ok
    sim_e2e.clear_log()
    destroy = gone.destroy()
    assert destroy.ok, destroy.output
    assert by_method(sim_e2e) == {"DELETE": 3}
    assert all(sim_e2e.number(n) is None for n in NUMBERS[2:5])
    assert sim_e2e.number(NUMBERS[0]) is not None


def test_bad_entries_fail_the_preview_naming_the_entry(sim_e2e, make_stack):
    cases = [
        ("bindings[1].app_id", [{"number": NUMBERS[0]}, {"number": NUMBERS[1], "app_id": "x1"}]),
        ("bindings[1].number", [{"number": NUMBERS[0]}, {"number": "+1 555 000 0001"}]),
        ('bindings["12"].number', {"12": {"app_id": APPS[0]}}),
        ('bindings["15550000001"].subaccount', {NUMBERS[0]: {"subaccount": "sa-lower"}}),
    ]
    spec: dict = {"bindings": {}}
    stack = make_stack(set_program(spec))
    for prop, bindings in cases:
        spec["bindings"] = bindings
        preview = stack.preview()
        assert preview.code != 0, prop
        assert f"property {prop}" in preview.output, preview.output
    assert by_method(sim_e2e) == {}


def test_read_cost_is_bounded_by_pages_or_numbers(sim_e2e, make_stack):
    seed = e2e_seed()
    seed["generate"] = {"count": 195, "prefix": "1666", "account": MAIN}
    sim_e2e.reset(seed)
    total = 200
    pages = math.ceil(total / 20)

    big = {f"1666{i:07d}": {"app_id": APPS[0]} for i in range(60)}
    stack = make_stack(set_program({"bindings": big}), name="big")
    assert stack.up().ok
    sim_e2e.clear_log()
    assert stack.refresh().ok
    assert sum(by_method(sim_e2e).values()) <= min(len(big), pages) + 1

    small = {n: {"app_id": APPS[0]} for n in NUMBERS[:3]}
    few = make_stack(set_program({"bindings": small}), name="few")
    assert few.up().ok
    sim_e2e.clear_log()
    assert few.refresh().ok
    assert sum(by_method(sim_e2e).values()) <= min(len(small), pages) + 1
