"""The floor: a dynamic resource that does nothing, so a stack of N of them measures what the engine
and the Python dynamic-provider host cost per resource, with no API call at all."""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CreateResult, Resource, ResourceProvider


class NoopProvider(ResourceProvider):
    """check, diff and read are the base class's (accept, no change, echo the state)."""

    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"noop-{props['value']}", dict(props))


class Noop(Resource, module="bench", name="Noop"):
    def __init__(self, name: str, value: str) -> None:
        super().__init__(NoopProvider(), name, {"value": value})


class NoopWideProvider(ResourceProvider):
    """Like NoopProvider, but reports every output a RentedNumber reports."""

    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        from plivo_pulumi.core.lifecycle import API_FIELDS

        outs = dict(props)
        outs.update({name: "" for name in API_FIELDS})
        return CreateResult(f"noop-{props['number']}", outs)


class NoopWide(Resource, module="bench", name="NoopWide"):
    """A do-nothing resource with RentedNumber's properties (4 inputs, 9 more outputs): tells the
    engine's cost per property apart from the cost of the API calls."""

    def __init__(self, name: str, number: str, app_id: str) -> None:
        from plivo_pulumi.core.lifecycle import API_FIELDS

        props: dict[str, Any] = {
            "number": number,
            "app_id": app_id,
            "subaccount": None,
            "unrent_on_delete": False,
        }
        props.update({field: None for field in API_FIELDS})
        super().__init__(NoopWideProvider(), name, props)


class NoopMapProvider(ResourceProvider):
    """check, diff and read are the base class's, as for NoopProvider."""

    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult("noop-map", dict(props))


class NoopMap(Resource, module="bench", name="NoopMap"):
    """One do-nothing resource holding a `bindings` map shaped like a RentedNumberSet's state
    (`{number: "<app>/<subaccount>"}`): what the engine and the SDK cost to carry N entries in one
    resource, with no API call and none of the set's own work."""

    def __init__(self, name: str, bindings: dict[str, str]) -> None:
        super().__init__(NoopMapProvider(), name, {"bindings": bindings})
