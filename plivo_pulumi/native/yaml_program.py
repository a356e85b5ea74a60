"""What a YAML program declares that never reaches the provider: a `null` entry of a set's `bindings`.

The YAML language host builds its requests with Pulumi's Go SDK, which drops map entries whose value
is null (`bindings: {"15550000001": null}` arrives as `{}`): the number would be silently left out of
the set, neither bound nor released. Pulumi starts the plugin in the program's folder, so for a YAML
project the provider reads the program itself (Main.yaml, else Pulumi.yaml; bounded by
`plivo_pulumi.core.safe_yaml`) and Check refuses such an entry, naming the number. Anything it cannot read
or recognise is left alone: the engine's own checks stand.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from plivo_pulumi.core.safe_yaml import load

_PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
_PROGRAM_FILES = ("Main.yaml", "Main.yml")
_SET_TYPES = ("plivo:RentedNumberSet", "plivo:index:RentedNumberSet")
_MAX_BYTES = 20_000_000


def _project(folder: Path) -> Mapping[str, Any] | None:
    for name in _PROJECT_FILES:
        parsed = _parsed(folder / name)
        if parsed is not None:
            return parsed
    return None


def _is_yaml(project: Mapping[str, Any]) -> bool:
    runtime = project.get("runtime")
    if isinstance(runtime, Mapping):
        runtime = runtime.get("name")
    return runtime == "yaml"


def _stamp(path: Path) -> tuple[str, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path), stat.st_mtime_ns, stat.st_size)


def _parsed(path: Path) -> Mapping[str, Any] | None:
    stamp = _stamp(path)
    return None if stamp is None else _parse(stamp)


@functools.lru_cache(maxsize=8)
def _parse(stamp: tuple[str, int, int]) -> Mapping[str, Any] | None:
    path, _mtime, size = stamp
    if size > _MAX_BYTES:
        return None
    try:
        document = load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeError, yaml.YAMLError):
        return None
    return document if isinstance(document, Mapping) else None


def _program(folder: Path) -> Mapping[str, Any] | None:
    """The YAML program run from `folder` (the project's folder, or its `main:` folder below it), or
    None when it is not a YAML project's."""
    for root in [folder, *folder.parents][:4]:
        project = _project(root)
        if project is None:
            continue
        if not _is_yaml(project):
            return None
        for name in _PROGRAM_FILES:
            program = _parsed(folder / name)
            if program is not None:
                return program
        return project
    return None


def null_binding_numbers(resource_name: str, folder: Path | None = None) -> list[str]:
    """The numbers whose entry in the `bindings` of the YAML set `resource_name` is null."""
    program = _program(folder or Path.cwd())
    resources = program.get("resources") if program else None
    if not isinstance(resources, Mapping):
        return []
    declared = next(
        (
            body
            for key, body in resources.items()
            if isinstance(body, Mapping) and body.get("name", key) == resource_name  # `name:` renames
        ),
        None,
    )
    if declared is None or declared.get("type") not in _SET_TYPES:
        return []
    properties = declared.get("properties")
    bindings = properties.get("bindings") if isinstance(properties, Mapping) else None
    if not isinstance(bindings, Mapping):
        return []
    return sorted(str(number) for number, value in bindings.items() if value is None)
