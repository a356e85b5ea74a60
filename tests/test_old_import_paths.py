"""The import paths of the layout before engine/ and core/fleet_file.py keep working: users' programs
import them (the docs showed `from plivo_pulumi.bindings import declare_bindings`), and each old path
gives the very objects of its new home, so `isinstance`, monkeypatching and pickles agree."""

from __future__ import annotations

import importlib

import pytest

# old path -> (new home, the names users and tests imported from the old path)
MOVED = {
    "plivo_pulumi.engine_run": (
        "plivo_pulumi.engine.invocation",
        ["Invocation", "current_engine", "engine_address_of", "process_engine_address", "run_deployment",
         "run_is_cli_import", "run_is_constrained", "saved_config_hint", "EngineUnknownError"],
    ),
    "plivo_pulumi.engine_settings": ("plivo_pulumi.engine.settings", ["SAFE_ENGINE_ENV", "safe_engine_env"]),
    "plivo_pulumi.lock_wait": (
        "plivo_pulumi.engine.lock_wait",
        ["parse_duration", "run_waiting_for_lock", "lock_holder", "busy_reason", "empty_sidecars"],
    ),
    "plivo_pulumi.workspace": (
        "plivo_pulumi.engine.workspace",
        ["engine_command", "local_stack", "program_from_file", "set_secret_config"],
    ),
    "plivo_pulumi.safe_yaml": (
        "plivo_pulumi.core.safe_yaml",
        ["BoundedSafeLoader", "YAMLLimitError", "MAX_DEPTH", "MAX_EXPANDED_NODES", "expanded_size", "load"],
    ),
    "plivo_pulumi.bindings": (
        "plivo_pulumi.core.fleet_file",
        ["Binding", "BindingsError", "Fleet", "ApplicationSpec", "default_name", "load_bindings",
         "load_fleet", "parse_bindings", "parse_fleet", "resolve_bindings", "resolve_fleet"],
    ),
    "plivo_pulumi.simulator.model": (
        "plivo_pulumi.simulator.models",
        ["Account", "Application", "Number", "PlivoState", "SeedError", "SimError", "UNSET", "NUMBER_TYPES",
         "NUMBER_SHAPES", "SERVICES", "APP_CREATE_PARAMS", "APP_MODIFY_PARAMS", "APP_SETTABLE",
         "check_app_field", "check_number_shape", "parse_flag"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("old", MOVED)
def test_an_old_path_gives_the_objects_of_its_new_home(old: str) -> None:
    new, names = MOVED[old]
    old_module, new_module = importlib.import_module(old), importlib.import_module(new)
    for name in names:
        assert getattr(old_module, name) is getattr(new_module, name), f"{old}.{name}"
    star = getattr(old_module, "__all__", None)
    if star is not None:
        assert set(star) >= set(getattr(new_module, "__all__", names)), (
            f"`from {old} import *` keeps every name"
        )


def test_declare_bindings_is_still_where_the_docs_showed_it() -> None:
    from plivo_pulumi.bindings import declare_bindings
    from plivo_pulumi.dynamic.fleet import declare_bindings as today

    assert declare_bindings is today
    assert "declare_bindings" in importlib.import_module("plivo_pulumi.bindings").__all__


def test_old_modules_of_the_resources_still_name_the_providers() -> None:
    from plivo_pulumi import dynamic
    from plivo_pulumi.resources import application, rented_number, rented_number_set

    assert application.ApplicationProvider is dynamic.ApplicationProvider
    assert rented_number.RentedNumberProvider is dynamic.RentedNumberProvider
    assert rented_number_set.RentedNumberSetProvider is dynamic.RentedNumberSetProvider
