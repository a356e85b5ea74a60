"""RentedNumber through the real engine against the simulator: plan, exit code, simulator state,
request log and state file, as a user would check them."""

from __future__ import annotations

import pulumi

from plivo_pulumi import RentedNumber, RentedNumberArgs
from tests.support.accounts import APPS, MAIN, NUMBERS, SUB, TOKEN


def fleet_program(spec: dict[str, dict]):
    """An inline program declaring one RentedNumber per entry of `spec` (edited between runs)."""

    def program() -> None:
        for name, kwargs in spec.items():
            kwargs = dict(kwargs)
            opts = kwargs.pop("opts", None)
            RentedNumber(name, opts=opts, **kwargs)

    return program


def calls(sim_e2e, method: str | None = None) -> int:
    by_method = sim_e2e.requests_log()["by_method"]
    return sum(by_method.values()) if method is None else by_method.get(method, 0)


def three_numbers() -> dict[str, dict]:
    return {
        "support": {"number": "+1 (555) 000-0001", "app_id": APPS[0]},
        "sales": {"number": NUMBERS[1], "app_id": APPS[1], "subaccount": SUB},
        "alerts": {"number": NUMBERS[2], "app_id": APPS[2]},
    }


def test_preview_is_free_up_adopts_and_binds_then_nothing_to_do(sim_e2e, make_stack):
    spec = three_numbers()
    stack = make_stack(fleet_program(spec))

    preview = stack.preview()
    assert preview.ok, preview.output
    assert preview.summary.get("create") == 4  # 3 numbers + the stack itself
    assert calls(sim_e2e) == 0, "a preview of a new stack must make no API call"

    up = stack.up()
    assert up.ok, up.output
    assert up.summary.get("create") == 4
    log = sim_e2e.requests_log()
    assert log["by_method"] == {"GET": 3, "POST": 3}, log["by_method"]
    assert sim_e2e.number(NUMBERS[0])["app_id"] == APPS[0]
    assert sim_e2e.number(NUMBERS[1])["app_id"] == APPS[1]
    assert sim_e2e.number(NUMBERS[1])["subaccount"] == SUB
    assert sim_e2e.number(NUMBERS[2])["app_id"] == APPS[2]

    state = stack.resources()
    assert set(state) == {"support", "sales", "alerts"}
    assert state["support"]["id"] == NUMBERS[0]
    assert state["support"]["outputs"]["number"] == NUMBERS[0]  # normalized from "+1 (555) 000-0001"
    assert state["sales"]["outputs"]["subaccount"] == SUB

    sim_e2e.clear_log()
    again = stack.preview()
    assert again.ok, again.output
    assert again.summary == {"same": 4}, again.summary  # 3 numbers + the stack
    assert calls(sim_e2e) == 0, "a no-op preview must make no API call"
    noop = stack.up()
    assert noop.ok and calls(sim_e2e) == 0
    refresh = stack.refresh(expect_no_changes=True)
    assert refresh.ok, "outputs written by up must match what a refresh reads: " + refresh.output


def test_adopting_an_already_bound_number_makes_no_write(sim_e2e, make_stack):
    sim_e2e.edit_out_of_band(NUMBERS[0], app_id=APPS[0])
    stack = make_stack(fleet_program({"support": {"number": NUMBERS[0], "app_id": APPS[0]}}))
    assert stack.up().ok
    assert sim_e2e.requests_log()["by_method"] == {"GET": 1}


def test_drift_is_invisible_to_plain_preview_caught_by_refresh_and_restored(sim_e2e, make_stack):
    stack = make_stack(fleet_program(three_numbers()))
    assert stack.up().ok
    sim_e2e.edit_out_of_band(NUMBERS[2], app_id=APPS[0])  # someone clicks in the console
    sim_e2e.clear_log()

    plain = stack.preview()
    assert plain.ok and plain.summary.get("update", 0) == 0
    assert calls(sim_e2e) == 0

    refreshed = stack.preview(refresh=True)
    assert refreshed.ok, refreshed.output
    assert refreshed.summary.get("update") == 1, refreshed.summary
    assert "alerts" in refreshed.output and APPS[2] in refreshed.output

    gate = stack.preview(refresh=True, expect_no_changes=True)
    assert gate.code != 0, "the pipeline gate must fail on drift"
    assert sim_e2e.number(NUMBERS[2])["app_id"] == APPS[0], "a preview never writes"

    sim_e2e.clear_log()
    fixed = stack.up(refresh=True)
    assert fixed.ok, fixed.output
    assert sim_e2e.number(NUMBERS[2])["app_id"] == APPS[2]
    assert calls(sim_e2e, "POST") == 1
    assert calls(sim_e2e, "GET") == 3  # the refresh: one GET per number

    assert stack.preview(refresh=True, expect_no_changes=True).ok


def test_number_unrented_out_of_band_is_dropped_by_refresh(sim_e2e, make_stack):
    stack = make_stack(fleet_program(three_numbers()))
    assert stack.up().ok
    sim_e2e.unrent_out_of_band(NUMBERS[1])
    refresh = stack.refresh()
    assert refresh.ok, refresh.output
    assert set(stack.resources()) == {"support", "alerts"}
    assert f"number {NUMBERS[1]} is no longer rented" in refresh.output


def test_code_changes_update_replace_unlink_and_unmanaged_fields(sim_e2e, make_stack):
    spec = three_numbers()
    stack = make_stack(fleet_program(spec))
    assert stack.up().ok

    sim_e2e.clear_log()
    spec["support"]["app_id"] = APPS[1]
    up = stack.up()
    assert up.ok and up.summary.get("update") == 1
    assert sim_e2e.requests_log()["by_method"] == {"POST": 1}
    assert sim_e2e.number(NUMBERS[0])["app_id"] == APPS[1]

    sim_e2e.clear_log()
    spec["alerts"]["number"] = NUMBERS[3]
    up = stack.up()
    assert up.ok and up.summary.get("replace") == 1, up.summary
    assert calls(sim_e2e, "DELETE") == 0, "the replaced number stays rented by default"
    assert sim_e2e.number(NUMBERS[3])["app_id"] == APPS[2]
    assert sim_e2e.number(NUMBERS[2]) is not None

    # app_id=None: the application binding is not managed, so a console change is not drift.
    spec["sales"]["app_id"] = None
    assert stack.up().ok
    sim_e2e.edit_out_of_band(NUMBERS[1], app_id=APPS[0])
    assert stack.preview(refresh=True, expect_no_changes=True).ok
    assert sim_e2e.number(NUMBERS[1])["app_id"] == APPS[0]

    # app_id="": managed as "no application".
    sim_e2e.clear_log()
    spec["support"]["app_id"] = ""
    assert stack.up().ok
    assert sim_e2e.number(NUMBERS[0])["app_id"] in (None, "")
    assert calls(sim_e2e, "POST") == 1


def test_import_adopts_without_write_and_refuses_to_write(sim_e2e, make_stack):
    sim_e2e.edit_out_of_band(NUMBERS[4], app_id=APPS[1])
    sim_e2e.edit_out_of_band(NUMBERS[3], app_id=APPS[0])
    spec = {
        "imported": {
            "number": NUMBERS[4],
            "app_id": APPS[1],
            "opts": pulumi.ResourceOptions(import_=NUMBERS[4]),
        },
    }
    stack = make_stack(fleet_program(spec))
    up = stack.up()
    assert up.ok, up.output
    assert sim_e2e.requests_log()["by_method"] == {"GET": 1}, "import reads and never writes"
    assert stack.resources()["imported"]["outputs"]["app_id"] == APPS[1]

    # The code disagrees with the account: an import fails instead of writing.
    spec["mismatch"] = {
        "number": NUMBERS[3],
        "app_id": APPS[2],
        "opts": pulumi.ResourceOptions(import_=NUMBERS[3]),
    }
    sim_e2e.clear_log()
    up = stack.up()
    assert up.code != 0
    assert "cannot import number 15550000004 without a write" in up.output
    assert calls(sim_e2e, "POST") == 0 and sim_e2e.number(NUMBERS[3])["app_id"] == APPS[0]


def test_rename_with_alias_is_free_and_without_alias_keeps_the_number(sim_e2e, make_stack):
    spec = {"old": {"number": NUMBERS[0], "app_id": APPS[0], "unrent_on_delete": True}}
    stack = make_stack(fleet_program(spec))
    assert stack.up().ok

    sim_e2e.clear_log()
    spec["new"] = {**spec.pop("old"), "opts": pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old")])}
    up = stack.up()
    assert up.ok, up.output
    assert calls(sim_e2e) == 0, "a rename with an alias makes no API call"

    sim_e2e.clear_log()
    spec["newer"] = {k: v for k, v in spec.pop("new").items() if k != "opts"}
    up = stack.up()
    assert up.ok, up.output
    assert calls(sim_e2e, "DELETE") == 0, "a number adopted by another resource is never unrented"
    assert sim_e2e.number(NUMBERS[0])["app_id"] == APPS[0]
    assert set(stack.resources()) == {"newer"}


def test_destroy_keeps_numbers_by_default_and_unrents_when_asked(sim_e2e, make_stack):
    spec = {
        "kept": {"number": NUMBERS[0], "app_id": APPS[0]},
        "gone1": {"number": NUMBERS[1], "app_id": APPS[1], "unrent_on_delete": True},
        "gone2": {"number": NUMBERS[2], "unrent_on_delete": True},
    }
    stack = make_stack(fleet_program(spec))
    assert stack.up().ok
    sim_e2e.clear_log()
    destroy = stack.destroy()
    assert destroy.ok, destroy.output
    assert sim_e2e.requests_log()["by_method"] == {"DELETE": 2}
    assert sim_e2e.number(NUMBERS[0])["app_id"] == APPS[0], "kept rented and bound"
    assert sim_e2e.number(NUMBERS[1]) is None and sim_e2e.number(NUMBERS[2]) is None
    assert f"number {NUMBERS[0]} stays rented" in destroy.output


def test_unrent_on_delete_given_as_an_output_is_taken_at_its_value(sim_e2e, make_stack):
    """`unrent_on_delete=<Output of False>` must keep the number: an Output object is truthy."""

    def program() -> None:
        RentedNumber(
            "kept", number=NUMBERS[0], app_id=APPS[0], unrent_on_delete=pulumi.Output.from_input(False)
        )
        RentedNumber("gone", number=NUMBERS[1], unrent_on_delete=pulumi.Output.from_input(True))

    stack = make_stack(program)
    assert stack.up().ok
    assert stack.destroy().ok
    assert sim_e2e.number(NUMBERS[0])["app_id"] == APPS[0], "kept rented and bound"
    assert sim_e2e.number(NUMBERS[1]) is None


def test_args_object_is_accepted(sim_e2e, make_stack):
    def program() -> None:
        RentedNumber("support", RentedNumberArgs(number=NUMBERS[0], app_id=APPS[0]))

    stack = make_stack(program)
    assert stack.up().ok
    assert sim_e2e.number(NUMBERS[0])["app_id"] == APPS[0]


def test_bad_inputs_fail_the_preview_naming_the_property_with_no_write(sim_e2e, make_stack):
    bad_inputs = [
        ("number", {"number": "555-CALL-NOW"}),
        ("app_id", {"number": NUMBERS[1], "app_id": "app-12x"}),
        ("subaccount", {"number": NUMBERS[2], "subaccount": "SA123"}),
        ("import_", {"number": NUMBERS[2], "opts": pulumi.ResourceOptions(import_=NUMBERS[3])}),
    ]
    spec: dict[str, dict] = {}
    stack = make_stack(fleet_program(spec))
    for prop, entry in bad_inputs:
        spec.clear()
        spec["bad"] = entry
        preview = stack.preview()
        assert preview.code != 0, prop
        assert f"property {prop} value" in preview.output or f"property {prop} " in preview.output, (
            preview.output
        )
        assert stack.up().code != 0
    assert calls(sim_e2e) == 0, "invalid inputs must be caught before any API call"


def test_number_not_rented_by_the_account_fails_clearly(sim_e2e, make_stack):
    stack = make_stack(fleet_program({"stranger": {"number": "15559999999", "app_id": APPS[0]}}))
    up = stack.up()
    assert up.code != 0
    assert "15559999999 is not rented by this account" in up.output
    assert calls(sim_e2e, "POST") == 0


def test_missing_credentials_and_wrong_token_name_the_config_keys(sim_e2e, make_stack):
    spec = {"support": {"number": NUMBERS[0], "app_id": APPS[0]}}
    missing = make_stack(fleet_program(spec), token=None, name="missing")
    up = missing.up()
    assert up.code != 0
    assert "plivo:authToken" in up.output and "PLIVO_AUTH_TOKEN" in up.output

    wrong = make_stack(fleet_program(spec), token="not-the-right-token", name="wrong")
    up = wrong.up()
    assert up.code != 0
    assert "plivo:authToken" in up.output
    assert calls(sim_e2e, "POST") == 0


def test_auth_token_never_appears_in_plain_text(sim_e2e, make_stack):
    spec = three_numbers()
    stack = make_stack(fleet_program(spec))
    assert stack.up().ok
    sim_e2e.edit_out_of_band(NUMBERS[0], app_id=APPS[2])
    stack.preview(refresh=True)
    stack.up(refresh=True)
    export = stack.export_text()
    assert f'"{NUMBERS[0]}"' in export, "the export holds the numbers: it is the real thing"
    stack.destroy()
    everything = stack.state_files_text() + export + stack.export_text() + "\n".join(stack.outputs)
    config_file = (stack.workdir / "project" / "Pulumi.dev.yaml").read_text()
    assert TOKEN not in everything
    assert TOKEN not in config_file and "secure:" in config_file
    assert MAIN in config_file  # the auth id is not secret; proves we looked at the right file
