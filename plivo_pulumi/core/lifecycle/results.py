"""What a lifecycle answers, in terms of no SDK: each front-end turns these into its engine's
messages (the dynamic provider's CheckResult, DiffResult, ...; the native provider's gRPC replies)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Failure:
    """One refused input."""

    field: str  # snake_case input name, a path inside it (`bindings["1555"].app_id`), or "" = the whole
    reason: str  # never quotes a secret value


@dataclass
class Checked:
    inputs: dict[str, Any]  # normalized inputs, snake_case, hidden keys included
    failures: list[Failure]


@dataclass
class Planned:
    """A diff."""

    changed: list[str]  # input names (top level) whose value changes; always filled
    replaces: list[str]
    # True: the front-end may let the engine compare the old and new inputs itself (the dynamic
    # front-end answers `changes=None`): it then honours `ignore_changes` and `replace_on_changes`
    # and reports each property, after a refresh set the drifted inputs to their live values.
    engine_may_compare: bool = False
    delete_before_replace: bool = False


@dataclass
class Written:
    """What a create or an update leaves."""

    id: str
    outputs: dict[str, Any]
    # Outputs derived from a secret input (a secret app_id's `application` URI): the engine marks
    # secret the outputs named like a secret input by itself, not these.
    secret_outputs: frozenset[str] = field(default_factory=frozenset)


@dataclass
class Observed:
    """What a read found; `id == ""` means the resource is gone (a refresh drops it)."""

    id: str
    outputs: dict[str, Any]
    inputs: dict[str, Any] | None  # the inputs a refresh leaves in the state (None: keep them)
    secret_outputs: frozenset[str] = field(default_factory=frozenset)


def changed_inputs(olds: Mapping[str, Any], news: Mapping[str, Any], names: Iterable[str]) -> list[str]:
    """The names among `names` whose new value is not the old one (an unknown counts as a change)."""
    return [name for name in names if olds.get(name) != news.get(name)]
