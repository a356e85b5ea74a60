"""What every domain of the model shares: the errors it raises, the `UNSET` marker of an edit, and the
readers of seed fields, whose errors name the section, the entry and the field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "UNSET",
    "SeedError",
    "SimError",
    "seed_bool",
    "seed_list",
    "seed_mapping",
    "seed_optional_str",
    "seed_place",
    "seed_str",
]


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


class SimError(Exception):
    """A domain error with the HTTP status the API answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class SeedError(ValueError):
    """An invalid seed: the message names the section, the entry and the field."""


def seed_place(section: str, index: int | None, field: str | None = None) -> str:
    place = section if index is None else f"{section}[{index}]"
    return f"{place}.{field}" if field else place


def seed_mapping(value: Any, where: str, allowed: Iterable[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SeedError(f"{where}: expected a mapping, got {type(value).__name__}")
    unknown = sorted(str(k) for k in value if k not in allowed)
    if unknown:
        raise SeedError(
            f"{where}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )
    return value


def seed_list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SeedError(f"{where}: expected a list, got {type(value).__name__}")
    return value


def seed_optional_str(value: Any, where: str) -> str | None:
    """A seed field that may be absent (None)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise SeedError(f"{where}: expected a string, got {type(value).__name__}")
    return str(value)


def seed_str(value: Any, where: str, *, default: str | None = None) -> str:
    """A seed field that is required, or takes `default` when absent."""
    text = seed_optional_str(value, where)
    if text is None:
        if default is None:
            raise SeedError(f"{where}: is required")
        return default
    return text


def seed_bool(value: Any, where: str, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise SeedError(f"{where}: expected true or false, got {value!r}")
    return value
