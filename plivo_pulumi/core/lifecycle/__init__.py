"""The lifecycle of each resource (check, diff, create, read, update, delete), free of Pulumi: one
module per resource, each a class that a front-end builds with a `Context` and calls with plain
snake_case properties. The front-ends (`plivo_pulumi.dynamic`, `plivo_pulumi.native`) only convert
their SDK's values and replies to and from these."""

from __future__ import annotations

from typing import Any, Protocol

from plivo_pulumi.core.lifecycle.application import ApplicationLifecycle
from plivo_pulumi.core.lifecycle.binding import API_FIELDS, NOT_SHOWN
from plivo_pulumi.core.lifecycle.context import Context
from plivo_pulumi.core.lifecycle.keys import DECLARED_KEY, IMPORT_KEY, LIVE_KEY, SECRETS_KEY
from plivo_pulumi.core.lifecycle.rented_number import RentedNumberLifecycle
from plivo_pulumi.core.lifecycle.rented_number_set import RentedNumberSetLifecycle
from plivo_pulumi.core.lifecycle.results import Checked, Failure, Observed, Planned, Written

__all__ = [
    "API_FIELDS",
    "ApplicationLifecycle",
    "DECLARED_KEY",
    "IMPORT_KEY",
    "LIVE_KEY",
    "NOT_SHOWN",
    "SECRETS_KEY",
    "Checked",
    "Context",
    "Failure",
    "Lifecycle",
    "Observed",
    "Planned",
    "RentedNumberLifecycle",
    "RentedNumberSetLifecycle",
    "Written",
]


class Lifecycle(Protocol):
    """What every resource's lifecycle offers its front-end."""

    def __init__(self, context: Context) -> None: ...

    def check(self, olds: dict[str, Any], news: dict[str, Any], secret: frozenset[str]) -> Checked: ...

    def diff(self, id: str, olds: dict[str, Any], news: dict[str, Any]) -> Planned: ...

    def create(self, props: dict[str, Any]) -> Written: ...

    def read(self, id: str, props: dict[str, Any]) -> Observed: ...

    def update(self, id: str, olds: dict[str, Any], news: dict[str, Any]) -> Written: ...

    def delete(self, id: str, props: dict[str, Any]) -> None: ...

    def check_import(
        self, olds: dict[str, Any], news: dict[str, Any], secret: frozenset[str]
    ) -> list[Failure]:
        """For an engine that imports by `read(id, {})` then checks the program's inputs against
        what that read returned (`olds`): what adopting as it is would have to write. No I/O."""
        ...
