"""One action per number, several requests in flight, every failure reported (the set's writes and
unrents, the numbers an `Application` unlinks before its deletion)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from plivo_pulumi.core.errors import (
    AuthenticationError,
    MalformedResponseError,
    PlivoError,
    RateLimitedError,
    ServerError,
    TransportError,
)

# Failures that say the API as a whole is unusable (not one number): once one is seen, the numbers
# not yet started are skipped, so an outage fails the run in one operation's time, not N's.
SYSTEMIC = (AuthenticationError, RateLimitedError, ServerError, TransportError, MalformedResponseError)
_SHOWN = 20


def run_all(
    action: Callable[[str], Any], numbers: list[str], in_flight: int, what: str, *, afterwards: str
) -> None:
    """Run `action` for every number, `in_flight` at a time. If any failed, raise one error that
    counts what succeeded, failed and was not attempted, lists the failures, and says `afterwards`
    (what the state or the account is left with)."""
    failures: dict[str, Exception] = {}
    skipped: list[str] = []
    stop = threading.Event()

    def attempt(number: str) -> None:
        if stop.is_set():
            skipped.append(number)
            return
        try:
            action(number)
        except PlivoError as exc:
            failures[number] = exc
            if isinstance(exc, SYSTEMIC):
                stop.set()

    with ThreadPoolExecutor(max_workers=in_flight) as pool:
        list(pool.map(attempt, numbers))
    if failures:
        done = len(numbers) - len(failures) - len(skipped)
        lines = [f"  {n}: {failures[n]}" for n in sorted(failures)[:_SHOWN]]
        more = f"\n  ... and {len(failures) - _SHOWN} more" if len(failures) > _SHOWN else ""
        not_tried = f", {len(skipped)} not attempted after the API failed" if skipped else ""
        refused = any(isinstance(exc, AuthenticationError) for exc in failures.values())
        raise (AuthenticationError if refused else PlivoError)(
            f"could not {what} for {len(failures)} of {len(numbers)} number(s) ({done} succeeded{not_tried}; "
            f"{afterwards}):\n" + "\n".join(lines) + more
        )
