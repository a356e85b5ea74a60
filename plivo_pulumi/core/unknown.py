"""The engine's marker for a value not known until apply (another resource's output at preview).

Each front-end turns its SDK's unknowns into this marker before calling the core, so the core has
one test for them (`is_unknown`) and hands the marker back where a value stays unknown."""

from __future__ import annotations

from typing import Any

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value == UNKNOWN
