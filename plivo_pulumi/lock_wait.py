"""Old import path of `plivo_pulumi.engine.lock_wait`, kept for programs that import it."""

from plivo_pulumi.engine.lock_wait import (  # noqa: F401
    LOCKED,
    STATE_MID_WRITE,
    Holder,
    Interrupted,
    busy_reason,
    empty_sidecars,
    lock_holder,
    parse_duration,
    run_waiting_for_lock,
)
