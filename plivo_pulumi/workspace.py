"""Old import path of `plivo_pulumi.engine.workspace`, kept for programs that import it."""

from plivo_pulumi.engine.workspace import (  # noqa: F401
    engine_command,
    local_stack,
    program_from_file,
    set_secret_config,
)
