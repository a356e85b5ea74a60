"""The native front-end's edge: the SDK's `PropertyValue`s <-> the plain Python values the core takes,
camelCase (the schema) <-> snake_case (the core), secrets and unknowns.

* Numbers: the wire knows only doubles; a whole number comes back as an int only where the core asks
  for one (the core accepts both for `max_in_flight`, as the dynamic front-end gets floats too).
* Unknowns: the engine marshals an unknown as the marker string `UNKNOWN`, which the SDK unmarshals as
  a plain string: the core sees exactly the marker it expects. The SDK's `Computed` (never produced
  by unmarshalling here) is turned into that marker too, since `Computed` cannot be marshalled.
* Secrets: which top-level properties carry a secret is reported beside the values, and outputs named
  like a secret input are marked secret again.
* Names: only property names are converted, never map keys (a set's `bindings` is keyed by numbers).
  Hidden keys (`__declared`, `__secrets`, `import_id`, `__live`...) pass unchanged: the engine treats
  `__` keys like any other for resource providers (only analyzers skip them), and the program-side
  SDKs drop them from the outputs a program sees.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pulumi.provider.experimental.property_value import (
    Computed,
    PropertyValue,
    PropertyValueType,
    ResourceReference,
)

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's wire marker for an unknown value

# Properties whose value is a mapping of property names (converted one level down), by snake name.
NESTED_OBJECT_MAPS = frozenset({"bindings"})

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])([A-Z])")


def is_hidden(name: str) -> bool:
    """Keys the core keeps for itself: never renamed, never shown in a schema."""
    return name.startswith("__") or name == "import_id"


def to_snake(name: str) -> str:
    if is_hidden(name):
        return name
    return _CAMEL_BOUNDARY.sub(lambda m: "_" + m.group(1).lower(), name)


def to_camel(name: str) -> str:
    if is_hidden(name):
        return name
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def is_computed(value: PropertyValue) -> bool:
    """Whether `value` is the SDK's Computed. Never `value == PropertyValue.computed()`: the SDK's
    `Computed.__eq__` refers to a `PropertyValue.Computed` that does not exist and raises."""
    return isinstance(value.value, Computed)


def plain(value: PropertyValue) -> Any:
    """A PropertyValue as plain Python (secretness dropped: see `secret_names`)."""
    if is_computed(value):
        return UNKNOWN
    inner = value.value
    kind = value.type
    if kind is PropertyValueType.ARRAY and isinstance(inner, Sequence):
        return [plain(item) for item in inner if isinstance(item, PropertyValue)]
    if kind is PropertyValueType.MAP and isinstance(inner, Mapping):
        return {key: plain(item) for key, item in inner.items()}
    if isinstance(inner, ResourceReference):
        return inner.urn
    return inner


def wire(value: Any, secret: bool = False) -> PropertyValue:
    """Plain Python as a PropertyValue; ints become doubles (the wire has no integers)."""
    if isinstance(value, PropertyValue):
        return value.with_secret(True) if secret and not value.is_secret else value
    if isinstance(value, bool) or value is None or isinstance(value, str):
        converted: Any = value
    elif isinstance(value, int | float):
        converted = float(value)
    elif isinstance(value, Mapping):
        converted = {str(k): wire(v) for k, v in value.items()}
    elif isinstance(value, Sequence | set | frozenset):
        converted = [wire(v) for v in value]
    else:
        raise TypeError(f"cannot send a {type(value).__name__} to the engine")
    return PropertyValue(converted, is_secret=secret)


def _snake_keys(name: str, value: Any) -> Any:
    """Rename the property names inside the values that hold objects (one level, never map keys)."""
    if name in NESTED_OBJECT_MAPS and isinstance(value, Mapping):
        return {
            key: {to_snake(k): v for k, v in entry.items()} if isinstance(entry, Mapping) else entry
            for key, entry in value.items()
        }
    if name in NESTED_OBJECT_MAPS and isinstance(value, list):
        return [{to_snake(k): v for k, v in e.items()} if isinstance(e, Mapping) else e for e in value]
    return value


def inputs_from_engine(props: Mapping[str, PropertyValue]) -> tuple[dict[str, Any], frozenset[str]]:
    """The engine's camelCase properties as the core's snake_case plain dict, and the snake names of
    the top-level properties that hold a secret (wholly or in part)."""
    result: dict[str, Any] = {}
    secret: set[str] = set()
    for name, value in props.items():
        snake = to_snake(name)
        result[snake] = _snake_keys(snake, plain(value))
        if value.contains_secret():
            secret.add(snake)
    return result, frozenset(secret)


def _camel_keys(name: str, value: Any) -> Any:
    if name in NESTED_OBJECT_MAPS and isinstance(value, Mapping):
        return {
            key: {to_camel(k): v for k, v in entry.items()} if isinstance(entry, Mapping) else entry
            for key, entry in value.items()
        }
    return value


def properties_to_engine(values: Mapping[str, Any], secret: Iterable[str] = ()) -> dict[str, PropertyValue]:
    """The core's snake_case plain dict as camelCase PropertyValues; the names in `secret` (snake
    case) are sent as secrets, and with any of them every hidden key but the list of names."""
    names = frozenset(secret)
    if names:  # the hidden copies (`__declared`, `__live`, the import id) hold the same values
        names |= {name for name in values if is_hidden(name) and name != "__secrets"}
    return {
        to_camel(name): wire(_camel_keys(name, value), secret=name in names) for name, value in values.items()
    }


_PATH_NAME = re.compile(r"(?<![\\w\"])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![\\w\"])")


def camel_path(path: str) -> str:
    """A failure's property path in the schema's names: `bindings["1555"].app_id` ->
    `bindings["1555"].appId` (quoted map keys are left as they are)."""
    parts = re.split(r'(\["(?:[^"\\]|\\.)*"\])', path)
    return "".join(
        part if part.startswith('["') else _PATH_NAME.sub(lambda m: to_camel(m.group(1)), part)
        for part in parts
    )
