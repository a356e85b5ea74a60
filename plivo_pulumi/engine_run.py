"""Old import path of `plivo_pulumi.engine.invocation`, kept for programs that import it."""

from plivo_pulumi.engine.invocation import (  # noqa: F401
    GENERAL_HINT,
    Engine,
    EngineUnknownError,
    Invocation,
    current_engine,
    current_invocation,
    engine_address_of,
    engine_alive,
    find_engine,
    process_engine_address,
    run_deployment,
    run_is_cli_import,
    run_is_constrained,
    run_replaces_unread_application,
    saved_config_hint,
    start_time,
)
