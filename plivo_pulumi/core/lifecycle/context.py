"""What a lifecycle gets from its front-end: the client, the configured account, the deployment's
memory, a way to tell the user something, and what it cannot learn itself about the engine's run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from plivo_pulumi.core.client import PlivoClient
from plivo_pulumi.core.deployment import Deployment
from plivo_pulumi.core.errors import AuthenticationError


@dataclass
class Context:
    client: Callable[[], PlivoClient]  # made on first use: check and diff never call it
    account: str | None  # the configured auth id, known without credentials
    # The engine run's memory, shared by its processes (`engine.invocation.run_deployment`).
    deployment: Deployment
    notify: Callable[[str], None]  # a line for the user (dynamic: stderr; native: the engine's log)
    constrained: Callable[[], bool]  # True when the engine runs with --target / --exclude
    # What to add when a read or a delete is refused its credentials (the engine may have given the
    # provider the config saved at the last deployment): None adds nothing.
    credentials_hint: Callable[[], str] | None = None
    # True when the run replaces an Application by URN (`up --replace`) without reading the state's
    # resources first (`--refresh`): a create that finds its application by name cannot tell then
    # whether the stack made it (docs/design.md, "Applications").
    replacing_unread: Callable[[], bool] = lambda: False

    @contextmanager
    def explaining_refusals(self) -> Iterator[None]:
        """Around reads and deletes, which may run with the config saved at the last deployment: a
        401/403 says whether this run used that saved config and which command uses the current one."""
        try:
            yield
        except AuthenticationError as exc:
            if self.credentials_hint is None:
                raise
            raise AuthenticationError(
                f"{exc}\n{self.credentials_hint()}", status=exc.status, method=exc.method, path=exc.path
            ) from None
