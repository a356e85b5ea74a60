"""A throwaway dynamic resource that calls no API: proves the engine path and is the benchmark floor."""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CreateResult, Resource, ResourceProvider


class NoopProvider(ResourceProvider):
    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"noop-{props['value']}", dict(props))


class Noop(Resource, module="test", name="Noop"):
    def __init__(self, name: str, value: str) -> None:
        super().__init__(NoopProvider(), name, {"value": value})
